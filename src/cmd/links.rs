//! `mab links DIR`: the xx-compatible names (`xx-info`, `xx-verify`, ...) as symlinks to `mab` in DIR, so
//! an image that ships mab (see the repository's Dockerfile) never repeats the list of names by hand.

use crate::core::names::APPLETS;
use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The directory that holds mab; each link points to `mab` next to it
    dir: PathBuf,
    /// Replace files that already have one of the names
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if !args.dir.is_dir() {
        bail!(
            "{} is not a directory: pass the directory that holds mab",
            args.dir.display()
        );
    }
    // Only xx's names: the table also holds plain `cc`/`clang`, which must not shadow the real compilers
    // on PATH in an image that copies these links.
    for (name, _) in APPLETS.iter().filter(|(name, _)| name.starts_with("xx-")) {
        let link = args.dir.join(name);
        if args.force && link.symlink_metadata().is_ok() {
            std::fs::remove_file(&link)
                .with_context(|| format!("cannot replace {}", link.display()))?;
        }
        // A relative target keeps the links valid wherever the directory is copied (COPY --from=...).
        std::os::unix::fs::symlink("mab", &link).with_context(|| {
            format!(
                "cannot create {} (pass --force to replace it)",
                link.display()
            )
        })?;
    }
    Ok(ExitCode::SUCCESS)
}
