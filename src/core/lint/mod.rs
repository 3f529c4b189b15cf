//! `mab lint`'s rules: what in a Dockerfile makes a multi-platform build emulate its compiles or come out
//! wrong. Pure: the text in, findings out. The Dockerfile is read by parse-dockerfile (parser directives,
//! line continuations, heredocs, flags), so a rule sees instructions and stages, never raw lines; shell
//! commands inside RUN are split into simple commands by [`commands`].
//!
//! Each stage runs either on the build machine (`FROM --platform=$BUILDPLATFORM`, or a stage built on
//! such a stage) or on the target, which buildx emulates for every platform but the build machine's own.

mod fix;

pub use fix::fix;
use parse_dockerfile::{Command, Instruction};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        })
    }
}

/// A rule: a stable id (never reused), a name, its level and what it finds, in one line.
#[derive(Debug, serde::Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub level: Level,
    pub summary: &'static str,
}

const fn rule(id: &'static str, name: &'static str, level: Level, summary: &'static str) -> Rule {
    Rule {
        id,
        name,
        level,
        summary,
    }
}

pub const COMPILE_EMULATED: Rule = rule(
    "MAB001",
    "compile-emulated",
    Level::Warning,
    "a compile or build step in a stage that runs on the target platform, so buildx emulates it",
);
pub const PACKAGES_EMULATED: Rule = rule(
    "MAB002",
    "packages-emulated",
    Level::Info,
    "a package install in a stage that runs on the target platform, so buildx emulates it",
);
pub const GOARM_MISSING: Rule = rule(
    "MAB003",
    "goarm-missing",
    Level::Warning,
    "GOARCH from TARGETARCH without GOARM from TARGETVARIANT: arm/v6 gets ARMv7 code",
);
pub const UNDECLARED_ARG: Rule = rule(
    "MAB004",
    "undeclared-platform-arg",
    Level::Error,
    "a TARGET*/BUILD* variable used in a stage that does not declare it with ARG, so it is empty",
);
pub const FIXED_PLATFORM: Rule = rule(
    "MAB005",
    "fixed-platform",
    Level::Warning,
    "a stage pinned to one literal platform instead of $BUILDPLATFORM",
);
pub const BUILD_MACHINE_BINARY: Rule = rule(
    "MAB006",
    "build-machine-binary",
    Level::Error,
    "a target stage copies from a build-machine stage that compiles without using the target platform",
);
pub const CGO_UNSET: Rule = rule(
    "MAB007",
    "cgo-unset",
    Level::Warning,
    "go build cross-compiling with CGO_ENABLED unset: static for other platforms, dynamic for the build machine's",
);
pub const XX_TO_MAB: Rule = rule(
    "MAB008",
    "xx-stage",
    Level::Info,
    "tonistiigi/xx copied in: mab gives the same xx-* names as one binary",
);
pub const PODMAN_BUILDPLATFORM: Rule = rule(
    "MAB009",
    "podman-buildplatform",
    Level::Info,
    "$BUILDPLATFORM is empty under podman 4.3 / buildah 1.28 unless passed with --build-arg",
);

/// Every rule, in id order: what `--format sarif` lists and README documents.
pub const RULES: &[&Rule] = &[
    &COMPILE_EMULATED,
    &PACKAGES_EMULATED,
    &GOARM_MISSING,
    &UNDECLARED_ARG,
    &FIXED_PLATFORM,
    &BUILD_MACHINE_BINARY,
    &CGO_UNSET,
    &XX_TO_MAB,
    &PODMAN_BUILDPLATFORM,
];

/// Programs that compile or build, with the subcommands that do (empty: any use of the program), and
/// whether what they make is native code (a JS bundle, Python wheels of pure code or a jar made on the
/// build machine serve every platform).
const BUILDERS: &[(&str, &[&str], bool)] = &[
    ("go", &["build", "install", "test", "run"], true),
    (
        "cargo",
        &["build", "install", "test", "rustc", "zigbuild", "chef cook"],
        true,
    ),
    ("rustc", &[], true),
    ("gcc", &[], true),
    ("g++", &[], true),
    ("cc", &[], true),
    ("c++", &[], true),
    ("clang", &[], true),
    ("clang++", &[], true),
    ("make", &[], true),
    ("ninja", &[], true),
    ("cmake", &[], true),
    ("meson", &["compile", "setup"], true),
    ("./configure", &[], true),
    ("vcpkg", &["install"], true),
    ("zig", &["build", "cc"], true),
    ("dotnet", &["build", "publish"], false),
    ("pip", &["install", "wheel"], false),
    ("pip3", &["install", "wheel"], false),
    ("uv", &["sync", "pip"], false),
    ("poetry", &["install"], false),
    ("npm", &["ci", "install", "rebuild"], false),
    ("yarn", &["install", "add"], false),
    ("pnpm", &["install", "add"], false),
    ("bundle", &["install"], false),
    ("gem", &["install"], false),
    ("mix", &["compile", "deps.compile", "release"], false),
    ("mvn", &[], false),
    ("./mvnw", &[], false),
    ("gradle", &[], false),
    ("./gradlew", &[], false),
];

/// Package managers and the subcommand that installs.
const INSTALLERS: &[(&str, &str)] = &[
    ("apt-get", "install"),
    ("apt", "install"),
    ("apk", "add"),
    ("dnf", "install"),
    ("yum", "install"),
    ("microdnf", "install"),
];

/// Packages whose install means the stage compiles.
const COMPILER_PACKAGES: &[&str] = &[
    "build-essential",
    "gcc",
    "g++",
    "clang",
    "golang",
    "go",
    "rustc",
    "cargo",
    "build-base",
    "musl-dev",
];

/// The variables BuildKit defines for the platforms: in a stage, only after `ARG NAME`.
const PLATFORM_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// Words that run the next word as the command.
const PREFIXES: &[&str] = &["sudo", "env", "time", "exec", "nice", "nohup", "command"];

/// Shell words after which a command starts (`if …; then make; fi`).
const KEYWORDS: &[&str] = &["then", "else", "elif", "do", "if", "while", "until", "!"];

#[derive(Debug, serde::Serialize)]
pub struct Finding {
    #[serde(rename = "rule")]
    pub id: &'static str,
    pub name: &'static str,
    pub level: Level,
    /// 1-based.
    pub line: usize,
    pub message: String,
    pub fix: String,
}

#[derive(Debug)]
pub struct LintError(pub String);

impl fmt::Display for LintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LintError {}

/// Where a stage runs.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Runs {
    /// On the build machine: `--platform=$BUILDPLATFORM`.
    Build,
    /// On the target: no `--platform`, or `$TARGETPLATFORM`.
    Target,
    /// Always on one platform: `--platform=linux/amd64`.
    Fixed(String),
    /// A `--platform` mab cannot read (another variable).
    Unknown,
}

/// One simple command of a RUN: its program (by base name, with `./` kept) and its arguments.
#[derive(Debug, PartialEq, Eq)]
pub struct SimpleCommand {
    pub program: String,
    pub args: Vec<String>,
    /// `NAME=value` words before the program.
    pub env: Vec<(String, String)>,
}

struct Run {
    line: usize,
    /// The last line of the instruction (its heredocs included).
    end_line: usize,
    commands: Vec<SimpleCommand>,
}

struct Stage {
    /// The name after AS, else the stage's index.
    label: String,
    name: Option<String>,
    index: usize,
    line: usize,
    /// The last line of the FROM instruction.
    from_end_line: usize,
    runs_on: Runs,
    runs: Vec<Run>,
    /// Every variable the stage's instructions mention (`$X`, `${X}`), with the lines it is used on.
    uses: BTreeMap<String, BTreeSet<usize>>,
    /// `ARG` names, with the line each is declared on.
    args: BTreeMap<String, usize>,
    /// Names set by ENV, and the values.
    env: BTreeMap<String, String>,
    /// Built on a stage that aims at the target.
    inherits_target: bool,
    /// `COPY --from=X` sources, with their lines.
    copies_from: Vec<(String, usize)>,
}

impl Stage {
    /// The first command that compiles native code.
    fn native_build(&self) -> Option<&SimpleCommand> {
        self.runs
            .iter()
            .flat_map(|r| &r.commands)
            .find(|c| is_native_build(c))
    }

    /// Whether anything in the stage names the target: a TARGET* variable, a cross tool (mab, xx-*), Go's
    /// or a compiler's target setting.
    fn aims_at_target(&self) -> bool {
        self.inherits_target
            || self.uses.keys().any(|v| v.starts_with("TARGET"))
            || self.env.contains_key("GOARCH")
            || self.runs.iter().flat_map(|r| &r.commands).any(|c| {
                c.program == "mab"
                    || c.program.starts_with("xx-")
                    || c.env.iter().any(|(k, _)| k == "GOARCH")
                    || c.args.iter().any(|a| a.starts_with("--target"))
            })
    }

    /// The value a variable has for a command: set before the command itself, exported in the stage's
    /// RUNs, or by ENV.
    fn value_for<'s>(&'s self, command: &'s SimpleCommand, name: &str) -> Option<&'s str> {
        let pair = |(k, v): &'s (String, String)| (k == name).then_some(v.as_str());
        let exported = self
            .runs
            .iter()
            .flat_map(|r| &r.commands)
            .filter(|c| c.program == "export");
        command
            .env
            .iter()
            .find_map(pair)
            .or_else(|| {
                exported
                    .flat_map(|c| &c.args)
                    .find_map(|a| a.strip_prefix(name)?.strip_prefix('='))
            })
            .or_else(|| self.env.get(name).map(String::as_str))
    }
}

fn is_build_step(c: &SimpleCommand) -> bool {
    builder(c).is_some()
}

/// Whether a command compiles native code for the machine it runs on.
fn is_native_build(c: &SimpleCommand) -> bool {
    builder(c).is_some_and(|native| native)
}

/// Whether a command is a build step, and if so whether it makes native code.
fn builder(c: &SimpleCommand) -> Option<bool> {
    let builds = BUILDERS.iter().find(|(program, subcommands, _)| {
        (c.program == *program || (program.ends_with("cc") && c.program.ends_with("-gcc")))
            && (subcommands.is_empty()
                || subcommands.iter().any(|sub| {
                    // A subcommand of two words (`chef cook`) is the first two of the arguments.
                    let mut words = c.args.iter().filter(|a| !a.starts_with('-'));
                    sub.split(' ').all(|w| words.next().is_some_and(|a| a == w))
                }))
    });
    let python_pip = c.program.starts_with("python")
        && c.args
            .windows(3)
            .any(|w| w[0] == "-m" && w[1] == "pip" && w[2] == "install");
    let installs_compiler = installs(c)
        && c.args
            .iter()
            .any(|a| COMPILER_PACKAGES.contains(&a.as_str()));
    match builds {
        Some((_, _, native)) => Some(*native),
        None if python_pip => Some(false),
        None if installs_compiler => Some(true),
        None => None,
    }
}

fn installs(c: &SimpleCommand) -> bool {
    INSTALLERS.iter().any(|(program, sub)| {
        c.program == *program
            && c.args
                .iter()
                .find(|a| !a.starts_with('-'))
                .is_some_and(|a| a == sub)
    })
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    // Bytes, not chars: the parser's offsets can fall inside a character (a second byte-order mark).
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The variables a text mentions: `$NAME` and `${NAME…}`.
fn variables(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let braced = bytes.get(i + 1) == Some(&b'{');
            let start = i + 1 + usize::from(braced);
            let end = bytes[start..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map_or(bytes.len(), |p| start + p);
            if end > start && !bytes[start].is_ascii_digit() {
                out.push(text[start..end].to_string());
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Expands `$NAME` and `${NAME}` (and `${NAME:-default}`) from `values`, as BuildKit expands FROM lines
/// with the global ARGs; unknown names stay as written.
fn expand(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    for name in variables(text) {
        let Some(value) = values.get(&name) else {
            continue;
        };
        out = out.replace(&format!("${{{name}}}", name = name), value);
        if let Some(at) = out.find(&format!("${{{name}:-")) {
            if let Some(end) = out[at..].find('}') {
                out.replace_range(at..at + end + 1, value);
            }
        }
        out = out.replace(&format!("${name}"), value);
    }
    out
}

/// `NAME=value` or `NAME="value"` pairs of an ENV line or global ARGs (the legacy `ENV NAME value` too).
fn assignments(text: &str) -> Vec<(String, String)> {
    let words = shell_words(text);
    if words.len() == 2 && !words[0].contains('=') {
        return vec![(words[0].clone(), words[1].clone())];
    }
    words
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (w, String::new()),
        })
        .collect()
}

/// Splits shell text into words: quotes group and are removed, a backslash escapes the next character.
/// Enough for reading commands; nothing is expanded.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    if n != '\n' {
                        word.push(n);
                        in_word = true;
                    }
                }
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The simple commands of a shell script: split at `&&`, `||`, `;`, `|`, `&`, newlines and
/// parentheses or braces, with leading `NAME=value` words and wrappers (`sudo`, `env`, …) taken off.
pub fn commands(script: &str) -> Vec<SimpleCommand> {
    // Docker drops comment lines inside an instruction, continued or not.
    let code: Vec<&str> = shell_code(script).collect();
    let joined = code.join("\n").replace("\\\n", " ");
    let mut out = Vec::new();
    let mut piece = String::new();
    let mut quote: Option<char> = None;
    // Inside `${…}`, braces and `#` belong to the expansion.
    let mut in_param = 0usize;
    let flush = |piece: &mut String, out: &mut Vec<SimpleCommand>| {
        if let Some(c) = simple_command(piece) {
            out.push(c);
        }
        piece.clear();
    };
    for c in joined.chars() {
        if c == '{' && piece.ends_with('$') {
            in_param += 1;
        } else if c == '}' && in_param > 0 {
            in_param -= 1;
            piece.push(c);
            continue;
        }
        if in_param > 0 {
            piece.push(c);
            continue;
        }
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                piece.push(c);
            }
            (Some(_), c) => piece.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                piece.push(c);
            }
            (None, '&' | '|' | ';' | '\n' | '(' | ')' | '{' | '}') => flush(&mut piece, &mut out),
            (None, c) => piece.push(c),
        }
    }
    flush(&mut piece, &mut out);
    out
}

fn simple_command(text: &str) -> Option<SimpleCommand> {
    let mut words = shell_words(text.split(" #").next().unwrap_or(text)).into_iter();
    let mut env = Vec::new();
    let mut wrapped = false;
    for word in words.by_ref() {
        if let Some((k, v)) = word.split_once('=') {
            if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                env.push((k.to_string(), v.to_string()));
                continue;
            }
        }
        if KEYWORDS.contains(&word.as_str()) {
            continue;
        }
        if PREFIXES.contains(&word.as_str()) {
            wrapped = true;
            continue;
        }
        // A wrapper's own options (`sudo -E`, `env -i`).
        if wrapped && word.starts_with('-') {
            continue;
        }
        if word.starts_with('#') {
            return None;
        }
        let program = if word.starts_with("./") {
            word
        } else {
            word.rsplit('/').next().unwrap_or(&word).to_string()
        };
        return Some(SimpleCommand {
            program,
            args: words.collect(),
            env,
        });
    }
    None
}

/// What `--platform` of a FROM says, with the global ARGs expanded.
fn runs_on(
    platform: Option<&str>,
    parent: Option<&Runs>,
    globals: &BTreeMap<String, String>,
) -> Runs {
    let Some(platform) = platform else {
        return parent.cloned().unwrap_or(Runs::Target);
    };
    if platform.contains("BUILDPLATFORM") {
        return Runs::Build;
    }
    if platform.contains("TARGETPLATFORM") {
        return Runs::Target;
    }
    // A platform from another variable is the user's parameter, not a literal, whatever its default.
    if expand(platform, globals).contains("BUILDPLATFORM") {
        Runs::Build
    } else if platform.contains('$') {
        Runs::Unknown
    } else {
        Runs::Fixed(platform.to_string())
    }
}

/// A heredoc's opening in a line: `<<EOF`, `<<-EOF`, `<<'EOF'`, `<<"EOF"`; its word and whether tabs
/// before the closing word are allowed (`<<-`). A here-string (`<<<`) is not one.
fn heredoc_words(line: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("<<") {
        let after = &rest[at + 2..];
        if after.starts_with('<') {
            rest = after.trim_start_matches('<');
            continue;
        }
        let (after, tabs) = after
            .strip_prefix('-')
            .map_or((after, false), |a| (a, true));
        let after = after.trim_start_matches(['\'', '"']);
        let word: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if word
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        {
            out.push((word, tabs));
        }
        rest = after;
    }
    out
}

/// BuildKit takes a heredoc anywhere in a RUN (`RUN cat <<EOF > file`); parse-dockerfile only right after
/// the keyword. So the bodies of the others are taken out, by the line of their opening, and their lines
/// made comments, which keeps every line number.
fn take_heredocs(text: &str) -> (String, BTreeMap<usize, String>) {
    let mut masked = Vec::new();
    let mut bodies: BTreeMap<usize, String> = BTreeMap::new();
    let mut pending: Vec<(String, bool)> = Vec::new();
    let mut opened_on = 0;
    // Whether the line before ended in a backslash, and whether the instruction has shown only its
    // keyword and flags so far.
    let (mut continued, mut head_open) = (false, false);
    for (i, line) in text.lines().enumerate() {
        if let Some((word, tabs)) = pending.first().cloned() {
            let closing = if tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if closing == word {
                pending.remove(0);
            } else {
                let body = bodies.entry(opened_on).or_default();
                body.push_str(line);
                body.push('\n');
            }
            masked.push("#".to_string());
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            masked.push(line.to_string());
            continue;
        }
        // The words after RUN/COPY/ADD and their flags, possibly on a continuation line.
        let head = if continued {
            head_open.then_some(trimmed)
        } else {
            ["RUN", "COPY", "ADD"].iter().find_map(|k| {
                trimmed
                    .get(..k.len())
                    .filter(|w| w.eq_ignore_ascii_case(k))
                    .map(|_| &trimmed[k.len()..])
            })
        };
        let first_word = head.and_then(|h| {
            h.split_whitespace()
                .find(|w| !w.starts_with("--") && *w != "\\")
        });
        head_open = head.is_some() && first_word.is_none();
        if !first_word.is_some_and(|w| w.starts_with("<<")) {
            pending = heredoc_words(line);
            opened_on = i + 1;
        }
        continued = line.trim_end().ends_with('\\');
        masked.push(line.to_string());
    }
    (masked.join("\n") + "\n", bodies)
}

fn stages(text: &str) -> Result<Vec<Stage>, LintError> {
    let (masked, bodies) = take_heredocs(text);
    let text = masked.as_str();
    let parsed = parse_dockerfile::parse(text)
        .map_err(|e| LintError(format!("not a Dockerfile mab can read: {e}")))?;
    let globals: BTreeMap<String, String> = parsed
        .global_args()
        .flat_map(|a| assignments(&a.arguments.value))
        .collect();
    let mut stages: Vec<Stage> = Vec::new();
    for (index, s) in parsed.stages().enumerate() {
        let image = expand(&s.from.image.value, &globals);
        let platform = s
            .from
            .options
            .iter()
            .find(|f| f.name.value == "platform")
            .and_then(|f| f.value.as_ref())
            .map(|v| v.value.to_string());
        let parent = stages
            .iter()
            .find(|p| p.name.as_deref() == Some(image.as_str()));
        let name = s.from.as_.as_ref().map(|(_, n)| n.value.to_string());
        let mut stage = Stage {
            label: name
                .clone()
                .unwrap_or_else(|| format!("#{index} ({image})")),
            name,
            index,
            line: line_of(text, s.from.from.span.start),
            from_end_line: line_of(
                text,
                s.from
                    .as_
                    .as_ref()
                    .map_or(s.from.image.span.end, |(_, n)| n.span.end),
            ),
            runs_on: runs_on(platform.as_deref(), parent.map(|p| &p.runs_on), &globals),
            runs: Vec::new(),
            uses: BTreeMap::new(),
            // A stage built on another inherits its ARGs (as declared before its first line) and ENV.
            args: parent.map_or_else(BTreeMap::new, |p| {
                p.args.keys().map(|k| (k.clone(), 0)).collect()
            }),
            env: parent.map_or_else(BTreeMap::new, |p| p.env.clone()),
            inherits_target: parent.is_some_and(|p| p.aims_at_target()),
            copies_from: Vec::new(),
        };
        if image.contains("tonistiigi/xx") {
            stage.copies_from.push((image.clone(), stage.line));
        }
        for instruction in s.instructions {
            read_instruction(text, &bodies, instruction, &mut stage);
        }
        // Copying in xx's or mab's stage brings the cross tools: the stage aims at the target.
        stage.inherits_target |= stage.copies_from.iter().any(|(from, _)| {
            stages.iter().any(|p| {
                p.name.as_deref() == Some(from.as_str())
                    && (p.name.as_deref() == Some("mab")
                        || p.copies_from
                            .iter()
                            .any(|(i, _)| i.contains("tonistiigi/xx")))
            })
        });
        stages.push(stage);
    }
    Ok(stages)
}

fn read_instruction(
    text: &str,
    bodies: &BTreeMap<usize, String>,
    instruction: &Instruction<'_>,
    stage: &mut Stage,
) {
    // The instructions whose values can name a variable, each with its keyword's offset.
    let (start, values): (usize, Vec<&str>) = match instruction {
        Instruction::Arg(a) => {
            let line = line_of(text, a.arg.span.start);
            for word in shell_words(&a.arguments.value) {
                let name = word.split_once('=').map_or(word.as_str(), |(k, _)| k);
                stage.args.entry(name.to_string()).or_insert(line);
            }
            return;
        }
        Instruction::Env(e) => {
            for (name, value) in assignments(&e.arguments.value) {
                stage.env.insert(name, value);
            }
            (e.env.span.start, vec![&e.arguments.value])
        }
        Instruction::Copy(c) => {
            let line = line_of(text, c.copy.span.start);
            if let Some(v) = c
                .options
                .iter()
                .find(|f| f.name.value == "from")
                .and_then(|f| f.value.as_ref())
            {
                stage.copies_from.push((v.value.to_string(), line));
            }
            let paths = c.src.iter().filter_map(|s| match s {
                parse_dockerfile::Source::Path(p) => Some(p.value.as_ref()),
                _ => None,
            });
            (
                c.copy.span.start,
                paths.chain([c.dest.value.as_ref()]).collect(),
            )
        }
        Instruction::Workdir(w) => (w.workdir.span.start, vec![&w.arguments.value]),
        Instruction::Run(r) => {
            let mut script = match &r.arguments {
                Command::Shell(s) => s.value.to_string(),
                Command::Exec(words) => words
                    .value
                    .iter()
                    .map(|w| w.value.as_ref())
                    .collect::<Vec<_>>()
                    .join(" "),
                _ => String::new(),
            };
            for doc in &r.here_docs {
                script.push('\n');
                script.push_str(&doc.value);
            }
            let line = line_of(text, r.run.span.start);
            let end = r
                .here_docs
                .iter()
                .map(|d| d.span.end)
                .chain([match &r.arguments {
                    Command::Shell(s) => s.span.end,
                    Command::Exec(w) => w.span.end,
                    _ => r.run.span.end,
                }])
                .max()
                .unwrap_or(r.run.span.end);
            let end_line = line_of(text, end);
            for (_, body) in bodies.range(line..=end_line) {
                script.push('\n');
                script.push_str(body);
            }
            let uses: Vec<String> = shell_code(&script).flat_map(variables).collect();
            for name in uses {
                stage.uses.entry(name).or_default().insert(line);
            }
            stage.runs.push(Run {
                line,
                end_line,
                commands: commands(&script),
            });
            return;
        }
        _ => return,
    };
    let line = line_of(text, start);
    for name in values.into_iter().flat_map(variables) {
        stage.uses.entry(name).or_default().insert(line);
    }
}

/// A script's lines without its comments.
fn shell_code(script: &str) -> impl Iterator<Item = &str> {
    script.lines().filter(|l| !l.trim_start().starts_with('#'))
}

/// The first word of a build command, for messages: `go build`, `cargo build`, `make`.
fn shown(c: &SimpleCommand) -> String {
    let has_subcommands = BUILDERS
        .iter()
        .any(|(p, subs, _)| *p == c.program && !subs.is_empty())
        || INSTALLERS.iter().any(|(p, _)| *p == c.program);
    match c.args.iter().find(|a| !a.starts_with('-')) {
        Some(sub) if has_subcommands => format!("{} {sub}", c.program),
        _ => c.program.clone(),
    }
}

/// The findings for one Dockerfile's text, by line.
pub fn lint(text: &str) -> Result<Vec<Finding>, LintError> {
    Ok(findings(&stages(text)?))
}

/// The findings for a Dockerfile's stages, by line.
fn findings(stages: &[Stage]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut found = |rule: &'static Rule, line: usize, message: String, fix: &str| {
        out.push(Finding {
            id: rule.id,
            name: rule.name,
            level: rule.level,
            line,
            message,
            fix: fix.to_string(),
        })
    };
    let by_name: BTreeMap<&str, &Stage> = stages
        .iter()
        .filter_map(|s| s.name.as_deref().map(|n| (n, s)))
        .collect();
    let mut podman_said = false;
    for stage in stages {
        if let Runs::Fixed(p) = &stage.runs_on {
            found(
                &FIXED_PLATFORM,
                stage.line,
                format!("stage {} always runs as {p}: on a build machine of another CPU it is emulated, and what it builds is {p} for every target", stage.label),
                "use --platform=$BUILDPLATFORM for a stage that builds (and cross-compile for TARGETPLATFORM), and no --platform for the image's own stages",
            );
        }
        if stage.runs_on == Runs::Build && !podman_said {
            podman_said = true;
            found(
                &PODMAN_BUILDPLATFORM,
                stage.line,
                "podman 4.3 and buildah 1.28 leave $BUILDPLATFORM empty, which runs this stage on the target, emulated".into(),
                "with podman, pass --build-arg BUILDPLATFORM=$(podman info --format '{{.Host.OS}}/{{.Host.Arch}}'), as `mab gen publish --engine podman` does",
            );
        }
        for (arg, line) in stage
            .uses
            .iter()
            .flat_map(|(arg, lines)| lines.iter().map(move |l| (arg, l)))
        {
            if PLATFORM_ARGS.contains(&arg.as_str())
                && stage.args.get(arg).is_none_or(|declared| declared > line)
                && !stage.env.contains_key(arg)
            {
                found(
                    &UNDECLARED_ARG,
                    *line,
                    format!("${arg} is used in stage {} without `ARG {arg}` before it: inside a stage BuildKit sets it only once declared, so here it is empty", stage.label),
                    &format!("add `ARG {arg}` to the stage, before line {line}"),
                );
            }
        }
        for (from, line) in &stage.copies_from {
            if from.contains("tonistiigi/xx") {
                found(
                    &XX_TO_MAB,
                    *line,
                    format!("{from} brings xx's shell scripts; mab is a drop-in for them as one tested binary"),
                    &format!("FROM --platform=$BUILDPLATFORM {} AS mab, then COPY --from=mab /usr/bin/ /usr/local/bin/ (the xx-* names keep working)", super::gen::default_mab_image()),
                );
                continue;
            }
            let Some(source) = by_name.get(from.as_str()) else {
                continue;
            };
            if stage.runs_on == Runs::Target
                && source.runs_on == Runs::Build
                && !source.aims_at_target()
            {
                if let Some(c) = source.native_build() {
                    found(
                        &BUILD_MACHINE_BINARY,
                        *line,
                        format!("stage {} runs `{}` on the build machine and never uses the target platform, so what it builds is for the build machine; this line copies it into the target's image", source.label, shown(c)),
                        "cross-compile in that stage: `ARG TARGETPLATFORM` and `mab go build` / `mab cargo build` / CC=\"mab clang\" (or GOOS/GOARCH from TARGETOS/TARGETARCH)",
                    );
                }
            }
        }
        // A stage of a fixed platform has its own finding (MAB005).
        let emulated = stage.runs_on == Runs::Target;
        for run in &stage.runs {
            if emulated {
                if let Some(c) = run.commands.iter().find(|c| is_build_step(c)) {
                    found(
                        &COMPILE_EMULATED,
                        run.line,
                        format!("`{}` runs in stage {}, which takes the target's platform: buildx emulates it for every platform but the build machine's, 5 to 15 times slower", shown(c), stage.label),
                        "run it in a stage pinned with FROM --platform=$BUILDPLATFORM that cross-compiles for TARGETPLATFORM (mab go, mab cargo, CC=\"mab clang\"); `mab gen dockerfile` writes one",
                    );
                } else if let Some(c) = run.commands.iter().find(|c| installs(c)) {
                    found(
                        &PACKAGES_EMULATED,
                        run.line,
                        format!("`{}` runs in stage {}, on the target's platform, so it is emulated", shown(c), stage.label),
                        "for a program's shared libraries, take them from the build stage with `mab bundle PROGRAM --to /out/rootfs` and COPY that instead",
                    );
                }
            }
            for c in &run.commands {
                // `go`, `xx-go`, or `mab go`, which sets GOARM itself.
                let (args, by_mab) = match c.program.as_str() {
                    "go" | "xx-go" => (&c.args[..], false),
                    "mab" if c.args.first().is_some_and(|a| a == "go") => (&c.args[1..], true),
                    _ => continue,
                };
                let go_build = args.first().is_some_and(|a| a == "build" || a == "install");
                if !go_build {
                    continue;
                }
                let goarch_from_target = stage
                    .value_for(c, "GOARCH")
                    .is_some_and(|v| v.contains("TARGETARCH"));
                if goarch_from_target && !by_mab && stage.value_for(c, "GOARM").is_none() {
                    found(
                        &GOARM_MISSING,
                        run.line,
                        "GOARCH comes from $TARGETARCH, which is `arm` for both linux/arm/v6 and linux/arm/v7, and GOARM is not set: Go then builds ARMv7 code, which does not run on ARMv6".into(),
                        "set GOARM=${TARGETVARIANT#v} as well (and GOAMD64 and the like as needed), or let `mab go build` set them all",
                    );
                }
                if stage.runs_on == Runs::Build
                    && stage.aims_at_target()
                    && stage.value_for(c, "CGO_ENABLED").is_none()
                {
                    found(
                        &CGO_UNSET,
                        run.line,
                        "CGO_ENABLED is not set: Go turns cgo off when it cross-compiles but on for the build machine's own platform, so that platform's binary is linked dynamically and fails on scratch or distroless/static".into(),
                        "set CGO_ENABLED=0 for static binaries everywhere (or CGO_ENABLED=1 with `mab go` for cgo on every platform)",
                    );
                }
            }
        }
    }
    out.sort_by_key(|f| (f.line, f.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule ids a Dockerfile gets, with their lines.
    fn ids(text: &str) -> Vec<(&'static str, usize)> {
        lint(text).unwrap().iter().map(|f| (f.id, f.line)).collect()
    }

    const CROSS_GO: &str = "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n\
                            ARG TARGETOS TARGETARCH TARGETVARIANT\n\
                            RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} go build -o /app .\n\
                            FROM scratch\n\
                            COPY --from=build /app /app\n";

    #[test]
    fn a_right_cross_build_has_only_the_podman_note() {
        assert_eq!(ids(CROSS_GO), [("MAB009", 1)]);
        let mab = "FROM --platform=$BUILDPLATFORM golang AS build\nARG TARGETPLATFORM\n\
                   RUN CGO_ENABLED=0 mab go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n";
        assert_eq!(ids(mab), [("MAB009", 1)]);
        // mab go leaves cgo to Go, as go does.
        assert!(ids(&mab.replace("CGO_ENABLED=0 ", "")).contains(&("MAB007", 3)));
    }

    #[test]
    fn compiles_on_the_target_are_emulated() {
        for run in [
            "go build -o /app .",
            "CGO_ENABLED=0 go build ./cmd/x",
            "cargo build --release",
            "make -j4",
            "cd src && ./configure && make",
            "gcc -o x x.c",
            "aarch64-linux-gnu-gcc -c x.c",
            "python3 -m pip install -r requirements.txt",
            "npm ci",
            "apt-get update && apt-get install -y build-essential",
            "sudo make install",
        ] {
            let text = format!("FROM debian\nRUN {run}\n");
            assert_eq!(ids(&text), [("MAB001", 2)], "{run}");
        }
        // A stage built on a stage takes its platform.
        let derived =
            "FROM --platform=$BUILDPLATFORM golang AS base\nFROM base AS build\nRUN go vet ./...\n";
        assert!(!ids(derived).iter().any(|(id, _)| *id == "MAB001"));
        let derived = "FROM golang AS base\nFROM base AS build\nRUN go build .\n";
        assert!(ids(derived).contains(&("MAB001", 3)));
    }

    #[test]
    fn other_steps_on_the_target_are_not_compiles() {
        for run in [
            "echo go build",
            "go version",
            "apt-get install -y ca-certificates",
            "# make all",
        ] {
            let text = format!("FROM debian\nRUN {run}\n");
            assert!(!ids(&text).iter().any(|(id, _)| *id == "MAB001"), "{run}");
        }
        assert_eq!(
            ids("FROM debian\nRUN apt-get install -y ca-certificates\n"),
            [("MAB002", 2)]
        );
    }

    #[test]
    fn heredocs_and_continuations_are_read() {
        let heredoc =
            "FROM alpine\nRUN <<EOF\nset -e\napk add gcc\ngcc -o /x x.c\nEOF\nCMD [\"/x\"]\n";
        assert_eq!(ids(heredoc), [("MAB001", 2)]);
        let continued = "FROM debian\nRUN apt-get update \\\n && cargo \\\n   build --release\n";
        assert_eq!(ids(continued), [("MAB001", 2)]);
    }

    #[test]
    fn goarm_must_come_with_goarch_from_targetarch() {
        let without = CROSS_GO.replace(" GOARM=${TARGETVARIANT#v}", "");
        assert!(ids(&without).contains(&("MAB003", 3)));
        let exported = "FROM --platform=$BUILDPLATFORM golang AS build\nARG TARGETARCH TARGETVARIANT\n\
                        RUN export GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} CGO_ENABLED=0 && go build .\n";
        assert!(!ids(exported).iter().any(|(id, _)| *id == "MAB003"));
        let env = "FROM --platform=$BUILDPLATFORM golang AS build\nARG TARGETARCH\nENV GOARCH=$TARGETARCH CGO_ENABLED=0\n\
                   RUN go build .\n";
        assert!(ids(env).contains(&("MAB003", 4)));
    }

    #[test]
    fn platform_args_must_be_declared_in_the_stage() {
        let undeclared = CROSS_GO.replace("ARG TARGETOS TARGETARCH TARGETVARIANT\n", "");
        let found = ids(&undeclared);
        assert_eq!(
            found.iter().filter(|f| **f == ("MAB004", 2)).count(),
            3,
            "{found:?}"
        );
        // Declared after its use is still empty where it is used.
        let late = "FROM alpine\nRUN echo $TARGETARCH\nARG TARGETARCH\nRUN echo $TARGETARCH\n";
        assert_eq!(ids(late), [("MAB004", 2)]);
        // In FROM lines (global scope) they need no ARG; shell comments do not count.
        let from = "FROM --platform=$BUILDPLATFORM alpine AS a\nRUN <<EOF\n# uses $TARGETARCH\ntrue\nEOF\n";
        assert_eq!(ids(from), [("MAB009", 1)]);
        let copy = "FROM alpine\nCOPY bin/$TARGETARCH/app /app\n";
        assert_eq!(ids(copy), [("MAB004", 2)]);
    }

    #[test]
    fn literal_platforms_are_found_and_global_args_expanded() {
        assert_eq!(
            ids("FROM --platform=linux/amd64 alpine\nRUN true\n"),
            [("MAB005", 1)]
        );
        let via_arg =
            "ARG BUILDER=$BUILDPLATFORM\nFROM --platform=$BUILDER golang AS b\nRUN go build .\n";
        assert!(!ids(via_arg)
            .iter()
            .any(|(id, _)| *id == "MAB001" || *id == "MAB005"));
        // A platform from a variable is a parameter, whatever its default.
        let fixed_arg = "ARG P=linux/arm64\nFROM --platform=${P} alpine\n";
        assert_eq!(ids(fixed_arg), []);
    }

    #[test]
    fn a_build_machine_binary_in_a_target_image_is_an_error() {
        let native = "FROM --platform=$BUILDPLATFORM rust AS build\nRUN cargo build --release\n\
                      FROM debian\nCOPY --from=build /src/target/release/x /x\n";
        assert!(ids(native).contains(&("MAB006", 4)));
        // Copying into another build-machine stage, or from a stage that aims at the target, is fine.
        let to_build = native.replace(
            "FROM debian",
            "FROM --platform=$BUILDPLATFORM debian AS pack",
        );
        assert!(!ids(&to_build).iter().any(|(id, _)| *id == "MAB006"));
        let cross = native.replace("cargo build", "mab cargo build");
        assert!(!ids(&cross).iter().any(|(id, _)| *id == "MAB006"));
    }

    #[test]
    fn cgo_must_be_set_when_cross_compiling_go() {
        let unset = CROSS_GO.replace("CGO_ENABLED=0 ", "");
        assert!(ids(&unset).contains(&("MAB007", 3)));
        let xx = "FROM --platform=$BUILDPLATFORM golang AS build\nCOPY --from=tonistiigi/xx / /\nARG TARGETPLATFORM\n\
                  RUN xx-go build -o /app .\n";
        assert_eq!(ids(xx), [("MAB009", 1), ("MAB008", 2), ("MAB007", 4)]);
    }

    #[test]
    fn commands_are_split_as_a_shell_would() {
        let c =
            commands("A=1 sudo -E env B=2 /usr/bin/make -j4 'x && y' && cd b; go build | tee log");
        let programs: Vec<&str> = c.iter().map(|c| c.program.as_str()).collect();
        assert_eq!(programs, ["make", "cd", "go", "tee"]);
        assert_eq!(c[0].args, ["-j4", "x && y"]);
        let env: Vec<(&str, &str)> = c[0]
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(env, [("A", "1"), ("B", "2")]);
        let param = commands("GOARM=${TARGETVARIANT#v} go build");
        assert_eq!(param.len(), 1);
        assert_eq!(param[0].env[0].1, "${TARGETVARIANT#v}");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in [
            "",
            "hello world\n",
            "FROM\n",
            "\u{0}\u{1}",
            "RUN make\n",
            "# ⭐ Main\nFROM alpine\n# こ\nRUN <<\n",
            "FROM a\nRUN cat <<EOF\n",
            "FROM a\nRUN x <<-'E' <<\"F\" <<<s\n\tE\nF\n",
            // Found by the fuzzer: the parser's offsets fell inside the second byte-order mark.
            "\u{feff}FROm\t#\0\u{feff}F",
        ] {
            let _ = lint(text);
            if let Ok(fixed) = fix(text, "mab") {
                lint(&fixed.text).expect("a fixed Dockerfile parses");
            }
        }
        assert!(lint("hello world\n").is_err());
    }

    #[test]
    fn shells_own_words_and_comment_lines_do_not_hide_commands() {
        let keyword = "FROM rust\nRUN if [ \"$MODE\" = release ]; then cargo build --release; else cargo build; fi\n";
        assert_eq!(ids(keyword), [("MAB001", 2)]);
        let comment = "FROM alpine\nRUN set -x \\\n# a comment Docker drops\n    && apk add gcc\n";
        assert_eq!(ids(comment), [("MAB001", 2)]);
        // cargo chef prepares a recipe (no compile) and cooks it (a compile).
        assert_eq!(
            ids("FROM rust\nRUN cargo chef prepare --recipe-path r.json\n"),
            []
        );
        assert_eq!(
            ids("FROM rust\nRUN cargo chef cook --release\n"),
            [("MAB001", 2)]
        );
    }

    #[test]
    fn heredocs_anywhere_in_a_run_are_read() {
        let middle =
            "FROM alpine\nRUN cat <<EOF > /etc/x.json && make\n{\n  \"a\": 1\n}\nEOF\nRUN true\n";
        assert_eq!(ids(middle), [("MAB001", 2)]);
        let body = "FROM alpine\nRUN sh <<'EOF'\nset -e\ngo build .\nEOF\n";
        assert_eq!(ids(body), [("MAB001", 2)]);
        // After flags on a continuation line, parse-dockerfile reads it itself.
        let flags = "FROM alpine\nRUN --mount=type=cache,target=/c \\\n    --mount=type=cache,target=/d <<EOT\nmake\nEOT\n";
        assert_eq!(ids(flags), [("MAB001", 2)]);
    }

    #[test]
    fn stages_inherit_args_env_and_aim_from_their_base() {
        let args = "FROM --platform=$BUILDPLATFORM golang AS base\nARG TARGETOS TARGETARCH\n\
                    FROM base AS build\nRUN echo $TARGETOS $TARGETARCH\n";
        assert_eq!(ids(args), [("MAB009", 1)]);
        // A stage that copies xx in, and the stages built on it, aim at the target.
        let xx = "FROM --platform=$BUILDPLATFORM tonistiigi/xx AS xx\n\
                  FROM --platform=$BUILDPLATFORM golang AS base\nCOPY --from=xx / /\n\
                  FROM base AS build\nRUN CGO_ENABLED=0 go build -o /app .\n\
                  FROM scratch\nCOPY --from=build /app /app\n";
        assert!(
            !ids(xx).iter().any(|(id, _)| *id == "MAB006"),
            "{:?}",
            ids(xx)
        );
        // A JS bundle built on the build machine serves every platform.
        let ui = "FROM --platform=$BUILDPLATFORM node AS ui\nRUN npm ci && npm run build\n\
                  FROM nginx\nCOPY --from=ui /build /usr/share/nginx/html\n";
        assert!(!ids(ui).iter().any(|(id, _)| *id == "MAB006"));
    }

    #[test]
    fn rule_ids_are_unique_and_in_order() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }
}
