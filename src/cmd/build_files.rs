//! `mab cmake-toolchain` and `mab meson-cross`: build-system files that cross-compile for the target with
//! the compiler the C wrappers would pick (MAB_CC, MAB_LINKER and MAB_SYSROOT apply).

use super::exec;
use super::target::resolve;
use crate::core::build_files::{render, Kind};
use crate::exit::print_lines;
use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Target platform (default: TARGETPLATFORM, as `mab info` reads it)
    #[arg(long)]
    platform: Option<String>,
    /// Write the file here instead of printing it
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(kind: Kind, args: Args) -> Result<ExitCode> {
    let info = resolve(args.platform.as_deref())?;
    super::target::warn_if_emulated(&info);
    let probe = exec::probe();
    let tc = super::cc::toolchain(&info, &probe)?;
    let pkg_config = exec::require("pkg-config", "pkg-config")?;
    let emulator = crate::core::toolenv::qemu_runner(&info, &tc.sysroot, &probe);
    let text = render(kind, &info, &tc, &pkg_config, emulator.as_deref())?;
    match args.output {
        Some(path) => std::fs::write(&path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print_lines([text.trim_end()])?,
    }
    Ok(ExitCode::SUCCESS)
}
