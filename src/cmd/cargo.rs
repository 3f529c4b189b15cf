//! `mab cargo` (and `xx-cargo`): runs the real `cargo` with `--target` for the target platform, the linker,
//! the `cc` crate's compilers, pkg-config's paths and qemu as the runner, after adding the target's standard
//! library with rustup when it is missing.

use super::{target, tool};
use crate::core::cargo::{env, musl_objects_compiler, target as rust_target, Found};
use crate::core::shell::quote;
use crate::core::table::Family;
use crate::core::toolenv::CCompiler;
use crate::core::Info;
use crate::exit::print_lines;
use anyhow::{anyhow, bail, Context, Result};
use cargo_metadata::Message;
use std::ffi::OsString;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// cargo's arguments, with mab's: --platform OS/ARCH[/VARIANT], --print-target-triple, --print-env,
    /// --setup-target-triple (add the target's std only), --bin-dir DIR (copy the built executables there)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<OsString>,
}

/// mab's own options, picked out of cargo's arguments (before any `--`).
#[derive(Default)]
struct Options {
    platform: Option<String>,
    print_triple: bool,
    print_env: bool,
    setup_only: bool,
    bin_dir: Option<PathBuf>,
    /// A `--target` the user passed: it may pick the other libc for the same platform.
    target: Option<String>,
    cargo_args: Vec<OsString>,
}

fn parse(args: &[OsString]) -> Result<Options> {
    let mut opts = Options::default();
    let mut rest = args.iter();
    let value = |name: &str, rest: &mut std::slice::Iter<OsString>| -> Result<String> {
        rest.next()
            .and_then(|v| v.to_str())
            .map(str::to_string)
            .with_context(|| format!("{name} needs a value"))
    };
    while let Some(arg) = rest.next() {
        let Some(s) = arg.to_str() else {
            opts.cargo_args.push(arg.clone());
            continue;
        };
        let (name, inline) = match s.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (s, None),
        };
        match name {
            "--" => {
                opts.cargo_args.push(arg.clone());
                opts.cargo_args.extend(rest.cloned());
                break;
            }
            "--print-target-triple" => opts.print_triple = true,
            "--print-env" => opts.print_env = true,
            "--setup-target-triple" => opts.setup_only = true,
            "--platform" => {
                opts.platform = Some(inline.map_or_else(|| value(name, &mut rest), Ok)?)
            }
            "--bin-dir" => {
                opts.bin_dir = Some(inline.map_or_else(|| value(name, &mut rest), Ok)?.into())
            }
            "--target" => opts.target = Some(inline.map_or_else(|| value(name, &mut rest), Ok)?),
            _ => opts.cargo_args.push(arg.clone()),
        }
    }
    Ok(opts)
}

pub fn run(args: Args) -> Result<ExitCode> {
    run_raw(&args.args)
}

/// `args` are what follows `mab cargo` (or `xx-cargo`).
pub fn run_raw(args: &[OsString]) -> Result<ExitCode> {
    let opts = parse(args)?;
    let info = target::resolve(opts.platform.as_deref())?;
    target::warn_if_emulated(&info);
    let (info, triple) =
        rust_target(&info, opts.target.as_deref(), &target::var).map_err(|e| anyhow!(e))?;
    if opts.print_triple {
        print_lines([triple])?;
        return Ok(ExitCode::SUCCESS);
    }
    if opts.setup_only {
        ensure_std(&info, triple)?;
        return Ok(ExitCode::SUCCESS);
    }
    let c = if info.is_cross() {
        tool::c_compiler(&info)
    } else {
        None
    };
    let c_objects = match &c {
        Some(_) => None,
        None => musl_objects(&info),
    };
    let found = Found {
        c: c.as_ref(),
        c_objects: c_objects.as_ref(),
        runner: tool::qemu_runner(&info),
    };
    let vars = env(&info, triple, &found, &target::var).map_err(|e| anyhow!(e))?;
    if opts.print_env {
        print_lines(vars.iter().map(|(k, v)| format!("{k}={}", quote(v))))?;
        return Ok(ExitCode::SUCCESS);
    }
    let cargo = tool::find("cargo").ok_or_else(|| {
        // "cargo: not found" is the shell's wording, which xx-cargo users (and xx's tests) look for.
        anyhow!("cargo: not found on PATH: install Rust (rustup, or Debian's cargo)")
    })?;
    ensure_std(&info, triple)?;
    let args = with_target(opts.cargo_args, triple);
    match &opts.bin_dir {
        Some(dir) => build_and_copy(&cargo, &args, &vars, dir),
        None => tool::exec(cargo.as_os_str(), &args, &vars),
    }
}

/// A compiler for the `cc` crate's musl objects where the distro has no musl C toolchain (clang, or the
/// build machine's own cc for its own architecture), with the target's musl headers if Debian's musl-dev
/// put them in /usr/include/<triple>.
fn musl_objects(info: &Info) -> Option<CCompiler> {
    let clang = if tool::find("clang").is_some() {
        true
    } else if !info.is_cross() && tool::find("cc").is_some() {
        false
    } else {
        return None;
    };
    let headers = format!("/usr/include/{}", info.triple);
    let headers = Path::new(&headers).is_dir().then_some(headers.as_str());
    let ar = tool::find("llvm-ar").map(|p| p.display().to_string());
    musl_objects_compiler(info, clang, headers, ar)
}

/// cargo's arguments with `--target` added before any `--` (what follows it belongs to the program).
/// Bare `cargo` or `cargo --version` take no target.
fn with_target(mut args: Vec<OsString>, triple: &str) -> Vec<OsString> {
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let has_command = args[..end]
        .iter()
        .any(|a| !a.to_string_lossy().starts_with(['-', '+']));
    if has_command {
        args.splice(end..end, ["--target".into(), triple.into()]);
    }
    args
}

/// Adds the target's standard library when rustc has none, as xx-cargo does: with rustup, else, for
/// Debian's own rustc, Debian's `libstd-rust-dev` for the target architecture (by `mab apt-get`).
fn ensure_std(info: &Info, triple: &str) -> Result<()> {
    let sysroot = rustc_sysroot()?;
    if has_std(&sysroot, triple) {
        return Ok(());
    }
    if tool::find("rustup").is_some() {
        return rustup_add(triple);
    }
    let debian_arch = info
        .target
        .row
        .debian_arch
        .filter(|_| info.flavour.family == Some(Family::Debian) && info.target.os() == "linux");
    // Debian's std for another architecture lands in Debian's rustc's sysroot, /usr, and nowhere else.
    let Some(arch) = debian_arch.filter(|_| sysroot == Path::new("/usr")) else {
        let debian = debian_arch
            .map(|a| format!(", or Debian's rustc with libstd-rust-dev:{a}"))
            .unwrap_or_default();
        bail!("the Rust standard library for {triple} is missing and rustup is not installed: install rustup and run `rustup target add {triple}`{debian}");
    };
    let exe = std::env::current_exe().context("cannot find mab's own executable")?;
    let out = Command::new(exe)
        .args(["apt-get", "install", "-y", "libstd-rust-dev"])
        .env("TARGETPLATFORM", info.target.to_string())
        .output()
        .context("cannot run mab apt-get")?;
    if !out.status.success() {
        std::io::stderr().write_all(&out.stdout)?;
        std::io::stderr().write_all(&out.stderr)?;
        bail!("the Rust standard library for {triple} is missing and `mab apt-get install libstd-rust-dev` for {arch} failed (above)");
    }
    if !has_std(&sysroot, triple) {
        bail!("libstd-rust-dev:{arch} is installed but {} has no standard library for {triple}: install rustup and run `rustup target add {triple}`", sysroot.display());
    }
    Ok(())
}

/// rustc's sysroot (`RUSTC`, else `rustc` on PATH).
fn rustc_sysroot() -> Result<PathBuf> {
    let rustc = target::var("RUSTC").unwrap_or_else(|| "rustc".to_string());
    let out = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .with_context(|| {
            format!("cannot run {rustc}: install Rust (rustup, or Debian's rustc and cargo)")
        })?;
    if !out.status.success() {
        bail!(
            "`{rustc} --print sysroot` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn has_std(sysroot: &Path, triple: &str) -> bool {
    sysroot
        .join("lib/rustlib")
        .join(triple)
        .join("lib")
        .is_dir()
}

fn rustup_add(triple: &str) -> Result<()> {
    let out = Command::new("rustup")
        .args(["target", "add", triple])
        .output()
        .context("cannot run rustup")?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        let why = why
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no output");
        bail!("`rustup target add {triple}` failed ({why}): this Rust toolchain has no standard library for {triple}");
    }
    Ok(())
}

/// Runs cargo, then copies every executable it reports building into `dir`: a path that does not depend on
/// the target triple or the profile, for a Dockerfile's next `COPY`.
fn build_and_copy(
    cargo: &Path,
    args: &[OsString],
    vars: &[(String, String)],
    dir: &Path,
) -> Result<ExitCode> {
    if args
        .iter()
        .any(|a| a.to_string_lossy().starts_with("--message-format"))
    {
        bail!("--bin-dir reads cargo's JSON messages: leave out --message-format");
    }
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let mut args = args.to_vec();
    args.insert(end, "--message-format=json-render-diagnostics".into());
    let mut child = Command::new(cargo)
        .args(&args)
        .envs(vars.iter().cloned())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot run cargo")?;
    let mut executables = Vec::new();
    let mut stdout = std::io::stdout().lock();
    let reader = BufReader::new(child.stdout.take().expect("stdout is piped"));
    for message in Message::parse_stream(reader) {
        match message.context("reading cargo's messages")? {
            Message::CompilerArtifact(a) => executables.extend(a.executable),
            Message::TextLine(line) => writeln!(stdout, "{line}")?,
            _ => {}
        }
    }
    let status = child.wait().context("waiting for cargo")?;
    if !status.success() {
        return Ok(tool::pass_through(status));
    }
    if executables.is_empty() {
        bail!("cargo built no executable to copy to {}", dir.display());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for exe in executables {
        let to = dir.join(exe.file_name().unwrap_or("a.out"));
        std::fs::copy(&exe, &to)
            .with_context(|| format!("cannot copy {exe} to {}", to.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}
