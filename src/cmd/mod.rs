//! The command layer: one module per subcommand. Commands read the environment and files, call the pure
//! core, and print.

pub mod cargo;
pub mod go;
pub mod info;
pub mod platforms;
pub mod target;
pub mod tool;
pub mod xx_info;

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mab",
    version,
    about = "Multi-arch build: cross-compile for any Docker platform on the build machine",
    after_help = "The target comes from TARGETPLATFORM (or TARGETPAIR, or TARGETOS/TARGETARCH/TARGETVARIANT), as \
                  BuildKit sets them; the build machine from BUILDPLATFORM or the running system.\n\
                  Exit codes: 0 success or true, 1 false (is-cross), 2 error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print what compilers need to know about the target (fields, `env`, `is-cross`, --json)
    Info(info::Args),
    /// List the supported platforms
    Platforms(platforms::Args),
    /// Run go for the target: GOOS, GOARCH, GOARM..., cgo with a C compiler for it (--print-env shows them)
    Go(go::Args),
    /// Run cargo for the target: --target, linker, CC_<triple>, std via rustup (--print-target-triple, --bin-dir)
    Cargo(cargo::Args),
}

pub fn run(args: Vec<OsString>) -> anyhow::Result<ExitCode> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        // clap prints usage errors and exits 2; --help and --version exit 0.
        Err(e) => e.exit(),
    };
    match cli.command {
        Command::Info(args) => info::run(args),
        Command::Platforms(args) => platforms::run(args),
        Command::Go(args) => go::run(args),
        Command::Cargo(args) => cargo::run(args),
    }
}
