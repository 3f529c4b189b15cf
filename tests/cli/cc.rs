//! The C/C++ wrappers, `mab pkg-config` and the build-system files, with the real toolchains: every
//! program is cross-compiled, its ELF header read, and run under qemu-user, asserting on what it prints.

use crate::common::*;
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// What a target's binaries look like and print.
struct Target {
    platform: &'static str,
    /// Debian's C triple (its cross root is /usr/<triple>).
    triple: &'static str,
    qemu: &'static str,
    /// qemu's -cpu, where its default CPU is newer than the platform (arm/v6 on an ARMv7 model).
    cpu: Option<&'static str>,
    /// `uname -m` under qemu.
    machine: &'static str,
    elf64: bool,
    big_endian: bool,
    /// ELF e_machine: EM_AARCH64, EM_ARM, ...
    elf_machine: u16,
}

const TARGETS: &[Target] = &[
    Target {
        platform: "linux/arm64",
        triple: "aarch64-linux-gnu",
        qemu: "aarch64",
        cpu: None,
        machine: "aarch64",
        elf64: true,
        big_endian: false,
        elf_machine: 183,
    },
    Target {
        platform: "linux/arm/v7",
        triple: "arm-linux-gnueabihf",
        qemu: "arm",
        cpu: None,
        machine: "armv7l",
        elf64: false,
        big_endian: false,
        elf_machine: 40,
    },
    Target {
        platform: "linux/arm/v6",
        triple: "arm-linux-gnueabi",
        qemu: "arm",
        cpu: Some("arm1176"),
        machine: "armv6l",
        elf64: false,
        big_endian: false,
        elf_machine: 40,
    },
    Target {
        platform: "linux/riscv64",
        triple: "riscv64-linux-gnu",
        qemu: "riscv64",
        cpu: None,
        machine: "riscv64",
        elf64: true,
        big_endian: false,
        elf_machine: 243,
    },
    Target {
        platform: "linux/ppc64le",
        triple: "powerpc64le-linux-gnu",
        qemu: "ppc64le",
        cpu: None,
        machine: "ppc64le",
        elf64: true,
        big_endian: false,
        elf_machine: 21,
    },
    Target {
        platform: "linux/s390x",
        triple: "s390x-linux-gnu",
        qemu: "s390x",
        cpu: None,
        machine: "s390x",
        elf64: true,
        big_endian: true,
        elf_machine: 22,
    },
    Target {
        platform: "linux/386",
        triple: "i686-linux-gnu",
        qemu: "i386",
        cpu: None,
        machine: "i686",
        elf64: false,
        big_endian: false,
        elf_machine: 3,
    },
];

fn target(platform: &str) -> &'static Target {
    TARGETS.iter().find(|t| t.platform == platform).unwrap()
}

const HELLO_C: &str = r#"#include <stdio.h>
#include <sys/utsname.h>
/* Prints the machine it runs on and the sum of the primes below 1000 (76127). */
int main(void) {
    struct utsname u;
    if (uname(&u) != 0) return 1;
    int sum = 0;
    for (int n = 2; n < 1000; n++) {
        int prime = 1;
        for (int d = 2; d * d <= n; d++) if (n % d == 0) { prime = 0; break; }
        if (prime) sum += n;
    }
    printf("hello-c %s %d\n", u.machine, sum);
    return 0;
}
"#;

const HELLO_CXX: &str = r#"#include <iostream>
#include <numeric>
#include <vector>
#include <sys/utsname.h>
// The same as hello.c through libstdc++: a vector, an algorithm and iostreams.
int main() {
    utsname u;
    if (uname(&u) != 0) return 1;
    std::vector<int> primes;
    for (int n = 2; n < 1000; n++) {
        bool prime = true;
        for (int d = 2; d * d <= n; d++) if (n % d == 0) { prime = false; break; }
        if (prime) primes.push_back(n);
    }
    std::cout << "hello-cxx " << u.machine << " " << std::accumulate(primes.begin(), primes.end(), 0) << "\n";
}
"#;

/// A scratch directory for this test run, with the two sources in it.
fn work() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = temp_path("cc");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("hello.c"), HELLO_C).unwrap();
        std::fs::write(dir.join("hello.cc"), HELLO_CXX).unwrap();
        dir
    })
}

/// Class, byte order and machine from an ELF header, read with plain std I/O.
fn elf_header(path: &Path) -> (bool, bool, u16) {
    let mut head = [0u8; 20];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .unwrap();
    assert_eq!(&head[..4], b"\x7fELF", "{} is not ELF", path.display());
    let big = head[5] == 2;
    let machine = [head[18], head[19]];
    let machine = if big {
        u16::from_be_bytes(machine)
    } else {
        u16::from_le_bytes(machine)
    };
    (head[4] == 2, big, machine)
}

/// Whether the ELF has a program interpreter (a dynamic loader), by `file`.
fn is_static(path: &Path) -> bool {
    let file = require_tool("file", &[]).unwrap();
    let out = stdout(Command::new(file).arg("-b").arg(path));
    assert!(
        out.contains("statically linked") || out.contains("dynamically linked"),
        "{out}"
    );
    out.contains("statically linked")
}

/// Runs a target binary under qemu-user (bounded, retried on a hang), `dynamic`ally linked against the
/// target's glibc or not.
fn run_qemu(t: &Target, bin: &Path, dynamic: bool) -> String {
    let root = dynamic.then(|| cross_root(t.triple));
    run_under_qemu(t.qemu, t.cpu, root.as_deref(), bin).expect("qemu-user is installed")
}

fn check_elf(t: &Target, bin: &Path) {
    assert_eq!(
        elf_header(bin),
        (t.elf64, t.big_endian, t.elf_machine),
        "{} for {}",
        bin.display(),
        t.platform
    );
}

/// Builds hello.c or hello.cc for `t` through `mab <wrapper>`, checks the ELF and runs it.
fn build_and_run(t: &Target, wrapper: &str, cc: Option<&str>, link_static: bool) {
    let cxx = wrapper.ends_with("++");
    let src = work().join(if cxx { "hello.cc" } else { "hello.c" });
    let out = work().join(format!(
        "{}-{wrapper}-{}{}",
        t.platform.replace('/', "-"),
        cc.unwrap_or("default"),
        if link_static { "-static" } else { "" }
    ));
    let mut cmd = mab();
    cmd.arg(wrapper)
        .env("TARGETPLATFORM", t.platform)
        .env_remove("MAB_CC");
    if let Some(cc) = cc {
        cmd.env("MAB_CC", cc);
    }
    if link_static {
        cmd.arg("-static");
    }
    let (code, _, err) = run(cmd.arg("-O0").arg("-o").arg(&out).arg(&src));
    assert_eq!(
        code, 0,
        "mab {wrapper} for {} (MAB_CC={cc:?}, static={link_static}): {err}",
        t.platform
    );
    check_elf(t, &out);
    assert_eq!(is_static(&out), link_static, "{}", out.display());
    let printed = run_qemu(t, &out, !link_static);
    let lang = if cxx { "cxx" } else { "c" };
    assert_eq!(
        printed,
        format!("hello-{lang} {} 76127", t.machine),
        "{}",
        out.display()
    );
}

/// C and C++, clang and GCC, dynamic and static, for one platform.
fn all_routes(platform: &str) {
    require_tool("clang", &[]);
    let t = target(platform);
    for (wrapper, cc) in [
        ("clang", None),
        ("clang++", None),
        ("cc", Some("gcc")),
        ("c++", Some("gcc")),
    ] {
        for link_static in [false, true] {
            build_and_run(t, wrapper, cc, link_static);
        }
    }
}

#[test]
fn arm64_builds_and_runs() {
    all_routes("linux/arm64");
}

#[test]
fn arm_v7_builds_and_runs() {
    all_routes("linux/arm/v7");
}

#[test]
fn arm_v6_builds_and_runs() {
    all_routes("linux/arm/v6");
}

#[test]
fn riscv64_builds_and_runs() {
    all_routes("linux/riscv64");
}

#[test]
fn ppc64le_builds_and_runs() {
    all_routes("linux/ppc64le");
}

#[test]
fn s390x_builds_and_runs() {
    all_routes("linux/s390x");
}

#[test]
fn i386_builds_and_runs() {
    all_routes("linux/386");
}

#[test]
fn xx_names_build_for_targetplatform() {
    let t = target("linux/arm/v7");
    let (_, triple, _) = run(applet("xx-clang")
        .arg("--print-target-triple")
        .env("TARGETPLATFORM", t.platform));
    assert_eq!(triple, "arm-linux-gnueabihf");
    for name in ["xx-cc", "xx-c++", "xx-clang", "xx-clang++"] {
        let cxx = name.ends_with("++");
        let out = work().join(format!("xx-{}", name.replace('+', "p")));
        let src = work().join(if cxx { "hello.cc" } else { "hello.c" });
        stdout(
            applet(name)
                .env("TARGETPLATFORM", t.platform)
                .arg("-o")
                .arg(&out)
                .arg(&src),
        );
        check_elf(t, &out);
        let lang = if cxx { "cxx" } else { "c" };
        assert_eq!(
            run_qemu(t, &out, true),
            format!("hello-{lang} armv7l 76127")
        );
    }
}

#[test]
fn target_flag_wins_over_targetplatform() {
    let t = target("linux/s390x");
    let out = work().join("target-flag");
    stdout(
        mab()
            .args(["clang", "--target=s390x-linux-gnu", "-static", "-o"])
            .arg(&out)
            .arg(work().join("hello.c"))
            .env("TARGETPLATFORM", "linux/arm64"),
    );
    check_elf(t, &out);
    assert_eq!(run_qemu(t, &out, false), "hello-c s390x 76127");
}

/// `mab clang --platform P` builds for P, as `mab go` and `mab cargo` do, over TARGETPLATFORM; clang never
/// sees the option. xx's names pass it on, as xx's do.
#[test]
fn platform_flag_picks_the_target() {
    let printed = stdout(
        mab()
            .args([
                "clang",
                "--platform",
                "linux/riscv64",
                "--print-target-triple",
            ])
            .env("TARGETPLATFORM", "linux/arm64"),
    );
    assert_eq!(printed, "riscv64-linux-gnu");
    let t = target("linux/riscv64");
    let out = work().join("platform-flag");
    stdout(
        mab()
            .args(["clang", "-static", "--platform=linux/riscv64", "-o"])
            .arg(&out)
            .arg(work().join("hello.c"))
            .env("TARGETPLATFORM", "linux/arm64"),
    );
    check_elf(t, &out);
    assert_eq!(run_qemu(t, &out, false), "hello-c riscv64 76127");
    let (code, _, err) = run(mab().args(["clang", "-c", "x.c", "--platform"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("--platform needs a value such as linux/arm64"),
        "{err}"
    );
}

/// Every triple mab prints for a platform works as the target, Rust's included: the `cc` crate passes
/// `--target=armv7-unknown-linux-gnueabihf` to `mab clang`, and configure scripts get it in CFLAGS.
#[test]
fn rust_triples_work_as_target() {
    require_tool("clang", &[]);
    for (platform, arg) in [
        ("linux/arm/v7", "--target=armv7-unknown-linux-gnueabihf"),
        ("linux/arm64", "--target=aarch64-unknown-linux-gnu"),
        ("linux/386", "--target=i686-unknown-linux-gnu"),
    ] {
        let t = target(platform);
        let out = work().join(format!("rust-triple-{}", platform.replace('/', "-")));
        stdout(
            mab()
                .args(["clang", arg, "-o"])
                .arg(&out)
                .arg(work().join("hello.c"))
                .env("TARGETPLATFORM", "linux/s390x"),
        );
        check_elf(t, &out);
        assert_eq!(
            run_qemu(t, &out, true),
            format!("hello-c {} 76127", t.machine),
            "{arg}"
        );
    }
    // The separate-argument form, with the vendor a distro would spell.
    let t = target("linux/arm64");
    let out = work().join("rust-triple-separate");
    stdout(
        mab()
            .args(["clang", "-target", "aarch64-pc-linux-gnu", "-static", "-o"])
            .arg(&out)
            .arg(work().join("hello.c")),
    );
    check_elf(t, &out);
    assert_eq!(run_qemu(t, &out, false), "hello-c aarch64 76127");
}

/// A fresh bin dir for the links `--setup-target-triple` and `--wrap` make.
fn bin_dir(name: &str) -> PathBuf {
    let dir = work().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path_with(dir: &Path) -> std::ffi::OsString {
    let mut paths = vec![dir.to_path_buf()];
    paths.extend(std::env::split_paths(test_path()));
    std::env::join_paths(paths).unwrap()
}

#[test]
fn setup_target_triple_makes_prefixed_compilers() {
    let dir = bin_dir("setup-bin");
    stdout(
        mab()
            .args(["clang", "--setup-target-triple"])
            .env("TARGETPLATFORM", "linux/riscv64")
            .env("MAB_BIN_DIR", &dir),
    );
    for name in [
        "riscv64-linux-gnu-clang",
        "riscv64-linux-gnu-clang++",
        "riscv64-linux-gnu-pkg-config",
    ] {
        let link = dir.join(name);
        assert_eq!(
            link.canonicalize().unwrap(),
            mab_path().canonicalize().unwrap(),
            "{name}"
        );
    }
    // binutils-riscv64-linux-gnu has its own ar: setup keeps it.
    assert!(!dir.join("riscv64-linux-gnu-ar").exists());

    // The name alone picks the target, whatever TARGETPLATFORM says.
    let t = target("linux/riscv64");
    let out = work().join("prefixed-riscv64");
    let cc = clean(Command::new(dir.join("riscv64-linux-gnu-clang++")))
        .env("TARGETPLATFORM", "linux/arm64")
        .arg("-o")
        .arg(&out)
        .arg(work().join("hello.cc"))
        .status()
        .unwrap();
    assert!(cc.success());
    check_elf(t, &out);
    assert_eq!(run_qemu(t, &out, true), "hello-cxx riscv64 76127");
}

#[test]
fn prefixed_binutils_names_run_llvm_tools() {
    let (code, out, err) = run(applet("mips64el-linux-gnuabi64-nm").arg("--version"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("LLVM"), "{out}");
}

#[test]
fn print_cmake_defines_like_xx() {
    let dir = bin_dir("cmake-defines-bin");
    let out = stdout(
        applet("xx-clang")
            .arg("--print-cmake-defines")
            .env("TARGETPLATFORM", "linux/arm64")
            .env("MAB_BIN_DIR", &dir),
    );
    let d = dir.display();
    assert_eq!(
        out,
        format!(
            "-DCMAKE_C_COMPILER={d}/aarch64-linux-gnu-clang -DCMAKE_CXX_COMPILER={d}/aarch64-linux-gnu-clang++ \
             -DCMAKE_ASM_COMPILER={d}/aarch64-linux-gnu-clang -DPKG_CONFIG_EXECUTABLE={d}/aarch64-linux-gnu-pkg-config \
             -DCMAKE_C_COMPILER_TARGET=aarch64-linux-gnu -DCMAKE_CXX_COMPILER_TARGET=aarch64-linux-gnu \
             -DCMAKE_ASM_COMPILER_TARGET=aarch64-linux-gnu"
        )
    );
    assert!(dir.join("aarch64-linux-gnu-clang").exists());
}

#[test]
fn wrap_and_unwrap_plain_clang() {
    let dir = bin_dir("wrap-bin");
    let path = path_with(&dir);
    let with = |cmd: &mut Command| -> String {
        let mut cmd = clean(std::mem::replace(cmd, Command::new("true")));
        stdout(
            cmd.env("PATH", &path)
                .env("MAB_BIN_DIR", &dir)
                .env("TARGETPLATFORM", "linux/arm64"),
        )
    };
    let native = with(Command::new("clang").arg("--print-target-triple"));
    assert!(native.starts_with("x86_64"), "{native}");
    with(mab().args(["clang", "--wrap"]));
    assert_eq!(
        with(Command::new("clang").arg("--print-target-triple")),
        "aarch64-linux-gnu"
    );
    // The wrapped `cc` finds the real clang on PATH, not itself.
    let out = work().join("wrapped-cc");
    with(
        Command::new("cc")
            .arg("-static")
            .arg("-o")
            .arg(&out)
            .arg(work().join("hello.c")),
    );
    let t = target("linux/arm64");
    check_elf(t, &out);
    assert_eq!(run_qemu(t, &out, false), "hello-c aarch64 76127");
    with(mab().args(["clang", "--unwrap"]));
    assert!(!dir.join("clang").exists() && !dir.join("cc").exists());
    assert_eq!(
        with(Command::new("clang").arg("--print-target-triple")),
        native
    );
}

#[test]
fn a_wrapper_reached_from_its_compiler_stops() {
    let (code, _, err) = run(mab().args(["clang", "-c", "x.c"]).env("MAB_CC_GUARD", "1"));
    assert_eq!(code, 2);
    assert!(err.contains("leads back to mab"), "{err}");
}

/// Missing pieces are one line naming the Debian package for this target.
#[test]
fn missing_toolchain_names_the_package() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("TARGETPLATFORM", "linux/mips64le"), ("MAB_CC", "gcc")],
            "apt-get install gcc-mips64el-linux-gnuabi64",
        ),
        (
            &[("TARGETPLATFORM", "linux/mips64le")],
            "apt-get install gcc-mips64el-linux-gnuabi64",
        ),
        (
            &[("TARGETPLATFORM", "linux/arm64"), ("PATH", "/nonexistent")],
            "apt-get install clang",
        ),
        (
            &[("TARGETPLATFORM", "linux/arm64"), ("MAB_SYSROOT", "/tmp")],
            "apt-get install libc6-dev:arm64",
        ),
        (
            &[("TARGETPLATFORM", "linux/loong64")],
            "no C toolchain data for linux/loong64",
        ),
        (&[("MAB_CC", "tcc")], "MAB_CC=\"tcc\" is not clang or gcc"),
    ];
    for (vars, want) in cases {
        let mut cmd = mab();
        cmd.args(["cc", "-c", "x.c"]).envs(vars.iter().copied());
        let (code, _, err) = run(&mut cmd);
        assert_eq!(code, 2, "{vars:?}");
        assert!(err.contains(want), "{vars:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{vars:?}: {err}");
    }
}

/// Under MAB_SYSROOT the missing libstdc++ is named as the build machine's release names it (its
/// os-release's VERSION_CODENAME); a release mab does not know gets trixie's name and says so.
#[test]
fn missing_target_libraries_are_named_by_the_machines_release() {
    let dir = std::env::temp_dir().join(format!("mab-cc-release-{}", std::process::id()));
    let root = dir.join("root");
    std::fs::create_dir_all(root.join("usr/lib/aarch64-linux-gnu")).unwrap();
    std::fs::write(root.join("usr/lib/aarch64-linux-gnu/crt1.o"), "").unwrap();
    for (codename, want, note) in [
        ("bookworm", "apt-get install libstdc++-12-dev:arm64`", false),
        ("trixie", "apt-get install libstdc++-14-dev:arm64`", false),
        ("forky", "apt-get install libstdc++-14-dev:arm64`", true),
    ] {
        let release = dir.join(format!("{codename}.os-release"));
        std::fs::write(
            &release,
            format!("ID=debian\nVERSION_CODENAME={codename}\n"),
        )
        .unwrap();
        let (code, _, err) = run(applet("xx-clang++")
            .args(["-c", "x.cpp"])
            .env("TARGETPLATFORM", "linux/arm64")
            .env("MAB_SYSROOT", &root)
            .env("MAB_OS_RELEASE", &release));
        assert_eq!(code, 2, "{codename}: {err}");
        assert!(err.contains(want), "{codename}: {err}");
        assert_eq!(
            err.contains("\"forky\" is none of bookworm, trixie"),
            note,
            "{codename}: {err}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The root the install script unpacks a Debian architecture's libc and zlib into.
fn sysroot(debian_arch: &str) -> Option<PathBuf> {
    let root = PathBuf::from(format!("/opt/mab-test/sysroot/{debian_arch}"));
    if root.join(".complete").exists() {
        return Some(root);
    }
    let hint = format!(
        "{} missing: run scripts/install-test-deps.sh",
        root.display()
    );
    if std::env::var("MAB_TEST_ALLOW_MISSING").as_deref() == Ok("1") {
        eprintln!("SKIPPED (MAB_TEST_ALLOW_MISSING=1): {hint}");
        return None;
    }
    panic!("{hint}");
}

#[test]
fn pkg_config_reads_the_targets_pc_files() {
    let Some(root) = sysroot("arm64") else { return };
    let pc = |vars: &[(&str, &OsStr)], args: &[&str]| {
        run(mab()
            .arg("pkg-config")
            .args(args)
            .envs(vars.iter().copied()))
    };
    let arm64: &[(&str, &OsStr)] = &[
        ("TARGETPLATFORM", OsStr::new("linux/arm64")),
        ("MAB_SYSROOT", root.as_os_str()),
    ];
    let (code, libs, err) = pc(arm64, &["--libs", "zlib"]);
    assert_eq!(code, 0, "{err}");
    assert!(libs.contains("-lz"), "{libs}");
    // The host's zlib.pc is not the target's: riscv64 has no zlib here, and pkg-config's exit code passes through.
    let (code, _, _) = pc(
        &[("TARGETPLATFORM", OsStr::new("linux/riscv64"))],
        &["--exists", "zlib"],
    );
    assert_eq!(code, 1);
    let (code, _, _) = pc(&[], &["--exists", "zlib"]);
    assert_eq!(code, 0, "a native build sees the host's zlib");

    // The line from the README: compile, link the target's zlib, run.
    let src = work().join("zlib.c");
    std::fs::write(&src, "#include <stdio.h>\n#include <zlib.h>\nint main(void) { printf(\"crc=%08lx\\n\", crc32(0, (const unsigned char *)\"hello\", 5)); return 0; }\n").unwrap();
    let out = work().join("zlib-arm64");
    let mut cmd = mab();
    cmd.args(["clang", "-O2", "-static", "-o"])
        .arg(&out)
        .arg(&src)
        .args(libs.split_whitespace())
        .envs(arm64.iter().copied());
    stdout(&mut cmd);
    let t = target("linux/arm64");
    check_elf(t, &out);
    assert_eq!(run_qemu(t, &out, false), "crc=3610a686");
}

#[test]
fn print_sysroot() {
    assert_eq!(
        stdout(
            mab()
                .args(["clang", "--print-sysroot"])
                .env("TARGETPLATFORM", "linux/arm64")
        ),
        "/"
    );
    let Some(root) = sysroot("arm64") else { return };
    let out = stdout(
        mab()
            .args(["clang", "--print-sysroot"])
            .env("TARGETPLATFORM", "linux/arm64")
            .env("MAB_SYSROOT", &root),
    );
    assert_eq!(out, root.display().to_string());
}

/// Where the example projects are.
fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// examples/c-zlib with the toolchain file mab writes, linked statically, run under qemu.
fn cmake_c_zlib(platform: &str, debian_arch: &str) {
    let Some(root) = sysroot(debian_arch) else {
        return;
    };
    let cmake = require_tool("cmake", &[]).unwrap();
    require_tool("make", &[]);
    let t = target(platform);
    let dir = work().join(format!("cmake-{debian_arch}"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("toolchain.cmake");
    stdout(
        mab()
            .args(["cmake-toolchain", "--platform", platform, "-o"])
            .arg(&file)
            .env("MAB_SYSROOT", &root),
    );
    let build = dir.join("build");
    let archives = dir.join("static-libraries.cmake");
    std::fs::write(&archives, "set(CMAKE_FIND_LIBRARY_SUFFIXES .a)\n").unwrap();
    stdout(
        clean(Command::new(&cmake))
            .arg("-S")
            .arg(example("c-zlib"))
            .arg("-B")
            .arg(&build)
            .arg(format!("-DCMAKE_TOOLCHAIN_FILE={}", file.display()))
            // Static: LDFLAGS adds to the toolchain's link flags (a -DCMAKE_EXE_LINKER_FLAGS would replace
            // them), and pkg-config's libraries resolve to the archives (set after project(), where
            // CMake's platform files would override a -D).
            .env("LDFLAGS", "-static")
            .arg(format!("-DCMAKE_PROJECT_INCLUDE={}", archives.display()))
            .arg("-DCMAKE_BUILD_TYPE=Debug"),
    );
    stdout(clean(Command::new(&cmake)).arg("--build").arg(&build));
    let bin = build.join("c-zlib");
    check_elf(t, &bin);
    assert!(is_static(&bin));
    assert_eq!(
        run_qemu(t, &bin, false),
        format!("c-zlib {} 76127 crc=3610a686", t.machine)
    ); // ctest runs it with the emulator mab wrote (there is no binfmt here).
    let tested = stdout(
        clean(Command::new(cmake.with_file_name("ctest")))
            .args(["-V", "--output-on-failure", "--test-dir"])
            .arg(&build),
    );
    assert!(
        tested.contains("qemu-") && tested.contains("100% tests passed"),
        "{tested}"
    );
}

#[test]
fn cmake_c_zlib_arm64() {
    cmake_c_zlib("linux/arm64", "arm64");
}

#[test]
fn cmake_c_zlib_arm_v7() {
    cmake_c_zlib("linux/arm/v7", "armhf");
}

/// examples/c-meson with the cross file mab writes, linked dynamically, run under qemu with the sysroot.
fn meson_c_meson(platform: &str, debian_arch: &str) {
    let Some(root) = sysroot(debian_arch) else {
        return;
    };
    let meson = require_tool("meson", &[]).unwrap();
    require_tool("ninja", &[]);
    let t = target(platform);
    let dir = work().join(format!("meson-{debian_arch}"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cross.ini");
    stdout(
        mab()
            .args(["meson-cross", "--platform", platform, "-o"])
            .arg(&file)
            .env("MAB_SYSROOT", &root),
    );
    let build = dir.join("build");
    stdout(
        clean(Command::new(&meson))
            .arg("setup")
            .arg("--cross-file")
            .arg(&file)
            .arg(&build)
            .arg(example("c-meson")),
    );
    stdout(
        clean(Command::new(&meson))
            .arg("compile")
            .arg("-C")
            .arg(&build),
    );
    let bin = build.join("c-meson");
    check_elf(t, &bin);
    assert!(!is_static(&bin));
    assert_eq!(
        run_under_qemu(t.qemu, t.cpu, Some(&root), &bin).expect("qemu-user is installed"),
        format!("c-meson {} 76127 crc=3610a686", t.machine)
    ); // `meson test` runs it with the exe_wrapper mab wrote, dynamically linked, from the sysroot.
    stdout(clean(Command::new(&meson)).args(["test", "-C"]).arg(&build));
    let log = std::fs::read_to_string(build.join("meson-logs/testlog.txt")).unwrap();
    assert!(log.contains("qemu-") && log.contains("76127"), "{log}");
}

#[test]
fn meson_c_meson_arm64() {
    meson_c_meson("linux/arm64", "arm64");
}

#[test]
fn meson_c_meson_arm_v7() {
    meson_c_meson("linux/arm/v7", "armhf");
}

#[test]
fn native_builds_and_gnu_ld_override() {
    // No TARGETPLATFORM: the build machine, and the binary runs as it is.
    for cc in ["clang", "gcc"] {
        let out = work().join(format!("native-{cc}"));
        stdout(
            mab()
                .arg("cc")
                .arg("-o")
                .arg(&out)
                .arg(work().join("hello.c"))
                .env("MAB_CC", cc),
        );
        let machine = std::env::consts::ARCH;
        assert_eq!(
            stdout(&mut Command::new(&out)),
            format!("hello-c {machine} 76127")
        );
    }
    // MAB_LINKER=ld (or xx's XX_CC_PREFER_LINKER=ld) swaps lld for GNU ld where lld would do.
    let t = target("linux/arm64");
    for var in ["MAB_LINKER", "XX_CC_PREFER_LINKER"] {
        let out = work().join(format!("gnu-ld-{var}"));
        let (code, _, err) = run(mab()
            .args(["clang", "-v", "-static", "-o"])
            .arg(&out)
            .arg(work().join("hello.c"))
            .env("TARGETPLATFORM", t.platform)
            .env(var, "ld"));
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("aarch64-linux-gnu-ld.bfd") && !err.contains("ld.lld"),
            "{err}"
        );
        check_elf(t, &out);
        assert_eq!(run_qemu(t, &out, false), "hello-c aarch64 76127");
    }
}

/// The text of a file mab wrote.
fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first call of an xx name sets up what xx's does, a print included: the `<triple>-` links, the clang
/// config file, and plain `clang` links that build for a `--target=` they are given. mab's own print flags
/// write nothing.
#[test]
fn xx_names_set_up_on_first_use() {
    let dir = bin_dir("first-use-bin");
    let out = stdout(
        applet("xx-clang")
            .arg("--print-target-triple")
            .env("TARGETPLATFORM", "linux/arm64")
            .env("MAB_BIN_DIR", &dir),
    );
    assert_eq!(out, "aarch64-linux-gnu");
    for name in [
        "aarch64-linux-gnu-clang",
        "aarch64-linux-gnu-clang++",
        "clang",
        "clang++",
    ] {
        assert_eq!(
            dir.join(name).canonicalize().unwrap(),
            mab_path().canonicalize().unwrap(),
            "{name}"
        );
    }
    assert_eq!(
        read(&dir.join("aarch64-linux-gnu.cfg")),
        "--target=aarch64-linux-gnu -fuse-ld=lld\n"
    );
    // The build machine's own triple also gets xx's default config.
    stdout(
        applet("xx-cc")
            .arg("--print-target-triple")
            .env("MAB_BIN_DIR", &dir),
    );
    assert_eq!(read(&dir.join("xx-default.cfg")), "-fuse-ld=lld\n");

    let quiet = bin_dir("print-only-bin");
    for args in [
        &["clang", "--print-target-triple"][..],
        &["clang", "--print-sysroot"],
        &["go", "--print-env"],
        &["cargo", "--print-env"],
    ] {
        stdout(
            mab()
                .args(args)
                .env("TARGETPLATFORM", "linux/arm64")
                .env("MAB_BIN_DIR", &quiet),
        );
    }
    assert_eq!(
        std::fs::read_dir(&quiet).unwrap().count(),
        0,
        "mab's prints wrote files"
    );
}

/// After the setup, a plain `clang --target=<triple>` is mab's wrapper for that triple (its linker and
/// runtime), and a plain `clang` without one is the real clang, as with xx.
#[test]
fn plain_clang_builds_for_the_target_it_is_given() {
    let dir = bin_dir("plain-bin");
    stdout(
        applet("xx-clang")
            .arg("--setup-target-triple")
            .env("TARGETPLATFORM", "linux/arm64")
            .env("MAB_BIN_DIR", &dir),
    );
    let t = target("linux/arm64");
    let out = work().join("plain-target-arm64");
    let plain = |cmd: &mut Command| -> String {
        stdout(cmd.env("PATH", path_with(&dir)).env("MAB_BIN_DIR", &dir))
    };
    plain(
        clean(Command::new("clang"))
            .arg("--target=aarch64-linux-gnu")
            .arg("-static")
            .arg("-o")
            .arg(&out)
            .arg(work().join("hello.c")),
    );
    check_elf(t, &out);
    assert_eq!(run_qemu(t, &out, false), "hello-c aarch64 76127");
    let native = plain(
        clean(Command::new("clang"))
            .arg("--print-target-triple")
            .env("TARGETPLATFORM", "linux/arm64"),
    );
    assert!(native.starts_with("x86_64"), "{native}");
}

/// xx's config text for macOS and Windows targets, which need no SDK or sysroot to be set up.
#[test]
fn config_files_for_macos_and_windows() {
    let dir = bin_dir("cfg-os-bin");
    for platform in ["darwin/arm64", "windows/amd64"] {
        stdout(
            applet("xx-clang")
                .arg("--setup-target-triple")
                .env("TARGETPLATFORM", platform)
                .env("MAB_BIN_DIR", &dir),
        );
    }
    assert_eq!(
        read(&dir.join("arm64-apple-macos11.0.cfg")),
        "--target=arm64-apple-macos11.0 -fuse-ld=ld64 -isysroot /xx-sdk/MacOSX11.1.sdk -stdlib=libc++\n"
    );
    assert_eq!(
        read(&dir.join("x86_64-w64-mingw32.cfg")),
        "--target=x86_64-w64-mingw32 -fuse-ld=lld -I/usr/x86_64-w64-mingw32/include \
         -L/usr/x86_64-w64-mingw32/lib\n"
    );
    assert!(dir.join("arm64-apple-macos11.0-clang").exists());
}

/// XX_CC_PREFER_STATIC_LINKER: GNU ld for ppc64le, in the config file and in the real static build.
#[test]
fn prefer_static_linker_links_with_gnu_ld() {
    let t = target("linux/ppc64le");
    if require_tool(&format!("{}-ld", t.triple), &[]).is_none() {
        return;
    }
    let dir = bin_dir("static-linker-bin");
    let out = work().join("static-linker-ppc64le");
    stdout(
        applet("xx-clang")
            .arg("-static")
            .arg("-o")
            .arg(&out)
            .arg(work().join("hello.c"))
            .env("TARGETPLATFORM", "linux/ppc64le")
            .env("XX_CC_PREFER_STATIC_LINKER", "1")
            .env("MAB_BIN_DIR", &dir),
    );
    assert_eq!(
        read(&dir.join("powerpc64le-linux-gnu.cfg")),
        "--target=powerpc64le-linux-gnu -fuse-ld=/usr/bin/powerpc64le-linux-gnu-ld\n"
    );
    check_elf(t, &out);
    assert!(is_static(&out));
    assert_eq!(run_qemu(t, &out, false), "hello-c ppc64le 76127");
    // Without the variable, lld.
    let dir = bin_dir("static-linker-unset-bin");
    stdout(
        applet("xx-clang")
            .arg("--setup-target-triple")
            .env("TARGETPLATFORM", "linux/ppc64le")
            .env("MAB_BIN_DIR", &dir),
    );
    assert_eq!(
        read(&dir.join("powerpc64le-linux-gnu.cfg")),
        "--target=powerpc64le-linux-gnu -fuse-ld=lld\n"
    );
}

/// Without clang an xx name fails, even for a print, and sets nothing up.
#[test]
fn xx_clang_without_clang_fails() {
    let dir = bin_dir("no-clang-bin");
    let mut cmd = applet("xx-clang");
    let (code, _, err) = run(cmd
        .arg("--print-target-triple")
        .env("PATH", &dir)
        .env("MAB_BIN_DIR", &dir));
    assert_eq!(code, 2);
    assert!(err.contains("clang not found"), "{err}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

/// Five rounds, each on a fresh link directory, of 16 first calls at once for linux/arm64: `call(i, dir)`
/// is the i-th. Every one must succeed.
fn race(name: &str, call: impl Fn(usize, &Path) -> Command) {
    for round in 0..5 {
        let dir = bin_dir(&format!("{name}-{round}"));
        let calls = (0..16)
            .map(|i| {
                let mut cmd = call(i, &dir);
                cmd.env("TARGETPLATFORM", "linux/arm64")
                    .env("MAB_BIN_DIR", &dir);
                cmd
            })
            .collect();
        let failed = all_at_once(calls);
        assert!(failed.is_empty(), "round {round}:\n{}", failed.join("\n"));
    }
}

/// `name ARGS`, mab through a link of that name.
fn call(name: &str, args: &[&OsStr]) -> Command {
    let mut cmd = applet(name);
    cmd.args(args);
    cmd
}

/// `make -j` in a fresh image: many first calls at once, each setting up the same links and config file.
#[test]
fn sixteen_first_calls_at_once_all_succeed() {
    let hello = work().join("hello.c");
    race("race-bin", |i, dir| {
        let out = dir.join(format!("hello-{i}.o"));
        call(
            "xx-clang",
            &["-c".as_ref(), hello.as_ref(), "-o".as_ref(), out.as_ref()],
        )
    });
}

/// The same race across every name that sets things up: xx-clang, xx-cc, a `<triple>-clang` link,
/// `--setup-target-triple`, `--wrap`, `--print-cmake-defines`, xx-go and xx-cargo, all on one directory.
#[test]
fn every_setting_up_name_at_once_succeeds() {
    let hello = work().join("hello.c");
    race("race-all-bin", |i, dir| {
        let out = dir.join(format!("hello-{i}.o"));
        let compile = [
            "-c".as_ref(),
            hello.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
        ];
        let calls: [(&str, &[&OsStr]); 8] = [
            ("xx-clang", &compile),
            ("xx-cc", &compile),
            ("aarch64-linux-gnu-clang", &compile),
            ("xx-clang++", &["--setup-target-triple".as_ref()]),
            ("xx-clang", &["--wrap".as_ref()]),
            ("xx-go", &["env".as_ref(), "GOARCH".as_ref()]),
            ("xx-cargo", &["--version".as_ref()]),
            ("xx-clang", &["--print-cmake-defines".as_ref()]),
        ];
        let (name, args) = calls[i % calls.len()];
        call(name, args)
    });
}

/// What a setup finds already there: right is kept, mab's own but wrong (a dangling link, a link to another
/// tool, a config file with other text) is replaced, and someone else's file is kept.
#[test]
fn setup_replaces_what_is_wrong_and_keeps_what_is_not_its_own() {
    let dir = bin_dir("wrong-bin");
    let t = "aarch64-linux-gnu";
    std::os::unix::fs::symlink("/nonexistent/mab", dir.join(format!("{t}-clang"))).unwrap();
    std::os::unix::fs::symlink(
        "/nonexistent/llvm-dlltool",
        dir.join(format!("{t}-dlltool")),
    )
    .unwrap();
    std::fs::write(dir.join(format!("{t}.cfg")), "--target=x86_64-linux-gnu\n").unwrap();
    std::fs::write(dir.join("clang++"), "#!/bin/sh\n").unwrap();
    stdout(
        applet("xx-clang")
            .arg("--setup-target-triple")
            .env("TARGETPLATFORM", "linux/arm64")
            .env("MAB_BIN_DIR", &dir),
    );
    assert_eq!(
        dir.join(format!("{t}-clang")).canonicalize().unwrap(),
        mab_path().canonicalize().unwrap()
    );
    let dlltool = std::fs::read_link(dir.join(format!("{t}-dlltool"))).unwrap();
    assert!(
        dlltool.ends_with("llvm-dlltool") && dlltool.exists(),
        "{dlltool:?}"
    );
    assert_eq!(
        read(&dir.join(format!("{t}.cfg"))),
        "--target=aarch64-linux-gnu -fuse-ld=lld\n"
    );
    assert_eq!(read(&dir.join("clang++")), "#!/bin/sh\n");
    // Nothing left beside them from the replacing.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
