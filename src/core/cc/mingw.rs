//! The compiler for Windows targets (MinGW-w64), from toolchains/mingw.toml and what the probe finds.
//!
//! Debian's mingw-w64 packages put the headers and import libraries in /usr/<triple> and GCC's runtime
//! (libgcc, crtbegin.o, libstdc++) in /usr/lib/gcc/<triple>/<version>-win32 (and -posix, the two thread
//! models). clang finds /usr/<triple> by itself, but clang 14 does not read a GCC directory named
//! `12-win32`, so mab names it: `-L` for libgcc, `-isystem` for libstdc++'s headers. Where Debian has no
//! MinGW-w64 (ARM), clang and lld build with an LLVM MinGW sysroot: compiler-rt, libunwind and libc++.

use super::{CcError, Driver, Overrides, Toolchain, Wrapper};
use crate::core::info::Info;
use crate::core::pkg_config;
use crate::core::plan::Probe;
use crate::core::table::{Linker, MingwRow};

/// GCC versions whose Debian MinGW-w64 runtime directory mab looks for, newest first.
const GCC_VERSIONS: &[&str] = &["15", "14", "13", "12", "11", "10"];
/// Debian's thread-model suffixes, its default alternative (win32) first; plain versions elsewhere.
const THREAD_MODELS: &[&str] = &["-win32", "-posix", ""];

/// The root with the target's headers and import libraries: MAB_SYSROOT, else /usr/<triple>.
pub fn root(info: &Info, ov: &Overrides) -> String {
    ov.sysroot
        .clone()
        .unwrap_or_else(|| format!("/usr/{}", info.triple))
}

/// Debian's GCC runtime directory for the triple (`/usr/lib/gcc/x86_64-w64-mingw32/12-win32`).
fn gcc_dir(triple: &str, probe: &Probe) -> Option<String> {
    GCC_VERSIONS.iter().find_map(|v| {
        THREAD_MODELS.iter().find_map(|m| {
            let dir = format!("/usr/lib/gcc/{triple}/{v}{m}");
            (probe.exists)(&format!("{dir}/libgcc.a")).then_some(dir)
        })
    })
}

pub fn toolchain(
    info: &Info,
    row: &'static MingwRow,
    wrapper: Option<Wrapper>,
    ov: &Overrides,
    probe: &Probe,
) -> Result<Toolchain, CcError> {
    let t = info.triple.as_str();
    let target = info.target.to_string();
    let cxx = wrapper.is_some_and(Wrapper::is_cxx);
    let build_files = wrapper.is_none();
    let debian = row.debian.as_ref();
    let missing = |what: String, package: &str| CcError::Missing {
        what,
        target: target.clone(),
        package: package.to_string(),
        note: None,
    };
    let find = |name: &str| (probe.program)(name);
    // A name the call only passes on: its full path for the build files.
    let other = |name: String| match build_files {
        true => find(&name).unwrap_or(name),
        false => name,
    };
    let root = root(info, ov);
    if !(probe.exists)(&format!("{root}/lib/crt2.o")) {
        return Err(match debian {
            Some(d) => missing(
                format!("the MinGW-w64 headers and libraries for {t} ({root}/lib/crt2.o)"),
                d.libc,
            ),
            None => CcError::NoSysroot {
                triple: t.to_string(),
                target: target.clone(),
            },
        });
    }
    let clang_name = if cxx { "clang++" } else { "clang" };
    let clang = find(clang_name);
    let gcc_names = [format!("{t}-gcc"), format!("{t}-g++")];
    let asked = wrapper.filter(|w| w.is_clang()).map(|_| Driver::Clang);
    let driver = match ov.driver.or(asked) {
        Some(d) => d,
        None if clang.is_some() => Driver::Clang,
        None if debian.is_some() && find(&gcc_names[0]).is_some() => Driver::Gcc,
        None => {
            let package = debian.map_or("clang lld".to_string(), |d| {
                format!("clang lld` or `apt-get install {}", d.gcc)
            });
            return Err(missing(
                format!("a C compiler (clang or {t}-gcc)"),
                &package,
            ));
        }
    };
    let mut compile_flags = Vec::new();
    let mut cxx_flags = Vec::new();
    let mut link_flags = Vec::new();
    let (cc, cxx_program, tools) = match driver {
        Driver::Clang => {
            let found = clang.ok_or_else(|| missing(clang_name.into(), "clang"))?;
            let (cc, cxx_program) = match cxx {
                true => (other("clang".into()), found),
                false => (found, other("clang++".into())),
            };
            compile_flags.push(format!("--target={t}"));
            if ov.sysroot.is_some() {
                compile_flags.push(format!("--sysroot={root}"));
            }
            // MinGW's own GNU ld where it is installed: lld 14 rejects directives newer toolchains put in
            // objects (rustc's `-exclude-symbols:`); lld where it is all there is (ARM) or asked for.
            let gnu_ld = find(&format!("{t}-ld")).is_some();
            let lld = || find("ld.lld").is_some();
            let linker = match ov.linker {
                Some(Linker::Lld) if lld() => Linker::Lld,
                Some(Linker::Bfd) if !gnu_ld => {
                    let package = debian.map_or("binutils", |d| d.binutils);
                    return Err(missing(format!("GNU ld ({t}-ld)"), package));
                }
                _ if gnu_ld => Linker::Bfd,
                _ if lld() => Linker::Lld,
                _ => return Err(missing("ld.lld (the LLVM linker)".into(), "lld")),
            };
            // clang's MinGW driver runs <triple>-ld unless told otherwise.
            if linker == Linker::Lld {
                link_flags.push("-fuse-ld=lld".to_string());
            }
            match debian {
                Some(d) => {
                    let gcc = gcc_dir(t, probe).ok_or_else(|| {
                        missing(format!("GCC's MinGW-w64 runtime (libgcc) for {t}"), d.gcc)
                    })?;
                    // -B as well as -L: clang would take MinGW-w64's own crtbegin.o/crtend.o, which
                    // register no DWARF unwind frames, so every C++ throw on i686 (which unwinds by
                    // DWARF, not SEH) ends in terminate. GCC's, in its runtime directory, do.
                    link_flags.extend([format!("-B{gcc}"), format!("-L{gcc}")]);
                    let headers = format!("{gcc}/include/c++");
                    if cxx && !(probe.exists)(&headers) {
                        return Err(missing(format!("libstdc++ for {t} ({headers})"), d.gxx));
                    }
                    for dir in [
                        headers.clone(),
                        format!("{headers}/{t}"),
                        format!("{headers}/backward"),
                    ] {
                        cxx_flags.extend(["-isystem".to_string(), dir]);
                    }
                }
                // What an LLVM MinGW sysroot holds instead of GCC's runtime.
                None => {
                    link_flags
                        .extend(["--rtlib=compiler-rt", "--unwindlib=libunwind"].map(String::from));
                    cxx_flags.push("-stdlib=libc++".to_string());
                }
            }
            let tools = ["ar", "ranlib", "strip"].map(|tool| {
                let llvm = format!("llvm-{tool}");
                match build_files {
                    true => find(&llvm)
                        .or_else(|| find(&format!("{t}-{tool}")))
                        .unwrap_or(llvm),
                    false => llvm,
                }
            });
            (cc, cxx_program, tools)
        }
        Driver::Gcc => {
            let d = debian.ok_or_else(|| CcError::NoSysroot {
                triple: t.to_string(),
                target: target.clone(),
            })?;
            let look = |name: &String, package: &str| {
                find(name).ok_or_else(|| missing(name.clone(), package))
            };
            let (cc, cxx_program) = match cxx {
                true => (other(gcc_names[0].clone()), look(&gcc_names[1], d.gxx)?),
                false => (look(&gcc_names[0], d.gcc)?, other(gcc_names[1].clone())),
            };
            if ov.sysroot.is_some() {
                compile_flags.push(format!("--sysroot={root}"));
            }
            (
                cc,
                cxx_program,
                ["ar", "ranlib", "strip"].map(|tool| other(format!("{t}-{tool}"))),
            )
        }
    };
    let [ar, ranlib, strip] = tools;
    Ok(Toolchain {
        driver,
        triple: t.to_string(),
        cc,
        cxx: cxx_program,
        compile_flags,
        cxx_flags,
        link_flags,
        ar,
        ranlib,
        strip,
        pkg_config: pkg_config::paths(info, ov.sysroot.as_deref().unwrap_or("/")),
        sysroot: ov.sysroot.clone().unwrap_or_else(|| "/".to_string()),
        meson_cpu: row.meson_cpu,
        march: info.target.row.march,
        endian: "little",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::toolenv::test_info;

    /// A Debian machine with clang, lld and Debian's mingw-w64 for amd64 and 386.
    fn plan(platform: &str, wrapper: Wrapper, ov: Overrides) -> Result<Toolchain, CcError> {
        let program = |name: &str| {
            let installed = !name.starts_with("aarch64") && !name.starts_with("armv7");
            installed.then(|| format!("/usr/bin/{name}"))
        };
        let exists = |path: &str| {
            path.starts_with("/usr/x86_64-w64-mingw32/")
                || path.starts_with("/usr/i686-w64-mingw32/")
                || path.starts_with("/usr/lib/gcc/x86_64-w64-mingw32/12-win32")
                || path.starts_with("/usr/lib/gcc/i686-w64-mingw32/12-posix")
                || path.starts_with("/opt/llvm-mingw/")
        };
        let info = test_info(platform, "debian", &|_| None);
        let row = info.target.row.mingw.as_ref().unwrap();
        toolchain(
            &info,
            row,
            Some(wrapper),
            &ov,
            &Probe::fake(&program, &exists, "/tmp/bin"),
        )
    }

    #[test]
    fn clang_gets_debians_gcc_runtime() {
        let tc = plan("windows/amd64", Wrapper::Clangxx, Overrides::default()).unwrap();
        assert_eq!(tc.compile_flags, ["--target=x86_64-w64-mingw32"]);
        // GNU ld from Debian's binutils-mingw-w64: clang runs <triple>-ld by itself.
        assert_eq!(
            tc.link_flags,
            [
                "-B/usr/lib/gcc/x86_64-w64-mingw32/12-win32",
                "-L/usr/lib/gcc/x86_64-w64-mingw32/12-win32"
            ]
        );
        assert_eq!(
            tc.cxx_flags[1],
            "/usr/lib/gcc/x86_64-w64-mingw32/12-win32/include/c++"
        );
        assert_eq!(tc.cxx, "/usr/bin/clang++");
        let lld = Overrides {
            linker: Some(Linker::Lld),
            ..Default::default()
        };
        let tc = plan("windows/amd64", Wrapper::Clang, lld).unwrap();
        assert_eq!(tc.link_flags[0], "-fuse-ld=lld");
        let tc = plan("windows/386", Wrapper::Clang, Overrides::default()).unwrap();
        assert_eq!(tc.link_flags[1], "-L/usr/lib/gcc/i686-w64-mingw32/12-posix");
        let p = tc.pkg_config.unwrap();
        assert_eq!(
            p.libdir,
            "/usr/i686-w64-mingw32/lib/pkgconfig:/usr/i686-w64-mingw32/share/pkgconfig"
        );
    }

    #[test]
    fn gcc_route_names_the_mingw_compiler() {
        let gcc = Overrides {
            driver: Some(Driver::Gcc),
            ..Default::default()
        };
        let tc = plan("windows/amd64", Wrapper::Cc, gcc).unwrap();
        assert_eq!(tc.cc, "/usr/bin/x86_64-w64-mingw32-gcc");
        assert!(tc.link_flags.is_empty() && tc.compile_flags.is_empty());
    }

    #[test]
    fn arm_needs_an_llvm_mingw_sysroot() {
        let err = plan("windows/arm64", Wrapper::Clang, Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("llvm-mingw"), "{err}");
        assert!(err.to_string().contains("MAB_SYSROOT"), "{err}");
        let ov = Overrides {
            sysroot: Some("/opt/llvm-mingw/aarch64-w64-mingw32".into()),
            ..Default::default()
        };
        let tc = plan("windows/arm64", Wrapper::Clangxx, ov).unwrap();
        assert_eq!(
            tc.compile_flags,
            [
                "--target=aarch64-w64-mingw32",
                "--sysroot=/opt/llvm-mingw/aarch64-w64-mingw32"
            ]
        );
        assert_eq!(tc.cxx_flags, ["-stdlib=libc++"]);
        assert_eq!(
            tc.link_flags,
            [
                "-fuse-ld=lld",
                "--rtlib=compiler-rt",
                "--unwindlib=libunwind"
            ]
        );
    }
}
