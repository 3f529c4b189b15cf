//! Finding and starting the tools `mab go` and `mab cargo` wrap, and picking the target's C compiler.

use crate::core::cc::Wrapper;
use crate::core::toolenv::CCompiler;
use crate::core::Info;
use anyhow::{Context, Result};
use std::ffi::{OsStr, OsString};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus};

/// A program on PATH.
pub fn find(name: &str) -> Option<PathBuf> {
    which::which(name).ok()
}

/// A C compiler for the target: mab's own `<triple>-clang` wrappers when clang can build for it, else
/// Debian's cross gcc (`aarch64-linux-gnu-gcc`), else clang when the target's C library is installed.
pub fn c_compiler(info: &Info) -> Option<CCompiler> {
    mab_wrappers(info).or_else(|| direct_compiler(info))
}

/// The `<triple>-clang` and `<triple>-clang++` links `xx-clang --setup-target-triple` makes (in MAB_BIN_DIR,
/// else /usr/local/bin), as xx-go and xx-cargo use them: cgo, the `cc` crate and rustc's linker then get
/// exactly the flags `mab clang` uses (sysroot, the platform's linker, runtime library). Only where the
/// triple names this very platform (Debian's arm/v5 and arm/v6 share `arm-linux-gnueabi`).
fn mab_wrappers(info: &Info) -> Option<CCompiler> {
    let tc = super::cc::toolchain(info, Some(Wrapper::Clang)).ok()?;
    let named = crate::core::cc::platform_for_triple(&tc.triple, &info.flavour).ok()?;
    if named != info.target {
        return None;
    }
    let dir = super::cc::setup(&tc.triple).ok()?;
    let link = |tool: &str| {
        dir.join(format!("{}-{tool}", tc.triple))
            .display()
            .to_string()
    };
    Some(CCompiler {
        cc: vec![link("clang")],
        cxx: vec![link("clang++")],
        ar: find(&format!("{}-ar", tc.triple))
            .or_else(|| find("llvm-ar"))
            .map(|p| p.display().to_string()),
        link_args: vec![],
    })
}

fn direct_compiler(info: &Info) -> Option<CCompiler> {
    let triple = &info.triple;
    let prefixed =
        |tool: &str| find(&format!("{triple}-{tool}")).map(|_| format!("{triple}-{tool}"));
    if let Some(gcc) = prefixed("gcc") {
        return Some(CCompiler {
            cxx: vec![prefixed("g++").unwrap_or_else(|| gcc.clone())],
            cc: vec![gcc],
            ar: prefixed("ar"),
            link_args: vec![],
        });
    }
    if find("clang").is_none() || !target_libc_installed(info) {
        return None;
    }
    let target = format!("--target={triple}");
    // Without the target's binutils clang would call the build machine's ld.
    let lld = prefixed("ld").is_none() && find("ld.lld").is_some();
    Some(CCompiler {
        cc: vec!["clang".into(), target.clone()],
        cxx: vec!["clang++".into(), target],
        ar: prefixed("ar").or_else(|| find("llvm-ar").map(|_| "llvm-ar".to_string())),
        link_args: if lld {
            vec!["-fuse-ld=lld".into()]
        } else {
            vec![]
        },
    })
}

/// Whether the target's C headers and libraries are on the machine: Debian's `-cross` packages or multiarch
/// directories, or a separate sysroot (Alpine's root per triple, the macOS SDK).
fn target_libc_installed(info: &Info) -> bool {
    if info.sysroot != "/" {
        return Path::new(&info.sysroot).is_dir();
    }
    let triple = &info.triple;
    [
        format!("/usr/{triple}/include"),
        format!("/usr/include/{triple}"),
    ]
    .iter()
    .any(|d| Path::new(d).is_dir())
}

/// How to run the target's Linux binaries on this machine: qemu-user, with the target's loader and
/// libraries when they are installed.
pub fn qemu_runner(info: &Info) -> Option<String> {
    if !info.is_cross() || info.target.os() != "linux" || info.build.os() != "linux" {
        return None;
    }
    let qemu = info.target.row.qemu?;
    let program = [format!("qemu-{qemu}-static"), format!("qemu-{qemu}")]
        .into_iter()
        .find(|p| find(p).is_some())?;
    let root = if info.sysroot != "/" {
        Some(info.sysroot.trim_end_matches('/').to_string())
    } else {
        Some(format!("/usr/{}", info.triple)).filter(|d| Path::new(d).is_dir())
    };
    Some(match root {
        Some(root) => format!("{program} -L {root}"),
        None => program,
    })
}

/// Replaces mab with `program`, so its exit code and signals are the tool's own. Returns only on failure.
pub fn exec(program: &OsStr, args: &[OsString], env: &[(String, String)]) -> Result<ExitCode> {
    let err = Command::new(program)
        .args(args)
        .envs(env.iter().cloned())
        .exec();
    Err(err).with_context(|| format!("cannot run {}", Path::new(program).display()))
}

/// The exit code mab passes on for a tool it waited for (128 + signal when it was killed, as shells do).
pub fn pass_through(status: ExitStatus) -> ExitCode {
    let code = status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1);
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
