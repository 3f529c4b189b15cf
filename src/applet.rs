//! Multi-call dispatch: the name mab is run under (a symlink such as `xx-info`) picks the program, before
//! any argument is parsed, so existing Dockerfiles that call xx's tools keep working.

use crate::cmd::packages::Tool;
use crate::core::cc::Wrapper;
use crate::{cmd, exit};
use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applet {
    Mab,
    XxInfo,
    XxVerify,
    XxGo,
    XxCargo,
    Packages(Tool),
    /// A C/C++ compiler wrapper (`xx-clang`; plain `clang` once `--wrap` linked it).
    Compiler(Wrapper),
    PkgConfig,
    /// `<triple>-ar` and friends: LLVM's tool of that name.
    LlvmTool(&'static str),
    /// GNU windres's command line over llvm-rc and llvm-cvtres.
    Windres(cmd::windres::Name),
}

/// Every name mab answers to. Later xx names (xx-go, xx-cargo, ...) are rows here.
pub static APPLETS: &[(&str, Applet)] = &[
    ("mab", Applet::Mab),
    ("xx-info", Applet::XxInfo),
    ("xx-verify", Applet::XxVerify),
    ("xx-go", Applet::XxGo),
    ("xx-cargo", Applet::XxCargo),
    ("xx-apt-get", Applet::Packages(Tool::AptGet)),
    ("xx-apt", Applet::Packages(Tool::Apt)),
    ("xx-apk", Applet::Packages(Tool::Apk)),
    ("xx-dnf", Applet::Packages(Tool::Dnf)),
    ("xx-cc", Applet::Compiler(Wrapper::Cc)),
    ("xx-c++", Applet::Compiler(Wrapper::Cxx)),
    ("xx-clang", Applet::Compiler(Wrapper::Clang)),
    ("xx-clang++", Applet::Compiler(Wrapper::Clangxx)),
    ("cc", Applet::Compiler(Wrapper::Cc)),
    ("c++", Applet::Compiler(Wrapper::Cxx)),
    ("clang", Applet::Compiler(Wrapper::Clang)),
    ("clang++", Applet::Compiler(Wrapper::Clangxx)),
    ("xx-windres", Applet::Windres(cmd::windres::Name::Xx)),
];

/// `<triple>-<suffix>` names (`aarch64-linux-gnu-clang`), made by `--setup-target-triple`: the prefix is
/// the target triple, and the longest matching suffix wins.
pub static SUFFIXES: &[(&str, Applet)] = &[
    ("-clang", Applet::Compiler(Wrapper::Clang)),
    ("-clang++", Applet::Compiler(Wrapper::Clangxx)),
    ("-pkg-config", Applet::PkgConfig),
    ("-windres", Applet::Windres(cmd::windres::Name::Prefixed)),
    ("-ar", Applet::LlvmTool("ar")),
    ("-ranlib", Applet::LlvmTool("ranlib")),
    ("-strip", Applet::LlvmTool("strip")),
    ("-objcopy", Applet::LlvmTool("objcopy")),
    ("-objdump", Applet::LlvmTool("objdump")),
    ("-nm", Applet::LlvmTool("nm")),
    ("-readelf", Applet::LlvmTool("readelf")),
    ("-addr2line", Applet::LlvmTool("addr2line")),
    ("-size", Applet::LlvmTool("size")),
    ("-strings", Applet::LlvmTool("strings")),
];

/// `mab <name> ARGS…` subcommands that take raw arguments (compiler flags are not clap's to parse).
pub static RAW_SUBCOMMANDS: &[(&str, Applet)] = &[
    ("cc", Applet::Compiler(Wrapper::Cc)),
    ("c++", Applet::Compiler(Wrapper::Cxx)),
    ("clang", Applet::Compiler(Wrapper::Clang)),
    ("clang++", Applet::Compiler(Wrapper::Clangxx)),
    ("pkg-config", Applet::PkgConfig),
    ("windres", Applet::Windres(cmd::windres::Name::Mab)),
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

/// A `<triple>-<suffix>` name: the applet and the triple.
pub fn from_suffix(name: &str) -> Option<(Applet, &str)> {
    SUFFIXES
        .iter()
        .filter(|(suffix, _)| name.len() > suffix.len() && name.ends_with(suffix))
        .max_by_key(|(suffix, _)| suffix.len())
        .map(|(suffix, a)| (*a, &name[..name.len() - suffix.len()]))
}

fn run_applet(applet: Applet, prefix: Option<&str>, args: &[OsString]) -> anyhow::Result<ExitCode> {
    match applet {
        Applet::Mab => unreachable!("mab is dispatched by main"),
        Applet::XxInfo => cmd::xx_info::run(args),
        Applet::XxVerify => cmd::xx_verify::run(args),
        Applet::XxGo => cmd::go::run_raw(args),
        Applet::XxCargo => cmd::cargo::run_raw(args),
        Applet::Packages(tool) => cmd::packages::run(tool, args),
        Applet::Compiler(w) => cmd::cc::run(w, prefix, args),
        Applet::PkgConfig => cmd::cc::pkg_config(prefix, args),
        Applet::LlvmTool(tool) => cmd::cc::llvm_tool(tool, args),
        Applet::Windres(name) => cmd::windres::run(name, prefix, args),
    }
}

pub fn main(args: Vec<OsString>) -> ExitCode {
    let name = args.first().map(|a| stem(a)).unwrap_or_default();
    // Any `mab*` name (mab-0.1, cargo's test copies) is mab itself.
    let applet = from_name(&name)
        .map(|a| (a, None))
        .or_else(|| name.starts_with("mab").then_some((Applet::Mab, None)))
        .or_else(|| from_suffix(&name).map(|(a, prefix)| (a, Some(prefix))));
    let raw = args
        .get(1)
        .and_then(|a| a.to_str())
        .and_then(|a| RAW_SUBCOMMANDS.iter().find(|(n, _)| *n == a));
    let result = match applet {
        Some((Applet::Mab, _)) => match raw {
            Some((_, a)) => run_applet(*a, None, &args[2..]),
            None => cmd::run(args),
        },
        Some((applet, prefix)) => run_applet(applet, prefix, &args[1..]),
        None => Err(anyhow::anyhow!(
            "mab does not know the program name {name:?}; link it as one of: {}",
            APPLETS
                .iter()
                .map(|(n, _)| n.to_string())
                .chain(SUFFIXES.iter().map(|(s, _)| format!("<triple>{s}")))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    };
    result.unwrap_or_else(|err| exit::report(&err, if name.is_empty() { "mab" } else { &name }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_names_split_at_the_longest_suffix() {
        let cases = [
            (
                "aarch64-linux-gnu-clang",
                Some((Applet::Compiler(Wrapper::Clang), "aarch64-linux-gnu")),
            ),
            (
                "aarch64-linux-gnu-clang++",
                Some((Applet::Compiler(Wrapper::Clangxx), "aarch64-linux-gnu")),
            ),
            (
                "riscv64-linux-gnu-pkg-config",
                Some((Applet::PkgConfig, "riscv64-linux-gnu")),
            ),
            (
                "s390x-linux-gnu-ar",
                Some((Applet::LlvmTool("ar"), "s390x-linux-gnu")),
            ),
            ("-clang", None),
            ("clang", None),
            ("aarch64-linux-gnu-gcc", None),
        ];
        for (name, want) in cases {
            assert_eq!(from_suffix(name), want, "{name}");
        }
    }
}
