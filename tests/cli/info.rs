//! `mab info`: strict, scriptable target values.

use crate::common::*;
use std::process::Command;

fn info(platform: &str, args: &[&str]) -> String {
    stdout(mab().env("TARGETPLATFORM", platform).arg("info").args(args))
}

#[test]
fn default_field_is_the_c_triple() {
    assert_eq!(info("linux/arm64", &[]), "aarch64-linux-gnu");
    assert_eq!(info("linux/arm64", &["debian-arch"]), "arm64");
    assert_eq!(
        info("linux/arm/v7", &["rust-triple"]),
        "armv7-unknown-linux-gnueabihf"
    );
    assert_eq!(info("linux/arm/v6", &["goarm"]), "6");
    assert_eq!(info("linux/riscv64", &["qemu"]), "riscv64");
    assert_eq!(info("linux/amd64/v3", &["goamd64"]), "v3");
    assert_eq!(info("linux/ppc64le", &["ld-so"]), "/lib64/ld64.so.2");
}

#[test]
fn aliases_are_normalised() {
    assert_eq!(info("linux/aarch64", &["platform"]), "linux/arm64");
    assert_eq!(info("linux/armhf", &["platform"]), "linux/arm/v7");
    assert_eq!(info("arm64", &["platform"]), "linux/arm64");
}

#[test]
fn targetos_targetarch_targetvariant() {
    let out = stdout(
        mab()
            .env("TARGETARCH", "arm")
            .env("TARGETVARIANT", "v6")
            .args(["info", "platform"]),
    );
    assert_eq!(out, "linux/arm/v6");
    let out = stdout(
        mab()
            .env("TARGETPAIR", "linux-armv5")
            .args(["info", "platform"]),
    );
    assert_eq!(out, "linux/arm/v5");
    let out = stdout(mab().env("TARGETPLATFORM", "linux/s390x").args([
        "info",
        "--platform",
        "linux/386",
        "arch",
    ]));
    assert_eq!(out, "386", "--platform wins over TARGETPLATFORM");
}

/// autotools' `--build` is the build machine's triple, spelled as the build distro spells it, whatever OS
/// the target runs.
#[test]
fn build_triple_is_the_build_machines() {
    let debian = os_release("debian");
    let alpine = os_release("alpine");
    for (release, target, want) in [
        (&debian, "darwin/arm64", "x86_64-linux-gnu"),
        (&debian, "windows/386", "x86_64-linux-gnu"),
        (&debian, "linux/riscv64", "x86_64-linux-gnu"),
        (&alpine, "darwin/amd64", "x86_64-alpine-linux-musl"),
    ] {
        let out = stdout(
            mab()
                .env("MAB_OS_RELEASE", release)
                .env("BUILDPLATFORM", "linux/amd64")
                .env("TARGETPLATFORM", target)
                .env("XX_VENDOR", "acme")
                .args(["info", "build-triple"]),
        );
        assert_eq!(out, want, "{target}");
    }
}

#[test]
fn alpine_build_machine() {
    let alpine = os_release("alpine");
    let out = stdout(
        mab()
            .env("MAB_OS_RELEASE", &alpine)
            .env("TARGETPLATFORM", "linux/arm/v7")
            .args(["info", "--json"]),
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["triple"], "armv7-alpine-linux-musleabihf");
    assert_eq!(json["pkg-arch"], "armv7");
    assert_eq!(json["rust-triple"], "armv7-unknown-linux-musleabihf");
    assert_eq!(json["sysroot"], "/armv7-alpine-linux-musleabihf/");
    assert_eq!(json["is-cross"], true);
}

#[test]
fn json_lists_every_field_with_null_where_it_does_not_apply() {
    let json: serde_json::Value =
        serde_json::from_str(&info("windows/amd64", &["--json"])).unwrap();
    assert_eq!(json["triple"], "x86_64-w64-mingw32");
    assert_eq!(json["goos"], "windows");
    assert!(json["debian-arch"].is_null());
    assert!(json["ld-so"].is_null());
    let (code, _, err) = run(mab()
        .env("TARGETPLATFORM", "windows/amd64")
        .args(["info", "debian-arch"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("debian-arch does not apply to windows/amd64"),
        "{err}"
    );
}

/// The README's `eval "$(mab info env)"` line, in a real shell.
#[test]
fn env_lines_eval_in_sh() {
    let mut sh = clean_env(Command::new("sh"));
    // After clean(), which sets the tests' PATH: `mab` must be the binary under test.
    sh.env("PATH", format!("{}:/usr/bin:/bin", mab_path().parent().unwrap().display()))
        .args(["-c", r#"eval "$(mab info env)" && echo "$MAB_GOARCH $XX_TRIPLE $MAB_RUST_TRIPLE $TARGETVARIANT.""#]);
    assert_eq!(
        stdout(&mut sh),
        "arm64 aarch64-linux-gnu aarch64-unknown-linux-gnu ."
    );
}

fn clean_env(cmd: Command) -> Command {
    let mut cmd = clean(cmd);
    cmd.env("TARGETPLATFORM", "linux/arm64");
    cmd
}

#[test]
fn is_cross_is_an_exit_code() {
    let host = stdout(mab().args(["info", "platform"]));
    assert_eq!(run(mab().args(["info", "is-cross"])).0, 1);
    assert_eq!(
        run(mab()
            .env("TARGETPLATFORM", &host)
            .args(["info", "is-cross"]))
        .0,
        1
    );
    let other = if host == "linux/arm64" {
        "linux/amd64"
    } else {
        "linux/arm64"
    };
    assert_eq!(
        run(mab()
            .env("TARGETPLATFORM", other)
            .args(["info", "is-cross"]))
        .0,
        0
    );
}

#[test]
fn bad_input_is_a_clear_error_with_exit_2() {
    for (var, value, says) in [
        (
            "TARGETPLATFORM",
            "linux/ppc64",
            "unsupported platform \"linux/ppc64\"",
        ),
        (
            "TARGETPLATFORM",
            "linux/$(reboot)",
            "expected os/arch[/variant]",
        ),
        (
            "TARGETPLATFORM",
            "linux//arm64",
            "expected os/arch[/variant]",
        ),
        (
            "TARGETARCH",
            "arm64; rm -rf /",
            "expected os/arch[/variant]",
        ),
        ("TARGETPAIR", "linux", "expected os/arch[/variant]"),
        ("BUILDPLATFORM", "nope", "BUILDPLATFORM"),
        ("XX_VENDOR", "a b", "XX_VENDOR"),
        ("ARM_TARGET_ARCH", "banana", "not a CPU architecture"),
    ] {
        let (code, out, err) = run(mab().env(var, value).arg("info"));
        assert_eq!(code, 2, "{var}={value}: {out} {err}");
        assert!(out.is_empty(), "nothing on stdout for {var}={value}: {out}");
        assert!(err.contains(says), "{var}={value}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    let (code, _, err) = run(mab().args(["info", "nonsense"]));
    assert_eq!(code, 2);
    assert!(err.contains("possible values"), "{err}");
}

/// A `TARGETVARIANT` alone is a variant of the build machine's architecture: taken where that arch has it,
/// an error saying so where it has not, never dropped.
#[test]
fn targetvariant_alone_is_the_build_archs_variant() {
    let out = stdout(
        mab()
            .env("BUILDPLATFORM", "linux/amd64")
            .env("TARGETVARIANT", "v3")
            .args(["info", "platform"]),
    );
    assert_eq!(out, "linux/amd64/v3");
    let out = stdout(
        mab()
            .env("BUILDPLATFORM", "linux/arm/v7")
            .env("TARGETVARIANT", "v6")
            .args(["info", "platform"]),
    );
    assert_eq!(out, "linux/arm/v6");
    let (code, out, err) = run(mab()
        .env("BUILDPLATFORM", "linux/amd64")
        .env("TARGETVARIANT", "v7")
        .arg("info"));
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("TARGETVARIANT \"v7\" without TARGETARCH is a variant of the build machine's architecture, linux/amd64")
            && err.contains("linux/amd64 has no variant \"v7\""),
        "{err}"
    );
}

/// An unsupported platform names the rule it broke and the nearest platforms, on one line, not all 37.
#[test]
fn unsupported_platform_says_did_you_mean() {
    let (code, _, err) = run(mab().env("TARGETPLATFORM", "linux/arm/v9").arg("info"));
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "unsupported platform \"linux/arm/v9\": linux/arm has no variant \"v9\" (it has v7, v6, v5); \
             did you mean linux/arm/v7, linux/arm/v6 or linux/arm64?"
        ),
        "{err}"
    );
    assert!(!err.contains("darwin"), "not the whole list: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let (_, _, err) = run(mab().args(["info", "--platform", "freebsd/amd64"]));
    assert!(err.contains("mab knows no OS \"freebsd\""), "{err}");
    assert!(err.contains("did you mean linux/amd64"), "{err}");
}

#[test]
fn garbage_os_release_is_named() {
    let path = temp_path("bad-os-release");
    std::fs::write(&path, "ID=\"deb ian$(id)\"\n").unwrap();
    let (code, _, err) = run(mab().env("MAB_OS_RELEASE", &path).arg("info"));
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("{} (named by MAB_OS_RELEASE)", path.display()))
            && err.contains("ID="),
        "{err}"
    );
}

/// A file MAB_OS_RELEASE names that cannot be read is an error naming it, never the answers of an unknown
/// distro (x86_64-unknown-linux-gnu where Debian's is x86_64-linux-gnu).
#[test]
fn unreadable_os_release_is_an_error_naming_it() {
    for args in [&["info"][..], &["xx-info", "triple"]] {
        let (code, out, err) = run(mab().env("MAB_OS_RELEASE", "/nonexistent").args(args));
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("MAB_OS_RELEASE: cannot read /nonexistent"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn closed_stdout_is_not_an_error() {
    let mut child = mab()
        .args(["info", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before mab writes
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn platforms_lists_every_supported_platform() {
    let out = stdout(mab().arg("platforms"));
    for p in [
        "linux/amd64",
        "linux/amd64/v3",
        "linux/arm/v5",
        "linux/loong64",
        "windows/arm64",
        "darwin/arm64",
    ] {
        assert!(out.lines().any(|l| l == p), "{p} missing from:\n{out}");
    }
}
