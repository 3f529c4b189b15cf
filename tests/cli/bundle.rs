//! `mab bundle`: a program cross-compiled for arm64 against a shared library of its own (one no base image
//! has) gets its loader and every library it needs copied into a root, and runs under qemu-user with that
//! root alone as its library prefix; a library that cannot be found stops the build, named.

use crate::common::*;
use std::path::{Path, PathBuf};

fn work(name: &str) -> PathBuf {
    let dir = temp_path(&format!("bundle-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn clang(args: &[&str], dir: &Path) {
    let (code, _, err) = run(mab()
        .arg("clang")
        .env("TARGETPLATFORM", "linux/arm64")
        .env_remove("MAB_CC")
        .current_dir(dir)
        .args(args));
    assert_eq!(code, 0, "mab clang {args:?}: {err}");
}

/// libgreet.so.1 and a program that needs it, built for arm64 in `dir` (the library in dir/lib).
fn build(dir: &Path) -> PathBuf {
    std::fs::write(
        dir.join("greet.c"),
        "#include <stdio.h>\nvoid greet(void) { puts(\"greet arm64\"); }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("app.c"),
        "void greet(void);\nint main(void) { greet(); return 0; }\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    clang(
        &[
            "-shared",
            "-fPIC",
            "-Wl,-soname,libgreet.so.1",
            "-o",
            "lib/libgreet.so.1",
            "greet.c",
        ],
        dir,
    );
    clang(
        &[
            "-o",
            "app",
            "app.c",
            "lib/libgreet.so.1",
            "-Wl,-rpath,$ORIGIN/lib",
        ],
        dir,
    );
    dir.join("app")
}

fn bundle(app: &Path, to: &Path) -> (i32, String, String) {
    run(mab()
        .args(["bundle", "--platform", "linux/arm64", "--to"])
        .arg(to)
        .arg(app))
}

#[test]
fn the_closure_runs_alone() {
    require_tool("clang", &[]);
    let dir = work("closure");
    let app = build(&dir);
    let root = dir.join("rootfs");
    let (code, _, err) = bundle(&app, &root);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("libgreet.so.1") && err.contains("libc.so.6"),
        "{err}"
    );
    for file in [
        "lib/ld-linux-aarch64.so.1",
        "usr/lib/aarch64-linux-gnu/libc.so.6",
        "usr/lib/aarch64-linux-gnu/libgreet.so.1",
    ] {
        assert!(root.join(file).is_file(), "{file} missing from the bundle");
    }
    // The program placed as the image places it, away from its build directory's lib/.
    let bin = root.join("usr/local/bin/app");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::copy(&app, &bin).unwrap();
    let out = run_under_qemu("aarch64", None, Some(&root), &bin).expect("qemu-user is installed");
    assert_eq!(out, "greet arm64");
}

#[test]
fn a_missing_library_is_named() {
    require_tool("clang", &[]);
    let dir = work("missing");
    let app = build(&dir);
    std::fs::remove_file(dir.join("lib/libgreet.so.1")).unwrap();
    let (code, _, err) = bundle(&app, &dir.join("rootfs"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("libgreet.so.1 (needed by") && err.contains("mab apt-get install"),
        "{err}"
    );
    // A static program needs nothing.
    let hello = dir.join("hello.c");
    std::fs::write(&hello, "int main(void) { return 0; }\n").unwrap();
    clang(&["-static", "-o", "hello", "hello.c"], &dir);
    let (code, _, err) = bundle(&dir.join("hello"), &dir.join("static-root"));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("statically linked"), "{err}");
}

/// An arm64 program bundled for amd64: the program is for another CPU, and the error says so rather than
/// sending the user to install amd64's C library.
#[test]
fn a_program_for_another_cpu_is_named() {
    require_tool("clang", &[]);
    let dir = work("other-cpu");
    let app = build(&dir);
    let (code, _, err) = run(mab()
        .args(["bundle", "--platform", "linux/amd64", "--to"])
        .arg(dir.join("rootfs"))
        .arg(&app));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("is a program for linux/arm64") && err.contains("not for linux/amd64"),
        "{err}"
    );
    assert!(!err.contains("apt-get"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
