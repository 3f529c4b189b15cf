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
///
/// Any number of calls may do this at once (`make -j` starting eight first `xx-clang` calls), so no step
/// checks and then acts: a path that is already right is success; a link or file of mab's that is wrong (a
/// dangling link, a link to another target, a config file with other text) is replaced by one made beside
/// it under a name of this process's own and renamed over it, which readers see as one change; what
/// someone else put there is kept, as before. No lock is taken, so none is held while the compiler runs.
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
                    remove(path)?;
                }
            }
            Link::Symlink { path, to } => symlink_to(Path::new(path), Path::new(to))?,
            Link::File { path, text } => {
                let right = std::fs::read(path).is_ok_and(|t| t == text.as_bytes());
                if !right {
                    in_dir_of(path)?;
                    replace(Path::new(path), |new| std::fs::write(new, text))
                        .with_context(|| format!("cannot write {path}"))?;
                }
            }
            Link::RemoveFile(path) => remove(path)?,
        }
    }
    Ok(())
}

/// Removes a file; one already gone (another call removed it first) is success.
fn remove(path: &str) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {path}"))
        }
        _ => Ok(()),
    }
}

/// Creates the directory a file goes in (`create_dir_all` is content with one another call made).
fn in_dir_of(path: &str) -> Result<()> {
    match Path::new(path).parent() {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
        }
        None => Ok(()),
    }
}

/// Makes `path` a symbolic link to `to`. A link to `to` is success and a link elsewhere (or dangling) is
/// replaced; a file that is no link is kept.
fn symlink_to(path: &Path, to: &Path) -> Result<()> {
    let cannot = || format!("cannot create {}", path.display());
    loop {
        match std::fs::read_link(path) {
            Ok(old) if old == to => return Ok(()),
            Ok(_) => {
                return replace(path, |new| std::os::unix::fs::symlink(to, new))
                    .with_context(cannot)
            }
            Err(_) if path.symlink_metadata().is_ok() => return Ok(()),
            Err(_) => {}
        }
        in_dir_of(&path.to_string_lossy())?;
        match std::os::unix::fs::symlink(to, path) {
            // Another call made it between the look and the link: look again.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            made => return made.with_context(cannot),
        }
    }
}

/// Makes `link` a link to mab unless something else is there already. Returns whether it is mab's. A
/// dangling link (to a mab since removed) is replaced.
fn link_to_mab(link: &Path) -> Result<bool> {
    let exe = this_exe().context("cannot find mab's own executable")?;
    let cannot = || format!("cannot create {}", link.display());
    loop {
        if link.symlink_metadata().is_ok() {
            if is_mab(link) {
                return Ok(true);
            }
            if link.exists() {
                return Ok(false);
            }
            replace(link, |new| std::os::unix::fs::symlink(exe, new)).with_context(cannot)?;
            return Ok(true);
        }
        in_dir_of(&link.to_string_lossy())?;
        match std::os::unix::fs::symlink(exe, link) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            made => return made.with_context(cannot).map(|()| true),
        }
    }
}

/// Puts what `make` creates at `path` in one step: made beside it under a name no other call uses, then
/// renamed over whatever is there.
pub fn replace(
    path: &Path,
    make: impl FnOnce(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    let new = path.with_file_name(format!(".{name}.{}-{n}.mab-new", std::process::id()));
    let _ = std::fs::remove_file(&new);
    let made = make(&new).and_then(|()| std::fs::rename(&new, path));
    if made.is_err() {
        let _ = std::fs::remove_file(&new);
    }
    made
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

/// Runs the command and returns its stdout, or `None` if it could not run or failed (a question mab asks
/// a tool, such as `go list`, whose answer it can do without).
pub fn ask(command: &Command) -> Option<String> {
    let out = std::process::Command::new(&command.program)
        .args(&command.args)
        .envs(command.env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
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
