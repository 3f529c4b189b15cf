//! `xx-verify [--static] FILE...`: tonistiigi/xx's checker that a build produced binaries for TARGETPLATFORM,
//! on top of `mab verify`. As in xx: flags may come anywhere, `--static` or XX_VERIFY_STATIC=1 also requires
//! static linking (ELF only), `--setup` alone succeeds, an unknown flag or no file is a usage error, nothing
//! is printed for files that pass and a failing file exits 1.
//!
//! Where mab differs, on purpose: it reads the headers itself, so `--setup` installs nothing and
//! XX_VERIFY_FILE_CMD_OUTPUT (xx's hook to fake file(1) output in its tests) is ignored; every file is
//! checked and reported before exiting 1 (xx stops at the first); usage errors exit 2 (xx exits 1), as
//! everywhere in mab; the checks are stricter than xx's text matching (ARM float ABI and CPU architecture,
//! RISC-V and LoongArch float ABI, MIPS o32/n64).

use super::target::var;
use super::verify::{verify, Options};
use anyhow::{bail, Result};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "Usage: xx-verify [--static] FILE [FILE]...";

pub fn run(args: &[OsString]) -> Result<ExitCode> {
    let mut want_static = var("XX_VERIFY_STATIC").as_deref() == Some("1");
    let mut files = Vec::new();
    for arg in args {
        match arg.to_str() {
            Some("--static") => want_static = true,
            Some("--setup") if args.len() == 1 => return Ok(ExitCode::SUCCESS),
            Some("--setup") => {}
            Some("--help" | "-h") => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            Some(flag) if flag.starts_with('-') => bail!("invalid flag {flag}\n{USAGE}"),
            _ => files.push(PathBuf::from(arg)),
        }
    }
    if files.is_empty() {
        bail!("no file given\n{USAGE}");
    }
    let options = Options {
        platform: None,
        want_static,
        json: false,
        quiet: true,
    };
    verify(&files, &options)
}
