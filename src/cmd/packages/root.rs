//! `mab apk` and `mab dnf`: a secondary root per target under /<triple>.

use super::process::{echo, Signals};
use super::target::var;
use crate::cmd::exec::pass_through;
use crate::core::info::{c_triple, Flavour};
use crate::core::os_release::OsRelease;
use crate::core::packages::{self as plan, CommandLine, SetupStep, TargetRoot};
use crate::core::table;
use crate::core::Info;
use anyhow::{anyhow, bail, Context, Result};
use std::path::Path;
use std::process::ExitCode;

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
        ..OsRelease::default()
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

pub fn apk(info: &Info, line: &CommandLine, signals: &Signals) -> Result<ExitCode> {
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
    Ok(pass_through(status))
}

pub fn dnf(
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
    Ok(pass_through(status))
}
