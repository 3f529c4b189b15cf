//! Target-architecture packages (`mab apt-get`, `mab apk`, `mab dnf` and xx's names for them): which
//! words of the command line are packages, what name each gets for the target, which commands to run and
//! what to undo when the install fails. Pure: the command layer (`crate::cmd::packages`) asks the package
//! manager questions through the `known` callbacks and runs what is planned here.

use super::table::{Family, META_PACKAGES, MIRRORS};
use std::collections::{BTreeMap, BTreeSet};
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
                && arch.map_or(true, |a| {
                    !a.is_empty()
                        && a.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                })
                && pin.map_or(true, |v| {
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

/// The sources changes a cross install needs on a distro whose main mirror lacks the target architecture
/// (Ubuntu: amd64 and i386 on the archive, every other architecture on ports): existing entries for that
/// mirror are pinned to the native architecture (else apt-get update asks the archive for the target's
/// lists and fails), and a new file points the target at the ports mirror with the same suites,
/// components and keys. Nothing when the distro has no such split, the target is on the same mirror as
/// the build machine, or the file was added before. Returns the files to write.
pub fn mirror_fixes(distro: &str, sources: &Sources, native: &str, arch: &str) -> Sources {
    let mut fixes = Sources::new();
    let Some(mirror) = MIRRORS.iter().find(|m| m.distro == distro) else {
        return fixes;
    };
    let on_archive = |a: &str| mirror.archive_arches.contains(&a);
    if on_archive(native) == on_archive(arch) || !on_archive(native) {
        return fixes;
    }
    let is_archive = |uri: &str| {
        let host = uri
            .split("://")
            .nth(1)
            .unwrap_or(uri)
            .split('/')
            .next()
            .unwrap_or("");
        mirror
            .archive_hosts
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")))
    };
    let mut deb822 = false;
    let mut ported = Vec::new();
    for (path, content) in sources {
        let text = String::from_utf8_lossy(content);
        let fixed = if path.ends_with(".sources") {
            deb822 = true;
            pin_deb822(
                &text,
                native,
                &is_archive,
                &mut ported,
                arch,
                mirror.ports_uri,
            )
        } else if path.ends_with(".list") {
            pin_one_line(
                &text,
                native,
                &is_archive,
                &mut ported,
                arch,
                mirror.ports_uri,
            )
        } else {
            continue;
        };
        if fixed != text {
            fixes.insert(path.clone(), fixed.into_bytes());
        }
    }
    let dir = "/etc/apt/sources.list.d";
    let new = if deb822 {
        format!("{dir}/mab-{arch}.sources")
    } else {
        format!("{dir}/mab-{arch}.list")
    };
    if ported.is_empty() || sources.contains_key(&new) {
        return Sources::new();
    }
    ported.dedup();
    let separator = if deb822 { "\n" } else { "" };
    fixes.insert(new, ported.join(separator).into_bytes());
    fixes
}

/// deb822 stanzas: `Architectures: <native>` added to archive stanzas that name none; a stanza for the
/// target on the ports mirror pushed to `ported` for each.
fn pin_deb822(
    text: &str,
    native: &str,
    is_archive: &dyn Fn(&str) -> bool,
    ported: &mut Vec<String>,
    arch: &str,
    ports_uri: &str,
) -> String {
    let mut out = String::new();
    for (i, stanza) in text.split("\n\n").enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(':').map(str::trim))
        };
        let archive = field("URIs").is_some_and(|u| u.split_whitespace().any(is_archive));
        let binary = field("Types").is_some_and(|t| t.split_whitespace().any(|t| t == "deb"));
        let enabled = field("Enabled") != Some("no");
        if !archive || field("Architectures").is_some() {
            out.push_str(stanza);
            continue;
        }
        for line in stanza.split_inclusive('\n') {
            out.push_str(line);
            if line.starts_with("Types:") {
                if !line.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&format!("Architectures: {native}"));
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
        }
        if binary && enabled {
            let mut new = format!("Types: deb\nArchitectures: {arch}\nURIs: {ports_uri}\n");
            for name in ["Suites", "Components", "Signed-By"] {
                if let Some(value) = field(name).filter(|v| !v.is_empty()) {
                    new.push_str(&format!("{name}: {value}\n"));
                }
            }
            ported.push(new);
        }
    }
    out
}

/// One-line sources: `arch=<native>` added to archive lines that name none (inside their `[...]` options
/// when they have some, where apt expects every option); a `deb` line for the target on ports pushed to
/// `ported` for each.
fn pin_one_line(
    text: &str,
    native: &str,
    is_archive: &dyn Fn(&str) -> bool,
    ported: &mut Vec<String>,
    arch: &str,
    ports_uri: &str,
) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let (comment, rest) = match body.strip_prefix('#') {
            Some(r) => ("# ", r.trim_start()),
            None => ("", body),
        };
        let Some((kind, after)) = rest
            .split_once(' ')
            .filter(|(k, _)| *k == "deb" || *k == "deb-src")
        else {
            out.push_str(line);
            continue;
        };
        let after = after.trim_start();
        let (options, entry) = match after.strip_prefix('[').and_then(|a| a.split_once(']')) {
            Some((o, e)) => (o.trim(), e.trim_start()),
            None => ("", after),
        };
        let uri = entry.split_whitespace().next().unwrap_or("");
        if !is_archive(uri) || options.split_whitespace().any(|o| o.starts_with("arch=")) {
            out.push_str(line);
            continue;
        }
        let with = |a: &str| {
            if options.is_empty() {
                format!("[arch={a}]")
            } else {
                format!("[arch={a} {options}]")
            }
        };
        out.push_str(&format!("{comment}{kind} {} {entry}", with(native)));
        if line.ends_with('\n') {
            out.push('\n');
        }
        if kind == "deb" && comment.is_empty() {
            let rest: Vec<&str> = entry.split_whitespace().skip(1).collect();
            ported.push(format!(
                "deb {} {ports_uri} {}\n",
                with(arch),
                rest.join(" ")
            ));
        }
    }
    out
}

/// A secondary root for a foreign architecture (Alpine's and Fedora's way of installing target packages),
/// at `/<triple>` as xx puts it, so xx's compilers and `mab info sysroot` find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRoot {
    /// `/<triple>`.
    pub root: String,
    /// The package manager's name for the target architecture.
    pub arch: String,
}

impl TargetRoot {
    pub fn new(triple: &str, arch: &str) -> TargetRoot {
        TargetRoot {
            root: format!("/{triple}"),
            arch: arch.to_string(),
        }
    }

    /// Marks a root whose setup finished (the name xx uses, so roots made by either are shared).
    pub fn done_file(&self) -> String {
        format!("{}/.xx-setup", self.root)
    }

    pub fn path(&self, rel: &str) -> String {
        format!("{}/{rel}", self.root)
    }
}

/// One setup step of a target root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupStep {
    MakeDir(String),
    /// Copy a file, or every file of a directory, from the build root. Missing sources are skipped unless
    /// `required`.
    Copy {
        from: String,
        to: String,
        required: bool,
    },
    WriteFile(String, String),
    Run(Vec<String>),
}

/// How `mab apk` prepares `/<triple>`: apk's config with the build root's repositories, the signing keys
/// for the target architecture (alpine-keys ships every architecture's under /usr/share/apk/keys/<arch>,
/// while /etc/apk/keys only holds the build architecture's), the arch file, and an initialised database.
pub fn apk_setup(root: &TargetRoot) -> Vec<SetupStep> {
    let keys = root.path("etc/apk/keys");
    vec![
        SetupStep::MakeDir(keys.clone()),
        SetupStep::Copy {
            from: "/etc/apk/repositories".into(),
            to: root.path("etc/apk/repositories"),
            required: true,
        },
        SetupStep::Copy {
            from: "/etc/apk/keys".into(),
            to: keys.clone(),
            required: false,
        },
        SetupStep::Copy {
            from: format!("/usr/share/apk/keys/{}", root.arch),
            to: keys,
            required: true,
        },
        SetupStep::WriteFile(root.path("etc/apk/arch"), format!("{}\n", root.arch)),
        SetupStep::Run(
            [
                "apk",
                "add",
                "--root",
                &root.root,
                "--arch",
                &root.arch,
                "--initdb",
                "--no-scripts",
                "alpine-keys",
            ]
            .map(String::from)
            .to_vec(),
        ),
    ]
}

/// `apk`'s argv after the program name. Cross: into the target root, and without package scripts, which
/// are the target's programs and cannot run here (headers and libraries need none).
pub fn apk_args(root: Option<&TargetRoot>, line: &CommandLine) -> Vec<String> {
    let line = expand_meta(Family::Alpine, line, &mut |_| true);
    let mut args = Vec::new();
    if let Some(r) = root {
        args.extend(["--root", &r.root, "--arch", &r.arch, "--no-scripts"].map(String::from));
    }
    args.extend(line.words.into_iter().map(|w| match w {
        Word::Keep(k) | Word::Package(k) => k,
    }));
    args
}

/// How `mab dnf` prepares `/<triple>`: the build root's repositories and their signing keys, which dnf
/// reads inside the install root.
pub fn dnf_setup(root: &TargetRoot) -> Vec<SetupStep> {
    ["etc/yum.repos.d", "etc/pki/rpm-gpg"]
        .iter()
        .flat_map(|dir| {
            [
                SetupStep::MakeDir(root.path(dir)),
                SetupStep::Copy {
                    from: format!("/{dir}"),
                    to: root.path(dir),
                    required: *dir == "etc/yum.repos.d",
                },
            ]
        })
        .collect()
}

/// `dnf`'s argv after the program name. Cross: into the target root for the target architecture, at the
/// build system's release, without scriptlets (target programs).
pub fn dnf_args(
    root: Option<&TargetRoot>,
    release: Option<&str>,
    line: &CommandLine,
) -> Vec<String> {
    let line = expand_meta(Family::Rhel, line, &mut |_| true);
    let mut args = Vec::new();
    if let Some(r) = root {
        args.extend(["--installroot", &r.root, "--forcearch", &r.arch].map(String::from));
        if let Some(release) = release {
            args.push(format!("--releasever={release}"));
        }
        args.push("--setopt=tsflags=noscripts".to_string());
    }
    args.extend(line.words.into_iter().map(|w| match w {
        Word::Keep(k) | Word::Package(k) => k,
    }));
    args
}

/// Directories of a target root whose programs are foreign: removed after an install so nothing (a
/// `find_program` with CMAKE_FIND_ROOT_PATH, a `*-config` script lookup) picks up a binary that cannot
/// run here.
pub const FOREIGN_BIN_DIRS: &[&str] = &["usr/bin", "usr/sbin", "bin", "sbin"];

/// Whether a command installs into the root (and so may bring foreign binaries).
pub fn installs(line: &CommandLine) -> bool {
    matches!(
        line.action.as_deref(),
        Some("add" | "install" | "reinstall" | "upgrade")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn ubuntu_targets_on_ports_get_their_mirror() {
        let deb822 = "Types: deb deb-src\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble noble-updates\n\
                      Components: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n\n\
                      Types: deb\nURIs: http://security.ubuntu.com/ubuntu/\nSuites: noble-security\n\
                      Components: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n\n\
                      Types: deb\nURIs: http://ppa.example/x\nSuites: noble\nComponents: main\n";
        let path = "/etc/apt/sources.list.d/ubuntu.sources".to_string();
        let sources: Sources = [(path.clone(), deb822.as_bytes().to_vec())].into();
        let fixes = mirror_fixes("ubuntu", &sources, "amd64", "arm64");
        assert_eq!(
            String::from_utf8_lossy(&fixes[&path]),
            "Types: deb deb-src\nArchitectures: amd64\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble noble-updates\n\
             Components: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n\n\
             Types: deb\nArchitectures: amd64\nURIs: http://security.ubuntu.com/ubuntu/\nSuites: noble-security\n\
             Components: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n\n\
             Types: deb\nURIs: http://ppa.example/x\nSuites: noble\nComponents: main\n"
        );
        assert_eq!(
            String::from_utf8_lossy(&fixes["/etc/apt/sources.list.d/mab-arm64.sources"]),
            "Types: deb\nArchitectures: arm64\nURIs: http://ports.ubuntu.com/ubuntu-ports/\nSuites: noble noble-updates\n\
             Components: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n\n\
             Types: deb\nArchitectures: arm64\nURIs: http://ports.ubuntu.com/ubuntu-ports/\nSuites: noble-security\n\
             Components: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n"
        );
        // Running again after the fix changes nothing more.
        let mut after = sources.clone();
        after.extend(fixes);
        assert!(mirror_fixes("ubuntu", &after, "amd64", "arm64").is_empty());

        let list = "deb http://us.archive.ubuntu.com/ubuntu/ jammy main universe\n\
                    deb-src http://archive.ubuntu.com/ubuntu/ jammy main\n\
                    # deb http://archive.ubuntu.com/ubuntu/ jammy-backports main\n\
                    deb [signed-by=/k.gpg] http://security.ubuntu.com/ubuntu/ jammy-security main\n\
                    deb [arch=riscv64] http://ports.ubuntu.com/ubuntu-ports/ jammy main\n";
        let sources: Sources = [(
            "/etc/apt/sources.list".to_string(),
            list.as_bytes().to_vec(),
        )]
        .into();
        let fixes = mirror_fixes("ubuntu", &sources, "amd64", "armhf");
        assert_eq!(
            String::from_utf8_lossy(&fixes["/etc/apt/sources.list"]),
            "deb [arch=amd64] http://us.archive.ubuntu.com/ubuntu/ jammy main universe\n\
             deb-src [arch=amd64] http://archive.ubuntu.com/ubuntu/ jammy main\n\
             # deb [arch=amd64] http://archive.ubuntu.com/ubuntu/ jammy-backports main\n\
             deb [arch=amd64 signed-by=/k.gpg] http://security.ubuntu.com/ubuntu/ jammy-security main\n\
             deb [arch=riscv64] http://ports.ubuntu.com/ubuntu-ports/ jammy main\n"
        );
        assert_eq!(
            String::from_utf8_lossy(&fixes["/etc/apt/sources.list.d/mab-armhf.list"]),
            "deb [arch=armhf] http://ports.ubuntu.com/ubuntu-ports/ jammy main universe\n\
             deb [arch=armhf signed-by=/k.gpg] http://ports.ubuntu.com/ubuntu-ports/ jammy-security main\n"
        );
        // Same mirror (i386 on amd64), or Debian: nothing to do.
        assert!(mirror_fixes("ubuntu", &sources, "amd64", "i386").is_empty());
        assert!(mirror_fixes("debian", &sources, "amd64", "arm64").is_empty());
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

    // apk and dnf cannot run on this Debian machine: these tests check the planned commands only.

    #[test]
    fn apk_plans_a_secondary_root() {
        let root = TargetRoot::new("aarch64-alpine-linux-musl", "aarch64");
        let line = parse(
            Family::Alpine,
            &words("add --no-cache xx-c-essentials zlib-dev"),
        )
        .unwrap();
        assert_eq!(
            apk_args(Some(&root), &line).join(" "),
            "--root /aarch64-alpine-linux-musl --arch aarch64 --no-scripts add --no-cache musl-dev gcc zlib-dev"
        );
        assert!(installs(&line));
        // Native: apk as written, meta-packages expanded.
        let line = parse(Family::Alpine, &words("add xx-cxx-essentials")).unwrap();
        assert_eq!(apk_args(None, &line).join(" "), "add g++");
        let steps = apk_setup(&root);
        assert_eq!(
            steps[0],
            SetupStep::MakeDir("/aarch64-alpine-linux-musl/etc/apk/keys".into())
        );
        assert!(steps.contains(&SetupStep::Copy {
            from: "/usr/share/apk/keys/aarch64".into(),
            to: "/aarch64-alpine-linux-musl/etc/apk/keys".into(),
            required: true
        }));
        assert!(steps.contains(&SetupStep::WriteFile(
            "/aarch64-alpine-linux-musl/etc/apk/arch".into(),
            "aarch64\n".into()
        )));
        assert_eq!(
            steps.last(),
            Some(&SetupStep::Run(words(
                "apk add --root /aarch64-alpine-linux-musl --arch aarch64 --initdb --no-scripts alpine-keys"
            )))
        );
        assert_eq!(root.done_file(), "/aarch64-alpine-linux-musl/.xx-setup");
    }

    #[test]
    fn dnf_plans_an_install_root() {
        let root = TargetRoot::new("aarch64-linux-gnu", "aarch64");
        let line = parse(
            Family::Rhel,
            &words("install -y xx-c-essentials zlib-devel"),
        )
        .unwrap();
        assert_eq!(
            dnf_args(Some(&root), Some("40"), &line).join(" "),
            "--installroot /aarch64-linux-gnu --forcearch aarch64 --releasever=40 --setopt=tsflags=noscripts \
             install -y glibc-devel gcc zlib-devel"
        );
        let line = parse(Family::Rhel, &words("install xx-cxx-essentials")).unwrap();
        assert_eq!(
            dnf_args(None, Some("40"), &line).join(" "),
            "install libstdc++-devel gcc-c++"
        );
        assert_eq!(
            dnf_setup(&root)[..2],
            [
                SetupStep::MakeDir("/aarch64-linux-gnu/etc/yum.repos.d".into()),
                SetupStep::Copy {
                    from: "/etc/yum.repos.d".into(),
                    to: "/aarch64-linux-gnu/etc/yum.repos.d".into(),
                    required: true
                },
            ]
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
