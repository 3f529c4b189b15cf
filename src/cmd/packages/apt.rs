//! The apt transaction of a cross install: add the target architecture, fix the mirrors, update, simulate,
//! secure the old versions, install; and when any of it fails or a signal comes, put dpkg's packages,
//! architectures and the apt sources back.

use super::process::{echo, lock, query, Signals};
use super::target::var;
use super::undo::Undo;
use crate::cmd::exec::{code, pass_through};
use crate::core::os_release::OsRelease;
use crate::core::packages::{self as plan, AptTarget, CommandLine, Sources, SourcesFix};
use crate::core::Info;
use anyhow::{anyhow, Context, Result};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, ExitCode, ExitStatus, Stdio};

const SOURCES_LIST: &str = "/etc/apt/sources.list";
const SOURCES_DIR: &str = "/etc/apt/sources.list.d";
const LISTS_DIR: &str = "/var/lib/apt/lists";
/// Held for a whole cross transaction, so two `mab apt-get` at once cannot undo each other's
/// architecture (one adds s390x, the other sees it already there, the first fails and removes it). Beside
/// dpkg's own locks: that directory exists wherever dpkg does, unlike /var/lock in a container.
const APT_LOCK: &str = "/var/lib/dpkg/mab.lock";

pub fn run(
    program: &'static str,
    info: &Info,
    release: &OsRelease,
    line: &CommandLine,
    signals: &Signals,
) -> Result<ExitCode> {
    if !plan::needs_target_arch(line) {
        let args = words(line);
        return Ok(pass_through(signals.run(program, &args)?));
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
        return Ok(pass_through(signals.run(program, &args)?));
    }

    let _lock = lock(APT_LOCK)?;
    let mut tx = AptTransaction {
        undo: None,
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
        if plan::changes_packages(line) {
            let options = plan::apt_config_options(line);
            tx.undo = Some(Undo::prepare(&args, native.trim(), &target.arch, &options)?);
            if signals.caught().is_some() {
                return Ok(Step::Interrupted);
            }
        }
        Ok(step(signals, program, program, &args)?.unwrap_or(Step::Done))
    })();

    let (what, code) = match step {
        Ok(Step::Done) => {
            if let Some(undo) = tx.undo {
                undo.discard();
            }
            return Ok(ExitCode::SUCCESS);
        }
        Ok(Step::Failed(what, status)) => (format!("{what} failed ({status})"), code(status)),
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
    /// dpkg's packages before the install and the old versions' archives, once the install is planned.
    undo: Option<Undo>,
    /// Architectures mab added to dpkg.
    added: Vec<String>,
    /// The sources files before anything ran.
    sources: Sources,
    /// apt's list files before anything ran.
    lists: BTreeSet<String>,
}

impl AptTransaction {
    /// Puts dpkg's packages and the sources back and removes the added architectures dpkg holds no package
    /// of. Returns what it did, for the user.
    fn rollback(&self) -> String {
        let mut said = Vec::new();
        // Packages first: dpkg removes no architecture it still holds packages of.
        if let Some(undo) = &self.undo {
            said.extend(undo.restore());
        }
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
            "dpkg's packages and architectures and the apt sources are unchanged".to_string()
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
