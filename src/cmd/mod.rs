//! The command layer: one module per subcommand. Commands read the environment and files, call the pure
//! core, and print.

pub mod build_files;
pub mod cc;
pub mod info;
pub mod platforms;
pub mod target;
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
    /// Write a CMake toolchain file for the target (use with -DCMAKE_TOOLCHAIN_FILE)
    CmakeToolchain(build_files::Args),
    /// Write a Meson cross file for the target (use with meson setup --cross-file)
    MesonCross(build_files::Args),
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
        Command::CmakeToolchain(args) => {
            build_files::run(crate::core::build_files::Kind::Cmake, args)
        }
        Command::MesonCross(args) => build_files::run(crate::core::build_files::Kind::Meson, args),
    }
}
