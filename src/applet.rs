//! Multi-call dispatch: the name mab is run under (a symlink such as `xx-info`) picks the program, before
//! any argument is parsed, so existing Dockerfiles that call xx's tools keep working.

use crate::{cmd, exit};
use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applet {
    Mab,
    XxInfo,
    XxGo,
    XxCargo,
}

/// Every name mab answers to. Later xx names (xx-go, xx-cargo, xx-clang, ...) are rows here.
pub static APPLETS: &[(&str, Applet)] = &[
    ("mab", Applet::Mab),
    ("xx-info", Applet::XxInfo),
    ("xx-go", Applet::XxGo),
    ("xx-cargo", Applet::XxCargo),
];

/// The program name's file stem (`/usr/bin/xx-info` → `xx-info`, `mab.exe` → `mab`).
fn stem(argv0: &OsStr) -> String {
    Path::new(argv0)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub fn from_name(name: &str) -> Option<Applet> {
    APPLETS.iter().find(|(n, _)| *n == name).map(|(_, a)| *a)
}

pub fn main(args: Vec<OsString>) -> ExitCode {
    let name = args.first().map(|a| stem(a)).unwrap_or_default();
    // Any `mab*` name (mab-0.1, cargo's test copies) is mab itself.
    let applet = from_name(&name).or_else(|| name.starts_with("mab").then_some(Applet::Mab));
    let result = match applet {
        Some(Applet::Mab) => cmd::run(args),
        Some(Applet::XxInfo) => cmd::xx_info::run(&args[1..]),
        Some(Applet::XxGo) => cmd::go::run_raw(&args[1..]),
        Some(Applet::XxCargo) => cmd::cargo::run_raw(&args[1..]),
        None => Err(anyhow::anyhow!(
            "mab does not know the program name {name:?}; link it as one of: {}",
            APPLETS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    };
    result.unwrap_or_else(|err| exit::report(&err, if name.is_empty() { "mab" } else { &name }))
}
