fn main() -> std::process::ExitCode {
    mab::applet::main(std::env::args_os().collect())
}
