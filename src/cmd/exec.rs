//! The one place that looks programs up on PATH, carries out a wrapper's [`Plan`] (its links, then the
//! program in mab's place) and turns a finished child's status into mab's exit code.

use super::target::var;
use crate::core::plan::{Command, Dirs, Link, Plan, Probe, Then};
use crate::exit::print_lines;
use anyhow::{bail, Context, Result};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, ExitStatus};
use std::sync::OnceLock;

/// An executable file's identity (device, inode), following links: one stat, where comparing canonical
/// paths costs a readlink per path component.
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let m = std::fs::metadata(path).ok()?;
    (m.is_file() && m.permissions().mode() & 0o111 != 0).then(|| (m.dev(), m.ino()))
}

fn me() -> Option<(u64, u64)> {
    static SELF: OnceLock<Option<(u64, u64)>> = OnceLock::new();
    *SELF.get_or_init(|| identity(Path::new("/proc/self/exe")))
}

/// Whether `path` is this very executable (mab under any name).
pub fn is_mab(path: &Path) -> bool {
    me().is_some() && identity(path) == me()
}

/// This executable, resolved, for the links mab makes to itself.
fn this_exe() -> Option<&'static Path> {
    static EXE: OnceLock<Option<PathBuf>> = OnceLock::new();
    EXE.get_or_init(|| std::env::current_exe().ok()?.canonicalize().ok())
        .as_deref()
}

/// A program on PATH that is not mab: a wrapped `clang` link must not find itself, and a `<triple>-ar`
/// link to mab is not a real `<triple>-ar`.
pub fn program(name: &str) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| identity(p).is_some_and(|id| me() != Some(id)))
        .map(|p| p.to_string_lossy().into_owned())
}

/// A program on PATH, or an error that names the package to install.
pub fn require(name: &str, package: &str) -> Result<String> {
    program(name).with_context(|| format!("{name} not found: apt-get install {package}"))
}

fn exists(path: &str) -> bool {
    Path::new(path).exists()
}

/// Where mab keeps the files it makes: everything in MAB_BIN_DIR when it is set; else the `<triple>-`
/// links beside mab's own executable (as xx keeps them beside itself) and the plain-name links in
/// /usr/local/bin, before the real compilers on PATH.
fn dirs() -> Dirs {
    if let Some(dir) = var("MAB_BIN_DIR") {
        let mut dirs = Dirs::all_in(&dir);
        dirs.bin_on_path = on_path(Path::new(&dir));
        return dirs;
    }
    let bin = this_exe()
        .and_then(Path::parent)
        .map_or_else(|| "/usr/local/bin".to_string(), |d| d.display().to_string());
    Dirs {
        bin_on_path: on_path(Path::new(&bin)),
        bin,
        shadow: "/usr/local/bin".to_string(),
        etc_llvm: "/etc/llvm".to_string(),
        clang_dir_links: true,
    }
}

fn on_path(dir: &Path) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d == dir))
}

/// The directory that holds a program once its links are resolved (/usr/lib/llvm-14/bin for clang).
fn real_dir(program: &str) -> Option<String> {
    let real = Path::new(program).canonicalize().ok()?;
    Some(real.parent()?.display().to_string())
}

/// The machine as the planners see it.
pub fn probe() -> Probe<'static> {
    Probe {
        program: &program,
        exists: &exists,
        dirs: dirs(),
        real_dir: &real_dir,
    }
}

/// Carries out a plan: its links, then what it prints or runs.
pub fn carry_out(plan: Plan) -> Result<ExitCode> {
    make_links(&plan.links)?;
    match plan.then {
        Then::Done => Ok(ExitCode::SUCCESS),
        Then::Print(lines) => {
            print_lines(lines)?;
            Ok(ExitCode::SUCCESS)
        }
        Then::Exec(command) => exec(&command),
    }
}

/// Makes and removes links to mab. A link that cannot be written is an error: the plan named it, so what
/// runs next expects it.
pub fn make_links(links: &[Link]) -> Result<()> {
    for link in links {
        match link {
            Link::Make(path) => {
                link_to_mab(Path::new(path))?;
            }
            Link::Own(path) => {
                if !link_to_mab(Path::new(path))? {
                    bail!("{path} exists and is not mab: not replacing it");
                }
            }
            Link::Remove(path) => {
                if is_mab(Path::new(path)) {
                    std::fs::remove_file(path).with_context(|| format!("cannot remove {path}"))?;
                }
            }
            Link::Symlink { path, to } => {
                if Path::new(path).symlink_metadata().is_err() {
                    in_dir_of(path)?;
                    std::os::unix::fs::symlink(to, path)
                        .with_context(|| format!("cannot create {path}"))?;
                }
            }
            Link::File { path, text } => {
                if Path::new(path).symlink_metadata().is_err() {
                    in_dir_of(path)?;
                    std::fs::write(path, text).with_context(|| format!("cannot write {path}"))?;
                }
            }
            Link::RemoveFile(path) => match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("cannot remove {path}"))
                }
                _ => {}
            },
        }
    }
    Ok(())
}

/// Creates the directory a file goes in.
fn in_dir_of(path: &str) -> Result<()> {
    match Path::new(path).parent() {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
        }
        None => Ok(()),
    }
}

/// Makes `link` a link to mab unless something is there already. Returns whether it is mab's.
fn link_to_mab(link: &Path) -> Result<bool> {
    if link.symlink_metadata().is_ok() {
        return Ok(is_mab(link));
    }
    let exe = this_exe().context("cannot find mab's own executable")?;
    if let Some(dir) = link.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::os::unix::fs::symlink(exe, link)
        .with_context(|| format!("cannot create {}", link.display()))?;
    Ok(true)
}

/// Replaces mab with the command, so its exit code and signals are the program's own. Returns only if it
/// could not start.
pub fn exec(command: &Command) -> Result<ExitCode> {
    let err = std::process::Command::new(&command.program)
        .args(&command.args)
        .envs(command.env.iter().map(|(k, v)| (k, v)))
        .exec();
    Err(err).with_context(|| format!("cannot run {}", command.program))
}

/// Runs the command and waits for it (a step of several, as `mab windres` takes).
pub fn wait(command: &Command) -> Result<ExitStatus> {
    std::process::Command::new(&command.program)
        .args(&command.args)
        .envs(command.env.iter().map(|(k, v)| (k, v)))
        .status()
        .with_context(|| format!("cannot run {}", command.program))
}

/// The exit code for a finished child: its own, or 128 + the signal that ended it, as shells report it.
pub fn code(status: ExitStatus) -> u8 {
    if status.success() {
        return 0;
    }
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .map_or(1, |c| u8::try_from(c).unwrap_or(1))
        .max(1)
}

/// [`code`] as the exit code mab passes on for a tool it waited for.
pub fn pass_through(status: ExitStatus) -> ExitCode {
    ExitCode::from(code(status))
}
