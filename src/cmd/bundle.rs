//! `mab bundle PROGRAM... --to DIR`: copies what a dynamically linked program needs at run time — its
//! loader and every shared library it needs, transitively — from the target's packages on the build
//! machine into DIR, as a root filesystem to `COPY --from=build DIR/ /` onto any base (even scratch).
//! Nothing runs under emulation: the ELF files are read, not executed. A library that cannot be found
//! stops the build and is named, with what to install. A static program needs nothing (DIR is made
//! empty).

use super::headers::read_headers;
use super::target::resolve;
use crate::core::bundle::{self, destination, plain_soname, search_dirs};
use crate::core::{binary, table};
use anyhow::{bail, Context, Result};
use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The programs (ELF executables for the target)
    #[arg(required = true, value_name = "PROGRAM")]
    programs: Vec<PathBuf>,
    /// The directory to fill (created): e.g. /out/rootfs, then `COPY --from=build /out/rootfs/ /`
    #[arg(long, value_name = "DIR")]
    to: PathBuf,
    /// Target platform, instead of TARGETPLATFORM and friends
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    platform: Option<String>,
}

fn deps_of(path: &Path) -> Result<bundle::Deps> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    bundle::read(&data).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Copies `from` (following symlinks, so the file's content lands under the name asked for) to `root/to`.
fn place(root: &Path, from: &Path, to: &str) -> Result<()> {
    let dest = root.join(to.trim_start_matches('/'));
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::copy(from, &dest)
        .with_context(|| format!("cannot copy {} to {}", from.display(), dest.display()))?;
    Ok(())
}

pub fn run(args: Args) -> Result<ExitCode> {
    let info = resolve(args.platform.as_deref())?;
    // Windows finds a program's DLLs beside it, and MinGW-w64's runtime is linked in or shipped with the
    // program: there is no root filesystem to make, so a generated Dockerfile's export stage works as is.
    if info.target.os() == "windows" {
        std::fs::create_dir_all(&args.to)
            .with_context(|| format!("cannot create {}", args.to.display()))?;
        eprintln!(
            "mab bundle: nothing to bundle for {}: Windows programs load their DLLs from beside them",
            info.target
        );
        return Ok(ExitCode::SUCCESS);
    }
    let multiarch = info
        .target
        .row
        .cc
        .as_ref()
        .map(|c| c.multiarch)
        .filter(|_| info.target.os() == "linux")
        .with_context(|| {
            format!(
                "mab bundle knows Linux (glibc) targets; {} is not one",
                info.target
            )
        })?;
    // The sysroot mab compiles against, Debian's `-cross` root (/usr/<triple>), then multiarch under /.
    let cross = format!("/usr/{}", info.triple);
    let mut roots: Vec<&str> = vec![info.sysroot.as_str()];
    if Path::new(&cross).is_dir() && cross != info.sysroot {
        roots.push(&cross);
    }
    if info.sysroot != "/" {
        roots.push("/");
    }
    let dirs = search_dirs(&roots, multiarch);
    std::fs::create_dir_all(&args.to)
        .with_context(|| format!("cannot create {}", args.to.display()))?;
    let mut queue: VecDeque<(PathBuf, String)> = VecDeque::new();
    // The programs' own glibc symbol versions: what a base's glibc would need to offer.
    let mut glibc = None;
    let row = table::binary(info.target.row);
    for program in &args.programs {
        // A program for another CPU names a loader and libraries that are not the target's: say so, rather
        // than send the user to install a C library that would not help.
        if let (Some(row), Ok(found)) = (row, read_headers(program)) {
            if !binary::check(row, &found, false).is_empty() {
                bail!(
                    "{} is a program for {}, not for {} ({}): build it for {}",
                    program.display(),
                    binary::found_words(&found, false),
                    info.target,
                    binary::expected_words(row),
                    info.target
                );
            }
        }
        let deps = deps_of(program)?;
        glibc = glibc.max(deps.glibc);
        if deps.interpreter.is_none() && deps.needed.is_empty() {
            eprintln!(
                "mab bundle: {} is statically linked: nothing to copy",
                program.display()
            );
            continue;
        }
        let interp = deps.interpreter.clone().with_context(|| {
            format!(
                "{} needs shared libraries but names no loader (PT_INTERP)",
                program.display()
            )
        })?;
        let found = roots
            .iter()
            .map(|r| PathBuf::from(format!("{}{interp}", r.trim_end_matches('/'))))
            .find(|p| p.is_file())
            .with_context(|| {
                format!(
                    "the loader {interp} of {} is not installed for {}: install the target's C library \
                     (mab apt-get install -y libc6-dev) in the build stage",
                    program.display(),
                    info.target
                )
            })?;
        place(&args.to, &found, &interp)?;
        queue.push_back((program.clone(), program.display().to_string()));
    }
    let mut done = BTreeSet::new();
    let mut missing = Vec::new();
    let mut copied = Vec::new();
    while let Some((file, shown)) = queue.pop_front() {
        let deps = deps_of(&file)?;
        let origin = file.parent().unwrap_or(Path::new("/")).to_path_buf();
        let runpath: Vec<String> = deps
            .runpath
            .iter()
            .map(|d| d.replace("$ORIGIN", &origin.to_string_lossy()))
            .collect();
        for name in deps.needed {
            if !plain_soname(&name) {
                bail!("{shown} needs {name:?}, which is not a library file name");
            }
            if !done.insert(name.clone()) {
                continue;
            }
            let found = runpath
                .iter()
                .chain(&dirs)
                .map(|d| Path::new(d).join(&name))
                .find(|p| p.is_file());
            match found {
                Some(path) => {
                    place(&args.to, &path, &destination(multiarch, &name))?;
                    copied.push(name.clone());
                    queue.push_back((path, name));
                }
                None => missing.push(format!("{name} (needed by {shown})")),
            }
        }
    }
    if !missing.is_empty() {
        bail!(
            "not found for {}: {}; looked in {}. Install the target's package that has it in the build \
             stage (mab apt-get install -y <name>-dev, or mab gen dockerfile --packages)",
            info.target,
            missing.join(", "),
            dirs.join(" ")
        );
    }
    if !copied.is_empty() {
        let needs = glibc.map_or(String::new(), |(a, b)| {
            format!("; needs glibc {a}.{b} or newer")
        });
        eprintln!(
            "mab bundle: {} ({}): the loader and {}{needs}",
            args.to.display(),
            info.target,
            copied.join(" ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
