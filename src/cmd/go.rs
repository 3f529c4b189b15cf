//! `mab go` (and `xx-go`): runs the real `go` with the target's GOOS, GOARCH, per-architecture knob and,
//! when a C compiler for the target exists, cgo. `mab go env` is `go env` under that environment; `--print-env`
//! prints only what mab adds.

use super::{target, tool};
use crate::core::go::{env, Found};
use crate::core::shell::quote;
use crate::exit::print_lines;
use anyhow::{anyhow, bail, Context, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// [--platform OS/ARCH[/VARIANT]] [--print-env | --wrap | --unwrap] then go's own arguments
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<OsString>,
}

/// mab's own options, which come before go's arguments.
#[derive(Default)]
struct Options {
    platform: Option<String>,
    print_env: bool,
    wrap: bool,
    unwrap: bool,
}

fn parse(args: &[OsString]) -> Result<(Options, &[OsString])> {
    let mut opts = Options::default();
    let mut i = 0;
    while let Some(arg) = args.get(i).and_then(|a| a.to_str()) {
        match arg {
            "--print-env" => opts.print_env = true,
            "--wrap" => opts.wrap = true,
            "--unwrap" => opts.unwrap = true,
            "--platform" => {
                i += 1;
                let value = args.get(i).and_then(|a| a.to_str());
                opts.platform = Some(
                    value
                        .context("--platform needs a value such as linux/arm64")?
                        .to_string(),
                );
            }
            _ => match arg.strip_prefix("--platform=") {
                Some(value) => opts.platform = Some(value.to_string()),
                None => break,
            },
        }
        i += 1;
    }
    Ok((opts, &args[i..]))
}

pub fn run(args: Args) -> Result<ExitCode> {
    run_raw(&args.args)
}

/// `args` are what follows `mab go` (or `xx-go`).
pub fn run_raw(args: &[OsString]) -> Result<ExitCode> {
    let (opts, go_args) = parse(args)?;
    let info = target::resolve(opts.platform.as_deref())?;
    target::warn_if_emulated(&info);
    let c = tool::c_compiler(&info);
    let pkg_config = format!("{}-pkg-config", info.triple);
    let found = Found {
        c: c.as_ref(),
        pkg_config: tool::find(&pkg_config).map(|_| pkg_config.as_str()),
    };
    let vars = env(&info, &found, &target::var).map_err(|e| anyhow!(e))?;
    if opts.print_env {
        print_lines(vars.iter().map(|(k, v)| format!("{k}={}", quote(v))))?;
        return Ok(ExitCode::SUCCESS);
    }
    let go = go_binary()?;
    if opts.wrap || opts.unwrap {
        return wrap(&go, &vars, opts.wrap);
    }
    tool::exec(go.as_os_str(), go_args, &vars)
}

/// `go` on PATH, else the newest Debian `golang-1.N-go` under /usr/lib.
fn go_binary() -> Result<PathBuf> {
    find_go(tool::find("go"), Path::new("/usr/lib"))
}

fn find_go(on_path: Option<PathBuf>, lib: &Path) -> Result<PathBuf> {
    if let Some(go) = on_path {
        return Ok(go);
    }
    let mut found: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(lib)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let version = name.strip_prefix("go-")?;
            let key = version
                .split('.')
                .map(|n| n.parse().ok())
                .collect::<Option<Vec<u32>>>()?;
            let go = lib.join(&name).join("bin/go");
            go.is_file().then_some((key, go))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, go)| go).ok_or_else(|| {
        // "go: not found" is the shell's wording, which xx-go users (and xx's tests) look for.
        anyhow!("go: not found on PATH or in {}/go-*: install Go (Debian: golang-go, or golang-1.23-go from bookworm-backports)", lib.display())
    })
}

/// xx-go's `--wrap`: writes the target's variables into go's own env file (`go env GOENV`) so that a plain
/// `go` builds for the target; `--unwrap` removes that file.
fn wrap(go: &PathBuf, vars: &[(String, String)], on: bool) -> Result<ExitCode> {
    let out = Command::new(go)
        .args(["env", "GOENV"])
        .output()
        .with_context(|| format!("cannot run {}", go.display()))?;
    let file = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || file.is_empty() || file == "off" {
        bail!("go has no env file (go env GOENV printed {file:?}); set GOENV to a writable path");
    }
    let file = PathBuf::from(file);
    if !on {
        if file.exists() {
            std::fs::remove_file(&file)
                .with_context(|| format!("cannot remove {}", file.display()))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let text: String = vars.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    std::fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_from_path_else_the_newest_debian_go() {
        let lib = std::env::temp_dir().join(format!("mab-go-lib-{}", std::process::id()));
        let err = find_go(None, &lib).unwrap_err().to_string();
        assert!(err.starts_with("go: not found on PATH or in "), "{err}");
        for version in ["1.9", "1.19", "1.x"] {
            let bin = lib.join(format!("go-{version}/bin"));
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(bin.join("go"), "").unwrap();
        }
        assert_eq!(find_go(None, &lib).unwrap(), lib.join("go-1.19/bin/go"));
        let on_path = PathBuf::from("/opt/go/bin/go");
        assert_eq!(find_go(Some(on_path.clone()), &lib).unwrap(), on_path);
        std::fs::remove_dir_all(&lib).unwrap();
    }
}
