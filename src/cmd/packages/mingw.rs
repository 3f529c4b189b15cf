//! A Windows target for `mab apt-get`: Debian's MinGW-w64 packages, installed for the build machine.

use super::process::{echo, Signals};
use crate::cmd::exec::pass_through;
use crate::core::packages::{self as plan, CommandLine};
use crate::core::Info;
use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::process::{Command, ExitCode, Stdio};

/// A Windows target: Debian's MinGW-w64 packages, installed for the build machine (xx-apt-get's names).
pub fn run(program: &str, info: &Info, line: &CommandLine, signals: &Signals) -> Result<ExitCode> {
    let packages = info
        .target
        .row
        .mingw
        .as_ref()
        .and_then(|m| m.debian.as_ref());
    let questions = plan::mingw_questions(line, packages);
    let known = if questions.is_empty() {
        BTreeSet::new()
    } else {
        // A failed question must not read as "Debian has none of them" and skip everything.
        let out = Command::new("apt-cache")
            .arg("policy")
            .args(&questions)
            .stderr(Stdio::inherit())
            .output()
            .context("cannot run apt-cache")?;
        if !out.status.success() {
            bail!(
                "`apt-cache policy {}` failed ({})",
                questions.join(" "),
                out.status
            );
        }
        plan::policy_candidates(&String::from_utf8_lossy(&out.stdout))
    };
    let planned = plan::mingw_args(line, packages, &mut |name| known.contains(name));
    if !planned.skipped.is_empty() {
        let why = match packages {
            Some(_) => "Debian has no MinGW-w64 build of them",
            None => "Debian has no MinGW-w64 packages for this platform (clang and lld build for it with an LLVM MinGW sysroot; see `mab cc`)",
        };
        eprintln!(
            "mab {program}: skipping {} for {}: {why}",
            planned.skipped.join(" "),
            info.target
        );
    }
    if !planned.any && line.packages().next().is_some() {
        eprintln!("skipping packages installation on windows");
        return Ok(ExitCode::SUCCESS);
    }
    echo(program, &planned.args);
    Ok(pass_through(signals.run(program, &planned.args)?))
}
