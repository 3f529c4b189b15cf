//! `mab doctor` on a machine with no engine: PATH is an empty directory, so no docker, podman, qemu, dpkg
//! or apt-mark is found (binfmt_misc and the disk are still the real machine's).

use crate::common::*;
use std::process::Command;

fn without_programs() -> Command {
    let empty = temp_path("doctor-empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let mut cmd = mab();
    cmd.arg("doctor")
        .env("PATH", &empty)
        .env_remove("DOCKER_HOST");
    cmd
}

#[test]
fn doctor_without_an_engine_fails_naming_what_to_install_in_text_and_json() {
    let (code, out, err) = run(&mut without_programs());
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("fail docker: "))
        .unwrap_or_else(|| panic!("no failed docker line:\n{out}"));
    let fix = lines[at + 1];
    assert!(fix.starts_with("  fix: install "), "{fix}");
    assert!(fix.contains("apt-get install docker.io"), "{fix}");
    assert!(fix.contains("podman"), "{fix}");
    // Every check has its line, and each is ok, warn or fail.
    let checks: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.starts_with("  fix: "))
        .collect();
    assert_eq!(checks.len(), 10, "{out}");
    for line in checks {
        assert!(
            ["ok   ", "warn ", "fail "]
                .iter()
                .any(|s| line.starts_with(s)),
            "{line}"
        );
    }

    let (code, out, err) = run(without_programs().arg("--json"));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let checks = json.as_array().unwrap();
    assert_eq!(checks.len(), 10);
    for check in checks {
        let keys: Vec<&str> = check
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["name", "status", "detail", "fix"]);
    }
    let docker = &checks[0];
    assert_eq!(docker["name"], "docker");
    assert_eq!(docker["status"], "fail");
    assert!(docker["fix"].as_str().unwrap().contains("install"));
    assert_eq!(checks[5]["name"], "podman");
    assert_eq!(checks[5]["detail"], "not installed");
}
