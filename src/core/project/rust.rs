//! A Cargo workspace: its binary, whether the build compiles C, and the target libraries its -sys crates
//! link.

use super::libs::{self, Found, Kind};
use super::{prefer, Choice, DetectError, RustProject, Sources};
use cargo_metadata::{DependencyKind, TargetKind};
use std::collections::BTreeSet;

/// Crates that mean "this build compiles C": the `cc`, `cmake` and `bindgen` build helpers, and by
/// convention every `*-sys` crate.
fn is_c_crate(name: &str) -> bool {
    matches!(name, "cc" | "cmake" | "bindgen" | "pkg-config") || name.ends_with("-sys")
}

/// Package names in a Cargo.lock (`name = "..."` lines): the whole dependency graph, read offline.
fn lock_packages(lock: &str) -> impl Iterator<Item = &str> {
    lock.lines().filter_map(|l| {
        l.trim()
            .strip_prefix("name = \"")
            .and_then(|r| r.strip_suffix('"'))
    })
}

pub(super) fn detect(src: &Sources, choice: &Choice) -> Result<RustProject, DetectError> {
    let meta = src
        .cargo
        .as_ref()
        .ok_or_else(|| DetectError::Missing("no Cargo.toml here".to_string()))?;
    let root = meta.workspace_root.as_std_path();
    let rel = |p: &std::path::Path| -> String {
        p.strip_prefix(root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let members = meta.workspace_packages();
    let mut bins = Vec::new();
    let mut needs_c = false;
    let mut manifests = BTreeSet::new();
    let mut stubs = BTreeSet::new();
    // `crate/feature` the members enable, for features that build a C library from source.
    let mut features = BTreeSet::new();
    for pkg in &members {
        manifests.insert(rel(pkg.manifest_path.as_std_path()));
        needs_c |= pkg
            .dependencies
            .iter()
            .any(|d| is_c_crate(&d.name) || (d.kind == DependencyKind::Build && d.name == "cc"));
        for d in &pkg.dependencies {
            features.extend(d.features.iter().map(|f| format!("{}/{f}", d.name)));
        }
        for t in &pkg.targets {
            stubs.insert(rel(t.src_path.as_std_path()));
            if t.kind.contains(&TargetKind::Bin) {
                bins.push((t.name.clone(), t.name.clone()));
            }
        }
    }
    let lock = src.files.get("Cargo.lock");
    let locked: BTreeSet<&str> = lock.map(|l| lock_packages(l).collect()).unwrap_or_default();
    needs_c |= locked.iter().any(|c| is_c_crate(c));
    let mut found = Found::new(choice.release());
    for krate in locked.iter().filter(|c| c.ends_with("-sys")) {
        let Some(lib) = libs::find(Kind::Crate, krate) else {
            // Most unknown -sys crates build their C from source; some link a system library.
            found.unmapped.push(format!(
                "crate {krate} in Cargo.lock (if it links a system library, name its -dev package with --packages)"
            ));
            continue;
        };
        let bundled = lib.bundled_by.iter().any(|b| locked.contains(b.as_str()))
            || lib.bundling_features.iter().any(|f| features.contains(f));
        if !bundled {
            found.add(Kind::Crate, krate, "Cargo.lock");
        }
    }
    bins.sort();
    bins.dedup();
    let mut notes = Vec::new();
    // The binary named after the root package, or its default-run, is the program.
    let root_pkg = meta.root_package();
    let preferred = root_pkg.and_then(|p| {
        p.default_run
            .as_deref()
            .map(|r| (r, "the root package's default-run"))
            .or(Some((p.name.as_str(), "named after the root package")))
    });
    let bin = prefer(
        bins,
        choice.bin.as_deref(),
        preferred,
        "binary target",
        "--bin",
        &mut notes,
    )?;
    Ok(RustProject {
        bin,
        needs_c,
        has_lock: lock.is_some(),
        manifests: manifests.into_iter().collect(),
        stubs: stubs.into_iter().collect(),
        cargo_config: src.has(".cargo/config.toml"),
        vendor: src.files.keys().any(|p| p.starts_with("vendor/")),
        toolchain_file: ["rust-toolchain.toml", "rust-toolchain"]
            .into_iter()
            .find(|f| src.has(f))
            .map(str::to_string),
        unmapped: found.unmapped.clone(),
        packages: found.into_packages(),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_names() {
        let lock = "[[package]]\nname = \"openssl-sys\"\n";
        assert!(lock_packages(lock).any(is_c_crate));
    }
}
