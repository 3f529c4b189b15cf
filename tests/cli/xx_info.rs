//! `xx-info`: mab through the name of tonistiigi/xx's tool must answer as xx does, leniency included.

use crate::common::*;

fn xx(vars: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut cmd = applet("xx-info");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    run(cmd.args(args))
}

fn xx_out(vars: &[(&str, &str)], args: &[&str]) -> String {
    let (code, out, err) = xx(vars, args);
    assert_eq!(code, 0, "xx-info {args:?} with {vars:?}: {err}");
    out
}

/// (platform, uname -m, Debian triple, Debian arch, Alpine triple, Alpine arch, RPM arch)
const MATRIX: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "linux/amd64",
        "x86_64",
        "x86_64-linux-gnu",
        "amd64",
        "x86_64-alpine-linux-musl",
        "x86_64",
        "x86_64",
    ),
    (
        "linux/arm64",
        "aarch64",
        "aarch64-linux-gnu",
        "arm64",
        "aarch64-alpine-linux-musl",
        "aarch64",
        "aarch64",
    ),
    (
        "linux/arm",
        "armv7l",
        "arm-linux-gnueabihf",
        "armhf",
        "armv7-alpine-linux-musleabihf",
        "armv7",
        "armv7hl",
    ),
    (
        "linux/arm/v6",
        "armv6l",
        "arm-linux-gnueabi",
        "armel",
        "armv6-alpine-linux-musleabihf",
        "armhf",
        "armv6hl",
    ),
    (
        "linux/arm/v5",
        "armv5l",
        "arm-linux-gnueabi",
        "armel",
        "armv5-alpine-linux-musleabi",
        "armel",
        "armv5tel",
    ),
    (
        "linux/386",
        "i386",
        "i686-linux-gnu",
        "i386",
        "i586-alpine-linux-musl",
        "x86",
        "i386",
    ),
    (
        "linux/riscv64",
        "riscv64",
        "riscv64-linux-gnu",
        "riscv64",
        "riscv64-alpine-linux-musl",
        "riscv64",
        "riscv64",
    ),
    (
        "linux/ppc64le",
        "ppc64le",
        "powerpc64le-linux-gnu",
        "ppc64el",
        "powerpc64le-alpine-linux-musl",
        "ppc64le",
        "ppc64le",
    ),
    (
        "linux/s390x",
        "s390x",
        "s390x-linux-gnu",
        "s390x",
        "s390x-alpine-linux-musl",
        "s390x",
        "s390x",
    ),
    (
        "linux/mips",
        "mips",
        "mips-linux-gnu",
        "mips",
        "mips-alpine-linux-musl",
        "mips",
        "mips",
    ),
    (
        "linux/mipsle",
        "mipsle",
        "mipsel-linux-gnu",
        "mipsel",
        "mipsel-alpine-linux-musl",
        "mipsle",
        "mipsel",
    ),
    (
        "linux/mips64",
        "mips64",
        "mips64-linux-gnuabi64",
        "mips64",
        "mips64-alpine-linux-muslabi64",
        "mips64",
        "mips64",
    ),
    (
        "linux/mips64le",
        "mips64le",
        "mips64el-linux-gnuabi64",
        "mips64el",
        "mips64el-alpine-linux-muslabi64",
        "mips64le",
        "mips64el",
    ),
    (
        "linux/loong64",
        "loongarch64",
        "loongarch64-linux-gnu",
        "loong64",
        "loongarch64-alpine-linux-musl",
        "loongarch64",
        "loongarch64",
    ),
];

#[test]
fn matrix_on_debian_alpine_and_rhel() {
    let (debian, alpine, fedora) = (
        os_release("debian"),
        os_release("alpine"),
        os_release("fedora"),
    );
    let (debian, alpine, fedora) = (
        debian.to_str().unwrap(),
        alpine.to_str().unwrap(),
        fedora.to_str().unwrap(),
    );
    for &(platform, march, d_triple, d_arch, a_triple, a_arch, r_arch) in MATRIX {
        let on = |release: &str, field: &str| {
            xx_out(
                &[("TARGETPLATFORM", platform), ("MAB_OS_RELEASE", release)],
                &[field],
            )
        };
        assert_eq!(on(debian, "march"), march, "{platform}");
        assert_eq!(on(debian, "triple"), d_triple, "{platform}");
        assert_eq!(
            on(debian, ""),
            d_triple,
            "{platform}: the default command is triple"
        );
        assert_eq!(on(debian, "pkg-arch"), d_arch, "{platform}");
        assert_eq!(on(debian, "debian-arch"), d_arch, "{platform}");
        assert_eq!(on(alpine, "triple"), a_triple, "{platform}");
        assert_eq!(on(alpine, "pkg-arch"), a_arch, "{platform}");
        assert_eq!(on(fedora, "pkg-arch"), r_arch, "{platform}");
        assert_eq!(on(fedora, "rhel-arch"), r_arch, "{platform}");
        assert_eq!(
            on(fedora, "triple"),
            d_triple,
            "{platform}: RHEL triples carry no vendor"
        );
    }
}

#[test]
fn vendor_libc_and_overrides() {
    let (debian, alpine) = (os_release("debian"), os_release("alpine"));
    let (debian, alpine) = (debian.to_str().unwrap(), alpine.to_str().unwrap());
    assert_eq!(xx_out(&[("MAB_OS_RELEASE", debian)], &["vendor"]), "debian");
    assert_eq!(xx_out(&[("MAB_OS_RELEASE", debian)], &["libc"]), "gnu");
    assert_eq!(
        xx_out(
            &[("MAB_OS_RELEASE", debian), ("XX_LIBC", "musl")],
            &["libc"]
        ),
        "musl"
    );
    assert_eq!(xx_out(&[("MAB_OS_RELEASE", alpine)], &["libc"]), "musl");
    let arm = [
        ("TARGETPLATFORM", "linux/arm"),
        ("MAB_OS_RELEASE", debian),
        ("ARM_TARGET_ARCH", "armv7"),
    ];
    assert_eq!(xx_out(&arm, &["triple"]), "armv7-linux-gnueabihf");
    assert_eq!(
        xx_out(&arm, &["pkg-arch"]),
        "armhf",
        "the override changes the triple only"
    );
    let arm_unknown = [arm[0], arm[1], arm[2], ("XX_VENDOR", "unknown")];
    assert_eq!(
        xx_out(&arm_unknown, &["triple"]),
        "armv7-unknown-linux-gnueabihf"
    );
    let alpine_arm = [
        ("TARGETPLATFORM", "linux/arm"),
        ("MAB_OS_RELEASE", alpine),
        ("ARM_TARGET_ARCH", "arm"),
    ];
    assert_eq!(
        xx_out(&alpine_arm, &["triple"]),
        "arm-alpine-linux-musleabihf"
    );
    let rv = [
        ("TARGETPLATFORM", "linux/riscv64"),
        ("MAB_OS_RELEASE", debian),
        ("RISCV64_TARGET_ARCH", "riscv64gc"),
    ];
    assert_eq!(xx_out(&rv, &["triple"]), "riscv64gc-linux-gnu");
    let gnu_on_alpine = [
        ("TARGETPLATFORM", "linux/arm64"),
        ("MAB_OS_RELEASE", alpine),
        ("XX_LIBC", "gnu"),
    ];
    assert_eq!(
        xx_out(&gnu_on_alpine, &["triple"]),
        "aarch64-alpine-linux-gnu"
    );
    let custom = [
        ("TARGETPLATFORM", "linux/riscv64"),
        ("MAB_OS_RELEASE", alpine),
        ("XX_VENDOR", "unknown"),
    ];
    assert_eq!(xx_out(&custom, &["triple"]), "riscv64-unknown-linux-musl");
    // An os-release without an ID, as a missing /etc/os-release (a named file that is missing is an
    // error: info.rs).
    let empty = temp_path("os-release-empty");
    std::fs::write(&empty, "").unwrap();
    let none = [
        ("TARGETPLATFORM", "linux/arm64"),
        ("MAB_OS_RELEASE", empty.to_str().unwrap()),
    ];
    assert_eq!(
        xx_out(&none, &["triple"]),
        "aarch64-unknown-linux-gnu",
        "no distro: generic vendor"
    );
}

#[test]
fn windows_and_darwin() {
    for (platform, triple, march) in [
        ("windows/amd64", "x86_64-w64-mingw32", "x86_64"),
        ("windows/arm64", "aarch64-w64-mingw32", "aarch64"),
        ("windows/386", "i686-w64-mingw32", "i386"),
        ("windows/arm", "armv7-w64-mingw32", "armv7l"),
        ("darwin/amd64", "x86_64-apple-macos10.6", "x86_64"),
        ("darwin/arm64", "arm64-apple-macos11.0", "arm64"),
    ] {
        assert_eq!(xx_out(&[("TARGETPLATFORM", platform)], &["triple"]), triple);
        assert_eq!(xx_out(&[("TARGETPLATFORM", platform)], &["march"]), march);
    }
    let mac = [
        ("TARGETPLATFORM", "darwin/amd64"),
        ("MACOSX_VERSION_MIN", "10.15"),
    ];
    assert_eq!(xx_out(&mac, &["triple"]), "x86_64-apple-macos10.15");
    assert_eq!(xx_out(&mac, &["vendor"]), "apple");
    assert_eq!(xx_out(&mac, &["sysroot"]), "/xx-sdk/MacOSX11.1.sdk/");
    assert_eq!(
        xx_out(&[("TARGETPLATFORM", "windows/amd64")], &["os"]),
        "windows"
    );
}

#[test]
fn lenient_parsing_and_unsupported_targets() {
    assert_eq!(xx_out(&[("TARGETPLATFORM", "foo/bar")], &["os"]), "foo");
    assert_eq!(xx_out(&[("TARGETPLATFORM", "foo/bar")], &["arch"]), "bar");
    for (vars, says) in [
        (
            &[("TARGETPLATFORM", "linux/ppc64")][..],
            "unsupported target: os=linux arch=ppc64",
        ),
        (
            &[("TARGETPAIR", "linux-amd64v3")],
            "unsupported target: os=linux arch=amd64v3",
        ),
        (
            &[("TARGETPLATFORM", "foo/bar")],
            "unsupported target: os=foo arch=bar",
        ),
    ] {
        let (code, out, err) = xx(vars, &["triple"]);
        assert_eq!(code, 1, "{vars:?}");
        assert!(
            format!("{out}{err}").contains(says),
            "{vars:?}: {out} {err}"
        );
    }
    let (code, out, _) = xx(&[], &["something"]);
    assert_eq!((code, out.as_str()), (1, "unknown command something"));
}

#[test]
fn pairs_and_variants() {
    assert_eq!(xx_out(&[("TARGETPAIR", "linux-amd64")], &["os"]), "linux");
    assert_eq!(xx_out(&[("TARGETPAIR", "linux-armv7")], &["arch"]), "arm");
    for (pair, platform) in [
        ("linux-armv7", "linux/arm"),
        ("linux-armv5", "linux/arm/v5"),
        ("linux-ppc64le", "linux/ppc64le"),
        ("linux-riscv64", "linux/riscv64"),
        ("linux-mips64le", "linux/mips64le"),
        ("linux-loong64", "linux/loong64"),
    ] {
        assert_eq!(
            xx_out(&[("TARGETPAIR", pair)], &[]),
            xx_out(&[("TARGETPLATFORM", platform)], &[]),
            "{pair}"
        );
    }
    assert_eq!(xx_out(&[("TARGETARCH", "amd64")], &["variant"]), "");
    assert_eq!(xx_out(&[("TARGETARCH", "arm")], &["variant"]), "v7");
    assert_eq!(
        xx_out(&[("TARGETPLATFORM", "linux/arm/v6")], &["variant"]),
        "v6"
    );
}

#[test]
fn host_defaults_and_is_cross() {
    assert_eq!(xx_out(&[], &["os"]), "linux");
    let machine = std::process::Command::new("uname")
        .arg("-m")
        .output()
        .unwrap();
    assert_eq!(
        xx_out(&[], &["march"]),
        String::from_utf8(machine.stdout).unwrap().trim()
    );
    assert_eq!(xx(&[], &["is-cross"]).0, 1);
    let native = xx_out(&[], &["arch"]);
    assert_eq!(xx(&[("TARGETARCH", &native)], &["is-cross"]).0, 1);
    let other = if native == "arm64" { "amd64" } else { "arm64" };
    assert_eq!(xx(&[("TARGETARCH", other)], &["is-cross"]).0, 0);
}

#[test]
fn env_and_sysroot() {
    let debian = os_release("debian");
    let out = xx_out(
        &[
            ("TARGETPLATFORM", "linux/arm/v7"),
            ("MAB_OS_RELEASE", debian.to_str().unwrap()),
        ],
        &["env"],
    );
    let want = "XX_OS=linux\nXX_OS_VERSION=1.0\nXX_ARCH=arm\nXX_MARCH=armv7l\nXX_VENDOR=debian\nXX_PKG_ARCH=armhf\n\
                XX_TRIPLE=arm-linux-gnueabihf\nXX_LIBC=gnu\nTARGETOS=linux\nTARGETARCH=arm\nTARGETVARIANT=v7";
    assert_eq!(out, want);
    let win = xx_out(&[("TARGETPLATFORM", "windows/amd64")], &["env"]);
    assert!(
        !win.contains("XX_PKG_ARCH"),
        "no package arch outside Linux: {win}"
    );
    // A hostile override stays one inert shell word.
    let out = xx_out(&[("XX_VENDOR", "x'$(touch /tmp/pwned)")], &["env"]);
    assert!(
        out.contains(r"XX_VENDOR='x'\''$(touch /tmp/pwned)'"),
        "{out}"
    );
    let alpine = os_release("alpine");
    let alpine = alpine.to_str().unwrap();
    assert_eq!(xx_out(&[("MAB_OS_RELEASE", alpine)], &["sysroot"]), "/");
    let arm64 = [
        ("TARGETPLATFORM", "linux/arm64"),
        ("MAB_OS_RELEASE", alpine),
    ];
    assert_eq!(xx_out(&arm64, &["sysroot"]), "/aarch64-alpine-linux-musl/");
}

#[test]
fn help_goes_to_stderr_and_exits_0() {
    let (code, out, err) = xx(&[], &["--help"]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert!(err.starts_with("Usage: xx-info [COMMAND]"), "{err}");
}

#[test]
fn unknown_program_names_are_refused() {
    let (code, _, err) = run(&mut applet("xx-frobnicate"));
    assert_eq!(code, 2);
    assert!(err.contains("xx-info"), "lists the valid names: {err}");
}

/// `mab NAME ARGS` runs every applet, as `coreutils ls` runs `ls`: the same answers as the link.
#[test]
fn every_applet_runs_as_a_mab_subcommand() {
    let vars = [("TARGETPLATFORM", "linux/arm/v7")];
    let mut cmd = mab();
    let out = stdout(cmd.args(["xx-info", "arch"]).envs(vars));
    assert_eq!(out, xx_out(&vars, &["arch"]));
    assert_eq!(out, "arm");
    let mut cmd = mab();
    let triple = stdout(cmd.args(["xx-clang", "--print-target-triple"]).envs(vars));
    assert_eq!(triple, "arm-linux-gnueabihf");
}
