//! `xx-info`: tonistiigi/xx's tool of that name, for Dockerfiles written for xx. It keeps xx's leniency:
//! `os`, `arch` and `variant` echo whatever was asked for, and only values that need the tables fail, with
//! `unsupported target: os=… arch=…` and exit 1. Unknown commands print `unknown command X` and exit 1.

use super::target::{macos_sdk, os_release, var};
use crate::core::platform::Platform;
use crate::core::shell::quote;
use crate::core::table;
use crate::core::xx::{raw_target, XxView};
use crate::core::{Flavour, Info};
use crate::exit::{print_lines, FALSE};
use anyhow::Result;
use std::ffi::OsString;
use std::process::ExitCode;

const USAGE: &str = "Usage: xx-info [COMMAND]

Commands:
  alpine-arch    Print target architecture for Alpine package repositories
  arch           Print target architecture for Docker
  debian-arch    Print target architecture for Debian/Ubuntu package repositories
  env            Print XX_* variables defining target environment
  is-cross       Exit cleanly if target is not native architecture
  libc           Print used libc (musl or gnu)
  march          Print target machine architecture, uname -m
  os             Print target operating system (linux,darwin,windows)
  os-version     Print operating system version
  pkg-arch       Print either alpine-arch or debian-arch
  rhel-arch      Print target architecture for RPM package repositories
  sysroot        Print sysroot directory for target architecture
  triple         Print target triple in arch[-vendor]-os-abi form
  vendor         Print vendor part of target triple
  variant        Print target variant if architecture is arm (eg. v7)
";

pub fn run(args: &[OsString]) -> Result<ExitCode> {
    let command = args
        .first()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    if command == "--help" {
        eprintln!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    let host = Platform::host()?;
    let (os, arch, variant) = raw_target(&var, host);
    match command.as_str() {
        "os" => return echo(&os),
        "arch" => return echo(&arch),
        "variant" => return echo(&variant),
        _ => {}
    }
    let release = os_release()?;
    let flavour = Flavour::new(&os, &release, &var);
    match command.as_str() {
        "vendor" => return echo(&flavour.vendor),
        "libc" => return echo(&flavour.libc),
        "os-version" => return echo(flavour.os_version.as_deref().unwrap_or("")),
        _ => {}
    }
    let known = [
        "",
        "env",
        "is-cross",
        "march",
        "debian-arch",
        "alpine-arch",
        "rhel-arch",
        "pkg-arch",
        "triple",
        "sysroot",
    ];
    if !known.contains(&command.as_str()) {
        print_lines([format!("unknown command {command}")])?;
        return Ok(ExitCode::from(FALSE));
    }
    let Some((row, variant)) = table::find(&os, &arch, &variant) else {
        eprintln!(
            "unsupported target: os={} arch={}",
            shown(&os),
            shown(&arch)
        );
        return Ok(ExitCode::from(FALSE));
    };
    let target = Platform { row, variant };
    let sdk = if os == "darwin" { macos_sdk() } else { None };
    let info = Info::new(target, host, flavour, &var, sdk.as_deref());
    let view = XxView::new(&info);
    match command.as_str() {
        "is-cross" => Ok(if info.is_cross() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(FALSE)
        }),
        "env" => {
            print_lines(
                view.env()
                    .into_iter()
                    .map(|(k, v)| format!("{k}={}", quote(v))),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        other => echo(view.get(other).unwrap_or_default()),
    }
}

fn echo(value: &str) -> Result<ExitCode> {
    print_lines([value])?;
    Ok(ExitCode::SUCCESS)
}

/// A raw value for an error line: as given, or escaped when it holds control characters (a newline would
/// split the message).
fn shown(value: &str) -> String {
    if value.chars().any(char::is_control) {
        format!("{value:?}")
    } else {
        value.to_string()
    }
}
