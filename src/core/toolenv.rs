//! What the Go and Cargo wrappers share: the environment they add (never replacing what the user set), the
//! target's C compiler as the command layer found it, and where pkg-config finds the target's libraries.

use super::info::Info;
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

    /// The value the tool will see: the user's, else the plan's.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.user)(name).or_else(|| {
            self.vars
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        })
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

/// pkg-config's search path and sysroot for the target's libraries, or `None` where mab knows no layout
/// (Windows, macOS). Debian keeps target libraries in multiarch directories under `/`; Alpine (xx-apk) in a
/// root per triple.
pub fn pkg_config_dirs(info: &Info) -> Option<(String, Option<String>)> {
    if info.target.os() != "linux" {
        return None;
    }
    let triple = &info.triple;
    if info.sysroot == "/" {
        Some((
            format!("/usr/lib/{triple}/pkgconfig:/usr/share/pkgconfig"),
            None,
        ))
    } else {
        let root = info.sysroot.trim_end_matches('/');
        Some((
            format!("{root}/usr/lib/pkgconfig:{root}/usr/share/pkgconfig"),
            Some(root.to_string()),
        ))
    }
}

/// The one line that says what to install when no C compiler for the target was found.
pub fn missing_c_compiler(info: &Info) -> String {
    let triple = &info.triple;
    let debian = match info.target.row.debian_arch {
        Some(arch) if info.target.os() == "linux" => {
            format!("gcc-{triple} and libc6-dev-{arch}-cross (Debian), or ")
        }
        _ => String::new(),
    };
    format!("no C compiler for {triple}: install {debian}clang with the target's C library")
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
    fn pkg_config_layouts() {
        let none = |_: &str| None;
        let debian = test_info("linux/arm64", "debian", &none);
        assert_eq!(
            pkg_config_dirs(&debian),
            Some((
                "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig".to_string(),
                None
            ))
        );
        let alpine = test_info("linux/arm64", "alpine", &none);
        let (libdir, sysroot) = pkg_config_dirs(&alpine).unwrap();
        assert_eq!(sysroot.as_deref(), Some("/aarch64-alpine-linux-musl"));
        assert!(libdir.starts_with("/aarch64-alpine-linux-musl/usr/lib/pkgconfig:"));
        assert_eq!(
            pkg_config_dirs(&test_info("windows/amd64", "debian", &none)),
            None
        );
    }

    #[test]
    fn missing_compiler_says_what_to_install() {
        let none = |_: &str| None;
        assert_eq!(
            missing_c_compiler(&test_info("linux/arm/v7", "debian", &none)),
            "no C compiler for arm-linux-gnueabihf: install gcc-arm-linux-gnueabihf and libc6-dev-armhf-cross (Debian), or clang with the target's C library"
        );
    }

    #[test]
    fn user_values_win() {
        let user = |name: &str| (name == "GOOS").then(|| "plan9".to_string());
        let mut plan = EnvPlan::new(&user);
        plan.default("GOOS", "linux");
        plan.default("GOARCH", "arm64");
        plan.default("GOARCH", "riscv64");
        assert_eq!(plan.get("GOOS").as_deref(), Some("plan9"));
        assert_eq!(
            plan.into_vars(),
            vec![("GOARCH".to_string(), "arm64".to_string())]
        );
    }
}
