//! Every name mab answers to, as data. A leaf: it imports nothing of mab, so the dispatcher
//! (`crate::applet`), the wrappers' plans (which `<triple>-ar` links to make) and `mab links` all read the
//! same table without depending on each other.

/// Which compiler wrapper was called: `cc`/`c++` take whatever compiler is installed, `clang`/`clang++`
/// ask for clang.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrapper {
    Cc,
    Cxx,
    Clang,
    Clangxx,
}

impl Wrapper {
    pub fn is_cxx(self) -> bool {
        matches!(self, Wrapper::Cxx | Wrapper::Clangxx)
    }

    /// Whether the name asks for clang rather than whatever compiler is installed.
    pub fn is_clang(self) -> bool {
        matches!(self, Wrapper::Clang | Wrapper::Clangxx)
    }
}

/// How a compiler wrapper was reached, which decides what it writes and which target it builds for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CcName {
    /// `mab clang …`: mab's own; only `--setup-target-triple` (and `--print-cmake-defines`) make links.
    Mab,
    /// `xx-clang`, `xx-cc`, … (also as `mab xx-clang`): xx's, which sets up links and config files on its
    /// first call, print flags included.
    Xx,
    /// A plain `clang`, `clang++`, `cc` or `c++` link to mab: the real compiler, or the given `--target`'s
    /// wrapper; TARGETPLATFORM's after `--wrap`.
    Plain,
    /// `<triple>-clang`: the triple's wrapper.
    Prefixed,
}

impl CcName {
    /// The kind of the name `name`, reached as `mab NAME` when `via_mab`.
    pub fn of(name: &str, via_mab: bool) -> CcName {
        match (name.starts_with("xx-"), via_mab) {
            (true, _) => CcName::Xx,
            (false, true) => CcName::Mab,
            (false, false) => CcName::Plain,
        }
    }
}

/// The package managers mab wraps (`xx-apt-get`, `mab apk`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageManager {
    AptGet,
    Apt,
    Apk,
    Dnf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applet {
    Mab,
    XxInfo,
    XxVerify,
    XxGo,
    XxCargo,
    Packages(PackageManager),
    /// A C/C++ compiler wrapper (`xx-clang`; plain `clang` once `--wrap` linked it).
    Compiler(Wrapper),
    PkgConfig,
    /// `<triple>-ar` and friends: LLVM's tool of that name.
    LlvmTool(&'static str),
    /// GNU windres's command line over llvm-rc and llvm-cvtres.
    Windres(WindresName),
}

/// Which windres name was called: xx's keeps xx-windres's messages and exit code 1 for a bad command line;
/// `<triple>-windres` takes the triple as its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindresName {
    Mab,
    Xx,
    Prefixed,
}

/// Every name mab answers to as a program name; `mab NAME ARGS` runs the same applet.
pub static APPLETS: &[(&str, Applet)] = &[
    ("mab", Applet::Mab),
    ("xx-info", Applet::XxInfo),
    ("xx-verify", Applet::XxVerify),
    ("xx-go", Applet::XxGo),
    ("xx-cargo", Applet::XxCargo),
    ("xx-apt-get", Applet::Packages(PackageManager::AptGet)),
    ("xx-apt", Applet::Packages(PackageManager::Apt)),
    ("xx-apk", Applet::Packages(PackageManager::Apk)),
    ("xx-dnf", Applet::Packages(PackageManager::Dnf)),
    ("xx-cc", Applet::Compiler(Wrapper::Cc)),
    ("xx-c++", Applet::Compiler(Wrapper::Cxx)),
    ("xx-clang", Applet::Compiler(Wrapper::Clang)),
    ("xx-clang++", Applet::Compiler(Wrapper::Clangxx)),
    ("cc", Applet::Compiler(Wrapper::Cc)),
    ("c++", Applet::Compiler(Wrapper::Cxx)),
    ("clang", Applet::Compiler(Wrapper::Clang)),
    ("clang++", Applet::Compiler(Wrapper::Clangxx)),
    ("xx-windres", Applet::Windres(WindresName::Xx)),
];

/// Names only `mab NAME ARGS` takes (a bare `pkg-config` link would shadow the real one). Their raw
/// arguments never go through clap.
pub static SUBCOMMANDS: &[(&str, Applet)] = &[
    ("pkg-config", Applet::PkgConfig),
    ("windres", Applet::Windres(WindresName::Mab)),
];

/// `<triple>-<suffix>` names (`aarch64-linux-gnu-clang`), made by `--setup-target-triple`: the prefix is
/// the target triple, and the longest matching suffix wins.
pub static SUFFIXES: &[(&str, Applet)] = &[
    ("-clang", Applet::Compiler(Wrapper::Clang)),
    ("-clang++", Applet::Compiler(Wrapper::Clangxx)),
    ("-pkg-config", Applet::PkgConfig),
    ("-windres", Applet::Windres(WindresName::Prefixed)),
    ("-ar", Applet::LlvmTool("ar")),
    ("-ranlib", Applet::LlvmTool("ranlib")),
    ("-strip", Applet::LlvmTool("strip")),
    ("-objcopy", Applet::LlvmTool("objcopy")),
    ("-objdump", Applet::LlvmTool("objdump")),
    ("-nm", Applet::LlvmTool("nm")),
    ("-readelf", Applet::LlvmTool("readelf")),
    ("-addr2line", Applet::LlvmTool("addr2line")),
    ("-size", Applet::LlvmTool("size")),
    ("-strings", Applet::LlvmTool("strings")),
    ("-dlltool", Applet::LlvmTool("dlltool")),
    // xx links these two as well (llvm-as is LLVM's IR assembler, not GNU as).
    ("-as", Applet::LlvmTool("as")),
    ("-profdata", Applet::LlvmTool("profdata")),
];

pub fn from_name(name: &str) -> Option<Applet> {
    APPLETS.iter().find(|(n, _)| *n == name).map(|(_, a)| *a)
}

/// `mab NAME ARGS`: every applet but mab itself, and the mab-only names.
pub fn subcommand(name: &str) -> Option<Applet> {
    from_name(name).filter(|a| *a != Applet::Mab).or_else(|| {
        SUBCOMMANDS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| *a)
    })
}

/// The raw subcommands `mab --help`, the completions and the manual list: the compilers and pkg-config
/// (every other applet name works after `mab` too, as its own program).
pub fn raw_subcommands() -> impl Iterator<Item = (&'static str, Applet)> {
    APPLETS
        .iter()
        .filter(|(n, a)| matches!(a, Applet::Compiler(_)) && !n.starts_with("xx-"))
        .chain(SUBCOMMANDS)
        .copied()
}

/// A `<triple>-<suffix>` name: the applet and the triple.
pub fn from_suffix(name: &str) -> Option<(Applet, &str)> {
    SUFFIXES
        .iter()
        .filter(|(suffix, _)| name.len() > suffix.len() && name.ends_with(suffix))
        .max_by_key(|(suffix, _)| suffix.len())
        .map(|(suffix, a)| (*a, &name[..name.len() - suffix.len()]))
}

/// The LLVM tools that get binutils-style `<triple>-<tool>` names.
pub fn llvm_tools() -> impl Iterator<Item = &'static str> {
    SUFFIXES.iter().filter_map(|(_, a)| match a {
        Applet::LlvmTool(tool) => Some(*tool),
        _ => None,
    })
}

/// Every name a user may link mab as, for the error that lists them.
pub fn all() -> Vec<String> {
    APPLETS
        .iter()
        .map(|(n, _)| n.to_string())
        .chain(SUFFIXES.iter().map(|(s, _)| format!("<triple>{s}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_names_split_at_the_longest_suffix() {
        let cases = [
            (
                "aarch64-linux-gnu-clang",
                Some((Applet::Compiler(Wrapper::Clang), "aarch64-linux-gnu")),
            ),
            (
                "aarch64-linux-gnu-clang++",
                Some((Applet::Compiler(Wrapper::Clangxx), "aarch64-linux-gnu")),
            ),
            (
                "riscv64-linux-gnu-pkg-config",
                Some((Applet::PkgConfig, "riscv64-linux-gnu")),
            ),
            (
                "s390x-linux-gnu-ar",
                Some((Applet::LlvmTool("ar"), "s390x-linux-gnu")),
            ),
            ("-clang", None),
            ("clang", None),
            ("aarch64-linux-gnu-gcc", None),
        ];
        for (name, want) in cases {
            assert_eq!(from_suffix(name), want, "{name}");
        }
    }

    #[test]
    fn every_applet_is_a_subcommand() {
        for (name, applet) in APPLETS.iter().filter(|(n, _)| *n != "mab") {
            assert_eq!(subcommand(name), Some(*applet), "{name}");
        }
        assert_eq!(subcommand("pkg-config"), Some(Applet::PkgConfig));
        assert_eq!(subcommand("mab"), None);
        assert_eq!(subcommand("info"), None);
    }
}
