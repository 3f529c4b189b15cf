//! `mab links DIR`: the xx-compatible names (`xx-info`, `xx-verify`, ...) as symlinks to `mab` in DIR, so
//! an image that ships mab (see the repository's Dockerfile) never repeats the list of names by hand.

use super::exec;
use crate::core::names::APPLETS;
use crate::core::plan::Link;
use anyhow::{bail, Result};
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
    // The links name `mab` beside them, so without one there every link would dangle.
    if !args.dir.join("mab").is_file() {
        bail!(
            "{} holds no mab, so its links would lead nowhere: copy mab there first, or pass the \
             directory mab is in",
            args.dir.display()
        );
    }
    // Only xx's names: the table also holds plain `cc`/`clang`, which must not shadow the real compilers
    // on PATH in an image that copies these links.
    let mut links = Vec::new();
    for (name, _) in APPLETS.iter().filter(|(name, _)| name.starts_with("xx-")) {
        let path = args.dir.join(name);
        // A relative target keeps the links valid wherever the directory is copied (COPY --from=...).
        let right = std::fs::read_link(&path).is_ok_and(|to| to == std::path::Path::new("mab"));
        let taken = !right && path.symlink_metadata().is_ok();
        let path = path.display().to_string();
        if taken {
            if !args.force {
                bail!("{path} exists and is not a link to mab (pass --force to replace it)");
            }
            links.push(Link::RemoveFile(path.clone()));
        }
        links.push(Link::Symlink {
            path,
            to: "mab".to_string(),
        });
    }
    exec::make_links(&links)?;
    Ok(ExitCode::SUCCESS)
}
