//! `mab cargo` (and `xx-cargo`): runs the real `cargo` with `--target` for the target platform, the linker,
//! the `cc` crate's compilers, pkg-config's paths and qemu as the runner, after adding the target's standard
//! library with rustup when it is missing.

use super::{cc, exec, target};
use crate::core::cargo::target as rust_target;
use crate::core::options::{self, Spec};
use crate::core::plan::{Command as Run, Plan, Then};
use crate::core::shell::quote;
use crate::core::table::Family;
use crate::core::toolenv::ToolPlan;
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
    /// cargo's arguments, with mab's: --platform OS/ARCH[/VARIANT], --print-target-triple, --print-env (prints,
    /// makes no links: `mab clang --setup-target-triple` makes the compilers it names),
    /// --setup-target-triple (add the target's std only), --bin-dir DIR (copy the built executables there)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<OsString>,
}

/// mab's own options, anywhere before a `--` (the rule of `core::options`). A `--target` the user passed
/// may pick the other libc for the same platform.
const OPTIONS: Spec = Spec {
    flags: &[
        "--print-target-triple",
        "--print-env",
        "--setup-target-triple",
    ],
    valued: &[
        ("--platform", "linux/arm64"),
        ("--bin-dir", "/out"),
        ("--target", "aarch64-unknown-linux-musl"),
    ],
};

pub fn run(args: Args) -> Result<ExitCode> {
    run_raw(&args.args)
}

/// `args` are what follows `mab cargo` (or `xx-cargo`).
pub fn run_raw(args: &[OsString]) -> Result<ExitCode> {
    let opts = options::parse(args, &OPTIONS)?;
    let info = target::resolve(opts.value("--platform"))?;
    target::warn_if_emulated(&info);
    let (info, triple) = rust_target(&info, opts.value("--target"), &target::var)?;
    if opts.flag("--print-target-triple") {
        print_lines([triple])?;
        return Ok(ExitCode::SUCCESS);
    }
    if opts.flag("--setup-target-triple") {
        ensure_std(&info, triple)?;
        return Ok(ExitCode::SUCCESS);
    }
    let probe = exec::probe();
    let ToolPlan { env: vars, links } =
        crate::core::cargo::plan(&info, triple, &cc::overrides()?, &probe, &target::var)?;
    if opts.flag("--print-env") {
        print_lines(vars.iter().map(|(k, v)| format!("{k}={}", quote(v))))?;
        return Ok(ExitCode::SUCCESS);
    }
    let cargo = exec::program("cargo").ok_or_else(|| {
        // "cargo: not found" is the shell's wording, which xx-cargo users (and xx's tests) look for.
        anyhow!("cargo: not found on PATH: install Rust (rustup, or Debian's cargo)")
    })?;
    ensure_std(&info, triple)?;
    let bin_dir = opts.value("--bin-dir").map(PathBuf::from);
    let args = with_target(opts.rest, triple);
    match &bin_dir {
        Some(dir) => {
            exec::make_links(&links)?;
            build_and_copy(Path::new(&cargo), &args, &vars, dir)
        }
        None => exec::carry_out(Plan {
            links,
            then: Then::Exec(Run {
                program: cargo,
                args,
                env: vars,
            }),
        }),
    }
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
    if exec::program("rustup").is_some() {
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
        return Ok(exec::pass_through(status));
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
