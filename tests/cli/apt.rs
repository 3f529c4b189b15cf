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
use std::path::{Path, PathBuf};
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

/// dpkg's packages as `STATUS name:arch VERSION` lines.
fn dpkg_state() -> BTreeSet<String> {
    sh(
        "dpkg-query",
        &[
            "-W",
            "-f",
            "${db:Status-Abbrev} ${Package}:${Architecture} ${Version}\\n",
        ],
    )
    .lines()
    .filter(|l| !l.starts_with("un") && !l.starts_with("pn"))
    .map(String::from)
    .collect()
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
    // An architecture dpkg has already stays; one mab adds goes again.
    let added: &[&str] = if arches.contains(&arch.to_string()) {
        &[]
    } else {
        &["removed the architecture"]
    };
    let (code, _, err) = run(mab()
        .env("TARGETPLATFORM", platform)
        .arg("apt-get")
        .args(args));
    assert_ne!(code, 0, "{args:?} for {platform} should fail: {err}");
    for s in says.iter().chain(added) {
        assert!(err.contains(s), "stderr should say {s:?}:\n{err}");
    }
    assert_eq!(foreign_arches(), arches, "foreign architectures changed");
    assert!(sources() == sources_before, "apt sources changed");
    assert!(dpkg_l() == dpkg_before, "dpkg -l changed");
    err
}

/// An architecture dpkg does not have yet (mab adds it, updates, and must remove it again), as (dpkg's
/// name, platform): the first free one of a few that Debian 12 has, so an earlier run or another user of
/// the machine that added one does not break the test.
fn unused_arch(not: &[&str]) -> (&'static str, &'static str) {
    let arches = foreign_arches();
    [
        ("ppc64el", "linux/ppc64le"),
        ("s390x", "linux/s390x"),
        ("mips64el", "linux/mips64le"),
        ("i386", "linux/386"),
    ]
    .into_iter()
    .find(|(a, _)| !arches.iter().any(|f| f == a) && !not.contains(a))
    .expect("one of ppc64el, s390x, mips64el and i386 is not a foreign architecture of dpkg")
}

/// A sources entry for a loopback mirror, removed by the guard.
fn add_source(name: &str, url: &str) -> String {
    let path = format!("/etc/apt/sources.list.d/{name}.list");
    std::fs::write(&path, format!("deb [trusted=yes] {url} bookworm main\n")).unwrap();
    path
}

/// A local apt repository of packages made here with dpkg-deb, served from a directory (a `file:` source
/// trusted as it is), so the undo contract is tested the same way on every machine: a library the build
/// machine has at an old version and the target needs at a new one, packages whose installation fails or
/// hangs. The source and its lists are removed on drop.
struct FakeRepo {
    dir: PathBuf,
    source: PathBuf,
    native: String,
    target: String,
}

impl FakeRepo {
    fn new(name: &str) -> FakeRepo {
        let dir = temp_path(&format!("apt-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pool")).unwrap();
        let native = sh("dpkg", &["--print-architecture"]).trim().to_string();
        let target = if native == "arm64" { "amd64" } else { "arm64" }.to_string();
        let source = PathBuf::from(format!("/etc/apt/sources.list.d/mab-test-{name}.list"));
        FakeRepo {
            dir,
            source,
            native,
            target,
        }
    }

    fn platform(&self) -> String {
        format!("linux/{}", self.target)
    }

    /// Builds a package; `indexed` ones are on the mirror, the others only a file to `dpkg -i`.
    fn package(
        &self,
        name: &str,
        version: &str,
        arch: &str,
        control: &str,
        postinst: &str,
        indexed: bool,
    ) -> PathBuf {
        let root = self.dir.join(format!("build-{name}-{version}-{arch}"));
        std::fs::create_dir_all(root.join("DEBIAN")).unwrap();
        let share = root.join("usr/share/mab-test").join(arch);
        std::fs::create_dir_all(&share).unwrap();
        std::fs::write(share.join(name), format!("{name} {version}\n")).unwrap();
        std::fs::write(
            root.join("DEBIAN/control"),
            format!(
                "Package: {name}\nVersion: {version}\nArchitecture: {arch}\nMaintainer: mab tests <tests@mab.invalid>\n\
                 {control}Description: a package of mab's tests\n"
            ),
        )
        .unwrap();
        if !postinst.is_empty() {
            let script = root.join("DEBIAN/postinst");
            std::fs::write(&script, format!("#!/bin/sh\n{postinst}\n")).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let deb = self
            .dir
            .join(if indexed { "pool" } else { "." })
            .join(format!("{name}_{version}_{arch}.deb"));
        let (code, _, err) = run(Command::new("dpkg-deb")
            .args(["-Zgzip", "--root-owner-group", "--build"])
            .arg(&root)
            .arg(&deb));
        assert_eq!(code, 0, "dpkg-deb: {err}");
        deb
    }

    /// Indexes the pool, adds the source and updates apt's lists of it alone.
    fn publish(&self) {
        let scan = require_tool("dpkg-scanpackages", &[]).expect("dpkg-dev is installed");
        let out = Command::new(scan)
            .args(["-m", "pool", "/dev/null"])
            .current_dir(&self.dir)
            .stderr(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success());
        std::fs::write(self.dir.join("Packages"), out.stdout).unwrap();
        std::fs::write(
            &self.source,
            format!("deb [trusted=yes] file:{} ./\n", self.dir.display()),
        )
        .unwrap();
        let (code, _, err) = run(Command::new("apt-get").args([
            "-o",
            "DPkg::Lock::Timeout=600",
            "-o",
            &format!("Dir::Etc::SourceList={}", self.source.display()),
            "-o",
            "Dir::Etc::SourceParts=-",
            "-o",
            "APT::Get::List-Cleanup=false",
            "update",
        ]));
        assert_eq!(code, 0, "apt-get update of the test repository: {err}");
    }

    /// `mab apt-get install -y PACKAGES` for the target, waited for.
    fn install(&self, packages: &[&str]) -> (i32, String) {
        let (code, _, err) = run(mab()
            .env("TARGETPLATFORM", self.platform())
            .args(["apt-get", "install", "-y"])
            .args(packages));
        (code, err)
    }
}

impl Drop for FakeRepo {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.source);
        let prefix = self.dir.display().to_string().replace('/', "_");
        for entry in std::fs::read_dir("/var/lib/apt/lists")
            .into_iter()
            .flatten()
            .flatten()
        {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn check_root_and_tools() -> bool {
    for tool in ["apt-get", "dpkg", "dpkg-query", "dpkg-deb"] {
        if require_tool(tool, &[]).is_none() {
            return false;
        }
    }
    assert_eq!(
        sh("id", &["-u"]).trim(),
        "0",
        "this test installs Debian packages with the real apt: run the suite as root (as CI does)"
    );
    true
}

/// A mab run in the background that must not outlive a failed assertion: on drop it is released (the
/// file its maintainer script waits for is made) or sent SIGTERM, and waited for, before the guards put
/// the machine back.
struct Background {
    child: std::process::Child,
    stderr: Option<std::thread::JoinHandle<String>>,
    release: Option<PathBuf>,
}

impl Background {
    fn spawn(cmd: &mut Command, release: Option<PathBuf>) -> Background {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pipe = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::BufReader::new(pipe).read_to_string(&mut text);
            text
        });
        Background {
            child,
            stderr: Some(stderr),
            release,
        }
    }

    /// Waits until `file` exists (a maintainer script started) while mab runs.
    fn wait_for(&mut self, file: &Path, limit: Duration) {
        let start = Instant::now();
        while !file.exists() {
            if let Some(status) = self.child.try_wait().unwrap() {
                let err = self.stderr.take().unwrap().join().unwrap();
                panic!(
                    "mab ended ({status}) before {} appeared:\n{err}",
                    file.display()
                );
            }
            assert!(start.elapsed() < limit, "{} never appeared", file.display());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn signal(&self, name: &str) {
        Command::new("kill")
            .args([name, &self.child.id().to_string()])
            .status()
            .unwrap();
    }

    /// Makes the release file, if any, waits, and returns mab's exit code and stderr.
    fn finish(&mut self) -> (Option<i32>, String) {
        if let Some(file) = self.release.take() {
            std::fs::write(file, "").unwrap();
        }
        let status = self.child.wait().unwrap();
        let err = self
            .stderr
            .take()
            .map(|t| t.join().unwrap())
            .unwrap_or_default();
        (status.code(), err)
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if self.stderr.is_some() {
            if self.release.is_none() {
                self.signal("-TERM");
            }
            let (_, err) = self.finish();
            eprintln!("mab, stopped by a failed test, said:\n{err}");
        }
    }
}

/// The contract of README's "a failed or interrupted install is undone", with packages made for it: a
/// cross install that upgrades the build machine's copy of a `Multi-Arch: same` library and then fails,
/// or is interrupted, leaves `dpkg -l` exactly as it was; one that changes none of the build machine's
/// packages too; and when the old version is on no mirror, mab says so before it starts and after.
#[test]
fn apt_undo_puts_the_build_machines_packages_back() {
    if !check_root_and_tools() {
        return;
    }
    let _lock = lock_system();
    let repo = FakeRepo::new("undo");
    let (native, target) = (repo.native.clone(), repo.target.clone());
    let same = "Multi-Arch: same\n";
    let started = repo.dir.join("slow-started");
    let old_lib = repo.package("mab-test-lib", "1.0", &native, same, "", true);
    let unknown_lib = repo.package("mab-test-lib", "0.9", &native, same, "", false);
    repo.package("mab-test-lib", "2.0", &native, same, "", true);
    repo.package("mab-test-lib", "2.0", &target, same, "", true);
    let needs_new = "Depends: mab-test-lib (= 2.0)\n";
    repo.package("mab-test-fails", "1.0", &target, needs_new, "exit 1", true);
    let slow = format!("touch {}\nsleep 120", started.display());
    repo.package("mab-test-slow", "1.0", &target, needs_new, &slow, true);
    repo.package("mab-test-solo", "1.0", &target, same, "", true);
    let alone = "Depends: mab-test-solo\n";
    repo.package("mab-test-alone", "1.0", &target, alone, "exit 1", true);
    repo.publish();
    let guard = Restore {
        arches: foreign_arches(),
        sources: sources(),
        installed: installed(),
    };
    let dpkg_l_first = dpkg_l();
    let note = format!(
        "mab: note: installing for {target} upgrades 1 package of the build machine: mab-test-lib 1.0 → 2.0\n"
    );

    // Nothing of the build machine's changes: no note, and the target's packages go again.
    let (code, err) = repo.install(&["mab-test-alone"]);
    assert_eq!(code, 100, "apt-get's code:\n{err}");
    assert!(!err.contains("mab: note:"), "nothing to note:\n{err}");
    assert!(
        err.contains("removed the 2 package(s) it had installed"),
        "{err}"
    );
    assert!(dpkg_l() == dpkg_l_first, "dpkg -l is as before:\n{err}");

    // The build machine has the library at 1.0; the target's package needs 2.0, so apt upgrades the
    // build machine's copy too (Multi-Arch: same versions must agree). The install fails: 1.0 is back.
    let (code, _, err) = run(Command::new("dpkg").arg("-i").arg(&old_lib));
    assert_eq!(code, 0, "{err}");
    let before = dpkg_l();
    let (code, err) = repo.install(&["mab-test-fails"]);
    assert_eq!(code, 100, "apt-get's code:\n{err}");
    let note_at = err
        .find(&note)
        .unwrap_or_else(|| panic!("says {note:?} first:\n{err}"));
    assert!(
        note_at < err.find("+ apt-get install").unwrap(),
        "before the install:\n{err}"
    );
    assert!(!err.contains("cannot put back"), "{err}");
    assert!(
        err.contains(&format!("put back mab-test-lib:{native} 1.0")),
        "{err}"
    );
    assert!(!err.contains("could not undo"), "{err}");
    assert!(dpkg_l() == before, "dpkg -l is as before:\n{err}");
    assert!(
        !Path::new("/var/cache/mab/undo").exists(),
        "the saved archives are gone"
    );

    // Interrupted while a maintainer script runs: SIGTERM reaches mab, apt and dpkg stop, 1.0 is back.
    let mut slow = Background::spawn(
        mab().env("TARGETPLATFORM", repo.platform()).args([
            "apt-get",
            "install",
            "-y",
            "mab-test-slow",
        ]),
        None,
    );
    slow.wait_for(&started, Duration::from_secs(300));
    let killed = Instant::now();
    slow.signal("-TERM");
    let (code, err) = slow.finish();
    assert_eq!(code, Some(143), "128 + SIGTERM:\n{err}");
    assert!(err.contains(&note), "{err}");
    assert!(err.contains("interrupted by signal 15"), "{err}");
    assert!(
        err.contains(&format!("put back mab-test-lib:{native} 1.0")),
        "{err}"
    );
    assert!(
        killed.elapsed() < Duration::from_secs(60),
        "undone promptly, not after the script's sleep"
    );
    assert!(dpkg_l() == before, "dpkg -l is as before:\n{err}");

    // The build machine's version is on no mirror and in no cache: said up front, and after.
    let (code, _, err) = run(Command::new("dpkg").arg("-i").arg(&unknown_lib));
    assert_eq!(code, 0, "{err}");
    let (code, err) = repo.install(&["mab-test-fails"]);
    assert_eq!(code, 100, "{err}");
    let lost = format!("mab cannot put back mab-test-lib:{native} 0.9");
    let lost_at = err
        .find(&lost)
        .unwrap_or_else(|| panic!("says {lost:?}:\n{err}"));
    assert!(
        lost_at < err.find("+ apt-get install").unwrap(),
        "before the install:\n{err}"
    );
    assert!(
        err.contains(&format!(
            "could not undo every package change: mab-test-lib:{native} (was ii 0.9, now ii 2.0)"
        )),
        "{err}"
    );
    let (code, _, err) = run(Command::new("dpkg").args(["--purge", "mab-test-lib"]));
    assert_eq!(code, 0, "{err}");

    // A good install keeps what it installed (the guard removes it).
    let (code, err) = repo.install(&["mab-test-solo"]);
    assert_eq!(code, 0, "{err}");
    assert!(is_installed(&format!("mab-test-solo:{target}")), "{err}");
    drop(guard);
    assert!(
        dpkg_l() == dpkg_l_first,
        "the guard puts dpkg's packages back"
    );
}

/// A real cross install from the configured mirrors (zlib and zstd for arm64), held open by a package whose
/// script waits while the test uses what was installed, then fails: mab puts back every package it can
/// (on a machine whose packages are older than the mirror's, the build machine's upgraded ones too) and
/// names, before and after, exactly those it cannot.
#[test]
fn apt_installs_target_packages_and_undoes_failures() {
    if !check_root_and_tools() {
        return;
    }
    let _lock = lock_system();
    let t0 = Instant::now();
    let phase = |name: &str| eprintln!("apt test: {name} at {:.1?}", t0.elapsed());
    let repo = FakeRepo::new("gate");
    let (started, release) = (repo.dir.join("gate-started"), repo.dir.join("gate-release"));
    let gate = format!(
        "touch {}\ni=0\nwhile [ ! -e {} ] && [ $i -lt 6000 ]; do sleep 0.1; i=$((i+1)); done\nexit 1",
        started.display(),
        release.display()
    );
    repo.package(
        "mab-test-gate",
        "1.0",
        "arm64",
        "Depends: zlib1g-dev, libzstd-dev\n",
        &gate,
        true,
    );
    repo.publish();
    let guard = Restore {
        arches: foreign_arches(),
        sources: sources(),
        installed: installed(),
    };
    let state_before = dpkg_state();
    let guard_had_zstd = is_installed("libzstd-dev:arm64");
    let amd64_before: BTreeSet<String> = guard
        .installed
        .iter()
        .filter(|p| p.ends_with(":amd64"))
        .cloned()
        .collect();

    let mut gated = Background::spawn(
        mab().env("TARGETPLATFORM", "linux/arm64").args([
            "apt-get",
            "install",
            "-y",
            "--no-install-recommends",
            "zlib1g-dev",
            "libzstd-dev",
            "mab-test-gate",
        ]),
        Some(release),
    );
    gated.wait_for(&started, Duration::from_secs(900));
    phase("cross install done, held open");
    assert!(is_installed("zlib1g-dev:arm64") && is_installed("libzstd-dev:arm64"));
    assert_eq!(
        elf_machine("/usr/lib/aarch64-linux-gnu/libzstd.so"),
        183,
        "libzstd.so is AArch64"
    );
    assert!(is_installed("zlib1g-dev:amd64") == guard.installed.contains("zlib1g-dev:amd64"));
    // Nothing of the build machine's is removed (upgraded ones may wait unconfigured for the end).
    let amd64_now: BTreeSet<String> = dpkg_state()
        .iter()
        .filter(|l| l.starts_with('i'))
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|p| p.ends_with(":amd64"))
        .map(String::from)
        .collect();
    let removed: Vec<_> = amd64_before.difference(&amd64_now).collect();
    assert!(
        removed.is_empty(),
        "amd64 packages were removed: {removed:?}"
    );

    // The installed target libraries build and run: a static arm64 program with zlib and zstd from
    // the multiarch paths, run under qemu.
    if let (Some(cc), Some(_)) = (
        require_tool("aarch64-linux-gnu-gcc", &[]),
        require_tool("qemu-aarch64-static", &[]),
    ) {
        let src = repo.dir.join("z.c");
        std::fs::write(
            &src,
            "#include <stdio.h>\n#include <zlib.h>\n#include <zstd.h>\n\
             int main(void) { printf(\"zlib %s zstd %u\\n\", zlibVersion(), ZSTD_versionNumber()); return 0; }\n",
        )
        .unwrap();
        let exe = repo.dir.join("z");
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
    }
    // With libc6:arm64 installed (zlib1g-dev brought it), a dynamically linked cgo program runs under the
    // runner mab gives cargo, CMake and Meson. With the cross root's loader and this libc, it hung.
    if let Some(cgo) = crate::go::build("go-cgo", "linux/arm64") {
        assert!(is_installed("libc6:arm64"));
        assert_eq!(
            run_with(&mab_runner("linux/arm64"), &cgo),
            "go-cgo arm64 76127"
        );
    }

    let (code, err) = gated.finish();
    phase("failed install undone");
    assert_eq!(code, Some(100), "apt-get's code:\n{err}");
    assert!(
        err.contains("zlib1g-dev:arm64 libzstd-dev:arm64 mab-test-gate:arm64"),
        "apt gets the :arm64 names:\n{err}"
    );
    // xx's name through a real symlink: `apt show` of the target's package (after the install: it
    // waits for the lock the install holds).
    let out = stdout(
        applet("xx-apt")
            .env("TARGETARCH", "arm64")
            .args(["show", "libzstd-dev"]),
    );
    assert!(out.contains("Package: libzstd-dev:arm64"), "{out}");
    // What mab said it cannot put back, before the install, is exactly what differs now.
    let lost: BTreeSet<String> = err
        .lines()
        .filter_map(|l| l.strip_prefix("mab: note: if this install fails, mab cannot put back "))
        .filter_map(|l| l.split_once(": neither"))
        .flat_map(|(list, _)| list.split(", "))
        .filter_map(|p| p.split(' ').next())
        .map(String::from)
        .collect();
    let after = dpkg_state();
    let changed: BTreeSet<String> = state_before
        .symmetric_difference(&after)
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(String::from)
        .collect();
    eprintln!("apt test: the build machine's packages mab could not put back: {lost:?}");
    assert_eq!(
        changed, lost,
        "dpkg's state differs in exactly what mab named:\n{err}"
    );
    if !lost.is_empty() {
        assert!(err.contains("could not undo every package change"), "{err}");
    }
    let dpkg_l_before = dpkg_l();

    // A package that does not exist: the new architecture is removed again.
    let (arch, platform) = unused_arch(&[]);
    check_undone(
        arch,
        platform,
        &["install", "-y", "mab-test-no-such-package"],
        &[
            &format!("Unable to locate package mab-test-no-such-package:{arch}"),
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
    // This machine's release decides the GCC (12 in bookworm, 14 in trixie).
    let release = mab::core::os_release::OsRelease::parse(
        &std::fs::read_to_string("/etc/os-release").unwrap_or_default(),
    );
    let debian = release
        .version_codename
        .as_deref()
        .and_then(mab::core::table::debian_release)
        .unwrap_or_else(|| panic!("the apt tests run on a Debian release mab knows: {release:?}"));
    assert!(
        err.contains(&format!(
            "+ apt-get install -s libc6-dev:arm64 {}:arm64",
            debian.libgcc_dev
        )),
        "{} has GCC {}:\n{err}",
        debian.codename,
        debian.gcc
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
    let (arch, platform) = unused_arch(&[]);
    check_undone(
        arch,
        platform,
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
    let (arch, platform) = unused_arch(&[]);
    let child = mab()
        .env("TARGETPLATFORM", platform)
        .args(["apt-get", "install", "-y", "zlib1g-dev"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    rx.recv_timeout(Duration::from_secs(60))
        .expect("apt-get update connects to the silent mirror");
    let start = Instant::now();
    assert!(
        foreign_arches().iter().any(|a| a == arch),
        "mab added {arch} before updating"
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
            && err.contains(&format!("removed the architecture {arch}")),
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
    let held = flock(Path::new("/var/lib/dpkg/mab.lock"), libc::LOCK_EX);
    let (arches, dpkg_before) = (foreign_arches(), dpkg_l());
    let mut child = mab()
        .env("TARGETPLATFORM", unused_arch(&[]).1)
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
        is_installed("libzstd-dev:arm64") == guard_had_zstd,
        "mab removed what it installed"
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
    let empty = temp_path("empty-path");
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
    let (code, _, err) = run(mab().env("TARGETPLATFORM", "darwin/arm64").args([
        "apt-get",
        "install",
        "-y",
        "zlib1g-dev",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("the target is not Linux"), "{err}");
    // Windows: Debian's MinGW-w64 packages where there are some; zlib has none, so nothing, as xx says.
    let (code, _, err) = run(mab().env("TARGETPLATFORM", "windows/amd64").args([
        "apt-get",
        "install",
        "-y",
        "zlib1g-dev",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("skipping packages installation on windows"),
        "{err}"
    );
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

/// How mab runs `platform`'s programs here (the runner `mab cargo --print-env` gives, as CMake's emulator
/// and Meson's exe_wrapper are), split into words.
fn mab_runner(platform: &str) -> Vec<String> {
    let env = stdout(
        mab()
            .args(["cargo", "--print-env"])
            .env("TARGETPLATFORM", platform),
    );
    let line = env
        .lines()
        .find(|l| l.contains("_RUNNER="))
        .unwrap_or_else(|| panic!("no runner for {platform} in:\n{env}"));
    let value = line.split_once('=').unwrap().1.trim_matches('\'');
    value.split_whitespace().map(String::from).collect()
}
