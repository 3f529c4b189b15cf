//! The command layer: one module per subcommand. Commands read the environment and files, call the pure
//! core, and print.

pub mod build_files;
pub mod bundle;
pub mod cargo;
pub mod cc;
pub mod completions;
pub mod doctor;
pub mod exec;
pub mod gen;
pub mod go;
pub mod headers;
pub mod info;
pub mod links;
pub mod lint;
pub mod man;
pub mod manifest;
pub mod packages;
pub mod platforms;
pub mod target;
pub mod verify;
pub mod windres;
pub mod xx_info;
pub mod xx_verify;

use clap::{CommandFactory, Parser, Subcommand};
use std::ffi::OsString;
use std::process::ExitCode;

/// Raw arguments as text, for the tools whose arguments mab reads (package names, resource files): one
/// that is not UTF-8 is an error naming it.
pub fn utf8_args(args: &[OsString]) -> anyhow::Result<Vec<String>> {
    args.iter()
        .map(|a| {
            a.to_str()
                .map(str::to_string)
                .ok_or_else(|| anyhow::anyhow!("argument {a:?} is not UTF-8"))
        })
        .collect()
}

#[derive(Parser)]
#[command(
    name = "mab",
    version,
    about = "Multi-arch build: cross-compile for any Docker platform on the build machine",
    after_help = "The target comes from TARGETPLATFORM (or TARGETPAIR, or TARGETOS/TARGETARCH/TARGETVARIANT), as \
                  BuildKit sets them; the build machine from BUILDPLATFORM or the running system.\n\
                  C/C++: `mab cc|c++|clang|clang++ ARGS...` run the compiler for the target and `mab pkg-config ARGS...`\n\
                  reads the target's .pc files (raw arguments; MAB_CC=clang|gcc, MAB_LINKER=lld|ld, MAB_SYSROOT=DIR).\n\
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
    /// Generate a cross-compiling Dockerfile, docker-bake.hcl or CI workflow for a project
    Gen(gen::Args),
    /// Find the steps of Dockerfiles that a multi-platform build emulates or gets wrong, with fixes
    Lint(lint::Args),
    /// Check the build machine for multi-platform builds (engine, BuildKit, binfmt, qemu, disk, ...), with fixes
    Doctor(doctor::Args),
    /// Create the xx-* names (xx-info, xx-verify, ...) as symlinks to mab in a directory
    Links(links::Args),
    /// Read multi-platform images from a registry: `mab manifest check IMAGE --platforms ...`
    Manifest(manifest::Args),
    /// Check that files are executables or libraries for the target (exit 1 naming what each is if not)
    Verify(verify::Args),
    /// Copy a program's loader and shared libraries (from the target's packages) into a root directory
    Bundle(bundle::Args),
    /// Install the target's packages with apt-get: `mab apt-get install -y zlib1g-dev` (Debian, Ubuntu)
    #[command(name = "apt-get", disable_help_flag = true)]
    AptGet(packages::RawArgs),
    /// Install the target's packages with apt (as `apt-get`)
    #[command(disable_help_flag = true)]
    Apt(packages::RawArgs),
    /// Install the target's packages with apk into /<triple> (Alpine)
    #[command(disable_help_flag = true)]
    Apk(packages::RawArgs),
    /// Install the target's packages with dnf into /<triple> (RHEL, Fedora)
    #[command(disable_help_flag = true)]
    Dnf(packages::RawArgs),
    /// Write a CMake toolchain file for the target (use with -DCMAKE_TOOLCHAIN_FILE)
    CmakeToolchain(build_files::Args),
    /// Write a Meson cross file for the target (use with meson setup --cross-file)
    MesonCross(build_files::Args),
    /// Run go for the target: GOOS, GOARCH, GOARM..., CC for cgo (on when CGO_ENABLED=1) (--print-env shows them)
    Go(go::Args),
    /// Run cargo for the target: --target, linker, CC_<triple>, std via rustup (--print-target-triple, --bin-dir)
    Cargo(cargo::Args),
    /// Print a shell completion script: `mab completions bash|zsh|fish|elvish|powershell`
    Completions(completions::Args),
    /// Print mab's manual page (roff): `mab man > /usr/local/share/man/man1/mab.1`
    Man(man::Args),
}

/// mab's whole command line as clap sees it, plus the subcommands that take raw arguments and never reach
/// clap (`mab cc ...`, see applet.rs), so completions and the manual list them too.
pub fn command() -> clap::Command {
    crate::core::names::raw_subcommands().fold(Cli::command(), |cli, (name, _)| {
        let about = if name == "pkg-config" {
            "Run pkg-config on the target's .pc files (raw arguments)".to_string()
        } else if name == "windres" {
            "Compile Windows resources (.rc) for the target: GNU windres's arguments, over llvm-rc and llvm-cvtres"
                .to_string()
        } else {
            format!(
                "Run {name} for the target, with its triple, sysroot and linker (raw arguments)"
            )
        };
        cli.subcommand(
            clap::Command::new(name).about(about).arg(
                clap::Arg::new("args")
                    .num_args(0..)
                    .trailing_var_arg(true)
                    .allow_hyphen_values(true)
                    .value_name("ARGS"),
            ),
        )
    })
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
        Command::Gen(args) => gen::run(args),
        Command::Links(args) => links::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Doctor(args) => doctor::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Bundle(args) => bundle::run(args),
        Command::Manifest(args) => manifest::run(args),
        Command::AptGet(args) => packages::run_raw(packages::PackageManager::AptGet, args),
        Command::Apt(args) => packages::run_raw(packages::PackageManager::Apt, args),
        Command::Apk(args) => packages::run_raw(packages::PackageManager::Apk, args),
        Command::Dnf(args) => packages::run_raw(packages::PackageManager::Dnf, args),
        Command::CmakeToolchain(args) => {
            build_files::run(crate::core::build_files::Kind::Cmake, args)
        }
        Command::MesonCross(args) => build_files::run(crate::core::build_files::Kind::Meson, args),
        Command::Go(args) => go::run(args),
        Command::Cargo(args) => cargo::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}
