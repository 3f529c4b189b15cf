//! Hostile values through every variable `mab info` and `xx-info` read. Each must give a clear error
//! (exit 2, one line, nothing on stdout) or output that is provably inert: `eval` in a real shell runs
//! nothing and defines exactly the variables printed, each with the exact value.

use crate::common::*;
use std::process::Command;

/// Quotes, command substitution, backticks, newlines, `;`, globbing, look-alike letters, paths, length.
fn hostile(canary: &str) -> Vec<String> {
    vec![
        format!("x'$(touch {canary})'"),
        format!("x\"$(touch {canary})\""),
        format!("`touch {canary}`"),
        format!("linux/arm64;touch {canary}"),
        format!("linux/arm64\ntouch {canary}"),
        format!("$(touch {canary})"),
        "linux/аrm64".to_string(), // Cyrillic а
        "../../etc/passwd".to_string(),
        "*".to_string(),
        "a b".to_string(),
        "x\\".to_string(),
        "'".to_string(),
        "a".repeat(10_000),
    ]
}

/// Runs `eval "$(program env)"` in sh and prints every variable the output named, with its value,
/// NUL-separated; the canary file must not appear.
fn eval_in_sh(
    program: &std::path::Path,
    args: &[&str],
    var: &str,
    value: &str,
    names: &[String],
) -> Vec<(String, String)> {
    let script = format!(
        "out=$(\"$0\" {}) || exit 9; eval \"$out\" || exit 8; for n in {}; do eval \"printf '%s=%s\\0' \\\"\\$n\\\" \\\"\\${{$n}}\\\"\"; done",
        args.join(" "),
        names.join(" ")
    );
    let mut sh = clean(Command::new("sh"));
    sh.env(var, value).args(["-c", &script]).arg(program);
    let output = sh.output().unwrap();
    assert!(
        output.status.success(),
        "{var}={value:?}: eval failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .split('\0')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// The `KEY=value` lines, parsed back as sh would (single-quoted words unquoted).
fn printed(out: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut rest = out;
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=').expect("KEY=value");
        let (value, tail) = if let Some(quoted) = after.strip_prefix('\'') {
            // A quoted word ends at a ' followed by a newline or the end (inner quotes are '\'' ).
            let mut value = String::new();
            let mut s = quoted;
            loop {
                let end = s.find('\'').expect("closing quote");
                value.push_str(&s[..end]);
                s = &s[end + 1..];
                if let Some(next) = s.strip_prefix("\\''") {
                    value.push('\'');
                    s = next;
                } else {
                    break;
                }
            }
            (value, s.strip_prefix('\n').unwrap_or(s))
        } else {
            let (v, t) = after.split_once('\n').unwrap_or((after, ""));
            (v.to_string(), t)
        };
        pairs.push((key.to_string(), value));
        rest = tail;
    }
    pairs
}

/// Returns how many (variable, value) pairs were accepted and checked through `eval`.
fn check(program: &std::path::Path, args: &[&str], strict: bool) -> usize {
    let mut evaluated = 0;
    let canary = temp_path(&format!("canary-{strict}"));
    let canary_str = canary.to_str().unwrap();
    for var in mab::core::info::input_vars() {
        for value in hostile(canary_str) {
            let (code, out, err) = run(clean(Command::new(program)).env(var, &value).args(args));
            assert!(!canary.exists(), "{var}={value:?} ran a command");
            if code != 0 {
                assert!(
                    strict || ["TARGETPLATFORM", "TARGETPAIR"].contains(&var) || code == 1,
                    "{var}={value:?}: {err}"
                );
                assert_eq!(code, if strict { 2 } else { 1 }, "{var}={value:?}: {err}");
                assert!(
                    out.is_empty() || !strict,
                    "{var}={value:?}: stdout on error: {out}"
                );
                assert!(
                    !err.trim().is_empty() && (err.lines().count() == 1 || err.len() > 10_000),
                    "{var}={value:?}: {err}"
                );
                continue;
            }
            let want = printed(&out);
            let names: Vec<String> = want.iter().map(|(k, _)| k.clone()).collect();
            assert!(names.iter().all(|n| n
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')));
            let got = eval_in_sh(program, args, var, &value, &names);
            assert!(!canary.exists(), "{var}={value:?}: eval ran a command");
            assert_eq!(
                got, want,
                "{var}={value:?}: eval gave other values than printed"
            );
            if ["XX_VENDOR", "XX_LIBC"].contains(&var) {
                assert!(
                    want.iter().any(|(k, v)| k == var && *v == value),
                    "{var} keeps its exact value"
                );
            }
            evaluated += 1;
        }
    }
    evaluated
}

#[test]
fn mab_info_env_is_an_error_or_inert() {
    // mab info refuses every one of them, TARGETVARIANT alone too (a variant of the build machine's
    // arch, which no hostile value is).
    let evaluated = check(&crate::common::mab_path(), &["info", "env"], true);
    assert_eq!(evaluated, 0);
}

#[test]
fn xx_info_env_is_an_error_or_inert() {
    let dir = temp_path("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("xx-info");
    if !link.exists() {
        std::os::unix::fs::symlink(crate::common::mab_path(), &link).unwrap();
    }
    // xx-info takes XX_VENDOR and XX_LIBC as they are: each hostile value must come back intact and inert.
    let evaluated = check(&link, &["env"], false);
    assert!(
        evaluated >= 2 * hostile("c").len(),
        "only {evaluated} values reached eval"
    );
}
