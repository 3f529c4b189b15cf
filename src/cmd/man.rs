//! `mab man [SUBCOMMAND]`: the manual page in roff, written by clap_mangen from the clap definitions (as
//! `--help` is), with a section on the names mab answers to when linked as xx's tools.

use crate::core::names::{APPLETS, SUFFIXES};
use anyhow::{bail, Result};
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A subcommand's own page (mab-gen(1), ...) instead of mab(1)
    subcommand: Option<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let mut cmd = super::command();
    cmd.build();
    let mut page = Vec::new();
    match &args.subcommand {
        None => {
            clap_mangen::Man::new(cmd).render(&mut page)?;
            page.extend_from_slice(names_section().as_bytes());
        }
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => clap_mangen::Man::new(sub.clone().version(env!("CARGO_PKG_VERSION")))
                .render(&mut page)?,
            None => bail!("mab has no subcommand {name:?}; `mab man` lists them under SUBCOMMANDS"),
        },
    }
    let mut out = std::io::stdout().lock();
    out.write_all(&page)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The multi-call names (applet.rs), which clap knows nothing about.
fn names_section() -> String {
    let xx: Vec<&str> = APPLETS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| name.starts_with("xx-"))
        .collect();
    let suffixes: Vec<String> = SUFFIXES
        .iter()
        .map(|(s, _)| format!("<triple>{s}"))
        .collect();
    format!(
        ".SH \"PROGRAM NAMES\"\n\
         Linked or copied under another name, mab is that program (\\fBmab links DIR\\fR makes the links).\n\
         .TP\n{}\n\
         tonistiigi/xx's tools, with xx's arguments, output and exit codes.\n\
         .TP\n{}\n\
         made by \\fBxx\\-clang \\-\\-setup\\-target\\-triple\\fR: the tool for the triple in the name.\n",
        roff(&xx.join(", ")),
        roff(&suffixes.join(", ")),
    )
}

fn roff(text: &str) -> String {
    text.replace('\\', "\\\\").replace('-', "\\-")
}
