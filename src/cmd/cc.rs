//! The C/C++ wrappers (`mab cc|c++|clang|clang++`, `xx-clang`, `aarch64-linux-gnu-clang`, ...), the
//! sysroot-aware `mab pkg-config` and the `<triple>-ar`-style links to LLVM's tools. Arguments are raw,
//! never parsed by clap, and the compiler replaces this process (exec), so a call costs one small startup.

use super::target::{resolve, var};
use crate::applet::{Applet, SUFFIXES};
use crate::core::cc::{self, Action, CcError, Overrides, Probe, Toolchain, Wrapper, GUARD};
use crate::core::Info;
use crate::exit::print_lines;
use anyhow::{bail, Context, Result};
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::OnceLock;

/// Names `--wrap` puts on PATH so plain `clang` and `cc` build for the target.
const WRAP_NAMES: &[&str] = &["clang", "clang++", "cc", "c++"];

/// This executable, resolved, for the links mab makes to itself.
fn this_exe() -> Option<&'static Path> {
    static EXE: OnceLock<Option<PathBuf>> = OnceLock::new();
    EXE.get_or_init(|| std::env::current_exe().ok()?.canonicalize().ok())
        .as_deref()
}

/// A file's identity (device, inode), following links: one stat, where comparing canonical paths costs a
/// readlink per path component.
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    m.is_file().then(|| (m.dev(), m.ino()))
}

fn is_mab(path: &Path) -> bool {
    static SELF: OnceLock<Option<(u64, u64)>> = OnceLock::new();
    let me = *SELF.get_or_init(|| identity(Path::new("/proc/self/exe")));
    me.is_some() && identity(path) == me
}

/// A program on PATH that is not mab (a wrapped `clang` link must not find itself).
pub fn program(name: &str) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| identity(p).is_some() && !is_mab(p))
        .map(|p| p.to_string_lossy().into_owned())
}

fn exists(path: &str) -> bool {
    Path::new(path).exists()
}

pub fn overrides() -> Result<Overrides> {
    let driver = var("MAB_CC")
        .map(|v| Overrides::parse_driver(&v))
        .transpose()?;
    let linker = match (var("MAB_LINKER"), var("XX_CC_PREFER_LINKER")) {
        (Some(v), _) => Some(Overrides::parse_linker("MAB_LINKER", &v)?),
        // xx's variable also takes "gold", which mab treats as its default choice.
        (None, Some(v)) if v != "gold" => Some(Overrides::parse_linker("XX_CC_PREFER_LINKER", &v)?),
        _ => None,
    };
    let sysroot = var("MAB_SYSROOT");
    if let Some(s) = &sysroot {
        if !s.starts_with('/') || !Path::new(s).is_dir() {
            bail!("MAB_SYSROOT={s:?} is not an absolute path to a directory");
        }
    }
    Ok(Overrides {
        driver,
        linker,
        sysroot,
    })
}

/// The target: a triple given with `--target=` or in the program name wins over TARGETPLATFORM.
fn target(triple: Option<&str>) -> Result<Info> {
    let info = resolve(None)?;
    let Some(triple) = triple else {
        return Ok(info);
    };
    let platform = cc::platform_for_triple(triple, &info.flavour)?;
    Ok(Info::new(platform, info.build, info.flavour, &var, None))
}

pub fn toolchain(info: &Info, wrapper: Option<Wrapper>) -> Result<Toolchain> {
    let probe = Probe {
        program: &program,
        exists: &exists,
    };
    Ok(cc::toolchain(info, wrapper, &overrides()?, &probe)?)
}

/// `mab cc ARGS`, `xx-clang ARGS`, `aarch64-linux-gnu-clang ARGS`: `prefix` is the triple in the name.
pub fn run(wrapper: Wrapper, prefix: Option<&str>, args: &[OsString]) -> Result<ExitCode> {
    if std::env::var_os(GUARD).is_some() {
        return Err(CcError::Recursion.into());
    }
    let action = cc::action(args);
    if action == Action::Passthrough {
        let name = if wrapper.is_cxx() { "clang++" } else { "clang" };
        let clang = program(name)
            .ok_or_else(|| anyhow::anyhow!("{name} not found: apt-get install clang"))?;
        return exec(&clang, args, &[]);
    }
    let given = cc::target_arg(args);
    let info = target(given.as_deref().or(prefix))?;
    match action {
        Action::PrintTargetTriple => {
            print_lines([&info.triple])?;
            return Ok(ExitCode::SUCCESS);
        }
        Action::Wrap | Action::Unwrap => {
            wrap(action == Action::Wrap)?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let tc = toolchain(&info, Some(wrapper))?;
    match action {
        Action::PrintSysroot => print_lines([&tc.sysroot])?,
        Action::SetupTargetTriple => {
            setup(&tc.triple)?;
        }
        Action::PrintCmakeDefines => {
            let dir = setup(&tc.triple)?;
            let t = &tc.triple;
            let bin = |name: &str| dir.join(format!("{t}-{name}")).display().to_string();
            // setup keeps a real <triple>-pkg-config where one exists.
            let pkg_config =
                program(&format!("{t}-pkg-config")).unwrap_or_else(|| bin("pkg-config"));
            print_lines([format!(
                "-DCMAKE_C_COMPILER={} -DCMAKE_CXX_COMPILER={} -DCMAKE_ASM_COMPILER={} \
                 -DPKG_CONFIG_EXECUTABLE={} -DCMAKE_C_COMPILER_TARGET={t} \
                 -DCMAKE_CXX_COMPILER_TARGET={t} -DCMAKE_ASM_COMPILER_TARGET={t}",
                bin("clang"),
                bin("clang++"),
                bin("clang"),
                pkg_config,
            )])?
        }
        _ => {
            let (program, args, env) = cc::invocation(&tc, wrapper, args);
            return exec(&program, &args, &env);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `mab pkg-config ARGS` and `<triple>-pkg-config ARGS`: pkg-config reading the target's .pc files.
/// Variables the user set win.
pub fn pkg_config(prefix: Option<&str>, args: &[OsString]) -> Result<ExitCode> {
    let info = target(prefix)?;
    let row = cc::row(&info)?;
    let sysroot = overrides()?.sysroot.unwrap_or_else(|| info.sysroot.clone());
    let env: Vec<_> = cc::pkg_config_env(&info, row, &sysroot)
        .into_iter()
        .filter(|(k, _)| std::env::var_os(k).is_none())
        .collect();
    let pkg_config = program("pkg-config")
        .ok_or_else(|| anyhow::anyhow!("pkg-config not found: apt-get install pkg-config"))?;
    exec(&pkg_config, args, &env)
}

/// `<triple>-ar` and friends, linked by `--setup-target-triple`: LLVM's tool, which handles every target.
pub fn llvm_tool(tool: &str, args: &[OsString]) -> Result<ExitCode> {
    let name = format!("llvm-{tool}");
    let path =
        program(&name).ok_or_else(|| anyhow::anyhow!("{name} not found: apt-get install llvm"))?;
    exec(&path, args, &[])
}

/// Replaces this process with the compiler; returns only if it could not start.
fn exec<A: AsRef<std::ffi::OsStr>>(
    program: &str,
    args: &[A],
    env: &[(&str, String)],
) -> Result<ExitCode> {
    let err = Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .exec();
    Err(err).with_context(|| format!("cannot run {program}"))
}

/// Where the links go: MAB_BIN_DIR, else /usr/local/bin (on PATH before /usr/bin on Debian).
fn bin_dir() -> PathBuf {
    PathBuf::from(var("MAB_BIN_DIR").unwrap_or_else(|| "/usr/local/bin".to_string()))
}

/// Makes `dir/name` a link to mab unless something else is there already. Returns whether it is mab's.
fn link_to_mab(dir: &Path, name: &str) -> Result<bool> {
    let exe = this_exe().context("cannot find mab's own executable")?;
    let link = dir.join(name);
    if link.symlink_metadata().is_ok() {
        return Ok(is_mab(&link));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::os::unix::fs::symlink(exe, &link)
        .with_context(|| format!("cannot create {}", link.display()))?;
    Ok(true)
}

/// xx's `--setup-target-triple`: `<triple>-clang`, `-clang++`, `-pkg-config` and binutils-style names as
/// links to mab, so build systems that take a cross prefix (`CROSS_COMPILE=aarch64-linux-gnu-`) work.
pub fn setup(triple: &str) -> Result<PathBuf> {
    let dir = bin_dir();
    for name in ["clang", "clang++", "pkg-config"] {
        let full = format!("{triple}-{name}");
        // Keep a real tool of that name (Debian's pkg-config ships some <triple>-pkg-config).
        if name == "pkg-config" && program(&full).is_some() {
            continue;
        }
        link_to_mab(&dir, &full)?;
    }
    // The binutils-style names are the applet table's LLVM rows.
    let tools = SUFFIXES.iter().filter_map(|(_, a)| match a {
        Applet::LlvmTool(tool) => Some(*tool),
        _ => None,
    });
    for tool in tools {
        let full = format!("{triple}-{tool}");
        if program(&full).is_none() && program(&format!("llvm-{tool}")).is_some() {
            link_to_mab(&dir, &full)?;
        }
    }
    Ok(dir)
}

/// `--wrap` puts `clang`, `clang++`, `cc` and `c++` links to mab in the bin dir, so build scripts that call
/// plain `cc` build for TARGETPLATFORM; `--unwrap` removes exactly those links.
fn wrap(on: bool) -> Result<()> {
    let dir = bin_dir();
    for name in WRAP_NAMES {
        if on {
            if !link_to_mab(&dir, name)? {
                bail!(
                    "{} exists and is not mab: not replacing it",
                    dir.join(name).display()
                );
            }
        } else {
            let link = dir.join(name);
            if is_mab(&link) {
                std::fs::remove_file(&link)
                    .with_context(|| format!("cannot remove {}", link.display()))?;
            }
        }
    }
    Ok(())
}
