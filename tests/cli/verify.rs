//! `mab verify` and `xx-verify` on real binaries: C from Debian's gcc cross compilers (static and dynamic),
//! Go for every platform in `toolchains/binaries.toml`, Rust for the installed targets, and a Mach-O
//! universal file from llvm-lipo. Everything is built once per test run, in a temp dir keyed by process id.

use crate::common::*;
use mab::core::header;
use mab::core::table::BINARIES;
use serde_json::Value;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    Static,
    Dynamic,
    /// PE and Mach-O, where `--static` does not apply (as in xx-verify).
    NotElf,
}

struct Bin {
    name: String,
    path: PathBuf,
    platform: &'static str,
    /// Further platforms the file honestly runs on; each build says why.
    also: &'static [&'static str],
    link: Link,
}

impl Bin {
    fn fits(&self, platform: &str) -> bool {
        self.platform == platform || self.also.contains(&platform)
    }
}

const HELLO_C: &str = "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n";
const LIB_C: &str = "#include <stdio.h>\nvoid hello(void) { puts(\"hello\"); }\n";
const HELLO_GO: &str = "package main\n\nfunc main() { println(\"hello\") }\n";
const HELLO_RS: &str = "fn main() { println!(\"hello\"); }\n";

/// Debian's gcc cross compilers: (compiler, platform, other platforms its output runs on).
const GCC: &[(&str, &str, &[&str])] = &[
    ("x86_64-linux-gnu-gcc", "linux/amd64", &[]),
    ("aarch64-linux-gnu-gcc", "linux/arm64", &[]),
    ("arm-linux-gnueabihf-gcc", "linux/arm/v7", &[]),
    // armel is ARMv5TE soft-float, which ARMv6 CPUs run: Debian's linux/arm/v6 is armel.
    ("arm-linux-gnueabi-gcc", "linux/arm/v5", &["linux/arm/v6"]),
    ("riscv64-linux-gnu-gcc", "linux/riscv64", &[]),
    ("s390x-linux-gnu-gcc", "linux/s390x", &[]),
    ("powerpc64le-linux-gnu-gcc", "linux/ppc64le", &[]),
    ("i686-linux-gnu-gcc", "linux/386", &[]),
];

/// Go's linker writes neither ARM build attributes nor a float flag, so GOARM=5, 6 and 7 binaries look
/// the same: each passes for every ARM row (the message says "CPU architecture not recorded").
const ANY_ARM: &[&str] = &["linux/arm/v7", "linux/arm/v6", "linux/arm/v5"];

/// Go builds: (GOOS, GOARCH, tuning variable, platform, other platforms).
const GO: &[(&str, &str, &str, &str, &[&str])] = &[
    ("linux", "amd64", "", "linux/amd64", &[]),
    ("linux", "arm64", "", "linux/arm64", &[]),
    ("linux", "arm", "GOARM=7", "linux/arm/v7", ANY_ARM),
    ("linux", "arm", "GOARM=6", "linux/arm/v6", ANY_ARM),
    ("linux", "arm", "GOARM=5", "linux/arm/v5", ANY_ARM),
    ("linux", "386", "", "linux/386", &[]),
    ("linux", "riscv64", "", "linux/riscv64", &[]),
    ("linux", "ppc64le", "", "linux/ppc64le", &[]),
    ("linux", "s390x", "", "linux/s390x", &[]),
    ("linux", "mips", "GOMIPS=softfloat", "linux/mips", &[]),
    ("linux", "mipsle", "", "linux/mipsle", &[]),
    ("linux", "mips64", "", "linux/mips64", &[]),
    ("linux", "mips64le", "", "linux/mips64le", &[]),
    ("linux", "loong64", "", "linux/loong64", &[]),
    ("windows", "amd64", "", "windows/amd64", &[]),
    ("windows", "arm64", "", "windows/arm64", &[]),
    ("windows", "386", "", "windows/386", &[]),
    ("darwin", "amd64", "", "darwin/amd64", &[]),
    ("darwin", "arm64", "", "darwin/arm64", &[]),
];

/// Rust builds: (target, rustc linker flags, platform, linking).
const RUST: &[(&str, &[&str], &str, Link)] = &[
    (
        "x86_64-unknown-linux-gnu",
        &[],
        "linux/amd64",
        Link::Dynamic,
    ),
    (
        "x86_64-unknown-linux-musl",
        &[],
        "linux/amd64",
        Link::Static,
    ),
    (
        "aarch64-unknown-linux-gnu",
        &["-Clinker=aarch64-linux-gnu-gcc"],
        "linux/arm64",
        Link::Dynamic,
    ),
    (
        "aarch64-unknown-linux-musl",
        &["-Clinker=rust-lld", "-Clinker-flavor=ld.lld"],
        "linux/arm64",
        Link::Static,
    ),
    (
        "armv7-unknown-linux-gnueabihf",
        &["-Clinker=arm-linux-gnueabihf-gcc"],
        "linux/arm/v7",
        Link::Dynamic,
    ),
    (
        "riscv64gc-unknown-linux-gnu",
        &["-Clinker=riscv64-linux-gnu-gcc"],
        "linux/riscv64",
        Link::Dynamic,
    ),
];

fn work_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = temp_path("verify");
        std::fs::create_dir_all(dir.join("go")).unwrap();
        std::fs::write(dir.join("hello.c"), HELLO_C).unwrap();
        std::fs::write(dir.join("lib.c"), LIB_C).unwrap();
        std::fs::write(dir.join("hello.rs"), HELLO_RS).unwrap();
        std::fs::write(dir.join("go/main.go"), HELLO_GO).unwrap();
        std::fs::write(dir.join("go/go.mod"), "module hello\n\ngo 1.21\n").unwrap();
        dir
    })
}

/// Runs a build command, failing the test with its output if it fails.
fn build(mut cmd: Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs jobs on two threads: the builds are independent and the machine has two cores.
fn run_jobs(jobs: Vec<Box<dyn FnOnce() -> Vec<Bin> + Send>>) -> Vec<Bin> {
    let queue = Mutex::new(jobs.into_iter().enumerate().collect::<Vec<_>>());
    let done = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let Some((i, job)) = queue.lock().unwrap().pop() else {
                    break;
                };
                let bins = job();
                done.lock().unwrap().push((i, bins));
            });
        }
    });
    let mut done = done.into_inner().unwrap();
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().flat_map(|(_, b)| b).collect()
}

fn gcc_jobs(dir: &Path) -> Vec<Box<dyn FnOnce() -> Vec<Bin> + Send>> {
    let mut jobs: Vec<Box<dyn FnOnce() -> Vec<Bin> + Send>> = Vec::new();
    for &(gcc, platform, also) in GCC {
        let Some(cc) = require_tool(gcc, &[]) else {
            continue;
        };
        let dir = dir.to_path_buf();
        jobs.push(Box::new(move || {
            [("static", Link::Static), ("dynamic", Link::Dynamic)]
                .into_iter()
                .map(|(how, link)| {
                    let path = dir.join(format!("c-{how}-{gcc}"));
                    let mut cmd = Command::new(&cc);
                    cmd.args(["-O0", "-o"]).arg(&path).arg(dir.join("hello.c"));
                    if link == Link::Static {
                        cmd.arg("-static");
                    }
                    build(cmd);
                    Bin {
                        name: format!("C {how} {gcc}"),
                        path,
                        platform,
                        also,
                        link,
                    }
                })
                .collect()
        }));
    }
    jobs
}

fn go_jobs(dir: &Path) -> Vec<Box<dyn FnOnce() -> Vec<Bin> + Send>> {
    let mut jobs: Vec<Box<dyn FnOnce() -> Vec<Bin> + Send>> = Vec::new();
    let Some(go) = require_tool("go", &["/usr/lib/go-1.23/bin/go"]) else {
        return jobs;
    };
    for &(goos, goarch, knob, platform, also) in GO {
        let (go, dir) = (go.clone(), dir.to_path_buf());
        jobs.push(Box::new(move || {
            let path = dir.join(format!("go-{goos}-{goarch}{}", knob.replace('=', "-")));
            let mut cmd = Command::new(go);
            cmd.current_dir(dir.join("go"))
                .args(["build", "-o"])
                .arg(&path)
                .arg(".")
                .env("GOOS", goos)
                .env("GOARCH", goarch)
                .env("CGO_ENABLED", "0")
                .env("GOTOOLCHAIN", "local")
                .env_remove("GOFLAGS");
            if let Some((k, v)) = knob.split_once('=') {
                cmd.env(k, v);
            }
            build(cmd);
            let link = if goos == "linux" {
                Link::Static
            } else {
                Link::NotElf
            };
            let name = format!("Go {goos}/{goarch} {knob}").trim_end().to_string();
            vec![Bin {
                name,
                path,
                platform,
                also,
                link,
            }]
        }));
    }
    jobs
}

fn rust_jobs(dir: &Path) -> Vec<Box<dyn FnOnce() -> Vec<Bin> + Send>> {
    let mut jobs: Vec<Box<dyn FnOnce() -> Vec<Bin> + Send>> = Vec::new();
    let Some(rustc) = require_tool("rustc", &[]) else {
        return jobs;
    };
    for &(target, flags, platform, link) in RUST {
        let (rustc, dir) = (rustc.clone(), dir.to_path_buf());
        jobs.push(Box::new(move || {
            let path = dir.join(format!("rust-{target}"));
            let mut cmd = Command::new(rustc);
            cmd.args([
                "--edition",
                "2021",
                "-Copt-level=0",
                "-Cdebuginfo=0",
                "--target",
                target,
            ])
            .args(flags)
            .arg("-o")
            .arg(&path)
            .arg(dir.join("hello.rs"));
            build(cmd);
            vec![Bin {
                name: format!("Rust {target}"),
                path,
                platform,
                also: &[],
                link,
            }]
        }));
    }
    jobs
}

/// Every binary, built on first use.
fn bins() -> &'static [Bin] {
    static BINS: OnceLock<Vec<Bin>> = OnceLock::new();
    BINS.get_or_init(|| {
        let dir = work_dir();
        let started = Instant::now();
        let mut jobs = gcc_jobs(dir);
        jobs.extend(go_jobs(dir));
        jobs.extend(rust_jobs(dir));
        let mut bins = run_jobs(jobs);
        // A universal Mach-O file runs on both Macs.
        let darwin = |arch: &str| {
            bins.iter()
                .find(|b| b.platform == format!("darwin/{arch}"))
                .map(|b| b.path.clone())
        };
        if let (Some(lipo), Some(amd64), Some(arm64)) = (
            require_tool("llvm-lipo", &["llvm-lipo-14"]),
            darwin("amd64"),
            darwin("arm64"),
        ) {
            let path = dir.join("go-darwin-universal");
            let mut cmd = Command::new(lipo);
            cmd.arg("-create")
                .arg(amd64)
                .arg(arm64)
                .arg("-output")
                .arg(&path);
            build(cmd);
            bins.push(Bin {
                name: "Go darwin universal (llvm-lipo)".into(),
                path,
                platform: "darwin/amd64",
                also: &["darwin/arm64"],
                link: Link::NotElf,
            });
        }
        let _ = writeln!(
            std::io::stderr(),
            "verify: built {} binaries in {:.1?}",
            bins.len(),
            started.elapsed()
        );
        bins
    })
}

fn bin(name: &str) -> &'static Bin {
    bins()
        .iter()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("no binary named {name:?}"))
}

/// Runs a command with a deadline: a hang is a failure, not a stuck suite.
fn run_bounded(cmd: &mut Command, limit: Duration) -> (i32, String, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mab runs");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("{cmd:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(out.stdout),
        text(out.stderr),
    )
}

#[test]
fn every_binary_verifies_for_its_own_platform_and_no_other() {
    let bins = bins();
    let mut wrong = Vec::new();
    let mut checks = 0;
    for row in BINARIES {
        let (code, out, err) = run(mab()
            .args(["verify", "--json", "--platform", row.platform])
            .args(bins.iter().map(|b| &b.path)));
        let report: Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        assert_eq!(report["platform"], row.platform);
        let files = report["files"].as_array().unwrap();
        assert_eq!(files.len(), bins.len());
        for (b, file) in bins.iter().zip(files) {
            checks += 1;
            if file["ok"] != b.fits(row.platform) {
                wrong.push(format!(
                    "{} against {}: ok={} ({})",
                    b.name, row.platform, file["ok"], file["found"]
                ));
            }
        }
        let all_ok = bins.iter().all(|b| b.fits(row.platform));
        assert_eq!(code, if all_ok { 0 } else { 1 }, "{}", row.platform);
    }
    assert!(wrong.is_empty(), "wrong verdicts:\n{}", wrong.join("\n"));
    let _ = writeln!(
        std::io::stderr(),
        "verify: {checks} verdicts ({} binaries x {} platforms) all right",
        bins.len(),
        BINARIES.len()
    );
}

#[test]
fn static_flag_tells_static_from_dynamic() {
    for b in bins() {
        let (code, out, err) = run(mab()
            .args(["verify", "--static", "--platform", b.platform])
            .arg(&b.path));
        match b.link {
            Link::Static | Link::NotElf => assert_eq!(code, 0, "{}: {err}", b.name),
            Link::Dynamic => {
                assert_eq!(code, 1, "{}: {out}", b.name);
                assert!(
                    err.contains("not statically linked, interpreter /"),
                    "{}: {err}",
                    b.name
                );
            }
        }
    }
}

#[test]
fn messages_say_what_was_expected_and_what_was_found() {
    let armhf = bin("C dynamic arm-linux-gnueabihf-gcc");
    let (code, out, err) = run(mab()
        .env("TARGETPLATFORM", "linux/amd64")
        .arg("verify")
        .arg(&armhf.path));
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        format!(
            "{}: expected linux/amd64 (ELF 64-bit LSB x86-64), found linux/arm/v7 (ELF 32-bit LSB ARM EABI5 \
             hard-float pie executable, ARMv7, dynamically linked, interpreter /lib/ld-linux-armhf.so.3)\n",
            armhf.path.display()
        )
    );

    let amd64 = bin("Go linux/amd64");
    let (code, _, err) = run(mab()
        .args(["verify", "--platform", "linux/arm/v7", "--static"])
        .arg(&amd64.path));
    assert_eq!(code, 1);
    assert_eq!(
        err,
        format!(
            "{}: expected linux/arm/v7 (ELF 32-bit LSB ARM EABI5 hard-float, ARMv7 or older), statically linked, \
             found linux/amd64 (ELF 64-bit LSB x86-64 executable, statically linked)\n",
            amd64.path.display()
        )
    );

    // A v7 build on a v6 board: only the build attributes tell.
    let (code, _, err) = run(mab()
        .args(["verify", "--platform", "linux/arm/v6"])
        .arg(&bin("C static arm-linux-gnueabihf-gcc").path));
    assert_eq!(code, 1);
    assert!(
        err.contains("expected linux/arm/v6 (ELF 32-bit LSB ARM EABI5, ARMv6 or older)"),
        "{err}"
    );
    assert!(err.contains("found linux/arm/v7 (ELF 32-bit LSB ARM EABI5 hard-float executable, ARMv7, statically linked)"), "{err}");

    // Passing files are listed on stdout, with what they are.
    let arm64 = bin("Rust aarch64-unknown-linux-musl");
    let out = stdout(
        mab()
            .args(["verify", "--platform", "arm64"])
            .arg(&arm64.path),
    );
    assert_eq!(
        out,
        format!(
            "{}: ok: linux/arm64 (ELF 64-bit LSB ARM aarch64 executable, statically linked)",
            arm64.path.display()
        )
    );
}

#[test]
fn shared_libraries_pass_and_object_files_do_not() {
    let Some(cc) = require_tool("aarch64-linux-gnu-gcc", &[]) else {
        return;
    };
    let dir = work_dir();
    let (so, object) = (dir.join("libhello-arm64.so"), dir.join("hello-arm64.o"));
    let mut cmd = Command::new(&cc);
    cmd.args(["-shared", "-fPIC", "-o"])
        .arg(&so)
        .arg(dir.join("lib.c"));
    build(cmd);
    let mut cmd = Command::new(&cc);
    cmd.args(["-c", "-o"]).arg(&object).arg(dir.join("lib.c"));
    build(cmd);

    let out = stdout(mab().args(["verify", "--platform", "linux/arm64"]).arg(&so));
    assert!(
        out.contains("ARM aarch64 shared library, dynamically linked, needs 1 shared library"),
        "{out}"
    );
    let (code, _, err) = run(mab()
        .args(["verify", "--platform", "linux/arm64", "--static"])
        .arg(&so));
    assert_eq!(code, 1, "a shared library is loaded dynamically");
    assert!(err.contains("not statically linked"), "{err}");

    let (code, out, err) = run(mab()
        .args(["verify", "--json", "--platform", "linux/arm64"])
        .arg(&object));
    assert_eq!(code, 1, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["files"][0]["mismatches"],
        serde_json::json!(["kind"])
    );
    assert!(report["files"][0]["found"]
        .as_str()
        .unwrap()
        .contains("relocatable object"));
}

#[test]
fn unreadable_and_odd_paths_are_one_error_line_each() {
    let dir = work_dir().join("odd");
    std::fs::create_dir_all(&dir).unwrap();
    let good = &bin("C static aarch64-linux-gnu-gcc").path;
    let real = std::fs::read(good).unwrap();
    let fifo = dir.join("fifo");
    let mut cmd = Command::new("mkfifo");
    cmd.arg(&fifo);
    build(cmd);
    let (a, b) = (dir.join("loop-a"), dir.join("loop-b"));
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (dir.join("missing"), "no such file"),
        (dir.clone(), "not an executable or library: a directory"),
        (fifo, "not an executable or library: a FIFO (named pipe)"),
        (
            PathBuf::from("/dev/zero"),
            "not an executable or library: a device",
        ),
        (a, "too many levels of symbolic links"),
        (
            write("empty", b""),
            "not an executable or library: only 0 bytes long",
        ),
        (
            write("script", b"#!/bin/sh\necho hello\n"),
            "unknown format (starts with 23 21 2f 62 69 6e 2f 73)",
        ),
        (
            write("truncated", &real[..100]),
            "truncated or corrupt ELF file",
        ),
        (
            write("cut-segments", &real[..real.len() / 2]),
            "a segment reaches past the end of the file",
        ),
        (
            write("random", &random_bytes(4096, 7)),
            "not an executable or library: unknown format",
        ),
        (
            write(
                "archive",
                b"!<arch>\n/               0           0     0     0       4         `\n",
            ),
            "an ar archive",
        ),
    ];
    let (code, out, err) = run_bounded(
        mab()
            .args(["verify", "--platform", "linux/arm64"])
            .args(cases.iter().map(|(p, _)| p))
            .arg(good),
        Duration::from_secs(20),
    );
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), cases.len(), "one line per bad path:\n{err}");
    for ((path, want), line) in cases.iter().zip(lines) {
        assert!(
            line.starts_with(&format!("{}: ", path.display())) && line.contains(want),
            "{line:?} lacks {want:?}"
        );
    }
    assert!(
        out.starts_with(&format!("{}: ok: linux/arm64", good.display())),
        "{out}"
    );
}

#[test]
fn a_file_without_read_permission_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = work_dir().join("private");
    std::fs::create_dir_all(&dir).unwrap();
    let locked = dir.join("locked");
    std::fs::copy(&bin("C static aarch64-linux-gnu-gcc").path, &locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // root reads anything: drop to nobody for the check.
    let is_root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap();
    let mut cmd = if is_root {
        let Some(setpriv) = require_tool("setpriv", &[]) else {
            return;
        };
        // A copy in the temp dir: the build dir may sit under a home nobody cannot enter.
        let copy = dir.join("mab");
        std::fs::copy(mab_path(), &copy).unwrap();
        let mut cmd = clean(Command::new(setpriv));
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(copy);
        cmd
    } else {
        mab()
    };
    let (code, _, err) = run(cmd
        .args(["verify", "--platform", "linux/arm64"])
        .arg(&locked));
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        format!("{}: cannot read: permission denied\n", locked.display())
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["verify"][..],
        &["verify", "--bogus", "/bin/ls"],
        &["verify", "--platform", "linux/sparc", "/bin/ls"],
        &["verify", "--platform", "linux/arm/v7/x", "/bin/ls"],
    ] {
        let (code, _, err) = run(mab().args(args));
        assert_eq!(code, 2, "{args:?}: {err}");
    }
    let (code, _, err) = run(mab()
        .env("TARGETPLATFORM", "plan9/amd64")
        .args(["verify", "/bin/ls"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unsupported platform"), "{err}");
}

/// xorshift64: a deterministic stream, so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed);
    (0..n).map(|_| rng.next() as u8).collect()
}

/// Offsets where headers live: the first and last 8 KiB (ELF section headers sit at the end).
fn header_offsets(len: usize) -> Vec<usize> {
    let mut offsets: Vec<usize> = (0..len.min(8192))
        .chain(len.saturating_sub(8192)..len)
        .collect();
    offsets.dedup();
    offsets
}

#[test]
fn mutated_real_binaries_never_panic_the_header_reader() {
    const TARGET: u64 = 1_000_000;
    const LIMIT: Duration = Duration::from_secs(60);
    let samples: Vec<Vec<u8>> = [
        "C static arm-linux-gnueabihf-gcc",
        "C dynamic x86_64-linux-gnu-gcc",
        "C dynamic s390x-linux-gnu-gcc",
        "Rust x86_64-unknown-linux-musl",
        "Go windows/amd64",
        "Go darwin/arm64",
        "Go darwin universal (llvm-lipo)",
    ]
    .iter()
    .map(|name| std::fs::read(&bin(name).path).unwrap())
    .collect();
    let started = Instant::now();
    let mut count = 0u64;
    let mut feed = |bytes: &[u8]| {
        let _ = header::read(bytes);
        count += 1;
        count < TARGET && started.elapsed() < LIMIT
    };
    'all: {
        // Every truncation through the headers.
        for s in &samples {
            for n in header_offsets(s.len()) {
                if !feed(&s[..n]) {
                    break 'all;
                }
            }
        }
        // Every header byte set to values that break sizes, counts and offsets.
        for s in &samples {
            let mut m = s.clone();
            for i in header_offsets(s.len()) {
                for v in [0x00, 0xff, s[i] ^ 0x80, s[i].wrapping_add(1)] {
                    m[i] = v;
                    if !feed(&m) {
                        break 'all;
                    }
                }
                m[i] = s[i];
            }
        }
        // Random: several header bytes at once, then cut at a random length; and random bytes behind each
        // magic number the reader knows.
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let magics: [&[u8]; 6] = [
            b"\x7fELF\x01\x01\x01",
            b"\x7fELF\x02\x02\x01",
            b"MZ",
            b"\xcf\xfa\xed\xfe",
            b"\xca\xfe\xba\xbe",
            b"!<arch>\n",
        ];
        loop {
            let s = &samples[rng.below(samples.len())];
            let mut m = s.clone();
            let offsets = header_offsets(s.len());
            for _ in 0..1 + rng.below(16) {
                m[offsets[rng.below(offsets.len())]] = rng.next() as u8;
            }
            let cut = m.len() - rng.below(m.len().min(4096));
            if !feed(&m[..cut]) {
                break;
            }
            for _ in 0..64 {
                let magic = magics[rng.below(magics.len())];
                let mut junk = random_bytes(rng.below(2048), rng.next() | 1);
                junk.splice(0..0, magic.iter().copied());
                if !feed(&junk) {
                    break 'all;
                }
            }
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "verify: header reader took {count} mutated inputs in {:.1?} without a panic",
        started.elapsed()
    );
    assert!(count >= TARGET || started.elapsed() >= LIMIT);
}

#[test]
fn mutated_files_get_one_line_each_through_the_cli() {
    let dir = work_dir().join("mutants");
    std::fs::create_dir_all(&dir).unwrap();
    let real = std::fs::read(&bin("C static arm-linux-gnueabihf-gcc").path).unwrap();
    let mut rng = Rng(42);
    let paths: Vec<PathBuf> = (0..300)
        .map(|i| {
            let mut m = real.clone();
            if i % 2 == 0 {
                m.truncate(rng.below(4096));
            } else {
                for _ in 0..4 {
                    let at = rng.below(256);
                    m[at] = rng.next() as u8;
                }
            }
            let p = dir.join(format!("m{i}"));
            std::fs::write(&p, m).unwrap();
            p
        })
        .collect();
    let (code, out, err) = run_bounded(
        mab()
            .args(["verify", "--platform", "linux/arm/v7"])
            .args(&paths),
        Duration::from_secs(30),
    );
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        out.lines().count() + err.lines().count(),
        paths.len(),
        "{out}{err}"
    );
}

#[test]
fn xx_verify_native_and_flags() {
    assert_eq!(run(&mut applet("xx-verify")).0, 2);
    assert!(run(&mut applet("xx-verify")).2.contains("Usage"));
    assert_eq!(
        run(applet("xx-verify").arg("--setup")).0,
        0,
        "nothing to set up"
    );
    let (code, _, err) = run(applet("xx-verify").arg("--static"));
    assert!(code != 0 && err.contains("Usage"), "{err}");
    let (code, _, err) = run(applet("xx-verify").arg("--static2"));
    assert!(code != 0 && err.contains("invalid flag"), "{err}");

    // The machine's own binaries pass for its own platform; a distro's /bin/ls is dynamic.
    let (code, out, err) = run(applet("xx-verify").arg("/bin/ls"));
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    let (code, _, err) = run(applet("xx-verify").args(["--static", "/bin/ls"]));
    assert_eq!(code, 1);
    assert!(err.contains("not statically linked"), "{err}");
    let (code, _, err) = run(applet("xx-verify").args(["/bin/ls", "/idontexist"]));
    assert_eq!(code, 1);
    assert_eq!(err, "/idontexist: no such file\n");
}

#[test]
fn xx_verify_static_from_flag_or_environment() {
    let dynamic = &bin("C dynamic aarch64-linux-gnu-gcc").path;
    let fully = &bin("C static aarch64-linux-gnu-gcc").path;
    let static_pie = &bin("Rust x86_64-unknown-linux-musl").path;
    let xx = |platform: &str, env_static: bool| {
        let mut cmd = applet("xx-verify");
        cmd.env("TARGETPLATFORM", platform);
        if env_static {
            cmd.env("XX_VERIFY_STATIC", "1");
        }
        cmd
    };
    for env_static in [false, true] {
        let flag: &[&str] = if env_static { &[] } else { &["--static"] };
        let (code, _, err) = run(xx("linux/arm64", env_static).args(flag).arg(dynamic));
        assert_eq!(code, 1);
        assert!(
            err.contains("not statically linked, interpreter /lib/ld-linux-aarch64.so.1"),
            "{err}"
        );
        assert_eq!(
            run(xx("linux/arm64", env_static).args(flag).arg(fully)).0,
            0
        );
        assert_eq!(
            run(xx("linux/amd64", env_static).args(flag).arg(static_pie)).0,
            0,
            "static-pie is static"
        );
    }
}

#[test]
fn xx_verify_tells_oses_and_architectures_apart() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "Go darwin/amd64",
            &["darwin/amd64"],
            &["darwin/arm64", "linux/amd64", "windows/amd64"],
        ),
        (
            "Go darwin/arm64",
            &["darwin/arm64"],
            &["darwin/amd64", "linux/arm64"],
        ),
        (
            "Go windows/amd64",
            &["windows/amd64"],
            &["windows/arm64", "darwin/amd64", "linux/amd64"],
        ),
        (
            "Go windows/arm64",
            &["windows/arm64"],
            &["windows/amd64", "linux/arm64"],
        ),
        (
            "Go windows/386",
            &["windows/386"],
            &["windows/amd64", "linux/386"],
        ),
        (
            "Go linux/arm GOARM=7",
            &["linux/arm", "linux/arm/v6", "linux/arm/v7"],
            &["linux/arm64"],
        ),
        ("Go linux/386", &["linux/386"], &["linux/amd64"]),
        ("Go linux/riscv64", &["linux/riscv64"], &["linux/amd64"]),
        ("Go linux/loong64", &["linux/loong64"], &["linux/amd64"]),
        ("Go linux/s390x", &["linux/s390x"], &["linux/amd64"]),
        ("Go linux/ppc64le", &["linux/ppc64le"], &["linux/amd64"]),
        (
            "Go linux/mips64",
            &["linux/mips64"],
            &["linux/mips", "linux/mips64le", "linux/amd64"],
        ),
        ("Go linux/mips64le", &["linux/mips64le"], &["linux/mips64"]),
    ];
    for (name, pass, fail) in cases {
        let path = &bin(name).path;
        for (platforms, want) in [(pass, 0), (fail, 1)] {
            for platform in platforms.iter() {
                let (code, _, err) = run(applet("xx-verify")
                    .env("TARGETPLATFORM", platform)
                    .arg(path));
                assert_eq!(code, want, "{name} for {platform}: {err}");
            }
        }
    }
}

#[test]
fn a_huge_file_is_judged_by_its_headers_alone() {
    let huge = work_dir().join("huge");
    std::fs::copy(&bin("C static aarch64-linux-gnu-gcc").path, &huge).unwrap();
    // 64 GiB, sparse: reading it all would take minutes, the headers take microseconds.
    let file = std::fs::OpenOptions::new().write(true).open(&huge).unwrap();
    file.set_len(64 << 30).unwrap();
    drop(file);
    let (code, out, err) = run_bounded(
        mab()
            .args(["verify", "--json", "--platform", "linux/arm64"])
            .arg(&huge)
            .arg(work_dir().join("missing")),
        Duration::from_secs(10),
    );
    std::fs::remove_file(&huge).unwrap();
    assert_eq!(code, 1, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["files"][0]["ok"], true, "{out}");
    assert_eq!(
        report["files"][0]["platforms"],
        serde_json::json!(["linux/arm64"])
    );
    assert_eq!(report["files"][1]["ok"], false);
    assert_eq!(report["files"][1]["error"], "no such file");
    assert_eq!(report["ok"], false);
}

/// A minimal x86-64 executable made here byte by byte: one loadable segment that claims a few bytes more
/// than the file holds, inside the one page a loader maps. xx-verify judges it by its headers, as file(1)
/// does.
#[test]
fn a_segment_ending_in_the_last_page_is_not_cut_short() {
    let mut elf = Vec::new();
    elf.extend(b"\x7fELF\x02\x01\x01\x00");
    elf.extend([0u8; 8]);
    elf.extend(2u16.to_le_bytes()); // ET_EXEC
    elf.extend(62u16.to_le_bytes()); // EM_X86_64
    elf.extend(1u32.to_le_bytes());
    elf.extend(0x40_0078u64.to_le_bytes()); // entry
    elf.extend(64u64.to_le_bytes()); // program headers right after this header
    elf.extend(0u64.to_le_bytes()); // no section headers
    elf.extend(0u32.to_le_bytes());
    for half in [64u16, 56, 1, 0, 0, 0] {
        elf.extend(half.to_le_bytes());
    }
    elf.extend(1u32.to_le_bytes()); // PT_LOAD
    elf.extend(5u32.to_le_bytes()); // R+X
    elf.extend(0u64.to_le_bytes());
    elf.extend(0x40_0000u64.to_le_bytes());
    elf.extend(0x40_0000u64.to_le_bytes());
    let claimed = 64 + 56 + 16u64;
    elf.extend(claimed.to_le_bytes()); // filesz: past the file's 120 bytes
    elf.extend(claimed.to_le_bytes());
    elf.extend(0x1000u64.to_le_bytes());
    assert_eq!(elf.len(), 120);
    let dir = temp_path("verify-page");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tiny");
    std::fs::write(&file, &elf).unwrap();
    let mut cmd = applet("xx-verify");
    let (code, _, err) = run(cmd
        .arg("--static")
        .arg(&file)
        .env("TARGETPLATFORM", "linux/amd64"));
    assert_eq!(code, 0, "{err}");
    // A segment that needs a second page the file does not have is still a file cut short.
    let far = 4096 + 8u64;
    elf[64 + 32..64 + 40].copy_from_slice(&far.to_le_bytes());
    std::fs::write(&file, &elf).unwrap();
    let mut cmd = applet("xx-verify");
    let (code, _, err) = run(cmd.arg(&file).env("TARGETPLATFORM", "linux/amd64"));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("a segment reaches past the end of the file"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
