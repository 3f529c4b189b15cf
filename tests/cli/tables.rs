//! The tables against the real toolchains: every triple and Go pair mab prints must be one they know.

use crate::common::*;
use std::process::Command;

/// Every value of `field` over all platforms, on a Debian (glibc) and an Alpine (musl) build machine.
fn values(field: &str) -> Vec<(String, String)> {
    let platforms = stdout(mab().arg("platforms"));
    let mut out = Vec::new();
    for distro in ["debian", "alpine"] {
        let release = os_release(distro);
        for p in platforms.lines() {
            let (code, value, _) =
                run(mab()
                    .env("MAB_OS_RELEASE", &release)
                    .args(["info", "--platform", p, field]));
            if code == 0 {
                out.push((format!("{p} on {distro}"), value));
            }
        }
    }
    out
}

#[test]
fn rust_triples_are_known_to_rustc() {
    let Some(rustc) = require_tool("rustc", &[]) else {
        return;
    };
    let list = stdout(Command::new(rustc).args(["--print", "target-list"]));
    let triples = values("rust-triple");
    assert!(
        triples.len() > 40,
        "expected a Rust triple for every platform: {triples:?}"
    );
    for (what, triple) in triples {
        assert!(
            list.lines().any(|l| l == triple),
            "{what}: rustc does not know {triple}"
        );
    }
}

#[test]
fn go_pairs_are_known_to_go() {
    let Some(go) = require_tool("go", &["/usr/lib/go-1.23/bin/go"]) else {
        return;
    };
    let list = stdout(
        Command::new(go)
            .env("GOTOOLCHAIN", "local")
            .args(["tool", "dist", "list"]),
    );
    let platforms = stdout(mab().arg("platforms"));
    for p in platforms.lines() {
        let goos = stdout(mab().args(["info", "--platform", p, "goos"]));
        let goarch = stdout(mab().args(["info", "--platform", p, "goarch"]));
        let pair = format!("{goos}/{goarch}");
        assert!(
            list.lines().any(|l| l == pair),
            "{p}: go does not know {pair}"
        );
    }
}

/// README.md shows `mab platforms --markdown` between two markers; regenerate with MAB_BLESS=1.
#[test]
fn readme_platform_table_is_current() {
    let table = stdout(mab().args(["platforms", "--markdown"]));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (begin, end) = ("<!-- platforms:begin -->\n", "<!-- platforms:end -->");
    let start = readme
        .find(begin)
        .expect("README.md has the platforms:begin marker")
        + begin.len();
    let stop = readme
        .find(end)
        .expect("README.md has the platforms:end marker");
    let current = &readme[start..stop];
    let wanted = format!("{table}\n");
    if current != wanted {
        if std::env::var("MAB_BLESS").as_deref() == Ok("1") {
            std::fs::write(
                path,
                format!("{}{wanted}{}", &readme[..start], &readme[stop..]),
            )
            .unwrap();
        } else {
            panic!("README.md's platform table is stale: run `MAB_BLESS=1 cargo test readme_platform_table` and commit");
        }
    }
}
