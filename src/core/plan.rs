//! The wrapper path's two halves meet here: what the command layer found on the machine ([`Probe`]) goes
//! in, and what it should do ([`Plan`]) comes out. Planning is pure; `crate::cmd::exec` alone carries a
//! plan out, so a print flag, which only prints, cannot write a file.

use std::ffi::OsString;

/// What is installed, asked by the planners and answered by the command layer. Each answer is a fact of
/// the machine at this moment; planners ask only what their answer needs (a PATH walk costs a stat per
/// directory).
pub struct Probe<'a> {
    /// The full path of a program on PATH, never mab itself (a `clang` link to mab is not a compiler).
    pub program: &'a dyn Fn(&str) -> Option<String>,
    /// Whether a file or directory exists.
    pub exists: &'a dyn Fn(&str) -> bool,
    /// The directory mab's own links go to: MAB_BIN_DIR, else /usr/local/bin.
    pub bin_dir: String,
}

impl Probe<'_> {
    /// Where the link `name` to mab goes.
    pub fn link_path(&self, name: &str) -> String {
        format!("{}/{name}", self.bin_dir.trim_end_matches('/'))
    }
}

/// A change to the links to mab, made before the plan's program runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Make this path a link to mab, unless something is there already (which is kept).
    Make(String),
    /// Make this path a link to mab; something else already there is an error (`--wrap`).
    Own(String),
    /// Remove this path if it is a link to mab (`--unwrap`).
    Remove(String),
}

/// A program to run with its arguments and the variables it gets on top of mab's own environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub program: String,
    pub args: Vec<OsString>,
    pub env: Vec<(String, String)>,
}

/// What a wrapper call does once the links are made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    /// Nothing more (`--setup-target-triple`, `--wrap`).
    Done,
    /// These lines on stdout.
    Print(Vec<String>),
    /// This program in mab's place: its exit code and signals are the program's own.
    Exec(Command),
}

/// A wrapper call's whole effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub links: Vec<Link>,
    pub then: Then,
}

impl Plan {
    pub fn print(lines: Vec<String>) -> Plan {
        Plan {
            links: Vec::new(),
            then: Then::Print(lines),
        }
    }

    pub fn exec(command: Command) -> Plan {
        Plan {
            links: Vec::new(),
            then: Then::Exec(command),
        }
    }
}
