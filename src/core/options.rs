//! mab's own options among a wrapped tool's arguments (`mab go`, `mab cargo`, `xx-go`, `xx-cargo`), by one
//! rule: they are taken anywhere before the first `--`, in the forms `--name`, `--name VALUE` and
//! `--name=VALUE`; everything else, `--` and what follows it, is the tool's, in order.

use std::ffi::OsString;
use std::fmt;

/// The options one wrapper takes: flags, and options with a value (with an example for the error).
pub struct Spec {
    pub flags: &'static [&'static str],
    pub valued: &'static [(&'static str, &'static str)],
}

/// What was picked out of the arguments.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    flags: Vec<&'static str>,
    values: Vec<(&'static str, String)>,
    /// The tool's arguments.
    pub rest: Vec<OsString>,
}

impl Options {
    pub fn flag(&self, name: &str) -> bool {
        self.flags.contains(&name)
    }

    /// The option's value; the last one given wins, as in most tools.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An option that needs a value came last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingValue {
    pub name: &'static str,
    pub example: &'static str,
}

impl fmt::Display for MissingValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} needs a value such as {}", self.name, self.example)
    }
}

impl std::error::Error for MissingValue {}

pub fn parse(args: &[OsString], spec: &Spec) -> Result<Options, MissingValue> {
    let mut out = Options::default();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let Some(s) = arg.to_str() else {
            out.rest.push(arg.clone());
            continue;
        };
        if s == "--" {
            out.rest.push(arg.clone());
            out.rest.extend(rest.cloned());
            break;
        }
        let (name, inline) = match s.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (s, None),
        };
        if let Some(flag) = spec.flags.iter().find(|f| **f == s) {
            out.flags.push(flag);
        } else if let Some((name, example)) = spec.valued.iter().find(|(n, _)| *n == name) {
            let value = match inline {
                Some(v) => v,
                None => rest
                    .next()
                    .and_then(|v| v.to_str())
                    .map(str::to_string)
                    .ok_or(MissingValue { name, example })?,
            };
            out.values.push((name, value));
        } else {
            out.rest.push(arg.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec {
        flags: &["--print-env"],
        valued: &[("--platform", "linux/arm64")],
    };

    fn args(s: &[&str]) -> Vec<OsString> {
        s.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_anywhere_before_the_double_dash() {
        let o = parse(
            &args(&[
                "build",
                "--platform",
                "linux/arm64",
                "-o",
                "x",
                "--print-env",
                "--",
                "--platform=y",
            ]),
            &SPEC,
        )
        .unwrap();
        assert!(o.flag("--print-env"));
        assert_eq!(o.value("--platform"), Some("linux/arm64"));
        assert_eq!(o.rest, args(&["build", "-o", "x", "--", "--platform=y"]));
        let o = parse(&args(&["--platform=linux/riscv64", "version"]), &SPEC).unwrap();
        assert_eq!(o.value("--platform"), Some("linux/riscv64"));
        assert!(!o.flag("--print-env"));
        assert_eq!(o.rest, args(&["version"]));
    }

    #[test]
    fn a_missing_value_says_what_to_give() {
        let err = parse(&args(&["env", "--platform"]), &SPEC).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--platform needs a value such as linux/arm64"
        );
    }
}
