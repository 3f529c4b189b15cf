//! The apt side: target names for packages, when to add an architecture and update, and what undoing a
//! failed transaction puts back.

use super::{expand_meta, CommandLine, Word};
use crate::core::table::Family;
use std::collections::{BTreeMap, BTreeSet};

/// The target as apt sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AptTarget {
    /// dpkg's name for the target architecture (arm64, armhf, ppc64el, …).
    pub arch: String,
    /// Whether it differs from dpkg's native architecture.
    pub cross: bool,
    /// The suffix of Debian's cross packages for the target: the C triple with `_` made `-`, as package
    /// names cannot hold `_` (`gcc` → `gcc-x86-64-linux-gnu`).
    pub cross_suffix: String,
    /// Take `<p>-<arch>-cross` packages where Debian has them (xx's XX_APT_PREFER_CROSS).
    pub prefer_cross: bool,
}

/// The name apt gets for one package: unchanged when native or already qualified (`foo:arm64`, `foo=1.0`
/// is qualified below); `<p>-<triple>` when Debian has a cross package of that name (gcc, g++, binutils:
/// tools that run here and build for the target); `<p>:<arch>` otherwise (multiarch).
pub fn apt_name(target: &AptTarget, package: &str, known: &mut dyn FnMut(&str) -> bool) -> String {
    if !target.cross {
        return package.to_string();
    }
    let (name, pin) = match package.find(['=', '/']) {
        Some(i) => package.split_at(i),
        None => (package, ""),
    };
    if name.contains(':') {
        return package.to_string();
    }
    let cross = format!("{name}-{}", target.cross_suffix);
    if known(&cross) {
        return format!("{cross}{pin}");
    }
    // Debian's own cross builds of libraries (libc6-dev-arm64-cross), installed under /usr/<triple>.
    let arch_cross = format!("{name}-{}-cross", target.arch);
    if target.prefer_cross && known(&arch_cross) {
        return format!("{arch_cross}{pin}");
    }
    format!("{name}:{}{pin}", target.arch)
}

/// Every package name [`apt_args`] may ask apt about, so one `apt-cache policy` can answer them all: each
/// alternative of a meta-package, and each package's cross-package names.
pub fn apt_questions(target: &AptTarget, line: &CommandLine) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut ask = |name: &str| {
        names.insert(name.to_string());
        false
    };
    for package in line.packages() {
        let alternatives: Vec<&str> = match super::meta_package(Family::Debian, package) {
            Some(entries) => entries.iter().flat_map(|e| e.split('|')).collect(),
            None => vec![package],
        };
        for p in alternatives {
            if target.cross {
                ask(&format!("{p}:{}", target.arch));
            } else {
                ask(p);
            }
            let prefer = AptTarget {
                prefer_cross: true,
                ..target.clone()
            };
            apt_name(&prefer, p, &mut ask);
        }
    }
    names
}

/// apt's argv after the program name: meta-packages expanded and every package named for the target.
pub fn apt_args(
    target: &AptTarget,
    line: &CommandLine,
    known: &mut dyn FnMut(&str) -> bool,
) -> Vec<String> {
    let arch_known = |known: &mut dyn FnMut(&str) -> bool, p: &str| {
        if target.cross {
            known(&format!("{p}:{}", target.arch))
        } else {
            known(p)
        }
    };
    let line = expand_meta(Family::Debian, line, &mut |p| arch_known(known, p));
    line.words
        .iter()
        .map(|w| match w {
            Word::Keep(k) => k.clone(),
            Word::Package(p) => apt_name(target, p, known),
        })
        .collect()
}

/// The distro's main sources file, as xx-apt's `--print-source-file` prints it: the deb822 file of Debian
/// 12+ or Ubuntu 24.04+, else the classic list.
pub fn main_sources_file(exists: &dyn Fn(&str) -> bool) -> &'static str {
    [
        "/etc/apt/sources.list.d/debian.sources",
        "/etc/apt/sources.list.d/ubuntu.sources",
    ]
    .into_iter()
    .find(|p| exists(p))
    .unwrap_or("/etc/apt/sources.list")
}

/// Whether the command needs the target architecture's package lists (anything naming packages).
pub fn needs_target_arch(line: &CommandLine) -> bool {
    line.packages().next().is_some()
}

/// What to do before the install: add the architecture to dpkg and refresh apt's lists, unless dpkg
/// already has it.
pub fn arch_to_add(target: &AptTarget, foreign: &[String]) -> Option<String> {
    (target.cross && !foreign.contains(&target.arch)).then(|| target.arch.clone())
}

/// `apt-get update`'s argv after a new architecture was added. apt-get update exits 0 when a mirror cannot
/// be reached (it only warns and keeps the old lists), so the install would then run on stale or missing
/// lists: apt ≥ 2.1.16 has `--error-on=any` to make that an error. Only the native and the new
/// architecture's lists are fetched (and the others' kept, not cleaned up): an index of some other foreign
/// architecture that fails to download (a mirror mid-sync) must not fail an unrelated install.
pub fn apt_update_args(
    apt_version: Option<(u32, u32, u32)>,
    native: &str,
    new_arch: &str,
) -> Vec<String> {
    let mut args = vec!["update".to_string()];
    if apt_version.is_some_and(|v| v >= (2, 1, 16)) {
        args.push("--error-on=any".to_string());
    }
    for arch in [native, new_arch] {
        args.extend(["-o".to_string(), format!("APT::Architectures::={arch}")]);
    }
    args.extend(["-o", "APT::Get::List-Cleanup=false"].map(String::from));
    args
}

/// The user's apt configuration options (`-o X=Y`, `-c FILE` and their long forms), which also apply to
/// the `apt-get update` mab runs: a proxy or a retry count given for the install is needed there too.
pub fn apt_config_options(line: &CommandLine) -> Vec<String> {
    let mut options = Vec::new();
    let mut words = line.words.iter();
    while let Some(word) = words.next() {
        let Word::Keep(w) = word else { continue };
        if ["-o", "--option", "-c", "--config-file"].contains(&w.as_str()) {
            if let Some(Word::Keep(value)) = words.next() {
                options.extend([w.clone(), value.clone()]);
            }
        } else if (w.starts_with("-o") || w.starts_with("-c"))
            && !w.starts_with("--")
            && w.len() > 2
            || w.starts_with("--option=")
            || w.starts_with("--config-file=")
        {
            options.push(w.clone());
        }
    }
    options
}

/// The packages that have a candidate version in `apt-cache policy NAME…` output (unknown names print
/// nothing; known ones print `NAME:` then `  Candidate: VERSION`, or `(none)`).
pub fn policy_candidates(output: &str) -> BTreeSet<String> {
    let mut known = BTreeSet::new();
    let mut current = None;
    for line in output.lines() {
        if !line.starts_with(' ') {
            current = line.strip_suffix(':');
        } else if let (Some(name), Some(candidate)) =
            (current, line.trim().strip_prefix("Candidate:"))
        {
            if candidate.trim() != "(none)" {
                known.insert(name.to_string());
            }
        }
    }
    known
}

/// The version in `apt-get --version`'s first line (`apt 2.6.1 (amd64)`).
pub fn parse_apt_version(text: &str) -> Option<(u32, u32, u32)> {
    let version = text.lines().next()?.split_whitespace().nth(1)?;
    let mut parts = version
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().ok());
    Some((
        parts.next()??,
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
    ))
}

/// The architectures of the packages in `dpkg-query -W -f '${Architecture}\n'` output.
pub fn architectures_in_use(dpkg_query: &str) -> BTreeSet<String> {
    dpkg_query
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// What undoing a failed transaction does with the architectures mab added.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArchRollback {
    /// No package of these is known to dpkg: `dpkg --remove-architecture` them.
    pub remove: Vec<String>,
    /// dpkg still has packages of these (dpkg refuses to remove such an architecture): keep and say so.
    pub keep: Vec<String>,
}

pub fn arch_rollback(added: &[String], in_use: &BTreeSet<String>) -> ArchRollback {
    let (keep, remove) = added.iter().cloned().partition(|a| in_use.contains(a));
    ArchRollback { remove, keep }
}

/// Whether apt has any package list for the architecture (after an update: whether the mirrors carry it
/// at all; Debian 12 has no riscv64, for one, and apt only notes that it skipped it).
pub fn has_lists(lists: &BTreeSet<String>, arch: &str) -> bool {
    let target = format!("_binary-{arch}_Packages");
    lists.iter().any(|name| name.contains(&target))
}

/// Whether apt lacks the target's package list for a source it has the native list of (the architecture
/// was added by hand without an update, or an earlier update failed half-way). Installing then fails with
/// "held broken packages": a `Multi-Arch: same` library must have the same version for both architectures,
/// and a missing or older target list (bookworm-security's, say) cannot offer the native one's version.
pub fn lists_incomplete(lists: &BTreeSet<String>, native: &str, arch: &str) -> bool {
    let native = format!("_binary-{native}_Packages");
    let target = format!("_binary-{arch}_Packages");
    lists
        .iter()
        .filter_map(|name| name.find(&native).map(|i| &name[..i]))
        .any(|source| {
            !lists
                .iter()
                .any(|m| m.starts_with(source) && m[source.len()..].starts_with(&target))
        })
}

/// apt's list files (in /var/lib/apt/lists) that the update fetched for an architecture mab adds and then
/// removes again: those of that architecture that were not there before.
pub fn lists_to_remove(
    before: &BTreeSet<String>,
    now: &BTreeSet<String>,
    removed_arches: &[String],
) -> Vec<String> {
    now.difference(before)
        .filter(|name| {
            removed_arches
                .iter()
                .any(|a| name.contains(&format!("_binary-{a}_")))
        })
        .cloned()
        .collect()
}

/// The apt sources files: path → content.
pub type Sources = BTreeMap<String, Vec<u8>>;

/// A change that puts a sources file back as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourcesFix {
    Write(String, Vec<u8>),
    Delete(String),
}

/// The changes that turn the sources `now` back into `before`.
pub fn sources_rollback(before: &Sources, now: &Sources) -> Vec<SourcesFix> {
    let mut fixes = Vec::new();
    for (path, content) in before {
        if now.get(path) != Some(content) {
            fixes.push(SourcesFix::Write(path.clone(), content.clone()));
        }
    }
    for path in now.keys().filter(|p| !before.contains_key(*p)) {
        fixes.push(SourcesFix::Delete(path.clone()));
    }
    fixes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::packages::parse;
    use crate::core::table::Family;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn arm64() -> AptTarget {
        AptTarget {
            arch: "arm64".into(),
            cross: true,
            cross_suffix: "aarch64-linux-gnu".into(),
            prefer_cross: false,
        }
    }

    /// Plans an apt command line for `target` where `have` are the package names apt knows.
    fn check_apt(target: &AptTarget, have: &[&str], args: &str, want: &str) {
        let line = parse(Family::Debian, &words(args)).unwrap();
        let got = apt_args(target, &line, &mut |p| have.contains(&p));
        assert_eq!(got.join(" "), want, "{args}");
    }

    #[test]
    fn apt_names_packages_for_the_target() {
        let t = arm64();
        check_apt(
            &t,
            &[],
            "install -y zlib1g-dev",
            "install -y zlib1g-dev:arm64",
        );
        check_apt(
            &t,
            &[],
            "-q install --no-install-recommends a1 b2",
            "-q install --no-install-recommends a1:arm64 b2:arm64",
        );
        // Tools with a cross package get it: they run here and build for the target.
        check_apt(
            &t,
            &["gcc-aarch64-linux-gnu"],
            "install gcc file",
            "install gcc-aarch64-linux-gnu file:arm64",
        );
        // Already qualified, and version pins keep their place after the name.
        check_apt(
            &t,
            &[],
            "install foo:amd64 bar=1.2-3 baz/bookworm",
            "install foo:amd64 bar:arm64=1.2-3 baz:arm64/bookworm",
        );
        // Option values and non-package actions pass through.
        check_apt(
            &t,
            &[],
            "-o Acquire::Retries=0 install -t bookworm-backports x1",
            "-o Acquire::Retries=0 install -t bookworm-backports x1:arm64",
        );
        check_apt(&t, &[], "update", "update");
        check_apt(&t, &[], "search zlib.*", "search zlib.*");
        let prefer = AptTarget {
            prefer_cross: true,
            ..arm64()
        };
        check_apt(
            &prefer,
            &["libc6-dev-arm64-cross"],
            "install libc6-dev zlib1g-dev",
            "install libc6-dev-arm64-cross zlib1g-dev:arm64",
        );
        check_apt(
            &t,
            &["libc6-dev-arm64-cross"],
            "install libc6-dev",
            "install libc6-dev:arm64",
        );
        // Native: unchanged.
        let native = AptTarget {
            cross: false,
            ..arm64()
        };
        check_apt(
            &native,
            &["gcc-aarch64-linux-gnu"],
            "install gcc zlib1g-dev",
            "install gcc zlib1g-dev",
        );
        let x86 = AptTarget {
            arch: "amd64".into(),
            cross: true,
            cross_suffix: "x86-64-linux-gnu".into(),
            prefer_cross: false,
        };
        check_apt(
            &x86,
            &["gcc-x86-64-linux-gnu"],
            "install gcc",
            "install gcc-x86-64-linux-gnu",
        );
    }

    #[test]
    fn apt_meta_packages_pick_the_release_gcc() {
        let t = arm64();
        check_apt(
            &t,
            &["libgcc-12-dev:arm64", "libgcc-11-dev:arm64"],
            "install xx-c-essentials",
            "install libc6-dev:arm64 libgcc-12-dev:arm64",
        );
        check_apt(
            &t,
            &["libstdc++-12-dev:arm64"],
            "install mab-cxx-essentials",
            "install libstdc++-12-dev:arm64",
        );
        // None known: the oldest, so apt's error names a real candidate.
        check_apt(
            &t,
            &[],
            "install xx-cxx-essentials",
            "install libstdc++-8-dev:arm64",
        );
        let native = AptTarget {
            cross: false,
            ..arm64()
        };
        check_apt(
            &native,
            &["libgcc-12-dev"],
            "install xx-c-essentials",
            "install libc6-dev libgcc-12-dev",
        );
    }

    #[test]
    fn every_question_is_asked_up_front() {
        let t = arm64();
        let line = parse(Family::Debian, &words("install -y xx-cxx-essentials gcc")).unwrap();
        let questions = apt_questions(&t, &line);
        for asked in [
            "libstdc++-12-dev:arm64",
            "libstdc++-12-dev-aarch64-linux-gnu",
            "gcc:arm64",
            "gcc-aarch64-linux-gnu",
            "gcc-arm64-cross",
        ] {
            assert!(questions.contains(asked), "{asked}: {questions:?}");
        }
        // Whatever apt answers, the plan asks nothing else.
        for answer in [false, true] {
            apt_args(&t, &line, &mut |n| {
                assert!(questions.contains(n), "{n} was not asked up front");
                answer
            });
        }
    }

    #[test]
    fn policy_names_the_packages_apt_has() {
        let out = "gcc-aarch64-linux-gnu:\n  Installed: 4:12.2.0-3\n  Candidate: 4:12.2.0-3\n  Version table:\n \
                   *** 4:12.2.0-3 500\n        500 http://m bookworm/main amd64 Packages\n\
                   libgcc-13-dev:arm64:\n  Installed: (none)\n  Candidate: (none)\n  Version table:\n\
                   libgcc-12-dev:arm64:\n  Installed: (none)\n  Candidate: 12.2.0-14\n";
        assert_eq!(
            policy_candidates(out).into_iter().collect::<Vec<_>>(),
            ["gcc-aarch64-linux-gnu", "libgcc-12-dev:arm64"]
        );
    }

    #[test]
    fn main_sources_file_prefers_deb822() {
        assert_eq!(
            main_sources_file(&|p| p.ends_with("ubuntu.sources")),
            "/etc/apt/sources.list.d/ubuntu.sources"
        );
        assert_eq!(main_sources_file(&|_| false), "/etc/apt/sources.list");
    }

    #[test]
    fn config_options_reach_the_update_too() {
        let line = parse(
            Family::Debian,
            &words("-o Acquire::Retries=0 -q install -y -cfoo.conf --option=A=1 zlib1g-dev -t bookworm"),
        )
        .unwrap();
        assert_eq!(
            apt_config_options(&line).join(" "),
            "-o Acquire::Retries=0 -cfoo.conf --option=A=1"
        );
    }

    #[test]
    fn arch_is_added_only_when_new_and_cross() {
        let t = arm64();
        assert_eq!(arch_to_add(&t, &[]), Some("arm64".into()));
        assert_eq!(arch_to_add(&t, &["armhf".into(), "arm64".into()]), None);
        assert_eq!(arch_to_add(&AptTarget { cross: false, ..t }, &[]), None);
    }

    #[test]
    fn update_fails_on_unreachable_mirrors_when_apt_can() {
        assert_eq!(
            parse_apt_version("apt 2.6.1 (amd64)\nSupported modules:"),
            Some((2, 6, 1))
        );
        assert_eq!(parse_apt_version("apt 2.0.10 (arm64)"), Some((2, 0, 10)));
        assert_eq!(parse_apt_version("apt 1.8"), Some((1, 8, 0)));
        assert_eq!(parse_apt_version(""), None);
        assert_eq!(
            apt_update_args(Some((2, 6, 1)), "amd64", "s390x").join(" "),
            "update --error-on=any -o APT::Architectures::=amd64 -o APT::Architectures::=s390x \
             -o APT::Get::List-Cleanup=false"
        );
        assert_eq!(
            apt_update_args(Some((2, 0, 10)), "amd64", "arm64")[..2],
            ["update", "-o"]
        );
        assert_eq!(apt_update_args(None, "amd64", "arm64")[1], "-o");
    }

    #[test]
    fn rollback_removes_only_unused_added_arches_and_restores_sources() {
        let in_use = architectures_in_use("amd64\nall\narm64\n\n");
        let r = arch_rollback(&["s390x".into(), "arm64".into()], &in_use);
        assert_eq!(r.remove, ["s390x"]);
        assert_eq!(r.keep, ["arm64"]);

        let before: Sources = [
            ("/a".to_string(), b"x".to_vec()),
            ("/b".to_string(), b"y".to_vec()),
        ]
        .into();
        let now: Sources = [
            ("/a".to_string(), b"changed".to_vec()),
            ("/c".to_string(), b"new".to_vec()),
        ]
        .into();
        assert_eq!(
            sources_rollback(&before, &now),
            [
                SourcesFix::Write("/a".into(), b"x".to_vec()),
                SourcesFix::Write("/b".into(), b"y".to_vec()),
                SourcesFix::Delete("/c".into()),
            ]
        );
        assert!(sources_rollback(&before, &before).is_empty());

        let lists = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
        let before = lists(&["m_dists_bookworm_main_binary-arm64_Packages.lz4"]);
        let now = lists(&[
            "m_dists_bookworm_main_binary-arm64_Packages.lz4",
            "m_dists_bookworm_main_binary-s390x_Packages.lz4",
            "m_dists_bookworm_main_binary-amd64_Packages.lz4",
        ]);
        assert_eq!(
            lists_to_remove(&before, &now, &["s390x".into()]),
            ["m_dists_bookworm_main_binary-s390x_Packages.lz4"]
        );
    }
}
