//! The C/C++ wrappers (`mab cc|c++|clang|clang++`, `xx-clang`, `aarch64-linux-gnu-clang`, ...), the
//! sysroot-aware `mab pkg-config` and the `<triple>-ar`-style links to LLVM's tools. Arguments are raw,
//! never parsed by clap, and the compiler replaces this process (exec), so a call costs one small startup.
//! Probe → plan → act: `exec::probe()` answers what is installed, `core::cc` plans, `exec` carries it out.

use super::exec;
use super::target::{resolve, var};
use crate::core::cc::{self, Action, CcError, Overrides, Wrapper, GUARD};
use crate::core::names::CcName;
use crate::core::options::{self, Spec};
use crate::core::plan::{Command, Plan, Probe};
use crate::core::{pkg_config, Info};
use anyhow::Result;
use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

/// MAB_CC, MAB_LINKER and MAB_SYSROOT.
pub fn overrides() -> Result<Overrides, CcError> {
    Overrides::from_vars(&var, &|p| Path::new(p).is_dir())
}

/// mab's own option among `mab clang`'s arguments, by the rule `mab go` and `mab cargo` follow (xx's names
/// pass every argument to the compiler, as xx's do).
const OPTIONS: Spec = Spec {
    flags: &[],
    valued: &[("--platform", "linux/arm64")],
};

/// The target: a triple given with `--target=` or in the program name wins over `platform` (`--platform`)
/// and TARGETPLATFORM, and its libc (a musl triple on a glibc distro) with it.
fn target(triple: Option<&str>, platform: Option<&str>) -> Result<Info> {
    let info = resolve(platform)?;
    let Some(triple) = triple else {
        return Ok(info);
    };
    let (platform, libc) = cc::platform_for_triple(triple, &info.flavour)?;
    let mut flavour = info.flavour;
    flavour.libc = libc.to_string();
    Ok(Info::new(platform, info.build, flavour, &var, None))
}

/// `mab cc ARGS`, `xx-clang ARGS`, `aarch64-linux-gnu-clang ARGS`: `prefix` is the triple in the name.
pub fn run(
    wrapper: Wrapper,
    how: CcName,
    prefix: Option<&str>,
    args: &[OsString],
) -> Result<ExitCode> {
    if std::env::var_os(GUARD).is_some() {
        return Err(CcError::Recursion.into());
    }
    let (platform, args) = match how {
        CcName::Mab => {
            let opts = options::parse(args, &OPTIONS)?;
            (opts.value("--platform").map(String::from), opts.rest)
        }
        _ => (None, args.to_vec()),
    };
    let args = &args[..];
    let probe = exec::probe();
    let action = Action::of(args);
    let given = cc::target_arg(args);
    // A plain `clang` link builds for TARGETPLATFORM only once wrapped; otherwise it is the real clang,
    // or the wrapper of a `--target=` mab knows (so `clang --target=aarch64-linux-gnu` links right).
    let how = match how {
        CcName::Plain if cc::wrapped(&probe) => CcName::Xx,
        how => how,
    };
    let plain = how == CcName::Plain && !matches!(action, Action::Wrap | Action::Unwrap);
    // `--config` hands the call to clang untouched: no target is read.
    let plan = match action {
        Action::Passthrough => cc::passthrough(wrapper, args, &probe)?,
        _ if plain && given.is_none() => cc::passthrough(wrapper, args, &probe)?,
        _ => match target(given.as_deref().or(prefix), platform.as_deref()) {
            Err(_) if plain => cc::passthrough(wrapper, args, &probe)?,
            Err(e) => return Err(e),
            Ok(info) => cc::plan(
                action,
                wrapper,
                &info,
                &overrides,
                args,
                &probe,
                how == CcName::Xx,
            )?,
        },
    };
    exec::carry_out(plan)
}

/// `mab pkg-config ARGS` and `<triple>-pkg-config ARGS`: pkg-config reading the target's .pc files.
/// Variables the user set (even empty) win.
pub fn pkg_config(prefix: Option<&str>, args: &[OsString]) -> Result<ExitCode> {
    let info = target(prefix, None)?;
    cc::supported(&info)?;
    let sysroot = overrides()?.sysroot.unwrap_or_else(|| info.sysroot.clone());
    let env = pkg_config::env(&info, &sysroot)
        .into_iter()
        .filter(|(k, _)| std::env::var_os(k).is_none())
        .collect();
    let program = exec::require("pkg-config", "pkg-config")?;
    exec::carry_out(Plan::exec(Command {
        program,
        args: args.to_vec(),
        env,
    }))
}

/// `<triple>-ar` and friends, linked by `--setup-target-triple`: LLVM's tool, which handles every target.
pub fn llvm_tool(tool: &str, args: &[OsString]) -> Result<ExitCode> {
    let program = exec::require(&format!("llvm-{tool}"), "llvm")?;
    exec::carry_out(Plan::exec(Command {
        program,
        args: args.to_vec(),
        env: Vec::new(),
    }))
}

/// The probe and overrides the build-file generators plan with.
pub fn toolchain(info: &Info, probe: &Probe) -> Result<cc::Toolchain> {
    Ok(cc::toolchain(info, None, &overrides()?, probe)?)
}
