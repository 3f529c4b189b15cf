//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Variables a developer's shell or a Docker stage may have set that would change mab's answers, besides
/// `mab info`'s own inputs (`mab::core::info::input_vars`).
const OTHER_INPUT_VARS: &[&str] = &[
    "MAB_OS_RELEASE",
    "MAB_CC",
    "MAB_LINKER",
    "XX_CC_PREFER_LINKER",
    "MAB_SYSROOT",
    "MAB_BIN_DIR",
    "MAB_CC_GUARD",
];

pub fn mab_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mab"))
}

/// `mab` with a clean environment for its inputs.
pub fn mab() -> Command {
    clean(Command::new(mab_path()))
}

pub fn clean(mut cmd: Command) -> Command {
    for var in mab::core::info::input_vars().chain(OTHER_INPUT_VARS.iter().copied()) {
        cmd.env_remove(var);
    }
    // Links mab makes (`--setup-target-triple`, `mab go`'s and `mab cargo`'s compilers) go to a directory
    // of this run, not the machine's /usr/local/bin; and those an earlier run left there are not seen.
    cmd.env("MAB_BIN_DIR", bin_dir());
    cmd.env("PATH", test_path());
    cmd
}

/// The PATH tests run programs with: the caller's, except that a directory holding links to a mab (what
/// `mab go`, `mab cargo` or `--setup-target-triple` leave in /usr/local/bin when run without MAB_BIN_DIR,
/// pointing at whatever mab that was) is replaced by a copy made of links to its other entries. Without
/// this, mab finds such a `<triple>-pkg-config` and takes it for the machine's own.
pub fn test_path() -> &'static OsStr {
    static PATH: OnceLock<OsString> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let dirs: Vec<PathBuf> = std::env::split_paths(&path)
            .enumerate()
            .map(|(i, dir)| without_mab_links(&dir, i))
            .collect();
        std::env::join_paths(dirs).expect("PATH entries stay joinable")
    })
}

/// A link whose target (or, dangling, whose named target) is a program called `mab`.
fn is_mab_link(path: &Path) -> bool {
    path.is_symlink()
        && path
            .canonicalize()
            .or_else(|_| std::fs::read_link(path))
            .is_ok_and(|t| t.file_name() == Some(OsStr::new("mab")))
}

fn without_mab_links(dir: &Path, index: usize) -> PathBuf {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return dir.to_path_buf();
    };
    let entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    let stale: Vec<&PathBuf> = entries.iter().filter(|p| is_mab_link(p)).collect();
    if stale.is_empty() {
        return dir.to_path_buf();
    }
    eprintln!(
        "tests: {} holds {} link(s) to a mab left by an earlier run ({}, …): the tests' PATH has a copy of \
         it without them",
        dir.display(),
        stale.len(),
        stale[0].display()
    );
    let copy = temp_path(&format!("path-{index}"));
    std::fs::create_dir_all(&copy).unwrap();
    for entry in entries.iter().filter(|p| !is_mab_link(p)) {
        let link = copy.join(entry.file_name().unwrap());
        if !link.is_symlink() {
            std::os::unix::fs::symlink(entry, &link).unwrap();
        }
    }
    copy
}

/// `name` in this test run's own directory, `$TMPDIR/mab-tests-<pid>`, where everything the tests write
/// goes. Making that directory removes the ones of earlier runs whose process is gone: the go, verify and
/// Windows tests leave hundreds of MB, and nothing else would ever delete them.
pub fn temp_path(name: &str) -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = std::env::temp_dir();
        for entry in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let gone = name
                .strip_prefix("mab-tests-")
                .filter(|pid| pid.parse::<u32>().is_ok())
                .is_some_and(|pid| !Path::new("/proc").join(pid).exists());
            if gone {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = tmp.join(format!("mab-tests-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
    .join(name)
}

/// A per-run directory for the links mab creates.
pub fn bin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = temp_path("bin");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

/// mab under another program name, through a real symlink as users install it.
pub fn applet(name: &str) -> Command {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = temp_path("applets");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    });
    let link = dir.join(name);
    if !link.exists() {
        std::os::unix::fs::symlink(mab_path(), &link).unwrap();
    }
    clean(Command::new(link))
}

/// Runs and returns (exit code, stdout, stderr) with stdout trimmed of its final newline.
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("mab runs");
    let mut out = String::from_utf8(stdout).expect("utf-8 stdout");
    if out.ends_with('\n') {
        out.pop();
    }
    (
        status.code().unwrap_or(-1),
        out,
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Stdout of a command that must succeed.
pub fn stdout(cmd: &mut Command) -> String {
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{cmd:?} failed: {err}");
    out
}

/// An os-release file for a distro, so tests can play Alpine or Fedora on a Debian machine.
pub fn os_release(id: &str) -> PathBuf {
    let path = temp_path(&format!("os-release-{id}"));
    // Tests run in parallel and share the path: write aside and rename, so a reader never sees the
    // file truncated by another test's write.
    let aside =
        path.with_extension(format!("{:?}", std::thread::current().id()).replace(['(', ')'], ""));
    std::fs::write(&aside, format!("ID={id}\nVERSION_ID=1.0\n")).unwrap();
    std::fs::rename(&aside, &path).unwrap();
    path
}

/// A tool the suite needs. Missing is a failure that says what to install, unless the developer opted out
/// with MAB_TEST_ALLOW_MISSING=1 (never set in CI), in which case the skip is printed loudly.
pub fn require_tool(name: &str, candidates: &[&str]) -> Option<PathBuf> {
    for c in candidates.iter().copied().chain([name]) {
        let p = Path::new(c);
        if p.is_absolute() && p.is_file() {
            return Some(p.to_path_buf());
        }
        if let Ok(found) = which(c) {
            return Some(found);
        }
    }
    let hint = format!(
        "`{name}` not found: run scripts/install-test-deps.sh (as root on Debian 12) to install it"
    );
    if std::env::var("MAB_TEST_ALLOW_MISSING").as_deref() == Ok("1") {
        eprintln!("SKIPPED (MAB_TEST_ALLOW_MISSING=1): {hint}");
        None
    } else {
        panic!("{hint}; or set MAB_TEST_ALLOW_MISSING=1 to skip such tests on a laptop");
    }
}

fn which(name: &str) -> Result<PathBuf, ()> {
    std::env::split_paths(test_path())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}

/// Held by tests that change the system's packages (tests/cli/apt.rs installs arm64 libraries with
/// multiarch, which changes the libraries qemu-run target binaries find through ld.so.cache): exclusive
/// for those tests, shared for every qemu run. A file lock, so it also orders separate test processes.
pub fn lock_system() -> SystemLock {
    SystemLock::take(libc::LOCK_EX)
}

thread_local! {
    /// Whether this thread holds the system lock already (an apt test that runs its own program under
    /// qemu must not wait for itself).
    static HOLDS_SYSTEM_LOCK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub struct SystemLock {
    _file: Option<std::fs::File>,
}

impl SystemLock {
    fn take(mode: libc::c_int) -> SystemLock {
        if HOLDS_SYSTEM_LOCK.get() {
            return SystemLock { _file: None };
        }
        let file = flock(&std::env::temp_dir().join("mab-tests-system.lock"), mode);
        HOLDS_SYSTEM_LOCK.set(true);
        SystemLock { _file: Some(file) }
    }
}

/// A flock(2) of `mode` (LOCK_EX, LOCK_SH) on `path`, created if missing, held until the file is dropped.
pub fn flock(path: &Path, mode: libc::c_int) -> std::fs::File {
    use std::os::unix::io::AsRawFd;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .unwrap_or_else(|e| panic!("lock file {}: {e}", path.display()));
    // SAFETY: flock(2) on a descriptor we own; released when the file is dropped.
    let rc = unsafe { libc::flock(file.as_raw_fd(), mode) };
    assert_eq!(
        rc,
        0,
        "flock {}: {}",
        path.display(),
        std::io::Error::last_os_error()
    );
    file
}

impl Drop for SystemLock {
    fn drop(&mut self) {
        if self._file.is_some() {
            HOLDS_SYSTEM_LOCK.set(false);
        }
    }
}

/// Debian's cross root of its C `triple`, qemu's -L for a program dynamically linked against glibc.
pub fn cross_root(triple: &str) -> PathBuf {
    PathBuf::from(format!("/usr/{triple}"))
}

/// Runs `bin` under `qemu-<qemu>-static` (with `-cpu cpu`, and `-L root` for dynamic glibc binaries) and
/// returns its stdout; `None` only where a missing qemu was allowed to skip.
pub fn run_under_qemu(
    qemu: &str,
    cpu: Option<&str>,
    root: Option<&Path>,
    bin: &Path,
) -> Option<String> {
    let mut runner = vec![require_tool(&format!("qemu-{qemu}-static"), &[])?.into_os_string()];
    if let Some(cpu) = cpu {
        runner.extend(["-cpu".into(), cpu.into()]);
    }
    if let Some(root) = root {
        // The root's /lib first, as mab's own runner has it (core::toolenv::qemu_runner): else the cross
        // root's loader takes the multiarch libc6:arm64 that ld.so.cache names, and a cgo program hangs.
        runner.extend([
            "-L".into(),
            root.into(),
            "-E".into(),
            "LD_LIBRARY_PATH=/lib".into(),
        ]);
    }
    Some(run_with(&runner, bin))
}

/// Runs `bin` with `runner` (qemu-user and its options) and returns its stdout, which must succeed.
/// qemu-user 7.2 now and then hangs a multithreaded guest (seen here with Go and with rustc): each run is
/// bounded, killed and retried, and only repeated hangs fail. Go's async preemption signals, which make the
/// hang likelier, are turned off in the guest.
pub fn run_with<S: AsRef<OsStr>>(runner: &[S], bin: &Path) -> String {
    let _shared = SystemLock::take(libc::LOCK_SH);
    let shown = format!(
        "{} {}",
        runner
            .iter()
            .map(|a| a.as_ref().to_string_lossy())
            .collect::<Vec<_>>()
            .join(" "),
        bin.display()
    );
    for _ in 0..3 {
        let mut child = Command::new(&runner[0])
            .args(&runner[1..])
            .arg(bin)
            .env("GODEBUG", "asyncpreemptoff=1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{shown}: {e}"));
        let deadline = Instant::now() + Duration::from_secs(60);
        while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        if child.try_wait().unwrap().is_none() {
            eprintln!("{shown} hung: killed, retrying");
            child.kill().unwrap();
            child.wait().unwrap();
            continue;
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{shown} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return String::from_utf8_lossy(&out.stdout).trim_end().to_string();
    }
    panic!("{shown} hung three times");
}

/// Runs every command at the same moment (as `make -j` starts its jobs, only closer together): each
/// waits in a shell opening a FIFO until all have started, and the opening of its other end lets them all
/// go at once. Returns one line per command that failed, with its exit code and stderr.
pub fn all_at_once(cmds: Vec<Command>) -> Vec<String> {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let fifo = temp_path(&format!("start-{n}.fifo"));
    let _ = std::fs::remove_file(&fifo);
    let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mkfifo(3) on a NUL-terminated path we own.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo");
    let children: Vec<_> = cmds
        .iter()
        .map(|cmd| {
            let mut held = Command::new("sh");
            held.arg("-c")
                .arg(r#": <"$0"; exec "$@""#)
                .arg(&fifo)
                .arg(cmd.get_program())
                .args(cmd.get_args());
            for (k, v) in cmd.get_envs() {
                match v {
                    Some(v) => held.env(k, v),
                    None => held.env_remove(k),
                };
            }
            if let Some(dir) = cmd.get_current_dir() {
                held.current_dir(dir);
            }
            let child = held
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
            (format!("{cmd:?}"), child)
        })
        .collect();
    // Time for every shell to reach the FIFO; one that comes later finds it open and goes on at once.
    std::thread::sleep(Duration::from_millis(500));
    let go = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    let failed = children
        .into_iter()
        .filter_map(|(shown, child)| {
            let out = child.wait_with_output().unwrap();
            (!out.status.success()).then(|| {
                format!(
                    "{shown}: {:?}: {}",
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr).trim_end()
                )
            })
        })
        .collect();
    drop(go);
    failed
}
