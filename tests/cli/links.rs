//! `mab links DIR`: xx's names as relative symlinks to mab, and nothing that would shadow a real compiler.

use crate::common::{mab, mab_path, run, stdout, temp_path};
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let dir = temp_path(&format!("links-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn links_are_xx_names_that_run_mab() {
    let dir = scratch("ok");
    std::fs::copy(mab_path(), dir.join("mab")).unwrap();
    stdout(mab().arg("links").arg(&dir));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(names.contains(&"xx-info".to_string()), "{names:?}");
    // Plain cc/clang links would shadow the real compilers wherever the directory lands on PATH.
    assert!(
        names.iter().all(|n| n == "mab" || n.starts_with("xx-")),
        "{names:?}"
    );
    for name in names.iter().filter(|n| *n != "mab") {
        // Relative, so the links survive `COPY --from=mab /usr/bin/ /usr/local/bin/`.
        assert_eq!(
            std::fs::read_link(dir.join(name)).unwrap(),
            PathBuf::from("mab")
        );
    }
    let arch = stdout(
        std::process::Command::new(dir.join("xx-info"))
            .arg("arch")
            .env("TARGETPLATFORM", "linux/arm64"),
    );
    assert_eq!(arch, "arm64");
    // A second run finds them right; a file of one of the names that is not the link is kept, unless
    // told to replace it.
    stdout(mab().arg("links").arg(&dir));
    std::fs::remove_file(dir.join("xx-info")).unwrap();
    std::fs::write(dir.join("xx-info"), "#!/bin/sh\n").unwrap();
    let (code, _, err) = run(mab().arg("links").arg(&dir));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("xx-info exists") && err.contains("--force"),
        "{err}"
    );
    stdout(mab().arg("links").arg("--force").arg(&dir));
    assert_eq!(
        std::fs::read_link(dir.join("xx-info")).unwrap(),
        PathBuf::from("mab")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A directory without mab would get links that lead nowhere: refused, and nothing made.
#[test]
fn links_needs_mab_in_the_directory() {
    let dir = scratch("no-mab");
    let (code, _, err) = run(mab().arg("links").arg(&dir));
    assert_eq!(code, 2);
    assert!(err.contains("holds no mab"), "{err}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn links_needs_a_directory() {
    let (code, _, err) = run(mab().arg("links").arg("/nonexistent/mab-links"));
    assert_eq!(code, 2);
    assert!(err.contains("not a directory"), "{err}");
}
