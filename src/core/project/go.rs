//! A Go module: its main package, cgo, vendoring, and the target libraries its `#cgo` lines link.

use super::libs::{self, Found, Kind};
use super::{prefer, Choice, DetectError, GoProject, Sources};
use std::collections::BTreeSet;

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

/// A `//go:build` line that excludes the file from every build (`ignore`, or another OS only).
fn excluded(text: &str) -> bool {
    text.lines()
        .take_while(|l| !l.starts_with("package "))
        .filter_map(|l| l.strip_prefix("//go:build "))
        .any(|c| c.split_whitespace().any(|w| w == "ignore"))
}

/// The OS names a `#cgo` constraint may carry that exclude Linux.
const OTHER_OS: &[&str] = &[
    "darwin",
    "windows",
    "freebsd",
    "openbsd",
    "netbsd",
    "dragonfly",
    "solaris",
    "illumos",
    "aix",
    "ios",
    "android",
    "js",
    "wasip1",
    "plan9",
];

/// Each `#cgo [constraints] pkg-config: …` / `LDFLAGS: …` line of a file (also inside `//` comments) that
/// applies to Linux: (directive, values).
fn cgo_lines(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines().filter_map(|l| {
        let l = l.trim_start().trim_start_matches('/').trim_start();
        let (head, values) = l.strip_prefix("#cgo")?.split_once(':')?;
        let mut words: Vec<&str> = head.split_whitespace().collect();
        let directive = words.pop()?;
        let other_os = !words.is_empty()
            && words.iter().all(|w| {
                w.split(',')
                    .any(|t| OTHER_OS.contains(&t) && !t.starts_with('!'))
            });
        (!other_os).then_some((directive, values))
    })
}

/// The target libraries of `#cgo` lines.
fn cgo_packages(path: &str, text: &str, found: &mut Found) {
    for (directive, values) in cgo_lines(text) {
        match directive {
            "pkg-config" => {
                for module in values.split_whitespace().filter(|m| !m.starts_with('-')) {
                    found.add(Kind::PkgConfig, module, path);
                }
            }
            "LDFLAGS" => {
                for name in libs::link_flags(values) {
                    found.add(Kind::Link, name, path);
                }
            }
            _ => {}
        }
    }
}

pub(super) fn detect(src: &Sources, choice: &Choice) -> Result<GoProject, DetectError> {
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
        .filter(|(p, text)| p.ends_with(".go") && !p.ends_with("_test.go") && !excluded(text));
    let mut mains = BTreeSet::new();
    let mut cgo = false;
    let mut found = Found::new(choice.release());
    for (path, text) in sources {
        if !path.starts_with("vendor/") {
            cgo |= uses_cgo(text);
            if go_package(text) == Some("main") {
                mains.insert(path.rsplit_once('/').map_or(".", |(d, _)| d).to_string());
            }
        }
        cgo_packages(path, text, &mut found);
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
    let has_root = mains.contains(".");
    let found_mains: Vec<(String, (String, String))> = mains
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
    // The module's root package, else the one named after the module (cmd/<name>), is the program.
    let why = if has_root {
        "the module's root package"
    } else {
        "named after the module"
    };
    let mut notes = Vec::new();
    let (bin, package) = prefer(
        found_mains,
        choice.bin.as_deref(),
        Some((&module_name, why)),
        "main package",
        "--bin",
        &mut notes,
    )?;
    let vendored = src.has("vendor/modules.txt");
    if vendored {
        notes.push("vendor/modules.txt: built from the vendored modules (-mod=vendor), nothing is downloaded".into());
    }
    Ok(GoProject {
        module,
        go_version,
        package,
        bin,
        cgo,
        has_sum: src.has("go.sum"),
        vendored,
        unmapped: if cgo {
            found.unmapped.clone()
        } else {
            Vec::new()
        },
        packages: if cgo {
            found.into_packages()
        } else {
            Vec::new()
        },
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgo_directives() {
        let text = "// #cgo pkg-config: libseccomp\n#cgo linux LDFLAGS: -lz -lm\n\
                    #cgo darwin LDFLAGS: -lcurl\n#cgo !windows pkg-config: sqlite3\n#cgo CFLAGS: -Wall\n";
        let mut found = Found::default();
        cgo_packages("a.go", text, &mut found);
        let names: Vec<String> = found.into_packages().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["libseccomp-dev", "zlib1g-dev", "libsqlite3-dev"]);
        assert!(excluded("//go:build ignore\n\npackage main\n"));
        assert!(!excluded("//go:build linux\npackage main\n"));
    }
}
