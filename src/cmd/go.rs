//! `mab go` (and `xx-go`): runs the real `go` with the target's GOOS, GOARCH, per-architecture knob and,
//! when a C compiler for the target exists, cgo's CC/CXX (cgo itself stays Go's choice). `mab go env` is `go
//! env` under that environment; `--print-env` prints only what mab adds.

use super::{cc, exec, target};
use crate::core::options::{self, Spec};
use crate::core::plan::{Command as Run, Plan, Then};
use crate::core::shell::quote;
use crate::core::toolenv::ToolPlan;
use crate::exit::print_lines;
use anyhow::{anyhow, bail, Context, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    /// go's arguments, with mab's (anywhere before a `--`): --platform OS/ARCH[/VARIANT], --print-env (prints,
    /// makes no links: `mab clang --setup-target-triple` makes the CC it names), --wrap, --unwrap
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<OsString>,
}

/// mab's own options, anywhere before a `--` (the rule of `core::options`).
const OPTIONS: Spec = Spec {
    flags: &["--print-env", "--wrap", "--unwrap"],
    valued: &[("--platform", "linux/arm64")],
};

pub fn run(args: Args) -> Result<ExitCode> {
    run_raw(&args.args, false)
}

/// `args` are what follows `mab go`, or `xx-go` (`xx`), which is go with the target's environment and
/// nothing more, as xx's.
pub fn run_raw(args: &[OsString], xx: bool) -> Result<ExitCode> {
    let opts = options::parse(args, &OPTIONS)?;
    let info = target::resolve(opts.value("--platform"))?;
    target::warn_if_emulated(&info);
    let probe = exec::probe();
    let ToolPlan { env: vars, links } =
        crate::core::go::plan(&info, &cc::overrides()?, &probe, &target::var)?;
    if opts.flag("--print-env") {
        print_lines(vars.iter().map(|(k, v)| format!("{k}={}", quote(v))))?;
        return Ok(ExitCode::SUCCESS);
    }
    let go = go_binary()?;
    if opts.flag("--wrap") || opts.flag("--unwrap") {
        // The env file names the compiler links: a plain `go` needs them as much as `mab go`.
        exec::make_links(&links)?;
        return wrap(&go, &vars, opts.flag("--wrap"));
    }
    let run = Run {
        program: go.display().to_string(),
        args: opts.rest,
        env: vars,
    };
    if !xx && info.is_cross() && target::var("CGO_ENABLED").is_none() {
        if let Some(package) = cgo_package(&run) {
            eprintln!(
                "mab go: {package} has cgo files, and Go leaves cgo off when cross-compiling: set \
                 CGO_ENABLED=1 to build them"
            );
        }
    }
    exec::carry_out(Plan {
        links,
        then: Then::Exec(run),
    })
}

/// The first package outside the standard library with cgo files that `run` (`go build`, `install`, `run`
/// or `test`) builds, asked of `go list` with cgo on (off, it does not count them); `None` when there is
/// none or go cannot say.
fn cgo_package(run: &Run) -> Option<String> {
    let args: Vec<String> = run
        .args
        .iter()
        .map(|a| a.to_str().map(String::from))
        .collect::<Option<_>>()?;
    let list = crate::core::go::list_args(&args)?;
    let mut env = run.env.clone();
    env.push(("CGO_ENABLED".into(), "1".into()));
    let out = exec::ask(&Run {
        program: run.program.clone(),
        args: std::iter::once("list".into())
            .chain(list.into_iter().map(OsString::from))
            .collect(),
        env,
    })?;
    out.lines().find(|l| !l.is_empty()).map(String::from)
}

/// `go` on PATH, else the newest Debian `golang-1.N-go` under /usr/lib.
fn go_binary() -> Result<PathBuf> {
    find_go(
        exec::program("go").map(PathBuf::from),
        Path::new("/usr/lib"),
    )
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
