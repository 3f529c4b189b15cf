//! What a project directory holds, decided from file contents alone: the language, the binary to ship, and
//! whether the build needs a C toolchain for the target. `cmd::gen` reads the files (and runs
//! `cargo metadata --no-deps`) and passes them in; nothing here touches the disk.
//!
//! When one of several answers is plainly meant (the Go module's root package, the CMake executable named
//! after `project()`, CMake over autotools), detection takes it and says so in [`Project::notes`], with the
//! flag that picks another; when none is, [`DetectError::Ambiguous`] lists the choices and that flag.
//! One module per language; `libs` maps the libraries build files name to target packages.

mod c;
pub mod contents;
mod go;
pub mod libs;
mod rust;

use cargo_metadata::Metadata;
pub use libs::Package;
use std::collections::BTreeMap;
use std::fmt;

/// The files detection reads, by path relative to the project root (`/`-separated), and Cargo's view.
#[derive(Default)]
pub struct Sources {
    /// go.mod, go.sum, *.go (of vendored packages only their `#cgo` lines), vendor/modules.txt, build
    /// files at the root and below (CMakeLists.txt, meson.build, Makefile.am; configure.ac and Makefile at
    /// the root), Cargo.lock, and markers such as `.cargo/config.toml`.
    pub files: BTreeMap<String, String>,
    /// `cargo metadata --no-deps` of the root Cargo.toml, when there is one.
    pub cargo: Option<Metadata>,
}

impl Sources {
    /// Files by path and text, without Cargo: what the tests detect from.
    #[cfg(test)]
    pub(crate) fn of(files: &[(&str, &str)]) -> Sources {
        Sources {
            files: files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
            cargo: None,
        }
    }

    fn has(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    fn file(&self, path: &str) -> &str {
        self.files.get(path).map(String::as_str).unwrap_or("")
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
    /// The Debian release (codename) whose package names detection gives; None: the default release.
    pub debian: Option<&'static str>,
}

impl Choice {
    /// The release detection names packages of: `debian`, else [`crate::core::table::DEFAULT_RELEASE`].
    pub fn release(&self) -> &'static str {
        self.debian.unwrap_or(crate::core::table::DEFAULT_RELEASE)
    }
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
    /// Target libraries the -sys crates link (those not built from source).
    pub packages: Vec<Package>,
    pub notes: Vec<String>,
    pub unmapped: Vec<String>,
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
    /// vendor/modules.txt: the build uses the vendored tree and downloads nothing.
    pub vendored: bool,
    /// Target libraries from `#cgo pkg-config:` and `#cgo LDFLAGS: -l…` (when built with cgo).
    pub packages: Vec<Package>,
    pub notes: Vec<String>,
    pub unmapped: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CProject {
    pub build: CBuild,
    pub bin: String,
    /// The CMake target that writes `bin`, when its name differs (`OUTPUT_NAME`).
    pub target: Option<String>,
    pub cxx: bool,
    /// Target libraries the build files ask for (pkg-config, find_package, -l…).
    pub packages: Vec<Package>,
    /// Build-machine programs the build runs (bison, flex, gettext, …).
    pub tools: Vec<Package>,
    /// CMake options that build tests, switched off with BUILD_TESTING.
    pub test_options: Vec<String>,
    /// configure.ac uses autoconf-archive's AX_ macros that the tree does not carry.
    pub autoconf_archive: bool,
    /// How many C and C++ source files the tree has: whether a compiler cache pays for itself.
    pub sources: usize,
    pub notes: Vec<String>,
    pub unmapped: Vec<String>,
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

    /// What detection chose where it had a choice, for the generated file's comment.
    pub fn notes(&self) -> &[String] {
        match self {
            Project::Rust(p) => &p.notes,
            Project::Go(p) => &p.notes,
            Project::C(p) => &p.notes,
        }
    }

    /// Names the build files use that no table or index maps to a package (said, never dropped).
    pub fn unmapped(&self) -> &[String] {
        match self {
            Project::Rust(p) => &p.unmapped,
            Project::Go(p) => &p.unmapped,
            Project::C(p) => &p.unmapped,
        }
    }

    /// Build-machine packages the build files ask for.
    pub fn tools(&self) -> &[Package] {
        match self {
            Project::C(p) => &p.tools,
            _ => &[],
        }
    }

    pub fn packages(&self) -> &[Package] {
        match self {
            Project::Rust(p) => &p.packages,
            Project::Go(p) => &p.packages,
            Project::C(p) => &p.packages,
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

/// Picks `preferred` among several when it is one of them, with a note naming the others and the flag;
/// otherwise as [`one`].
fn prefer<T: Clone>(
    found: Vec<(String, T)>,
    chosen: Option<&str>,
    preferred: Option<(&str, &str)>,
    what: &'static str,
    flag: &'static str,
    notes: &mut Vec<String>,
) -> Result<T, DetectError> {
    if chosen.is_none() && found.len() > 1 {
        if let Some((name, why)) = preferred {
            if let Some((_, t)) = found.iter().find(|(n, _)| n == name) {
                let others: Vec<&str> = found
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .filter(|n| *n != name)
                    .collect();
                notes.push(format!(
                    "{what}: {name} ({why}); also found {}: pick another with {flag} NAME",
                    others.join(", ")
                ));
                return Ok(t.clone());
            }
        }
    }
    one(found, chosen, what, flag)
}

pub fn detect(src: &Sources, choice: &Choice) -> Result<Project, DetectError> {
    let mut langs = Vec::new();
    if src.cargo.is_some() {
        langs.push((Lang::Rust.name().to_string(), Lang::Rust));
    }
    if src.has("go.mod") {
        langs.push((Lang::Go.name().to_string(), Lang::Go));
    }
    // A Makefile beside go.mod or Cargo.toml wraps `go build` / `cargo build`, and C files beside them
    // are cgo's or a build script's: only another C build system makes the project C as well.
    if !c::builds(src, !langs.is_empty()).is_empty() {
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
        Lang::Rust => rust::detect(src, choice).map(Project::Rust),
        Lang::Go => go::detect(src, choice).map(Project::Go),
        Lang::C => c::detect(src, choice).map(Project::C),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(files: &[(&str, &str)]) -> Sources {
        Sources::of(files)
    }

    fn check(files: &[(&str, &str)], choice: Choice) -> Result<Project, String> {
        detect(&sources(files), &choice).map_err(|e| e.to_string())
    }

    fn c_project(files: &[(&str, &str)]) -> CProject {
        match check(files, Choice::default()) {
            Ok(Project::C(p)) => p,
            other => panic!("{other:?}"),
        }
    }

    fn go_project(files: &[(&str, &str)]) -> GoProject {
        match check(files, Choice::default()) {
            Ok(Project::Go(p)) => p,
            other => panic!("{other:?}"),
        }
    }

    fn names(p: &[Package]) -> Vec<&str> {
        p.iter().map(|p| p.name.as_str()).collect()
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
                vendored: false,
                packages: vec![],
                notes: vec![],
                unmapped: vec![],
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

    /// Several main packages: the module root, else the one named after the module, with a note.
    #[test]
    fn go_plain_main() {
        let root = [
            ("go.mod", "module example.com/tool\n"),
            ("main.go", "package main"),
            ("contrib/gen/main.go", "package main"),
            ("scripts/x.go", "//go:build ignore\n\npackage main"),
        ];
        let p = go_project(&root);
        assert_eq!((p.bin.as_str(), p.package.as_str()), ("tool", "."));
        assert!(
            p.notes[0].contains("root package")
                && p.notes[0].contains("gen")
                && p.notes[0].contains("--bin"),
            "{:?}",
            p.notes
        );
        let named = [
            ("go.mod", "module example.com/tool\n"),
            ("cmd/tool/main.go", "package main"),
            ("cmd/tool-helper/main.go", "package main"),
        ];
        assert_eq!(go_project(&named).package, "./cmd/tool");
    }

    /// A cgo module with a Makefile is Go; vendored modules and their #cgo lines count.
    #[test]
    fn go_cgo_vendored() {
        let files = [
            ("go.mod", "module example.com/box\n"),
            ("Makefile", "all:\n\tgo build -o box .\n"),
            (
                "main.go",
                "package main\n// #cgo pkg-config: zlib\nimport \"C\"\n",
            ),
            ("vendor/modules.txt", "# example.com/sec v1.0.0\n"),
            (
                "vendor/example.com/sec/sec.go",
                "// #cgo LDFLAGS: -lseccomp\n",
            ),
            ("native.c", ""),
        ];
        let p = go_project(&files);
        assert!(p.cgo && p.vendored);
        assert_eq!(names(&p.packages), ["zlib1g-dev", "libseccomp-dev"]);
        assert_eq!(p.packages[0].origin, "pkg-config zlib in main.go");
        assert!(
            p.notes.iter().any(|n| n.contains("-mod=vendor")),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn c_projects() {
        let cmake = "project(x C)\nfind_package(PkgConfig REQUIRED)\n\
                     pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib libpng>=1.6)\nadd_executable(tool main.c)\n";
        let p = c_project(&[("CMakeLists.txt", cmake)]);
        assert_eq!(
            (p.bin.as_str(), p.build, p.cxx),
            ("tool", CBuild::Cmake, false)
        );
        assert_eq!(names(&p.packages), ["zlib1g-dev", "libpng-dev"]);
        let named = "project(hello CXX)\nadd_executable(${PROJECT_NAME} main.cpp)\n";
        let p = c_project(&[("CMakeLists.txt", named)]);
        assert_eq!((p.bin.as_str(), p.cxx), ("hello", true));
        let meson =
            "project('m', 'cpp')\nexecutable('m', 'a.cpp', dependencies: dependency('zlib'))";
        let p = c_project(&[("meson.build", meson)]);
        assert_eq!((p.bin.as_str(), p.cxx, p.packages.len()), ("m", true, 1));
        let am = [
            ("configure.ac", "AC_INIT([a],[1])"),
            ("Makefile.am", "bin_PROGRAMS = a\n"),
        ];
        assert_eq!(c_project(&am).build, CBuild::Autotools);
        let err = check(&[("Makefile", ".PHONY: x\n")], Choice::default()).unwrap_err();
        assert!(err.contains("--bin"), "{err}");
        let bin = Choice {
            bin: Some("tool".into()),
            ..Choice::default()
        };
        let Ok(Project::C(p)) = check(&[("configure", "#!/bin/sh\n")], bin) else {
            panic!()
        };
        assert_eq!((p.build, p.bin.as_str()), (CBuild::Autotools, "tool"));
    }

    /// CMake over the others, executables in subdirectories and through variables, tests switched off.
    #[test]
    fn c_cmake_layouts() {
        let files = [
            (
                "CMakeLists.txt",
                "project(app VERSION 1 LANGUAGES C)\noption(APP_BUILD_TESTS \"tests\" ON)\n\
              option(APP_FAST \"x\" ON)\nadd_subdirectory(src)\nfind_package(OpenSSL REQUIRED)\n",
            ),
            (
                "src/CMakeLists.txt",
                "set(EXE_NAME app)\nadd_executable(${EXE_NAME} main.c)\n\
              add_executable(app_test t.c)\nfind_library(UV_LIB NAMES uv libuv)\n",
            ),
            ("configure.ac", "AC_INIT([app],[1])"),
            ("meson.build", "project('app', 'c')"),
        ];
        let p = c_project(&files);
        assert_eq!((p.build, p.bin.as_str()), (CBuild::Cmake, "app"));
        assert_eq!(p.test_options, ["APP_BUILD_TESTS"]);
        assert_eq!(names(&p.packages), ["libssl-dev", "libuv1-dev"]);
        assert!(
            p.notes
                .iter()
                .any(|n| n.contains("cmake (preferred over meson, autotools)")),
            "{:?}",
            p.notes
        );
        assert!(
            p.notes.iter().any(|n| n.contains("app_test")),
            "{:?}",
            p.notes
        );
    }

    /// A plain Makefile: its first target, and -l flags to packages.
    #[test]
    fn c_plain_make() {
        let mk = "CC=gcc\nLIBS=-lm -lpthread -lz\n# x: y\n\nsqz: sqz.o util.o\n\t$(CC) -o sqz $^ $(LIBS)\n\nclean:\n\trm -f *.o\n";
        let p = c_project(&[("Makefile", mk)]);
        assert_eq!((p.build, p.bin.as_str()), (CBuild::Make, "sqz"));
        assert_eq!(names(&p.packages), ["zlib1g-dev"]);
        assert_eq!(p.packages[0].origin, "-lz in Makefile:2");
        let all = "BIN := tool\n.PHONY: all\nall: $(BIN) docs\n$(BIN): a.o\n";
        assert_eq!(c_project(&[("Makefile", all)]).bin, "tool");
        // A phony prerequisite is no file, so no program: lz4's root Makefile. Any rule's target is a --bin.
        let lz4 = ".PHONY: default\ndefault: lib-release lz4-release\n.PHONY: lib lib-release\n.PHONY: lz4 lz4-release\n\
                   lz4 lz4-release : lib-release\n\t$(MAKE) -C programs $@\n";
        let err = check(&[("Makefile", lz4)], Choice::default()).unwrap_err();
        assert!(err.contains("pass --bin NAME"), "{err}");
        let chosen = Choice {
            bin: Some("lz4".into()),
            ..Choice::default()
        };
        match check(&[("Makefile", lz4)], chosen) {
            Ok(Project::C(p)) => assert_eq!(p.bin, "lz4"),
            other => panic!("{other:?}"),
        }
        let ac = [
            ("configure.ac", "AC_INIT([top], [1])\nAC_SEARCH_LIBS([ceil], [m])\nAC_CHECK_HEADERS([ \\\n  ncursesw/curses.h \\\n  curses.h])\n"),
            ("Makefile.am", "if X\nbin_PROGRAMS = top\nelse\nbin_PROGRAMS = pcp-top\nendif\n"),
        ];
        let p = c_project(&ac);
        assert_eq!(p.bin, "top");
        assert_eq!(names(&p.packages), ["libncurses-dev"]);
    }

    #[test]
    fn ambiguity_and_absence() {
        let both = [
            ("Cargo.toml", ""),
            ("go.mod", "module m"),
            ("CMakeLists.txt", "add_executable(a a.c)"),
        ];
        let err = check(&both, Choice::default()).unwrap_err();
        assert!(
            err.contains("language found (go, c)") && err.contains("--lang"),
            "{err}"
        );
        // A Makefile beside go.mod wraps go build.
        let wrapped = [
            ("go.mod", "module m"),
            ("Makefile", "all:\n\tgo build\n"),
            ("m.go", "package main"),
        ];
        assert_eq!(go_project(&wrapped).bin, "m");
        assert!(check(&[], Choice::default())
            .unwrap_err()
            .contains("no project found"));
    }
}
