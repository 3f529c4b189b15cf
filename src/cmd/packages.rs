//! `mab apt-get` / `mab apt` / `mab apk` / `mab dnf` and xx's `xx-apt-get`, `xx-apt`, `xx-apk`, `xx-dnf`:
//! install the TARGET architecture's packages from a build stage running on the build machine.
//!
//! The plan (which names, which commands, what to undo) comes from `crate::core::packages`; this module
//! asks the package manager what it knows, runs the commands, and undoes a failed apt transaction: an
//! architecture mab added to dpkg is removed again and the apt sources are put back, also when mab is
//! interrupted (SIGINT, SIGTERM and SIGHUP are forwarded to the running package manager first).

use super::target::{self, var};
use crate::core::info::{c_triple, check_token, Flavour};
use crate::core::os_release::OsRelease;
use crate::core::packages::{
    self as plan, AptTarget, CommandLine, SetupStep, Sources, SourcesFix, TargetRoot,
};
use crate::core::table::{self, Family};
use crate::core::Info;
use anyhow::{anyhow, bail, Context, Result};
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Everything after the subcommand goes to the package manager as it is (its own `--help` included).
#[derive(clap::Args)]
pub struct RawArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<OsString>,
}

/// The package manager a name stands for (the names are `crate::core::names`' table).
pub use crate::core::names::PackageManager as Tool;

impl Tool {
    fn program(self) -> &'static str {
        match self {
            Tool::AptGet => "apt-get",
            Tool::Apt => "apt",
            Tool::Apk => "apk",
            Tool::Dnf => "dnf",
        }
    }

    fn family(self) -> Family {
        match self {
            Tool::AptGet | Tool::Apt => Family::Debian,
            Tool::Apk => Family::Alpine,
            Tool::Dnf => Family::Rhel,
        }
    }
}

pub fn run_raw(tool: Tool, args: RawArgs) -> Result<ExitCode> {
    run(tool, &args.args)
}

pub fn run(tool: Tool, args: &[OsString]) -> Result<ExitCode> {
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            a.to_str()
                .map(str::to_string)
                .ok_or_else(|| anyhow!("argument {a:?} is not UTF-8"))
        })
        .collect::<Result<_>>()?;
    if tool.family() == Family::Debian && args.first().is_some_and(|a| a == "--fix-source-file") {
        return fix_source_file(&args[1..]);
    }
    let release = target::os_release();
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
        return mingw(program, &info, &line, &signals);
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
        Tool::AptGet | Tool::Apt => apt(program, &info, &release, &line, &signals),
        Tool::Apk => apk(&info, &line, &signals),
        Tool::Dnf => dnf(&info, &release, &line, &signals),
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
fn check_distro(tool: Tool, release: &OsRelease) -> Result<()> {
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

/// Termination signals caught while mab works, so a half-done transaction is undone first. The number of
/// the last one caught, or 0.
struct Signals(Arc<AtomicUsize>);

impl Signals {
    fn install() -> Result<Signals> {
        let caught = Arc::new(AtomicUsize::new(0));
        for sig in [
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
        ] {
            signal_hook::flag::register_usize(sig, Arc::clone(&caught), sig as usize)
                .context("installing signal handlers")?;
        }
        Ok(Signals(caught))
    }

    fn caught(&self) -> Option<i32> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            sig => Some(sig as i32),
        }
    }

    /// Runs a program with inherited stdio; a signal mab catches meanwhile is passed on to it, and mab
    /// waits for it to finish, so the package manager can release its locks and leave its database whole.
    fn run(&self, program: &str, args: &[String]) -> Result<ExitStatus> {
        let mut child = Command::new(program)
            .args(args)
            .spawn()
            .with_context(|| format!("cannot run {program}"))?;
        let mut forwarded = None;
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            if let Some(sig) = self.caught().filter(|s| forwarded != Some(*s)) {
                // SAFETY: kill(2) with the pid of our own child, which has not been reaped yet.
                unsafe { libc::kill(child.id() as libc::pid_t, sig) };
                forwarded = Some(sig);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// An exclusive lock on a file, released when the file is dropped (also when mab dies).
fn lock(path: &str) -> Result<std::fs::File> {
    use std::os::unix::io::AsRawFd;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("opening the lock file {path}"))?;
    // SAFETY: flock(2) on a descriptor this function owns.
    let try_lock = |flags| unsafe { libc::flock(file.as_raw_fd(), flags) };
    if try_lock(libc::LOCK_EX | libc::LOCK_NB) != 0 {
        eprintln!("mab: waiting for another mab package install to finish ({path})");
        if try_lock(libc::LOCK_EX) != 0 {
            return Err(std::io::Error::last_os_error()).with_context(|| format!("locking {path}"));
        }
    }
    Ok(file)
}

/// stdout of a query that must succeed.
fn query(program: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(program)
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot run {program}"))?;
    if !out.status.success() {
        bail!("`{program} {}` failed ({})", args.join(" "), out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn echo(program: &str, args: &[String]) {
    eprintln!("+ {program} {}", args.join(" "));
}

// ---- apt ----------------------------------------------------------------------------------------

const SOURCES_LIST: &str = "/etc/apt/sources.list";
const SOURCES_DIR: &str = "/etc/apt/sources.list.d";
const LISTS_DIR: &str = "/var/lib/apt/lists";
/// Held for a whole cross transaction, so two `mab apt-get` at once cannot undo each other's
/// architecture (one adds s390x, the other sees it already there, the first fails and removes it). Beside
/// dpkg's own locks: that directory exists wherever dpkg does, unlike /var/lock in a container.
const APT_LOCK: &str = "/var/lib/dpkg/mab.lock";

fn apt(
    program: &'static str,
    info: &Info,
    release: &OsRelease,
    line: &CommandLine,
    signals: &Signals,
) -> Result<ExitCode> {
    if !plan::needs_target_arch(line) {
        let args = words(line);
        return Ok(ExitCode::from(super::exec::code(
            signals.run(program, &args)?,
        )));
    }
    let arch = info
        .target
        .row
        .debian_arch
        .ok_or_else(|| anyhow!("Debian has no architecture for {}", info.target))?;
    let native = query("dpkg", &["--print-architecture"])?;
    let target = AptTarget {
        arch: arch.to_string(),
        cross: native.trim() != arch,
        cross_suffix: info.triple.replace('_', "-"),
        prefer_cross: var("XX_APT_PREFER_CROSS").is_some() || var("MAB_APT_PREFER_CROSS").is_some(),
    };
    if !target.cross {
        let args = apt_plan(&target, line);
        echo(program, &args);
        return Ok(ExitCode::from(super::exec::code(
            signals.run(program, &args)?,
        )));
    }

    let _lock = lock(APT_LOCK)?;
    let mut tx = AptTransaction {
        added: Vec::new(),
        sources: read_sources()?,
        lists: read_lists(),
    };
    let foreign = foreign_arches()?;
    let step = (|| -> Result<Step> {
        let added = plan::arch_to_add(&target, &foreign);
        if let Some(new) = &added {
            let result = step(
                signals,
                "dpkg --add-architecture",
                "dpkg",
                &["--add-architecture".into(), new.clone()],
            );
            // Interrupted or not, what dpkg now has is what to undo.
            if foreign_arches()?.contains(new) {
                tx.added.push(new.clone());
            }
            if let Some(stop) = result? {
                return Ok(stop);
            }
        }
        let distro = release.id.as_deref().unwrap_or_default();
        let fixes = plan::mirror_fixes(distro, &tx.sources, native.trim(), &target.arch);
        for (path, content) in &fixes {
            eprintln!("+ write {path} (the {} mirror for {})", distro, target.arch);
            std::fs::write(path, content).with_context(|| format!("writing {path}"))?;
        }
        if added.is_some()
            || !fixes.is_empty()
            || plan::lists_incomplete(&tx.lists, native.trim(), &target.arch)
        {
            let version = query("apt-get", &["--version"]).ok();
            let mut update = plan::apt_update_args(
                version.as_deref().and_then(plan::parse_apt_version),
                native.trim(),
                &target.arch,
            );
            update.extend(plan::apt_config_options(line));
            if let Some(stop) = step(signals, "apt-get update", "apt-get", &update)? {
                return Ok(stop);
            }
            if !plan::has_lists(&read_lists(), &target.arch) {
                return Ok(Step::Refused(format!(
                    "the configured apt mirrors carry no {} packages: this release may not have {}",
                    target.arch, info.target
                )));
            }
        }
        let args = apt_plan(&target, line);
        Ok(step(signals, program, program, &args)?.unwrap_or(Step::Done))
    })();

    let (what, code) = match step {
        Ok(Step::Done) => return Ok(ExitCode::SUCCESS),
        Ok(Step::Failed(what, status)) => (
            format!("{what} failed ({status})"),
            super::exec::code(status),
        ),
        Ok(Step::Refused(why)) => (why, crate::exit::ERROR),
        Ok(Step::Interrupted) => {
            let sig = signals.caught().unwrap_or(signal_hook::consts::SIGTERM);
            (format!("interrupted by signal {sig}"), (128 + sig) as u8)
        }
        Err(e) => (format!("{e:#}"), crate::exit::ERROR),
    };
    let undone = tx.rollback();
    eprintln!("mab {program}: {what}; {undone}");
    Ok(ExitCode::from(code))
}

fn foreign_arches() -> Result<Vec<String>> {
    Ok(query("dpkg", &["--print-foreign-architectures"])?
        .split_whitespace()
        .map(str::to_string)
        .collect())
}

/// Runs one step of the transaction; `Some` ends it (the step failed, or a signal came).
fn step(
    signals: &Signals,
    what: &'static str,
    program: &str,
    args: &[String],
) -> Result<Option<Step>> {
    if signals.caught().is_some() {
        return Ok(Some(Step::Interrupted));
    }
    echo(program, args);
    let status = signals.run(program, args)?;
    Ok(if signals.caught().is_some() {
        Some(Step::Interrupted)
    } else if status.success() {
        None
    } else {
        Some(Step::Failed(what, status))
    })
}

enum Step {
    Done,
    /// A check of mab's own failed.
    Refused(String),
    Failed(&'static str, ExitStatus),
    Interrupted,
}

/// What a cross apt install changed, to put back when it fails.
struct AptTransaction {
    /// Architectures mab added to dpkg.
    added: Vec<String>,
    /// The sources files before anything ran.
    sources: Sources,
    /// apt's list files before anything ran.
    lists: BTreeSet<String>,
}

impl AptTransaction {
    /// Puts the sources back and removes the added architectures dpkg holds no package of. Returns what it
    /// did, for the user.
    fn rollback(&self) -> String {
        let mut said = Vec::new();
        match read_sources() {
            Ok(now) => {
                let fixes = plan::sources_rollback(&self.sources, &now);
                for fix in &fixes {
                    let result = match fix {
                        SourcesFix::Write(path, content) => std::fs::write(path, content),
                        SourcesFix::Delete(path) => std::fs::remove_file(path),
                    };
                    if let Err(e) = result {
                        said.push(format!("could not restore {fix:?}: {e}"));
                    }
                }
                if !fixes.is_empty() {
                    said.push(format!("restored {} apt sources file(s)", fixes.len()));
                }
            }
            Err(e) => said.push(format!(
                "could not read the apt sources to restore them: {e:#}"
            )),
        }
        if !self.added.is_empty() {
            let in_use = query("dpkg-query", &["-W", "-f", "${Architecture}\\n"])
                .map(|out| plan::architectures_in_use(&out));
            match in_use {
                Ok(in_use) => {
                    let r = plan::arch_rollback(&self.added, &in_use);
                    for arch in &r.remove {
                        let ok = Command::new("dpkg")
                            .args(["--remove-architecture", arch])
                            .status()
                            .is_ok_and(|s| s.success());
                        said.push(if ok {
                            format!("removed the architecture {arch} it had added to dpkg")
                        } else {
                            format!("could not remove the architecture {arch}: run `dpkg --remove-architecture {arch}`")
                        });
                    }
                    for name in plan::lists_to_remove(&self.lists, &read_lists(), &r.remove) {
                        let _ = std::fs::remove_file(Path::new(LISTS_DIR).join(name));
                    }
                    for arch in &r.keep {
                        said.push(format!(
                            "kept the architecture {arch}: dpkg already holds packages of it (see `dpkg -l '*:{arch}'`)"
                        ));
                    }
                }
                Err(e) => said.push(format!(
                    "could not list dpkg's packages ({e:#}), so kept the architectures {}",
                    self.added.join(", ")
                )),
            }
        }
        if said.is_empty() {
            "dpkg's architectures and the apt sources are unchanged".to_string()
        } else {
            said.join("; ")
        }
    }
}

fn read_lists() -> BTreeSet<String> {
    std::fs::read_dir(LISTS_DIR)
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// /etc/apt/sources.list and every file in /etc/apt/sources.list.d, as they are now.
fn read_sources() -> Result<Sources> {
    let mut sources = Sources::new();
    if let Ok(content) = std::fs::read(SOURCES_LIST) {
        sources.insert(SOURCES_LIST.to_string(), content);
    }
    if let Ok(dir) = std::fs::read_dir(SOURCES_DIR) {
        for entry in dir {
            let path = entry?.path();
            if path.is_file() {
                let content =
                    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                sources.insert(path.to_string_lossy().into_owned(), content);
            }
        }
    }
    Ok(sources)
}

fn words(line: &CommandLine) -> Vec<String> {
    line.words
        .iter()
        .map(|w| match w {
            plan::Word::Keep(s) | plan::Word::Package(s) => s.clone(),
        })
        .collect()
}

/// apt's argv for the install. The plan asks which package names apt has (cross packages, the meta
/// packages' alternatives): one `apt-cache policy` answers all of them up front, since each apt-cache run
/// loads the whole cache (seconds here, not milliseconds).
fn apt_plan(target: &AptTarget, line: &CommandLine) -> Vec<String> {
    let questions = plan::apt_questions(target, line);
    let known = if questions.is_empty() {
        BTreeSet::new()
    } else {
        Command::new("apt-cache")
            .arg("policy")
            .args(&questions)
            .stderr(Stdio::null())
            .output()
            .map(|out| plan::policy_candidates(&String::from_utf8_lossy(&out.stdout)))
            .unwrap_or_default()
    };
    plan::apt_args(target, line, &mut |name| known.contains(name))
}

/// A Windows target: Debian's MinGW-w64 packages, installed for the build machine (xx-apt-get's names).
fn mingw(program: &str, info: &Info, line: &CommandLine, signals: &Signals) -> Result<ExitCode> {
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
    Ok(ExitCode::from(super::exec::code(
        signals.run(program, &planned.args)?,
    )))
}

// ---- apk and dnf: a secondary root per target ----------------------------------------------------

/// The target's root, or `None` when the target is the build machine's own architecture. `vendor` is the
/// distro the triple is spelled for (xx always uses Alpine's for apk, whatever XX_VENDOR says).
fn target_root(
    info: &Info,
    arch: fn(&table::PlatformRow) -> Option<&'static str>,
    vendor: &str,
) -> Result<Option<TargetRoot>> {
    let target_arch = arch(info.target.row)
        .ok_or_else(|| anyhow!("the build distro has no architecture for {}", info.target))?;
    if arch(info.build.row) == Some(target_arch) {
        return Ok(None);
    }
    let release = OsRelease {
        id: Some(vendor.to_string()),
        version_id: None,
    };
    let vars = |name: &str| if name == "XX_VENDOR" { None } else { var(name) };
    let flavour = Flavour::new(info.target.os(), &release, &vars);
    let triple = c_triple(info.target, &flavour, &vars);
    Ok(Some(TargetRoot::new(&triple, target_arch)))
}

/// Runs setup steps for a new root; a failure removes what was made, so the next run starts afresh.
fn set_up(root: &TargetRoot, steps: &[SetupStep], signals: &Signals) -> Result<()> {
    if Path::new(&root.done_file()).exists() {
        return Ok(());
    }
    let existed = Path::new(&root.root).exists();
    let result = (|| -> Result<()> {
        for step in steps {
            if signals.caught().is_some() {
                bail!("interrupted");
            }
            match step {
                SetupStep::MakeDir(dir) => {
                    std::fs::create_dir_all(dir).with_context(|| format!("creating {dir}"))?
                }
                SetupStep::Copy { from, to, required } => copy(from, to, *required)?,
                SetupStep::WriteFile(path, content) => {
                    std::fs::write(path, content).with_context(|| format!("writing {path}"))?
                }
                SetupStep::Run(argv) => {
                    echo(&argv[0], &argv[1..]);
                    let status = signals.run(&argv[0], &argv[1..])?;
                    if !status.success() {
                        bail!("`{}` failed ({status})", argv.join(" "));
                    }
                }
            }
        }
        std::fs::write(root.done_file(), "")
            .with_context(|| format!("writing {}", root.done_file()))
    })();
    if let Err(e) = result {
        if !existed {
            let _ = std::fs::remove_dir_all(&root.root);
        }
        return Err(e.context(format!("setting up the target root {}", root.root)));
    }
    Ok(())
}

/// Copies a file, or the files of a directory, into `to` (a directory when `from` is one).
fn copy(from: &str, to: &str, required: bool) -> Result<()> {
    let src = Path::new(from);
    if !src.exists() {
        if required {
            bail!("{from} is missing");
        }
        return Ok(());
    }
    if src.is_dir() {
        for entry in std::fs::read_dir(src)? {
            let path = entry?.path();
            if path.is_file() {
                let dest = Path::new(to).join(path.file_name().unwrap_or_default());
                std::fs::copy(&path, &dest)
                    .with_context(|| format!("copying {}", path.display()))?;
            }
        }
    } else {
        std::fs::copy(src, to).with_context(|| format!("copying {from} to {to}"))?;
    }
    Ok(())
}

/// Removes the target's programs from its root after an install (see `plan::FOREIGN_BIN_DIRS`), unless
/// the user keeps them.
fn drop_foreign_binaries(root: &TargetRoot, keep_var: &str) -> Result<()> {
    if var(keep_var).is_some() || var("MAB_KEEP_TARGET_BINARIES").is_some() {
        return Ok(());
    }
    for dir in plan::FOREIGN_BIN_DIRS {
        let dir = Path::new(&root.root).join(dir);
        // A symlink (usr-merged /bin → usr/bin) is handled through its target.
        if dir.is_symlink() || !dir.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() && !path.is_symlink() {
                std::fs::remove_dir_all(&path)?;
            } else {
                std::fs::remove_file(&path)?;
            }
        }
    }
    Ok(())
}

/// `setup` and `clean`, as xx-apk and xx-dnf have them: prepare or delete the target root.
fn root_action(
    root: Option<&TargetRoot>,
    line: &CommandLine,
    steps: impl Fn(&TargetRoot) -> Vec<SetupStep>,
    signals: &Signals,
) -> Option<Result<ExitCode>> {
    let action = line.action.as_deref()?;
    if !["setup", "clean"].contains(&action) || line.words.len() != 1 {
        return None;
    }
    let Some(root) = root else {
        return Some(Ok(ExitCode::SUCCESS));
    };
    Some(match action {
        "setup" => set_up(root, &steps(root), signals).map(|_| ExitCode::SUCCESS),
        _ => {
            if root.root.len() < 2 {
                return Some(Err(anyhow!(
                    "refusing to delete the target root {:?}",
                    root.root
                )));
            }
            let result = match std::fs::remove_dir_all(&root.root) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
            result
                .with_context(|| format!("removing {}", root.root))
                .map(|_| ExitCode::SUCCESS)
        }
    })
}

fn apk(info: &Info, line: &CommandLine, signals: &Signals) -> Result<ExitCode> {
    let root = target_root(info, |r| r.alpine_arch, "alpine")?;
    if let Some(done) = root_action(root.as_ref(), line, plan::apk_setup, signals) {
        return done;
    }
    // No action (`xx-apk` alone prints its usage): nothing to set up.
    if let (Some(root), Some(_)) = (&root, &line.action) {
        set_up(root, &plan::apk_setup(root), signals)?;
    }
    let args = plan::apk_args(root.as_ref(), line);
    echo("apk", &args);
    let status = signals.run("apk", &args)?;
    if let (true, Some(root)) = (status.success() && plan::installs(line), &root) {
        drop_foreign_binaries(root, "XX_APK_KEEP_BINARIES")?;
    }
    Ok(ExitCode::from(super::exec::code(status)))
}

fn dnf(
    info: &Info,
    release: &OsRelease,
    line: &CommandLine,
    signals: &Signals,
) -> Result<ExitCode> {
    let root = target_root(info, |r| r.rhel_arch, "fedora")?;
    if let Some(done) = root_action(root.as_ref(), line, plan::dnf_setup, signals) {
        return done;
    }
    // No action (`xx-dnf` alone prints its usage): nothing to set up.
    if let (Some(root), Some(_)) = (&root, &line.action) {
        set_up(root, &plan::dnf_setup(root), signals)?;
    }
    let args = plan::dnf_args(root.as_ref(), release.version_id.as_deref(), line);
    echo("dnf", &args);
    let status = signals.run("dnf", &args)?;
    if let (true, Some(root)) = (status.success() && plan::installs(line), &root) {
        drop_foreign_binaries(root, "XX_DNF_KEEP_BINARIES")?;
    }
    Ok(ExitCode::from(super::exec::code(status)))
}
