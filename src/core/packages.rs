//! Target-architecture packages (`mab apt-get`, `mab apk`, `mab dnf` and xx's names for them): which
//! words of the command line are packages, what name each gets for the target, which commands to run and
//! what to undo when the install fails. Pure: the command layer (`crate::cmd::packages`) asks the package
//! manager questions through the `known` callbacks and runs what is planned here.

mod apt;
mod mingw;
mod mirror;
mod root;
mod undo;

pub use apt::*;
pub use mingw::*;
pub use mirror::{mirror_fixes, pin_sources_file};
pub use root::*;
pub use undo::*;

use super::table::{Family, META_PACKAGES};
use std::fmt;

/// A word on the command line that is not a valid package name for the distro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPackage {
    pub word: String,
    pub family: Family,
}

impl fmt::Display for BadPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.word.chars().take(80).collect();
        let rule = match self.family {
            Family::Debian => {
                "Debian package names are lowercase letters, digits and '+-.' (at least 2, starting with a \
                 letter or digit), optionally followed by :arch, =version or /release"
            }
            Family::Alpine => {
                "Alpine package names are letters, digits and '+-._', optionally followed by a version \
                 constraint (=, <, >, ~) or @tag"
            }
            Family::Rhel => {
                "RPM package names are letters, digits and '+-._', optionally with a version, .arch, a \
                 glob '*', a path or a capability such as pkgconfig(zlib)"
            }
        };
        write!(f, "{shown:?} is not a package name: {rule}")
    }
}

impl std::error::Error for BadPackage {}

fn is_debian_name(s: &str) -> bool {
    s.len() >= 2
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b))
}

/// Debian policy §5.6.1 names, with apt's `:arch`, `=version` and `/release` forms. Values only ever reach
/// the package manager's argv, but an odd word is far more likely a typo or an option in the wrong place.
pub fn check_package(family: Family, word: &str) -> Result<(), BadPackage> {
    let ok = match family {
        Family::Debian => {
            let (name, pin) = match word.find(['=', '/']) {
                Some(i) => (&word[..i], Some(&word[i + 1..])),
                None => (word, None),
            };
            let (name, arch) = match name.split_once(':') {
                Some((n, a)) => (n, Some(a)),
                None => (name, None),
            };
            is_debian_name(name)
                && arch.is_none_or(|a| {
                    !a.is_empty()
                        && a.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                })
                && pin.is_none_or(|v| {
                    !v.is_empty()
                        && v.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"+-.~:".contains(&b))
                })
        }
        Family::Alpine => {
            word.as_bytes()
                .first()
                .is_some_and(u8::is_ascii_alphanumeric)
                && word
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-._=<>~@:".contains(&b))
        }
        Family::Rhel => {
            word.as_bytes()
                .first()
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'/')
                && word
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-._:*()/".contains(&b))
        }
    };
    if ok && word.len() <= 256 {
        Ok(())
    } else {
        Err(BadPackage {
            word: word.to_string(),
            family,
        })
    }
}

/// One word of a package manager's command line, as mab understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// Passed on unchanged: options, their values, the action and arguments of actions that take none.
    Keep(String),
    /// A package (already validated) that gets the target's name.
    Package(String),
}

/// A parsed command line: the action (`install`, `add`, …) and every word in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    pub action: Option<String>,
    pub words: Vec<Word>,
}

impl CommandLine {
    pub fn packages(&self) -> impl Iterator<Item = &str> {
        self.words.iter().filter_map(|w| match w {
            Word::Package(p) => Some(p.as_str()),
            Word::Keep(_) => None,
        })
    }
}

/// What one package manager's command line looks like.
struct Grammar {
    /// Actions whose arguments are packages.
    package_actions: &'static [&'static str],
    /// Options whose value is the next word (`-o Acquire::Retries=0`).
    options_with_value: &'static [&'static str],
}

const APT: Grammar = Grammar {
    package_actions: &[
        "install",
        "reinstall",
        "remove",
        "purge",
        "show",
        "info",
        "download",
    ],
    options_with_value: &[
        "-o",
        "--option",
        "-c",
        "--config-file",
        "-t",
        "--target-release",
        "--default-release",
        "-a",
        "--host-architecture",
    ],
};

const APK: Grammar = Grammar {
    package_actions: &[
        "add", "del", "info", "fetch", "list", "search", "dot", "policy",
    ],
    options_with_value: &[
        "-p",
        "--root",
        "-X",
        "--repository",
        "--arch",
        "--cache-dir",
        "--keys-dir",
        "--repositories-file",
        "-t",
        "--virtual",
        "-o",
        "--output",
    ],
};

const DNF: Grammar = Grammar {
    package_actions: &[
        "install",
        "reinstall",
        "remove",
        "erase",
        "info",
        "list",
        "download",
        "upgrade",
        "downgrade",
    ],
    options_with_value: &[
        "--installroot",
        "--forcearch",
        "--releasever",
        "--setopt",
        "--repo",
        "--repoid",
        "--enablerepo",
        "--disablerepo",
        "-x",
        "--exclude",
        "-c",
        "--config",
        "--destdir",
    ],
};

fn grammar(family: Family) -> &'static Grammar {
    match family {
        Family::Debian => &APT,
        Family::Alpine => &APK,
        Family::Rhel => &DNF,
    }
}

/// Splits a command line into options and packages, validating every package. The first word that is not
/// an option (or an option's value) is the action; later plain words are packages if the action takes them.
pub fn parse(family: Family, args: &[String]) -> Result<CommandLine, BadPackage> {
    let grammar = grammar(family);
    let mut line = CommandLine {
        action: None,
        words: Vec::new(),
    };
    let mut value_expected = false;
    for arg in args {
        let word = if value_expected {
            value_expected = false;
            Word::Keep(arg.clone())
        } else if arg.starts_with('-') {
            value_expected = grammar.options_with_value.contains(&arg.as_str());
            Word::Keep(arg.clone())
        } else if line.action.is_none() {
            line.action = Some(arg.clone());
            Word::Keep(arg.clone())
        } else if line
            .action
            .as_deref()
            .is_some_and(|a| grammar.package_actions.contains(&a))
        {
            check_package(family, arg)?;
            Word::Package(arg.clone())
        } else {
            Word::Keep(arg.clone())
        };
        line.words.push(word);
    }
    Ok(line)
}

/// What a meta-package stands for on `family`, each entry still `a|b|c`; `None` for ordinary packages.
pub fn meta_package(family: Family, name: &str) -> Option<&'static [&'static str]> {
    META_PACKAGES
        .iter()
        .find(|m| m.family == family && m.names.contains(&name))
        .map(|m| m.packages)
}

/// Replaces meta-packages by their packages. `known(name)` answers whether the package manager has the
/// package (for the target); of `a|b|c` the first known wins, and the last when none is known, so the
/// package manager's own "not found" names it.
pub fn expand_meta(
    family: Family,
    line: &CommandLine,
    known: &mut dyn FnMut(&str) -> bool,
) -> CommandLine {
    let mut words = Vec::new();
    for word in &line.words {
        match word {
            Word::Package(p) => match meta_package(family, p) {
                Some(entries) => {
                    for alternatives in entries {
                        let options: Vec<&str> = alternatives.split('|').collect();
                        let pick = if options.len() == 1 {
                            options[0]
                        } else {
                            options
                                .iter()
                                .copied()
                                .find(|o| known(o))
                                .unwrap_or(options[options.len() - 1])
                        };
                        words.push(Word::Package(pick.to_string()));
                    }
                }
                None => words.push(word.clone()),
            },
            Word::Keep(_) => words.push(word.clone()),
        }
    }
    CommandLine {
        action: line.action.clone(),
        words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn package_names_follow_each_distro() {
        for ok in [
            "zlib1g-dev",
            "libstdc++-12-dev",
            "g++",
            "a0",
            "foo:arm64",
            "foo=1:2.3~rc1-1",
            "foo/bookworm-backports",
        ] {
            assert_eq!(check_package(Family::Debian, ok), Ok(()), "{ok}");
        }
        for bad in [
            "Zlib", "a", "-x", "foo;rm", "foo bar", "$(id)", "foo:", "foo=", "_x", "foo:ARM",
            "a\nb",
        ] {
            assert!(check_package(Family::Debian, bad).is_err(), "{bad}");
        }
        for ok in [
            "musl-dev",
            "py3-PyYAML",
            "zlib>=1.2",
            "foo@edge",
            "so:libz.so.1",
        ] {
            assert_eq!(check_package(Family::Alpine, ok), Ok(()), "{ok}");
        }
        for ok in [
            "glibc-devel",
            "pkgconfig(zlib)",
            "gcc-c++",
            "/usr/bin/ld",
            "zlib*",
            "zlib-devel.aarch64",
        ] {
            assert_eq!(check_package(Family::Rhel, ok), Ok(()), "{ok}");
        }
        for bad in ["foo;x", "a b", "`x`"] {
            assert!(check_package(Family::Alpine, bad).is_err());
            assert!(check_package(Family::Rhel, bad).is_err());
        }
        let err = parse(Family::Debian, &words("install ok1 Bad;")).unwrap_err();
        assert!(
            err.to_string().contains("\"Bad;\" is not a package name"),
            "{err}"
        );
    }

    #[test]
    fn every_meta_package_exists_for_every_family() {
        for family in [Family::Debian, Family::Alpine, Family::Rhel] {
            for name in [
                "xx-c-essentials",
                "xx-cxx-essentials",
                "mab-c-essentials",
                "mab-cxx-essentials",
            ] {
                assert!(meta_package(family, name).is_some(), "{family:?} {name}");
            }
        }
        assert_eq!(meta_package(Family::Debian, "zlib1g-dev"), None);
    }
}
