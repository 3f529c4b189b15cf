//! What a project directory holds, decided from file contents alone: the language, the binary to ship, and
//! whether the build needs a C toolchain for the target. `cmd::gen` reads the files (and runs
//! `cargo metadata --no-deps`) and passes them in; nothing here touches the disk.
//!
//! When two answers are possible, detection refuses to guess: [`DetectError::Ambiguous`] lists the choices
//! and the flag that picks one.

use cargo_metadata::{DependencyKind, Metadata, TargetKind};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The files detection reads, by path relative to the project root (`/`-separated), and Cargo's view.
#[derive(Default)]
pub struct Sources {
    /// go.mod, go.sum, *.go, root build files (CMakeLists.txt, meson.build, configure.ac, Makefile,
    /// Makefile.am), Cargo.lock, and markers such as `.cargo/config.toml`.
    pub files: BTreeMap<String, String>,
    /// `cargo metadata --no-deps` of the root Cargo.toml, when there is one.
    pub cargo: Option<Metadata>,
}

impl Sources {
    fn has(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lang {
    Rust,
    Go,
    C,
}

impl Lang {
    pub const NAMES: &'static [&'static str] = &["rust", "go", "c"];

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "rust" => Some(Lang::Rust),
            "go" => Some(Lang::Go),
            "c" | "c++" | "cpp" => Some(Lang::C),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        Lang::NAMES[self as usize]
    }

    /// The name for prose.
    pub fn display(self) -> &'static str {
        ["Rust", "Go", "C/C++"][self as usize]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CBuild {
    Cmake,
    Meson,
    Autotools,
    Make,
}

impl CBuild {
    pub const NAMES: &'static [&'static str] = &["cmake", "meson", "autotools", "make"];

    pub fn parse(s: &str) -> Option<CBuild> {
        [
            CBuild::Cmake,
            CBuild::Meson,
            CBuild::Autotools,
            CBuild::Make,
        ]
        .into_iter()
        .find(|b| b.name() == s)
    }

    pub fn name(self) -> &'static str {
        CBuild::NAMES[self as usize]
    }
}

/// What the user chose on the command line where detection could not.
#[derive(Default, Clone, Debug)]
pub struct Choice {
    pub lang: Option<Lang>,
    pub bin: Option<String>,
    pub build_system: Option<CBuild>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustProject {
    pub bin: String,
    /// A `-sys` crate or a `cc`/`cmake`/`bindgen` dependency: the build compiles C for the target.
    pub needs_c: bool,
    pub has_lock: bool,
    /// Every workspace manifest, relative to the root (`Cargo.toml`, `crates/x/Cargo.toml`).
    pub manifests: Vec<String>,
    /// Every target's source file, relative to the root: created empty so `cargo fetch` can read the
    /// manifests before the real source is copied.
    pub stubs: Vec<String>,
    /// `.cargo/config.toml` exists (source replacement, vendoring): it is copied before `cargo fetch`.
    pub cargo_config: bool,
    /// A `vendor/` directory: copied before `cargo fetch` too.
    pub vendor: bool,
    /// `rust-toolchain.toml` or `rust-toolchain`: copied first, so fetch and build use that toolchain.
    pub toolchain_file: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoProject {
    pub module: String,
    /// `major.minor` from the `go` directive.
    pub go_version: Option<String>,
    /// The main package, as `go build` takes it: `.` or `./cmd/name`.
    pub package: String,
    pub bin: String,
    /// Some non-test file has `import "C"`.
    pub cgo: bool,
    pub has_sum: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CProject {
    pub build: CBuild,
    pub bin: String,
    pub cxx: bool,
    /// Debian `-dev` packages for the libraries the build files ask pkg-config / find_package for.
    pub packages: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Project {
    Rust(RustProject),
    Go(GoProject),
    C(CProject),
}

impl Project {
    pub fn lang(&self) -> Lang {
        match self {
            Project::Rust(_) => Lang::Rust,
            Project::Go(_) => Lang::Go,
            Project::C(_) => Lang::C,
        }
    }

    pub fn bin(&self) -> &str {
        match self {
            Project::Rust(p) => &p.bin,
            Project::Go(p) => &p.bin,
            Project::C(p) => &p.bin,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetectError {
    /// Several answers fit; `flag` picks one.
    Ambiguous {
        what: &'static str,
        choices: Vec<String>,
        flag: &'static str,
    },
    /// Nothing fits; the message says what was looked for.
    Missing(String),
}

impl fmt::Display for DetectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DetectError::Ambiguous {
                what,
                choices,
                flag,
            } => write!(
                f,
                "more than one {what} found ({}): pick one with {flag} <{}>",
                choices.join(", "),
                choices.join("|")
            ),
            DetectError::Missing(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for DetectError {}

/// Picks the one element, or says which flag chooses among several.
fn one<T: Clone>(
    mut found: Vec<(String, T)>,
    chosen: Option<&str>,
    what: &'static str,
    flag: &'static str,
) -> Result<T, DetectError> {
    if let Some(name) = chosen {
        return found
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| {
                DetectError::Missing(format!(
                    "{flag} {name:?}: no such {what}; found: {}",
                    found
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            });
    }
    match found.len() {
        0 => Err(DetectError::Missing(format!("no {what} found"))),
        1 => Ok(found.remove(0).1),
        _ => Err(DetectError::Ambiguous {
            what,
            choices: found.into_iter().map(|(n, _)| n).collect(),
            flag,
        }),
    }
}

pub fn detect(src: &Sources, choice: &Choice) -> Result<Project, DetectError> {
    let mut langs = Vec::new();
    if src.cargo.is_some() {
        langs.push((Lang::Rust.name().to_string(), Lang::Rust));
    }
    if src.has("go.mod") {
        langs.push((Lang::Go.name().to_string(), Lang::Go));
    }
    if !c_builds(src).is_empty() {
        langs.push((Lang::C.name().to_string(), Lang::C));
    }
    let lang = match choice.lang {
        Some(lang) => lang,
        None => one(langs, None, "language", "--lang").map_err(|e| match e {
            DetectError::Missing(_) => DetectError::Missing(
                "no project found: expected Cargo.toml, go.mod, CMakeLists.txt, meson.build, \
                 configure.ac or a Makefile (run in the project directory, or pass --dir)"
                    .to_string(),
            ),
            e => e,
        })?,
    };
    match lang {
        Lang::Rust => rust(src, choice).map(Project::Rust),
        Lang::Go => go(src, choice).map(Project::Go),
        Lang::C => c(src, choice).map(Project::C),
    }
}

// ---- Rust ----

/// Crates that mean "this build compiles C": the `cc`, `cmake` and `bindgen` build helpers, and by
/// convention every `*-sys` crate.
fn is_c_crate(name: &str) -> bool {
    matches!(name, "cc" | "cmake" | "bindgen" | "pkg-config") || name.ends_with("-sys")
}

/// Package names in a Cargo.lock (`name = "..."` lines): the whole dependency graph, read offline.
fn lock_packages(lock: &str) -> impl Iterator<Item = &str> {
    lock.lines().filter_map(|l| {
        l.trim()
            .strip_prefix("name = \"")
            .and_then(|r| r.strip_suffix('"'))
    })
}

fn rust(src: &Sources, choice: &Choice) -> Result<RustProject, DetectError> {
    let meta = src
        .cargo
        .as_ref()
        .ok_or_else(|| DetectError::Missing("no Cargo.toml here".to_string()))?;
    let root = meta.workspace_root.as_std_path();
    let rel = |p: &std::path::Path| -> String {
        p.strip_prefix(root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let members = meta.workspace_packages();
    let mut bins = Vec::new();
    let mut needs_c = false;
    let mut manifests = BTreeSet::new();
    let mut stubs = BTreeSet::new();
    for pkg in &members {
        manifests.insert(rel(pkg.manifest_path.as_std_path()));
        needs_c |= pkg
            .dependencies
            .iter()
            .any(|d| is_c_crate(&d.name) || (d.kind == DependencyKind::Build && d.name == "cc"));
        for t in &pkg.targets {
            stubs.insert(rel(t.src_path.as_std_path()));
            if t.kind.contains(&TargetKind::Bin) {
                bins.push((t.name.clone(), t.name.clone()));
            }
        }
    }
    let lock = src.files.get("Cargo.lock");
    if let Some(lock) = lock {
        needs_c |= lock_packages(lock).any(is_c_crate);
    }
    bins.sort();
    let bin = one(bins, choice.bin.as_deref(), "binary target", "--bin")?;
    Ok(RustProject {
        bin,
        needs_c,
        has_lock: lock.is_some(),
        manifests: manifests.into_iter().collect(),
        stubs: stubs.into_iter().collect(),
        cargo_config: src.has(".cargo/config.toml"),
        vendor: src.files.keys().any(|p| p.starts_with("vendor/")),
        toolchain_file: ["rust-toolchain.toml", "rust-toolchain"]
            .into_iter()
            .find(|f| src.has(f))
            .map(str::to_string),
    })
}

// ---- Go ----

/// The `module` and `go` directives of a go.mod (either may be quoted).
fn go_mod(text: &str) -> (Option<String>, Option<String>) {
    let directive = |name: &str| {
        text.lines().find_map(|l| {
            let rest = l.trim().strip_prefix(name)?;
            let rest = rest.strip_prefix([' ', '\t'])?;
            let value = rest.split("//").next().unwrap_or("").trim();
            Some(value.trim_matches(|c| c == '"' || c == '`').to_string())
        })
    };
    let version = directive("go").map(|v| v.split('.').take(2).collect::<Vec<_>>().join("."));
    (directive("module"), version)
}

/// The package clause of a Go file.
fn go_package(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.trim_start().strip_prefix("package "))
        .and_then(|r| r.split_whitespace().next())
}

/// `import "C"`, alone or inside an import block.
fn uses_cgo(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l == "import \"C\"" || l == "\"C\""
    })
}

fn go(src: &Sources, choice: &Choice) -> Result<GoProject, DetectError> {
    let text = src
        .files
        .get("go.mod")
        .ok_or_else(|| DetectError::Missing("no go.mod here".to_string()))?;
    let (module, go_version) = go_mod(text);
    let module =
        module.ok_or_else(|| DetectError::Missing("go.mod has no module directive".to_string()))?;
    let sources = src
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".go") && !p.ends_with("_test.go"));
    let mut mains = BTreeSet::new();
    let mut cgo = false;
    for (path, text) in sources {
        cgo |= uses_cgo(text);
        if go_package(text) == Some("main") {
            mains.insert(path.rsplit_once('/').map_or(".", |(d, _)| d).to_string());
        }
    }
    // A binary is named after its directory; the root package after the module's last element (without a
    // major-version suffix such as /v2).
    let module_name = module
        .split('/')
        .rfind(|e| {
            !(e.starts_with('v') && e.len() > 1 && e[1..].bytes().all(|b| b.is_ascii_digit()))
        })
        .unwrap_or(&module)
        .to_string();
    let found = mains
        .into_iter()
        .map(|dir| {
            let name = if dir == "." {
                module_name.clone()
            } else {
                dir.rsplit('/').next().unwrap_or(&dir).to_string()
            };
            let package = if dir == "." {
                ".".to_string()
            } else {
                format!("./{dir}")
            };
            (name.clone(), (name, package))
        })
        .collect();
    let (bin, package) = one(found, choice.bin.as_deref(), "main package", "--bin")?;
    Ok(GoProject {
        module,
        go_version,
        package,
        bin,
        cgo,
        has_sum: src.has("go.sum"),
    })
}

// ---- C and C++ ----

fn c_builds(src: &Sources) -> Vec<(String, CBuild)> {
    let mut found = Vec::new();
    let mut add = |b: CBuild| found.push((b.name().to_string(), b));
    if src.has("CMakeLists.txt") {
        add(CBuild::Cmake);
    }
    if src.has("meson.build") {
        add(CBuild::Meson);
    }
    if ["configure.ac", "configure.in", "configure"]
        .iter()
        .any(|f| src.has(f))
    {
        add(CBuild::Autotools);
    }
    // A Makefile beside another build system is usually its output or a convenience wrapper.
    if found.is_empty()
        && ["Makefile", "makefile", "GNUmakefile"]
            .iter()
            .any(|f| src.has(f))
    {
        found.push((CBuild::Make.name().to_string(), CBuild::Make));
    }
    found
}

/// The arguments of every `name(...)` call in a CMake or Meson file (case-insensitive name), split on
/// whitespace and commas, with quotes removed.
fn calls(text: &str, name: &str) -> Vec<Vec<String>> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find(name) {
        let start = from + at;
        from = start + name.len();
        let before_ok = start == 0
            || !lower.as_bytes()[start - 1].is_ascii_alphanumeric()
                && lower.as_bytes()[start - 1] != b'_';
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('(') {
            continue;
        }
        let open = text.len() - rest.len() + 1;
        let close = text[open..].find(')').map_or(text.len(), |c| open + c);
        out.push(
            text[open..close]
                .split(|c: char| c.is_whitespace() || c == ',')
                .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_string())
                .filter(|w| !w.is_empty())
                .collect(),
        );
    }
    out
}

/// pkg-config module (or CMake package) → the Debian package with its headers and libraries.
const DEV_PACKAGES: &[(&str, &str)] = &[
    ("zlib", "zlib1g-dev"),
    ("openssl", "libssl-dev"),
    ("libssl", "libssl-dev"),
    ("libcrypto", "libssl-dev"),
    ("libcurl", "libcurl4-openssl-dev"),
    ("curl", "libcurl4-openssl-dev"),
    ("sqlite3", "libsqlite3-dev"),
    ("libpng", "libpng-dev"),
    ("png", "libpng-dev"),
    ("libzstd", "libzstd-dev"),
    ("zstd", "libzstd-dev"),
    ("liblzma", "liblzma-dev"),
    ("bzip2", "libbz2-dev"),
    ("libxml-2.0", "libxml2-dev"),
    ("libxml2", "libxml2-dev"),
    ("uuid", "uuid-dev"),
    ("libffi", "libffi-dev"),
];

const CMAKE_KEYWORDS: &[&str] = &[
    "required",
    "quiet",
    "imported_target",
    "global",
    "no_cmake_path",
    "no_cmake_environment_path",
];

fn dev_package(module: &str) -> Option<&'static str> {
    let name = module
        .split(['>', '<', '='])
        .next()
        .unwrap_or(module)
        .to_ascii_lowercase();
    DEV_PACKAGES
        .iter()
        .find(|(m, _)| *m == name)
        .map(|(_, p)| *p)
}

fn c(src: &Sources, choice: &Choice) -> Result<CProject, DetectError> {
    let build = match choice.build_system {
        Some(b) => b,
        None => one(c_builds(src), None, "C build system", "--build-system")?,
    };
    let file = |p: &str| src.files.get(p).map(String::as_str).unwrap_or("");
    let mut bins = Vec::new();
    let mut modules = Vec::new();
    let mut cxx = src
        .files
        .keys()
        .any(|p| [".cc", ".cpp", ".cxx", ".C"].iter().any(|e| p.ends_with(e)));
    match build {
        CBuild::Cmake => {
            let text = file("CMakeLists.txt");
            // `add_executable(${PROJECT_NAME} ...)` is common: it is the first argument of project().
            let project_name = calls(text, "project")
                .into_iter()
                .find_map(|a| a.into_iter().next());
            for args in calls(text, "add_executable") {
                match args.first().map(String::as_str) {
                    Some("${PROJECT_NAME}") => bins.extend(project_name.clone()),
                    Some(name) if !name.starts_with("${") => bins.push(name.to_string()),
                    _ => {}
                }
            }
            for args in calls(text, "pkg_check_modules")
                .into_iter()
                .chain(calls(text, "pkg_search_module"))
            {
                modules.extend(
                    args.into_iter()
                        .skip(1)
                        .filter(|a| !CMAKE_KEYWORDS.contains(&a.to_ascii_lowercase().as_str())),
                );
            }
            modules.extend(
                calls(text, "find_package")
                    .into_iter()
                    .filter_map(|a| a.into_iter().next()),
            );
            cxx |= calls(text, "project")
                .iter()
                .any(|a| a.iter().any(|w| w == "CXX"));
        }
        CBuild::Meson => {
            let text = file("meson.build");
            bins.extend(
                calls(text, "executable")
                    .into_iter()
                    .filter_map(|a| a.into_iter().next()),
            );
            modules.extend(
                calls(text, "dependency")
                    .into_iter()
                    .filter_map(|a| a.into_iter().next()),
            );
            cxx |= calls(text, "project")
                .iter()
                .any(|a| a.iter().any(|w| w == "cpp"));
        }
        CBuild::Autotools => {
            let am = file("Makefile.am");
            for line in am.lines() {
                if let Some((key, value)) = line.split_once('=') {
                    if key.trim() == "bin_PROGRAMS" {
                        bins.extend(value.split_whitespace().map(str::to_string));
                    }
                }
            }
            let ac = format!("{}{}", file("configure.ac"), file("configure.in"));
            for args in calls(&ac, "pkg_check_modules") {
                modules.extend(
                    args.into_iter()
                        .skip(1)
                        .map(|a| a.trim_matches(['[', ']']).to_string()),
                );
            }
        }
        CBuild::Make => {}
    }
    let packages: BTreeSet<&str> = modules.iter().filter_map(|m| dev_package(m)).collect();
    bins.sort();
    bins.dedup();
    // When the build files name no program (a plain Makefile, a bare configure script), --bin says it.
    let bin = match &choice.bin {
        Some(bin) if bins.is_empty() => bin.clone(),
        None if bins.is_empty() => {
            return Err(DetectError::Missing(format!(
                "the {} build files do not say which program they build: pass --bin NAME",
                build.name()
            )))
        }
        _ => one(
            bins.into_iter().map(|b| (b.clone(), b)).collect(),
            choice.bin.as_deref(),
            "executable",
            "--bin",
        )?,
    };
    Ok(CProject {
        build,
        bin,
        cxx,
        packages: packages.into_iter().map(str::to_string).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(files: &[(&str, &str)]) -> Sources {
        Sources {
            files: files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
            cargo: None,
        }
    }

    fn check(files: &[(&str, &str)], choice: Choice) -> Result<Project, String> {
        detect(&sources(files), &choice).map_err(|e| e.to_string())
    }

    #[test]
    fn go_projects() {
        let hello = [
            ("go.mod", "module example.com/hello/v2\n\ngo 1.22.3\n"),
            ("main.go", "package main\n"),
        ];
        assert_eq!(
            check(&hello, Choice::default()),
            Ok(Project::Go(GoProject {
                module: "example.com/hello/v2".into(),
                go_version: Some("1.22".into()),
                package: ".".into(),
                bin: "hello".into(),
                cgo: false,
                has_sum: false,
            }))
        );
        let two = [
            ("go.mod", "module m\n"),
            (
                "cmd/a/main.go",
                "// x\npackage main\nimport (\n\t\"C\"\n)\n",
            ),
            ("cmd/b/main.go", "package main"),
            ("lib/lib.go", "package lib"),
        ];
        let err = check(&two, Choice::default()).unwrap_err();
        assert!(err.contains("(a, b)") && err.contains("--bin"), "{err}");
        let Ok(Project::Go(p)) = check(
            &two,
            Choice {
                bin: Some("b".into()),
                ..Choice::default()
            },
        ) else {
            panic!()
        };
        assert_eq!((p.package.as_str(), p.cgo), ("./cmd/b", true));
    }

    #[test]
    fn c_projects() {
        let cmake = "project(x C)\nfind_package(PkgConfig REQUIRED)\n\
                     pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib libpng>=1.6)\nadd_executable(tool main.c)\n";
        let Ok(Project::C(p)) = check(&[("CMakeLists.txt", cmake)], Choice::default()) else {
            panic!()
        };
        assert_eq!(
            (p.bin.as_str(), p.build, p.cxx),
            ("tool", CBuild::Cmake, false)
        );
        assert_eq!(p.packages, ["libpng-dev", "zlib1g-dev"]);
        let named = "project(hello CXX)\nadd_executable(${PROJECT_NAME} main.cpp)\n";
        let Ok(Project::C(p)) = check(&[("CMakeLists.txt", named)], Choice::default()) else {
            panic!()
        };
        assert_eq!((p.bin.as_str(), p.cxx), ("hello", true));
        let meson =
            "project('m', 'cpp')\nexecutable('m', 'a.cpp', dependencies: dependency('zlib'))";
        let Ok(Project::C(p)) = check(&[("meson.build", meson)], Choice::default()) else {
            panic!()
        };
        assert_eq!((p.bin.as_str(), p.cxx, p.packages.len()), ("m", true, 1));
        let am = [
            ("configure.ac", "AC_INIT([a],[1])"),
            ("Makefile.am", "bin_PROGRAMS = a\n"),
        ];
        assert!(matches!(
            check(&am, Choice::default()),
            Ok(Project::C(CProject {
                build: CBuild::Autotools,
                ..
            }))
        ));
        let err = check(&[("Makefile", "all:")], Choice::default()).unwrap_err();
        assert!(err.contains("--bin"), "{err}");
        let bin = Choice {
            bin: Some("tool".into()),
            ..Choice::default()
        };
        let Ok(Project::C(p)) = check(&[("configure", "#!/bin/sh\n")], bin) else {
            panic!()
        };
        assert_eq!((p.build, p.bin.as_str()), (CBuild::Autotools, "tool"));
        let both = [
            ("CMakeLists.txt", "add_executable(a a.c)"),
            ("meson.build", "executable('a')"),
        ];
        let err = check(&both, Choice::default()).unwrap_err();
        assert!(err.contains("--build-system"), "{err}");
    }

    #[test]
    fn ambiguity_and_absence() {
        let err = check(
            &[("go.mod", "module m"), ("Makefile", "")],
            Choice::default(),
        )
        .unwrap_err();
        assert!(
            err.contains("language found (go, c)") && err.contains("--lang"),
            "{err}"
        );
        assert!(check(&[], Choice::default())
            .unwrap_err()
            .contains("no project found"));
        let lock = "[[package]]\nname = \"openssl-sys\"\n";
        assert!(lock_packages(lock).any(is_c_crate));
    }
}
