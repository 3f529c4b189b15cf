//! `mab apt-get` / `mab apt` / `mab apk` / `mab dnf` and xx's `xx-apt-get`, `xx-apt`, `xx-apk`, `xx-dnf`:
//! install the TARGET architecture's packages from a build stage running on the build machine.
//!
//! The plan (which names, which commands, what to undo) comes from `crate::core::packages`; this module
//! asks the package manager what it knows, runs the commands, and undoes a failed apt transaction: the packages
//! are put back as they were, an architecture mab added to dpkg is removed again and the apt sources are
//! restored, also when mab is
//! interrupted (SIGINT, SIGTERM and SIGHUP are forwarded to the running package manager first). `apt`
//! holds that transaction, `undo` its way back, `mingw` Windows targets' MinGW-w64 packages, `root` the apk
//! and dnf target roots, `process` what they share.

mod apt;
mod mingw;
mod process;
mod root;
mod undo;

use super::target;
use crate::core::info::check_token;
use crate::core::os_release::OsRelease;
use crate::core::packages as plan;
use crate::core::table::{self, Family};
use anyhow::{anyhow, bail, Context, Result};
use process::Signals;
use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

/// Everything after the subcommand goes to the package manager as it is (its own `--help` included).
#[derive(clap::Args)]
pub struct RawArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<OsString>,
}

/// The package manager a name stands for (the names are `crate::core::names`' table).
pub use crate::core::names::PackageManager;

impl PackageManager {
    fn program(self) -> &'static str {
        match self {
            PackageManager::AptGet => "apt-get",
            PackageManager::Apt => "apt",
            PackageManager::Apk => "apk",
            PackageManager::Dnf => "dnf",
        }
    }

    fn family(self) -> Family {
        match self {
            PackageManager::AptGet | PackageManager::Apt => Family::Debian,
            PackageManager::Apk => Family::Alpine,
            PackageManager::Dnf => Family::Rhel,
        }
    }
}

pub fn run_raw(tool: PackageManager, args: RawArgs) -> Result<ExitCode> {
    run(tool, &args.args)
}

pub fn run(tool: PackageManager, args: &[OsString]) -> Result<ExitCode> {
    let args = crate::cmd::utf8_args(args)?;
    if tool.family() == Family::Debian && args.first().is_some_and(|a| a == "--fix-source-file") {
        return fix_source_file(&args[1..]);
    }
    let release = target::os_release()?;
    check_distro(tool, &release)?;
    let program = tool.program();
    super::exec::program(program).ok_or_else(|| {
        anyhow!(
            "{program} not found: `mab {program}` runs the build distro's own {program}; install it, or use the \
             command of this distro's package manager"
        )
    })?;
    if tool.family() == Family::Debian && args.iter().any(|a| a == "--print-source-file") {
        let file = plan::main_sources_file(&|p| Path::new(p).exists());
        crate::exit::print_lines([file])?;
        return Ok(ExitCode::SUCCESS);
    }
    let line = plan::parse(tool.family(), &args)?;
    let info = target::resolve(None)?;
    if info.target.os() == "windows" && tool.family() == Family::Debian {
        let signals = Signals::install()?;
        return mingw::run(program, &info, &line, &signals);
    }
    if info.target.os() != "linux" {
        eprintln!(
            "mab {program}: no packages to install for {}: the target is not Linux",
            info.target
        );
        return Ok(ExitCode::SUCCESS);
    }
    let signals = Signals::install()?;
    match tool {
        PackageManager::AptGet | PackageManager::Apt => {
            apt::run(program, &info, &release, &line, &signals)
        }
        PackageManager::Apk => root::apk(&info, &line, &signals),
        PackageManager::Dnf => root::dnf(&info, &release, &line, &signals),
    }
}

/// xx-apt's `--fix-source-file FILE ARCH`: restricts the file's entries that name no architecture to ARCH,
/// for Dockerfiles that set up their own sources before a cross install.
fn fix_source_file(args: &[String]) -> Result<ExitCode> {
    let [file, arch] = args else {
        bail!("--fix-source-file needs a sources file and an architecture: --fix-source-file /etc/apt/sources.list arm64");
    };
    check_token("--fix-source-file's architecture", arch).map_err(|e| anyhow!(e))?;
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
    let fixed = plan::pin_sources_file(file, &text, arch);
    if fixed != text {
        std::fs::write(file, fixed).with_context(|| format!("cannot write {file}"))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The command must match the build distro: apt on Debian/Ubuntu, apk on Alpine, dnf on RHEL/Fedora.
fn check_distro(tool: PackageManager, release: &OsRelease) -> Result<()> {
    let id = release.id.as_deref().unwrap_or("unknown");
    let family = table::distro(id).map(|d| d.family);
    // The file is the user's: show an odd ID quoted, control characters escaped.
    let id = match check_token("ID", id) {
        Ok(()) => id.to_string(),
        Err(_) => format!("{id:?}"),
    };
    if family == Some(tool.family()) {
        return Ok(());
    }
    let hint = match family {
        Some(Family::Debian) => "use `mab apt-get`",
        Some(Family::Alpine) => "use `mab apk`",
        Some(Family::Rhel) => "use `mab dnf`",
        None => "mab installs packages on Debian, Ubuntu, Alpine and RHEL/Fedora only",
    };
    bail!(
        "`mab {}` needs a build stage based on {}, but /etc/os-release says ID={id}: {hint}",
        tool.program(),
        match tool.family() {
            Family::Debian => "Debian or Ubuntu",
            Family::Alpine => "Alpine",
            Family::Rhel => "RHEL or Fedora",
        }
    )
}
