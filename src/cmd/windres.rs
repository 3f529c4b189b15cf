//! `mab windres`, `xx-windres` and `<triple>-windres`: finds the preprocessor and LLVM's resource tools
//! (or binutils' windres), then runs the steps `core::windres` plans. Arguments are raw, as for compilers.

use super::exec::{self, program};
use super::target::{resolve, var};
use crate::core::names::WindresName as Name;
use crate::core::windres::{self, Format, Request, Step, WindresError};
use crate::core::Platform;
use anyhow::{bail, Context, Result};
use std::ffi::OsString;
use std::process::ExitCode;

pub fn run(name: Name, prefix: Option<&str>, args: &[OsString]) -> Result<ExitCode> {
    let args = super::utf8_args(args)?;
    match plan_and_run(name, prefix, &args) {
        // xx-windres's messages, bare, with its exit code.
        Err(e) if name == Name::Xx && e.downcast_ref::<WindresError>().is_some() => {
            eprintln!("{e}");
            Ok(ExitCode::from(crate::exit::FALSE))
        }
        other => other,
    }
}

fn plan_and_run(name: Name, prefix: Option<&str>, args: &[String]) -> Result<ExitCode> {
    let mut c = match windres::parse(args)? {
        Request::Help => {
            println!("{}", windres::USAGE);
            return Ok(ExitCode::SUCCESS);
        }
        Request::Version => {
            // xx-windres's own answer, which its callers (and xx's tests) read.
            let version = match name {
                Name::Mab => concat!("mab windres ", env!("CARGO_PKG_VERSION")),
                Name::Xx | Name::Prefixed => "xx-windres 0.1",
            };
            println!("{version}");
            return Ok(ExitCode::SUCCESS);
        }
        Request::Compile(c) => c,
    };
    if c.target.is_none() {
        c.target = prefix.map(str::to_string);
    }
    let (input_format, output_format) = windres::formats(&c)?;
    let resolved = resolve(None)?;
    let platform: Platform = match &c.target {
        Some(t) => {
            windres::platform_for_target(t).ok_or_else(|| WindresError::InvalidTarget(t.clone()))?
        }
        None => windres::windows_of(resolved.target)
            .ok_or_else(|| WindresError::InvalidTarget(resolved.triple.clone()))?,
    };
    let info = crate::core::Info::new(platform, resolved.build, resolved.flavour, &var, None);
    let triple = info.triple.as_str();
    let mingw = platform
        .row
        .mingw
        .as_ref()
        .expect("windows_platforms have a mingw row");
    let dry_run = var("XX_WINDRES_DRYRUN").is_some();
    let llvm_needed: &[&str] = match (input_format, output_format) {
        (Format::Rc, Format::Coff) => &["llvm-rc", "llvm-cvtres"],
        (Format::Rc, _) => &["llvm-rc"],
        (_, Format::Coff) => &["llvm-cvtres"],
        _ => &[],
    };
    if !dry_run {
        if let Some(missing) = llvm_needed.iter().find(|t| program(t).is_none()) {
            // binutils' windres does the whole job itself when it is what is installed.
            let gnu = format!("{triple}-windres");
            if let Some(windres) = program(&gnu) {
                return exec::exec(&crate::core::plan::Command {
                    program: windres,
                    args: args.iter().map(Into::into).collect(),
                    env: Vec::new(),
                });
            }
            let binutils = mingw.debian.as_ref().map_or(String::new(), |d| {
                format!(", or `apt-get install {}` for {gnu}", d.binutils)
            });
            bail!(
                "{missing} not found: `apt-get install llvm` (llvm-rc and llvm-cvtres){binutils}"
            );
        }
    }
    let preprocessor = preprocessor(&c, triple)?;
    let temps = temp_names();
    let steps = windres::steps(&c, mingw, &preprocessor, [&temps[0], &temps[1]])?;
    if dry_run {
        crate::exit::print_lines(steps.iter().map(Step::to_string))?;
        return Ok(ExitCode::SUCCESS);
    }
    let result = run_steps(&steps);
    for t in &temps {
        let _ = std::fs::remove_file(t);
    }
    result
}

/// `--preprocessor`, else `$CC` (split as make splits it), else clang for the target (so `#include
/// <winver.h>` finds the MinGW headers), else the target's GCC.
fn preprocessor(c: &windres::Compile, triple: &str) -> Result<Vec<String>> {
    let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    if let Some(p) = c.preprocessor.as_deref().filter(|p| !p.trim().is_empty()) {
        return Ok(words(p));
    }
    if let Some(cc) = var("CC").filter(|cc| !cc.trim().is_empty()) {
        return Ok(words(&cc));
    }
    if program("clang").is_some() {
        return Ok(vec!["clang".to_string(), format!("--target={triple}")]);
    }
    let gcc = format!("{triple}-gcc");
    if program(&gcc).is_some() {
        return Ok(vec![gcc]);
    }
    bail!("no C preprocessor for the .rc file: `apt-get install clang`, or name one with --preprocessor or CC")
}

/// The two temporary files: xx's fixed names when its tests ask (XX_TMP_FILE_FIXED), else fresh ones.
fn temp_names() -> [String; 2] {
    if let Some(fixed) = var("XX_TMP_FILE_FIXED") {
        return [fixed.clone(), format!("{fixed}_")];
    }
    let base = std::env::temp_dir().join(format!("mab-windres-{}", std::process::id()));
    let base = base.display();
    [format!("{base}.rc.i"), format!("{base}.res")]
}

fn run_steps(steps: &[Step]) -> Result<ExitCode> {
    for step in steps {
        match step {
            Step::Run(argv) => {
                let status = exec::wait(&crate::core::plan::Command {
                    program: argv[0].clone(),
                    args: argv[1..].iter().map(Into::into).collect(),
                    env: Vec::new(),
                })?;
                if !status.success() {
                    return Ok(exec::pass_through(status));
                }
            }
            Step::Copy { from, to } => {
                std::fs::copy(from, to).with_context(|| format!("cannot copy {from} to {to}"))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
