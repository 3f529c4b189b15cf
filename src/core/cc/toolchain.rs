//! The compiler, linker, sysroot and archive tools for a target, from toolchains/cc.toml and what the
//! probe finds installed.

use super::{row, CcError, Driver, Overrides, Toolchain, Wrapper};
use crate::core::info::Info;
use crate::core::pkg_config;
use crate::core::plan::Probe;
use crate::core::table::{CcRow, Family, Linker};

/// Debian's packages that hold the compilers, the C library and binutils for the target.
struct Packages {
    gcc: &'static str,
    gxx: &'static str,
    libc: &'static str,
    binutils: &'static str,
}

/// One planning run: the target, what is installed, and what the call needs.
struct Plan<'a> {
    info: &'a Info,
    row: &'static CcRow,
    probe: &'a Probe<'a>,
    triple: &'a str,
    cross: bool,
    /// The wrapper is a C++ one: only the C++ compiler must be installed.
    cxx: bool,
    /// For the build files, which name both compilers and the archive tools by their full paths. A wrapper
    /// call runs one compiler, and every lookup is a walk over PATH, so it looks up only that one.
    build_files: bool,
    packages: Packages,
}

impl Plan<'_> {
    fn missing(&self, what: String, package: &str) -> CcError {
        CcError::Missing {
            what,
            target: self.info.target.to_string(),
            package: package.to_string(),
            note: None,
        }
    }

    fn find(&self, names: &[String]) -> Option<String> {
        names.iter().find_map(|n| (self.probe.program)(n))
    }

    /// `<triple>-tool`, and for a native build the plain name too.
    fn named(&self, tool: &str) -> Vec<String> {
        let mut names = vec![format!("{}-{tool}", self.triple)];
        if !self.cross {
            names.push(tool.to_string());
        }
        names
    }

    /// A program the call only names: its full path for the build files, else the first name.
    fn other(&self, names: Vec<String>) -> String {
        match self.build_files {
            true => self.find(&names).unwrap_or_else(|| names[0].clone()),
            false => names[0].clone(),
        }
    }

    fn driver(
        &self,
        ov: &Overrides,
        wrapper: Option<Wrapper>,
        clang: bool,
    ) -> Result<Driver, CcError> {
        let asked = wrapper.filter(|w| w.is_clang()).map(|_| Driver::Clang);
        match ov.driver.or(asked) {
            Some(d) => Ok(d),
            None if clang => Ok(Driver::Clang),
            None if self.find(&self.named("gcc")).is_some() => Ok(Driver::Gcc),
            None => Err(self.missing(
                format!("a C compiler (clang or {}-gcc)", self.triple),
                &format!("clang lld` or `apt-get install {}", self.packages.gcc),
            )),
        }
    }

    /// clang finds Debian's /usr/<triple> through the GCC cross install: it needs its crt files. A cross
    /// GCC installs them under gcc-cross; the target's multiarch libgcc-*-dev:<arch> (what `mab apt-get`
    /// installs) under gcc, where clang looks too.
    fn check_gcc_runtime(&self) -> Result<(), CcError> {
        let dirs: &[&str] = if self.cross {
            &["gcc-cross", "gcc"]
        } else {
            &["gcc"]
        };
        let t = self.triple;
        if dirs
            .iter()
            .any(|d| (self.probe.exists)(&format!("/usr/lib/{d}/{t}")))
        {
            return Ok(());
        }
        Err(self.missing(
            format!("GCC's runtime (crtbegin.o, libgcc) for {t}"),
            self.packages.gcc,
        ))
    }

    /// lld where the table and the user allow it and it is installed; GNU ld when only that is installed,
    /// as xx falls back.
    fn linker(&self, ov: &Overrides) -> Result<Linker, CcError> {
        let gnu_ld = || self.find(&self.named("ld")).is_some();
        let static_bfd = || ov.prefer_static && self.row.static_linker_bfd && gnu_ld();
        let linker = match (ov.linker, self.row.linker) {
            (Some(Linker::Bfd), _) | (_, Linker::Bfd) => Linker::Bfd,
            _ if static_bfd() => Linker::Bfd,
            _ if (self.probe.program)("ld.lld").is_some() => Linker::Lld,
            _ if gnu_ld() => Linker::Bfd,
            _ => return Err(self.missing("ld.lld (the LLVM linker)".into(), "lld")),
        };
        if linker == Linker::Bfd && !gnu_ld() {
            return Err(self.missing(
                format!("GNU ld ({}-ld)", self.triple),
                self.packages.binutils,
            ));
        }
        Ok(linker)
    }

    /// The archive tools, in the order the driver prefers them.
    fn tools(&self, llvm_first: bool) -> [String; 3] {
        ["ar", "ranlib", "strip"].map(|tool| {
            let llvm = format!("llvm-{tool}");
            let mut names = self.named(tool);
            match llvm_first {
                true => names.insert(0, llvm),
                false => names.push(llvm),
            }
            // Last, the build machine's own: clang without the llvm package has no llvm-ar, and Debian's
            // binutils archive and index any ELF.
            names.push(tool.to_string());
            self.other(names)
        })
    }

    /// What of the target's C library (and for clang++ libstdc++) is not where the compiler looks:
    /// Debian's cross sysroot /usr/<triple>, multiarch /usr/lib/<multiarch>, or the same under
    /// MAB_SYSROOT. The flag says whether it is libstdc++.
    fn missing_libs(&self, cxx: bool, sysroot: &str) -> Option<(String, bool)> {
        let t = self.triple;
        let root = sysroot.trim_end_matches('/');
        let m = self.row.multiarch;
        let mut libc = vec![format!("{root}/usr/lib/{m}/crt1.o")];
        let mut libstdcxx = vec![format!("{root}/usr/include/{m}/c++")];
        if self.cross && sysroot == "/" {
            libc.push(format!("/usr/{t}/lib/crt1.o"));
            libstdcxx.push(format!("/usr/{t}/include/c++"));
        }
        let any = |paths: &[String]| paths.iter().any(|p| (self.probe.exists)(p));
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

    /// The missing library's package: the cross package in /, the target's own under MAB_SYSROOT (named
    /// as the build machine's Debian release names it, with a note when mab does not know that release).
    fn libs_missing(&self, what: String, sysroot: &str, is_cxx: bool) -> CcError {
        let arch = self.info.target.row.debian_arch.unwrap_or("");
        let (debian, note) = self.info.flavour.debian_release();
        let (package, note) = match (sysroot, is_cxx) {
            ("/", true) => (self.packages.gxx.to_string(), None),
            ("/", false) => (self.packages.libc.to_string(), None),
            (_, true) => (format!("{}:{arch}", debian.libstdcxx_dev), note),
            (_, false) => (format!("{}:{arch}", debian.libc_dev), note),
        };
        CcError::Missing {
            what,
            target: self.info.target.to_string(),
            package,
            note,
        }
    }
}

/// Plans the compiler for `info`. `wrapper` is the name called (None from the build-system generators,
/// which prefer clang like `cc`); only the language it needs must be installed.
pub fn toolchain(
    info: &Info,
    wrapper: Option<Wrapper>,
    ov: &Overrides,
    probe: &Probe,
) -> Result<Toolchain, CcError> {
    if let Some(mingw) = &info.target.row.mingw {
        return super::mingw::toolchain(info, mingw, wrapper, ov, probe);
    }
    let row = row(info)?;
    let cross = info.is_cross();
    // A native build uses the distro's own compiler packages; the table holds the cross ones.
    let packages = match cross {
        true => Packages {
            gcc: row.gcc,
            gxx: row.gxx,
            libc: row.libc,
            binutils: row.binutils,
        },
        false => Packages {
            gcc: "gcc",
            gxx: "g++",
            libc: info.flavour.debian_release().0.libc_dev,
            binutils: "binutils",
        },
    };
    let p = Plan {
        info,
        row,
        probe,
        triple: &info.triple,
        cross,
        cxx: wrapper.is_some_and(Wrapper::is_cxx),
        build_files: wrapper.is_none(),
        packages,
    };
    let clang_name = if p.cxx { "clang++" } else { "clang" };
    let clang = (probe.program)(clang_name);
    let driver = p.driver(ov, wrapper, clang.is_some())?;
    let sysroot = ov.root(info).to_string();
    let debian = info.flavour.family == Some(Family::Debian);
    let t = p.triple;
    let mut compile_flags = Vec::new();
    let mut link_flags = Vec::new();
    let (cc, cxx, tools) = match driver {
        Driver::Clang => {
            let found = clang.ok_or_else(|| p.missing(clang_name.into(), "clang"))?;
            let (cc, cxx) = match p.cxx {
                true => (p.other(vec!["clang".into()]), found),
                false => (found, p.other(vec!["clang++".into()])),
            };
            compile_flags.push(format!("--target={t}"));
            if debian && sysroot == "/" {
                p.check_gcc_runtime()?;
            }
            link_flags.push(
                match p.linker(ov)? {
                    Linker::Lld => "-fuse-ld=lld",
                    Linker::Bfd => "-fuse-ld=bfd",
                }
                .to_string(),
            );
            // Debian's cross sysroots ship GCC's runtime, not compiler-rt.
            link_flags.push("--rtlib=libgcc".to_string());
            (cc, cxx, p.tools(true))
        }
        Driver::Gcc => {
            let look = |tool: &str, package: &str| {
                p.find(&p.named(tool))
                    .ok_or_else(|| p.missing(format!("{t}-{tool}"), package))
            };
            let (cc, cxx) = match p.cxx {
                true => (p.other(p.named("gcc")), look("g++", p.packages.gxx)?),
                false => (look("gcc", p.packages.gcc)?, p.other(p.named("g++"))),
            };
            (cc, cxx, p.tools(false))
        }
    };
    if sysroot != "/" {
        compile_flags.push(format!("--sysroot={sysroot}"));
    }
    if debian {
        if let Some((what, is_cxx)) = p.missing_libs(p.cxx && driver == Driver::Clang, &sysroot) {
            return Err(p.libs_missing(what, &sysroot, is_cxx));
        }
    }
    let [ar, ranlib, strip] = tools;
    Ok(Toolchain {
        driver,
        triple: t.to_string(),
        cc,
        cxx,
        compile_flags,
        cxx_flags: Vec::new(),
        link_flags,
        ar,
        ranlib,
        strip,
        pkg_config: pkg_config::paths(info, &sysroot),
        sysroot,
        meson_cpu: row.meson_cpu,
        march: info.target.row.march,
        endian: row.endian,
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::core::cc) fn info(platform: &str) -> Info {
        crate::core::toolenv::test_info(platform, "debian", &|_| None)
    }

    /// A Debian machine with clang, lld and every cross package of the test suite installed.
    pub(in crate::core::cc) fn plan(
        platform: &str,
        wrapper: Wrapper,
        ov: Overrides,
    ) -> Result<Toolchain, CcError> {
        let program = |name: &str| {
            let installed = !name.contains("mips") && !name.starts_with("x86_64");
            installed.then(|| format!("/usr/bin/{name}"))
        };
        let exists = |path: &str| !path.contains("mips");
        toolchain(
            &info(platform),
            Some(wrapper),
            &ov,
            &Probe::fake(&program, &exists, "/tmp/bin"),
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
}
