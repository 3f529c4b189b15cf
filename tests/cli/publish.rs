//! `mab gen publish`: snapshots of the script for each engine, `dash -n` and shellcheck on every variant,
//! the refusals, and the docker and podman scripts run against fake engines on PATH that log what they
//! were asked to do (the real registry round trip is tests/e2e's).

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

const PLATFORMS: &str = "linux/amd64,linux/arm64,linux/arm/v7";
const ENGINES: &[&str] = &["docker", "podman", "buildx"];
/// What the fake `docker manifest push` and `podman manifest push` answer.
const LIST_DIGEST: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

fn go_hello() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/go-hello")
}

/// A fresh, empty directory, unique per call.
fn scratch(name: &str) -> PathBuf {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    let dir = temp_path(&format!("publish-{n}-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn publish(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = mab();
    cmd.args(["gen", "publish", "-C"]).arg(dir).args(args);
    cmd
}

fn printed(engine: &str, image: &str, insecure: bool) -> String {
    let mut args = vec![
        "--print",
        "--engine",
        engine,
        "--image",
        image,
        "--platforms",
        PLATFORMS,
    ];
    if insecure {
        args.push("--insecure");
    }
    stdout(&mut publish(&go_hello(), &args)) + "\n"
}

#[test]
fn snapshots_of_each_engine() {
    insta::assert_snapshot!(
        "publish-docker.sh",
        printed("docker", "registry.example.com/go-hello:1.0", false)
    );
    insta::assert_snapshot!(
        "publish-podman-insecure.sh",
        printed("podman", "127.0.0.1:5000/go-hello", true)
    );
    insta::assert_snapshot!(
        "publish-buildx.sh",
        printed("buildx", "registry.example.com/go-hello:1.0", false)
    );
    insta::assert_snapshot!(
        "help-publish",
        stdout(mab().args(["gen", "publish", "--help"]))
    );
}

#[test]
fn scripts_are_plain_posix_sh() {
    let dash = require_tool("dash", &["/usr/bin/dash", "/bin/dash"]);
    let shellcheck = require_tool("shellcheck", &["/usr/bin/shellcheck"]);
    let (Some(dash), Some(shellcheck)) = (dash, shellcheck) else {
        return;
    };
    let dir = scratch("lint");
    for engine in ENGINES {
        for insecure in [false, true] {
            let text = printed(engine, "127.0.0.1:5000/me/app:1.0-rc.1", insecure);
            let path = dir.join(format!("{engine}-{insecure}.sh"));
            std::fs::write(&path, &text).unwrap();
            let (code, out, err) = run(Command::new(&dash).arg("-n").arg(&path));
            assert_eq!(code, 0, "dash -n {engine}:\n{out}{err}\n{text}");
            // Any finding at all (the default severity is style) fails.
            let (code, out, err) = run(Command::new(&shellcheck).args(["-s", "sh"]).arg(&path));
            assert_eq!(code, 0, "shellcheck {engine}:\n{out}{err}\n{text}");
            assert!(text.starts_with("#!/bin/sh\n") && text.contains("\nset -eu\n"));
        }
    }
}

#[test]
fn writes_an_executable_script_and_keeps_the_users() {
    use std::os::unix::fs::PermissionsExt;
    // A project without its Dockerfile yet.
    let dir = scratch("write");
    std::fs::write(dir.join("go.mod"), "module example.com/app\n").unwrap();
    std::fs::write(dir.join("main.go"), "package main\n").unwrap();
    let args = [
        "--engine",
        "podman",
        "--image",
        "localhost/app",
        "--platforms",
        "arm64",
    ];
    let (code, _, err) = run(&mut publish(&dir, &args));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("no Dockerfile yet"), "{err}");
    let path = dir.join("publish.sh");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o755);
    let written = std::fs::read_to_string(&path).unwrap();
    let shown = stdout(&mut publish(&dir, &[&args[..], &["--print"]].concat()));
    assert_eq!(
        format!("{shown}\n"),
        written,
        "--print shows what is written"
    );

    std::fs::write(&path, "mine").unwrap();
    let (code, _, err) = run(&mut publish(&dir, &args));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    stdout(&mut publish(&dir, &[&args[..], &["--force"]].concat()));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o755);
}

#[test]
fn bad_values_are_refused_in_one_line() {
    let digest = format!("registry.example.com/app@sha256:{}", "a".repeat(64));
    for (image, platforms, why) in [
        ("registry.example.com/Me/app", PLATFORMS, "lowercase"),
        (digest.as_str(), PLATFORMS, "not a digest"),
        ("app:$(id)", PLATFORMS, "cannot be written"),
        ("app:'x'", PLATFORMS, "cannot be written"),
        ("app:1\nid", PLATFORMS, "cannot be written"),
        ("app:-1", PLATFORMS, "invalid reference format"),
        ("app", "linux/pdp11", "unsupported platform"),
        ("app", "linux/arm64;id", "invalid platform"),
        (
            "app",
            "linux/arm64,linux/aarch64",
            "same platform (linux/arm64)",
        ),
        ("app", ",", "at least one platform"),
    ] {
        let (code, out, err) = run(&mut publish(
            &go_hello(),
            &[
                "--print",
                "--engine",
                "docker",
                "--image",
                image,
                "--platforms",
                platforms,
            ],
        ));
        assert_eq!(code, 2, "{image:?} {platforms:?}: {out}{err}");
        assert!(out.is_empty(), "{image:?}: nothing is printed");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.contains(why), "{image:?} {platforms:?}: {err}");
    }
    let (code, _, err) = run(&mut publish(
        &go_hello(),
        &[
            "--print",
            "--engine",
            "kaniko",
            "--image",
            "app",
            "--platforms",
            "arm64",
        ],
    ));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.lines().next().unwrap().contains("'kaniko'")
            && err.contains("[possible values: docker, podman, buildx]"),
        "{err}"
    );
}

/// A fake engine: logs each call (its working directory, then its arguments, one per line, then `<end of call>`),
/// and answers what the scripts read.
const FAKE: &str = r#"#!/bin/sh
{ echo "cwd=$PWD"; for a in "$@"; do echo "$a"; done; echo "<end of call>"; } >>"$FAKE_LOG"
case "$1 $2" in
  "push "*) echo "The push refers to repository [x]"
    echo "${2##*:}: digest: sha256:$(printf %s "$2" | sha256sum | cut -c1-64) size: 528" ;;
  "manifest rm") echo "No such manifest: $3" >&2; exit 1 ;;
  "manifest push")
    if [ "$FAKE_ENGINE" = docker ]; then echo "$FAKE_DIGEST"; exit 0; fi
    while [ "$1" != --digestfile ]; do shift; done
    printf %s "$FAKE_DIGEST" >"$2" ;;
  "info --format") echo linux/amd64 ;;
  "buildx version") if [ -n "${FAKE_NO_BUILDX:-}" ]; then echo "docker: unknown command: docker buildx" >&2; exit 1; fi ;;
  "buildx imagetools") if [ "$3" = inspect ]; then echo "\"$FAKE_DIGEST\""; fi ;;
  "buildx build")
    while [ "$1" != --metadata-file ]; do shift; done
    printf '{\n  "buildx.build.ref": "b/b0/x",\n  "containerimage.descriptor": {\n    "digest": "sha256:%064d"\n  },\n  "containerimage.digest": "%s"\n}' 0 "$FAKE_DIGEST" >"$2" ;;
  "build --platform") if [ -n "${FAKE_FAIL_ON:-}" ] && [ "$3" = "$FAKE_FAIL_ON" ]; then exit 7; fi ;;
esac
"#;

/// Runs the script in `dir` (from another directory, as `sh` would find it) with `engine` faked on PATH;
/// returns the exit code, stdout, stderr and the calls the engine received.
fn run_with_fake(
    engine: &str,
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String, Vec<Vec<String>>) {
    let bin = dir.join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = bin.join(engine);
    std::fs::write(&fake, FAKE).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = dir.join("calls.log");
    let _ = std::fs::remove_file(&log);
    let mut cmd = Command::new(dir.join("publish.sh"));
    cmd.args(args)
        .current_dir("/")
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("FAKE_LOG", &log)
        .env("FAKE_ENGINE", engine)
        .env("FAKE_DIGEST", LIST_DIGEST)
        .envs(env.iter().copied());
    let (code, out, err) = run(&mut cmd);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let mut calls = Vec::new();
    let mut call = Vec::new();
    for line in text.lines() {
        if line == "<end of call>" {
            calls.push(std::mem::take(&mut call));
        } else {
            call.push(line.to_string());
        }
    }
    (code, out, err, calls)
}

fn sha256(text: &str) -> String {
    let out = stdout(Command::new("sh").args(["-c", "printf %s \"$1\" | sha256sum", "-", text]));
    format!("sha256:{}", &out[..64])
}

/// An argument that must reach every build untouched: spaces, quotes and a substitution.
const HOSTILE_ARG: &str = "MSG=it's \"$(id)\" `id` $HOME *";

fn script(dir: &Path, engine: &str, image: &str, insecure: bool) {
    // The Dockerfile the script builds (the fake engines never read it).
    std::fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
    let mut args = vec![
        "--engine",
        engine,
        "--image",
        image,
        "--platforms",
        PLATFORMS,
        "--force",
    ];
    if insecure {
        args.push("--insecure");
    }
    stdout(&mut publish(dir, &args));
}

fn strs(call: &[&str], cwd: &Path) -> Vec<String> {
    std::iter::once(format!("cwd={}", cwd.display()))
        .chain(call.iter().map(|s| s.to_string()))
        .collect()
}

#[test]
fn docker_script_builds_pushes_and_assembles_the_list() {
    let dir = scratch("fake docker");
    script(&dir, "docker", "127.0.0.1:5000/me/app:1.0-rc.1", true);
    // A docker without the buildx plugin: the list is made by docker manifest.
    let (code, out, err, calls) = run_with_fake(
        "docker",
        &dir,
        &["--build-arg", HOSTILE_ARG, "--network=host"],
        &[("FAKE_NO_BUILDX", "1")],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().last(), Some(LIST_DIGEST), "stdout: {out}");
    assert_eq!(out, LIST_DIGEST, "everything else goes to stderr");
    assert!(
        err.contains("making the list with docker manifest"),
        "{err}"
    );

    let repo = "127.0.0.1:5000/me/app";
    let mut want: Vec<Vec<String>> = vec![strs(&["buildx", "version"], &dir)];
    let mut refs = Vec::new();
    for (platform, suffix) in [
        ("linux/amd64", "linux-amd64"),
        ("linux/arm64", "linux-arm64"),
        ("linux/arm/v7", "linux-arm-v7"),
    ] {
        let tag = format!("{repo}:1.0-rc.1-{suffix}");
        want.push(strs(
            &[
                "build",
                "--platform",
                platform,
                "--tag",
                &tag,
                "--build-arg",
                HOSTILE_ARG,
                "--network=host",
                ".",
            ],
            &dir,
        ));
        want.push(strs(&["push", &tag], &dir));
        refs.push(format!("{repo}@{}", sha256(&tag)));
    }
    let image = "127.0.0.1:5000/me/app:1.0-rc.1";
    want.push(strs(&["manifest", "rm", image], &dir));
    want.push(strs(
        &[
            &["manifest", "create", "--insecure", image][..],
            &refs.iter().map(String::as_str).collect::<Vec<_>>(),
        ]
        .concat(),
        &dir,
    ));
    for (r, extra) in refs.iter().zip([
        &["--os", "linux", "--arch", "amd64"][..],
        &["--os", "linux", "--arch", "arm64"],
        &["--os", "linux", "--arch", "arm", "--variant", "v7"],
    ]) {
        want.push(strs(
            &[&["manifest", "annotate", image, r][..], extra].concat(),
            &dir,
        ));
    }
    want.push(strs(
        &["manifest", "push", "--insecure", "--purge", image],
        &dir,
    ));
    assert_eq!(calls, want, "stderr: {err}");

    // A failing build stops the script: nothing after it runs, and its exit code comes through.
    let (code, out, _, calls) =
        run_with_fake("docker", &dir, &[], &[("FAKE_FAIL_ON", "linux/arm64")]);
    assert_eq!(code, 7, "the failing command's exit code");
    assert!(out.is_empty(), "{out}");
    assert_eq!(calls.len(), 4, "{calls:?}");
    assert_eq!(calls[3][1..4], ["build", "--platform", "linux/arm64"]);
}

/// With the buildx plugin the docker route makes the list with `docker buildx imagetools create`, which
/// takes the images out of the indexes that the containerd image store pushes, and reads the list's digest
/// back; LIST_WITH chooses the tool.
#[test]
fn docker_script_makes_the_list_with_imagetools_when_buildx_is_there() {
    let dir = scratch("fake docker imagetools");
    script(&dir, "docker", "127.0.0.1:5000/me/app:1.0-rc.1", true);
    let (code, out, err, calls) = run_with_fake("docker", &dir, &[], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, LIST_DIGEST, "stderr: {err}");
    assert!(
        err.contains("making the list with docker buildx imagetools create"),
        "{err}"
    );
    let repo = "127.0.0.1:5000/me/app";
    let image = "127.0.0.1:5000/me/app:1.0-rc.1";
    let refs: Vec<String> = ["linux-amd64", "linux-arm64", "linux-arm-v7"]
        .iter()
        .map(|s| format!("{repo}@{}", sha256(&format!("{image}-{s}"))))
        .collect();
    let create = [
        &["buildx", "imagetools", "create", "--tag", image][..],
        &refs.iter().map(String::as_str).collect::<Vec<_>>(),
    ]
    .concat();
    assert_eq!(calls[0], strs(&["buildx", "version"], &dir));
    assert_eq!(
        calls[7..],
        [
            strs(&create, &dir),
            strs(
                &[
                    "buildx",
                    "imagetools",
                    "inspect",
                    "--format",
                    "{{json .Manifest.Digest}}",
                    image
                ],
                &dir
            ),
        ],
        "{calls:?}"
    );

    let (code, out, err, calls) = run_with_fake("docker", &dir, &[], &[("LIST_WITH", "manifest")]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, LIST_DIGEST);
    assert!(calls.iter().all(|c| c[1] != "buildx"), "{calls:?}");
    assert!(
        calls.iter().any(|c| c[1..3] == ["manifest", "create"]),
        "{calls:?}"
    );
    // A wrong choice stops the script before any build.
    let (code, _, err, calls) = run_with_fake("docker", &dir, &[], &[("LIST_WITH", "crane")]);
    assert_eq!(code, 2, "{err}");
    assert!(calls.is_empty(), "{calls:?}");
    assert!(
        err.contains("LIST_WITH must be imagetools or manifest"),
        "{err}"
    );
}

#[test]
fn docker_script_without_a_digest_fails_clearly() {
    let dir = scratch("fake docker no digest");
    script(&dir, "docker", "localhost/app", false);
    // A docker that pushes without printing a digest, with and without buildx.
    for (buildx, last_call) in [
        ("", &["buildx", "imagetools", "inspect"][..]),
        ("1", &["manifest", "push", "--purge"]),
    ] {
        let (code, out, err, calls) = run_with_fake(
            "docker",
            &dir,
            &[],
            &[("FAKE_DIGEST", "done"), ("FAKE_NO_BUILDX", buildx)],
        );
        assert_ne!(code, 0);
        assert!(out.is_empty(), "{out}");
        assert!(err.contains("no manifest list digest"), "{err}");
        let last = calls.last().unwrap();
        assert_eq!(last[1..=last_call.len()], *last_call, "{last:?}");
        assert_eq!(last.last().unwrap(), "localhost/app:latest");
    }
}

#[test]
fn podman_script_passes_the_build_platform_and_prints_the_digest() {
    let dir = scratch("fake podman");
    script(&dir, "podman", "127.0.0.1:5000/me/app:1.0-rc.1", true);
    let image = "127.0.0.1:5000/me/app:1.0-rc.1";
    let build = |buildplatform: &str| {
        strs(
            &[
                "build",
                "--platform",
                PLATFORMS,
                "--build-arg",
                &format!("BUILDPLATFORM={buildplatform}"),
                "--manifest",
                image,
                "--build-arg",
                HOSTILE_ARG,
                ".",
            ],
            &dir,
        )
    };
    let (code, out, err, calls) = run_with_fake("podman", &dir, &["--build-arg", HOSTILE_ARG], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, LIST_DIGEST, "stderr: {err}");
    assert_eq!(calls.len(), 5, "{calls:?}");
    assert_eq!(
        calls[0][1..],
        ["info", "--format", "{{.Host.OS}}/{{.Host.Arch}}"]
    );
    assert_eq!(calls[1], strs(&["manifest", "rm", image], &dir));
    assert_eq!(calls[2], strs(&["rmi", image], &dir));
    assert_eq!(calls[3], build("linux/amd64"));
    let push = &calls[4];
    assert_eq!(
        push[1..7],
        [
            "manifest",
            "push",
            "--all",
            "--rm",
            "--tls-verify=false",
            "--digestfile"
        ]
    );
    assert_eq!(push[8..], [image.to_string(), format!("docker://{image}")]);
    assert!(
        !Path::new(&push[7]).exists(),
        "the digest file is removed at exit"
    );

    // The user's BUILDPLATFORM wins, and podman is not asked.
    let (code, out, err, calls) = run_with_fake(
        "podman",
        &dir,
        &["--build-arg", HOSTILE_ARG],
        &[("BUILDPLATFORM", "linux/arm64")],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, LIST_DIGEST);
    assert!(calls.iter().all(|c| c[1] != "info"), "{calls:?}");
    assert!(calls.contains(&build("linux/arm64")), "{calls:?}");
}

#[test]
fn buildx_script_pushes_in_one_build_and_reads_the_digest_from_its_metadata() {
    let dir = scratch("fake buildx");
    script(&dir, "buildx", "registry.example.com/me/app:1.0-rc.1", true);
    let (code, out, err, calls) = run_with_fake("docker", &dir, &["--build-arg", HOSTILE_ARG], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, LIST_DIGEST, "stderr: {err}");
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0];
    let metadata = &call[9];
    assert_eq!(
        *call,
        strs(
            &[
                "buildx",
                "build",
                "--platform",
                PLATFORMS,
                "--tag",
                "registry.example.com/me/app:1.0-rc.1",
                "--push",
                "--metadata-file",
                metadata,
                "--build-arg",
                HOSTILE_ARG,
                ".",
            ],
            &dir,
        )
    );
    assert!(
        !Path::new(metadata).exists(),
        "the metadata file is removed at exit"
    );
}
