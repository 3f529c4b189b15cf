//! What every package manager command shares: catching termination signals and passing them on, the lock
//! beside dpkg's, and queries whose output mab reads (a child's status as an exit code is `cmd::exec`'s).

use anyhow::{bail, Context, Result};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Termination signals caught while mab works, so a half-done transaction is undone first. The number of
/// the last one caught, or 0.
pub struct Signals(Arc<AtomicUsize>);

impl Signals {
    pub fn install() -> Result<Signals> {
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

    pub fn caught(&self) -> Option<i32> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            sig => Some(sig as i32),
        }
    }

    /// Runs a program with inherited stdio; a signal mab catches meanwhile is passed on to it, and mab
    /// waits for it to finish, so the package manager can release its locks and leave its database whole.
    pub fn run(&self, program: &str, args: &[String]) -> Result<ExitStatus> {
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
                // The child's own children too (apt's dpkg, dpkg's maintainer scripts), as a terminal's
                // Ctrl-C reaches them all: apt dies of SIGTERM and would leave its dpkg running, which
                // holds dpkg's lock while mab undoes the install.
                for pid in descendants(child.id()) {
                    // SAFETY: kill(2) on a process that was a descendant of our unreaped child a moment
                    // ago (the child's pid cannot be reused while it is unreaped).
                    unsafe { libc::kill(pid as libc::pid_t, sig) };
                }
                // SAFETY: kill(2) with the pid of our own child, which has not been reaped yet.
                unsafe { libc::kill(child.id() as libc::pid_t, sig) };
                forwarded = Some(sig);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The processes below `root`, from each process's parent in /proc/PID/stat.
fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `PID (COMM) STATE PPID …`: COMM may hold spaces and parentheses.
            let ppid = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    found.split_off(1)
}

/// An exclusive lock on a file, released when the file is dropped (also when mab dies).
pub fn lock(path: &str) -> Result<std::fs::File> {
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
pub fn query(program: &str, args: &[&str]) -> Result<String> {
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

pub fn echo(program: &str, args: &[String]) {
    eprintln!("+ {program} {}", args.join(" "));
}
