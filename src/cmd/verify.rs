//! `mab verify [--static] [--json] [--platform P] FILE...`: is every file an executable or library for the
//! target platform (and, with `--static`, statically linked)? Meant to end a build step:
//! `RUN mab go build -o /out/app . && mab verify --static /out/app`.
//!
//! The target comes from `--platform` or TARGETPLATFORM and friends (`target::resolve`), what its binaries
//! carry from `toolchains/binaries.toml`; the headers are decoded by `core::header` from the file itself
//! (no file(1)). `--static` is an ELF question, as in xx-verify: PE and Mach-O files always load the
//! system's libraries and are not held to it.
//!
//! Output: each failing file gets one line on stderr, `PATH: expected P (...), found Q (...)` or
//! `PATH: <why it cannot be judged>`; each passing file one line on stdout (`PATH: ok: P (...)`), which
//! xx-verify leaves out. `--json` prints one report on stdout instead of both: `{platform, expected,
//! static, ok, files: [{path, ok, error, mismatches, platforms, found, images}]}`, where `error` says why a
//! file could not be judged, `mismatches` names what differs ("machine", "float", "not-static", ...),
//! `platforms` lists every platform the file does run on and `images` holds the raw header facts.
//!
//! Exit codes: 0 every file passes. 1 any file does not match, is no executable or library (a script, a
//! truncated or random file, an archive), or cannot be read (missing, a directory, a FIFO or device, no
//! read permission, a symlink loop); every file is still checked and reported. 2 usage errors only: no
//! file, an unknown flag, a malformed or unsupported target platform.
//!
//! The files are read by `super::headers`: never a hang and never a big read.

use super::headers::read_headers;
use super::target;
use crate::core::binary::{self, Mismatch};
use crate::core::table::{self, BinaryRow, ObjectFormat};
use crate::exit::{print_lines, FALSE};
use anyhow::{Context, Result};
use serde::Serialize;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 every file fits; 1 a file does not fit, is no executable or library, or \
                        cannot be read (each file gets its own line); 2 usage error."
)]
pub struct Args {
    /// Executables or libraries to check
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Also require static linking: no dynamic loader, no shared libraries (ELF only, as xx-verify)
    #[arg(long = "static")]
    static_linking: bool,
    /// Print one JSON report on stdout instead of lines
    #[arg(long)]
    json: bool,
    /// Target platform, instead of TARGETPLATFORM and friends
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    platform: Option<String>,
}

/// How to check and what to print; shared with xx-verify.
pub struct Options<'a> {
    pub platform: Option<&'a str>,
    pub want_static: bool,
    pub json: bool,
    /// Print nothing for files that pass (xx-verify's way).
    pub quiet: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let options = Options {
        platform: args.platform.as_deref(),
        want_static: args.static_linking,
        json: args.json,
        quiet: false,
    };
    verify(&args.files, &options)
}

/// One file's verdict, as `--json` prints it.
#[derive(Serialize)]
struct FileReport {
    path: String,
    ok: bool,
    /// Why the file could not be judged at all.
    error: Option<String>,
    mismatches: Vec<Mismatch>,
    /// Every platform the file runs on.
    platforms: Vec<&'static str>,
    /// What the file is, in words.
    found: Option<String>,
    /// The header facts, one per image (two or more in a universal Mach-O file).
    images: Vec<binary::Image>,
}

#[derive(Serialize)]
struct Report<'a> {
    platform: String,
    expected: String,
    #[serde(rename = "static")]
    want_static: bool,
    ok: bool,
    files: &'a [FileReport],
}

pub fn verify(files: &[PathBuf], options: &Options) -> Result<ExitCode> {
    let info = target::resolve(options.platform)?;
    let row = table::binary(info.target.row)
        .with_context(|| format!("toolchains/binaries.toml has no row for {}", info.target))?;
    let reports: Vec<FileReport> = files
        .iter()
        .map(|path| judge(path, row, options.want_static))
        .collect();
    let ok = reports.iter().all(|r| r.ok);
    let static_words = if options.want_static && row.format == ObjectFormat::Elf {
        ", statically linked"
    } else {
        ""
    };
    let expected = format!(
        "{} ({}){static_words}",
        info.target,
        binary::expected_words(row)
    );
    if options.json {
        let report = Report {
            platform: info.target.to_string(),
            expected,
            want_static: options.want_static,
            ok,
            files: &reports,
        };
        print_verdict([serde_json::to_string_pretty(&report)?])?;
    } else {
        let mut passed = Vec::new();
        for r in &reports {
            match (&r.error, &r.found) {
                (Some(error), _) => eprintln!("{}: {error}", r.path),
                (None, Some(found)) if r.ok => passed.push(format!("{}: ok: {found}", r.path)),
                (None, found) => eprintln!(
                    "{}: expected {expected}, found {}",
                    r.path,
                    found.as_deref().unwrap_or("nothing")
                ),
            }
        }
        if !options.quiet {
            print_verdict(passed)?;
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FALSE)
    })
}

/// Prints, treating a closed stdout as no error: the exit code still carries the verdict, so
/// `mab verify ... | head -1` cannot turn a failure into success.
fn print_verdict<I: IntoIterator<Item = String>>(lines: I) -> io::Result<()> {
    match print_lines(lines) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn judge(path: &Path, row: &BinaryRow, want_static: bool) -> FileReport {
    let shown = path.display().to_string();
    match read_headers(path) {
        Err(error) => FileReport {
            path: shown,
            ok: false,
            error: Some(error),
            mismatches: Vec::new(),
            platforms: Vec::new(),
            found: None,
            images: Vec::new(),
        },
        Ok(found) => {
            let mismatches = binary::check(row, &found, want_static);
            FileReport {
                path: shown,
                ok: mismatches.is_empty(),
                error: None,
                mismatches,
                platforms: binary::platforms(&found),
                found: Some(binary::found_words(&found, want_static)),
                images: found.images,
            }
        }
    }
}
