//! `mab cargo` / `xx-cargo`: real cross builds of examples/rust-hello and rust-cc with the real toolchain,
//! run under qemu-user.

use crate::common::*;
use crate::go::qemu;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// This run's scratch directory: copies of the examples (so examples/ stays clean) and one shared
/// CARGO_TARGET_DIR, so each crate is built once per run.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = temp_path("cargo");
        for name in ["rust-hello", "rust-cc"] {
            let from = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples")
                .join(name);
            copy_dir(&from, &dir.join(name));
        }
        dir
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "target" {
                copy_dir(&src, &dst);
            }
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

fn target_dir() -> PathBuf {
    scratch().join("target")
}

/// `cmd` (mab cargo or xx-cargo) for `platform` in the copy of `example`, without the developer's overrides.
fn cargo_env(mut cmd: Command, example: &str, platform: &str) -> Command {
    for (name, _) in std::env::vars() {
        if name.starts_with("CARGO_TARGET_") || name.starts_with("CC_") || name.starts_with("AR_") {
            cmd.env_remove(name);
        }
    }
    cmd.env_remove("RUSTFLAGS")
        .env("TARGETPLATFORM", platform)
        .env("CARGO_TARGET_DIR", target_dir())
        .current_dir(scratch().join(example));
    cmd
}

/// Builds `example` for `platform` (debug: speed does not matter) and returns the executable's path.
fn build(example: &str, platform: &str, extra_env: &[(&str, &str)]) -> PathBuf {
    let mut cmd = cargo_env(mab(), example, platform);
    cmd.envs(extra_env.iter().copied());
    let triple = stdout(
        mab()
            .args(["cargo", "--print-target-triple"])
            .envs(extra_env.iter().copied())
            .env("TARGETPLATFORM", platform),
    );
    let (code, _, err) = run(cmd.args(["cargo", "build"]));
    assert_eq!(
        code, 0,
        "mab cargo build {example} for {platform} failed:\n{err}"
    );
    target_dir().join(triple).join("debug").join(example)
}

fn check(example: &str, platform: &str, qemu_name: &str, gnu_triple: &str, arch: &str) {
    if require_tool(&format!("{gnu_triple}-gcc"), &[]).is_none() {
        return;
    }
    let bin = build(example, platform, &[]);
    if let Some(out) = qemu(qemu_name, Some(gnu_triple), &bin) {
        assert_eq!(out, format!("{example} {arch} 76127"));
    }
}

#[test]
fn hello_aarch64_gnu() {
    check(
        "rust-hello",
        "linux/arm64",
        "aarch64",
        "aarch64-linux-gnu",
        "aarch64",
    );
}

#[test]
fn hello_armv7() {
    check(
        "rust-hello",
        "linux/arm/v7",
        "arm",
        "arm-linux-gnueabihf",
        "arm",
    );
}

#[test]
fn hello_riscv64gc() {
    check(
        "rust-hello",
        "linux/riscv64",
        "riscv64",
        "riscv64-linux-gnu",
        "riscv64",
    );
}

#[test]
fn cc_aarch64() {
    check(
        "rust-cc",
        "linux/arm64",
        "aarch64",
        "aarch64-linux-gnu",
        "aarch64",
    );
}

#[test]
fn cc_armv7() {
    check(
        "rust-cc",
        "linux/arm/v7",
        "arm",
        "arm-linux-gnueabihf",
        "arm",
    );
}

/// musl needs no C toolchain: rust-lld links a static binary, which runs with no target libc at all. It
/// goes through --bin-dir, the target-independent artifact path.
#[test]
fn hello_aarch64_musl_to_bin_dir() {
    let mut env = cargo_env(mab(), "rust-hello", "linux/arm64");
    let printed = stdout(env.args(["cargo", "--print-env"]).env("XX_LIBC", "musl"));
    assert!(
        printed.contains("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld"),
        "{printed}"
    );

    let out = scratch().join("bin-musl");
    let mut cmd = cargo_env(mab(), "rust-hello", "linux/arm64");
    cmd.env("XX_LIBC", "musl")
        .args(["cargo", "build", "--bin-dir"])
        .arg(&out);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 0, "{err}");
    let bin = out.join("rust-hello");
    let elf = std::fs::read(&bin).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF");
    assert_eq!(u16::from_le_bytes([elf[18], elf[19]]), 183, "EM_AARCH64");
    if let Some(printed) = qemu("aarch64", None, &bin) {
        assert_eq!(printed, "rust-hello aarch64 76127");
    }
}

/// A crate with C code (the `cc` crate) for musl on Debian, which has no musl C toolchain: mab gives
/// the `cc` crate clang with the target, and rustc links with its own musl. Cross (run under qemu) and
/// native (the build machine's own platform, another libc).
#[test]
fn cc_musl_without_a_musl_toolchain() {
    if require_tool("clang", &[]).is_none() {
        return;
    }
    for (platform, qemu_name, arch) in [
        ("linux/arm64", Some("aarch64"), "aarch64"),
        ("linux/amd64", None, "x86_64"),
    ] {
        let bin = build("rust-cc", platform, &[("XX_LIBC", "musl")]);
        let elf = std::fs::read(&bin).unwrap();
        assert_eq!(&elf[..4], b"\x7fELF");
        let printed = match qemu_name {
            Some(name) => qemu(name, None, &bin),
            None => Some(stdout(&mut Command::new(&bin))),
        };
        if let Some(printed) = printed {
            assert_eq!(printed, format!("rust-cc {arch} 76127"));
        }
        let (code, out, err) = run(mab()
            .args(["verify", "--static", "--platform", platform])
            .arg(&bin));
        assert_eq!(code, 0, "{out}{err}");
    }
}

#[test]
fn print_target_triple() {
    let triple = |platform: &str, env: &[(&str, &str)]| {
        let mut cmd = mab();
        stdout(
            cmd.args(["cargo", "--print-target-triple"])
                .env("TARGETPLATFORM", platform)
                .envs(env.iter().copied()),
        )
    };
    assert_eq!(triple("linux/arm/v7", &[]), "armv7-unknown-linux-gnueabihf");
    assert_eq!(triple("linux/arm/v6", &[]), "arm-unknown-linux-gnueabi");
    assert_eq!(triple("linux/riscv64", &[]), "riscv64gc-unknown-linux-gnu");
    assert_eq!(triple("windows/amd64", &[]), "x86_64-pc-windows-gnu");
    let alpine = os_release("alpine");
    assert_eq!(
        triple(
            "linux/arm64",
            &[("MAB_OS_RELEASE", alpine.to_str().unwrap())]
        ),
        "aarch64-unknown-linux-musl"
    );
    assert_eq!(
        triple("linux/arm64", &[("XX_LIBC", "musl")]),
        "aarch64-unknown-linux-musl"
    );
    let mut xx = applet("xx-cargo");
    assert_eq!(
        stdout(xx.arg("--print-target-triple").env("TARGETARCH", "arm64")),
        "aarch64-unknown-linux-gnu"
    );
}

/// What mab sets for a gnu target: the cross gcc as linker and as the `cc` crate's compiler, pkg-config's
/// target paths, qemu as the runner; and nothing the user already set.
#[test]
fn print_env() {
    if require_tool("clang", &[]).is_none() {
        return;
    }
    let mut cmd = cargo_env(mab(), "rust-hello", "linux/arm/v7");
    let out = stdout(cmd.args(["cargo", "--print-env"]));
    // The linker and C compilers are mab's own wrappers, linked as xx-clang --setup-target-triple does.
    let wrapper = |tool: &str| format!("{}/arm-linux-gnueabihf-{tool}", bin_dir().display());
    for line in [
        format!("CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER={}", wrapper("clang")),
        format!("CC_armv7_unknown_linux_gnueabihf={}", wrapper("clang")),
        format!("CXX_armv7_unknown_linux_gnueabihf={}", wrapper("clang++")),
        "PKG_CONFIG_LIBDIR_armv7_unknown_linux_gnueabihf=/usr/lib/arm-linux-gnueabihf/pkgconfig:/usr/share/pkgconfig".into(),
        "PKG_CONFIG_ALLOW_CROSS=1".into(),
    ] {
        assert!(out.lines().any(|l| l == line), "{line} missing from:\n{out}");
    }
    assert!(
        out.contains("_RUNNER='") && out.contains("qemu-arm"),
        "{out}"
    );
    let mut cmd = cargo_env(mab(), "rust-hello", "linux/arm/v7");
    cmd.env(
        "CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER",
        "my-linker",
    )
    .env("TARGET_CC", "my-cc");
    let out = stdout(cmd.args(["cargo", "--print-env"]));
    assert!(
        !out.contains("_LINKER=") && !out.contains("CC_armv7"),
        "{out}"
    );
}

#[test]
fn errors() {
    // A gnu target with no C compiler to link with.
    let mut cmd = mab();
    let (code, _, err) = run(cmd
        .args(["cargo", "--print-env"])
        .env("TARGETPLATFORM", "linux/loong64"));
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot link loongarch64-unknown-linux-gnu: no C compiler for loongarch64-linux-gnu: install gcc-loongarch64-linux-gnu"), "{err}");
    // No std for the target and no rustup to add it: rustc itself, with rustup's directory off PATH.
    let sysroot = stdout(Command::new("rustc").args(["--print", "sysroot"]));
    let mut cmd = mab();
    cmd.args(["cargo", "--setup-target-triple"])
        .env("TARGETPLATFORM", "linux/s390x")
        .env("RUSTC", Path::new(&sysroot).join("bin/rustc"))
        .env("PATH", "/usr/bin:/bin");
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 2);
    assert!(err.contains("the Rust standard library for s390x-unknown-linux-gnu is missing and rustup is not installed: install rustup and run `rustup target add s390x-unknown-linux-gnu`"), "{err}");
    // Debian's std is installed only for Debian's own rustc (sysroot /usr), which this one is not: named.
    assert!(
        err.contains(", or Debian's rustc with libstd-rust-dev:s390x"),
        "{err}"
    );
    // A --target that is not the target platform.
    let mut cmd = mab();
    let (code, _, err) = run(cmd
        .args(["cargo", "build", "--target", "x86_64-unknown-linux-gnu"])
        .env("TARGETPLATFORM", "linux/arm64"));
    assert_eq!(code, 2);
    assert!(err.contains("is not linux/arm64"), "{err}");
}

/// Without cargo, xx-cargo says so in the shell's words, which scripts written for xx look for.
#[test]
fn missing_cargo_is_not_found() {
    let empty = temp_path("no-cargo");
    std::fs::create_dir_all(&empty).unwrap();
    let mut cmd = applet("xx-cargo");
    let (code, _, err) = run(cmd
        .arg("--version")
        .env("TARGETPLATFORM", "linux/amd64")
        .env("PATH", &empty));
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cargo: not found on PATH: install Rust"),
        "{err}"
    );
    // Printing the triple needs no cargo.
    let mut cmd = applet("xx-cargo");
    let out = stdout(
        cmd.arg("--print-target-triple")
            .env("TARGETPLATFORM", "linux/arm64")
            .env("PATH", &empty),
    );
    assert_eq!(out, "aarch64-unknown-linux-gnu");
}

/// cargo's own exit code passes through.
#[test]
fn exit_code_passes_through() {
    let mut cmd = cargo_env(mab(), "rust-hello", "linux/amd64");
    let (code, _, err) = run(cmd.args([
        "cargo",
        "build",
        "--manifest-path",
        "/nonexistent/Cargo.toml",
    ]));
    assert_eq!(code, 101, "{err}");
}

/// `--print-env` only prints: the `<triple>-clang` links it names are made when the tool runs, not before.
#[test]
fn print_env_leaves_the_link_directory_untouched() {
    if require_tool("clang", &[]).is_none() {
        return;
    }
    let dir = scratch().join("print-env-links");
    let _ = std::fs::remove_dir_all(&dir);
    for args in [&["cargo", "--print-env"][..], &["go", "--print-env"]] {
        let mut cmd = cargo_env(mab(), "rust-hello", "linux/arm64");
        let out = stdout(cmd.args(args).env("MAB_BIN_DIR", &dir));
        let clang = format!("{}/aarch64-linux-gnu-clang", dir.display());
        assert!(
            out.contains(&clang),
            "{args:?} names the link it would use:\n{out}"
        );
        assert!(!dir.exists(), "{args:?} wrote {}", dir.display());
    }
}

/// A link the run needs that cannot be made is an error that names it, not a quietly different compiler.
#[test]
fn a_link_that_cannot_be_made_is_an_error() {
    if require_tool("clang", &[]).is_none() {
        return;
    }
    let file = scratch().join("not-a-directory");
    std::fs::write(&file, "").unwrap();
    for args in [&["cargo", "build"][..], &["go", "build", "."]] {
        let mut cmd = cargo_env(mab(), "rust-hello", "linux/arm64");
        let (code, _, err) = run(cmd.args(args).env("MAB_BIN_DIR", file.join("bin")));
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("cannot create") && err.contains("not-a-directory"),
            "{args:?}: {err}"
        );
    }
}

/// One answer for where pkg-config finds the target's libraries: Debian's multiarch directory of
/// toolchains/cc.toml (never the triple, whatever XX_VENDOR spells), in every command that says it.
#[test]
fn pkg_config_dirs_agree() {
    if require_tool("clang", &[]).is_none() {
        return;
    }
    let platforms = mab::core::table::PLATFORMS
        .iter()
        .filter(|r| r.os == "linux" && r.cc.is_some());
    for row in platforms {
        let platform = mab::core::platform::Platform {
            row,
            variant: row.variant,
        }
        .to_string();
        if platform == "linux/amd64" {
            continue; // native: the build machine's own pkg-config is right
        }
        let multiarch = row.cc.as_ref().unwrap().multiarch;
        let want = format!("/usr/lib/{multiarch}/pkgconfig:/usr/share/pkgconfig");
        for vendor in [None, Some("unknown")] {
            let answers = |args: &[&str]| {
                let mut cmd = cargo_env(mab(), "rust-hello", &platform);
                cmd.args(args).env_remove("PKG_CONFIG");
                if let Some(v) = vendor {
                    cmd.env("XX_VENDOR", v);
                }
                let (code, out, err) = run(&mut cmd);
                if code != 0 {
                    // A platform whose toolchain is not installed says what to install, on one line.
                    assert!(err.contains("install"), "{args:?} {platform}: {err}");
                    assert_eq!(err.lines().count(), 1, "{err}");
                }
                out
            };
            let mut found = Vec::new();
            let cmake = answers(&["cmake-toolchain"]);
            found.extend(cmake.lines().filter_map(|l| {
                l.strip_prefix("set(ENV{PKG_CONFIG_LIBDIR} \"")
                    .map(|v| ("cmake-toolchain", v.trim_end_matches("\")").to_string()))
            }));
            let meson = answers(&["meson-cross"]);
            found.extend(meson.lines().filter_map(|l| {
                let dirs = l.strip_prefix("pkg_config_libdir = [")?;
                let dirs: Vec<&str> = dirs
                    .trim_end_matches(']')
                    .split(", ")
                    .map(|d| d.trim_matches('\''))
                    .collect();
                Some(("meson-cross", dirs.join(":")))
            }));
            for args in [&["cargo", "--print-env"][..], &["go", "--print-env"]] {
                let out = answers(args);
                found.extend(out.lines().filter_map(|l| {
                    let (k, v) = l.split_once('=')?;
                    k.starts_with("PKG_CONFIG_LIBDIR")
                        .then(|| (args[0], v.trim_matches('\'').to_string()))
                }));
            }
            // mips has no cross toolchain in the test set, and Debian's binutils have no vendor in their
            // names: there every command says what to install.
            assert!(
                !found.is_empty() || platform.contains("mips") || vendor.is_some(),
                "{platform}: no command printed pkg-config's directories"
            );
            for (command, dirs) in found {
                assert_eq!(dirs, want, "{command} for {platform}, XX_VENDOR={vendor:?}");
            }
        }
    }
}

/// MAB_SYSROOT reaches cargo as it reaches the C wrappers and the build-system files: pkg-config reads
/// the sysroot's .pc files, and the runner takes its loader and libraries.
#[test]
fn sysroot_reaches_pkg_config_and_runner() {
    let root = temp_path("cargo-sysroot");
    std::fs::create_dir_all(&root).unwrap();
    let root = root.display().to_string();
    let mut cmd = cargo_env(mab(), "rust-hello", "linux/arm64");
    let out = stdout(cmd.args(["cargo", "--print-env"]).env("MAB_SYSROOT", &root));
    let libdir = format!(
        "PKG_CONFIG_LIBDIR_aarch64_unknown_linux_gnu={root}/usr/lib/aarch64-linux-gnu/pkgconfig:"
    );
    assert!(out.lines().any(|l| l.starts_with(&libdir)), "{out}");
    if require_tool("qemu-aarch64-static", &[]).is_some() {
        let runner = format!("_RUNNER='qemu-aarch64-static -L {root} -E LD_LIBRARY_PATH=/lib'");
        assert!(out.contains(&runner), "{out}");
    }
}
