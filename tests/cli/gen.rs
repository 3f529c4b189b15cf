//! `mab gen dockerfile|bake|ci`: snapshots of what it writes for each example project, hadolint and a real
//! Dockerfile parser on every variant, the rule that compiles run only on the build platform, and the
//! refusals (overwrite, ambiguity, hostile values).

use crate::common::*;
use dockerfile_parser::Dockerfile;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

const EXAMPLES: &[&str] = &["go-hello", "go-cgo", "rust-hello", "rust-cc", "c-zlib"];

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// A fresh, empty scratch directory, unique per call: tests run in parallel and some make the same
/// projects.
fn scratch(name: &str) -> PathBuf {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    let dir = temp_path(&format!("gen-{n}-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of an example project (without build output), so tests can write into it.
fn copy_example(example: &str, test: &str) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name();
            if name == "target" || name == "build" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &to.join(&name));
            } else {
                std::fs::copy(entry.path(), to.join(&name)).unwrap();
            }
        }
    }
    let dir = scratch(&format!("{test}-{example}"));
    copy(&examples_dir().join(example), &dir);
    dir
}

/// A project made of the given files.
fn project(test: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = scratch(test);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn gen(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = mab();
    cmd.arg("gen").args(args).arg("--dir").arg(dir);
    cmd
}

/// The Dockerfile `mab gen dockerfile --print` renders for a project with extra options.
fn dockerfile(dir: &Path, args: &[&str]) -> String {
    stdout(&mut gen(dir, &[&["dockerfile", "--print"], args].concat()))
}

/// Every Dockerfile variant the tests lint and parse: each example with its defaults and with the link
/// options that apply to it, and one project per C build system.
fn variants() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for example in EXAMPLES {
        let dir = examples_dir().join(example);
        out.push((example.to_string(), dockerfile(&dir, &[])));
        out.push((
            format!("{example} --static --base scratch"),
            dockerfile(&dir, &["--static", "--base", "scratch"]),
        ));
    }
    let rust_hello = examples_dir().join("rust-hello");
    out.push((
        "rust-hello --libc gnu".into(),
        dockerfile(&rust_hello, &["--libc", "gnu"]),
    ));
    out.push((
        "rust-hello --libc gnu --static".into(),
        dockerfile(&rust_hello, &["--libc", "gnu", "--static"]),
    ));
    let meson = project(
        "variant-meson",
        &[(
            "meson.build",
            "project('m', 'cpp')\nexecutable('m', 'm.cpp', dependencies: dependency('zlib'))\n",
        )],
    );
    let autotools = project(
        "variant-autotools",
        &[
            ("configure.ac", "AC_INIT([a],[1])\n"),
            ("Makefile.am", "bin_PROGRAMS = a\n"),
        ],
    );
    let make = project("variant-make", &[("Makefile", "hello: hello.c\n")]);
    out.push(("meson".into(), dockerfile(&meson, &[])));
    let large = large_project("variant-large", ("CMakeLists.txt", CMAKE_ALL_SOURCES), 30);
    out.push(("cmake, 30 sources".into(), dockerfile(&large, &[])));
    out.push(("autotools".into(), dockerfile(&autotools, &["--static"])));
    out.push((
        "make".into(),
        dockerfile(&make, &["--bin", "hello", "--packages", "libssl-dev"]),
    ));
    out
}

const CMAKE_ALL_SOURCES: &str =
    "project(big C)\nfile(GLOB sources src/*.c)\nadd_executable(big ${sources})\n";

/// A project whose build file is `build` and whose tree holds `sources` C files.
fn large_project(test: &str, build: (&str, &str), sources: usize) -> PathBuf {
    let dir = project(test, &[build]);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    for i in 0..sources {
        std::fs::write(dir.join(format!("src/f{i}.c")), "int f(void);\n").unwrap();
    }
    dir
}

/// ccache where it pays for its install: CMake and Meson projects of 30 sources or more, whose compiles
/// call clang itself (autotools and Make call `mab clang`, whose target ccache would not see).
#[test]
fn ccache_only_for_large_cmake_and_meson_projects() {
    let meson = "project('big', 'c')\nexecutable('big', 'src/f0.c')\n";
    let automake = "bin_PROGRAMS = big\n";
    for (build, sources, want) in [
        (("CMakeLists.txt", CMAKE_ALL_SOURCES), 30, true),
        (("CMakeLists.txt", CMAKE_ALL_SOURCES), 29, false),
        (("meson.build", meson), 30, true),
        (("Makefile.am", automake), 30, false),
    ] {
        let dir = large_project(&format!("ccache-{}-{sources}", build.0), build, sources);
        if build.0 == "Makefile.am" {
            std::fs::write(dir.join("configure.ac"), "AC_INIT([big],[1])\n").unwrap();
        }
        let text = dockerfile(&dir, &[]);
        let mounted = text.contains("--mount=type=cache,target=/root/.cache/ccache");
        let installed = text.contains(" ccache\n");
        let launched = text.contains("_LAUNCHER=ccache") || text.contains("'ccache', ");
        assert_eq!(
            (mounted, installed, launched),
            (want, want, want),
            "{} with {sources} sources:\n{text}",
            build.0
        );
    }
}

#[test]
fn snapshots_of_generated_files() {
    for example in EXAMPLES {
        let dir = copy_example(example, "snap");
        stdout(&mut gen(&dir, &["dockerfile"]));
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        insta::assert_snapshot!(format!("{example}.Dockerfile"), read("Dockerfile"));
        insta::assert_snapshot!(format!("{example}.dockerignore"), read(".dockerignore"));
    }
    let dir = copy_example("go-hello", "snap-ci");
    stdout(&mut gen(
        &dir,
        &[
            "bake",
            "--platforms",
            "linux/amd64,linux/arm64,linux/arm/v7",
            "--image",
            "registry.example.com/go-hello",
        ],
    ));
    stdout(&mut gen(&dir, &["ci", "github"]));
    stdout(&mut gen(&dir, &["ci", "gitlab"]));
    for (name, path) in [
        ("docker-bake.hcl", "docker-bake.hcl"),
        ("github.yml", ".github/workflows/image.yml"),
        ("gitlab.yml", ".gitlab-ci.yml"),
    ] {
        insta::assert_snapshot!(name, std::fs::read_to_string(dir.join(path)).unwrap());
    }
}

#[test]
fn help_lists_the_options() {
    for what in ["dockerfile", "bake", "ci"] {
        let help = stdout(mab().args(["gen", what, "--help"]));
        insta::assert_snapshot!(format!("help-{what}"), help);
    }
}

#[test]
fn hadolint_finds_nothing() {
    let Some(hadolint) = require_tool(
        "hadolint",
        &["/usr/local/bin/hadolint", "/opt/mab-hadolint/bin/hadolint"],
    ) else {
        return;
    };
    let dir = scratch("hadolint");
    for (i, (name, text)) in variants().into_iter().enumerate() {
        let path = dir.join(format!("{i}.Dockerfile"));
        std::fs::write(&path, &text).unwrap();
        // The default failure threshold is "info": any finding at all fails.
        let (code, out, err) = run(Command::new(&hadolint).arg("--no-color").arg(&path));
        assert_eq!(code, 0, "hadolint on {name}:\n{out}{err}\n{text}");
    }
}

/// A RUN that compiles or links, in any of the forms the templates use.
fn compiles(run: &str) -> bool {
    [
        "go build",
        "cargo build",
        "cmake --build",
        "meson compile",
        "make ",
        "clang",
        "gcc",
        "rustc",
    ]
    .iter()
    .any(|c| run.contains(c))
}

/// What breaks the cross-build rules in a Dockerfile, checked on its parsed structure: a compile in a stage
/// not pinned to $BUILDPLATFORM, a final stage that is pinned or runs anything (that would need
/// emulation), a dependency download after ARG TARGETPLATFORM (it would not be shared by the platforms).
fn cross_build_problems(text: &str) -> Vec<String> {
    let parsed = match Dockerfile::parse(text) {
        Ok(parsed) => parsed,
        Err(e) => return vec![format!("does not parse: {e}")],
    };
    let mut problems = Vec::new();
    let stages: Vec<_> = parsed.iter_stages().collect();
    let pinned = |stage: &dockerfile_parser::Stage| {
        let from = stage
            .instructions
            .iter()
            .find_map(|i| i.as_from())
            .expect("a stage starts with FROM");
        from.flags
            .iter()
            .any(|f| f.name.content == "platform" && f.value.content == "$BUILDPLATFORM")
    };
    let mut compiled = false;
    for stage in &stages {
        for run in stage.instructions.iter().filter_map(|i| i.as_run()) {
            let line = run.as_shell().map(|s| s.to_string()).unwrap_or_default();
            if compiles(&line) {
                compiled = true;
                if !pinned(stage) {
                    problems.push(format!(
                        "compile in stage {:?}, not pinned to $BUILDPLATFORM: {line}",
                        stage.name
                    ));
                }
            }
        }
    }
    if !compiled {
        problems.push("no compile step".to_string());
    }
    let last = stages.last().expect("at least one stage");
    if pinned(last) || last.instructions.iter().any(|i| i.as_run().is_some()) {
        problems.push("the final stage must take the target platform and run nothing".to_string());
    }
    let code_line = |pred: &dyn Fn(&str) -> bool| {
        text.lines()
            .position(|l| !l.trim_start().starts_with('#') && pred(l))
    };
    let target_arg = code_line(&|l| l == "ARG TARGETPLATFORM").unwrap_or(usize::MAX);
    for download in ["go mod download", "cargo fetch"] {
        if code_line(&|l| l.contains(download)).is_some_and(|at| at > target_arg) {
            problems.push(format!("{download} after ARG TARGETPLATFORM"));
        }
    }
    problems
}

/// What gen writes is what `mab lint` asks for: nothing emulated, nothing wrong (MAB009, podman's empty
/// BUILDPLATFORM, is a note every cross-compiling Dockerfile gets).
#[test]
fn generated_dockerfiles_lint_clean() {
    let dir = scratch("lint");
    for (i, (name, text)) in variants().into_iter().enumerate() {
        let path = dir.join(format!("{i}.Dockerfile"));
        std::fs::write(&path, &text).unwrap();
        let (code, out, err) = run(mab().args(["lint", "--format", "json"]).arg(&path));
        assert_eq!(code, 0, "mab lint on {name}:\n{out}{err}");
        let findings: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        let rules: Vec<&str> = findings
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        assert_eq!(rules, ["MAB009"], "{name}: {out}");
    }
}

#[test]
fn compiles_run_only_on_the_build_platform() {
    for (name, text) in variants() {
        assert_eq!(
            cross_build_problems(&text),
            Vec::<String>::new(),
            "{name}:\n{text}"
        );
        let stages = Dockerfile::parse(&text).unwrap().iter_stages().count();
        assert!(stages >= 3, "{name}: mab, build and runtime stages");
    }
    // The checker itself catches each kind of mistake.
    let bad = "FROM --platform=$BUILDPLATFORM golang AS build\nARG TARGETPLATFORM\n\
               RUN go mod download\nFROM golang AS native\nRUN go build -o /app .\n\
               FROM --platform=$BUILDPLATFORM scratch\nCOPY --from=native /app /app\n";
    let problems = cross_build_problems(bad);
    assert_eq!(problems.len(), 3, "{problems:#?}");
}

/// The Debian release is trixie unless `--debian` or the build image names another, and every image, GCC
/// runtime package and package name of the Dockerfile follows it.
#[test]
fn the_debian_release_follows_the_flag_and_the_build_image() {
    let go_cgo = examples_dir().join("go-cgo");
    let trixie = [
        "ARG BUILD_IMAGE=golang:1.23-trixie\n",
        "ARG BASE_IMAGE=gcr.io/distroless/static-debian13:nonroot\n",
        "mab apt-get install -y libc6-dev libgcc-14-dev",
    ];
    let bookworm = [
        "ARG BUILD_IMAGE=golang:1.23-bookworm\n",
        "ARG BASE_IMAGE=gcr.io/distroless/static-debian12:nonroot\n",
        "mab apt-get install -y libc6-dev libgcc-12-dev",
    ];
    let check = |text: &str, want: &[&str], not: &[&str]| {
        for w in want {
            assert!(text.contains(w), "{w:?} missing:\n{text}");
        }
        for n in not {
            assert!(!text.contains(n.trim_end()), "{n:?} found:\n{text}");
        }
    };
    let version = std::fs::read_to_string(go_cgo.join("go.mod")).unwrap();
    assert!(
        version.contains("\ngo 1.23"),
        "the example's Go version moved: {version}"
    );
    check(&dockerfile(&go_cgo, &[]), &trixie, &bookworm);
    check(
        &dockerfile(&go_cgo, &["--debian", "trixie"]),
        &trixie,
        &bookworm,
    );
    check(
        &dockerfile(&go_cgo, &["--debian", "bookworm"]),
        &bookworm,
        &trixie,
    );
    // The build image's release: its compilers are that release's, so its runtime packages must be too.
    let text = dockerfile(&go_cgo, &["--build-image", "golang:1.25-bookworm"]);
    check(&text, &bookworm[1..], &trixie);
    assert!(
        text.contains("ARG BUILD_IMAGE=golang:1.25-bookworm\n"),
        "{text}"
    );
    let text = dockerfile(
        &go_cgo,
        &["--build-image", "registry.example/ci/debian12-go:3"],
    );
    check(&text, &bookworm[1..], &trixie[1..]);
    let rust_cc = examples_dir().join("rust-cc");
    check(
        &dockerfile(&rust_cc, &["--build-image", "rust:1-bookworm"]),
        &["libgcc-12-dev", "static-debian12"],
        &["libgcc-14-dev", "trixie", "debian13"],
    );
    check(
        &dockerfile(&rust_cc, &[]),
        &[
            "ARG BUILD_IMAGE=rust:1-trixie\n",
            "libgcc-14-dev",
            "static-debian13",
        ],
        &["bookworm", "debian12", "gcc-12"],
    );
    let c = examples_dir().join("c-zlib");
    check(
        &dockerfile(&c, &["--build-image", "debian:bookworm-slim"]),
        &["ARG BUILD_IMAGE=debian:bookworm-slim\n", "libgcc-12-dev"],
        &["trixie", "gcc-14"],
    );
    check(
        &dockerfile(&c, &[]),
        &["ARG BUILD_IMAGE=debian:trixie-slim\n", "libgcc-14-dev"],
        &["bookworm", "gcc-12"],
    );

    // Package names are the release's: PCRE 1 left Debian in trixie.
    let pcre = project(
        "gen-pcre",
        &[
            ("meson.build", "project('grepper', 'c')\nexecutable('grepper', 'main.c', dependencies: dependency('libpcre'))\n"),
            ("main.c", "int main(void) { return 0; }\n"),
        ],
    );
    let text = dockerfile(&pcre, &["--debian", "bookworm"]);
    assert!(text.contains("target package libpcre3-dev"), "{text}");
    let text = dockerfile(&pcre, &[]);
    assert!(
        !text.contains("libpcre3-dev")
            && text.contains("no trixie package found for pkg-config libpcre"),
        "{text}"
    );

    // A flag and an image that disagree, or a release mab does not know, are errors that say why.
    let (code, _, err) = run(&mut gen(
        &go_cgo,
        &[
            "dockerfile",
            "--print",
            "--debian",
            "bookworm",
            "--build-image",
            "golang:1.25-trixie",
        ],
    ));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--debian bookworm") && err.contains("Debian trixie"),
        "{err}"
    );
    let (code, _, err) = run(&mut gen(
        &go_cgo,
        &["dockerfile", "--print", "--debian", "buster"],
    ));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bookworm") && err.contains("trixie"), "{err}");
}

#[test]
fn static_and_dynamic_bases_are_chosen_deliberately() {
    let go_cgo = examples_dir().join("go-cgo");
    let text = dockerfile(&go_cgo, &[]);
    // Dynamically linked: the loader and libraries travel with the program, onto a base without libc.
    assert!(
        text.contains("ARG BASE_IMAGE=gcr.io/distroless/static-debian13:nonroot")
            && text.contains("&& mab bundle /out/go-cgo --to /out/rootfs")
            && text.contains("COPY --from=build /out/rootfs/ /"),
        "{text}"
    );
    assert!(!text.contains("--static /out"), "{text}");
    let text = dockerfile(&go_cgo, &["--static", "--base", "scratch"]);
    assert!(
        text.contains("ARG BASE_IMAGE=scratch") && text.contains("-extldflags -static"),
        "{text}"
    );
    assert!(text.contains("mab verify --static /out/go-cgo"), "{text}");
    assert!(
        !text.contains("mab bundle") && !text.contains("/out/rootfs"),
        "{text}"
    );
    // Even an empty base works for a dynamic program, as its closure is bundled.
    let text = dockerfile(&go_cgo, &["--base", "scratch"]);
    assert!(text.contains("COPY --from=build /out/rootfs/ /"), "{text}");
    let rust_cc = examples_dir().join("rust-cc");
    let (code, _, err) = run(&mut gen(
        &rust_cc,
        &["dockerfile", "--print", "--libc", "musl"],
    ));
    assert_eq!(code, 2, "{err}");
    let text = dockerfile(&rust_cc, &["--static"]);
    assert!(
        text.contains("+crt-static") && text.contains("static-debian13"),
        "{text}"
    );
}

#[test]
fn reruns_are_identical_and_force_is_needed_to_overwrite() {
    let dir = copy_example("rust-cc", "force");
    stdout(&mut gen(&dir, &["dockerfile"]));
    let first = std::fs::read(dir.join("Dockerfile")).unwrap();
    let printed = stdout(&mut gen(&dir, &["dockerfile", "--print"]));
    assert_eq!(
        format!("{printed}\n").as_bytes(),
        first,
        "--print shows what is written"
    );

    // Without --force nothing is touched, and the message says how to overwrite.
    std::fs::write(dir.join("Dockerfile"), "mine").unwrap();
    let (code, _, err) = run(&mut gen(&dir, &["dockerfile"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("Dockerfile")).unwrap(),
        "mine"
    );

    stdout(&mut gen(&dir, &["dockerfile", "--force"]));
    assert_eq!(
        std::fs::read(dir.join("Dockerfile")).unwrap(),
        first,
        "byte-identical on unchanged input"
    );
    stdout(&mut gen(&dir, &["dockerfile", "--force"]));
    assert_eq!(std::fs::read(dir.join("Dockerfile")).unwrap(), first);

    for args in [&["bake"][..], &["ci", "github"], &["ci", "gitlab"]] {
        stdout(&mut gen(&dir, args));
        let (code, _, err) = run(&mut gen(&dir, args));
        assert_eq!(code, 2, "{args:?}: {err}");
        stdout(&mut gen(&dir, &[args, &["--force"]].concat()));
    }
}

#[test]
fn ambiguity_names_the_flag() {
    let both = project(
        "ambiguous-lang",
        &[
            ("go.mod", "module example.com/x\n"),
            ("main.go", "package main\n"),
            ("CMakeLists.txt", "add_executable(x x.c)\n"),
        ],
    );
    let (code, _, err) = run(&mut gen(&both, &["dockerfile", "--print"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("go, c") && err.contains("--lang"), "{err}");
    assert!(dockerfile(&both, &["--lang", "c"]).contains("cmake --build /tmp/build --target x"));

    let mains = project(
        "ambiguous-bin",
        &[
            ("go.mod", "module example.com/x\n"),
            ("cmd/a/main.go", "package main\n"),
            ("cmd/b/main.go", "package main\n"),
        ],
    );
    let (code, _, err) = run(&mut gen(&mains, &["dockerfile", "--print"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a, b") && err.contains("--bin"), "{err}");
    assert!(dockerfile(&mains, &["--bin", "b"]).contains("-o /out/b ./cmd/b"));

    let empty = project("nothing", &[("README", "")]);
    let (code, _, err) = run(&mut gen(&empty, &["dockerfile"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no project found"), "{err}");
}

#[test]
fn hostile_values_are_refused_or_inert() {
    // Values read from the project.
    for (test, files) in [
        (
            "hostile-module",
            &[
                ("go.mod", "module \"x\\\"; RUN id\"\n"),
                ("main.go", "package main\n"),
            ][..],
        ),
        (
            "hostile-module-subst",
            &[
                ("go.mod", "module example.com/$(id)\n"),
                ("main.go", "package main\n"),
            ],
        ),
        (
            "hostile-cmake",
            &[("CMakeLists.txt", "add_executable(\"x;$(id)\" x.c)\n")],
        ),
        (
            "hostile-dir",
            &[
                ("go.mod", "module example.com/x\n"),
                ("cmd/a`id`/main.go", "package main\n"),
            ],
        ),
        (
            "hostile-cargo-bin",
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[[bin]]\nname = \"x;$(id)\"\npath = \"main.rs\"\n",
                ),
                ("main.rs", "fn main() {}\n"),
            ],
        ),
    ] {
        let dir = project(test, files);
        let (code, out, err) = run(&mut gen(&dir, &["dockerfile", "--print"]));
        assert_eq!(code, 2, "{test}: {out}{err}");
        assert!(err.contains("cannot be written"), "{test}: {err}");
    }
    // Values from the command line.
    let go_hello = examples_dir().join("go-hello");
    for args in [
        &["dockerfile", "--bin", "go-hello\nRUN id"][..],
        &["dockerfile", "--mab-image", "x y"],
        &["dockerfile", "--base", "scratch\nRUN id"],
        &["dockerfile", "--build-image", "golang:1.23;id"],
        &["dockerfile", "--packages", "zlib1g-dev,$(id)"],
        &["bake", "--platforms", "linux/arm64;id"],
        &["bake", "--image", "x\"y"],
        &["ci", "github", "--image", "${{ secrets.X }}"],
        &["ci", "gitlab", "--platforms", "linux/arm64\nscript: id"],
    ] {
        let (code, out, err) = run(&mut gen(&go_hello, &[args, &["--print"]].concat()));
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?}: nothing is printed");
    }
    // A hostile directory name only feeds the default image name, which keeps its inert characters.
    let dir = project(
        "x\"$(id);\n",
        &[
            ("go.mod", "module example.com/x\n"),
            ("main.go", "package main\n"),
        ],
    );
    let hcl = stdout(&mut gen(&dir, &["bake", "--print"]));
    let image = hcl.lines().find(|l| l.contains("default =")).unwrap();
    assert!(
        image.trim().starts_with("default = \"gen-") && image.ends_with("-xid\""),
        "{image}"
    );
}

#[test]
fn rust_workspaces_fetch_with_every_manifest() {
    let manifest = |name: &str, deps: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{deps}")
    };
    let (a, b) = (
        manifest("tool-a", ""),
        manifest(
            "tool-b",
            "[dependencies]\nlibz-sys = { path = \"../../vendored/libz-sys\" }\n",
        ),
    );
    let z = manifest("libz-sys", "");
    let dir = project(
        "workspace",
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/a\", \"crates/b\"]\nresolver = \"2\"\n",
            ),
            ("crates/a/Cargo.toml", &a),
            ("crates/a/src/main.rs", "fn main() {}\n"),
            ("crates/b/Cargo.toml", &b),
            ("crates/b/src/main.rs", "fn main() {}\n"),
            ("crates/b/src/bin/extra.rs", "fn main() {}\n"),
            ("vendored/libz-sys/Cargo.toml", &z),
            ("vendored/libz-sys/src/lib.rs", ""),
            ("rust-toolchain.toml", "[toolchain]\nchannel = \"stable\"\n"),
        ],
    );
    let (code, _, err) = run(&mut gen(&dir, &["dockerfile", "--print"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("extra, tool-a, tool-b") && err.contains("--bin"),
        "{err}"
    );

    // tool-a alone needs no C, but the workspace has a -sys crate: the C toolchain and glibc are chosen.
    let text = dockerfile(&dir, &["--bin", "tool-a"]);
    for line in [
        "COPY Cargo.toml rust-toolchain.toml ./",
        "COPY crates/a/Cargo.toml crates/a/",
        "COPY crates/b/Cargo.toml crates/b/",
        "mkdir -p crates/a/src crates/b/src crates/b/src/bin",
        "touch crates/a/src/main.rs crates/b/src/bin/extra.rs crates/b/src/main.rs",
        "--bin tool-a",
        "ENV XX_LIBC=gnu",
    ] {
        assert!(text.contains(line), "{line:?} missing in:\n{text}");
    }
    assert!(
        !text.contains("Cargo.lock"),
        "no lock file to copy:\n{text}"
    );
    assert_eq!(cross_build_problems(&text), Vec::<String>::new(), "{text}");

    // A member alone is refused: the image build must see the whole workspace.
    let (code, _, err) = run(&mut gen(&dir.join("crates/a"), &["dockerfile", "--print"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("belongs to the workspace"), "{err}");
}

#[test]
fn bake_and_ci_files_parse_back() {
    let dir = examples_dir().join("go-hello");
    let platforms = "linux/amd64,arm64,linux/arm/v7,linux/riscv64";
    let normalised = [
        "linux/amd64",
        "linux/arm64",
        "linux/arm/v7",
        "linux/riscv64",
    ];

    let hcl = stdout(&mut gen(
        &dir,
        &[
            "bake",
            "--print",
            "--platforms",
            platforms,
            "--image",
            "localhost:5000/app",
        ],
    ));
    let bake: serde_json::Value = hcl::from_str(&hcl).unwrap_or_else(|e| panic!("{e}\n{hcl}"));
    assert_eq!(
        bake["variable"]["IMAGE"]["default"], "localhost:5000/app",
        "{bake}"
    );
    assert_eq!(
        bake["target"]["image"]["platforms"],
        serde_json::json!(normalised),
        "{bake}"
    );
    assert_eq!(
        bake["target"]["image"]["inherits"],
        serde_json::json!(["_build"]),
        "{bake}"
    );
    // One target per platform, each in the "platforms" group, building that platform alone.
    let names: Vec<String> = normalised
        .iter()
        .map(|p| format!("image-{}", p.replace('/', "-")))
        .collect();
    assert_eq!(
        bake["group"]["platforms"]["targets"],
        serde_json::json!(names),
        "{bake}"
    );
    for (name, platform) in names.iter().zip(normalised) {
        let target = &bake["target"][name.as_str()];
        assert_eq!(target["platforms"], serde_json::json!([platform]), "{bake}");
        assert_eq!(target["inherits"], serde_json::json!(["_build"]), "{bake}");
        let suffix = platform.replace('/', "-");
        assert_eq!(
            target["tags"],
            serde_json::json!([format!("${{IMAGE}}:${{TAG}}-{suffix}")]),
            "{bake}"
        );
    }
    assert_eq!(
        bake["target"]["_build"]["dockerfile"], "Dockerfile",
        "{bake}"
    );
    assert_eq!(bake["variable"]["CACHE"]["default"], "", "{bake}");
    // The first run needs no registry: a registry cache only when CACHE is set.
    for (key, cache) in [
        ("cache-from", "type=registry,ref=${CACHE}"),
        ("cache-to", "type=registry,ref=${CACHE},mode=max"),
    ] {
        let line = hcl
            .lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap_or_else(|| panic!("no {key}:\n{hcl}"));
        assert!(
            line.contains(&format!(r#"= CACHE == "" ? [] : ["{cache}"]"#)),
            "{line}"
        );
    }
    assert!(
        !hcl.contains("buildcache\""),
        "no registry cache by default:\n{hcl}"
    );

    for system in ["github", "gitlab"] {
        let text = stdout(&mut gen(
            &dir,
            &["ci", system, "--print", "--platforms", platforms],
        ));
        let docs = yaml_rust2::YamlLoader::load_from_str(&text)
            .unwrap_or_else(|e| panic!("{system}: {e}\n{text}"));
        let doc = &docs[0];
        let vars = if system == "github" {
            &doc["env"]
        } else {
            &doc["image-build"]["variables"]
        };
        assert_eq!(
            vars["PLATFORMS"].as_str(),
            Some(normalised.join(",").as_str()),
            "{system}:\n{text}"
        );
        // The build is cross, so no emulator is set up.
        assert!(
            !text.to_lowercase().contains("qemu") || text.contains("no QEMU"),
            "{system}:\n{text}"
        );
        assert!(
            !text.contains("setup-qemu-action") && !text.contains("binfmt"),
            "{system}:\n{text}"
        );
    }
    let text = stdout(&mut gen(&dir, &["ci", "github", "--print"]));
    let doc = &yaml_rust2::YamlLoader::load_from_str(&text).unwrap()[0];
    let steps = doc["jobs"]["image"]["steps"].as_vec().unwrap();
    let build = steps
        .iter()
        .find(|s| s["uses"].as_str() == Some("docker/build-push-action@v7"))
        .unwrap();
    assert_eq!(
        build["with"]["platforms"].as_str(),
        Some("${{ env.PLATFORMS }}"),
        "{text}"
    );
}

/// Real layouts that mab gen decides without asking (issue 17, class 1-4): each fixture is a project of
/// this suite's own, shaped like the projects that used to make it ask.
#[test]
fn real_layouts_are_decided_and_say_why() {
    // A cgo module with vendored modules and a Makefile wrapping go build; several main packages.
    let go = project(
        "go-vendored",
        &[
            ("go.mod", "module example.com/boxer\n\ngo 1.22\n"),
            ("go.sum", ""),
            ("Makefile", "all:\n\tgo build -o boxer .\n"),
            (
                "main.go",
                "package main\n\n// #cgo pkg-config: zlib\n// #include <zlib.h>\nimport \"C\"\n\nfunc main() {}\n",
            ),
            ("contrib/tool/main.go", "package main\n\nfunc main() {}\n"),
            ("vendor/modules.txt", "# example.com/sqlite v1.0.0\n## explicit\nexample.com/sqlite\n"),
            (
                "vendor/example.com/sqlite/sqlite.go",
                "package sqlite\n\n// #cgo LDFLAGS: -lsqlite3\nimport \"C\"\n",
            ),
        ],
    );
    let text = dockerfile(&go, &[]);
    for want in [
        "-mod=vendor -o /out/boxer .",
        "main package: boxer (the module's root package); also found tool: pick another with --bin NAME",
        "target package zlib1g-dev (pkg-config zlib in main.go)",
        "target package libsqlite3-dev (-lsqlite3 in vendor/example.com/sqlite/sqlite.go)",
        "mab apt-get install -y libc6-dev libgcc-14-dev zlib1g-dev libsqlite3-dev",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{text}");
    }
    assert!(!text.contains("go mod download"), "{text}");
    // --packages still adds.
    let text = dockerfile(&go, &["--packages", "libcap-dev"]);
    assert!(
        text.contains("libsqlite3-dev libcap-dev") && text.contains("libcap-dev (--packages)"),
        "{text}"
    );

    // A plain Makefile linking -lz: its first target, zlib for the target.
    let make = project(
        "make-lz",
        &[
            (
                "Makefile",
                "CFLAGS=-O2\nLIBS=-lm -lz\n\nsqueeze: squeeze.o\n\t$(CC) -o $@ $^ $(LIBS)\n",
            ),
            ("squeeze.c", "int main(void) { return 0; }\n"),
        ],
    );
    let text = dockerfile(&make, &[]);
    assert!(text.contains("cp squeeze /out/squeeze"), "{text}");
    assert!(
        text.contains("target package zlib1g-dev (-lz in Makefile:2)"),
        "{text}"
    );

    // CMake beside autotools, the executable through a variable in a subdirectory, tests off.
    let cmake = project(
        "cmake-sub",
        &[
            ("CMakeLists.txt", "cmake_minimum_required(VERSION 3.13)\nproject(gauge C)\n\
              option(GAUGE_BUILD_TESTS \"tests\" ON)\nfind_package(OpenSSL REQUIRED)\nadd_subdirectory(src)\n"),
            ("src/CMakeLists.txt", "set(EXE gauge)\nadd_executable(${EXE} main.c)\nadd_executable(gauge_test t.c)\n"),
            ("configure.ac", "AC_INIT([gauge], [1])\n"),
        ],
    );
    let text = dockerfile(&cmake, &[]);
    for want in [
        "--target gauge",
        "-DBUILD_TESTING=OFF -DGAUGE_BUILD_TESTS=OFF",
        "build system: cmake (preferred over autotools)",
        "executable: gauge (named after the project); also found gauge_test",
        "target package libssl-dev (find_package OpenSSL in CMakeLists.txt:4)",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{text}");
    }
}

/// Cargo.lock's -sys crates name target libraries, unless a crate that builds them from source is there.
#[test]
fn rust_sys_crates_name_target_packages() {
    let manifest = "[package]\nname = \"fetcher\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                    [dependencies]\nopenssl-sys = \"0.9\"\n";
    let lock = |extra: &str| {
        format!(
            "version = 3\n\n[[package]]\nname = \"fetcher\"\nversion = \"0.1.0\"\n\n\
             [[package]]\nname = \"openssl-sys\"\nversion = \"0.9.100\"\n{extra}"
        )
    };
    let files = |lock: String| {
        project(
            "rust-openssl",
            &[
                ("Cargo.toml", manifest),
                ("Cargo.lock", Box::leak(lock.into_boxed_str())),
                ("src/main.rs", "fn main() {}\n"),
            ],
        )
    };
    let text = dockerfile(&files(lock("")), &[]);
    assert!(
        text.contains("target package libssl-dev (crate openssl-sys in Cargo.lock)")
            && text.contains("mab apt-get install -y libc6-dev libgcc-14-dev libssl-dev"),
        "{text}"
    );
    // openssl-sys with the vendored feature pulls in openssl-src: nothing to install.
    let vendored = lock("\n[[package]]\nname = \"openssl-src\"\nversion = \"300.0.0\"\n");
    let text = dockerfile(&files(vendored), &[]);
    assert!(!text.contains("libssl-dev"), "{text}");
}

/// A project with its own Dockerfile keeps it: the error says how to write beside it, and -o does.
#[test]
fn own_dockerfile_is_kept() {
    let dir = copy_example("go-hello", "own");
    std::fs::write(dir.join("Dockerfile"), "FROM scratch\n").unwrap();
    let (code, _, err) = run(&mut gen(&dir, &["dockerfile"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("-o Dockerfile.cross"), "{err}");
    stdout(&mut gen(&dir, &["dockerfile", "-o", "Dockerfile.cross"]));
    let text = std::fs::read_to_string(dir.join("Dockerfile.cross")).unwrap();
    assert!(
        text.contains("-f Dockerfile.cross --target export"),
        "{text}"
    );
    let ignore = std::fs::read_to_string(dir.join("Dockerfile.cross.dockerignore")).unwrap();
    assert!(ignore.contains("Dockerfile.cross\n"), "{ignore}");
    assert_eq!(
        std::fs::read_to_string(dir.join("Dockerfile")).unwrap(),
        "FROM scratch\n"
    );
    // The name stays inside the project.
    for bad in ["../Dockerfile", "/tmp/Dockerfile", "a b"] {
        let (code, _, err) = run(&mut gen(&dir, &["dockerfile", "-o", bad]));
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("Dockerfile name"), "{err}");
    }
}

/// actionlint (with shellcheck on `run:` steps when on PATH) finds nothing in any workflow `mab gen ci
/// github` writes, nor in the project's own: no deprecated action runtime, no expression or syntax error.
#[test]
fn actionlint_finds_nothing_in_the_workflows() {
    let Some(actionlint) = require_tool("actionlint", &["/usr/local/bin/actionlint"]) else {
        return;
    };
    let dir = scratch("actionlint");
    let mut files = Vec::new();
    for (name, args) in [
        ("default", &[][..]),
        ("ghcr", &["--image", "ghcr.io/me/app"]),
        (
            "hub",
            &[
                "--image",
                "me/app",
                "--platforms",
                "linux/arm/v7,linux/riscv64",
            ],
        ),
        ("registry", &["--image", "registry.example.com:5000/me/app"]),
    ] {
        let text = stdout(&mut gen(
            &examples_dir().join("go-hello"),
            &[&["ci", "github", "--print"], args].concat(),
        ));
        let path = dir.join(format!("{name}.yml"));
        std::fs::write(&path, text).unwrap();
        files.push(path);
    }
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows");
    for entry in std::fs::read_dir(&own).unwrap() {
        files.push(entry.unwrap().path());
    }
    let (code, out, err) = run(Command::new(actionlint).arg("-no-color").args(&files));
    assert_eq!(code, 0, "actionlint:\n{out}{err}");
}

/// The GitLab job's steps, run in order as the runner runs them (each line by `sh -e`, with the job's
/// variables, GitLab's predefined ones and a fake `docker` that logs its arguments): the builder is made on
/// a context that holds the dind TLS endpoint and its certificates, never on DOCKER_HOST alone, which
/// buildx cannot use over TLS (docker/buildx#413, #2520).
#[test]
fn gitlab_job_makes_its_builder_on_a_tls_context() {
    let dir = scratch("gitlab-job");
    let text = stdout(&mut gen(
        &examples_dir().join("go-hello"),
        &[
            "ci",
            "gitlab",
            "--print",
            "--platforms",
            "linux/amd64,linux/arm/v7",
        ],
    ));
    let doc = &yaml_rust2::YamlLoader::load_from_str(&text).unwrap()[0];
    let job = &doc["image-build"];
    let predefined = [
        ("CI_REGISTRY", "registry.gitlab.example"),
        ("CI_REGISTRY_IMAGE", "registry.gitlab.example/me/app"),
        ("CI_REGISTRY_USER", "gitlab-ci-token"),
        ("CI_REGISTRY_PASSWORD", "secret"),
        ("CI_COMMIT_REF_SLUG", "main"),
    ];
    let mut env: Vec<(String, String)> = predefined
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    // GitLab expands a variable that names another.
    for (key, value) in job["variables"].as_hash().unwrap() {
        let value = value.as_str().unwrap();
        let value = match value.strip_prefix('$') {
            Some(name) => predefined.iter().find(|(k, _)| *k == name).unwrap().1,
            None => value,
        };
        env.push((key.as_str().unwrap().to_string(), value.to_string()));
    }
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = bin.join("docker");
    std::fs::write(
        &fake,
        "#!/bin/sh\n{ for a in \"$@\"; do printf '%s\\n' \"$a\"; done; echo '<end>'; } >>\"$LOG\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = dir.join("calls.log");
    let steps: Vec<&str> = ["before_script", "script"]
        .iter()
        .flat_map(|k| job[*k].as_vec().unwrap())
        .map(|s| s.as_str().unwrap())
        .collect();
    for step in &steps {
        let (code, out, err) = run(Command::new("sh")
            .args(["-ec", step])
            .current_dir(&dir)
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("LOG", &log)
            .envs(env.iter().map(|(k, v)| (k, v))));
        assert_eq!(code, 0, "{step}:\n{out}{err}");
    }
    let calls: Vec<Vec<String>> = std::fs::read_to_string(&log)
        .unwrap()
        .split("<end>\n")
        .filter(|c| !c.is_empty())
        .map(|c| c.lines().map(str::to_string).collect())
        .collect();
    let want: Vec<Vec<&str>> = vec![
        vec![
            "login",
            "--username",
            "gitlab-ci-token",
            "--password-stdin",
            "registry.gitlab.example",
        ],
        vec![
            "context",
            "create",
            "dind",
            "--docker",
            "host=tcp://docker:2376,ca=/certs/client/ca.pem,cert=/certs/client/cert.pem,key=/certs/client/key.pem",
        ],
        vec![
            "buildx",
            "create",
            "--use",
            "--name",
            "cross",
            "--driver",
            "docker-container",
            "dind",
        ],
        vec![
            "buildx",
            "build",
            "--platform",
            "linux/amd64,linux/arm/v7",
            "--cache-from",
            "type=registry,ref=registry.gitlab.example/me/app:buildcache",
            "--cache-to",
            "type=registry,ref=registry.gitlab.example/me/app:buildcache,mode=max",
            "--tag",
            "registry.gitlab.example/me/app:main",
            "--push",
            ".",
        ],
    ];
    assert_eq!(calls, want, "{text}");
    // The certificates the context names are where the dind service shares them.
    assert_eq!(
        job["variables"]["DOCKER_TLS_CERTDIR"].as_str(),
        Some("/certs")
    );
}

/// README's "In a Dockerfile" snippet builds as written: every `COPY --from=` names a stage defined above
/// it, and the mab stage pulls the image the generated Dockerfiles pull by default.
#[test]
fn readme_snippet_has_the_stages_it_copies_from() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme.find("\n## In a Dockerfile\n").expect("the section")..];
    let start =
        section.find("```dockerfile\n").expect("a dockerfile block") + "```dockerfile\n".len();
    let snippet = &section[start..start + section[start..].find("```").unwrap()];
    let parsed = Dockerfile::parse(snippet).unwrap_or_else(|e| panic!("{e}\n{snippet}"));
    let mut stages: Vec<(String, String)> = Vec::new();
    let mut copies = 0;
    for instruction in &parsed.instructions {
        if let Some(from) = instruction.as_from() {
            if let Some(alias) = &from.alias {
                stages.push((alias.content.clone(), from.image.content.clone()));
            }
        } else if let dockerfile_parser::Instruction::Copy(copy) = instruction {
            for flag in copy.flags.iter().filter(|f| f.name.content == "from") {
                copies += 1;
                assert!(
                    stages.iter().any(|(name, _)| *name == flag.value.content),
                    "COPY --from={} names no stage above it:\n{snippet}",
                    flag.value.content
                );
            }
        }
    }
    assert!(copies > 0, "{snippet}");
    let generated = dockerfile(&examples_dir().join("go-hello"), &[]);
    let default_image = generated
        .lines()
        .find_map(|l| l.strip_prefix("ARG MAB_IMAGE="))
        .expect("ARG MAB_IMAGE in a generated Dockerfile");
    let mab = stages
        .iter()
        .find(|(name, _)| name == "mab")
        .map(|(_, image)| image);
    assert_eq!(mab.map(String::as_str), Some(default_image), "{snippet}");
}

/// `-f` names the Dockerfile bake, ci and publish build (as `gen dockerfile -o` writes it); a folder with
/// neither that file nor a project is an error, and so is a platform that is not Linux.
#[test]
fn bake_ci_and_publish_build_the_named_dockerfile_and_refuse_what_cannot_build() {
    let dir = copy_example("go-hello", "file");
    stdout(&mut gen(&dir, &["dockerfile", "-o", "Dockerfile.cross"]));
    let publish = [
        "publish",
        "--image",
        "localhost/app",
        "--platforms",
        "linux/arm64",
    ];
    let hcl = stdout(&mut gen(
        &dir,
        &["bake", "--print", "-f", "Dockerfile.cross"],
    ));
    assert!(hcl.contains("dockerfile = \"Dockerfile.cross\""), "{hcl}");
    let github = stdout(&mut gen(
        &dir,
        &["ci", "github", "--print", "--file", "Dockerfile.cross"],
    ));
    let doc = &yaml_rust2::YamlLoader::load_from_str(&github).unwrap()[0];
    let build = doc["jobs"]["image"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("docker/build-push-action@"))
        })
        .unwrap();
    assert_eq!(
        build["with"]["file"].as_str(),
        Some("Dockerfile.cross"),
        "{github}"
    );
    let gitlab = stdout(&mut gen(
        &dir,
        &["ci", "gitlab", "--print", "-f", "Dockerfile.cross"],
    ));
    assert!(
        gitlab.contains("--file 'Dockerfile.cross'") || gitlab.contains("--file Dockerfile.cross"),
        "{gitlab}"
    );
    for engine in ["docker", "podman", "buildx"] {
        let script = stdout(&mut gen(
            &dir,
            &[
                &publish[..],
                &["--engine", engine, "--print", "-f", "Dockerfile.cross"],
            ]
            .concat(),
        ));
        assert!(
            script.contains("--file Dockerfile.cross "),
            "{engine}:\n{script}"
        );
    }
    // The default is Dockerfile, which this project does not have yet: a note, not an error.
    let (code, _, err) = run(&mut gen(&dir, &["bake", "--print"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("no Dockerfile yet"), "{err}");

    let empty = scratch("file-empty");
    for args in [
        &["bake", "--print"][..],
        &["ci", "github", "--print"],
        &["ci", "gitlab", "--print"],
        &[&publish[..], &["--engine", "docker", "--print"]].concat(),
    ] {
        let (code, out, err) = run(&mut gen(&empty, args));
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("has no Dockerfile to build, and no project"),
            "{args:?}: {err}"
        );
    }
    assert!(
        std::fs::read_dir(&empty).unwrap().next().is_none(),
        "nothing written"
    );

    for platforms in ["linux/amd64,windows/amd64", "windows/arm64"] {
        for args in [
            &["bake", "--print"][..],
            &["ci", "github", "--print"],
            &[
                "publish",
                "--image",
                "localhost/app",
                "--engine",
                "buildx",
                "--print",
            ],
        ] {
            let (code, _, err) = run(&mut gen(
                &dir,
                &[args, &["--platforms", platforms]].concat(),
            ));
            assert_eq!(code, 2, "{args:?} {platforms}: {err}");
            assert!(err.contains("is not a Linux platform"), "{args:?}: {err}");
        }
    }
}

/// A project's own .dockerignore is kept and mab's lines are added under a marker (none removed, twice
/// the same); --force replaces it. The written one keeps dist/ (the export stage's output) and .env out.
#[test]
fn dockerignore_is_merged_not_blocked() {
    let dir = copy_example("go-hello", "ignore");
    std::fs::write(dir.join(".dockerignore"), "node_modules\n# mine\n.git").unwrap();
    let (code, _, err) = run(&mut gen(&dir, &["dockerfile"]));
    assert_eq!(code, 0, "{err}");
    assert!(dir.join("Dockerfile").is_file());
    let merged = std::fs::read_to_string(dir.join(".dockerignore")).unwrap();
    assert!(
        merged.starts_with("node_modules\n# mine\n.git\n"),
        "{merged}"
    );
    assert!(
        merged.contains("\n# Added by `mab gen dockerfile`"),
        "{merged}"
    );
    for line in ["dist", ".env", "Dockerfile", ".dockerignore"] {
        assert!(merged.lines().any(|l| l == line), "{line}:\n{merged}");
    }
    assert_eq!(merged.matches(".git\n").count(), 1, "{merged}");
    // A second run adds nothing; --force replaces the whole ignore file.
    std::fs::remove_file(dir.join("Dockerfile")).unwrap();
    stdout(&mut gen(&dir, &["dockerfile"]));
    assert_eq!(
        std::fs::read_to_string(dir.join(".dockerignore")).unwrap(),
        merged
    );
    stdout(&mut gen(&dir, &["dockerfile", "--force"]));
    let forced = std::fs::read_to_string(dir.join(".dockerignore")).unwrap();
    assert!(!forced.contains("node_modules"), "{forced}");
    assert!(
        forced.lines().any(|l| l == "dist") && forced.lines().any(|l| l == ".env"),
        "{forced}"
    );
}

/// A name no table or index maps is said in the Dockerfile's header and on stderr, never dropped; -l in a
/// recipe line counts like one in a variable.
#[test]
fn unmapped_names_are_said_not_dropped() {
    let dir = project(
        "unmapped",
        &[
            (
                "Makefile",
                "LIBS = -lm\n\nsqueeze: squeeze.o\n\t$(CC) -o $@ $^ $(LIBS) -lz -lnosuchlib_mab\n",
            ),
            ("squeeze.c", "int main(void) { return 0; }\n"),
        ],
    );
    let (code, out, err) = run(&mut gen(
        &dir,
        &["dockerfile", "--print", "--debian", "bookworm"],
    ));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("target package zlib1g-dev (-lz in Makefile:4)"),
        "{out}"
    );
    assert!(
        out.contains("no bookworm package found for -lnosuchlib_mab in Makefile:4"),
        "{out}"
    );
    assert!(
        err.contains("mab: warning: no package found for -lnosuchlib_mab in Makefile:4"),
        "{err}"
    );
}
