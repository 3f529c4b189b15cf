//! Exit codes, in one place (see README.md, "Exit codes"):
//! 0 success or a true answer, 1 a false answer (`is-cross`) or a failed check, 2 an error.
//! Wrapped tools' own codes pass through unchanged.

use std::io::{self, Write};
use std::process::ExitCode;

pub const FALSE: u8 = 1;
pub const ERROR: u8 = 2;

/// Reports an error on stderr and picks its exit code. A closed stdout (`mab info env | head -1`) is not
/// an error: the reader got what it wanted.
pub fn report(err: &anyhow::Error, program: &str) -> ExitCode {
    let broken_pipe = err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    eprintln!("{program}: error: {err:#}");
    ExitCode::from(ERROR)
}

/// Writes lines to stdout in one go, returning the I/O error instead of panicking as `println!` does.
pub fn print_lines<I, S>(lines: I) -> io::Result<()>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = io::stdout().lock();
    for line in lines {
        out.write_all(line.as_ref().as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
