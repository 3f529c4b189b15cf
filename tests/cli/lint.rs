//! `mab lint`: exit codes as hadolint's, the three output formats, and unreadable or garbage files named.

use crate::common::*;

fn write(name: &str, text: &str) -> std::path::PathBuf {
    let dir = temp_path(&format!("lint-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("Dockerfile");
    std::fs::write(&path, text).unwrap();
    path
}

const EMULATED: &str = "FROM golang:1.23 AS build\nCOPY . .\nRUN go build -o /app .\n\
                        FROM scratch\nCOPY --from=build /app /app\n";

#[test]
fn exit_codes_follow_the_threshold() {
    let path = write("emulated", EMULATED);
    let (code, out, err) = run(mab().arg("lint").arg(&path));
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(":3 MAB001 warning: `go build` runs in stage build"),
        "{out}"
    );
    assert!(out.contains("  fix: "), "{out}");
    let (code, ..) = run(mab()
        .args(["lint", "--failure-threshold", "error"])
        .arg(&path));
    assert_eq!(code, 0);
    // The default file is ./Dockerfile.
    let (code, out, _) = run(mab().arg("lint").current_dir(path.parent().unwrap()));
    assert_eq!(code, 1);
    assert!(out.starts_with("Dockerfile:3 MAB001"), "{out}");
}

#[test]
fn json_and_sarif_say_the_same_findings() {
    let path = write("formats", EMULATED);
    let json = stdout(
        mab()
            .args(["lint", "--failure-threshold", "none", "--format", "json"])
            .arg(&path),
    );
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json[0]["rule"], "MAB001");
    assert_eq!(json[0]["line"], 3);
    assert_eq!(json[0]["level"], "warning");
    assert_eq!(json[0]["file"], path.display().to_string());
    let sarif = stdout(
        mab()
            .args(["lint", "--failure-threshold", "none", "--format", "sarif"])
            .arg(&path),
    );
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 9);
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "MAB001");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
}

#[test]
fn unreadable_and_garbage_files_are_named_and_the_rest_still_linted() {
    let good = write("good", EMULATED);
    let garbage = write("garbage", "\u{7f}ELF not a Dockerfile\n");
    let (code, out, err) = run(mab()
        .arg("lint")
        .arg(&garbage)
        .arg("/nonexistent/Dockerfile")
        .arg(&good));
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(&format!("{}: not a Dockerfile", garbage.display())),
        "{err}"
    );
    assert!(err.contains("/nonexistent/Dockerfile: "), "{err}");
    assert!(out.contains("MAB001"), "{out}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn fix_rewrites_what_is_safe_and_comments_the_rest() {
    let path = write("fix", &EMULATED.replace("RUN go", "RUN CGO_ENABLED=0 go"));
    let (code, out, err) = run(mab().args(["lint", "--fix"]).arg(&path));
    assert_eq!(code, 0, "{out}{err}");
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert!(
        fixed.contains("FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n"),
        "{fixed}"
    );
    assert!(
        fixed.contains("RUN CGO_ENABLED=0 mab go build -o /app .\n"),
        "{fixed}"
    );
    assert!(
        err.contains("line 3: go cross-compiles for TARGETPLATFORM as `mab go`"),
        "{err}"
    );
    // A second --fix changes nothing.
    let (code, _, err) = run(mab().args(["lint", "--fix"]).arg(&path));
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), fixed);
    // What cannot be fixed safely stays, with a comment, and still fails.
    let single = write("fix-single", "FROM rust\nRUN cargo build --release\n");
    let (code, out, _) = run(mab().args(["lint", "--fix"]).arg(&single));
    assert_eq!(code, 1, "{out}");
    let text = std::fs::read_to_string(&single).unwrap();
    assert!(
        text.starts_with("FROM rust\n# mab lint MAB001 (not fixed automatically): "),
        "{text}"
    );
}
