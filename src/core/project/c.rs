//! C and C++: the build system, the executable, and the target libraries the build files ask for. CMake,
//! Meson and autoconf files are read as calls (`name(args)`); Makefiles by their rules and `-l…` flags.

use super::libs::{self, Found, Kind};
use super::{prefer, CBuild, CProject, Choice, DetectError, Sources};
use std::collections::BTreeMap;

/// The build systems present, most preferred first: CMake over Meson over autotools over a Makefile (a
/// Makefile beside the others is usually their output or a wrapper). `beside_other` is true when go.mod
/// or Cargo.toml is at the root: a Makefile there wraps `go build` or `cargo build`.
pub(super) fn builds(src: &Sources, beside_other: bool) -> Vec<CBuild> {
    let mut found = Vec::new();
    if src.has("CMakeLists.txt") {
        found.push(CBuild::Cmake);
    }
    if src.has("meson.build") {
        found.push(CBuild::Meson);
    }
    if ["configure.ac", "configure.in", "configure"]
        .iter()
        .any(|f| src.has(f))
    {
        found.push(CBuild::Autotools);
    }
    if found.is_empty()
        && !beside_other
        && ["Makefile", "makefile", "GNUmakefile"]
            .iter()
            .any(|f| src.has(f))
    {
        found.push(CBuild::Make);
    }
    found
}

/// The raw text between the parentheses of every `name(...)` call (case-insensitive name, nested
/// parentheses kept), skipping `#` comment lines.
fn call_texts<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find(name) {
        let start = from + at;
        from = start + name.len();
        let before_ok =
            start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        let line_start = lower[..start].rfind('\n').map_or(0, |i| i + 1);
        let commented = lower[line_start..start].trim_start().starts_with('#')
            || lower[line_start..start].contains("dnl ");
        let rest = lower[from..].trim_start();
        if !before_ok || commented || !rest.starts_with('(') {
            continue;
        }
        let open = text.len() - rest.len() + 1;
        let mut depth = 1;
        let mut close = text.len();
        for (i, b) in bytes[open..].iter().enumerate() {
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push(&text[open..close]);
    }
    out
}

fn words(args: &str) -> Vec<String> {
    args.split(|c: char| c.is_whitespace() || c == ',' || c == '\\')
        .map(|w| w.trim_matches(|c| c == '"' || c == '\'' || c == '[' || c == ']'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The words of every `name(...)` call, quotes (and autoconf's brackets) removed.
fn calls(text: &str, name: &str) -> Vec<Vec<String>> {
    call_texts(text, name).into_iter().map(words).collect()
}

/// autoconf's arguments: split at top-level commas, brackets removed.
fn m4_args(args: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut depth = 0i32;
    for c in args.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => out.push(String::new()),
            _ => out.last_mut().expect("never empty").push(c),
        }
    }
    out.into_iter().map(|a| a.trim().to_string()).collect()
}

const CMAKE_KEYWORDS: &[&str] = &[
    "required",
    "quiet",
    "imported_target",
    "global",
    "no_cmake_path",
    "no_cmake_environment_path",
    "names",
    "paths",
    "hints",
    "path_suffixes",
    "no_default_path",
];

/// Files of one kind (by file name) anywhere in the project, root first.
fn files_named<'a>(src: &'a Sources, name: &str) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<(&str, &str)> = src
        .files
        .iter()
        .filter(|(p, _)| *p == name || p.ends_with(&format!("/{name}")))
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    out.sort_by_key(|(p, _)| (p.matches('/').count(), *p));
    out
}

fn looks_like_test(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["test", "bench", "example", "fuzz", "demo"]
        .iter()
        .any(|w| n.contains(w))
}

struct Read {
    bins: Vec<String>,
    /// The name the project gives itself (`project()`, `AC_INIT`).
    name: Option<String>,
    cxx: bool,
    test_options: Vec<String>,
}

fn cmake(src: &Sources, found: &mut Found) -> Read {
    let files = files_named(src, "CMakeLists.txt");
    let mut vars = BTreeMap::new();
    let mut name = None;
    let mut cxx = false;
    let mut test_options = Vec::new();
    for (_, text) in &files {
        for args in calls(text, "set") {
            if let [var, value, ..] = args.as_slice() {
                vars.entry(var.clone()).or_insert(value.clone());
            }
        }
        for args in calls(text, "project") {
            name = name.or(args.first().cloned());
            cxx |= args.iter().any(|w| w == "CXX");
        }
        for args in calls(text, "option") {
            if let Some(opt) = args.first() {
                let upper = opt.to_ascii_uppercase();
                let on = args.last().is_some_and(|v| v.eq_ignore_ascii_case("on"));
                if on && upper.contains("TEST") && opt != "BUILD_TESTING" {
                    test_options.push(opt.clone());
                }
            }
        }
    }
    let resolve = |w: &str| -> Option<String> {
        match w.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
            Some("PROJECT_NAME" | "CMAKE_PROJECT_NAME") => name.clone(),
            Some(var) => vars.get(var).filter(|v| !v.contains("${")).cloned(),
            None => Some(w.to_string()),
        }
    };
    let mut bins = Vec::new();
    for (path, text) in &files {
        for args in calls(text, "add_executable") {
            // IMPORTED and ALIAS executables are not built here.
            if args.iter().any(|a| a == "IMPORTED" || a == "ALIAS") {
                continue;
            }
            bins.extend(args.first().and_then(|a| resolve(a)));
        }
        for args in calls(text, "pkg_check_modules")
            .into_iter()
            .chain(calls(text, "pkg_search_module"))
        {
            for m in args.iter().skip(1) {
                if !CMAKE_KEYWORDS.contains(&m.to_ascii_lowercase().as_str()) {
                    found.add(Kind::PkgConfig, m, path);
                }
            }
        }
        for args in calls(text, "find_package") {
            if let Some(p) = args.first() {
                found.add(Kind::Cmake, p, path);
            }
        }
        // find_library(VAR NAMES a b ...) or find_library(VAR a): library names without lib/.so.
        for args in calls(text, "find_library") {
            for n in args.iter().skip(1) {
                if CMAKE_KEYWORDS.contains(&n.to_ascii_lowercase().as_str()) {
                    continue;
                }
                if n.contains(['$', '/']) || n.chars().next().is_some_and(|c| c.is_uppercase()) {
                    break;
                }
                found.add(Kind::Link, n.strip_prefix("lib").unwrap_or(n), path);
            }
        }
    }
    Read {
        bins,
        name,
        cxx,
        test_options,
    }
}

/// A Meson call's first argument when it is a string literal (not a variable).
fn meson_literal(args: &str) -> Option<String> {
    let first = args.split(',').next()?.trim();
    let inner = first.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.to_string())
}

/// The string literals of `foreach VAR : [...]` in a Meson file.
fn foreach_values(text: &str, var: &str) -> Vec<String> {
    if var.is_empty() || !var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Vec::new();
    }
    text.lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("foreach")?.trim_start();
            let rest = rest.strip_prefix(var)?.trim_start().strip_prefix(':')?;
            let list = rest.trim().strip_prefix('[')?.split(']').next()?;
            Some(
                list.split(',')
                    .filter_map(meson_literal)
                    .collect::<Vec<_>>(),
            )
        })
        .next()
        .unwrap_or_default()
}

fn meson(src: &Sources, found: &mut Found) -> Read {
    let mut read = Read {
        bins: Vec::new(),
        name: None,
        cxx: false,
        test_options: Vec::new(),
    };
    for (path, text) in files_named(src, "meson.build") {
        read.bins.extend(
            call_texts(text, "executable")
                .into_iter()
                .filter_map(meson_literal),
        );
        for args in call_texts(text, "dependency") {
            match meson_literal(args) {
                Some(dep) => {
                    found.add(Kind::PkgConfig, &dep, path);
                }
                // `foreach name : ['lua-5.4', 'lua'] … dependency(name, required: false)`: the first of
                // the alternatives the table knows.
                None => {
                    let var = args.split(',').next().unwrap_or("").trim();
                    if let Some(dep) = foreach_values(text, var)
                        .into_iter()
                        .find(|d| libs::find(Kind::PkgConfig, d).is_some())
                    {
                        found.add(Kind::PkgConfig, &dep, path);
                    }
                }
            }
        }
        for args in call_texts(text, "project") {
            read.name = read.name.clone().or(meson_literal(args));
            read.cxx |= words(args).iter().any(|w| w == "cpp");
        }
    }
    read
}

fn autotools(src: &Sources, found: &mut Found) -> Read {
    let mut bins = Vec::new();
    for (_, am) in files_named(src, "Makefile.am") {
        for line in am.lines() {
            if let Some((key, value)) = line.split_once('=') {
                if key.trim().trim_end_matches('+') == "bin_PROGRAMS" {
                    bins.extend(
                        value
                            .split_whitespace()
                            .filter(|w| !w.contains('$'))
                            .map(str::to_string),
                    );
                }
            }
        }
    }
    let mut name = None;
    for file in ["configure.ac", "configure.in"] {
        let ac = src.file(file);
        name = name.or(call_texts(ac, "ac_init")
            .first()
            .and_then(|a| m4_args(a).into_iter().next()));
        for args in call_texts(ac, "pkg_check_modules") {
            if let Some(mods) = m4_args(args).get(1) {
                for m in mods.split_whitespace() {
                    if m.starts_with(|c: char| c.is_ascii_alphabetic()) {
                        found.add(Kind::PkgConfig, m, file);
                    }
                }
            }
        }
        for args in call_texts(ac, "ac_check_lib") {
            if let Some(lib) = m4_args(args).first() {
                found.add(Kind::Link, lib, file);
            }
        }
        for args in call_texts(ac, "ac_search_libs") {
            for lib in m4_args(args)
                .get(1)
                .into_iter()
                .flat_map(|l| l.split_whitespace())
            {
                found.add(Kind::Link, lib, file);
            }
        }
        for args in call_texts(ac, "ac_check_headers")
            .into_iter()
            .chain(call_texts(ac, "ac_check_header"))
        {
            for h in m4_args(args).first().into_iter().flat_map(|h| words(h)) {
                found.add(Kind::Header, &h, file);
            }
        }
    }
    Read {
        bins,
        name,
        cxx: false,
        test_options: Vec::new(),
    }
}

/// A plain Makefile: its first target (the one `make` builds), or, when that is `all`, `default` or
/// `build`, its first prerequisite that is a file (not .PHONY: lz4's `default: lib-release lz4-release`
/// names no program); any rule's target the user names with --bin; and the `-l…` flags it links with.
fn make(src: &Sources, found: &mut Found, chosen: Option<&str>) -> Read {
    let (path, text) = ["Makefile", "makefile", "GNUmakefile"]
        .into_iter()
        .find_map(|f| src.files.get(f).map(|t| (f, t.as_str())))
        .unwrap_or(("Makefile", ""));
    let mut vars = BTreeMap::new();
    let mut first = None;
    let mut rules = Vec::new();
    let mut phony = Vec::new();
    for line in text.lines() {
        if line.starts_with('\t') || line.trim_start().starts_with('#') {
            continue;
        }
        for name in libs::link_flags(line) {
            found.add(Kind::Link, name, path);
        }
        if let Some((var, value)) = line.split_once('=') {
            let var = var.trim_end_matches([':', '?', '+', ' ']);
            if !var.contains(':') {
                vars.entry(var.trim().to_string())
                    .or_insert_with(|| value.trim().to_string());
                continue;
            }
        }
        let Some((targets, prereqs)) = line.split_once(':') else {
            continue;
        };
        if targets.trim() == ".PHONY" {
            phony.extend(prereqs.split_whitespace().map(str::to_string));
        }
        rules.extend(targets.split_whitespace().map(str::to_string));
        let target = targets.split_whitespace().next().unwrap_or("");
        if first.is_none()
            && !target.is_empty()
            && !target.starts_with('.')
            && !target.contains('%')
        {
            first = Some((target.to_string(), prereqs.to_string()));
        }
    }
    let expand = |w: &str| -> String {
        match w
            .strip_prefix("$(")
            .and_then(|v| v.strip_suffix(')'))
            .or_else(|| w.strip_prefix("${").and_then(|v| v.strip_suffix('}')))
        {
            Some(var) => vars.get(var).cloned().unwrap_or_default(),
            None => w.to_string(),
        }
    };
    let bins = first
        .map(|(target, prereqs)| {
            let target = expand(&target);
            if matches!(target.as_str(), "all" | "default" | "build") {
                (prereqs.split_whitespace().map(&expand))
                    .flat_map(|w| w.split_whitespace().map(str::to_string).collect::<Vec<_>>())
                    .find(|w| !phony.contains(w))
                    .into_iter()
                    .collect()
            } else {
                vec![target]
            }
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|b| !b.is_empty() && !b.contains(['$', '/', '.']))
        .collect();
    // `make NAME` builds any rule's target, not only those the default goal names.
    let bins = match chosen {
        Some(bin) if rules.iter().any(|t| t == bin) => vec![bin.to_string()],
        _ => bins,
    };
    Read {
        bins,
        name: None,
        cxx: false,
        test_options: Vec::new(),
    }
}

pub(super) fn detect(src: &Sources, choice: &Choice) -> Result<CProject, DetectError> {
    let mut notes = Vec::new();
    let build = match choice.build_system {
        Some(b) => b,
        None => {
            let found = builds(src, false);
            let first = *found
                .first()
                .ok_or_else(|| DetectError::Missing("no C build system found".to_string()))?;
            if found.len() > 1 {
                let others: Vec<&str> = found[1..].iter().map(|b| b.name()).collect();
                notes.push(format!(
                    "build system: {} (preferred over {}); pick another with --build-system NAME",
                    first.name(),
                    others.join(", ")
                ));
            }
            first
        }
    };
    let mut found = Found::default();
    let mut read = match build {
        CBuild::Cmake => cmake(src, &mut found),
        CBuild::Meson => meson(src, &mut found),
        CBuild::Autotools => autotools(src, &mut found),
        CBuild::Make => make(src, &mut found, choice.bin.as_deref()),
    };
    read.cxx |= src
        .files
        .keys()
        .any(|p| [".cc", ".cpp", ".cxx", ".C"].iter().any(|e| p.ends_with(e)));
    read.bins.sort();
    read.bins.dedup();
    // The executable named after the project, else the only one that is not a test, is the program.
    let preferred = match &read.name {
        Some(n) if read.bins.contains(n) => Some((n.clone(), "named after the project")),
        _ => {
            let mains: Vec<&String> = read.bins.iter().filter(|b| !looks_like_test(b)).collect();
            (mains.len() == 1).then(|| (mains[0].clone(), "the only one that is not a test"))
        }
    };
    // When the build files name no program (a bare configure script), --bin says it.
    let bin = match &choice.bin {
        Some(bin) if read.bins.is_empty() => bin.clone(),
        None if read.bins.is_empty() => {
            return Err(DetectError::Missing(format!(
                "the {} build files do not say which program they build: pass --bin NAME",
                build.name()
            )))
        }
        _ => prefer(
            read.bins.iter().map(|b| (b.clone(), b.clone())).collect(),
            choice.bin.as_deref(),
            preferred.as_ref().map(|(n, why)| (n.as_str(), *why)),
            "executable",
            "--bin",
            &mut notes,
        )?,
    };
    Ok(CProject {
        build,
        bin,
        cxx: read.cxx,
        packages: found.into_packages(),
        test_options: read.test_options,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_parsing() {
        let text = "# add_executable(no x.c)\nproject(p C)\nadd_executable(a $<IF:x,(y)> b.c)\n";
        assert_eq!(
            calls(text, "add_executable"),
            [["a", "$<IF:x", "(y)>", "b.c"]]
        );
        assert_eq!(
            m4_args("[htop], [3.0], [x@y], [], [https://x]"),
            ["htop", "3.0", "x@y", "", "https://x"]
        );
        assert_eq!(meson_literal("'tio', 'a.c'"), Some("tio".into()));
        assert_eq!(meson_literal("name, version: '1'"), None);
        let loop_deps =
            "foreach name: ['lua-5.9', 'lua5.4', 'lua']\n  d = dependency(name)\nendforeach\n";
        assert_eq!(
            foreach_values(loop_deps, "name"),
            ["lua-5.9", "lua5.4", "lua"]
        );
        let src = Sources {
            files: [("meson.build".to_string(), loop_deps.to_string())].into(),
            cargo: None,
        };
        let mut found = Found::default();
        meson(&src, &mut found);
        assert_eq!(found.packages[0].name, "liblua5.4-dev");
    }
}
