//! `mab completions SHELL` and `mab man`: generated from the clap definitions, they hold every
//! subcommand, including the raw-argument ones (cc, clang, pkg-config, ...) that bypass clap, and the
//! manual names the xx-* programs.

use crate::common::{mab, require_tool, run, stdout, temp_path};
use std::process::Command;

/// The subcommands `mab --help` lists, plus the raw-argument ones its text names (`mab cc ARGS`, ...).
fn subcommands() -> Vec<String> {
    let help = stdout(mab().arg("--help"));
    let mut names: Vec<String> = help
        .split("Commands:")
        .nth(1)
        .expect("a Commands section")
        .lines()
        .skip(1)
        .map_while(|l| l.strip_prefix("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect();
    assert!(names.len() >= 15, "{help}");
    names.extend(["cc", "c++", "clang", "clang++", "pkg-config", "windres"].map(String::from));
    names
}

/// What bash does on `mab ma<TAB>`: the completion function fills COMPREPLY.
const COMPLETE_MA: &str =
    r#"COMP_WORDS=(mab ma); COMP_CWORD=1; _mab mab ma mab; echo "${COMPREPLY[*]}""#;

#[test]
fn every_shell_completes_every_subcommand() {
    let names = subcommands();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout(mab().args(["completions", shell]));
        for name in &names {
            assert!(script.contains(name.as_str()), "{shell}: no {name}");
        }
        assert!(script.contains("--platform"), "{shell}: options too");
    }
    // The bash script is valid bash, and completes `mab ma` to man and manifest.
    let script = stdout(mab().args(["completions", "bash"]));
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("{script}\n{COMPLETE_MA}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = String::from_utf8_lossy(&out.stdout);
    let mut got: Vec<&str> = got.split_whitespace().collect();
    got.sort();
    assert_eq!(got, ["man", "manifest"]);
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let (code, _, err) = run(mab().args(["completions", "tcsh"]));
    assert_eq!(code, 2);
    assert!(err.contains("bash") && err.contains("powershell"), "{err}");
}

#[test]
fn the_manual_lists_every_subcommand_and_the_xx_names() {
    let page = stdout(mab().arg("man"));
    assert!(page.contains(".TH mab 1"), "{page}");
    for name in subcommands() {
        let roff = format!("mab\\-{}(1)", name.replace('-', "\\-"));
        assert!(page.contains(&roff), "no {roff}");
    }
    for name in [
        "xx\\-info",
        "xx\\-verify",
        "xx\\-go",
        "xx\\-cargo",
        "xx\\-apt\\-get",
        "xx\\-clang++",
    ] {
        assert!(page.contains(name), "no {name}");
    }
    assert!(page.contains("<triple>\\-pkg\\-config"));
    let sub = stdout(mab().args(["man", "gen"]));
    assert!(
        sub.contains(".TH mab-gen 1") && sub.contains(env!("CARGO_PKG_VERSION")),
        "{sub}"
    );
    let (code, _, err) = run(mab().args(["man", "nope"]));
    assert_eq!(code, 2);
    assert!(err.contains("no subcommand \"nope\""), "{err}");

    // groff reads it without a warning.
    let Some(groff) = require_tool("groff", &[]) else {
        return;
    };
    let file = temp_path("mab.1");
    std::fs::write(&file, &page).unwrap();
    let out = Command::new(groff)
        .args(["-man", "-ww", "-z"])
        .arg(&file)
        .output()
        .unwrap();
    std::fs::remove_file(&file).unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
