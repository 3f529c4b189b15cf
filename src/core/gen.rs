//! Renders the files `mab gen` writes: a cross-building Dockerfile (and its .dockerignore), a
//! docker-bake.hcl and CI workflows. Pure: it takes a detected [`Project`] and options, and returns text.
//!
//! Safety: Tera escapes only for HTML, so every value that reaches a template is first checked here
//! against the characters its kind of value may hold (names, module paths, images, platforms, packages).
//! The checked values cannot end a line, quote, comment or substitute anything in a Dockerfile, a shell
//! line, HCL or YAML; the templates still quote them for the syntax they land in (the `sh`, `hcl` and
//! `yaml` filters), as a second fence.

use super::platform::Platform;
use super::project::{CBuild, CProject, GoProject, Project, RustProject};
use super::shell;
use std::collections::HashMap;
use std::fmt;
use tera::{Context, Tera, Value};

pub const MAB_IMAGE: &str = "ghcr.io/mab-build/mab:0.1";
pub const DEFAULT_PLATFORMS: &str = "linux/amd64,linux/arm64";
const GO_DEFAULT_VERSION: &str = "1.23";
const STATIC_BASE: &str = "gcr.io/distroless/static-debian12:nonroot";
/// Debian 12 packages for linking C against the target's glibc (installed for the target by `mab apt-get`).
const C_TARGET_PACKAGES: &[&str] = &["libc6-dev", "libgcc-12-dev"];
const CXX_TARGET_PACKAGES: &[&str] = &["libstdc++-12-dev"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenError(pub(super) String);

impl fmt::Display for GenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GenError {}

fn unsafe_value(what: &str, value: &str, allowed: &str) -> GenError {
    let shown: String = value.chars().take(80).collect();
    GenError(format!(
        "{what} {shown:?} cannot be written into the generated files safely: it may only hold {allowed}"
    ))
}

fn check(
    what: &str,
    value: &str,
    allowed: &str,
    ok: impl Fn(&str) -> bool,
) -> Result<String, GenError> {
    if ok(value) {
        Ok(value.to_string())
    } else {
        Err(unsafe_value(what, value, allowed))
    }
}

fn chars_in(s: &str, extra: &[u8]) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

fn starts_alnum(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// A binary, project or program name.
pub fn check_name(what: &str, value: &str) -> Result<String, GenError> {
    check(
        what,
        value,
        "letters, digits, '.', '_', '+' and '-' (pick another with --bin)",
        |s| s.len() <= 128 && starts_alnum(s) && chars_in(s, b"._+-"),
    )
}

/// A Go module path (shown in comments).
fn check_module(value: &str) -> Result<String, GenError> {
    check("Go module path", value, "letters, digits and ./_~-", |s| {
        s.len() <= 256 && starts_alnum(s) && chars_in(s, b"._~/-")
    })
}

/// A relative path inside the project (Cargo manifests and targets, Go package directories).
fn check_path(what: &str, value: &str) -> Result<String, GenError> {
    check(
        what,
        value,
        "relative paths of letters, digits and ._+-",
        |s| {
            s.len() <= 512
                && s.split('/').all(|c| {
                    !c.is_empty()
                        && c != "."
                        && c != ".."
                        && !c.starts_with('-')
                        && chars_in(c, b"._+-")
                })
        },
    )
}

/// An image reference (`registry:port/name:tag@sha256:...`) or `scratch`.
pub fn check_image(what: &str, value: &str) -> Result<String, GenError> {
    check(
        what,
        value,
        "an image reference: letters, digits and ./_:@-",
        |s| s.len() <= 255 && starts_alnum(s) && chars_in(s, b"._/:@-"),
    )
}

/// A Debian package name.
fn check_package(value: &str) -> Result<String, GenError> {
    check("package", value, "lowercase letters, digits and +.-", |s| {
        s.len() <= 128
            && starts_alnum(s)
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+.-".contains(&b))
    })
}

/// Normalised platforms from a comma-separated list (`linux/arm64,linux/arm/v7`).
pub fn check_platforms(list: &str) -> Result<Vec<String>, GenError> {
    let build = Platform::from_parts("linux", "amd64", "").expect("linux/amd64 is in the tables");
    let mut out: Vec<String> = Vec::new();
    for p in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let platform =
            Platform::parse(p, build).map_err(|e| GenError(format!("--platforms: {e}")))?;
        let p = platform.to_string();
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if out.is_empty() {
        return Err(GenError(
            "--platforms: give at least one platform, such as linux/arm64".into(),
        ));
    }
    Ok(out)
}

/// An image name for a tag, made from a directory name: lowercased, other characters dropped.
pub fn image_name(dir_name: &str) -> String {
    let name: String = dir_name
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
        .collect();
    let name = name
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string();
    if name.is_empty() {
        "app".to_string()
    } else {
        name
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Libc {
    Gnu,
    Musl,
}

/// The Dockerfile's knobs; `None` means "what suits the project".
#[derive(Clone, Debug, Default)]
pub struct DockerOptions {
    pub mab_image: Option<String>,
    pub build_image: Option<String>,
    /// Base of the final (target-architecture) stage.
    pub base: Option<String>,
    /// `Some(true)` static, `Some(false)` dynamic.
    pub link_static: Option<bool>,
    pub libc: Option<Libc>,
    /// Extra target-architecture packages for the build (`-dev` libraries).
    pub packages: Vec<String>,
}

/// What a project's build needs, besides the values each template takes.
struct Needs {
    build_image: String,
    is_static: bool,
    /// The final base for a dynamically linked binary (a static one gets [`STATIC_BASE`]).
    dynamic_base: &'static str,
    /// Debian packages for the build machine.
    host: Vec<&'static str>,
    /// Debian packages for the target's architecture (`mab apt-get`).
    target: Vec<String>,
}

impl Needs {
    fn new(build_image: String, is_static: bool, dynamic_base: &'static str) -> Needs {
        Needs {
            build_image,
            is_static,
            dynamic_base,
            host: Vec::new(),
            target: Vec::new(),
        }
    }

    /// clang and lld on the build machine, the target's C library (and C++ library) to link with.
    fn c_toolchain(mut self, cxx: bool) -> Needs {
        self.host.extend(["clang", "lld"]);
        self.target
            .extend(C_TARGET_PACKAGES.iter().map(|p| p.to_string()));
        if cxx {
            self.target
                .extend(CXX_TARGET_PACKAGES.iter().map(|p| p.to_string()));
        }
        self
    }
}

/// Renders the Dockerfile and the .dockerignore for a project.
pub fn dockerfile(project: &Project, opts: &DockerOptions) -> Result<(String, String), GenError> {
    let mut cx = Context::new();
    cx.insert("bin", &check_name("binary name", project.bin())?);
    cx.insert("lang", project.lang().name());
    cx.insert("lang_name", project.lang().display());
    let mab_image = opts.mab_image.as_deref().unwrap_or(MAB_IMAGE);
    cx.insert("mab_image", &check_image("--mab-image", mab_image)?);
    let mut needs = match project {
        Project::Go(p) => go(p, opts, &mut cx)?,
        Project::Rust(p) => rust(p, opts, &mut cx)?,
        Project::C(p) => c(p, opts, &mut cx)?,
    };
    for pkg in &opts.packages {
        needs.target.push(check_package(pkg)?);
    }
    let mut seen = std::collections::HashSet::new();
    needs.target.retain(|p| seen.insert(p.clone()));
    let build_image = opts.build_image.as_deref().unwrap_or(&needs.build_image);
    let default_base = if needs.is_static {
        STATIC_BASE
    } else {
        needs.dynamic_base
    };
    let base = check_image("--base", opts.base.as_deref().unwrap_or(default_base))?;
    if base == "scratch" && !needs.is_static {
        return Err(GenError(
            "--base scratch: a dynamically linked binary cannot run in an empty image (its loader and libc \
             are missing); add --static, or pick a base with glibc such as debian:bookworm-slim"
                .into(),
        ));
    }
    cx.insert("build_image", &check_image("--build-image", build_image)?);
    cx.insert("base", &base);
    cx.insert("static", &needs.is_static);
    cx.insert("host_packages", &needs.host);
    cx.insert("target_packages", &needs.target);
    let templates = templates();
    let dockerfile = render(
        &templates,
        &format!("{}.Dockerfile", project.lang().name()),
        &cx,
    )?;
    let ignore = render(&templates, "dockerignore", &cx)?;
    Ok((dockerfile, ignore))
}

fn go(p: &GoProject, opts: &DockerOptions, cx: &mut Context) -> Result<Needs, GenError> {
    if opts.libc.is_some() {
        return Err(GenError(
            "--libc applies to Rust projects; Go without cgo links statically".into(),
        ));
    }
    if !p.cgo && opts.link_static == Some(false) {
        return Err(GenError(
            "--dynamic: this Go program does not use cgo, so it has no C library to link".into(),
        ));
    }
    cx.insert("module", &check_module(&p.module)?);
    let package = match p.package.strip_prefix("./") {
        Some(dir) => format!("./{}", check_path("Go package directory", dir)?),
        None => ".".to_string(),
    };
    cx.insert("package", &package);
    cx.insert("cgo", &p.cgo);
    let mut mod_files = vec!["go.mod"];
    if p.has_sum {
        mod_files.push("go.sum");
    }
    cx.insert("mod_files", &mod_files);
    let version = p.go_version.as_deref().unwrap_or(GO_DEFAULT_VERSION);
    let version = check("go version in go.mod", version, "digits and dots", |s| {
        !s.is_empty() && chars_in(s, b".")
    })?;
    let is_static = !p.cgo || opts.link_static == Some(true);
    let needs = Needs::new(
        format!("golang:{version}-bookworm"),
        is_static,
        "gcr.io/distroless/base-debian12:nonroot",
    );
    Ok(if p.cgo {
        needs.c_toolchain(false)
    } else {
        needs
    })
}

fn rust(p: &RustProject, opts: &DockerOptions, cx: &mut Context) -> Result<Needs, GenError> {
    let libc = opts
        .libc
        .unwrap_or(if p.needs_c { Libc::Gnu } else { Libc::Musl });
    if libc == Libc::Musl && p.needs_c {
        return Err(GenError(
            "--libc musl: this crate compiles C, and the Debian build image has no musl cross C \
             compiler; use --static (glibc, statically linked) or --libc gnu"
                .into(),
        ));
    }
    if libc == Libc::Musl && opts.link_static == Some(false) {
        return Err(GenError(
            "--dynamic: Rust's musl targets link statically; use --libc gnu".into(),
        ));
    }
    let is_static = libc == Libc::Musl || opts.link_static == Some(true);
    cx.insert("musl", &(libc == Libc::Musl));
    cx.insert("crt_static", &(libc == Libc::Gnu && is_static));
    cx.insert("needs_c", &p.needs_c);
    cx.insert("has_lock", &p.has_lock);
    cx.insert("cargo_config", &p.cargo_config);
    cx.insert("vendor", &p.vendor);
    cx.insert("toolchain_file", &p.toolchain_file);
    let paths = |what, v: &[String]| -> Result<Vec<String>, GenError> {
        v.iter().map(|p| check_path(what, p)).collect()
    };
    // The root manifest is copied with Cargo.lock; member manifests into their own directory.
    let members: Vec<(String, String)> = paths("Cargo manifest path", &p.manifests)?
        .into_iter()
        .filter(|m| m != "Cargo.toml")
        .map(|m| {
            let dir = format!("{}/", m.rsplit_once('/').map_or("", |(d, _)| d));
            (m, dir)
        })
        .collect();
    cx.insert("members", &members);
    let stubs = paths("Cargo target path", &p.stubs)?;
    let dirs: std::collections::BTreeSet<&str> = stubs
        .iter()
        .filter_map(|s| s.rsplit_once('/').map(|(d, _)| d))
        .collect();
    cx.insert("stub_dirs", &dirs);
    cx.insert("stubs", &stubs);
    let needs = Needs::new(
        "rust:1-bookworm".to_string(),
        is_static,
        "gcr.io/distroless/cc-debian12:nonroot",
    );
    // glibc targets link through the C toolchain; musl ones through rust-lld, with no C at all.
    Ok(if libc == Libc::Gnu {
        needs.c_toolchain(false)
    } else {
        needs
    })
}

fn c(p: &CProject, opts: &DockerOptions, cx: &mut Context) -> Result<Needs, GenError> {
    if opts.libc.is_some() {
        return Err(GenError(
            "--libc applies to Rust projects; C builds link glibc (add --static to link it in)"
                .into(),
        ));
    }
    cx.insert("build_system", p.build.name());
    let mut needs = Needs::new(
        "debian:bookworm-slim".to_string(),
        opts.link_static == Some(true),
        "debian:bookworm-slim",
    )
    .c_toolchain(p.cxx);
    needs.host.push("pkg-config");
    needs.host.extend(match p.build {
        CBuild::Cmake => &["cmake", "ninja-build"][..],
        CBuild::Meson => &["meson", "ninja-build", "dpkg-dev"],
        CBuild::Autotools => &["autoconf", "automake", "libtool", "make"],
        CBuild::Make => &["make"],
    });
    for pkg in &p.packages {
        needs.target.push(check_package(pkg)?);
    }
    Ok(needs)
}

/// Renders docker-bake.hcl.
pub fn bake(image: &str, platforms: &str) -> Result<String, GenError> {
    let mut cx = Context::new();
    cx.insert("image", &check_image("--image", image)?);
    cx.insert("platforms", &check_platforms(platforms)?);
    render(&templates(), "docker-bake.hcl", &cx)
}

/// CI systems `mab gen ci` writes a workflow for, with the file each one reads.
pub const CI: &[(&str, &str)] = &[
    ("github", ".github/workflows/image.yml"),
    ("gitlab", ".gitlab-ci.yml"),
];

/// Renders a CI workflow; `image` of `None` means the CI system's own registry path for the project.
pub fn ci(system: &str, image: Option<&str>, platforms: &str) -> Result<String, GenError> {
    let mut cx = Context::new();
    let image = image.map(|i| check_image("--image", i)).transpose()?;
    // The registry to log in to: the image's first part when it names a host (docker's rule).
    let registry = image.as_deref().map(|i| match i.split_once('/') {
        Some((host, _)) if host.contains(['.', ':']) || host == "localhost" => host.to_string(),
        _ => "docker.io".to_string(),
    });
    cx.insert("image", &image);
    cx.insert("registry", &registry);
    cx.insert("platforms", &check_platforms(platforms)?.join(","));
    render(&templates(), &format!("{system}.yml"), &cx)
}

pub(super) fn render(t: &Tera, name: &str, cx: &Context) -> Result<String, GenError> {
    t.render(name, cx).map_err(|e| {
        // A template bug, not a user error; say so with Tera's whole chain.
        let mut msg = format!("internal error rendering {name}: {e}");
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            msg.push_str(&format!(": {s}"));
            source = s.source();
        }
        GenError(msg)
    })
}

/// The embedded templates. Undefined variables are errors in Tera, so a template cannot silently drop a
/// value; names end in neither .html nor .xml, so Tera's HTML escaping stays off.
pub(super) fn templates() -> Tera {
    let mut t = Tera::default();
    t.add_raw_templates([
        (
            "header",
            include_str!("../../templates/dockerfile/header.Dockerfile"),
        ),
        (
            "mab-stage",
            include_str!("../../templates/dockerfile/mab-stage.Dockerfile"),
        ),
        (
            "apt-host",
            include_str!("../../templates/dockerfile/apt-host.Dockerfile"),
        ),
        (
            "apt-target",
            include_str!("../../templates/dockerfile/apt-target.Dockerfile"),
        ),
        (
            "runtime",
            include_str!("../../templates/dockerfile/runtime.Dockerfile"),
        ),
        (
            "go.Dockerfile",
            include_str!("../../templates/dockerfile/go.Dockerfile"),
        ),
        (
            "rust.Dockerfile",
            include_str!("../../templates/dockerfile/rust.Dockerfile"),
        ),
        (
            "c.Dockerfile",
            include_str!("../../templates/dockerfile/c.Dockerfile"),
        ),
        ("dockerignore", include_str!("../../templates/dockerignore")),
        (
            "docker-bake.hcl",
            include_str!("../../templates/docker-bake.hcl"),
        ),
        ("github.yml", include_str!("../../templates/ci/github.yml")),
        ("gitlab.yml", include_str!("../../templates/ci/gitlab.yml")),
        (
            "publish/header.sh",
            include_str!("../../templates/publish/header.sh"),
        ),
        (
            "publish/digest.sh",
            include_str!("../../templates/publish/digest.sh"),
        ),
        (
            "publish/docker.sh",
            include_str!("../../templates/publish/docker.sh"),
        ),
        (
            "publish/podman.sh",
            include_str!("../../templates/publish/podman.sh"),
        ),
        (
            "publish/buildx.sh",
            include_str!("../../templates/publish/buildx.sh"),
        ),
    ])
    .expect("the embedded templates parse (tested)");
    t.register_filter("sh", filter(shell::quote));
    t.register_filter("hcl", filter(hcl_string));
    t.register_filter(
        "yaml",
        filter(|s| serde_json::to_string(s).expect("strings serialise")),
    );
    t
}

fn filter(
    f: impl Fn(&str) -> String + Send + Sync + 'static,
) -> impl Fn(&Value, &HashMap<String, Value>) -> tera::Result<Value> + Send + Sync + 'static {
    move |v, _| match v.as_str() {
        Some(s) => Ok(Value::String(f(s))),
        None => Err(tera::Error::msg("this filter takes a string")),
    }
}

/// An HCL quoted string: JSON's escapes plus HCL's template markers (`${`, `%{`) doubled.
fn hcl_string(s: &str) -> String {
    serde_json::to_string(s)
        .expect("strings serialise")
        .replace("${", "$${")
        .replace("%{", "%%{")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked() {
        for bad in ["a b", "a\nRUN x", "$(id)", "a;b", "a\"b", "", "-x", "a`b`"] {
            assert!(check_name("name", bad).is_err(), "{bad:?}");
            assert!(check_image("image", bad).is_err(), "{bad:?}");
        }
        assert!(check_image("image", "ghcr.io/a/b:1.2@sha256:abc").is_ok());
        assert!(check_path("p", "crates/x/Cargo.toml").is_ok());
        for bad in ["../x", "/abs", "a//b", "a/./b", "a b"] {
            assert!(check_path("p", bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_platforms("arm64, linux/arm,linux/arm64").unwrap(),
            ["linux/arm64", "linux/arm/v7"]
        );
        assert!(check_platforms("linux/arm64;x").is_err());
        assert_eq!(image_name("My Project!"), "myproject");
        assert_eq!(image_name("$()"), "app");
        assert_eq!(hcl_string("${x}\"\n"), r#""$${x}\"\n""#);
    }

    #[test]
    fn templates_parse() {
        templates();
    }
}
