//! Multi-call dispatch: the name mab is run under (a symlink such as `xx-info`) picks the program, before
//! any argument is parsed, so existing Dockerfiles that call xx's tools keep working. The names are data
//! in `crate::core::names`; this module only routes.

use crate::core::names::{self, Applet, CcName};
use crate::{cmd, exit};
use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::ExitCode;

/// The program name's file stem (`/usr/bin/xx-info` → `xx-info`, `mab.exe` → `mab`).
fn stem(argv0: &OsStr) -> String {
    Path::new(argv0)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `name` is what the applet was called as, `via_mab` whether as `mab NAME`.
fn run_applet(
    applet: Applet,
    name: &str,
    via_mab: bool,
    prefix: Option<&str>,
    args: &[OsString],
) -> anyhow::Result<ExitCode> {
    match applet {
        Applet::Mab => unreachable!("mab is dispatched by main"),
        Applet::XxInfo => cmd::xx_info::run(args),
        Applet::XxVerify => cmd::xx_verify::run(args),
        Applet::XxGo => cmd::go::run_raw(args, true),
        Applet::XxCargo => cmd::cargo::run_raw(args),
        Applet::Packages(tool) => cmd::packages::run(tool, args),
        Applet::Compiler(w) => {
            let how = match prefix {
                Some(_) => CcName::Prefixed,
                None => CcName::of(name, via_mab),
            };
            cmd::cc::run(w, how, prefix, args)
        }
        Applet::PkgConfig => cmd::cc::pkg_config(prefix, args),
        Applet::LlvmTool(tool) => cmd::cc::llvm_tool(tool, args),
        Applet::Windres(name) => cmd::windres::run(name, prefix, args),
    }
}

pub fn main(args: Vec<OsString>) -> ExitCode {
    let name = args.first().map(|a| stem(a)).unwrap_or_default();
    // Any `mab*` name (mab-0.1, cargo's test copies) is mab itself.
    let applet = names::from_name(&name)
        .map(|a| (a, None))
        .or_else(|| name.starts_with("mab").then_some((Applet::Mab, None)))
        .or_else(|| names::from_suffix(&name).map(|(a, prefix)| (a, Some(prefix))));
    // `mab xx-info arch` is `xx-info arch`, as `coreutils ls` is `ls`.
    let sub = args
        .get(1)
        .and_then(|a| a.to_str())
        .and_then(names::subcommand);
    let result = match applet {
        Some((Applet::Mab, _)) => match sub {
            Some(a) => {
                let sub = args[1].to_string_lossy();
                run_applet(a, &sub, true, None, &args[2..])
            }
            None => cmd::run(args),
        },
        Some((applet, prefix)) => run_applet(applet, &name, false, prefix, &args[1..]),
        None => Err(anyhow::anyhow!(
            "mab does not know the program name {name:?}; link it as one of: {}",
            names::all().join(", ")
        )),
    };
    result.unwrap_or_else(|err| exit::report(&err, if name.is_empty() { "mab" } else { &name }))
}
