//! What the Go and Cargo wrappers share: the environment they add (never replacing what the user set), the
//! target's C compiler (planned from what the probe found) and how to run the target's binaries.

use super::cc::{self, Overrides, Wrapper};
use super::info::Info;
use super::plan::{Link, Probe};
use super::resolve::Vars;

/// Variables a wrapper adds to the wrapped tool's environment, in order. A variable the user set (non-empty)
/// is never added: the user's value wins.
pub struct EnvPlan<'a> {
    user: Vars<'a>,
    vars: Vec<(String, String)>,
}

impl<'a> EnvPlan<'a> {
    pub fn new(user: Vars<'a>) -> EnvPlan<'a> {
        EnvPlan {
            user,
            vars: Vec::new(),
        }
    }

    /// Whether the user set `name`, or this plan already holds it.
    pub fn is_set(&self, name: &str) -> bool {
        (self.user)(name).is_some() || self.vars.iter().any(|(n, _)| n == name)
    }

    /// Adds `name=value` unless the user or the plan already set it.
    pub fn default(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        if !self.is_set(&name) {
            self.vars.push((name, value.into()));
        }
    }

    pub fn into_vars(self) -> Vec<(String, String)> {
        self.vars
    }
}

/// How to call a C compiler for the target: a program and the arguments that select the target (clang's
/// `--target`). Found by the command layer; the wrappers only read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CCompiler {
    pub cc: Vec<String>,
    pub cxx: Vec<String>,
    /// The target's archiver, when one was found.
    pub ar: Option<String>,
    /// Extra flags only the link step needs (clang with no binutils for the target links with lld).
    pub link_args: Vec<String>,
}

impl CCompiler {
    /// The compiler as one command line, the form `CC` takes in Go and the `cc` crate.
    pub fn cc_line(&self) -> String {
        self.cc.join(" ")
    }

    pub fn cxx_line(&self) -> String {
        self.cxx.join(" ")
    }
}

/// The one line that says what to install when no C compiler for the target was found: Debian's cross
/// packages from toolchains/cc.toml, or by Debian's naming where the table has no row yet.
pub fn missing_c_compiler(info: &Info) -> String {
    let triple = &info.triple;
    if let Some(mingw) = &info.target.row.mingw {
        return match &mingw.debian {
            Some(d) => format!(
                "no C compiler for {triple}: install {} and {} (Debian: `mab apt-get install gcc g++` for {}), with clang and lld or alone",
                d.gcc, d.gxx, info.target
            ),
            None => cc::CcError::NoSysroot {
                triple: triple.clone(),
                target: info.target.to_string(),
            }
            .to_string(),
        };
    }
    let debian = match (info.target.row.cc.as_ref(), info.target.row.debian_arch) {
        _ if info.target.os() != "linux" => String::new(),
        (Some(cc), _) => format!("{} and {} (Debian), or ", cc.gcc, cc.libc),
        (None, Some(arch)) => format!("gcc-{triple} and libc6-dev-{arch}-cross (Debian), or "),
        (None, None) => String::new(),
    };
    format!("no C compiler for {triple}: install {debian}clang with the target's C library")
}

/// What `mab go` or `mab cargo` adds to the tool's environment, and the links to mab those variables name:
/// made when the tool runs, never for `--print-env`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolPlan {
    pub env: Vec<(String, String)>,
    pub links: Vec<Link>,
}

/// What `mab go` and `mab cargo` found for a cross target's C code: the compiler, and the links to mab it
/// names, which the run makes before the tool starts (a print makes none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CPlan {
    pub compiler: Option<CCompiler>,
    pub links: Vec<Link>,
}

/// A C compiler for the target: mab's own `<triple>-clang` wrappers when clang can build for it, else
/// Debian's cross gcc (`aarch64-linux-gnu-gcc`), else clang when the target's C library is installed.
pub fn c_compiler(info: &Info, ov: &Overrides, probe: &Probe) -> CPlan {
    mab_wrappers(info, ov, probe).unwrap_or_else(|| CPlan {
        compiler: direct_compiler(info, probe),
        links: Vec::new(),
    })
}

/// The `<triple>-clang` and `<triple>-clang++` links `xx-clang --setup-target-triple` makes, as xx-go and
/// xx-cargo use them: cgo, the `cc` crate and rustc's linker then get exactly the flags `mab clang` uses
/// (sysroot, the platform's linker, runtime library). Only where the triple names this very platform
/// (Debian's arm/v5 and arm/v6 share `arm-linux-gnueabi`).
fn mab_wrappers(info: &Info, ov: &Overrides, probe: &Probe) -> Option<CPlan> {
    let tc = cc::toolchain(info, Some(Wrapper::Clang), ov, probe).ok()?;
    let (named, _) = cc::platform_for_triple(&tc.triple, &info.flavour).ok()?;
    if named != info.target {
        return None;
    }
    let t = &tc.triple;
    let link = |tool: &str| probe.link_name(&format!("{t}-{tool}"));
    let links = cc::setup_links(t, info.target.os() == "windows", probe);
    // `<triple>-ar`: a real one, or the link to llvm-ar the setup makes, named as xx-go names it.
    let ar_name = format!("{t}-ar");
    let ar_linked = links
        .iter()
        .any(|l| matches!(l, Link::Symlink { path, .. } if path.ends_with(&format!("/{ar_name}"))));
    let ar = if ar_linked {
        Some(link("ar"))
    } else {
        (probe.program)(&ar_name).or_else(|| (probe.program)("llvm-ar"))
    };
    Some(CPlan {
        compiler: Some(CCompiler {
            cc: vec![link("clang")],
            cxx: vec![link("clang++")],
            ar,
            link_args: vec![],
        }),
        links,
    })
}

fn direct_compiler(info: &Info, probe: &Probe) -> Option<CCompiler> {
    let triple = &info.triple;
    let prefixed = |tool: &str| {
        let name = format!("{triple}-{tool}");
        (probe.program)(&name).map(|_| name)
    };
    if let Some(gcc) = prefixed("gcc") {
        return Some(CCompiler {
            cxx: vec![prefixed("g++").unwrap_or_else(|| gcc.clone())],
            cc: vec![gcc],
            ar: prefixed("ar"),
            link_args: vec![],
        });
    }
    if (probe.program)("clang").is_none() || !target_libc_installed(info, probe) {
        return None;
    }
    let target = format!("--target={triple}");
    // Without the target's binutils clang would call the build machine's ld.
    let lld = prefixed("ld").is_none() && (probe.program)("ld.lld").is_some();
    Some(CCompiler {
        cc: vec!["clang".into(), target.clone()],
        cxx: vec!["clang++".into(), target],
        ar: prefixed("ar").or_else(|| (probe.program)("llvm-ar").map(|_| "llvm-ar".to_string())),
        link_args: if lld {
            vec!["-fuse-ld=lld".into()]
        } else {
            vec![]
        },
    })
}

/// Whether the target's C headers and libraries are on the machine: Debian's `-cross` packages
/// (/usr/<triple>) or multiarch headers (/usr/include/<multiarch> of toolchains/cc.toml), or a separate
/// sysroot (Alpine's root per triple, the macOS SDK).
fn target_libc_installed(info: &Info, probe: &Probe) -> bool {
    if info.sysroot != "/" {
        return (probe.exists)(&info.sysroot);
    }
    // Debian's multiarch directories hold glibc; its musl-dev puts musl's headers under the musl triple.
    let multiarch = match (info.flavour.is_musl(), info.target.row.cc.as_ref()) {
        (false, Some(cc)) => cc.multiarch,
        _ => &info.triple,
    };
    [
        format!("/usr/{}/include", info.triple),
        format!("/usr/include/{multiarch}"),
    ]
    .iter()
    .any(|d| (probe.exists)(d))
}

/// How to run the target's Linux binaries on this machine: qemu-user, with the target's loader and
/// libraries when they are installed (in `root`, the target's sysroot: MAB_SYSROOT or the distro's).
pub fn qemu_runner(info: &Info, root: &str, probe: &Probe) -> Option<String> {
    if !info.is_cross() || info.target.os() != "linux" || info.build.os() != "linux" {
        return None;
    }
    let qemu = info.target.row.qemu?;
    let program = [format!("qemu-{qemu}-static"), format!("qemu-{qemu}")]
        .into_iter()
        .find(|p| (probe.program)(p).is_some())?;
    let root = if root != "/" {
        Some(root.trim_end_matches('/').to_string())
    } else {
        Some(format!("/usr/{}", info.triple)).filter(|d| (probe.exists)(d))
    };
    Some(match root {
        // A root's /lib comes first. Debian's cross root (/usr/aarch64-linux-gnu) has no ld.so.cache, so
        // its loader reads the build machine's, which names the multiarch libc once libc6:arm64 is
        // installed too (any `mab apt-get install libfoo-dev` for the target brings it): a loader and a
        // libc of two builds, and a cgo program hangs. Libraries the root lacks still come from the cache.
        Some(root) => format!("{program} -L {root} -E LD_LIBRARY_PATH=/lib"),
        None => program,
    })
}

/// An `Info` for `target` built on linux/amd64 under the distro `distro`, for the wrappers' unit tests.
#[cfg(test)]
pub(crate) fn test_info(target: &str, distro: &str, vars: Vars) -> Info {
    use super::os_release::OsRelease;
    use super::{Flavour, Platform};
    let build = Platform::from_parts("linux", "amd64", "").unwrap();
    let target = Platform::parse(target, build).unwrap();
    let release = OsRelease::parse(&format!("ID={distro}\n"));
    let flavour = Flavour::new(target.os(), &release, vars);
    Info::new(target, build, flavour, vars, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_compiler_says_what_to_install() {
        let none = |_: &str| None;
        assert_eq!(
            missing_c_compiler(&test_info("linux/arm/v7", "debian", &none)),
            "no C compiler for arm-linux-gnueabihf: install gcc-arm-linux-gnueabihf and libc6-dev-armhf-cross (Debian), or clang with the target's C library"
        );
        let windows = missing_c_compiler(&test_info("windows/386", "debian", &none));
        assert!(
            windows.contains("gcc-mingw-w64-i686 and g++-mingw-w64-i686"),
            "{windows}"
        );
        let arm64 = missing_c_compiler(&test_info("windows/arm64", "debian", &none));
        assert!(arm64.contains("llvm-mingw"), "{arm64}");
    }

    #[test]
    fn user_values_win() {
        let user = |name: &str| (name == "GOOS").then(|| "plan9".to_string());
        let mut plan = EnvPlan::new(&user);
        plan.default("GOOS", "linux");
        plan.default("GOARCH", "arm64");
        plan.default("GOARCH", "riscv64");
        assert_eq!(
            plan.into_vars(),
            vec![("GOARCH".to_string(), "arm64".to_string())]
        );
    }

    /// qemu's library root: the sysroot when there is one, else Debian's cross root when installed; its
    /// /lib first, so that the loader and the libc come from the same place.
    #[test]
    fn qemu_takes_the_roots_own_libc() {
        use super::super::plan::Probe;
        let none = |_: &str| None;
        let qemu = |p: &str| (p == "qemu-aarch64-static").then(|| format!("/usr/bin/{p}"));
        let runner = |target: &str, distro: &str, files: &[&str]| {
            let exists = |path: &str| files.contains(&path);
            let probe = Probe::fake(&qemu, &exists, "/tmp/bin");
            let info = test_info(target, distro, &none);
            qemu_runner(&info, &info.sysroot, &probe)
        };
        let cross = ["/usr/aarch64-linux-gnu"];
        assert_eq!(
            runner("linux/arm64", "debian", &cross).as_deref(),
            Some("qemu-aarch64-static -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/lib")
        );
        assert_eq!(
            runner("linux/arm64", "debian", &[]).as_deref(),
            Some("qemu-aarch64-static")
        );
        assert_eq!(
            runner("linux/arm64", "alpine", &[]).as_deref(),
            Some("qemu-aarch64-static -L /aarch64-alpine-linux-musl -E LD_LIBRARY_PATH=/lib")
        );
        assert_eq!(runner("linux/riscv64", "debian", &cross), None);
    }
}
