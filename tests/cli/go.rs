//! `mab go` / `xx-go`: real cross builds of examples/go-hello and go-cgo with the real Go toolchain, run
//! under qemu-user; Windows and macOS outputs checked by their headers.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// This run's scratch directory: Go's build cache (shared by every test in the run) and the binaries.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = temp_path("go");
        std::fs::create_dir_all(dir.join("out")).unwrap();
        dir
    })
}

/// The directory holding the Go the suite uses, put first on PATH so mab finds that one.
fn go_dir() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let go = require_tool("go", &["/usr/lib/go-1.23/bin/go"])?;
        Some(go.parent().unwrap().to_path_buf())
    })
    .clone()
}

/// `cmd` (mab go or xx-go) set up to build for `platform` in `example`, with the run's Go cache.
fn go_env(mut cmd: Command, platform: &str) -> Option<Command> {
    let dir = go_dir()?;
    let path = std::env::join_paths(std::iter::once(dir).chain(std::env::split_paths(test_path())))
        .unwrap();
    for var in [
        "GOOS",
        "GOARCH",
        "GOARM",
        "GOAMD64",
        "CGO_ENABLED",
        "CC",
        "CXX",
        "GOFLAGS",
        "GOENV",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("TARGETPLATFORM", platform)
        .env("PATH", path)
        .env("GOCACHE", scratch().join("gocache"))
        .env("GOTOOLCHAIN", "local");
    Some(cmd)
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// Builds `example` for `platform` with `mab go build` and returns the binary (a fresh `-o` path outside
/// examples/, so the tree stays clean).
pub fn build(example_name: &str, platform: &str) -> Option<PathBuf> {
    let out = scratch()
        .join("out")
        .join(format!("{example_name}-{}", platform.replace('/', "-")));
    let mut cmd = go_env(mab(), platform)?;
    if example_name.contains("cgo") {
        // Go leaves cgo off when cross-compiling, and so does mab: a cgo build asks for it.
        cmd.env("CGO_ENABLED", "1");
    }
    cmd.current_dir(example(example_name))
        .arg("go")
        .arg("build")
        .arg("-o")
        .arg(&out)
        .arg(".");
    let (code, _, err) = run(&mut cmd);
    assert_eq!(
        code, 0,
        "mab go build {example_name} for {platform} failed:\n{err}"
    );
    Some(out)
}

/// Runs `bin` under `qemu-<qemu>-static` and returns stdout; `glibc` is the Debian triple of a binary
/// dynamically linked against the target's glibc.
pub fn qemu(qemu: &str, glibc: Option<&str>, bin: &Path) -> Option<String> {
    let root = glibc.map(cross_root);
    run_under_qemu(qemu, None, root.as_deref(), bin)
}

fn check_hello(platform: &str, qemu_name: &str, goarch: &str) {
    let Some(bin) = build("go-hello", platform) else {
        return;
    };
    if let Some(out) = qemu(qemu_name, None, &bin) {
        assert_eq!(out, format!("go-hello {goarch} 76127"), "{platform}");
    }
}

#[test]
fn hello_arm64() {
    check_hello("linux/arm64", "aarch64", "arm64");
}

#[test]
fn hello_armv6() {
    check_hello("linux/arm/v6", "arm", "arm");
}

#[test]
fn hello_armv7() {
    check_hello("linux/arm/v7", "arm", "arm");
}

#[test]
fn hello_riscv64() {
    check_hello("linux/riscv64", "riscv64", "riscv64");
}

#[test]
fn hello_ppc64le() {
    check_hello("linux/ppc64le", "ppc64le", "ppc64le");
}

#[test]
fn hello_s390x() {
    check_hello("linux/s390x", "s390x", "s390x");
}

#[test]
fn hello_mips64le() {
    check_hello("linux/mips64le", "mips64el", "mips64le");
}

#[test]
fn hello_loong64() {
    check_hello("linux/loong64", "loongarch64", "loong64");
}

/// cgo needs the C cross compiler mab picks; the binaries are dynamic, so qemu gets the target's libc.
fn check_cgo(platform: &str, qemu_name: &str, gnu_triple: &str, goarch: &str) {
    let Some(bin) = build("go-cgo", platform) else {
        return;
    };
    if let Some(out) = qemu(qemu_name, Some(gnu_triple), &bin) {
        assert_eq!(out, format!("go-cgo {goarch} 76127"), "{platform}");
    }
}

#[test]
fn cgo_arm64() {
    check_cgo("linux/arm64", "aarch64", "aarch64-linux-gnu", "arm64");
}

#[test]
fn cgo_armv7() {
    check_cgo("linux/arm/v7", "arm", "arm-linux-gnueabihf", "arm");
}

#[test]
fn cgo_riscv64() {
    check_cgo("linux/riscv64", "riscv64", "riscv64-linux-gnu", "riscv64");
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// Pure-Go targets need no C toolchain: a PE file with the right machine for Windows.
#[test]
fn windows_pe() {
    for (platform, machine) in [("windows/amd64", 0x8664), ("windows/arm64", 0xaa64)] {
        let Some(bin) = build("go-hello", platform) else {
            return;
        };
        let b = std::fs::read(&bin).unwrap();
        assert_eq!(&b[..2], b"MZ", "{platform}");
        let pe = u32_at(&b, 0x3c) as usize;
        assert_eq!(&b[pe..pe + 4], b"PE\0\0", "{platform}");
        assert_eq!(u16_at(&b, pe + 4), machine, "{platform}");
    }
}

/// ... and a 64-bit Mach-O file with the right CPU type for macOS.
#[test]
fn darwin_macho() {
    for (platform, cpu) in [("darwin/amd64", 0x0100_0007), ("darwin/arm64", 0x0100_000c)] {
        let Some(bin) = build("go-hello", platform) else {
            return;
        };
        let b = std::fs::read(&bin).unwrap();
        assert_eq!(u32_at(&b, 0), 0xfeed_facf, "{platform}");
        assert_eq!(u32_at(&b, 4), cpu, "{platform}");
    }
}

/// What mab adds, without running go: the tables' values, the C compiler, the user's values kept.
#[test]
fn print_env() {
    let env_of = |platform: &str, user: &[(&str, &str)]| {
        let mut cmd = mab();
        cmd.args(["go", "--print-env"])
            .env("TARGETPLATFORM", platform);
        for var in ["GOOS", "GOARCH", "GOARM", "GOMIPS", "CGO_ENABLED", "CC"] {
            cmd.env_remove(var);
        }
        cmd.envs(user.iter().copied());
        stdout(&mut cmd)
    };
    assert_eq!(
        env_of("linux/arm/v6", &[("CGO_ENABLED", "0")]),
        "GOOS=linux\nGOARCH=arm\nGOARM=6"
    );
    assert_eq!(
        env_of("linux/mips/softfloat", &[("CGO_ENABLED", "0")]),
        "GOOS=linux\nGOARCH=mips\nGOMIPS=softfloat"
    );
    // No C toolchain for ARM Windows (Debian has no MinGW-w64 for it): no CC. windows/amd64's is below.
    assert_eq!(env_of("windows/arm64", &[]), "GOOS=windows\nGOARCH=arm64");
    assert_eq!(
        env_of(
            "linux/arm/v7",
            &[("GOARM", "6"), ("CGO_ENABLED", "0"), ("GOOS", "linux")]
        ),
        "GOARCH=arm"
    );
    if require_tool("clang", &[]).is_some() {
        // cgo stays Go's choice (off when cross-compiling); CGO_ENABLED=1 compiles with mab's own
        // wrapper, linked as xx-clang --setup-target-triple does.
        let out = env_of("linux/arm64", &[]);
        assert!(!out.contains("CGO_ENABLED"), "{out}");
        let cc = format!(
            "GOARCH=arm64\nCC={}/aarch64-linux-gnu-clang\n",
            bin_dir().display()
        );
        assert!(out.contains(&cc), "{out}");
        if require_tool("x86_64-w64-mingw32-gcc", &[]).is_some() {
            let out = env_of("windows/amd64", &[]);
            let cc = format!(
                "GOAMD64=v1\nCC={}/x86_64-w64-mingw32-clang\n",
                bin_dir().display()
            );
            assert!(out.contains(&cc), "{out}");
        }
    }
}

/// A native build names clang's wrapper as cgo's compiler, so images with clang and no gcc build cgo
/// code; cgo itself stays Go's choice.
#[test]
fn native_cgo_uses_clang() {
    if require_tool("clang", &[]).is_none() {
        return;
    }
    let mut cmd = mab();
    cmd.args(["go", "--print-env"])
        .env("TARGETPLATFORM", "linux/amd64")
        .env_remove("CC")
        .env_remove("CXX")
        .env_remove("CGO_ENABLED");
    let out = stdout(&mut cmd);
    let cc = out.lines().find_map(|l| l.strip_prefix("CC="));
    assert!(
        cc.is_some_and(|cc| cc.ends_with("x86_64-linux-gnu-clang")),
        "{out}"
    );
    assert!(!out.contains("CGO_ENABLED="), "{out}");
    let mut cmd = mab();
    cmd.args(["go", "--print-env"])
        .env("TARGETPLATFORM", "linux/amd64")
        .env("CC", "gcc");
    let out = stdout(&mut cmd);
    assert!(!out.contains("CC="), "a user's CC keeps its own CXX: {out}");
}

/// xx-go is `go` with the target's environment: `xx-go env` shows it, as xx's tests check.
#[test]
fn xx_go_env() {
    let Some(mut cmd) = go_env(applet("xx-go"), "linux/arm/v6") else {
        return;
    };
    let out = stdout(cmd.args(["env", "GOOS", "GOARCH", "GOARM", "GOHOSTARCH"]));
    assert_eq!(out, "linux\narm\n6\namd64");
}

/// Under xx-go, `go env` names the compiler links bare, as xx's do, when their directory is on PATH.
#[test]
fn xx_go_env_names_bare_links() {
    if require_tool("clang", &[]).is_none() {
        return;
    }
    let Some(mut cmd) = go_env(applet("xx-go"), "linux/arm64") else {
        return;
    };
    let path = std::env::join_paths(
        std::iter::once(bin_dir().to_path_buf()).chain(std::env::split_paths(
            &cmd.get_envs()
                .find(|(k, _)| *k == "PATH")
                .unwrap()
                .1
                .unwrap(),
        )),
    )
    .unwrap();
    let out = stdout(
        cmd.env("PATH", path)
            .env("CGO_ENABLED", "1")
            .args(["env", "CC", "CXX"]),
    );
    assert_eq!(out, "aarch64-linux-gnu-clang\naarch64-linux-gnu-clang++");
    assert!(bin_dir().join("aarch64-linux-gnu-clang").exists());
}

/// `--wrap` makes a plain `go` build for the target through go's env file; `--unwrap` undoes it.
#[test]
fn xx_go_wrap_unwrap() {
    let Some(dir) = go_dir() else { return };
    let goenv = scratch().join("wrap-goenv");
    let plain_goarch = || {
        let mut cmd = Command::new(dir.join("go"));
        cmd.args(["env", "GOARCH"])
            .env("GOENV", &goenv)
            .env("GOTOOLCHAIN", "local")
            .env_remove("GOARCH");
        stdout(&mut cmd)
    };
    assert_eq!(plain_goarch(), "amd64");
    let mut wrap = go_env(applet("xx-go"), "linux/arm64").unwrap();
    stdout(wrap.arg("--wrap").env("GOENV", &goenv));
    assert_eq!(plain_goarch(), "arm64");
    let mut unwrap = go_env(applet("xx-go"), "linux/arm64").unwrap();
    stdout(unwrap.arg("--unwrap").env("GOENV", &goenv));
    assert_eq!(plain_goarch(), "amd64");
}

#[test]
fn errors() {
    // cgo asked for, but no C compiler for the target: one line saying what to install.
    let mut cmd = mab();
    cmd.args(["go", "--print-env"])
        .env("TARGETPLATFORM", "linux/loong64")
        .env("CGO_ENABLED", "1");
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("CGO_ENABLED=1 but no C compiler for loongarch64-linux-gnu: install gcc-loongarch64-linux-gnu"), "{err}");
    let mut cmd = mab();
    let (code, _, err) = run(cmd
        .args(["go", "version"])
        .env("TARGETPLATFORM", "linux/sparc"));
    assert_eq!(code, 2);
    assert!(err.contains("unsupported platform"), "{err}");
}

/// go's own exit code passes through.
#[test]
fn exit_code_passes_through() {
    let Some(mut cmd) = go_env(mab(), "linux/arm64") else {
        return;
    };
    cmd.current_dir(example("go-hello")).args([
        "go",
        "build",
        "-o",
        "/dev/null",
        "./no-such-package",
    ]);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 1, "{err}");
}

/// `mab go` and `xx-go` set up to build for `platform`, each with its name; none without Go.
fn under_both_names(platform: &str) -> Vec<(&'static str, Command)> {
    let mut mab_go = mab();
    mab_go.arg("go");
    [("mab go", mab_go), ("xx-go", applet("xx-go"))]
        .into_iter()
        .filter_map(|(name, cmd)| Some((name, go_env(cmd, platform)?)))
        .collect()
}

/// A pure-Go program that imports net and os/user, which have cgo and Go versions: Go builds it static
/// when cross-compiling, and so must mab under both names, with CGO_ENABLED unset and a C cross compiler
/// installed (a dynamic binary fails at start on a scratch or distroless/static base).
#[test]
fn net_and_user_build_static_under_both_names() {
    let src = scratch().join("net-user");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("go.mod"),
        "module example.com/netuser\n\ngo 1.21\n",
    )
    .unwrap();
    std::fs::write(
        src.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"net\"\n\t\"os/user\"\n)\n\nfunc main() {\n\t\
         _, err := user.Current()\n\tfmt.Println(err == nil, net.ParseIP(\"::1\").IsLoopback())\n}\n",
    )
    .unwrap();
    require_tool("aarch64-linux-gnu-gcc", &[]);
    for (name, mut cmd) in under_both_names("linux/arm64") {
        let out = scratch()
            .join("out")
            .join(format!("net-user-{}", name.replace(' ', "-")));
        let (code, _, err) = run(cmd
            .current_dir(&src)
            .arg("build")
            .arg("-o")
            .arg(&out)
            .arg("."));
        assert_eq!(code, 0, "{name}: {err}");
        assert!(
            !err.contains("cgo"),
            "{name}: net and os/user need no cgo: {err}"
        );
        let (code, verdict, err) = run(mab()
            .args(["verify", "--static", "--platform", "linux/arm64"])
            .arg(&out));
        assert_eq!(code, 0, "{name} built a dynamic binary: {verdict}{err}");
    }
}

/// A package with its own `import "C"`, with CGO_ENABLED unset: Go leaves cgo off, so the build fails;
/// `mab go` says first, in one line, which package has cgo files and the flag to set. xx-go says nothing of
/// its own, as xx's.
#[test]
fn cgo_files_without_cgo_name_the_flag() {
    for (name, mut cmd) in under_both_names("linux/arm64") {
        let out = scratch().join("out").join("cgo-unset");
        let (code, _, err) = run(cmd
            .current_dir(example("go-cgo"))
            .arg("build")
            .arg("-o")
            .arg(&out)
            .arg("."));
        assert_ne!(code, 0, "{name}: {err}");
        let ours: Vec<&str> = err.lines().filter(|l| l.starts_with("mab go:")).collect();
        if name == "mab go" {
            assert_eq!(
                ours,
                [
                    "mab go: example.com/go-cgo has cgo files, and Go leaves cgo off when \
                  cross-compiling: set CGO_ENABLED=1 to build them"
                ],
                "{err}"
            );
        } else {
            assert!(ours.is_empty(), "{err}");
        }
    }
}
