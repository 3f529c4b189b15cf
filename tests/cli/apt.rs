//! `mab apt-get` / `xx-apt` with the REAL apt of this Debian machine (as root), and the refusals of
//! `mab apt-get`, `mab apk` and `mab dnf`. apk and dnf cannot run here (no Alpine or Fedora): their planned
//! commands are unit-tested in src/core/packages.rs; here only their clear errors are checked.
//!
//! Everything that changes the system is in ONE test function, which puts back what it changed (a guard
//! whose Drop runs on failure too): the foreign architectures, the apt sources, and the packages it
//! installed.

use crate::common::*;
use std::collections::BTreeSet;
use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn sh(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().expect("runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn foreign_arches() -> Vec<String> {
    sh("dpkg", &["--print-foreign-architectures"])
        .split_whitespace()
        .map(String::from)
        .collect()
}

fn dpkg_l() -> String {
    sh("dpkg", &["-l"])
}

/// Installed packages as `name:arch`.
fn installed() -> BTreeSet<String> {
    sh(
        "dpkg-query",
        &[
            "-W",
            "-f",
            "${db:Status-Abbrev} ${Package}:${Architecture}\\n",
        ],
    )
    .lines()
    .filter(|l| l.starts_with("ii"))
    .filter_map(|l| l.split_whitespace().nth(1).map(String::from))
    .collect()
}

fn is_installed(package: &str) -> bool {
    sh("dpkg", &["-s", package]).contains("Status: install ok installed")
}

fn sources() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir("/etc/apt/sources.list.d")
        .unwrap()
        .map(|e| e.unwrap().path())
        .chain([Path::new("/etc/apt/sources.list").to_path_buf()])
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// The system's package state as it was when the test started, put back on drop.
struct Restore {
    arches: Vec<String>,
    sources: Vec<(String, Vec<u8>)>,
    installed: BTreeSet<String>,
}

impl Drop for Restore {
    fn drop(&mut self) {
        // Test sources first, so apt works for the purge.
        let before: BTreeSet<&String> = self.sources.iter().map(|(p, _)| p).collect();
        for (path, _) in sources() {
            if !before.contains(&path) {
                let _ = std::fs::remove_file(&path);
            }
        }
        for (path, content) in &self.sources {
            let _ = std::fs::write(path, content);
        }
        // dpkg, not apt: apt would also remove what depends on them (the -cross toolchains on this
        // machine); foreign copies of protected libraries (libc6, libgcc-s1) may go.
        let native = sh("dpkg", &["--print-architecture"]);
        let new: Vec<String> = installed()
            .difference(&self.installed)
            .filter(|p| !p.ends_with(&format!(":{}", native.trim())) && !p.ends_with(":all"))
            .cloned()
            .collect();
        if !new.is_empty() {
            let _ = Command::new("dpkg")
                .args(["--purge", "--force-remove-protected"])
                .args(&new)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        for arch in foreign_arches() {
            if !self.arches.contains(&arch) {
                let _ = Command::new("dpkg")
                    .args(["--remove-architecture", &arch])
                    .status();
            }
        }
    }
}

/// The ELF machine of a file (183 = AArch64).
fn elf_machine(path: &str) -> u16 {
    let mut head = [0u8; 20];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(&head[..4], b"\x7fELF", "{path} is not ELF");
    u16::from_le_bytes([head[18], head[19]])
}

/// Runs `mab apt-get` for a target and checks it failed and left dpkg and apt as they were.
fn check_undone(arch: &str, platform: &str, args: &[&str], says: &[&str]) -> String {
    let (arches, sources_before, dpkg_before) = (foreign_arches(), sources(), dpkg_l());
    assert!(
        !arches.contains(&arch.to_string()),
        "{arch} must not be a foreign architecture before this test; run `dpkg --remove-architecture {arch}`"
    );
    let (code, _, err) = run(mab()
        .env("TARGETPLATFORM", platform)
        .arg("apt-get")
        .args(args));
    assert_ne!(code, 0, "{args:?} for {platform} should fail: {err}");
    for s in says.iter().chain(&["removed the architecture"]) {
        assert!(err.contains(s), "stderr should say {s:?}:\n{err}");
    }
    assert_eq!(foreign_arches(), arches, "foreign architectures changed");
    assert!(sources() == sources_before, "apt sources changed");
    assert!(dpkg_l() == dpkg_before, "dpkg -l changed");
    err
}

/// An exclusive flock on a file, held until dropped.
fn lock_file(path: &str) -> std::fs::File {
    use std::os::unix::io::AsRawFd;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .unwrap();
    // SAFETY: flock(2) on a descriptor we own.
    assert_eq!(unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) }, 0);
    file
}

/// A sources entry for a loopback mirror, removed by the guard.
fn add_source(name: &str, url: &str) -> String {
    let path = format!("/etc/apt/sources.list.d/{name}.list");
    std::fs::write(&path, format!("deb [trusted=yes] {url} bookworm main\n")).unwrap();
    path
}

#[test]
fn apt_installs_target_packages_and_undoes_failures() {
    for tool in ["apt-get", "dpkg", "dpkg-query"] {
        if require_tool(tool, &[]).is_none() {
            return;
        }
    }
    assert_eq!(
        sh("id", &["-u"]).trim(),
        "0",
        "this test installs Debian packages with the real apt: run the suite as root (as CI does)"
    );
    let _lock = lock_system();
    let t0 = Instant::now();
    let phase = |name: &str| eprintln!("apt test: {name} at {:.1?}", t0.elapsed());
    let guard = Restore {
        arches: foreign_arches(),
        sources: sources(),
        installed: installed(),
    };
    let dpkg_l_before = dpkg_l();
    let amd64_before: BTreeSet<String> = guard
        .installed
        .iter()
        .filter(|p| p.ends_with(":amd64"))
        .cloned()
        .collect();

    // A real cross install: zlib1g-dev may already be there (scripts/install-test-deps.sh), libzstd-dev
    // must be installed fresh, for arm64, not for the host.
    assert!(
        !is_installed("libzstd-dev:arm64"),
        "libzstd-dev:arm64 must not be installed before this test"
    );
    let (code, _, err) = run(mab().env("TARGETPLATFORM", "linux/arm64").args([
        "apt-get",
        "install",
        "-y",
        "--no-install-recommends",
        "zlib1g-dev",
        "libzstd-dev",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("zlib1g-dev:arm64 libzstd-dev:arm64"),
        "apt gets the :arm64 names:\n{err}"
    );
    assert!(is_installed("zlib1g-dev:arm64") && is_installed("libzstd-dev:arm64"));
    assert_eq!(
        elf_machine("/usr/lib/aarch64-linux-gnu/libzstd.so"),
        183,
        "libzstd.so is AArch64"
    );
    assert!(is_installed("zlib1g-dev:amd64") == guard.installed.contains("zlib1g-dev:amd64"));
    let amd64_after: BTreeSet<String> = installed()
        .into_iter()
        .filter(|p| p.ends_with(":amd64"))
        .collect();
    let removed: Vec<_> = amd64_before.difference(&amd64_after).collect();
    assert!(
        removed.is_empty(),
        "amd64 packages were removed: {removed:?}"
    );
    assert!(
        foreign_arches().contains(&"arm64".to_string()),
        "arm64 stays added after a good install"
    );

    phase("cross install done");

    // The installed target libraries build and run: a static arm64 program with zlib and zstd from
    // the multiarch paths, run under qemu.
    if let (Some(cc), Some(_)) = (
        require_tool("aarch64-linux-gnu-gcc", &[]),
        require_tool("qemu-aarch64-static", &[]),
    ) {
        let dir = std::env::temp_dir().join(format!("mab-apt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("z.c");
        std::fs::write(
            &src,
            "#include <stdio.h>\n#include <zlib.h>\n#include <zstd.h>\n\
             int main(void) { printf(\"zlib %s zstd %u\\n\", zlibVersion(), ZSTD_versionNumber()); return 0; }\n",
        )
        .unwrap();
        let exe = dir.join("z");
        let (code, _, err) = run(Command::new(cc)
            .arg("-static")
            .arg(&src)
            .arg("-o")
            .arg(&exe)
            .args(["-lz", "-lzstd"]));
        assert_eq!(code, 0, "cross compile against the arm64 packages: {err}");
        assert_eq!(elf_machine(exe.to_str().unwrap()), 183);
        let out =
            run_under_qemu("aarch64", None, None, &exe).expect("qemu-aarch64-static is installed");
        assert!(
            out.starts_with("zlib 1.") && out.contains("zstd 1"),
            "{out}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    // xx's name through a real symlink: `apt show` of the target's package.
    let out = stdout(
        applet("xx-apt")
            .env("TARGETARCH", "arm64")
            .args(["show", "libzstd-dev"]),
    );
    assert!(out.contains("Package: libzstd-dev:arm64"), "{out}");

    // A package that does not exist: the new architecture is removed again.
    check_undone(
        "s390x",
        "linux/s390x",
        &["install", "-y", "mab-test-no-such-package"],
        &[
            "Unable to locate package mab-test-no-such-package:s390x",
            "apt-get failed",
        ],
    );

    phase("missing package undone");

    // An architecture the release does not have (Debian 12 has no riscv64): refused, and undone.
    check_undone(
        "riscv64",
        "linux/riscv64",
        &["install", "-y", "zlib1g-dev"],
        &["the configured apt mirrors carry no riscv64 packages"],
    );

    // The meta-package through xx's other name, simulated (-s): the release's GCC libraries for arm64.
    let (code, _, err) = run(applet("xx-apt-get")
        .env("TARGETPLATFORM", "linux/arm64")
        .args(["install", "-s", "xx-c-essentials"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("+ apt-get install -s libc6-dev:arm64 libgcc-12-dev:arm64"),
        "bookworm has GCC 12:\n{err}"
    );
    // The build machine's own architecture: apt as written.
    let (code, _, err) = run(mab().env("TARGETPLATFORM", "linux/amd64").args([
        "apt-get",
        "install",
        "-s",
        "zlib1g-dev",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("+ apt-get install -s zlib1g-dev\n"), "{err}");
    // An unreachable mirror (a closed port on loopback): apt-get update fails, and is undone.
    add_source("mab-test-unreachable", "http://127.0.0.1:9/");
    check_undone(
        "ppc64el",
        "linux/ppc64le",
        &["-o", "Acquire::Retries=0", "install", "-y", "zlib1g-dev"],
        &["127.0.0.1:9", "apt-get update failed"],
    );
    std::fs::remove_file("/etc/apt/sources.list.d/mab-test-unreachable.list").unwrap();

    phase("unreachable mirror undone");
    // Interrupted while apt-get update waits on a loopback mirror that never answers: SIGTERM reaches
    // mab, which passes it to apt, then undoes the new architecture.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().take(8) {
            held.push(conn);
            let _ = tx.send(());
        }
        std::thread::sleep(Duration::from_secs(60));
    });
    add_source("mab-test-silent", &format!("http://127.0.0.1:{port}/"));
    let (arches, sources_before, dpkg_before) = (foreign_arches(), sources(), dpkg_l());
    let child = mab()
        .env("TARGETPLATFORM", "linux/ppc64le")
        .args(["apt-get", "install", "-y", "zlib1g-dev"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    rx.recv_timeout(Duration::from_secs(60))
        .expect("apt-get update connects to the silent mirror");
    let start = Instant::now();
    assert!(
        foreign_arches().contains(&"ppc64el".to_string()),
        "mab added ppc64el before updating"
    );
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "128 + SIGTERM:\n{err}");
    assert!(
        err.contains("interrupted by signal 15")
            && err.contains("removed the architecture ppc64el"),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "apt stopped promptly"
    );
    assert_eq!(foreign_arches(), arches);
    assert!(sources() == sources_before && dpkg_l() == dpkg_before);
    std::fs::remove_file("/etc/apt/sources.list.d/mab-test-silent.list").unwrap();

    phase("interrupt undone");

    // Another mab install holds the lock: this one waits, and a SIGTERM meanwhile ends it before it
    // changed anything.
    let held = lock_file("/var/lib/dpkg/mab.lock");
    let (arches, dpkg_before) = (foreign_arches(), dpkg_l());
    let mut child = mab()
        .env("TARGETPLATFORM", "linux/s390x")
        .args(["apt-get", "install", "-y", "zlib1g-dev"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stderr.as_mut().unwrap()),
        &mut first,
    )
    .unwrap();
    assert!(
        first.contains("waiting for another mab package install"),
        "{first}"
    );
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    drop(held);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(143),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(foreign_arches(), arches);
    assert!(dpkg_l() == dpkg_before);
    phase("lock waited for");
    drop(guard);
    phase("guard restored");
    assert!(
        dpkg_l() == dpkg_l_before,
        "the guard puts dpkg's packages back"
    );
    assert!(
        !is_installed("libzstd-dev:arm64"),
        "the guard removes what the test installed"
    );
}

#[test]
fn bad_package_names_are_refused_before_anything_runs() {
    for name in ["Bad", "foo;id", "$(id)", "a b", "x"] {
        let (code, _, err) = run(mab()
            .env("TARGETPLATFORM", "linux/s390x")
            .args(["apt-get", "install", "-y", name]));
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains("is not a package name"), "{err}");
    }
}

#[test]
fn wrong_distro_or_missing_package_manager_is_one_clear_line() {
    let alpine = os_release("alpine");
    let fedora = os_release("fedora");
    let arch = os_release("arch");
    let empty = std::env::temp_dir().join(format!("mab-empty-path-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let cases: &[(&[&str], &Path, &str)] = &[
        (
            &["apt-get", "install", "x1"],
            &alpine,
            "ID=alpine: use `mab apk`",
        ),
        (
            &["apk", "add", "musl-dev"],
            Path::new("/etc/os-release"),
            "use `mab apt-get`",
        ),
        (
            &["dnf", "install", "gcc"],
            &arch,
            "Debian, Ubuntu, Alpine and RHEL/Fedora only",
        ),
        // The right distro, but no package manager (PATH without it): apk and dnf cannot run here.
        (&["apk", "add", "musl-dev"], &alpine, "apk not found"),
        (&["dnf", "install", "glibc-devel"], &fedora, "dnf not found"),
    ];
    for (args, release, says) in cases {
        let (code, out, err) = run(mab()
            .env("MAB_OS_RELEASE", release)
            .env("PATH", &empty)
            .env("TARGETPLATFORM", "linux/arm64")
            .args(*args));
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line:\n{err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    // xx's names do the same.
    let (code, _, err) = run(applet("xx-apk")
        .env("MAB_OS_RELEASE", &alpine)
        .env("PATH", &empty)
        .args(["add", "zlib-dev"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("apk not found"), "{err}");
}

#[test]
fn non_linux_targets_install_nothing() {
    let (code, _, err) = run(mab().env("TARGETPLATFORM", "windows/amd64").args([
        "apt-get",
        "install",
        "-y",
        "zlib1g-dev",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("the target is not Linux"), "{err}");
}

#[test]
fn other_apt_commands_pass_through_with_apt_exit_code() {
    if require_tool("apt-get", &[]).is_none() {
        return;
    }
    // No action: apt's own usage and failure, as xx-apt gives.
    let (code, out, err) = run(applet("xx-apt").env("TARGETARCH", "arm64"));
    assert_ne!(code, 0);
    assert!(format!("{out}{err}").contains("Usage: apt"), "{out}{err}");
    // xx-apt's own option.
    let file = stdout(applet("xx-apt").arg("--print-source-file"));
    assert!(
        file.starts_with("/etc/apt/sources.list") && Path::new(&file).exists(),
        "{file}"
    );
    // apt's exit code passes through (100 for a bad option).
    let (code, _, err) =
        run(mab()
            .env("TARGETARCH", "s390x")
            .args(["apt-get", "--mab-no-such-option", "check"]));
    assert_eq!(code, 100, "{err}");
}
