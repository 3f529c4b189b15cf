//! `mab windres`, `xx-windres` and `<triple>-windres`: GNU windres's command line over LLVM's resource
//! tools, as xx-windres does it. An `.rc` file is preprocessed by a C preprocessor, compiled to a `.res` by
//! `llvm-rc`, and turned into a COFF object for the target's machine by `llvm-cvtres`; the object links
//! into a Windows program like any other. Pure: the command layer finds the tools and runs the steps.

use super::platform::Platform;
use super::table::{self, MingwRow};
use std::fmt;

/// Why a windres call cannot be planned. The messages are xx-windres's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindresError {
    MissingArgument(String),
    InvalidOption(String),
    TooManyArguments,
    InvalidInputFormat(String),
    InvalidOutputFormat(String),
    InvalidTarget(String),
}

impl fmt::Display for WindresError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindresError::MissingArgument(o) => write!(f, "error: argument to {o} is missing"),
            WindresError::InvalidOption(o) => write!(f, "invalid option {o}"),
            WindresError::TooManyArguments => write!(f, "too many arguments"),
            WindresError::InvalidInputFormat(v) => write!(f, "invalid input format {v}"),
            WindresError::InvalidOutputFormat(v) => write!(f, "invalid output format {v}"),
            WindresError::InvalidTarget(t) => write!(f, "invalid target {t} for xx-windres"),
        }
    }
}

impl std::error::Error for WindresError {}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Help,
    Version,
    Compile(Compile),
}

/// One conversion, as the user wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Compile {
    pub input: Option<String>,
    pub output: Option<String>,
    pub input_format: Option<String>,
    pub output_format: Option<String>,
    /// `-F`/`--target`: a BFD target (`pe-x86-64`) or a triple.
    pub target: Option<String>,
    pub preprocessor: Option<String>,
    /// For the preprocessor: `-I`, `-D`, `-U` and `--preprocessor-arg`, in order.
    pub preprocessor_args: Vec<String>,
    /// For llvm-rc: `-L` (language) and `-C` (codepage).
    pub rc_args: Vec<String>,
}

/// GNU windres's options (the ones xx-windres takes): `-o FILE`, `-oFILE`, `--output FILE` and
/// `--output=FILE` are one option.
const OPTIONS: &[(&str, &str, Opt)] = &[
    ("-i", "--input", Opt::Input),
    ("-o", "--output", Opt::Output),
    ("-J", "--input-format", Opt::InputFormat),
    ("-O", "--output-format", Opt::OutputFormat),
    ("-F", "--target", Opt::Target),
    ("", "--preprocessor", Opt::Preprocessor),
    ("", "--preprocessor-arg", Opt::PreprocessorArg),
    ("-I", "--include-dir", Opt::Include),
    ("", "--include-path", Opt::Include),
    ("-l", "--language", Opt::Language),
    ("-c", "--codepage", Opt::Codepage),
    ("-D", "--define", Opt::Define),
    ("-U", "--undefine", Opt::Undefine),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opt {
    Input,
    Output,
    InputFormat,
    OutputFormat,
    Target,
    Preprocessor,
    PreprocessorArg,
    Include,
    Language,
    Codepage,
    Define,
    Undefine,
}

/// Options that change nothing here (GNU windres's temp-file choice, verbosity; rc's `-r`).
const IGNORED: &[&str] = &[
    "-r",
    "--use-temp-file",
    "--no-use-temp-file",
    "-v",
    "--verbose",
];

/// Splits an argument into its option and inline value (`--target=x`, `-Fx`), if it is one of [`OPTIONS`].
fn option(arg: &str) -> Option<(Opt, &'static str, Option<&str>)> {
    OPTIONS.iter().find_map(|&(short, long, opt)| {
        if arg == long || (!short.is_empty() && arg == short) {
            return Some((opt, long, None));
        }
        if let Some(v) = arg.strip_prefix(long).and_then(|r| r.strip_prefix('=')) {
            return Some((opt, long, Some(v)));
        }
        let v = arg
            .strip_prefix(short)
            .filter(|_| !short.is_empty() && !arg.starts_with("--"))?;
        Some((opt, long, Some(v)))
    })
}

pub fn parse(args: &[String]) -> Result<Request, WindresError> {
    let mut c = Compile::default();
    let mut positional = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Request::Help),
            "-V" | "--version" => return Ok(Request::Version),
            "--" => {
                positional.extend(it.by_ref().cloned());
                break;
            }
            a if IGNORED.contains(&a) => continue,
            _ => {}
        }
        let Some((opt, _, inline)) = option(arg) else {
            if arg.len() > 1 && arg.starts_with('-') {
                return Err(WindresError::InvalidOption(arg.clone()));
            }
            positional.push(arg.clone());
            continue;
        };
        let value = match inline {
            Some(v) => v.to_string(),
            None => it
                .next()
                .filter(|v| !v.is_empty())
                .cloned()
                .ok_or_else(|| WindresError::MissingArgument(arg.clone()))?,
        };
        match opt {
            Opt::Input => c.input = Some(value),
            Opt::Output => c.output = Some(value),
            Opt::InputFormat => c.input_format = Some(value),
            Opt::OutputFormat => c.output_format = Some(value),
            Opt::Target => c.target = Some(value),
            Opt::Preprocessor => c.preprocessor = Some(value),
            Opt::PreprocessorArg => c.preprocessor_args.push(value),
            Opt::Include => c.preprocessor_args.push(format!("-I{value}")),
            Opt::Define => c.preprocessor_args.extend(["-D".to_string(), value]),
            Opt::Undefine => c.preprocessor_args.extend(["-U".to_string(), value]),
            Opt::Language => c.rc_args.extend(["-L".to_string(), value]),
            Opt::Codepage => c.rc_args.extend(["-C".to_string(), value]),
        }
    }
    let mut positional = positional.into_iter();
    if let Some(input) = positional.next() {
        c.input = Some(input);
    }
    if let Some(output) = positional.next() {
        c.output = Some(output);
    }
    if positional.next().is_some() {
        return Err(WindresError::TooManyArguments);
    }
    Ok(Request::Compile(c))
}

/// The Windows platform a `--target` names: one of its BFD targets, its C or Rust triple, or any triple
/// whose machine part is the platform's (`i686-pc-windows-gnullvm`; i386 and i586 count as i686).
pub fn platform_for_target(target: &str) -> Option<Platform> {
    let want = target.to_ascii_lowercase();
    let machine = want.split('-').next().unwrap_or_default();
    let machine = match machine {
        "i386" | "i586" => "i686",
        "arm64" => "aarch64",
        "thumbv7a" | "armv7a" => "armv7",
        m => m,
    };
    windows_platforms()
        .find(|(p, m)| {
            let rust = p.row.rust.as_ref().map(|r| r.gnu);
            m.bfd_targets.contains(&want.as_str())
                || rust == Some(want.as_str())
                || (want.contains('-') && p.row.c.arch == machine)
        })
        .map(|(p, _)| p)
}

/// The Windows platform for a target that is not Windows: the one of the same CPU architecture, as
/// xx-windres takes the machine from whatever triple `xx-info` prints.
pub fn windows_of(target: Platform) -> Option<Platform> {
    if target.os() == "windows" {
        return Some(target);
    }
    windows_platforms()
        .find(|(p, _)| p.row.arch == target.row.arch)
        .map(|(p, _)| p)
}

fn windows_platforms() -> impl Iterator<Item = (Platform, &'static MingwRow)> {
    table::PLATFORMS.iter().filter_map(|row| {
        let m = row.mingw.as_ref()?;
        Some((
            Platform {
                row,
                variant: row.variant,
            },
            m,
        ))
    })
}

/// The formats a call converts between, from the options or the file names (xx's rules: `.res` is a
/// resource file, anything else rc source in and a COFF object out).
pub fn formats(c: &Compile) -> Result<(Format, Format), WindresError> {
    let is_res = |f: &Option<String>| f.as_deref().is_some_and(|f| f.ends_with(".res"));
    let input = match c.input_format.as_deref() {
        Some("rc") => Format::Rc,
        Some("res") => Format::Res,
        Some(other) => return Err(WindresError::InvalidInputFormat(other.to_string())),
        None if is_res(&c.input) => Format::Res,
        None => Format::Rc,
    };
    let output = match c.output_format.as_deref() {
        Some("coff") => Format::Coff,
        Some("res") => Format::Res,
        Some(other) => return Err(WindresError::InvalidOutputFormat(other.to_string())),
        None if is_res(&c.output) => Format::Res,
        None => Format::Coff,
    };
    Ok((input, output))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Rc,
    Res,
    Coff,
}

/// One thing the command layer does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Run(Vec<String>),
    Copy { from: String, to: String },
}

impl fmt::Display for Step {
    /// As xx-windres's dry run prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Run(argv) => write!(f, "{}", argv.join(" ")),
            Step::Copy { from, to } => write!(f, "cp {from} {to}"),
        }
    }
}

/// The steps of one conversion. `preprocessor` is the program and its own flags; `temps` the two
/// temporary files (preprocessed source, compiled .res) the command layer made.
pub fn steps(
    c: &Compile,
    machine: &MingwRow,
    preprocessor: &[String],
    temps: [&str; 2],
) -> Result<Vec<Step>, WindresError> {
    let (input_format, output_format) = formats(c)?;
    let input = c.input.clone().unwrap_or_else(|| "/dev/stdin".to_string());
    let output = c
        .output
        .clone()
        .unwrap_or_else(|| "/dev/stdout".to_string());
    let mut steps = Vec::new();
    let res = if input_format == Format::Rc {
        let mut pp = preprocessor.to_vec();
        pp.extend(["-E", "-xc", "-D", "RC_INVOKED=1"].map(String::from));
        pp.extend(c.preprocessor_args.iter().cloned());
        pp.extend(["-o".to_string(), temps[0].to_string(), input.clone()]);
        steps.push(Step::Run(pp));
        // The preprocessed copy lives elsewhere: resources (icons, manifests) are found beside the .rc.
        let dir = match input.rsplit_once('/') {
            Some(("", _)) => "/".to_string(),
            Some((dir, _)) => dir.to_string(),
            None => ".".to_string(),
        };
        let mut rc = vec!["llvm-rc".to_string()];
        rc.extend(c.rc_args.iter().cloned());
        rc.extend(["-fo", temps[1], "-I", &dir, temps[0]].map(String::from));
        steps.push(Step::Run(rc));
        temps[1].to_string()
    } else {
        input
    };
    steps.push(match output_format {
        Format::Coff => Step::Run(vec![
            "llvm-cvtres".to_string(),
            format!("-machine:{}", machine.cvtres),
            format!("-out:{output}"),
            res,
        ]),
        _ => Step::Copy {
            from: res,
            to: output,
        },
    });
    Ok(steps)
}

pub const USAGE: &str = "\
Usage: windres [option(s)] [input-file] [output-file]
 The options are:
  -i --input=<file>            Name input file
  -o --output=<file>           Name output file
  -J --input-format=<format>   Specify input format (rc or res)
  -O --output-format=<format>  Specify output format (coff or res)
  -F --target=<target>         Specify COFF target (pe-x86-64, pe-i386, pe-aarch64-little, pe-arm-little, or a triple)
     --preprocessor=<program>  Program to use to preprocess rc file
     --preprocessor-arg=<arg>  Additional preprocessor argument
  -I --include-dir=<dir>       Include directory when preprocessing rc file
  -D --define <sym>[=<val>]    Define SYM when preprocessing rc file
  -U --undefine <sym>          Undefine SYM when preprocessing rc file
  -c --codepage=<codepage>     Specify default codepage
  -l --language=<val>          Set language when reading rc file
  -h --help                    Print this help message
  -V --version                 Print version information
FORMAT is deduced from the file name extension if not specified: .res is a resource file, anything else
rc source in and a COFF object out. No input-file is stdin; no output-file is stdout.
The target is --target, else TARGETPLATFORM's. rc files go through the preprocessor (--preprocessor, else
$CC, else clang for the target), llvm-rc and llvm-cvtres; binutils' <triple>-windres runs instead when the
LLVM tools are not installed.";

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn compile(s: &str) -> Compile {
        match parse(&args(s)).unwrap() {
            Request::Compile(c) => c,
            other => panic!("{s}: {other:?}"),
        }
    }

    fn plan(s: &str, platform: &str) -> Vec<String> {
        let c = compile(s);
        let p = match &c.target {
            Some(t) => platform_for_target(t).unwrap(),
            None => Platform::parse(platform, Platform::host().unwrap()).unwrap(),
        };
        let m = p.row.mingw.as_ref().unwrap();
        steps(&c, m, &["clang".to_string()], ["/tmp/foo", "/tmp/foo_"])
            .unwrap()
            .iter()
            .map(Step::to_string)
            .collect()
    }

    #[test]
    fn options_in_every_spelling() {
        let c = compile(
            "-i in.rc -o out.o --use-temp-file -I /foo --include-dir /bar --include-dir=/baz \
             -D FOO=bar -UNOT -DABC=def -l 409 --codepage=65001",
        );
        assert_eq!(c.input.as_deref(), Some("in.rc"));
        assert_eq!(c.output.as_deref(), Some("out.o"));
        assert_eq!(
            c.preprocessor_args,
            args("-I/foo -I/bar -I/baz -D FOO=bar -U NOT -D ABC=def")
        );
        assert_eq!(c.rc_args, args("-L 409 -C 65001"));
        let c = compile("--input=a.rc --output=b.res -Ocoff -Jrc -Fpe-i386 --preprocessor=cpp");
        assert_eq!(
            (c.input_format.as_deref(), c.output_format.as_deref()),
            (Some("rc"), Some("coff"))
        );
        assert_eq!(c.target.as_deref(), Some("pe-i386"));
        assert_eq!(c.preprocessor.as_deref(), Some("cpp"));
        let c = compile("-- -odd-name.rc out.o");
        assert_eq!(c.input.as_deref(), Some("-odd-name.rc"));
    }

    #[test]
    fn bad_lines_say_what_xx_says() {
        let err = |s: &str| parse(&args(s)).unwrap_err().to_string();
        assert_eq!(err("-foo foobar"), "invalid option -foo");
        assert_eq!(err("a b c"), "too many arguments");
        assert_eq!(err("-o"), "error: argument to -o is missing");
        let bad = |s: &str| formats(&compile(s)).unwrap_err().to_string();
        assert_eq!(bad("-J foo in.rc out.o"), "invalid input format foo");
        assert_eq!(bad("-O foo in.rc out.o"), "invalid output format foo");
        assert_eq!(parse(&args("-V")), Ok(Request::Version));
        assert_eq!(parse(&args("x.rc --help")), Ok(Request::Help));
    }

    #[test]
    fn targets_name_windows_machines() {
        for (target, platform) in [
            ("pe-x86-64", "windows/amd64"),
            ("pei-i386", "windows/386"),
            ("pe-aarch64-little", "windows/arm64"),
            ("x86_64-w64-mingw32", "windows/amd64"),
            ("x86_64-pc-windows-gnu", "windows/amd64"),
            ("i586-w64-mingw32", "windows/386"),
            ("aarch64-pc-windows-gnullvm", "windows/arm64"),
            ("armv7-w64-mingw32", "windows/arm/v7"),
        ] {
            let p = platform_for_target(target).map(|p| p.to_string());
            assert_eq!(p.as_deref(), Some(platform), "{target}");
        }
        assert_eq!(platform_for_target("pe-mips"), None);
        let arm64 = Platform::parse("linux/arm64", Platform::host().unwrap()).unwrap();
        assert_eq!(windows_of(arm64).unwrap().to_string(), "windows/arm64");
    }

    #[test]
    fn steps_are_xx_windres_steps() {
        assert_eq!(
            plan(
                "-i myinp.rc -o myout.syso -I /foo -D FOO=bar",
                "windows/arm"
            ),
            [
                "clang -E -xc -D RC_INVOKED=1 -I/foo -D FOO=bar -o /tmp/foo myinp.rc",
                "llvm-rc -fo /tmp/foo_ -I . /tmp/foo",
                "llvm-cvtres -machine:ARM -out:myout.syso /tmp/foo_",
            ]
        );
        assert_eq!(
            plan("-D FOO=bar myinp.rc myout.res", "windows/amd64")[2],
            "cp /tmp/foo_ myout.res"
        );
        assert_eq!(
            plan("-F pe-x86-64 mydir/myinp.rc myout.syso", "windows/386")[1..],
            [
                "llvm-rc -fo /tmp/foo_ -I mydir /tmp/foo",
                "llvm-cvtres -machine:X64 -out:myout.syso /tmp/foo_",
            ]
        );
        assert_eq!(
            plan("in.res out.o", "windows/386"),
            ["llvm-cvtres -machine:X86 -out:out.o in.res"]
        );
    }
}
