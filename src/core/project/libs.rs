//! The libraries a project links, named as its build files name them, and the target packages that carry
//! them: one table (`toolchains/libraries.toml`) for every kind of name (link, pkg-config, CMake package,
//! Rust -sys crate), so each detector only says which kind of name it found and where.

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

/// The kind of name a build file uses for a library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// After `-l`.
    Link,
    PkgConfig,
    Cmake,
    Header,
    Crate,
}

impl Kind {
    fn names(self, lib: &Library) -> &[String] {
        match self {
            Kind::Link => &lib.link,
            Kind::PkgConfig => &lib.pkg_config,
            Kind::Cmake => &lib.cmake,
            Kind::Header => &lib.headers,
            Kind::Crate => &lib.crates,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Link => "-l",
            Kind::PkgConfig => "pkg-config ",
            Kind::Cmake => "find_package ",
            Kind::Header => "header ",
            Kind::Crate => "crate ",
        }
    }
}

pub fn find(kind: Kind, name: &str) -> Option<&'static Library> {
    // pkg-config modules may carry a version (`libpng>=1.6`); CMake names are case-insensitive.
    let name = name.split(['>', '<', '=', ' ']).next().unwrap_or(name);
    table().iter().find(|lib| {
        kind.names(lib).iter().any(|n| match kind {
            Kind::Cmake => n.eq_ignore_ascii_case(name),
            _ => n == name,
        })
    })
}

/// A target package the build needs, and what in the project asked for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub origin: String,
}

/// Collects packages by library name, each once, keeping where it was first seen.
#[derive(Default)]
pub struct Found {
    pub packages: Vec<Package>,
}

impl Found {
    /// Records `name` (of `kind`) seen in `file`; true when the table knows it.
    pub fn add(&mut self, kind: Kind, name: &str, file: &str) -> bool {
        let Some(lib) = find(kind, name) else {
            return false;
        };
        if !lib.debian.is_empty() && !self.packages.iter().any(|p| p.name == lib.debian) {
            self.packages.push(Package {
                name: lib.debian.clone(),
                origin: format!("{}{name} in {file}", kind.describe()),
            });
        }
        true
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
