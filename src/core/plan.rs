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
    /// Where mab keeps the files it makes (see [`Dirs`]).
    pub dirs: Dirs,
    /// The directory that really holds a program (its links resolved), for clang's own config files.
    pub real_dir: &'a dyn Fn(&str) -> Option<String>,
}

/// Where mab keeps the files it makes. With MAB_BIN_DIR every one of them is in that directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirs {
    /// The `<triple>-clang`, `<triple>-ar`, … links and `<triple>.cfg`: beside mab's own executable (xx
    /// keeps them beside itself in /usr/bin), else MAB_BIN_DIR.
    pub bin: String,
    /// Whether `bin` is on PATH, so a bare `<triple>-clang` name finds the link.
    pub bin_on_path: bool,
    /// The plain `clang`, `clang++`, `cc`, `c++` links and the `--wrap` marker: a directory before the real
    /// compilers on PATH (/usr/local/bin, as xx), else MAB_BIN_DIR.
    pub shadow: String,
    /// Where xx keeps `xx-default.cfg`, the build machine's own clang config (/etc/llvm).
    pub etc_llvm: String,
    /// Whether clang's own directory may get a link to each `<triple>.cfg` (not under MAB_BIN_DIR).
    pub clang_dir_links: bool,
}

impl Dirs {
    /// Every file in `dir`, as MAB_BIN_DIR asks.
    pub fn all_in(dir: &str) -> Dirs {
        Dirs {
            bin: dir.to_string(),
            bin_on_path: false,
            shadow: dir.to_string(),
            etc_llvm: dir.to_string(),
            clang_dir_links: false,
        }
    }
}

fn join(dir: &str, name: &str) -> String {
    format!("{}/{name}", dir.trim_end_matches('/'))
}

impl Probe<'_> {
    /// Where the link `name` to mab goes.
    pub fn link_path(&self, name: &str) -> String {
        join(&self.dirs.bin, name)
    }

    /// How a tool's environment names the link `name`: bare when its directory is on PATH.
    pub fn link_name(&self, name: &str) -> String {
        if self.dirs.bin_on_path {
            name.to_string()
        } else {
            self.link_path(name)
        }
    }

    /// Where the plain-name link `name` (`clang`, `cc`) or the wrap marker goes.
    pub fn shadow_path(&self, name: &str) -> String {
        join(&self.dirs.shadow, name)
    }

    /// A probe of a made-up machine for the planners' tests: `program` and `exists` answer, every file mab
    /// makes goes to `bin`.
    #[cfg(test)]
    pub fn fake<'a>(
        program: &'a dyn Fn(&str) -> Option<String>,
        exists: &'a dyn Fn(&str) -> bool,
        bin: &str,
    ) -> Probe<'a> {
        Probe {
            program,
            exists,
            dirs: Dirs::all_in(bin),
            real_dir: &|_| None,
        }
    }
}

/// A change to the files mab keeps (links to itself and to LLVM's tools, xx's clang config files), made
/// before the plan's program runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Make this path a link to mab, unless something else is there already (which is kept; a dangling
    /// link is replaced).
    Make(String),
    /// Make this path a link to mab; something else already there is an error (`--wrap`).
    Own(String),
    /// Remove this path if it is a link to mab (`--unwrap`).
    Remove(String),
    /// Make `path` a symbolic link to `to`; a link elsewhere is replaced, a file that is no link kept.
    Symlink { path: String, to: String },
    /// Make `path` hold `text`, replacing other text (xx's `<triple>.cfg`, `--wrap`'s marker).
    File { path: String, text: String },
    /// Remove this file if it is there (`--unwrap`'s marker).
    RemoveFile(String),
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
