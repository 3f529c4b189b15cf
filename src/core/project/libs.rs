//! The libraries a project links, named as its build files name them, and the target packages that carry
//! them: one table (`toolchains/libraries.toml`) for every kind of name (link, pkg-config, CMake package,
//! Rust -sys crate), so each detector only says which kind of name it found and where.

use super::contents;
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Library {
    pub link: Vec<String>,
    #[serde(default)]
    pub pkg_config: Vec<String>,
    #[serde(default)]
    pub cmake: Vec<String>,
    #[serde(default)]
    pub headers: Vec<String>,
    #[serde(default)]
    pub crates: Vec<String>,
    #[serde(default)]
    pub bundled_by: Vec<String>,
    #[serde(default)]
    pub bundling_features: Vec<String>,
    /// Empty: the C library provides it.
    pub debian: String,
    pub alpine: String,
    pub rpm: String,
}

#[derive(Deserialize)]
struct Table {
    library: Vec<Library>,
}

pub fn table() -> &'static [Library] {
    static TABLE: OnceLock<Vec<Library>> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str::<Table>(include_str!("../../../toolchains/libraries.toml"))
            .expect("toolchains/libraries.toml parses (tested)")
            .library
    })
}

/// The kind of name a build file uses for a library, or for a program the build runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// After `-l`.
    Link,
    PkgConfig,
    Cmake,
    Header,
    Crate,
    /// A program the build runs on the build machine (bison, flex, msgfmt, …): a build-machine package.
    Program,
}

impl Kind {
    fn names(self, lib: &Library) -> &[String] {
        match self {
            Kind::Link => &lib.link,
            Kind::PkgConfig => &lib.pkg_config,
            Kind::Cmake => &lib.cmake,
            Kind::Header => &lib.headers,
            Kind::Crate => &lib.crates,
            Kind::Program => &[],
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Link => "-l",
            Kind::PkgConfig => "pkg-config ",
            Kind::Cmake => "find_package ",
            Kind::Header => "header ",
            Kind::Crate => "crate ",
            Kind::Program => "program ",
        }
    }

    /// The same kind of name in the distro's file index.
    fn indexed(self) -> Option<contents::Kind> {
        Some(match self {
            Kind::Link => contents::Kind::Link,
            Kind::PkgConfig => contents::Kind::PkgConfig,
            Kind::Cmake => contents::Kind::Cmake,
            Kind::Header => contents::Kind::Header,
            Kind::Program => contents::Kind::Program,
            Kind::Crate => return None,
        })
    }
}

/// A pkg-config module without its version constraint (`libpng>=1.6` → `libpng`).
fn bare(name: &str) -> &str {
    name.split(['>', '<', '=', ' ']).next().unwrap_or(name)
}

pub fn find(kind: Kind, name: &str) -> Option<&'static Library> {
    // pkg-config modules may carry a version (`libpng>=1.6`); CMake names are case-insensitive.
    let name = bare(name);
    table().iter().find(|lib| {
        kind.names(lib).iter().any(|n| match kind {
            Kind::Cmake => n.eq_ignore_ascii_case(name),
            _ => n == name,
        })
    })
}

/// The Debian package for a name: libraries.toml first (it knows what the C library provides, and which
/// of several packages to prefer), then the release's file index. `Some("")`: the C library has it.
pub fn debian_package(release: &str, kind: Kind, name: &str) -> Option<&'static str> {
    if let Some(lib) = find(kind, name) {
        return Some(lib.debian.as_str());
    }
    contents::package(release, kind.indexed()?, bare(name))
}

/// Programs that generate code during a build: a build that looks for one needs it, even where the
/// build files do not say REQUIRED.
const BUILD_TOOLS: &[&str] = &[
    "bison",
    "yacc",
    "byacc",
    "flex",
    "lex",
    "gperf",
    "m4",
    "perl",
    "python3",
    "python",
    "xxd",
    "msgfmt",
    "xgettext",
    "msgmerge",
    "autopoint",
    "nasm",
    "yasm",
    "ragel",
    "re2c",
    "protoc",
    "glib-compile-resources",
    "glib-compile-schemas",
    "glib-mkenums",
    "glib-genmarshal",
    "wayland-scanner",
    "gdbus-codegen",
];

/// Whether a header checked for is the package's own: a header in a directory (`readline/readline.h`)
/// says whose it is, and so does the C library's; a bare name must be the package's (`pcap.h` of
/// libpcap0.8-dev). A configure script's portability probe for `socket.h` or `values.h` names no
/// library, and installing whichever package happens to ship one would change what the build sees.
fn header_fits(header: &str, package: &str) -> bool {
    if header.contains('/') || ["libc6-dev", "linux-libc-dev"].contains(&package) {
        return true;
    }
    let stem = header.split('.').next().unwrap_or(header);
    let stem = stem.strip_prefix("lib").unwrap_or(stem);
    package.contains(&stem.to_ascii_lowercase())
}

/// Programs every generated build stage has already (the compilers and build tools mab's Dockerfile
/// installs, and the base system's): looking them up would install another package of the same name
/// (Debian's pkgconf conflicts with the pkg-config already there).
const PROVIDED: &[&str] = &[
    "pkg-config",
    "cc",
    "c++",
    "gcc",
    "g++",
    "clang",
    "clang++",
    "cpp",
    "make",
    "gmake",
    "cmake",
    "ninja",
    "meson",
    "ar",
    "ranlib",
    "ld",
    "strip",
    "nm",
    "objcopy",
    "objdump",
    "sh",
    "bash",
    "env",
    "install",
    "sed",
    "awk",
    "grep",
    "tar",
    "gzip",
    "find",
    "xargs",
    "true",
    "test",
    "echo",
    "cat",
];

/// A package the build needs, and what in the project asked for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub origin: String,
}

/// Collects packages by name, each once, keeping where it was first seen: the target's libraries, the
/// build machine's programs, and every name no table or index knows (said in the Dockerfile and on
/// stderr, never dropped silently).
pub struct Found {
    release: &'static str,
    pub packages: Vec<Package>,
    pub tools: Vec<Package>,
    pub unmapped: Vec<String>,
    /// Programs a build looks for but can do without (not installed).
    pub optional: Vec<String>,
    /// The project's own names (lowercase): a test directory's `find_package(<itself>)` is no dependency.
    own: Vec<String>,
}

impl Default for Found {
    fn default() -> Found {
        Found::new(crate::core::table::DEFAULT_RELEASE)
    }
}

impl Found {
    pub fn new(release: &'static str) -> Found {
        Found {
            release,
            packages: Vec::new(),
            tools: Vec::new(),
            unmapped: Vec::new(),
            optional: Vec::new(),
            own: Vec::new(),
        }
    }

    /// Names that are the project itself, so never a package to install.
    pub fn own(&mut self, name: &str) {
        let name = name.to_ascii_lowercase();
        let stem = name.strip_prefix("lib").unwrap_or(&name).to_string();
        self.own.extend([name, stem]);
    }

    /// Records `name` (of `kind`) seen at `origin` (`file` or `file:line`); true when a table or the
    /// index knows it.
    pub fn add(&mut self, kind: Kind, name: &str, origin: &str) -> bool {
        let bare_name = bare(name).trim();
        if bare_name.is_empty() {
            return false;
        }
        let lower = bare_name.to_ascii_lowercase();
        if kind != Kind::Program
            && self
                .own
                .iter()
                .any(|o| *o == lower || *o == lower.strip_prefix("lib").unwrap_or(&lower))
        {
            return true;
        }
        let what = format!("{}{bare_name}", kind.describe());
        let pkg = debian_package(self.release, kind, bare_name).filter(|pkg| {
            kind != Kind::Header || header_fits(bare_name, pkg) || find(kind, bare_name).is_some()
        });
        let Some(pkg) = pkg else {
            let line = format!("{what} in {origin}");
            if !self
                .unmapped
                .iter()
                .any(|u| u.starts_with(&format!("{what} in ")))
            {
                self.unmapped.push(line);
            }
            return false;
        };
        let list = if kind == Kind::Program {
            &mut self.tools
        } else {
            &mut self.packages
        };
        if !pkg.is_empty() && !list.iter().any(|p| p.name == pkg) {
            list.push(Package {
                name: pkg.to_string(),
                origin: format!("{what} in {origin}"),
            });
        }
        true
    }

    pub fn release(&self) -> &'static str {
        self.release
    }

    /// Of alternatives (`find_library(X NAMES ncursesw ncurses)`), the first a package ships; when none
    /// does, the first is recorded as unmapped. True when one was found.
    pub fn add_first(&mut self, kind: Kind, names: &[String], origin: &str) -> bool {
        let known = names
            .iter()
            .find(|n| debian_package(self.release, kind, n).is_some());
        match known.or(names.first()) {
            Some(n) => self.add(kind, &n.clone(), origin),
            None => false,
        }
    }

    /// A program the build looks for: installed when the build cannot do without it (`required`, or
    /// one of the code generators builds run), otherwise named as not installed.
    pub fn program(&mut self, names: &[String], required: bool, origin: &str) {
        let Some(first) = names.first() else {
            return;
        };
        if names.iter().any(|n| PROVIDED.contains(&n.as_str())) {
            return;
        }
        let generator = names.iter().any(|n| BUILD_TOOLS.contains(&n.as_str()));
        if required || generator {
            self.add_first(Kind::Program, names, origin);
        } else {
            let line = format!("program {first} in {origin}");
            if !self
                .optional
                .iter()
                .any(|o| o.starts_with(&format!("program {first} in ")))
            {
                self.optional.push(line);
            }
        }
    }

    /// A build-machine package named directly (a tool a macro implies).
    pub fn tool(&mut self, package: &str, origin: &str) {
        if !self.tools.iter().any(|p| p.name == package) {
            self.tools.push(Package {
                name: package.to_string(),
                origin: origin.to_string(),
            });
        }
    }

    pub fn into_packages(self) -> Vec<Package> {
        self.packages
    }
}

/// `-lname` words of a command line or Makefile text.
pub fn link_flags(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || ['"', '\'', '='].contains(&c))
        .filter_map(|w| w.strip_prefix("-l"))
        .filter(|n| {
            !n.is_empty()
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row has names and plain package names, and no name belongs to two rows.
    #[test]
    fn table_rows() {
        let mut seen = std::collections::HashSet::new();
        for lib in table() {
            assert!(!lib.link.is_empty(), "{lib:?}");
            for pkg in [&lib.debian, &lib.alpine, &lib.rpm] {
                assert!(
                    pkg.bytes().all(|b| b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b"+.-".contains(&b)),
                    "{pkg:?}"
                );
            }
            for kind in [
                Kind::Link,
                Kind::PkgConfig,
                Kind::Cmake,
                Kind::Header,
                Kind::Crate,
            ] {
                for n in kind.names(lib) {
                    assert!(
                        seen.insert(format!("{kind:?} {}", n.to_ascii_lowercase())),
                        "{kind:?} {n} is in two rows"
                    );
                }
            }
        }
        assert_eq!(
            find(Kind::PkgConfig, "libpng>=1.6").unwrap().debian,
            "libpng-dev"
        );
        assert_eq!(find(Kind::Cmake, "openssl").unwrap().debian, "libssl-dev");
        assert_eq!(
            find(Kind::Crate, "openssl-sys").unwrap().alpine,
            "openssl-dev"
        );
        assert_eq!(
            link_flags("LIBS=-lm -lpthread -lz -L/x").collect::<Vec<_>>(),
            ["m", "pthread", "z"]
        );
        let mut found = Found::default();
        assert!(found.add(Kind::Link, "m", "Makefile"));
        assert!(found.add(Kind::Link, "z", "Makefile"));
        assert!(found.add(Kind::PkgConfig, "zlib", "x.go"));
        assert!(!found.add(Kind::Link, "nosuch", "Makefile"));
        assert_eq!(
            found.into_packages(),
            [Package {
                name: "zlib1g-dev".into(),
                origin: "-lz in Makefile".into()
            }]
        );
    }
}
