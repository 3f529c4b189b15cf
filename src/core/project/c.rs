//! C and C++: the build system, the executable, and the target libraries the build files ask for. CMake,
//! Meson and autoconf files are read as calls (`name(args)`); Makefiles by their rules and `-l…` flags.

use super::libs::{self, Found, Kind};
use super::{prefer, CBuild, CProject, Choice, DetectError, Sources};
use std::collections::BTreeMap;

/// The endings of C++ source files.
const CXX_SOURCES: [&str; 4] = [".cc", ".cpp", ".cxx", ".C"];

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

#[derive(Default)]
struct Read {
    /// The programs, by the file name the build writes.
    bins: Vec<String>,
    /// CMake targets whose file has another name (`OUTPUT_NAME`): file name → target.
    targets: BTreeMap<String, String>,
    /// The name the project gives itself (`project()`, `AC_INIT`).
    name: Option<String>,
    cxx: bool,
    test_options: Vec<String>,
}

/// 1-based line of `sub`, a slice of `text`.
fn line_of(text: &str, sub: &str) -> usize {
    let at = (sub.as_ptr() as usize)
        .saturating_sub(text.as_ptr() as usize)
        .min(text.len());
    text[..at].matches('\n').count() + 1
}

/// Where a call stands: `file:line`.
fn origin(path: &str, text: &str, call: &str) -> String {
    format!("{path}:{}", line_of(text, call))
}

/// CMake's own find modules that look for a program the build runs on the build machine.
const CMAKE_PROGRAM_MODULES: &[(&str, &str)] = &[
    ("BISON", "bison"),
    ("FLEX", "flex"),
    ("Gettext", "msgfmt"),
    ("Intl", ""),
    ("Perl", "perl"),
    ("PythonInterp", "python3"),
    ("Python3", "python3"),
    ("Python", "python3"),
    ("PkgConfig", ""),
];

/// Arguments of a CMake call that name things (not keywords, not variables).
fn cmake_names(args: &[String]) -> impl Iterator<Item = &String> {
    args.iter().filter(|a| {
        !CMAKE_KEYWORDS.contains(&a.to_ascii_lowercase().as_str())
            && !a.contains(['$', '/', '(', ')'])
            && !a.is_empty()
    })
}

/// The libraries a project's own `Find<Name>.cmake` looks for: pkg-config modules, then libraries by
/// name (alternatives: the first one known), then headers when it names no library.
fn find_module(path: &str, text: &str, found: &mut Found) {
    let mut any = false;
    for call in call_texts(text, "pkg_check_modules") {
        for m in cmake_names(&words(call)).skip(1) {
            any |= found.add(Kind::PkgConfig, m, &origin(path, text, call));
        }
    }
    for call in call_texts(text, "pkg_search_module") {
        let names: Vec<String> = cmake_names(&words(call)).skip(1).cloned().collect();
        any |= found.add_first(Kind::PkgConfig, &names, &origin(path, text, call));
    }
    if any {
        return;
    }
    for call in call_texts(text, "find_library") {
        let names: Vec<String> = cmake_names(&words(call))
            .skip(1)
            .map(|n| lib_name(n).to_string())
            .collect();
        any |= found.add_first(Kind::Link, &names, &origin(path, text, call));
    }
    if !any {
        for call in call_texts(text, "find_path") {
            let names: Vec<String> = cmake_names(&words(call))
                .skip(1)
                .filter(|h| h.contains('.'))
                .cloned()
                .collect();
            found.add_first(Kind::Header, &names, &origin(path, text, call));
        }
    }
}

/// `find_library`'s names are library names, `libfoo` or `foo`, without `.so`.
fn lib_name(n: &str) -> &str {
    n.strip_prefix("lib").unwrap_or(n)
}

fn cmake(src: &Sources, found: &mut Found) -> Read {
    let files = files_named(src, "CMakeLists.txt");
    // The project's other CMake files (cmake/Dependencies.cmake, …) call find_package too; its own find
    // modules are read when a find_package names them.
    let includes: Vec<(&str, &str)> = src
        .files
        .iter()
        .filter(|(p, _)| p.ends_with(".cmake") && !file_name(p).starts_with("Find"))
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let find_modules: BTreeMap<String, (&str, &str)> = src
        .files
        .iter()
        .filter_map(|(p, t)| {
            let name = file_name(p).strip_prefix("Find")?.strip_suffix(".cmake")?;
            Some((name.to_ascii_lowercase(), (p.as_str(), t.as_str())))
        })
        .collect();
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
                if on && (upper.contains("TEST") || builds_docs(opt)) && opt != "BUILD_TESTING" {
                    test_options.push(opt.clone());
                }
            }
        }
    }
    if let Some(n) = &name {
        found.own(n);
    }
    let resolve = |w: &str| -> Option<String> {
        match w.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
            Some("PROJECT_NAME" | "CMAKE_PROJECT_NAME") => name.clone(),
            Some(var) => vars.get(var).filter(|v| !v.contains("${")).cloned(),
            None => Some(w.to_string()),
        }
    };
    let mut bins = Vec::new();
    for (_, text) in &files {
        for args in calls(text, "add_executable") {
            // IMPORTED and ALIAS executables are not built here.
            if args.iter().any(|a| a == "IMPORTED" || a == "ALIAS") {
                continue;
            }
            // A name still holding a variable after resolving is not one a user can pass.
            bins.extend(
                args.first()
                    .and_then(|a| resolve(a))
                    .filter(|b| !b.contains("${")),
            );
        }
    }
    // set_target_properties(a b PROPERTIES OUTPUT_NAME file …): the program's file is not the target's name.
    let mut targets = BTreeMap::new();
    for (_, text) in &files {
        for args in calls(text, "set_target_properties") {
            let Some(props) = args.iter().position(|a| a == "PROPERTIES") else {
                continue;
            };
            let output = args[props..]
                .windows(2)
                .find(|w| w[0] == "OUTPUT_NAME")
                .and_then(|w| resolve(&w[1]))
                .filter(|o| !o.contains("${"));
            if let Some(output) = output {
                for target in &args[..props] {
                    if let Some(target) = resolve(target).filter(|t| bins.contains(t)) {
                        targets.insert(output.clone(), target);
                    }
                }
            }
        }
    }
    for (output, target) in &targets {
        if let Some(b) = bins.iter_mut().find(|b| *b == target) {
            *b = output.clone();
        }
    }
    let mut seen_modules = Vec::new();
    for (path, text) in files.iter().chain(includes.iter()) {
        for call in call_texts(text, "pkg_check_modules") {
            for m in cmake_names(&words(call)).skip(1) {
                found.add(Kind::PkgConfig, m, &origin(path, text, call));
            }
        }
        for call in call_texts(text, "pkg_search_module") {
            let names: Vec<String> = cmake_names(&words(call)).skip(1).cloned().collect();
            found.add_first(Kind::PkgConfig, &names, &origin(path, text, call));
        }
        for call in call_texts(text, "find_package") {
            let at = origin(path, text, call);
            let Some(p) = words(call).into_iter().next() else {
                continue;
            };
            if p.contains('$') {
                continue;
            }
            if let Some((_, program)) = CMAKE_PROGRAM_MODULES
                .iter()
                .find(|(m, _)| m.eq_ignore_ascii_case(&p))
            {
                if !program.is_empty() {
                    found.program(&[program.to_string()], true, &at);
                }
            } else if let Some((mpath, mtext)) = find_modules.get(&p.to_ascii_lowercase()) {
                // The project's own find module decides what the name means.
                if !seen_modules.contains(mpath) {
                    seen_modules.push(*mpath);
                    find_module(mpath, mtext, found);
                }
            } else {
                found.add(Kind::Cmake, &p, &at);
            }
        }
        // find_library(VAR NAMES a b ...) or find_library(VAR a): library names without lib/.so.
        for call in call_texts(text, "find_library") {
            let at = origin(path, text, call);
            for n in words(call).iter().skip(1) {
                if CMAKE_KEYWORDS.contains(&n.to_ascii_lowercase().as_str()) {
                    continue;
                }
                if n.contains(['$', '/']) || n.chars().next().is_some_and(|c| c.is_uppercase()) {
                    break;
                }
                found.add(Kind::Link, lib_name(n), &at);
            }
        }
        // find_program(VAR NAMES a b …): the first name a package ships, when the build cannot do
        // without it (REQUIRED, or a code generator).
        for call in call_texts(text, "find_program") {
            let args = words(call);
            let names: Vec<String> = cmake_names(&args).skip(1).cloned().collect();
            let required = args.iter().any(|a| a == "REQUIRED");
            found.program(&names, required, &origin(path, text, call));
        }
    }
    Read {
        bins,
        targets,
        name,
        cxx,
        test_options,
    }
}

/// The last component of a `/`-separated path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
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

/// The string literals of a Meson call before its first keyword argument (`dependency('a', 'b',
/// required: false)` → a, b), and whether it says `required: false` or leaves it to an option.
fn meson_args(args: &str) -> (Vec<String>, bool) {
    let mut names = Vec::new();
    for part in args.split(',') {
        let part = part.trim();
        if part.contains(':') {
            break;
        }
        match part.strip_prefix('\'').and_then(|p| p.strip_suffix('\'')) {
            Some(lit) => names.push(lit.to_string()),
            None => break,
        }
    }
    // `required: false`, or a feature option (`required: get_option('docs')`, `required: docs_opt`).
    let compact: String = args.chars().filter(|c| !c.is_whitespace()).collect();
    let optional = compact.contains("required:") && !compact.contains("required:true");
    (names, optional)
}

/// Meson's own dependency names that are not pkg-config modules.
/// Meson's own dependency names that are not pkg-config modules ("": the C library has it).
const MESON_DEPENDENCIES: &[(&str, &str)] = &[
    ("curses", "ncursesw"),
    ("threads", ""),
    ("iconv", ""),
    ("intl", ""),
    ("dl", ""),
    ("openmp", ""),
];

fn meson(src: &Sources, found: &mut Found) -> Read {
    let mut read = Read::default();
    let files = files_named(src, "meson.build");
    for (_, text) in &files {
        for args in call_texts(text, "project") {
            read.name = read.name.clone().or(meson_literal(args));
            read.cxx |= words(args).iter().any(|w| w == "cpp");
        }
    }
    if let Some(n) = &read.name {
        found.own(n);
    }
    read.test_options = meson_test_options(
        src.files
            .get("meson.options")
            .or(src.files.get("meson_options.txt"))
            .map_or("", String::as_str),
    );
    for (path, text) in files {
        read.bins.extend(
            call_texts(text, "executable")
                .into_iter()
                .filter_map(meson_literal),
        );
        for call in call_texts(text, "dependency") {
            let at = origin(path, text, call);
            let (names, _) = meson_args(call);
            if names.is_empty() {
                // `foreach name : ['lua-5.4', 'lua'] … dependency(name, required: false)`: the first of
                // the alternatives a package ships.
                let var = call.split(',').next().unwrap_or("").trim();
                found.add_first(Kind::PkgConfig, &foreach_values(text, var), &at);
                continue;
            }
            let mut pkg_config = Vec::new();
            for n in names {
                match MESON_DEPENDENCIES.iter().find(|(m, _)| *m == n) {
                    Some((_, "")) => {}
                    Some((_, pc)) => pkg_config.push(pc.to_string()),
                    None => pkg_config.push(n),
                }
            }
            found.add_first(Kind::PkgConfig, &pkg_config, &at);
        }
        for call in call_texts(text, "find_library") {
            let (names, _) = meson_args(call);
            found.add_first(Kind::Link, &names, &origin(path, text, call));
        }
        for call in call_texts(text, "find_program") {
            let (names, optional) = meson_args(call);
            // The project's own scripts (`find_program('scripts/gen.py')`, `'test-runner.py'`) are in
            // the tree; their interpreter is looked for on its own.
            let names: Vec<String> = names
                .into_iter()
                .filter(|n| {
                    !n.contains('/') && ![".py", ".sh", ".pl", ".rb"].iter().any(|e| n.ends_with(e))
                })
                .collect();
            found.program(&names, !optional, &origin(path, text, call));
        }
    }
    read
}

/// An option that builds documentation (`docs`, `BUILD_DOCS`, `man-pages`, `gtk_doc`): a word of its
/// name, split at `_` and `-`, says so. Documentation is not shipped in a program's image, and its
/// tools (c2man, sphinx, gtk-doc) are what a build image lacks.
fn builds_docs(option: &str) -> bool {
    option.split(['_', '-']).any(|w| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "doc" | "docs" | "documentation" | "man" | "manpages" | "manpage" | "gtkdoc" | "html"
        )
    })
}

/// The project's options that build tests or documentation, each as `name=off-value` for `meson setup
/// -D`: a boolean is set false, a feature disabled (neither is shipped, and both may need data, tools
/// or frameworks the build image lacks).
fn meson_test_options(options: &str) -> Vec<String> {
    call_texts(options, "option")
        .into_iter()
        .filter_map(|call| {
            let name = meson_literal(call)?;
            if !name.to_ascii_lowercase().contains("test") && !builds_docs(&name) {
                return None;
            }
            let compact: String = call.chars().filter(|c| !c.is_whitespace()).collect();
            if compact.contains("type:'boolean'") {
                Some(format!("{name}=false"))
            } else if compact.contains("type:'feature'") {
                Some(format!("{name}=disabled"))
            } else {
                None
            }
        })
        .collect()
}

/// autoconf macros that need a program on the build machine, and the package that has it.
const AUTOCONF_TOOLS: &[(&str, &[&str])] = &[
    ("ac_prog_yacc", &["bison"]),
    ("ac_prog_lex", &["flex"]),
    ("am_prog_lex", &["flex"]),
    ("am_gnu_gettext", &["gettext", "autopoint"]),
    ("am_path_python", &["python3"]),
    ("am_prog_vala", &["valac"]),
    ("gtk_doc_check", &["gtk-doc-tools"]),
    ("it_prog_intltool", &["intltool"]),
];

/// Names in an autoconf list argument: `[zlib, z]`, `[ncursesw ncurses]`, shell variables dropped.
fn m4_list(arg: &str) -> Vec<String> {
    arg.split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_matches(|c| c == '[' || c == ']'))
        .filter(|w| !w.is_empty() && !w.contains(['$', '(', ')', '"', '\'', '\\']))
        .map(str::to_string)
        .collect()
}

/// Programs an automake file installs: `bin_PROGRAMS` and `sbin_PROGRAMS` (comments, line
/// continuations, `+=` and conditionals read; `$(EXEEXT)` and variables dropped).
fn automake_programs(am: &str) -> Vec<String> {
    let joined = am.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let line = line.split('#').next().unwrap_or("");
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if matches!(
            key.trim().trim_end_matches(['+', ':']).trim(),
            "bin_PROGRAMS" | "sbin_PROGRAMS"
        ) {
            out.extend(
                value
                    .split_whitespace()
                    .filter(|w| !w.contains('$'))
                    .map(str::to_string),
            );
        }
    }
    out
}

/// The text ranges of autoconf calls' action-if-not-found arguments (the 4th of PKG_CHECK_MODULES,
/// AC_CHECK_LIB and AC_SEARCH_LIBS, the 3rd of AC_CHECK_HEADER(S)): a check inside one is an alternative
/// to the outer check (`gtk+-3.0`, else `gtk+-2.0`), wanted only when the outer one finds nothing.
fn fallback_ranges(ac: &str) -> Vec<(usize, usize, String)> {
    let base = ac.as_ptr() as usize;
    let mut out = Vec::new();
    for (macro_name, arg) in [
        ("pkg_check_modules", 3),
        ("ac_check_lib", 3),
        ("ac_search_libs", 3),
        ("ac_check_headers", 2),
        ("ac_check_header", 2),
    ] {
        for call in call_texts(ac, macro_name) {
            let start = call.as_ptr() as usize - base;
            // The outer call's own first argument, to know whether it maps.
            let first = m4_args(call).into_iter().nth(if arg == 2 { 0 } else { 1 });
            let mut depth = 0i32;
            let mut index = 0;
            let mut from = None;
            for (i, c) in call.char_indices() {
                match c {
                    '[' | '(' => depth += 1,
                    ']' | ')' => depth -= 1,
                    ',' if depth == 0 => {
                        index += 1;
                        if index == arg {
                            from = Some(start + i);
                        }
                    }
                    _ => {}
                }
            }
            if let (Some(from), Some(first)) = (from, first) {
                out.push((from, start + call.len(), first));
            }
        }
    }
    out
}

fn autotools(src: &Sources, found: &mut Found) -> (Read, bool) {
    let mut bins = Vec::new();
    for (_, am) in files_named(src, "Makefile.am") {
        bins.extend(automake_programs(am));
    }
    let mut name = None;
    let mut cxx = false;
    let mut archive = false;
    for file in ["configure.ac", "configure.in"] {
        let ac = src.file(file);
        name = name.or(call_texts(ac, "ac_init")
            .first()
            .and_then(|a| m4_args(a).into_iter().next()));
        if let Some(n) = &name {
            found.own(n);
        }
        let fallbacks = fallback_ranges(ac);
        let base = ac.as_ptr() as usize;
        // A check in the not-found branch of another is skipped when that other one's names map.
        let alternative = |call: &str, found: &Found| {
            let at = call.as_ptr() as usize - base;
            fallbacks.iter().any(|(from, to, outer)| {
                *from < at
                    && at < *to
                    && m4_list(outer).iter().any(|n| {
                        [Kind::PkgConfig, Kind::Link, Kind::Header].iter().any(|k| {
                            libs::debian_package(found.release(), *k, n)
                                .is_some_and(|p| !p.is_empty())
                        })
                    })
            })
        };
        for call in call_texts(ac, "pkg_check_modules")
            .into_iter()
            .chain(call_texts(ac, "pkg_check_modules_static"))
        {
            if alternative(call, found) {
                continue;
            }
            if let Some(mods) = m4_args(call).get(1) {
                for m in mods.split_whitespace() {
                    if m.starts_with(|c: char| c.is_ascii_alphabetic()) {
                        found.add(Kind::PkgConfig, m, &origin(file, ac, call));
                    }
                }
            }
        }
        for call in call_texts(ac, "ac_check_lib") {
            if alternative(call, found) {
                continue;
            }
            if let Some(lib) = m4_args(call).first() {
                found.add_first(Kind::Link, &m4_list(lib), &origin(file, ac, call));
            }
        }
        // Alternatives: any one of them serves.
        for call in call_texts(ac, "ac_search_libs") {
            if alternative(call, found) {
                continue;
            }
            if let Some(libs) = m4_args(call).get(1) {
                found.add_first(Kind::Link, &m4_list(libs), &origin(file, ac, call));
            }
        }
        for call in call_texts(ac, "ac_check_headers")
            .into_iter()
            .chain(call_texts(ac, "ac_check_header"))
        {
            if alternative(call, found) {
                continue;
            }
            for h in m4_args(call).first().into_iter().flat_map(|h| m4_list(h)) {
                found.add(Kind::Header, &h, &origin(file, ac, call));
            }
        }
        for macro_name in [
            "ac_path_prog",
            "ac_path_progs",
            "ac_check_prog",
            "ac_check_progs",
        ] {
            for call in call_texts(ac, macro_name) {
                let args = m4_args(call);
                // AC_CHECK_PROG(VAR, prog, …) and AC_PATH_PROG(VAR, prog, …) alike.
                if let Some(progs) = args.get(1) {
                    found.program(&m4_list(progs), false, &origin(file, ac, call));
                }
            }
        }
        for (macro_name, packages) in AUTOCONF_TOOLS {
            if let Some(call) = call_texts(ac, macro_name).first() {
                for p in *packages {
                    found.tool(
                        p,
                        &format!(
                            "{} in {}",
                            macro_name.to_ascii_uppercase(),
                            origin(file, ac, call)
                        ),
                    );
                }
            } else if let Some(at) = bare_macro(ac, macro_name) {
                for p in *packages {
                    found.tool(
                        p,
                        &format!("{} in {file}:{at}", macro_name.to_ascii_uppercase()),
                    );
                }
            }
        }
        cxx |= !call_texts(ac, "ac_prog_cxx").is_empty() || bare_macro(ac, "ac_prog_cxx").is_some();
        // autoconf-archive's macros, when configure must be made and the tree does not carry them.
        archive |= !src.has("configure")
            && ac.lines().any(|l| {
                let l = l.trim_start();
                l.starts_with("AX_")
                    && !src.files.keys().any(|p| {
                        file_name(p)
                            .strip_suffix(".m4")
                            .is_some_and(|m| l.to_ascii_lowercase().starts_with(m))
                    })
            });
    }
    (
        Read {
            bins,
            name,
            cxx,
            ..Read::default()
        },
        archive,
    )
}

/// The line of a macro used without arguments (`AC_PROG_YACC` alone on a line).
fn bare_macro(text: &str, lower_name: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim();
            l.len() == lower_name.len() && l.eq_ignore_ascii_case(lower_name)
        })
        .map(|i| i + 1)
}

/// A Makefile's variables, each expanded (recursively, `$(VAR)` and `${VAR}`; unknown ones empty).
struct MakeVars(BTreeMap<String, String>);

impl MakeVars {
    fn expand(&self, text: &str) -> String {
        self.expand_depth(text, 0)
    }

    fn expand_depth(&self, text: &str, depth: usize) -> String {
        if depth > 8 || !text.contains('$') {
            return text.to_string();
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let close = match after.chars().next() {
                Some('(') => ')',
                Some('{') => '}',
                _ => {
                    out.push('$');
                    rest = after;
                    continue;
                }
            };
            let Some(end) = after.find(close) else {
                out.push_str(&rest[at..]);
                return out;
            };
            let name = &after[1..end];
            if name.contains([' ', '$', '(', '{']) {
                // A function call ($(shell …), $(wildcard …)): kept for the caller to read.
                out.push_str(&rest[at..at + 2 + end]);
            } else if let Some(value) = self.0.get(name) {
                out.push_str(&self.expand_depth(value, depth + 1));
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// pkg-config modules a command line asks for: `pkg-config --libs ncursesw`, `$(PKG_CONFIG) --cflags
/// --libs a b` (the variable already expanded, or still there).
fn pkg_config_modules(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (at, _) in text
        .match_indices("pkg-config")
        .chain(text.match_indices("PKG_CONFIG)"))
    {
        let rest = &text[at..];
        let rest = rest.split_once(char::is_whitespace).map_or("", |(_, r)| r);
        for w in rest.split_whitespace() {
            let w = w.trim_end_matches([')', '`', ';', '"']);
            if w.starts_with("--") {
                continue;
            }
            if w.is_empty()
                || w.starts_with(['-', '$', '|', '&', '>', '<', '2'])
                || !w
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b))
            {
                break;
            }
            out.push(w);
            if text[at..]
                .split_whitespace()
                .nth(1)
                .is_some_and(|n| !n.starts_with("--"))
            {
                break;
            }
        }
    }
    out
}

/// A plain Makefile: its first target (the one `make` builds), or, when that is `all`, `default` or
/// `build`, its first prerequisite that is a file (not .PHONY: lz4's `default: lib-release lz4-release`
/// names no program); any rule's target the user names with --bin; and the libraries it links, from
/// `-l…` and `pkg-config` anywhere (variables, recipes, `$(shell …)`).
fn make(src: &Sources, found: &mut Found, chosen: Option<&str>) -> Read {
    let (path, text) = ["GNUmakefile", "makefile", "Makefile"]
        .into_iter()
        .find_map(|f| src.files.get(f).map(|t| (f, t.as_str())))
        .unwrap_or(("Makefile", ""));
    let joined = text.replace("\\\n", " ");
    let mut vars = BTreeMap::new();
    let mut first = None;
    let mut rules = Vec::new();
    let mut phony = Vec::new();
    for line in joined.lines() {
        if line.starts_with('\t') || line.trim_start().starts_with('#') {
            continue;
        }
        if let Some((var, value)) = line.split_once('=') {
            let var = var.trim_end_matches([':', '?', '+', ' ', '!']);
            if !var.contains(':') {
                let var = var.trim().trim_start_matches("export ").trim().to_string();
                let value = value.trim().to_string();
                // `+=` appends; the first plain assignment wins over later conditional ones.
                match vars.get_mut(&var) {
                    Some(old) if line.contains("+=") => *old = format!("{old} {value}"),
                    Some(_) => {}
                    None => {
                        vars.insert(var, value);
                    }
                }
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
            && !target.contains('=')
        {
            first = Some((target.to_string(), prereqs.to_string()));
        }
    }
    let vars = MakeVars(vars);
    // Every line, recipes included, with the variables expanded: -l flags and pkg-config modules.
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let expanded = vars.expand(line);
        let at = format!("{path}:{}", n + 1);
        for name in libs::link_flags(&expanded) {
            found.add(Kind::Link, name, &at);
        }
        for module in pkg_config_modules(&expanded) {
            found.add(Kind::PkgConfig, module, &at);
        }
    }
    let bins = first
        .map(|(target, prereqs)| {
            let target = vars.expand(&target);
            if matches!(target.as_str(), "all" | "default" | "build") {
                vars.expand(&prereqs)
                    .split_whitespace()
                    .map(str::to_string)
                    .find(|w| !phony.contains(w) && !w.contains(['$', '/', '.']))
                    .into_iter()
                    .collect()
            } else {
                vec![target]
            }
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|b: &String| !b.is_empty() && !b.contains(['$', '/', '.']))
        .collect();
    // `make NAME` builds any rule's target, not only those the default goal names.
    let bins = match chosen {
        Some(bin) if rules.iter().any(|t| t == bin || vars.expand(t) == bin) => {
            vec![bin.to_string()]
        }
        _ => bins,
    };
    Read {
        bins,
        ..Read::default()
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
    let mut found = Found::new(choice.release());
    let mut autoconf_archive = false;
    let mut read = match build {
        CBuild::Cmake => cmake(src, &mut found),
        CBuild::Meson => meson(src, &mut found),
        CBuild::Autotools => {
            let (read, archive) = autotools(src, &mut found);
            autoconf_archive = archive;
            read
        }
        CBuild::Make => make(src, &mut found, choice.bin.as_deref()),
    };
    let is_cxx = |p: &&String| CXX_SOURCES.iter().any(|e| p.ends_with(e));
    read.cxx |= src.files.keys().any(|p| is_cxx(&p));
    let sources = src
        .files
        .keys()
        .filter(|p| is_cxx(p) || p.ends_with(".c"))
        .count();
    read.bins.sort();
    read.bins.dedup();
    // The executable named after the project, else the only one that is not a test, is the program.
    let named = read
        .name
        .as_ref()
        .and_then(|n| read.bins.iter().find(|b| b.eq_ignore_ascii_case(n)));
    let preferred = match named {
        Some(n) => Some((n.clone(), "named after the project")),
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
    if !found.optional.is_empty() {
        notes.push(format!(
            "not installed, as the build can do without them: {}",
            found.optional.join(", ")
        ));
    }
    Ok(CProject {
        build,
        target: read.targets.get(&bin).cloned(),
        bin,
        cxx: read.cxx,
        tools: found.tools.clone(),
        unmapped: found.unmapped.clone(),
        packages: found.into_packages(),
        test_options: read.test_options,
        autoconf_archive,
        sources,
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

    fn detect_files(files: &[(&str, &str)]) -> CProject {
        detect(&Sources::of(files), &Choice::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn names(p: &[crate::core::project::Package]) -> Vec<&str> {
        p.iter().map(|p| p.name.as_str()).collect()
    }

    /// automake's program lists: comments, continuations, sbin, `+=`; autoconf's tool macros.
    #[test]
    fn automake_and_autoconf_grammar() {
        let am = "bin_PROGRAMS = tool # Build an installable binary\n\
                  sbin_PROGRAMS = toold \\\n  toolctl\nbin_PROGRAMS += $(EXTRA)\ncheck_PROGRAMS = t1\n";
        assert_eq!(automake_programs(am), ["tool", "toold", "toolctl"]);
        let ac = "AC_INIT([tool], [1])\nAC_PROG_YACC\nAM_GNU_GETTEXT([external])\n\
                  AC_SEARCH_LIBS([inflate], [zlib, z])\nAC_PROG_CXX\nAX_CHECK_COMPILE_FLAG([-x])\n";
        let p = detect_files(&[
            ("configure.ac", ac),
            ("Makefile.am", "bin_PROGRAMS = tool # the tool\n"),
        ]);
        assert_eq!(p.bin, "tool");
        assert!(p.cxx);
        assert_eq!(names(&p.tools), ["bison", "gettext", "autopoint"]);
        assert_eq!(p.tools[0].origin, "AC_PROG_YACC in configure.ac:2");
        assert_eq!(names(&p.packages), ["zlib1g-dev"]);
        assert_eq!(p.packages[0].origin, "-lz in configure.ac:4");
        // No configure in the tree and no ax_*.m4 of its own: autoreconf needs autoconf-archive.
        assert!(p.autoconf_archive);
        let carried = detect_files(&[
            ("configure.ac", ac),
            ("m4/ax_check_compile_flag.m4", ""),
            ("Makefile.am", "bin_PROGRAMS = tool\n"),
        ]);
        assert!(!carried.autoconf_archive);
    }

    /// Make: variables expanded recursively, $(shell pkg-config …), -l in recipes and in +=.
    #[test]
    fn makefile_grammar() {
        let mk = "PKG_CONFIG ?= pkg-config\nLDLIBS += -lm\nLDLIBS += $(shell $(PKG_CONFIG) --libs ncursesw)\n\
                  ALL = $(LIB) $(PROG)\nLIB = libx.a\nPROG = tool\nall: $(ALL)\n\
                  tool: tool.o\n\t$(CC) -o $@ $^ $(LDLIBS) -lz\n";
        let p = detect_files(&[("Makefile", mk)]);
        assert_eq!(p.bin, "tool");
        assert_eq!(names(&p.packages), ["libncurses-dev", "zlib1g-dev"]);
        assert_eq!(p.packages[0].origin, "pkg-config ncursesw in Makefile:3");
        assert_eq!(p.packages[1].origin, "-lz in Makefile:9");
        assert_eq!(
            pkg_config_modules("cc `pkg-config --cflags --libs zlib libpng` -o x"),
            ["zlib", "libpng"]
        );
    }

    /// CMake: a project that finds itself in a test directory is no dependency; its own Find module
    /// says what a name means; a capitalised project() still names its lower-case executable.
    #[test]
    fn cmake_own_names_and_find_modules() {
        let p = detect_files(&[
            (
                "CMakeLists.txt",
                "project(TOOL C)\nlist(APPEND CMAKE_MODULE_PATH cmake)\nfind_package(Curses MODULE REQUIRED)\n\
                 find_package(BISON REQUIRED)\nadd_executable(tool main.c)\nadd_executable(other o.c)\n",
            ),
            ("tests/CMakeLists.txt", "find_package(tool CONFIG)\nadd_executable(tool_test t.c)\n"),
            (
                "cmake/FindCurses.cmake",
                "find_package(PkgConfig)\npkg_search_module(CURSES ncursesw ncurses)\n",
            ),
        ]);
        assert_eq!(p.bin, "tool");
        assert_eq!(names(&p.packages), ["libncurses-dev"]);
        assert_eq!(
            p.packages[0].origin,
            "pkg-config ncursesw in cmake/FindCurses.cmake:2"
        );
        assert_eq!(names(&p.tools)[0], "bison");
    }

    /// CMake: a target whose file has another name (OUTPUT_NAME) is the program by that name, built
    /// by its target's name.
    #[test]
    fn cmake_output_name() {
        let p = detect_files(&[(
            "CMakeLists.txt",
            "project(gauge C)\nset(CLI gauge_cli)\nadd_executable(${CLI} main.c)\n\
             set_target_properties(${CLI} PROPERTIES OUTPUT_NAME \"gauge\" VERSION 1)\nadd_executable(gauge_bench b.c)\n",
        )]);
        assert_eq!(p.bin, "gauge");
        assert_eq!(p.target.as_deref(), Some("gauge_cli"));
    }

    /// Meson: the options that build tests are switched off, whatever their type.
    #[test]
    fn meson_tests_off() {
        let opts = "option('tests', type : 'boolean', value : true)\noption('docs', type: 'feature')\n\
                    option('unit-tests', type: 'feature', value: 'auto')\noption('testdir', type: 'string')\n";
        assert_eq!(
            meson_test_options(opts),
            ["tests=false", "docs=disabled", "unit-tests=disabled"]
        );
        assert!(builds_docs("BUILD_DOCS") && builds_docs("man-pages") && builds_docs("gtk_doc"));
        assert!(!builds_docs("session-manager") && !builds_docs("docker"));
    }

    /// Meson: find_program is a build-machine tool unless optional; dependency alternatives.
    #[test]
    fn meson_programs_and_alternatives() {
        let p = detect_files(&[(
            "meson.build",
            "project('tool', 'c')\nbison = find_program('bison')\ndoc = find_program('scdoc', required: false)\n\
             gen = find_program('scripts/gen.py')\ndep = dependency('ncursesw', 'ncurses')\nexecutable('tool', 'a.c')\n",
        )]);
        assert_eq!(names(&p.tools), ["bison"]);
        assert_eq!(names(&p.packages), ["libncurses-dev"]);
        assert!(
            p.notes
                .iter()
                .any(|n| n.contains("program scdoc in meson.build:3")),
            "{:?}",
            p.notes
        );
    }
}
