//! `mab lint [--format text|json|sarif] [DOCKERFILE...]`: the steps of existing Dockerfiles that a
//! multi-platform build emulates or gets wrong (`core::lint`'s rules), each with its line and a fix.
//!
//! Output: text is one finding per line, `FILE:LINE RULE level: message` then `  fix: …`; json is one
//! array of `{file, rule, name, level, line, message, fix}`; sarif is SARIF 2.1.0, which GitHub code
//! scanning reads.
//!
//! `--fix` rewrites each file first (`core::lint::fix`: only what keeps the build's meaning) and reports
//! what is left.
//!
//! Exit codes, as hadolint's: 0 nothing at or above `--failure-threshold` (default: warning), 1 a finding
//! at or above it, 2 a file that cannot be read or parsed (the others are still linted) or a usage error.

use crate::core::lint::{self, Finding, Level, RULES};
use crate::exit::{print_lines, ERROR, FALSE};
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Rules: MAB001 compile-emulated, MAB002 packages-emulated, MAB003 goarm-missing, MAB004 \
                  undeclared-platform-arg, MAB005 fixed-platform, MAB006 build-machine-binary, MAB007 cgo-unset, \
                  MAB008 xx-stage, MAB009 podman-buildplatform.\n\
                  Exit codes: 0 no finding at or above the threshold; 1 a finding at or above it; 2 a file \
                  that cannot be read or parsed, or a usage error."
)]
pub struct Args {
    /// Dockerfiles to read (default: ./Dockerfile)
    #[arg(value_name = "DOCKERFILE")]
    files: Vec<PathBuf>,
    /// How to print the findings
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The lowest level that makes the exit code 1
    #[arg(long, value_enum, default_value_t = Threshold::Warning)]
    failure_threshold: Threshold,
    /// Rewrite each file where that is safe (a Go build stage pinned to $BUILDPLATFORM with `mab go`,
    /// missing ARGs declared), comment what is left, then report what remains
    #[arg(long)]
    fix: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Threshold {
    Info,
    Warning,
    Error,
    None,
}

#[derive(Serialize)]
struct Located<'a> {
    file: String,
    #[serde(flatten)]
    finding: &'a Finding,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let files = if args.files.is_empty() {
        vec![PathBuf::from("Dockerfile")]
    } else {
        args.files
    };
    let mut unreadable = false;
    let mut found: Vec<(String, Finding)> = Vec::new();
    for path in &files {
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("mab lint: error: {shown}: {e}");
                unreadable = true;
                continue;
            }
        };
        let text = if args.fix {
            match fix_file(path, &text) {
                Ok(fixed) => fixed,
                Err(e) => {
                    eprintln!("mab lint: error: {shown}: {e:#}");
                    unreadable = true;
                    continue;
                }
            }
        } else {
            text
        };
        match lint::lint(&text) {
            Ok(findings) => found.extend(findings.into_iter().map(|f| (shown.clone(), f))),
            Err(e) => {
                eprintln!("mab lint: error: {shown}: {e}");
                unreadable = true;
            }
        }
    }
    match args.format {
        Format::Text => print_lines(found.iter().flat_map(|(file, f)| {
            [
                format!("{file}:{} {} {}: {}", f.line, f.id, f.level, f.message),
                format!("  fix: {}", f.fix),
            ]
        }))?,
        Format::Json => {
            let located: Vec<Located> = found
                .iter()
                .map(|(file, finding)| Located {
                    file: file.clone(),
                    finding,
                })
                .collect();
            print_lines([serde_json::to_string_pretty(&located)?])?
        }
        Format::Sarif => print_lines([serde_json::to_string_pretty(&sarif(&found))?])?,
    }
    let threshold = match args.failure_threshold {
        Threshold::Info => Some(Level::Info),
        Threshold::Warning => Some(Level::Warning),
        Threshold::Error => Some(Level::Error),
        Threshold::None => None,
    };
    Ok(if unreadable {
        ExitCode::from(ERROR)
    } else if threshold.is_some_and(|t| found.iter().any(|(_, f)| f.level >= t)) {
        ExitCode::from(FALSE)
    } else {
        ExitCode::SUCCESS
    })
}

/// Rewrites a file with what `--fix` changes (beside it, then renamed over it, so a failure leaves the
/// original), saying each change on stderr; returns the new text.
fn fix_file(path: &std::path::Path, text: &str) -> Result<String> {
    let fixed = lint::fix(text, crate::core::gen::default_mab_image())?;
    if fixed.text != text {
        let mode = std::fs::metadata(path)
            .with_context(|| format!("reading {}", path.display()))?
            .permissions();
        super::exec::replace(path, |new| {
            std::fs::write(new, &fixed.text)?;
            std::fs::set_permissions(new, mode)
        })
        .with_context(|| format!("writing {}", path.display()))?;
    }
    for change in &fixed.changes {
        eprintln!("mab lint: {}: {change}", path.display());
    }
    Ok(fixed.text)
}

/// SARIF 2.1.0: one run, mab as the tool with every rule, one result per finding.
fn sarif(found: &[(String, Finding)]) -> serde_json::Value {
    let level = |l: Level| match l {
        Level::Info => "note",
        Level::Warning => "warning",
        Level::Error => "error",
    };
    let rules: Vec<_> = RULES
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "defaultConfiguration": { "level": level(r.level) },
            })
        })
        .collect();
    let results: Vec<_> = found
        .iter()
        .map(|(file, f)| {
            serde_json::json!({
                "ruleId": f.id,
                "level": level(f.level),
                "message": { "text": format!("{} Fix: {}", f.message, f.fix) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": file },
                        "region": { "startLine": f.line },
                    }
                }],
            })
        })
        .collect();
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "mab",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}
