//! The C/C++ wrappers' plan: which compiler runs, with which flags, for a target. `mab cc`, `xx-clang`,
//! `mab cmake-toolchain` and `mab meson-cross` all start from [`toolchain`]; `mab go` and `mab cargo` use
//! it for their `<triple>-clang` links. Pure: what is installed reaches it through
//! [`Probe`](super::plan::Probe), the user's choices through [`Overrides`].
//!
//! - `toolchain.rs`: the compiler, linker, sysroot and archive tools for a target;
//! - `triple.rs`: the platform a `--target=` triple or `<triple>-clang` name means;
//! - `call.rs`: one wrapper call (xx-clang's options, the compiler's argv) as a [`Plan`](super::plan::Plan);
//! - `setup.rs`: what an xx name sets up on its first call (links, xx's clang config files).

mod call;
mod mingw;
mod setup;
mod toolchain;
mod triple;

pub use super::names::Wrapper;
pub use call::{passthrough, plan, setup_links, target_arg, wrapped, Action};
pub use toolchain::toolchain;
pub use triple::platform_for_triple;

use super::info::Info;
use super::pkg_config;
use super::resolve::Vars;
use super::table::{CcRow, Linker};
use std::fmt;

/// The environment variable that marks a compiler started by a mab wrapper. A wrapper that sees it was
/// reached again through that compiler (a symlink or script named `clang` that leads back to mab).
pub const GUARD: &str = "MAB_CC_GUARD";

/// The compiler family that runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Driver {
    /// The build machine's clang with `--target`.
    Clang,
    /// The target's GCC cross compiler (`aarch64-linux-gnu-gcc`), or the native gcc.
    Gcc,
}

/// What the user chose through the environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `MAB_CC=clang|gcc`: wins over the wrapper's name.
    pub driver: Option<Driver>,
    /// `MAB_LINKER` or xx's `XX_CC_PREFER_LINKER`: `ld` always gives GNU ld; `lld` only where lld works.
    pub linker: Option<Linker>,
    /// `MAB_SYSROOT`: a root holding the target's Debian packages (usr/lib/<multiarch>/...).
    pub sysroot: Option<String>,
    /// xx's `XX_CC_PREFER_STATIC_LINKER`: GNU ld where the table says lld's static binaries fail.
    pub prefer_static: bool,
}

impl Overrides {
    /// The root holding the target's libraries: MAB_SYSROOT, else the distro's (Alpine's root per triple,
    /// or / for Debian's multiarch).
    pub fn root<'a>(&'a self, info: &'a Info) -> &'a str {
        self.sysroot.as_deref().unwrap_or(&info.sysroot)
    }

    /// Reads MAB_CC, MAB_LINKER (else XX_CC_PREFER_LINKER) and MAB_SYSROOT; `is_dir` checks the sysroot.
    pub fn from_vars(vars: Vars, is_dir: &dyn Fn(&str) -> bool) -> Result<Overrides, CcError> {
        let driver = match vars("MAB_CC") {
            None => None,
            Some(v) if v == "clang" => Some(Driver::Clang),
            Some(v) if v == "gcc" => Some(Driver::Gcc),
            Some(v) => return Err(CcError::BadValue("MAB_CC", v, "clang or gcc")),
        };
        let linker = match (vars("MAB_LINKER"), vars("XX_CC_PREFER_LINKER")) {
            (Some(v), _) => Some(parse_linker("MAB_LINKER", v)?),
            // xx's variable also takes "gold", which mab treats as its default choice.
            (None, Some(v)) if v != "gold" => Some(parse_linker("XX_CC_PREFER_LINKER", v)?),
            _ => None,
        };
        let sysroot = vars("MAB_SYSROOT");
        if let Some(s) = &sysroot {
            if !s.starts_with('/') || !is_dir(s) {
                return Err(CcError::BadValue(
                    "MAB_SYSROOT",
                    s.clone(),
                    "an absolute path to a directory",
                ));
            }
        }
        Ok(Overrides {
            driver,
            linker,
            sysroot,
            prefer_static: vars("XX_CC_PREFER_STATIC_LINKER").is_some(),
        })
    }
}

fn parse_linker(name: &'static str, value: String) -> Result<Linker, CcError> {
    match value.as_str() {
        "lld" => Ok(Linker::Lld),
        "ld" | "bfd" => Ok(Linker::Bfd),
        _ => Err(CcError::BadValue(name, value, "lld or ld")),
    }
}

/// Why no toolchain could be planned; each says in one line what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CcError {
    /// The platform has no row in toolchains/cc.toml.
    Unsupported(String),
    /// Something is not installed: what, for which target, and the Debian package that has it (with a
    /// note when the package's name is the default release's, this machine's being unknown to mab).
    Missing {
        what: String,
        target: String,
        package: String,
        note: Option<String>,
    },
    /// A program the call runs is not on PATH: its name and the Debian package that has it.
    NotFound(String, &'static str),
    /// An override variable has a value mab does not know.
    BadValue(&'static str, String, &'static str),
    /// A Windows platform Debian has no MinGW-w64 for, and no LLVM MinGW sysroot in its place.
    NoSysroot { triple: String, target: String },
    /// `--target=` or a `<triple>-clang` name mab cannot map to a platform.
    UnknownTriple(String),
    /// The wrapper was reached again from the compiler it started.
    Recursion,
}

impl fmt::Display for CcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CcError::Unsupported(p) => write!(
                f,
                "mab has no C toolchain data for {p} (see toolchains/cc.toml for the platforms it has)"
            ),
            CcError::Missing {
                what,
                target,
                package,
                note,
            } => {
                write!(
                    f,
                    "{what} not found for {target}: install it with `apt-get install {package}`"
                )?;
                match note {
                    Some(note) => write!(f, " ({note})"),
                    None => Ok(()),
                }
            }
            CcError::NotFound(name, package) => {
                write!(f, "{name} not found: apt-get install {package}")
            }
            CcError::BadValue(name, value, expected) => {
                write!(f, "{name}={value:?} is not {expected}")
            }
            CcError::NoSysroot { triple, target } => write!(
                f,
                "no MinGW-w64 sysroot for {target} (/usr/{triple}/lib/crt2.o): Debian has no package for it; \
                 unpack the {triple} directory of an LLVM MinGW toolchain (llvm-mingw, from mstorsjo/llvm-mingw's \
                 releases) at /usr/{triple}, or name it in MAB_SYSROOT"
            ),
            CcError::UnknownTriple(t) => write!(
                f,
                "unknown target triple {t:?}: use one `mab info triple` prints for a platform in `mab platforms`"
            ),
            CcError::Recursion => write!(
                f,
                "the compiler mab started ran mab again ({GUARD} is set): a `clang` or `cc` on PATH leads back to \
                 mab; remove that link (`mab clang --unwrap`) or put the real compiler first on PATH"
            ),
        }
    }
}

impl std::error::Error for CcError {}

/// A compiler setup for a target, split the way build systems want it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    pub driver: Driver,
    pub triple: String,
    /// The compilers' full paths; a wrapper call looks up only the one it runs and names the other.
    pub cc: String,
    pub cxx: String,
    /// Flags for every call: `--target=` (clang), `--sysroot=` (when not /).
    pub compile_flags: Vec<String>,
    /// Flags for C++ calls only: where libstdc++'s headers are (MinGW-w64 with clang), `-stdlib=`.
    pub cxx_flags: Vec<String>,
    /// Flags for calls that link: `-fuse-ld=`, `--rtlib=`.
    pub link_flags: Vec<String>,
    /// Archive tools, looked up for the build files only (a wrapper call has the bare names).
    pub ar: String,
    pub ranlib: String,
    pub strip: String,
    /// "/" or the root given with MAB_SYSROOT (Alpine: /<triple>/).
    pub sysroot: String,
    /// Where pkg-config finds the target's libraries; none for a native build in /.
    pub pkg_config: Option<pkg_config::Paths>,
    /// Meson's host machine: cpu_family, cpu, endian.
    pub meson_cpu: &'static str,
    pub march: &'static str,
    pub endian: &'static str,
}

/// The row of the target, or why there is none.
pub fn row(info: &Info) -> Result<&'static CcRow, CcError> {
    match info.target.row.cc.as_ref() {
        Some(row) if info.target.os() == "linux" => Ok(row),
        _ => Err(CcError::Unsupported(info.target.to_string())),
    }
}

/// Whether mab has C toolchain data for the target: a Linux row in cc.toml or a Windows one in mingw.toml.
pub fn supported(info: &Info) -> Result<(), CcError> {
    match info.target.row.mingw {
        Some(_) => Ok(()),
        None => row(info).map(|_| ()),
    }
}
