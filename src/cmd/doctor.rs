//! `mab doctor [--json]`: the build machine's state for multi-platform work, one line per check, `ok`,
//! `warn` or `fail`, and the fix on the next line when not ok. The decisions are `core::doctor`'s; this
//! module only gathers its `Facts` (what docker, buildx, podman, buildah, qemu, dpkg and apt-mark answer,
//! /proc/sys/fs/binfmt_misc, statvfs of Docker's data root) and prints.
//!
//! Every program gets [`LIMIT`] to answer and is then killed with its process group (docker's plugins
//! too), so a hung daemon cannot hang doctor; a daemon that did not answer `docker version` is asked
//! nothing more. `cmd::exec` has no runner with a time limit, so [`ask`] is one, kept here.
//!
//! Output: text is `STATUS NAME: detail` then `  fix: …`; `--json` is one array of `{name, status,
//! detail, fix}` (fix null when ok).
//!
//! Exit codes: 0 no check failed (warnings do not count), 1 a check failed, 2 a usage error.

use super::exec;
use super::target::var;
use crate::core::doctor::{self, Answer, BinfmtEntry, Disk, Facts, Status, DOCKER_INFO_FORMAT};
use crate::core::gen::default_mab_image;
use crate::core::Platform;
use crate::exit::{print_lines, FALSE};
use anyhow::Result;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long each program may take to answer.
const LIMIT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(10);
/// How long a program that exited at the limit still has for its output to be read.
const GRACE: Duration = Duration::from_millis(100);
const BINFMT_MISC: &str = "/proc/sys/fs/binfmt_misc";

#[derive(clap::Args)]
#[command(
    after_help = "Checks: docker, buildkit, image-store, binfmt, qemu, podman, dpkg-architectures, apt-holds, \
                  disk, mab-image; each program gets 5 s to answer.\n\
                  Exit codes: 0 no check failed (warnings do not count); 1 a check failed (no docker and no \
                  podman, under 2 GiB free); 2 usage error."
)]
pub struct Args {
    /// Print the checks as one JSON array of {name, status, detail, fix}
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let checks = doctor::checks(&gather());
    if args.json {
        print_lines([serde_json::to_string_pretty(&checks)?])?;
    } else {
        print_lines(checks.iter().flat_map(|c| {
            let line = format!("{:<4} {}: {}", c.status, c.name, c.detail);
            std::iter::once(line).chain(c.fix.iter().map(|fix| format!("  fix: {fix}")))
        }))?;
    }
    Ok(if checks.iter().any(|c| c.status == Status::Fail) {
        ExitCode::from(FALSE)
    } else {
        ExitCode::SUCCESS
    })
}

fn gather() -> Facts {
    let docker_program = exec::program("docker");
    let docker = ask("docker", &["version", "--format", "{{.Server.Version}}"]);
    let daemon = matches!(docker, Answer::Ok(_));
    let buildx = if docker_program.is_some() {
        ask("docker", &["buildx", "version"])
    } else {
        Answer::NotAsked
    };
    let docker_info = if daemon {
        ask("docker", &["info", "--format", DOCKER_INFO_FORMAT])
    } else {
        Answer::NotAsked
    };
    let podman = ask("podman", &["--version"]);
    let buildah = ask("buildah", &["--version"]);
    let qemu_program = ["qemu-aarch64-static", "qemu-aarch64"]
        .into_iter()
        .find(|name| exec::program(name).is_some())
        .unwrap_or("qemu-aarch64-static");
    let qemu = ask(qemu_program, &["--version"]);
    let mab_image = default_mab_image();
    let (mab_image_engine, mab_image_local) = if daemon {
        ("docker", image_inspect("docker", mab_image))
    } else if matches!(podman, Answer::Ok(_)) {
        ("podman", image_inspect("podman", mab_image))
    } else {
        ("", Answer::NotAsked)
    };
    let disk = free_space(doctor::docker_root(&docker_info));
    Facts {
        build_platform: Platform::host().map(|p| p.to_string()).unwrap_or_default(),
        limit_secs: LIMIT.as_secs(),
        docker_host: var("DOCKER_HOST"),
        docker_program,
        docker,
        buildx,
        docker_info,
        binfmt: binfmt_entries(),
        qemu_program: qemu_program.to_string(),
        qemu,
        podman,
        buildah,
        foreign_architectures: ask("dpkg", &["--print-foreign-architectures"]),
        holds: ask("apt-mark", &["showhold"]),
        disk,
        mab_image: mab_image.to_string(),
        mab_image_engine,
        mab_image_local,
    }
}

fn image_inspect(engine: &str, image: &str) -> Answer {
    ask(engine, &["image", "inspect", "--format", "{{.Id}}", image])
}

/// Runs a program found on PATH (never mab itself) with no input, giving it [`LIMIT`]: its stdout if it
/// exits 0, the first line of its stderr (or its status) if not. On the limit the program and its process
/// group are killed. Its pipes are read by threads, so a full pipe cannot stall it, and what they hold is
/// taken until the limit, so a grandchild that keeps them open cannot stall doctor either.
fn ask(name: &str, args: &[&str]) -> Answer {
    let Some(program) = exec::program(name) else {
        return Answer::Missing;
    };
    let spawned = Command::new(&program)
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => return Answer::Failed(format!("cannot run {program}: {e}")),
    };
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
            _ => {
                // SAFETY: kill(2) on the process group of our own child, which has not been reaped, so its
                // pid (the group's id, from process_group(0)) cannot have been reused.
                unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
                let _ = child.wait();
                return Answer::TimedOut;
            }
        }
    };
    // Output the program left in its pipes; a grandchild holding them open gets until the deadline.
    let until = deadline.max(Instant::now() + GRACE);
    let out = collect(&stdout, until);
    let err = collect(&stderr, until);
    if status.success() {
        Answer::Ok(out)
    } else {
        let why = err.lines().map(str::trim).find(|l| !l.is_empty());
        Answer::Failed(why.map_or_else(|| status.to_string(), str::to_string))
    }
}

/// Reads a pipe to its end on a thread of its own, sending what it reads as it comes.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<Vec<u8>> {
    let (send, receive) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        if send.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        });
    }
    receive
}

/// What a pipe's thread sent until the pipe closed or `until`, whichever comes first.
fn collect(chunks: &mpsc::Receiver<Vec<u8>>, until: Instant) -> String {
    let mut bytes = Vec::new();
    while let Ok(chunk) = chunks.recv_timeout(until.saturating_duration_since(Instant::now())) {
        bytes.extend(chunk);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The entries of /proc/sys/fs/binfmt_misc, or `None` when it is not mounted (no `status` file).
fn binfmt_entries() -> Option<Vec<BinfmtEntry>> {
    let dir = Path::new(BINFMT_MISC);
    if !dir.join("status").exists() {
        return None;
    }
    let mut entries: Vec<BinfmtEntry> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if name == "status" || name == "register" {
                return None;
            }
            let text = std::fs::read_to_string(e.path()).ok()?;
            Some(BinfmtEntry { name, text })
        })
        .collect();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Some(entries)
}

/// Free space on the first of Docker's data root (as the daemon says), /var/lib/docker and / that this
/// machine has (a remote or rootless daemon's root may not be here).
fn free_space(docker_root: Option<String>) -> Option<Disk> {
    docker_root
        .into_iter()
        .chain(["/var/lib/docker".to_string(), "/".to_string()])
        .find_map(|path| {
            let free = available(&path)?;
            Some(Disk { path, free })
        })
}

/// Bytes an unprivileged writer can still use on the filesystem holding `path`, by statvfs(3). (The casts
/// widen on 32-bit targets, where the fields can be 32 bits.)
fn available(path: &str) -> Option<u64> {
    let path = std::ffi::CString::new(path).ok()?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: statvfs(3) with a NUL-terminated path and a buffer of its own type; the buffer is read only
    // when the call succeeded and so filled it.
    let stat = unsafe {
        if libc::statvfs(path.as_ptr(), stat.as_mut_ptr()) != 0 {
            return None;
        }
        stat.assume_init()
    };
    Some((stat.f_bavail as u64).saturating_mul(stat.f_frsize as u64))
}
