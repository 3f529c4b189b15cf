//! `mab gen dockerfile|bake|ci|publish`: reads the project directory (and `cargo metadata --no-deps`), lets the
//! pure core detect and render, and writes the files, refusing to overwrite without --force.

use crate::core::gen::{self, DockerOptions, Libc, CI, DEFAULT_PLATFORMS};
use crate::core::project::{self, CBuild, Choice, Lang, Sources};
use crate::core::publish::{self, Engine};
use anyhow::{bail, Context, Result};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(clap::Subcommand)]
enum What {
    /// Write a cross-compiling Dockerfile and a .dockerignore for the project (Rust, Go, C/C++)
    Dockerfile(Box<DockerfileArgs>),
    /// Write docker-bake.hcl: the platforms to build, together and one by one (a registry cache when CACHE is set)
    Bake(BakeArgs),
    /// Write a CI workflow that builds and pushes the multi-platform image with buildx
    /// (github: .github/workflows/image.yml, gitlab: .gitlab-ci.yml)
    Ci(CiArgs),
    /// Write publish.sh: builds the Dockerfile for each platform, pushes the images and one manifest
    /// list (with docker, podman or buildx), and prints the list's digest
    Publish(PublishArgs),
}

#[derive(clap::Args)]
struct Output {
    /// The project directory
    #[arg(long, short = 'C', default_value = ".")]
    dir: PathBuf,
    /// Print the generated file on stdout instead of writing (for `dockerfile`: the Dockerfile alone)
    #[arg(long)]
    print: bool,
    /// Overwrite files that exist
    #[arg(long)]
    force: bool,
}

/// The Dockerfile that bake, ci and publish build.
#[derive(clap::Args)]
struct Build {
    /// The Dockerfile to build, in the project directory (e.g. Dockerfile.cross, as `mab gen dockerfile
    /// -o Dockerfile.cross` writes it)
    #[arg(long, short = 'f', value_name = "NAME", default_value = "Dockerfile")]
    file: String,
}

impl Build {
    /// Refuses a directory with neither the Dockerfile to build nor a project `mab gen dockerfile` could
    /// write one for, so a file generated in the wrong folder is not left to fail in CI.
    fn check(&self, dir: &Path) -> Result<()> {
        gen::check_dockerfile_name(&self.file)?;
        if dir.join(&self.file).is_file() {
            return Ok(());
        }
        let found = read_sources(dir, None)
            .and_then(|s| Ok(project::detect(&s, &Choice::default())?))
            .map(|_| ());
        match found {
            Ok(()) => {
                eprintln!(
                    "mab: note: {} has no {} yet to build; write it with mab gen dockerfile{}",
                    dir.display(),
                    self.file,
                    if self.file == "Dockerfile" {
                        String::new()
                    } else {
                        format!(" -o {}", self.file)
                    }
                );
                Ok(())
            }
            Err(e) => bail!(
                "{} has no {} to build, and no project to write one for ({e:#}); run this in the \
                 project's directory, or pass it with -C",
                dir.display(),
                self.file
            ),
        }
    }
}

#[derive(clap::Args)]
struct DockerfileArgs {
    #[command(flatten)]
    out: Output,
    /// The project's language, when the directory holds several
    #[arg(long, value_parser = Lang::NAMES.to_vec())]
    lang: Option<String>,
    /// The binary to ship (Rust binary target, Go main package directory name, C executable)
    #[arg(long)]
    bin: Option<String>,
    /// The C/C++ build system, when the directory holds several
    #[arg(long, value_parser = CBuild::NAMES.to_vec())]
    build_system: Option<String>,
    /// Link statically (the final image then needs no C library; default for Go without cgo and Rust without C)
    #[arg(long, conflicts_with = "dynamic")]
    r#static: bool,
    /// Link dynamically against glibc (default for cgo, Rust with C dependencies, and C)
    #[arg(long)]
    dynamic: bool,
    /// Rust's C library: musl (static, the default without C dependencies) or gnu
    #[arg(long, value_parser = ["gnu", "musl"])]
    libc: Option<String>,
    /// Base image of the final stage (default: the release's distroless static image; e.g. scratch,
    /// debian:trixie-slim)
    #[arg(long)]
    base: Option<String>,
    /// Image of the build stage (runs on the build machine); a Debian codename or debianN in it picks
    /// the release (golang:1.25-trixie, rust:1-bookworm)
    #[arg(long)]
    build_image: Option<String>,
    /// The Debian release to build on: its images, its GCC runtime packages and its package names
    /// (default: the one --build-image names, else trixie)
    #[arg(long, value_name = "CODENAME", value_parser = debian_names())]
    debian: Option<String>,
    /// The image mab is copied from; pin your own copy by digest (registry.example/mab:0.1@sha256:...)
    #[arg(long, default_value = gen::default_mab_image())]
    mab_image: String,
    /// Extra target-architecture packages the build needs, comma-separated (e.g. libssl-dev); added to
    /// those inferred from the build files
    #[arg(long, value_delimiter = ',')]
    packages: Vec<String>,
    /// The Dockerfile's name in the project directory (its .dockerignore is then NAME.dockerignore), e.g.
    /// Dockerfile.cross beside the project's own Dockerfile
    #[arg(long, short = 'o', value_name = "NAME", default_value = "Dockerfile")]
    output: String,
}

#[derive(clap::Args)]
struct BakeArgs {
    #[command(flatten)]
    out: Output,
    #[command(flatten)]
    build: Build,
    /// Platforms to build, comma-separated
    #[arg(long, default_value = DEFAULT_PLATFORMS)]
    platforms: String,
    /// Image name to tag and cache (default: the directory's name)
    #[arg(long)]
    image: Option<String>,
}

#[derive(clap::Args)]
struct CiArgs {
    /// The CI system
    #[arg(value_parser = CI.iter().map(|(name, _)| *name).collect::<Vec<_>>())]
    system: String,
    #[command(flatten)]
    out: Output,
    #[command(flatten)]
    build: Build,
    /// Platforms to build, comma-separated
    #[arg(long, default_value = DEFAULT_PLATFORMS)]
    platforms: String,
    /// Image to push (default: the CI system's registry path for the project)
    #[arg(long)]
    image: Option<String>,
}

#[derive(clap::Args)]
struct PublishArgs {
    #[command(flatten)]
    out: Output,
    #[command(flatten)]
    build: Build,
    /// The image to push: [registry[:port]/]path[:tag] (the tag defaults to latest)
    #[arg(long)]
    image: String,
    /// Platforms to build, comma-separated (e.g. linux/amd64,linux/arm64,linux/arm/v7)
    #[arg(long)]
    platforms: String,
    /// What builds and pushes: docker (one build per platform, the list by `docker buildx imagetools`
    /// or `docker manifest`), podman (`--manifest`) or buildx
    #[arg(long, value_parser = Engine::NAMES.to_vec())]
    engine: String,
    /// The registry is plain HTTP or has a self-signed certificate (e.g. 127.0.0.1:5000: `docker manifest`
    /// and podman need this even where dockerd trusts the registry)
    #[arg(long)]
    insecure: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args.what {
        What::Dockerfile(a) => dockerfile(*a),
        What::Bake(a) => {
            let image = match &a.image {
                Some(image) => image.clone(),
                None => gen::image_name(&dir_name(&a.out.dir)?),
            };
            let text = gen::bake(&image, &a.platforms, &a.build.file)?;
            a.build.check(&a.out.dir)?;
            emit(&a.out, &[("docker-bake.hcl", text)])
        }
        What::Ci(a) => {
            let text = gen::ci(&a.system, a.image.as_deref(), &a.platforms, &a.build.file)?;
            a.build.check(&a.out.dir)?;
            let path = CI
                .iter()
                .find(|(name, _)| *name == a.system)
                .map(|(_, path)| *path)
                .expect("clap checked the name");
            emit(&a.out, &[(path, text)])
        }
        What::Publish(a) => {
            let engine = Engine::parse(&a.engine).expect("clap checked the name");
            let text = publish::script(engine, &a.image, &a.platforms, a.insecure, &a.build.file)?;
            a.build.check(&a.out.dir)?;
            let code = emit(&a.out, &[(publish::SCRIPT, text)])?;
            if !a.out.print {
                let path = a.out.dir.join(publish::SCRIPT);
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                    .with_context(|| format!("making {} executable", path.display()))?;
            }
            Ok(code)
        }
    }
}

fn dockerfile(a: DockerfileArgs) -> Result<ExitCode> {
    let opts = DockerOptions {
        mab_image: Some(a.mab_image),
        build_image: a.build_image,
        base: a.base,
        link_static: if a.r#static {
            Some(true)
        } else if a.dynamic {
            Some(false)
        } else {
            None
        },
        libc: a
            .libc
            .map(|l| if l == "musl" { Libc::Musl } else { Libc::Gnu }),
        packages: a.packages.into_iter().filter(|p| !p.is_empty()).collect(),
        dockerfile: (a.output != "Dockerfile").then(|| a.output.clone()),
        debian: a.debian,
    };
    let choice = Choice {
        lang: a.lang.as_deref().and_then(Lang::parse),
        bin: a.bin.clone(),
        build_system: a.build_system.as_deref().and_then(CBuild::parse),
        debian: Some(gen::release(&opts)?.codename),
    };
    let sources = read_sources(&a.out.dir, choice.lang)?;
    let project = project::detect(&sources, &choice)?;
    let (dockerfile, ignore) = gen::dockerfile(&project, &opts)?;
    if !project.unmapped().is_empty() {
        eprintln!(
            "mab: warning: no package found for {}; none installed (--packages adds one)",
            project.unmapped().join(", ")
        );
    }
    if a.out.print {
        return emit(&a.out, &[(&a.output, dockerfile)]);
    }
    // BuildKit reads NAME.dockerignore for a Dockerfile named NAME, so the project's own stays untouched.
    let ignore_name = if a.output == "Dockerfile" {
        ".dockerignore".to_string()
    } else {
        format!("{}.dockerignore", a.output)
    };
    let ignore_path = a.out.dir.join(&ignore_name);
    if a.out.force || !ignore_path.exists() {
        return emit(&a.out, &[(&a.output, dockerfile), (&ignore_name, ignore)]);
    }
    // The project's own ignore file stays: mab's lines are added to it, none removed.
    let code = emit(&a.out, &[(&a.output, dockerfile)])?;
    let old = std::fs::read_to_string(&ignore_path)
        .with_context(|| format!("reading {}", ignore_path.display()))?;
    match gen::merge_ignore(&old, &ignore) {
        Some(merged) => {
            std::fs::write(&ignore_path, merged)
                .with_context(|| format!("writing {}", ignore_path.display()))?;
            eprintln!(
                "mab: added mab's lines to {} (--force replaces it)",
                ignore_path.display()
            );
        }
        None => eprintln!("mab: {} already has mab's lines", ignore_path.display()),
    }
    Ok(code)
}

/// Prints the first file, or writes them all. Nothing is written if any exists and --force is absent.
fn emit(out: &Output, files: &[(&str, String)]) -> Result<ExitCode> {
    if out.print {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(files[0].1.as_bytes())?;
        stdout.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    if !out.force {
        if let Some((name, _)) = files.iter().find(|(name, _)| out.dir.join(name).exists()) {
            let keep = if *name == "Dockerfile" {
                "; to keep the project's own, write mab's beside it with -o Dockerfile.cross (and build \
                 with docker build -f Dockerfile.cross ., or mab gen bake|ci|publish -f Dockerfile.cross)"
            } else {
                ""
            };
            bail!(
                "{} exists; pass --force to overwrite it, or --print to see the new version{keep}",
                out.dir.join(name).display()
            );
        }
    }
    for (name, text) in files {
        let path = out.dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("mab: wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The codenames of toolchains/debian.toml, for --debian's help and check.
fn debian_names() -> Vec<&'static str> {
    crate::core::table::debian_releases()
        .iter()
        .map(|d| d.codename)
        .collect()
}

fn dir_name(dir: &Path) -> Result<String> {
    let full = dir
        .canonicalize()
        .with_context(|| format!("project directory {}", dir.display()))?;
    Ok(full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default())
}

/// Files at the root that tell the build system, and the lock files detection reads.
const ROOT_FILES: &[&str] = &[
    "go.mod",
    "go.sum",
    "Cargo.lock",
    ".cargo/config.toml",
    "CMakeLists.txt",
    "meson.build",
    "meson.options",
    "meson_options.txt",
    "configure.ac",
    "configure.in",
    "configure",
    "rust-toolchain.toml",
    "rust-toolchain",
    "Makefile",
    "makefile",
    "GNUmakefile",
    "Makefile.am",
    "vendor/modules.txt",
];
/// Build files read wherever they are (subdirectories declare executables and libraries too).
const NESTED_BUILD_FILES: &[&str] = &["CMakeLists.txt", "meson.build", "Makefile.am"];
/// Directories that hold no sources of this project (build output, dependencies, VCS data).
const SKIP_DIRS: &[&str] = &[
    "target",
    "vendor",
    "node_modules",
    "testdata",
    "build",
    "third_party",
];
const MAX_FILE: u64 = 1 << 20;
const MAX_DEPTH: usize = 8;

fn read_sources(dir: &Path, lang: Option<Lang>) -> Result<Sources> {
    if !dir.is_dir() {
        bail!(
            "{} is not a directory; pass the project directory with --dir",
            dir.display()
        );
    }
    let mut src = Sources::default();
    for name in ROOT_FILES {
        let path = dir.join(name);
        if path.is_file() {
            src.files.insert(name.to_string(), read(&path)?);
        }
    }
    if dir.join("vendor").is_dir() {
        src.files.insert("vendor/".to_string(), String::new());
    }
    walk(dir, "", 0, &mut src)?;
    if src.files.contains_key("vendor/modules.txt") && dir.join("go.mod").is_file() {
        walk_vendor(&dir.join("vendor"), "vendor", 0, &mut src)?;
    }
    if dir.join("Cargo.toml").is_file() && matches!(lang, None | Some(Lang::Rust)) {
        src.cargo = Some(cargo_metadata(dir)?);
    }
    Ok(src)
}

fn read(path: &Path) -> Result<String> {
    let len = std::fs::metadata(path)?.len();
    if len > MAX_FILE {
        return Ok(String::new());
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Go files (with contents) and C and C++ sources (names only) below the root, skipping nested Go modules.
fn walk(dir: &Path, rel: &str, depth: usize, src: &mut Sources) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let rel_path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            let nested_module = path.join("go.mod").is_file();
            if depth < MAX_DEPTH
                && !name.starts_with('.')
                && !SKIP_DIRS.contains(&name.as_str())
                && !nested_module
            {
                walk(&path, &rel_path, depth + 1, src)?;
            }
        } else if kind.is_file() {
            if name.ends_with(".go")
                || (depth > 0 && NESTED_BUILD_FILES.contains(&name.as_str()))
                || name.ends_with(".cmake")
            {
                src.files.insert(rel_path, read(&path)?);
            } else if name.ends_with(".m4") {
                // Only the name: whether the tree carries an autoconf macro itself.
                src.files.insert(rel_path, String::new());
            } else if [".c", ".cc", ".cpp", ".cxx"]
                .iter()
                .any(|e| name.ends_with(e))
            {
                src.files.insert(rel_path, String::new());
            }
        }
    }
    Ok(())
}

/// Vendored Go packages: only their `//go:build` and `#cgo` lines, which name the libraries they link.
fn walk_vendor(dir: &Path, rel: &str, depth: usize, src: &mut Sources) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel_path = format!("{rel}/{name}");
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && depth < MAX_DEPTH * 2 {
            walk_vendor(&entry.path(), &rel_path, depth + 1, src)?;
        } else if kind.is_file() && name.ends_with(".go") && !name.ends_with("_test.go") {
            let text = read(&entry.path())?;
            if text.contains("#cgo") {
                let kept: Vec<&str> = text
                    .lines()
                    .filter(|l| l.starts_with("//go:build") || l.contains("#cgo"))
                    .collect();
                src.files.insert(rel_path, kept.join("\n"));
            }
        }
    }
    Ok(())
}

/// Cargo's view of the workspace, without resolving dependencies (so it works offline).
fn cargo_metadata(dir: &Path) -> Result<cargo_metadata::Metadata> {
    let meta = cargo_metadata::MetadataCommand::new()
        .manifest_path(dir.join("Cargo.toml"))
        .no_deps()
        .other_options(vec!["--offline".to_string()])
        .exec()
        .context(
            "cargo metadata --no-deps failed (is cargo installed, and is Cargo.toml valid?)",
        )?;
    let root = meta.workspace_root.as_std_path();
    let here = dir.canonicalize()?;
    if root.canonicalize().ok().as_deref() != Some(here.as_path()) {
        bail!(
            "this package belongs to the workspace at {}: run mab gen dockerfile there, so the image build sees the whole workspace",
            root.display()
        );
    }
    Ok(meta)
}
