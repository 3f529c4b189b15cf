//! The C/C++ wrappers' plan: which compiler runs, with which flags, for a target. `mab cc`, `xx-clang`,
//! `mab cmake-toolchain` and `mab meson-cross` all start from [`toolchain`]. Pure: what is installed reaches
//! it through [`Probe`], the overrides through [`Overrides`].

use super::info::Info;
use super::platform::Platform;
use super::table::{self, CcRow, Family, Linker};
use super::Flavour;
use std::ffi::{OsStr, OsString};
use std::fmt;

/// The environment variable that marks a compiler started by a mab wrapper. A wrapper that sees it was
/// reached again through that compiler (a symlink or script named `clang` that leads back to mab).
pub const GUARD: &str = "MAB_CC_GUARD";

/// Which wrapper was called: `cc`/`c++` take whatever compiler is installed, `clang`/`clang++` ask for clang.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrapper {
    Cc,
    Cxx,
    Clang,
    Clangxx,
}

impl Wrapper {
    pub fn from_name(name: &str) -> Option<Wrapper> {
        Some(match name {
            "cc" => Wrapper::Cc,
            "c++" => Wrapper::Cxx,
            "clang" => Wrapper::Clang,
            "clang++" => Wrapper::Clangxx,
            _ => return None,
        })
    }

    pub fn is_cxx(self) -> bool {
        matches!(self, Wrapper::Cxx | Wrapper::Clangxx)
    }

    /// The driver this name asks for, if any.
    fn driver(self) -> Option<Driver> {
        matches!(self, Wrapper::Clang | Wrapper::Clangxx).then_some(Driver::Clang)
    }
}

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
}

impl Overrides {
    pub fn parse_driver(value: &str) -> Result<Driver, CcError> {
        match value {
            "clang" => Ok(Driver::Clang),
            "gcc" => Ok(Driver::Gcc),
            _ => Err(CcError::BadValue(
                "MAB_CC",
                value.to_string(),
                "clang or gcc",
            )),
        }
    }

    pub fn parse_linker(name: &'static str, value: &str) -> Result<Linker, CcError> {
        match value {
            "lld" => Ok(Linker::Lld),
            "ld" | "bfd" => Ok(Linker::Bfd),
            _ => Err(CcError::BadValue(name, value.to_string(), "lld or ld")),
        }
    }
}

/// What is installed, asked by the command layer.
pub struct Probe<'a> {
    /// The full path of a program on PATH, never mab itself.
    pub program: &'a dyn Fn(&str) -> Option<String>,
    /// Whether a file or directory exists.
    pub exists: &'a dyn Fn(&str) -> bool,
}

/// Why no toolchain could be planned; each says in one line what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CcError {
    /// The platform has no row in toolchains/cc.toml.
    Unsupported(String),
    /// Something is not installed: what, for which target, and the Debian package that has it.
    Missing {
        what: String,
        target: String,
        package: String,
    },
    /// An override variable has a value mab does not know.
    BadValue(&'static str, String, &'static str),
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
            } => write!(
                f,
                "{what} not found for {target}: install it with `apt-get install {package}`"
            ),
            CcError::BadValue(name, value, expected) => {
                write!(f, "{name}={value:?} is not {expected}")
            }
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
    /// Flags for calls that link: `-fuse-ld=`, `--rtlib=`.
    pub link_flags: Vec<String>,
    /// Archive tools, looked up for the build files only (a wrapper call has the bare names).
    pub ar: String,
    pub ranlib: String,
    pub strip: String,
    /// "/" or the root given with MAB_SYSROOT (Alpine: /<triple>/).
    pub sysroot: String,
    /// PKG_CONFIG_LIBDIR and PKG_CONFIG_SYSROOT_DIR for the target; empty for a native build in /.
    pub pkg_config_env: Vec<(&'static str, String)>,
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

/// PKG_CONFIG_LIBDIR (the target's multiarch and arch-independent .pc directories) and, under a sysroot,
/// PKG_CONFIG_SYSROOT_DIR. Nothing for a native build in /, so the host's pkg-config is untouched.
pub fn pkg_config_env(info: &Info, row: &CcRow, sysroot: &str) -> Vec<(&'static str, String)> {
    if !info.is_cross() && sysroot == "/" {
        return Vec::new();
    }
    let root = sysroot.trim_end_matches('/');
    let mut dirs = vec![format!("{root}/usr/lib/{}/pkgconfig", row.multiarch)];
    // In / the plain lib dir holds the build machine's files; in a sysroot (Alpine's) it is the target's.
    if sysroot != "/" {
        dirs.push(format!("{root}/usr/lib/pkgconfig"));
    }
    dirs.push(format!("{root}/usr/share/pkgconfig"));
    let mut env = vec![("PKG_CONFIG_LIBDIR", dirs.join(":"))];
    if sysroot != "/" {
        env.push(("PKG_CONFIG_SYSROOT_DIR", root.to_string()));
    }
    env
}

/// Plans the compiler for `info`. `wrapper` is the name called (None from the build-system generators,
/// which prefer clang like `cc`); only the language it needs must be installed.
pub fn toolchain(
    info: &Info,
    wrapper: Option<Wrapper>,
    ov: &Overrides,
    probe: &Probe,
) -> Result<Toolchain, CcError> {
    let row = row(info)?;
    let t = info.triple.as_str();
    let cross = info.is_cross();
    let target = info.target.to_string();
    let missing = |what: String, package: &str| CcError::Missing {
        what,
        target: target.clone(),
        package: package.to_string(),
    };
    // A native build uses the distro's own compiler packages; the table holds the cross ones.
    let (gcc_pkg, gxx_pkg, libc_pkg, binutils_pkg) = if cross {
        (row.gcc, row.gxx, row.libc, row.binutils)
    } else {
        ("gcc", "g++", "libc6-dev", "binutils")
    };
    let find = |names: &[String]| names.iter().find_map(|n| (probe.program)(n));
    let named = |tool: &str| {
        let mut names = vec![format!("{t}-{tool}")];
        if !cross {
            names.push(tool.to_string());
        }
        names
    };
    let cxx_needed = wrapper.is_some_and(Wrapper::is_cxx);
    // A wrapper call needs one compiler; the build files name both, and the archive tools. Every lookup
    // is a walk over PATH, so a wrapper call makes only the ones it needs.
    let build_files = wrapper.is_none();
    let other = |names: Vec<String>| {
        let fallback = names[0].clone();
        if build_files {
            find(&names).unwrap_or(fallback)
        } else {
            fallback
        }
    };
    let clang_name = if cxx_needed { "clang++" } else { "clang" };
    let clang = (probe.program)(clang_name);
    let driver = match ov.driver.or(wrapper.and_then(Wrapper::driver)) {
        Some(d) => d,
        None if clang.is_some() => Driver::Clang,
        None if find(&named("gcc")).is_some() => Driver::Gcc,
        None => {
            return Err(missing(
                format!("a C compiler (clang or {t}-gcc)"),
                &format!("clang lld` or `apt-get install {gcc_pkg}"),
            ))
        }
    };
    let sysroot = ov.sysroot.clone().unwrap_or_else(|| info.sysroot.clone());
    let debian = info.flavour.family == Some(Family::Debian);
    let mut compile_flags = Vec::new();
    let mut link_flags = Vec::new();
    let (cc, cxx, tools);
    match driver {
        Driver::Clang => {
            let found = clang.ok_or_else(|| missing(clang_name.into(), "clang"))?;
            (cc, cxx) = if cxx_needed {
                (other(vec!["clang".into()]), found)
            } else {
                (found, other(vec!["clang++".into()]))
            };
            compile_flags.push(format!("--target={t}"));
            // clang finds Debian's /usr/<triple> through the GCC cross install: it needs its crt files.
            if debian && sysroot == "/" {
                // A cross GCC installs it under gcc-cross; the target's multiarch libgcc-*-dev:<arch>
                // (what `mab apt-get` installs) under gcc, where clang looks too.
                let dirs: &[&str] = if cross {
                    &["gcc-cross", "gcc"]
                } else {
                    &["gcc"]
                };
                if !dirs
                    .iter()
                    .any(|d| (probe.exists)(&format!("/usr/lib/{d}/{t}")))
                {
                    return Err(missing(
                        format!("GCC's runtime (crtbegin.o, libgcc) for {t}"),
                        gcc_pkg,
                    ));
                }
            }
            let gnu_ld = || find(&named("ld")).is_some();
            let lld = || (probe.program)("ld.lld").is_some();
            let linker = match (ov.linker, row.linker) {
                (Some(Linker::Bfd), _) | (_, Linker::Bfd) => Linker::Bfd,
                // lld where it works; GNU ld when only that is installed, as xx falls back.
                _ if lld() => Linker::Lld,
                _ if gnu_ld() => Linker::Bfd,
                _ => return Err(missing("ld.lld (the LLVM linker)".into(), "lld")),
            };
            if linker == Linker::Bfd && !gnu_ld() {
                return Err(missing(format!("GNU ld ({t}-ld)"), binutils_pkg));
            }
            link_flags.push(
                match linker {
                    Linker::Lld => "-fuse-ld=lld",
                    Linker::Bfd => "-fuse-ld=bfd",
                }
                .to_string(),
            );
            // Debian's cross sysroots ship GCC's runtime, not compiler-rt.
            link_flags.push("--rtlib=libgcc".to_string());
            tools = ["ar", "ranlib", "strip"].map(|tool| {
                let mut names = vec![format!("llvm-{tool}")];
                names.extend(named(tool));
                other(names)
            });
        }
        Driver::Gcc => {
            let look = |tool: &str, package: &str| {
                find(&named(tool)).ok_or_else(|| missing(format!("{t}-{tool}"), package))
            };
            (cc, cxx) = if cxx_needed {
                (other(named("gcc")), look("g++", gxx_pkg)?)
            } else {
                (look("gcc", gcc_pkg)?, other(named("g++")))
            };
            tools = ["ar", "ranlib", "strip"].map(|tool| {
                let mut names = named(tool);
                names.push(format!("llvm-{tool}"));
                other(names)
            });
        }
    }
    if sysroot != "/" {
        compile_flags.push(format!("--sysroot={sysroot}"));
    }
    if debian {
        if let Some((what, is_cxx)) = missing_libs(
            t,
            row,
            cross,
            cxx_needed && driver == Driver::Clang,
            &sysroot,
            probe,
        ) {
            // Under MAB_SYSROOT the target's own (multiarch) packages belong in that root.
            let arch = info.target.row.debian_arch.unwrap_or("");
            let package = match (sysroot.as_str(), is_cxx) {
                ("/", true) => gxx_pkg.to_string(),
                ("/", false) => libc_pkg.to_string(),
                (_, true) => format!("libstdc++-12-dev:{arch}"),
                (_, false) => format!("libc6-dev:{arch}"),
            };
            return Err(missing(what, &package));
        }
    }
    let [ar, ranlib, strip] = tools;
    Ok(Toolchain {
        driver,
        triple: t.to_string(),
        cc,
        cxx,
        compile_flags,
        link_flags,
        ar,
        ranlib,
        strip,
        pkg_config_env: pkg_config_env(info, row, &sysroot),
        sysroot,
        meson_cpu: row.meson_cpu,
        march: info.target.row.march,
        endian: row.endian,
    })
}

/// What of the target's C library (and for clang++ libstdc++) is not where the compiler looks: Debian's
/// cross sysroot /usr/<triple>, multiarch /usr/lib/<multiarch>, or the same under MAB_SYSROOT. The flag
/// says whether it is libstdc++.
fn missing_libs(
    t: &str,
    row: &CcRow,
    cross: bool,
    cxx: bool,
    sysroot: &str,
    probe: &Probe,
) -> Option<(String, bool)> {
    let root = sysroot.trim_end_matches('/');
    let m = row.multiarch;
    let mut libc = vec![format!("{root}/usr/lib/{m}/crt1.o")];
    let mut libstdcxx = vec![format!("{root}/usr/include/{m}/c++")];
    if cross && sysroot == "/" {
        libc.push(format!("/usr/{t}/lib/crt1.o"));
        libstdcxx.push(format!("/usr/{t}/include/c++"));
    }
    let any = |paths: &[String]| paths.iter().any(|p| (probe.exists)(p));
    if !any(&libc) {
        return Some((
            format!("the C library for {t} ({})", libc.join(" or ")),
            false,
        ));
    }
    if cxx && !any(&libstdcxx) {
        return Some((
            format!("libstdc++ for {t} ({})", libstdcxx.join(" or ")),
            true,
        ));
    }
    None
}

/// What a wrapper call does besides compiling (xx-clang's options).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Compile,
    /// `--config FILE`: the user brings their own clang configuration; run clang untouched.
    Passthrough,
    PrintTargetTriple,
    PrintSysroot,
    PrintCmakeDefines,
    SetupTargetTriple,
    Wrap,
    Unwrap,
}

/// The first of xx's own options in the arguments, else a plain compile.
pub fn action(args: &[OsString]) -> Action {
    for arg in args {
        let a = arg.to_str().unwrap_or("");
        let a = a.strip_prefix('-').unwrap_or(a);
        let found = match a {
            "-config" => Action::Passthrough,
            "-print-target-triple" | "print-target-triple" => Action::PrintTargetTriple,
            "-print-sysroot" | "print-sysroot" => Action::PrintSysroot,
            "-print-cmake-defines" | "print-cmake-defines" => Action::PrintCmakeDefines,
            "-setup-target-triple" | "setup-target-triple" => Action::SetupTargetTriple,
            "-wrap" => Action::Wrap,
            "-unwrap" => Action::Unwrap,
            _ => continue,
        };
        return found;
    }
    Action::Compile
}

/// The triple of `--target=T` or `-target T`, if the user gave one.
pub fn target_arg(args: &[OsString]) -> Option<String> {
    let mut next = false;
    for arg in args {
        let a = arg.to_string_lossy();
        if next {
            return Some(a.into_owned());
        }
        if let Some(t) = a.strip_prefix("--target=") {
            return Some(t.to_string());
        }
        next = a == "-target";
    }
    None
}

/// Compares triples the way compilers accept them: the vendor part is optional and a few machine names
/// have synonyms.
fn normalize(triple: &str) -> String {
    let mut parts: Vec<&str> = triple.split('-').collect();
    if parts.len() == 4 {
        parts.remove(1);
    }
    if let Some(arch) = parts.first_mut() {
        *arch = match *arch {
            "riscv64gc" => "riscv64",
            "i386" | "i586" => "i686",
            other => other,
        };
    }
    parts.join("-").to_ascii_lowercase()
}

/// The platform whose C triple is `triple` (from `--target=` or a `<triple>-clang` name).
pub fn platform_for_triple(triple: &str, flavour: &Flavour) -> Result<Platform, CcError> {
    let want = normalize(triple);
    table::PLATFORMS
        .iter()
        .filter(|row| row.os == "linux" && row.cc.is_some())
        .map(|row| Platform {
            row,
            variant: row.variant,
        })
        .find(|p| normalize(&super::info::c_triple(*p, flavour, &|_| None)) == want)
        .ok_or_else(|| CcError::UnknownTriple(triple.to_string()))
}

/// Whether the call links: not with -c, -S, -E, -fsyntax-only or dependency-only -M/-MM, where clang
/// would warn that link flags are unused (and break -Werror builds).
pub fn links(args: &[OsString]) -> bool {
    let no_link = ["-c", "-S", "-E", "-M", "-MM", "-fsyntax-only"].map(OsStr::new);
    !args.iter().any(|a| no_link.contains(&a.as_os_str()))
}

/// The program, arguments and environment of one compiler call: the toolchain's flags first, so the
/// user's own (a later `-fuse-ld=`) win.
pub fn invocation(
    tc: &Toolchain,
    wrapper: Wrapper,
    args: &[OsString],
) -> (String, Vec<OsString>, Vec<(&'static str, String)>) {
    let program = if wrapper.is_cxx() { &tc.cxx } else { &tc.cc };
    let user_target = target_arg(args).is_some();
    let mut out: Vec<OsString> = tc
        .compile_flags
        .iter()
        .filter(|f| !(user_target && f.starts_with("--target=")))
        .map(OsString::from)
        .collect();
    if links(args) {
        out.extend(tc.link_flags.iter().map(OsString::from));
    }
    out.extend(args.iter().cloned());
    (program.clone(), out, vec![(GUARD, "1".to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::os_release::OsRelease;

    fn info(platform: &str) -> Info {
        let host = Platform::parse("linux/amd64", Platform::host().unwrap()).unwrap();
        let target = Platform::parse(platform, host).unwrap();
        let release = OsRelease {
            id: Some("debian".into()),
            ..Default::default()
        };
        let flavour = Flavour::new("linux", &release, &|_| None);
        Info::new(target, host, flavour, &|_| None, None)
    }

    /// A Debian machine with clang, lld and every cross package of the test suite installed.
    fn plan(platform: &str, wrapper: Wrapper, ov: Overrides) -> Result<Toolchain, CcError> {
        let program = |name: &str| {
            let installed = !name.contains("mips") && !name.starts_with("x86_64");
            installed.then(|| format!("/usr/bin/{name}"))
        };
        let exists = |path: &str| !path.contains("mips");
        toolchain(
            &info(platform),
            Some(wrapper),
            &ov,
            &Probe {
                program: &program,
                exists: &exists,
            },
        )
    }

    #[test]
    fn linker_follows_the_table_and_the_override() {
        let check = |platform, ov: Overrides, want: &str| {
            let tc = plan(platform, Wrapper::Clang, ov).unwrap();
            assert_eq!(tc.link_flags[0], want, "{platform}");
        };
        check("linux/arm64", Overrides::default(), "-fuse-ld=lld");
        check("linux/riscv64", Overrides::default(), "-fuse-ld=bfd");
        check("linux/s390x", Overrides::default(), "-fuse-ld=bfd");
        let lld = Overrides {
            linker: Some(Linker::Lld),
            ..Default::default()
        };
        check("linux/s390x", lld, "-fuse-ld=bfd");
        let ld = Overrides {
            linker: Some(Linker::Bfd),
            ..Default::default()
        };
        check("linux/arm64", ld, "-fuse-ld=bfd");
    }

    #[test]
    fn gcc_route_names_the_cross_compiler() {
        let gcc = Overrides {
            driver: Some(Driver::Gcc),
            ..Default::default()
        };
        let tc = plan("linux/arm/v6", Wrapper::Cxx, gcc).unwrap();
        assert_eq!(tc.cxx, "/usr/bin/arm-linux-gnueabi-g++");
        assert!(tc.link_flags.is_empty());
        let err = plan(
            "linux/mips64le",
            Wrapper::Cc,
            Overrides {
                driver: Some(Driver::Gcc),
                ..Default::default()
            },
        );
        assert_eq!(
            err.unwrap_err().to_string(),
            "mips64el-linux-gnuabi64-gcc not found for linux/mips64le: install it with \
             `apt-get install gcc-mips64el-linux-gnuabi64`"
        );
    }

    #[test]
    fn missing_libc_names_the_package() {
        let err = plan("linux/mips64le", Wrapper::Clang, Overrides::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("apt-get install gcc-mips64el-linux-gnuabi64"),
            "{err}"
        );
    }

    #[test]
    fn triples_map_back_to_platforms() {
        let flavour = info("linux/arm64").flavour;
        for (triple, platform) in [
            ("aarch64-linux-gnu", "linux/arm64"),
            ("aarch64-unknown-linux-gnu", "linux/arm64"),
            ("arm-linux-gnueabihf", "linux/arm/v7"),
            ("arm-linux-gnueabi", "linux/arm/v6"),
            ("i386-linux-gnu", "linux/386"),
            ("riscv64gc-unknown-linux-gnu", "linux/riscv64"),
            ("x86_64-pc-linux-gnu", "linux/amd64"),
        ] {
            let p = platform_for_triple(triple, &flavour).unwrap();
            assert_eq!(p.to_string(), platform, "{triple}");
        }
        assert!(platform_for_triple("sparc-linux-gnu", &flavour).is_err());
    }

    #[test]
    fn compile_only_calls_get_no_link_flags() {
        let tc = plan("linux/arm64", Wrapper::Clang, Overrides::default()).unwrap();
        let args = |s: &[&str]| s.iter().map(OsString::from).collect::<Vec<_>>();
        let (_, a, env) = invocation(&tc, Wrapper::Clang, &args(&["-c", "x.c"]));
        assert_eq!(a, args(&["--target=aarch64-linux-gnu", "-c", "x.c"]));
        assert_eq!(env, vec![(GUARD, "1".to_string())]);
        let (p, a, _) = invocation(
            &tc,
            Wrapper::Clang,
            &args(&["--target=aarch64-linux-gnu", "x.c"]),
        );
        assert_eq!(p, "/usr/bin/clang");
        assert_eq!(
            a,
            args(&[
                "-fuse-ld=lld",
                "--rtlib=libgcc",
                "--target=aarch64-linux-gnu",
                "x.c"
            ])
        );
    }
}
