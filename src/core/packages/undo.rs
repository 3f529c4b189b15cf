//! Undoing a cross install's changes to dpkg: what apt's simulation says the install will change, which
//! old versions must be secured first (their archives from apt's cache or the mirrors), and, after a
//! failure, which packages to purge and which archives to reinstall, then what is still not as before.
//!
//! The simulation decides what to secure; dpkg's state before and after decides what to undo, so a change
//! the simulation did not predict is still found and reported.

use super::CommandLine;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One package the install will change, as `apt-get -s` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The package as dpkg names it: `name:arch` (`name:all` for architecture-independent ones).
    pub package: String,
    /// The installed version, if any.
    pub old: Option<String>,
    /// The version it gets; `None` when it is removed.
    pub new: Option<String>,
}

impl Change {
    fn arch(&self) -> &str {
        self.package.rsplit_once(':').map_or("", |(_, a)| a)
    }

    fn name(&self) -> &str {
        self.package
            .rsplit_once(':')
            .map_or(&self.package, |(n, _)| n)
    }

    /// Whether this is one of the build machine's own packages (native or `all`), not the target's.
    pub fn is_host(&self, native: &str) -> bool {
        [native, "all"].contains(&self.arch())
    }
}

/// The `Inst` and `Remv` lines of `apt-get -s install …`:
/// `Inst libssl3 [3.0.19-1~deb12u2] (3.0.20-1~deb12u2 Debian:12.15/oldstable [amd64]) []`,
/// `Inst zlib1g:arm64 (1:1.2.13.dfsg-1 Debian:12.15/oldstable [arm64])`, `Remv foo [1.0]`. apt leaves the
/// native architecture off names and a removal's architecture out: `installed` (dpkg's packages, see
/// [`parse_dpkg_state`]) fills it in.
pub fn parse_simulation(
    output: &str,
    native: &str,
    installed: &BTreeMap<String, Installed>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for line in output.lines() {
        let (remove, rest) = match line.split_once(' ') {
            Some(("Inst", rest)) => (false, rest),
            Some(("Remv", rest)) => (true, rest),
            _ => continue,
        };
        let mut words = rest.splitn(2, ' ');
        let Some(name) = words.next().filter(|n| !n.is_empty()) else {
            continue;
        };
        let rest = words.next().unwrap_or("");
        let old = rest
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .map(|(v, _)| v.to_string());
        let new_part = rest.find('(').map(|i| &rest[i + 1..]);
        let new = new_part
            .and_then(|p| p.split_whitespace().next())
            .map(str::to_string);
        // `(VERSION RELEASE… [ARCH])`: the architecture is the bracket closing the parenthesis.
        let paren_arch = new_part
            .and_then(|p| p.split_once(')'))
            .and_then(|(p, _)| p.rsplit_once('['))
            .and_then(|(_, a)| a.strip_suffix(']'))
            .map(str::to_string);
        let package = if name.contains(':') {
            name.to_string()
        } else if let Some(arch) = paren_arch {
            format!("{name}:{arch}")
        } else if installed.contains_key(&format!("{name}:all")) {
            format!("{name}:all")
        } else {
            format!("{name}:{native}")
        };
        changes.push(Change {
            package,
            old,
            new: if remove { None } else { new },
        });
    }
    changes
}

/// The note a cross install prints before it changes anything, when it changes the build machine's own
/// packages: `installing for arm64 upgrades 2 packages of the build machine: libssl3 3.0.19 → 3.0.20, …`.
pub fn host_changes_note(changes: &[Change], native: &str, target_arch: &str) -> Option<String> {
    let host: Vec<&Change> = changes
        .iter()
        .filter(|c| c.is_host(native) && c.old.is_some())
        .collect();
    if host.is_empty() {
        return None;
    }
    let (upgraded, removed): (Vec<&Change>, Vec<&Change>) =
        host.iter().partition(|c| c.new.is_some());
    let mut parts = Vec::new();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if !upgraded.is_empty() {
        let list: Vec<String> = upgraded
            .iter()
            .map(|c| {
                format!(
                    "{} {} → {}",
                    c.name(),
                    c.old.as_deref().unwrap_or(""),
                    c.new.as_deref().unwrap_or("")
                )
            })
            .collect();
        parts.push(format!(
            "upgrades {} package{} of the build machine: {}",
            upgraded.len(),
            plural(upgraded.len()),
            list.join(", ")
        ));
    }
    if !removed.is_empty() {
        let list: Vec<String> = removed
            .iter()
            .map(|c| format!("{} {}", c.name(), c.old.as_deref().unwrap_or("")))
            .collect();
        parts.push(format!(
            "removes {} package{} of the build machine: {}",
            removed.len(),
            plural(removed.len()),
            list.join(", ")
        ));
    }
    Some(format!(
        "installing for {target_arch} {}",
        parts.join("; and ")
    ))
}

/// An installed version to put back if the install fails.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OldVersion {
    /// `name:arch`.
    pub package: String,
    pub version: String,
}

impl OldVersion {
    pub fn name(&self) -> &str {
        self.package
            .rsplit_once(':')
            .map_or(&self.package, |(n, _)| n)
    }

    pub fn arch(&self) -> &str {
        self.package.rsplit_once(':').map_or("", |(_, a)| a)
    }

    /// The archive's file name as apt's cache and `apt-get download` spell it (the epoch's `:` as `%3a`).
    pub fn archive_name(&self) -> String {
        format!(
            "{}_{}_{}.deb",
            self.name(),
            self.version.replace(':', "%3a"),
            self.arch()
        )
    }

    /// `apt-get download`'s argument for exactly this version.
    pub fn download_arg(&self) -> String {
        format!("{}={}", self.package, self.version)
    }
}

impl fmt::Display for OldVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.package, self.version)
    }
}

/// The versions the install replaces or removes: each needs its archive before the install runs.
pub fn versions_to_secure(changes: &[Change]) -> Vec<OldVersion> {
    let set: BTreeSet<OldVersion> = changes
        .iter()
        .filter(|c| c.old.is_some() && c.old != c.new)
        .map(|c| OldVersion {
            package: c.package.clone(),
            version: c.old.clone().unwrap_or_default(),
        })
        .collect();
    set.into_iter().collect()
}

/// The (package name, version) pairs `apt-cache madison NAME…` lists:
/// `   libssl3 | 3.0.19-1~deb12u2 | http://m bookworm-security/main amd64 Packages` (a flat repository
/// names no architecture there, so the download of the exact `name:arch=version` has the last word).
pub fn parse_madison(output: &str) -> BTreeSet<(String, String)> {
    output
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('|').map(str::trim);
            let (name, version) = (fields.next()?, fields.next()?);
            fields.next()?;
            Some((name.to_string(), version.to_string()))
        })
        .collect()
}

/// Whether a mirror still offers this version.
pub fn on_mirror(available: &BTreeSet<(String, String)>, old: &OldVersion) -> bool {
    available.contains(&(old.name().to_string(), old.version.clone()))
}

/// One package as dpkg has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// dpkg's status abbreviation (`ii`, `iF`, `rc`, …).
    pub status: String,
    pub version: String,
}

/// The query that [`parse_dpkg_state`] reads.
pub const DPKG_STATE_FORMAT: &str = "${db:Status-Abbrev}|${Package}:${Architecture}|${Version}\\n";

/// `dpkg-query -W -f DPKG_STATE_FORMAT`: `name:arch` → status and version, for every package dpkg knows
/// except those it only remembers as not installed.
pub fn parse_dpkg_state(output: &str) -> BTreeMap<String, Installed> {
    output
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('|');
            let (status, package, version) = (fields.next()?, fields.next()?, fields.next()?);
            let status = status.trim().to_string();
            // The second letter is the state: `n` is not installed (only remembered).
            status.chars().nth(1).is_some_and(|c| c != 'n').then(|| {
                (
                    package.to_string(),
                    Installed {
                        status,
                        version: version.to_string(),
                    },
                )
            })
        })
        .collect()
}

/// What putting dpkg back takes, from its state before the install and now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Restore {
    /// Packages dpkg did not have before: `dpkg --purge` them.
    pub purge: Vec<String>,
    /// Archives of the old versions to `dpkg -i` (after the purge, so `Multi-Arch: same` siblings agree).
    pub reinstall: Vec<OldVersion>,
    /// Changed packages whose old version mab holds no archive of.
    pub lost: Vec<OldVersion>,
}

pub fn restore_plan(
    before: &BTreeMap<String, Installed>,
    now: &BTreeMap<String, Installed>,
    secured: &BTreeSet<OldVersion>,
) -> Restore {
    let mut plan = Restore::default();
    // A package changed or gone since `before`: its old version goes back if it was secured.
    let mut put_back = |package: &String, was: &Installed| {
        let old = OldVersion {
            package: package.clone(),
            version: was.version.clone(),
        };
        if secured.contains(&old) {
            plan.reinstall.push(old);
        } else {
            plan.lost.push(old);
        }
    };
    for (package, was) in before {
        if now.get(package) != Some(was) {
            put_back(package, was);
        }
    }
    for package in now.keys() {
        if !before.contains_key(package) {
            plan.purge.push(package.clone());
        }
    }
    plan.reinstall.sort();
    plan.lost.sort();
    plan
}

/// The packages whose state still differs after the restore, for the user: `libssl3:amd64 (was ii
/// 3.0.19-1~deb12u2, now ii 3.0.20-1~deb12u2)`.
pub fn differences(
    before: &BTreeMap<String, Installed>,
    now: &BTreeMap<String, Installed>,
) -> Vec<String> {
    let show = |s: Option<&Installed>| match s {
        Some(s) => format!("{} {}", s.status, s.version),
        None => "absent".to_string(),
    };
    let names: BTreeSet<&String> = before.keys().chain(now.keys()).collect();
    names
        .into_iter()
        .filter(|n| before.get(*n) != now.get(*n))
        .map(|n| {
            format!(
                "{n} (was {}, now {})",
                show(before.get(n)),
                show(now.get(n))
            )
        })
        .collect()
}

/// Whether the command line changes dpkg's packages (and is not apt's own simulation), so that it needs
/// the simulation first and an undo after a failure.
pub fn changes_packages(line: &CommandLine) -> bool {
    let simulated = line.words.iter().any(|w| {
        matches!(w, super::Word::Keep(k) if ["-s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act"].contains(&k.as_str()))
    });
    let action = line.action.as_deref().unwrap_or("");
    !simulated && ["install", "reinstall", "remove", "purge"].contains(&action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::packages::parse;
    use crate::core::table::Family;

    const SIMULATION: &str = "\
NOTE: This is only a simulation!
Inst libssl3 [3.0.19-1~deb12u2] (3.0.20-1~deb12u2 Debian:12.15/oldstable [amd64])
Inst krb5-locales [1.20.1-2+deb12u3] (1.20.1-2+deb12u5 Debian:12.15/oldstable [all])
Inst libgcc-s1:arm64 (12.2.0-14+deb12u1 Debian:12.15/oldstable [arm64]) []
Inst libtraceevent1 (1:1.7.1-1 Debian:12.15/oldstable [amd64])
Inst zlib1g:arm64 [1:1.2.13.dfsg-1] (1:1.2.13.dfsg-1+b1 Debian:12.15/oldstable [arm64])
Remv mab-old [1.0]
Remv mab-doc [2:3]
Conf libssl3 (3.0.20-1~deb12u2 Debian:12.15/oldstable [amd64])
";

    fn state(rows: &[(&str, &str, &str)]) -> BTreeMap<String, Installed> {
        rows.iter()
            .map(|(p, s, v)| {
                (
                    p.to_string(),
                    Installed {
                        status: s.to_string(),
                        version: v.to_string(),
                    },
                )
            })
            .collect()
    }

    fn old(package: &str, version: &str) -> OldVersion {
        OldVersion {
            package: package.into(),
            version: version.into(),
        }
    }

    #[test]
    fn simulation_names_every_change_with_its_architecture() {
        let installed = state(&[("mab-doc:all", "ii", "2:3")]);
        let changes = parse_simulation(SIMULATION, "amd64", &installed);
        let got: Vec<(String, Option<String>, Option<String>)> = changes
            .iter()
            .map(|c| (c.package.clone(), c.old.clone(), c.new.clone()))
            .collect();
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            got,
            [
                (
                    "libssl3:amd64".into(),
                    s("3.0.19-1~deb12u2"),
                    s("3.0.20-1~deb12u2")
                ),
                (
                    "krb5-locales:all".into(),
                    s("1.20.1-2+deb12u3"),
                    s("1.20.1-2+deb12u5")
                ),
                ("libgcc-s1:arm64".into(), None, s("12.2.0-14+deb12u1")),
                ("libtraceevent1:amd64".into(), None, s("1:1.7.1-1")),
                (
                    "zlib1g:arm64".into(),
                    s("1:1.2.13.dfsg-1"),
                    s("1:1.2.13.dfsg-1+b1")
                ),
                ("mab-old:amd64".into(), s("1.0"), None),
                ("mab-doc:all".into(), s("2:3"), None),
            ]
        );
        assert_eq!(
            host_changes_note(&changes, "amd64", "arm64").unwrap(),
            "installing for arm64 upgrades 2 packages of the build machine: libssl3 3.0.19-1~deb12u2 → \
             3.0.20-1~deb12u2, krb5-locales 1.20.1-2+deb12u3 → 1.20.1-2+deb12u5; and removes 2 packages of \
             the build machine: mab-old 1.0, mab-doc 2:3"
        );
        // Target packages only (new ones, or upgrades of the target's): no note.
        assert_eq!(host_changes_note(&changes[2..3], "amd64", "arm64"), None);
        assert_eq!(host_changes_note(&changes[4..5], "amd64", "arm64"), None);
        assert_eq!(
            versions_to_secure(&changes),
            [
                old("krb5-locales:all", "1.20.1-2+deb12u3"),
                old("libssl3:amd64", "3.0.19-1~deb12u2"),
                old("mab-doc:all", "2:3"),
                old("mab-old:amd64", "1.0"),
                old("zlib1g:arm64", "1:1.2.13.dfsg-1"),
            ]
        );
    }

    #[test]
    fn archives_are_named_as_apt_names_them() {
        let z = old("zlib1g:arm64", "1:1.2.13.dfsg-1");
        assert_eq!(z.archive_name(), "zlib1g_1%3a1.2.13.dfsg-1_arm64.deb");
        assert_eq!(z.download_arg(), "zlib1g:arm64=1:1.2.13.dfsg-1");
        let madison = "   libssl3 | 3.0.20-1~deb12u2 | http://m/debian bookworm/main amd64 Packages\n\
                       \x20  libssl3 | 3.0.19-1~deb12u2 | http://m/debian-security bookworm-security/main amd64 Packages\n\
                       mab-test-lib |        1.0 | file:/tmp/repo ./ Packages\n";
        let available = parse_madison(madison);
        assert!(on_mirror(
            &available,
            &old("libssl3:amd64", "3.0.19-1~deb12u2")
        ));
        assert!(on_mirror(&available, &old("mab-test-lib:arm64", "1.0")));
        assert!(!on_mirror(&available, &old("libssl3:amd64", "3.0.18")));
    }

    #[test]
    fn restore_purges_new_packages_and_reinstalls_secured_ones() {
        let out =
            "ii |libssl3:amd64|3.0.19\nrc |gone:amd64|1\nun |never:amd64|\npn |never2:amd64|\n";
        let before = parse_dpkg_state(out);
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            ["gone:amd64", "libssl3:amd64"]
        );
        let before = state(&[
            ("libssl3:amd64", "ii", "3.0.19"),
            ("e2fsprogs:amd64", "ii", "1.47.0-2"),
            ("mab-old:amd64", "ii", "1.0"),
            ("same:amd64", "ii", "1"),
        ]);
        let now = state(&[
            ("libssl3:amd64", "ii", "3.0.20"),
            ("libssl3:arm64", "ii", "3.0.20"),
            ("e2fsprogs:amd64", "ii", "1.47.0-2+b2"),
            ("mab-test-fails:arm64", "iF", "1"),
            ("same:amd64", "ii", "1"),
        ]);
        let secured: BTreeSet<OldVersion> =
            [old("libssl3:amd64", "3.0.19"), old("mab-old:amd64", "1.0")].into();
        let plan = restore_plan(&before, &now, &secured);
        assert_eq!(plan.purge, ["libssl3:arm64", "mab-test-fails:arm64"]);
        assert_eq!(
            plan.reinstall,
            [old("libssl3:amd64", "3.0.19"), old("mab-old:amd64", "1.0")]
        );
        assert_eq!(plan.lost, [old("e2fsprogs:amd64", "1.47.0-2")]);
        assert_eq!(
            differences(&before, &now),
            [
                "e2fsprogs:amd64 (was ii 1.47.0-2, now ii 1.47.0-2+b2)",
                "libssl3:amd64 (was ii 3.0.19, now ii 3.0.20)",
                "libssl3:arm64 (was absent, now ii 3.0.20)",
                "mab-old:amd64 (was ii 1.0, now absent)",
                "mab-test-fails:arm64 (was absent, now iF 1)",
            ]
        );
        assert!(differences(&before, &before).is_empty());
    }

    #[test]
    fn only_real_changes_are_simulated_first() {
        let line = |s: &str| {
            parse(
                Family::Debian,
                &s.split_whitespace().map(String::from).collect::<Vec<_>>(),
            )
            .unwrap()
        };
        assert!(changes_packages(&line("-q install -y zlib1g-dev")));
        assert!(changes_packages(&line("remove zlib1g-dev")));
        assert!(!changes_packages(&line("install -s zlib1g-dev")));
        assert!(!changes_packages(&line("show zlib1g-dev")));
        assert!(!changes_packages(&line("download zlib1g-dev")));
    }
}
