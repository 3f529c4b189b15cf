//! `mab lint --fix`: the rewrites that keep what a Dockerfile builds, as line edits on its text, and a
//! comment above each warning or error it leaves, saying what to do by hand.
//!
//! Safe, and done: a Go build stage that a later stage copies from is pinned to the build machine and
//! cross-compiles with `mab go` (MAB001; MAB003 in an already pinned stage, since `mab go` sets GOARM),
//! with a stage for mab's image at the top; platform ARGs used undeclared get their `ARG` (MAB004). Not
//! safe, so commented: any other compile on the target (the tool, its output paths and its libraries all
//! change), literal platforms, build-machine binaries, cgo left unset (static or dynamic is the user's
//! choice).

use super::{findings, stages, Level, LintError, Runs, Stage};
use std::collections::{BTreeMap, BTreeSet};

pub struct Fixed {
    pub text: String,
    /// One line per change, for the user.
    pub changes: Vec<String>,
}

const MAB_STAGE: &str = "mab";

/// Line edits by 1-based line: lines to put before it, its replacement, lines to put after it.
#[derive(Default)]
struct Edits {
    before: BTreeMap<usize, Vec<String>>,
    replace: BTreeMap<usize, String>,
    after: BTreeMap<usize, Vec<String>>,
}

impl Edits {
    fn apply(&self, text: &str) -> String {
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            for l in self.before.get(&n).into_iter().flatten() {
                out.push_str(l);
                out.push('\n');
            }
            out.push_str(self.replace.get(&n).map_or(line, String::as_str));
            out.push('\n');
            for l in self.after.get(&n).into_iter().flatten() {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }
}

/// `go build` and `go install` as `mab go …`, where `go` is the command (not `mab go`, `xx-go` or a path).
fn with_mab_go(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = ["go build", "go install"]
        .iter()
        .filter_map(|p| rest.find(p))
        .min()
    {
        let before = &rest[..at];
        // The word before: none or RUN (the instruction's start), a separator, or NAME=value.
        let word = before.trim_end().rsplit([' ', '\t']).next().unwrap_or("");
        let starts_command = before.is_empty()
            || before.ends_with([' ', '\t'])
                && (word.is_empty()
                    || word.eq_ignore_ascii_case("RUN")
                    || word.ends_with(['&', '|', ';', '(', '{'])
                    || (word.contains('=') && !word.starts_with('-')));
        out.push_str(before);
        if starts_command {
            out.push_str("mab ");
        }
        out.push_str("go");
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

/// Whether a stage is a pure Go build that `mab go` can take over: every build step is `go`, cgo is not
/// asked for, the FROM is one line, and a later stage copies its output.
fn go_only(stage: &Stage, later: &[Stage]) -> bool {
    let mut steps = stage
        .runs
        .iter()
        .flat_map(|r| &r.commands)
        .filter(|c| super::is_build_step(c))
        .peekable();
    let all_go = steps.peek().is_some() && steps.all(|c| c.program == "go");
    let cgo = stage
        .runs
        .iter()
        .flat_map(|r| &r.commands)
        .any(|c| stage.value_for(c, "CGO_ENABLED").is_some_and(|v| v == "1"));
    let copied = later.iter().any(|s| {
        s.copies_from.iter().any(|(from, _)| {
            stage.name.as_deref() == Some(from) || *from == stage.index.to_string()
        })
    });
    all_go && !cgo && copied && stage.from_end_line == stage.line
}

pub fn fix(text: &str, mab_image: &str) -> Result<Fixed, LintError> {
    let stages = stages(text)?;
    let findings = findings(&stages);
    let lines: Vec<&str> = text.lines().collect();
    let mut edits = Edits::default();
    let mut changes = Vec::new();
    let mut fixed: BTreeSet<(&str, usize)> = BTreeSet::new();
    let has_mab_stage = stages.iter().any(|s| s.name.as_deref() == Some(MAB_STAGE));
    let mut needs_mab = false;
    for (i, stage) in stages.iter().enumerate() {
        let adopt = match stage.runs_on {
            Runs::Target => go_only(stage, &stages[i + 1..]),
            Runs::Build => stage.runs.iter().any(|r| {
                findings
                    .iter()
                    .any(|f| f.id == super::GOARM_MISSING.id && f.line == r.line)
            }),
            _ => false,
        };
        if !adopt || has_mab_stage {
            continue;
        }
        needs_mab = true;
        if stage.runs_on == Runs::Target {
            let Some(from) = lines.get(stage.line - 1) else {
                continue;
            };
            let at = from.to_ascii_uppercase().find("FROM").unwrap_or(0) + 4;
            edits.replace.insert(
                stage.line,
                format!("{} --platform=$BUILDPLATFORM{}", &from[..at], &from[at..]),
            );
            changes.push(format!(
                "line {}: stage {} runs on the build machine (--platform=$BUILDPLATFORM)",
                stage.line, stage.label
            ));
        }
        let after = edits.after.entry(stage.from_end_line).or_default();
        after.push(format!("COPY --from={MAB_STAGE} /usr/bin/ /usr/local/bin/"));
        if !stage.args.contains_key("TARGETPLATFORM") {
            after.push("ARG TARGETPLATFORM".to_string());
        }
        for run in &stage.runs {
            for n in run.line..=run.end_line {
                let line = edits
                    .replace
                    .get(&n)
                    .cloned()
                    .or_else(|| lines.get(n - 1).map(|l| l.to_string()))
                    .unwrap_or_default();
                let new = with_mab_go(&line);
                if new != line {
                    edits.replace.insert(n, new);
                    changes.push(format!(
                        "line {n}: go cross-compiles for TARGETPLATFORM as `mab go`"
                    ));
                }
            }
            for f in findings.iter().filter(|f| f.line == run.line) {
                if f.id == super::COMPILE_EMULATED.id || f.id == super::GOARM_MISSING.id {
                    fixed.insert((f.id, f.line));
                }
            }
        }
    }
    if needs_mab {
        let first = stages[0].line;
        edits.before.entry(first).or_default().extend([
            "# mab: cross-compiles the build stages for TARGETPLATFORM (mab go); it runs on the build machine."
                .to_string(),
            format!("FROM --platform=$BUILDPLATFORM {mab_image} AS {MAB_STAGE}"),
            String::new(),
        ]);
        changes.push(format!(
            "line {first}: a stage for mab's image ({mab_image})"
        ));
    }
    // Undeclared platform ARGs, declared at the top of their stage.
    for f in findings.iter().filter(|f| f.id == super::UNDECLARED_ARG.id) {
        let Some(stage) = stages.iter().rev().find(|s| s.line <= f.line) else {
            continue;
        };
        let Some(name) = f
            .message
            .split_whitespace()
            .next()
            .and_then(|w| w.strip_prefix('$'))
        else {
            continue;
        };
        let arg = format!("ARG {name}");
        let after = edits.after.entry(stage.from_end_line).or_default();
        if !after.contains(&arg) {
            after.push(arg);
            changes.push(format!(
                "line {}: ARG {name} declared in stage {}",
                stage.line, stage.label
            ));
        }
        fixed.insert((f.id, f.line));
    }
    // What is left gets a comment, once.
    for f in &findings {
        if f.level < Level::Warning || fixed.contains(&(f.id, f.line)) {
            continue;
        }
        let comment = format!("# mab lint {} (not fixed automatically): {}", f.id, f.fix);
        let already = f.line >= 2 && lines.get(f.line - 2).is_some_and(|l| l.trim() == comment);
        let before = edits.before.entry(f.line).or_default();
        if !already && !before.contains(&comment) {
            before.push(comment);
            changes.push(format!(
                "line {}: {} left as it is, with a comment",
                f.line, f.id
            ));
        }
    }
    let text = edits.apply(text);
    // The rewrite must still be a Dockerfile.
    stages_checked(&text)?;
    Ok(Fixed { text, changes })
}

fn stages_checked(text: &str) -> Result<(), LintError> {
    stages(text).map(|_| ()).map_err(|e| {
        LintError(format!(
            "the fixed text does not parse ({e}); nothing was written"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lint::lint;

    const IMAGE: &str = "ghcr.io/mab-build/mab:0.1";

    const SLOW_GO: &str = "# syntax=docker/dockerfile:1\n\
                           FROM golang:1.23 AS build\n\
                           WORKDIR /src\n\
                           COPY . .\n\
                           RUN CGO_ENABLED=0 go build -o /app . && go vet ./...\n\
                           FROM scratch\n\
                           COPY --from=build /app /app\n";

    #[test]
    fn a_go_build_stage_is_pinned_and_cross_compiles_with_mab() {
        let fixed = fix(SLOW_GO, IMAGE).unwrap();
        assert_eq!(
            fixed.text,
            "# syntax=docker/dockerfile:1\n\
             # mab: cross-compiles the build stages for TARGETPLATFORM (mab go); it runs on the build machine.\n\
             FROM --platform=$BUILDPLATFORM ghcr.io/mab-build/mab:0.1 AS mab\n\
             \n\
             FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n\
             COPY --from=mab /usr/bin/ /usr/local/bin/\n\
             ARG TARGETPLATFORM\n\
             WORKDIR /src\n\
             COPY . .\n\
             RUN CGO_ENABLED=0 mab go build -o /app . && go vet ./...\n\
             FROM scratch\n\
             COPY --from=build /app /app\n"
        );
        let left: Vec<_> = lint(&fixed.text)
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(left, ["MAB009"]);
        // Without CGO_ENABLED, the choice is left to the user, now named (MAB007).
        let unset = fix(&SLOW_GO.replace("CGO_ENABLED=0 ", ""), IMAGE).unwrap();
        let left: Vec<_> = lint(&unset.text)
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(left, ["MAB009", "MAB007"]);
        // Fixing again changes nothing.
        let again = fix(&fixed.text, IMAGE).unwrap();
        assert_eq!(again.text, fixed.text);
        assert!(again.changes.is_empty(), "{:?}", again.changes);
    }

    #[test]
    fn what_is_not_safe_gets_a_comment_once() {
        let single = "FROM golang\nRUN go build -o /app .\nENTRYPOINT [\"/app\"]\n";
        let fixed = fix(single, IMAGE).unwrap();
        assert!(
            fixed
                .text
                .starts_with("FROM golang\n# mab lint MAB001 (not fixed automatically): "),
            "{}",
            fixed.text
        );
        assert_eq!(fix(&fixed.text, IMAGE).unwrap().text, fixed.text);
        let rust =
            "FROM rust AS build\nRUN cargo build --release\nFROM debian\nCOPY --from=build /t /t\n";
        assert!(fix(rust, IMAGE).unwrap().text.contains("# mab lint MAB001"));
    }

    #[test]
    fn undeclared_args_are_declared_at_the_top_of_their_stage() {
        let text = "FROM alpine\nRUN echo $TARGETARCH\nCOPY x/$TARGETOS /x\n";
        let fixed = fix(text, IMAGE).unwrap();
        assert_eq!(
            fixed.text,
            "FROM alpine\nARG TARGETARCH\nARG TARGETOS\nRUN echo $TARGETARCH\nCOPY x/$TARGETOS /x\n"
        );
    }

    #[test]
    fn only_the_go_command_becomes_mab_go() {
        for (line, want) in [
            ("RUN go build .", "RUN mab go build ."),
            (
                "RUN cd x && go install ./cmd/y",
                "RUN cd x && mab go install ./cmd/y",
            ),
            ("RUN GOOS=linux go build .", "RUN GOOS=linux mab go build ."),
            ("RUN mab go build .", "RUN mab go build ."),
            ("RUN xx-go build .", "RUN xx-go build ."),
            (
                "RUN echo 'no go build here' > x",
                "RUN echo 'no go build here' > x",
            ),
        ] {
            assert_eq!(with_mab_go(line), want, "{line}");
        }
    }
}
