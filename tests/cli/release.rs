//! The repository's GitHub workflows (.github/workflows) and the image name they publish under: the
//! files parse, use only well-known actions at a major version, and every script, Dockerfile stage,
//! build argument, platform and mab subcommand they name exists. The workflows themselves run on GitHub;
//! tests/e2e/release.sh runs their build and checks against a local registry.

use crate::common::{mab, run, stdout};
use dockerfile_parser::Dockerfile;
use std::path::Path;
use yaml_rust2::{Yaml, YamlLoader};

const ACTIONS: &[&str] = &[
    "actions/checkout",
    "docker/setup-buildx-action",
    "docker/login-action",
    "docker/build-push-action",
    "softprops/action-gh-release",
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn workflow(name: &str) -> Yaml {
    let path = repo().join(".github/workflows").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(docs.len(), 1, "{name}: one document");
    docs.remove(0)
}

fn steps(doc: &Yaml) -> Vec<&Yaml> {
    let jobs = doc["jobs"].as_hash().expect("jobs");
    assert!(!jobs.is_empty());
    jobs.values()
        .flat_map(|job| job["steps"].as_vec().expect("each job has steps"))
        .collect()
}

/// Every `mab SUBCOMMAND...` in a shell script (also through a variable named mab: `"$mab" verify`), as
/// the words that name the subcommand.
fn mab_calls(script: &str) -> Vec<Vec<String>> {
    let mut calls = Vec::new();
    for line in script.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            let command_position =
                i == 0 || matches!(words[i - 1], "&&" | "||" | "|" | ";" | "then" | "do" | "(");
            if command_position && matches!(*w, "mab" | "\"$mab\"" | "$mab") {
                let sub: Vec<String> = words[i + 1..]
                    .iter()
                    .take_while(|w| w.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
                    .take(2)
                    .map(|w| w.to_string())
                    .collect();
                assert!(!sub.is_empty(), "a mab call without a subcommand: {line}");
                calls.push(sub);
            }
        }
    }
    calls
}

fn dockerfile_stages() -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    let parsed = Dockerfile::parse(&text).unwrap();
    let stages = parsed
        .iter_stages()
        .filter_map(|s| s.name.clone())
        .collect();
    let args = text
        .lines()
        .filter_map(|l| l.strip_prefix("ARG "))
        .map(|a| a.split('=').next().unwrap().trim().to_string())
        .collect();
    (stages, args)
}

#[test]
fn workflows_name_only_what_exists() {
    let (stages, args) = dockerfile_stages();
    let mut platform_lists = Vec::new();
    for name in ["ci.yml", "release.yml"] {
        let doc = workflow(name);
        assert!(!doc["on"].is_badvalue(), "{name}: no trigger");
        for job in doc["jobs"].as_hash().unwrap().values() {
            if let Some(list) = job["env"]["PLATFORMS"].as_str() {
                platform_lists.push(list.to_string());
            }
        }
        if let Some(list) = doc["env"]["PLATFORMS"].as_str() {
            platform_lists.push(list.to_string());
        }
        for step in steps(&doc) {
            // Cross-compiled on the runner: no step sets up an emulator.
            let shown = format!("{step:?}").to_lowercase();
            assert!(
                !shown.contains("qemu") && !shown.contains("binfmt"),
                "{name}: {shown}"
            );
            if let Some(uses) = step["uses"].as_str() {
                let (action, version) = uses.split_once('@').expect("actions are pinned");
                assert!(
                    ACTIONS.contains(&action),
                    "{name}: {action} is not one of {ACTIONS:?}"
                );
                assert!(
                    version
                        .strip_prefix('v')
                        .is_some_and(|v| v.parse::<u32>().is_ok()),
                    "{name}: {uses} is not pinned to a major version"
                );
                let with = &step["with"];
                if let Some(target) = with["target"].as_str() {
                    assert!(
                        stages.iter().any(|s| s == target),
                        "{name}: no stage {target} in Dockerfile"
                    );
                }
                if let Some(build_args) = with["build-args"].as_str() {
                    for arg in build_args.lines() {
                        let arg = arg.split('=').next().unwrap();
                        assert!(
                            args.iter().any(|a| a == arg),
                            "{name}: Dockerfile has no ARG {arg}"
                        );
                    }
                }
            }
            let Some(script) = step["run"].as_str() else {
                continue;
            };
            for word in script.split_whitespace() {
                if let Some(path) = word
                    .strip_prefix("./")
                    .filter(|p| p.starts_with("scripts/"))
                {
                    assert!(repo().join(path).is_file(), "{name}: {path} does not exist");
                }
            }
            for sub in mab_calls(script) {
                let (code, _, err) = run(mab().args(&sub).arg("--help"));
                assert_eq!(
                    code,
                    0,
                    "{name}: `mab {}` is no subcommand: {err}",
                    sub.join(" ")
                );
            }
        }
    }
    // One list of platforms, each a Linux platform of mab's tables, spelled as mab normalises it.
    assert_eq!(platform_lists.len(), 2, "{platform_lists:?}");
    assert_eq!(
        platform_lists[0], platform_lists[1],
        "ci.yml and release.yml build other platforms"
    );
    for platform in platform_lists[0].split(',') {
        let got = stdout(mab().args(["info", "--platform", platform, "platform"]));
        assert_eq!(got, platform);
        assert!(platform.starts_with("linux/"), "{platform}");
    }
}

#[test]
fn ci_runs_the_test_script_and_builds_the_image_without_pushing() {
    let doc = workflow("ci.yml");
    let on = &doc["on"];
    assert!(!on["push"].is_badvalue() && !on["pull_request"].is_badvalue());
    let steps = steps(&doc);
    assert!(steps
        .iter()
        .any(|s| s["run"].as_str() == Some("./scripts/test.sh")));
    let build = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("docker/build-push-action@"))
        })
        .expect("an image build");
    assert_eq!(build["with"]["push"].as_bool(), Some(false));
}

#[test]
fn the_release_pushes_the_image_that_generated_dockerfiles_name() {
    let doc = workflow("release.yml");
    assert_eq!(doc["on"]["push"]["tags"][0].as_str(), Some("v*"));
    let text = std::fs::read_to_string(repo().join(".github/workflows/release.yml")).unwrap();
    let steps = steps(&doc);
    let builds: Vec<_> = steps
        .iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("docker/build-push-action@"))
        })
        .collect();
    let image = builds
        .iter()
        .find(|s| s["with"]["target"].as_str() == Some("image"))
        .unwrap();
    assert_eq!(image["with"]["push"].as_bool(), Some(true));
    let export = builds
        .iter()
        .find(|s| s["with"]["target"].as_str() == Some("export"))
        .unwrap();
    assert_eq!(
        export["with"]["outputs"].as_str(),
        Some("type=local,dest=dist")
    );
    // Both builds give mab the repository it is pushed to, so its Dockerfiles name it.
    for build in [image, export] {
        assert_eq!(
            build["with"]["build-args"].as_str(),
            Some("MAB_IMAGE_REPO=${{ steps.names.outputs.repo }}")
        );
    }
    assert!(text.contains(
        "repo=ghcr.io/$(printf '%s' \"$GITHUB_REPOSITORY_OWNER\" | tr '[:upper:]' '[:lower:]')/mab"
    ));
    assert!(text.contains("manifest check \"$tag\" --platforms \"$PLATFORMS\""));
    assert!(text.contains("gh release create") && text.contains("SHA256SUMS"));
}

/// The release's tags for v0.2.3 are 0.2.3 and 0.2, so the image mab 0.1.x names is `…/mab:0.1` of the
/// repository in Cargo.toml (a release build sets MAB_IMAGE_REPO instead).
#[test]
fn generated_dockerfiles_pull_mab_s_own_release_by_default() {
    let owner = env!("CARGO_PKG_REPOSITORY")
        .strip_prefix("https://github.com/")
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_lowercase();
    let want = format!(
        "ARG MAB_IMAGE=ghcr.io/{owner}/mab:{}.{}",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    let text = stdout(
        mab()
            .args(["gen", "dockerfile", "--print", "-C"])
            .arg(repo().join("examples/go-hello")),
    );
    assert!(text.lines().any(|l| l == want), "want {want}:\n{text}");
    let help = stdout(mab().args(["gen", "dockerfile", "--help"]));
    assert!(help.contains(&want["ARG MAB_IMAGE=".len()..]), "{help}");
}
