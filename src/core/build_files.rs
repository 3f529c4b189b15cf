//! CMake toolchain files and Meson cross files for a planned [`Toolchain`], rendered from the templates in
//! `templates/` (embedded at build time). The files name the real compilers with their flags, so builds run
//! no mab process per compile.

use super::cc::Toolchain;
use super::info::Info;
use super::templates::TemplateError;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Cmake,
    Meson,
}

impl Kind {
    fn template(self) -> &'static str {
        match self {
            Kind::Cmake => "cmake-toolchain.cmake",
            Kind::Meson => "meson-cross.ini",
        }
    }
}

/// Everything the templates may use. An unknown name in a template is a render error (Tera's default).
#[derive(Serialize)]
struct Vars<'a> {
    platform: String,
    triple: &'a str,
    processor: &'a str,
    clang: bool,
    cc: &'a str,
    cxx: &'a str,
    /// The compiler commands with their flags, for Meson's `[binaries]`.
    c: Vec<&'a str>,
    cpp: Vec<&'a str>,
    ar: &'a str,
    ranlib: &'a str,
    strip: &'a str,
    pkg_config: &'a str,
    link_flags: &'a [String],
    /// Empty when the sysroot is /.
    sysroot: &'a str,
    pkg_config_libdir: &'a str,
    pkg_config_sysroot: &'a str,
    meson_cpu: &'a str,
    endian: &'a str,
    /// CMake's CMAKE_SYSTEM_NAME and Meson's host `system` (Linux/linux, Windows/windows).
    cmake_system: &'static str,
    meson_system: &'static str,
    /// C++-only flags (libstdc++'s headers for clang on MinGW-w64).
    cxx_flags: &'a [String],
    /// The resource compiler for Windows targets (`<triple>-windres`), else empty.
    windres: String,
    /// How to run the target's programs here (qemu-user), split into words; empty when there is none.
    emulator: Vec<&'a str>,
}

/// Values go between quotes in CMake and Meson files; rather than escape for two languages, refuse the
/// characters that would need it.
fn check_plain(value: &str) -> Result<(), BuildFileError> {
    let ok = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._/+=:,@ -".contains(&b));
    match ok {
        true => Ok(()),
        false => Err(BuildFileError::Unsafe(value.to_string())),
    }
}

/// Why a build file cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildFileError {
    /// A value (a path, a flag) with characters the files' syntax would need quoted.
    Unsafe(String),
    Template(TemplateError),
}

impl std::fmt::Display for BuildFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildFileError::Unsafe(value) => write!(
                f,
                "{value:?} has characters mab does not write into build files (only letters, digits, space and ._/+=:,@-)"
            ),
            BuildFileError::Template(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BuildFileError {}

/// The file's text. `pkg_config` is the pkg-config program the build should run; `emulator` the command
/// that runs the target's programs on this machine, if any (CMake's CMAKE_CROSSCOMPILING_EMULATOR,
/// Meson's exe_wrapper).
pub fn render(
    kind: Kind,
    info: &Info,
    tc: &Toolchain,
    pkg_config: &str,
    emulator: Option<&str>,
) -> Result<String, BuildFileError> {
    let command = |program: &str| -> Vec<String> {
        std::iter::once(program.to_string())
            .chain(tc.compile_flags.iter().cloned())
            .collect()
    };
    let (c, mut cpp) = (command(&tc.cc), command(&tc.cxx));
    cpp.extend(tc.cxx_flags.iter().cloned());
    let windows = info.target.os() == "windows";
    let vars = Vars {
        platform: info.target.to_string(),
        triple: &tc.triple,
        processor: tc.march,
        clang: tc.driver == super::cc::Driver::Clang,
        cc: &tc.cc,
        cxx: &tc.cxx,
        c: c.iter().map(String::as_str).collect(),
        cpp: cpp.iter().map(String::as_str).collect(),
        ar: &tc.ar,
        ranlib: &tc.ranlib,
        strip: &tc.strip,
        pkg_config,
        link_flags: &tc.link_flags,
        sysroot: if tc.sysroot == "/" { "" } else { &tc.sysroot },
        pkg_config_libdir: tc.pkg_config.as_ref().map_or("", |p| p.libdir.as_str()),
        pkg_config_sysroot: tc
            .pkg_config
            .as_ref()
            .and_then(|p| p.sysroot_dir.as_deref())
            .unwrap_or(""),
        meson_cpu: tc.meson_cpu,
        endian: tc.endian,
        cmake_system: if windows { "Windows" } else { "Linux" },
        meson_system: if windows { "windows" } else { "linux" },
        cxx_flags: &tc.cxx_flags,
        windres: if windows {
            format!("{}-windres", tc.triple)
        } else {
            String::new()
        },
        emulator: emulator.map_or(Vec::new(), |e| e.split_whitespace().collect()),
    };
    let values = [
        vars.cc,
        vars.cxx,
        vars.ar,
        vars.ranlib,
        vars.strip,
        pkg_config,
        vars.sysroot,
    ]
    .into_iter()
    .chain([vars.pkg_config_libdir, vars.pkg_config_sysroot])
    .chain(vars.emulator.iter().copied())
    .chain(tc.compile_flags.iter().map(String::as_str))
    .chain(tc.cxx_flags.iter().map(String::as_str))
    .chain(tc.link_flags.iter().map(String::as_str));
    for v in values {
        check_plain(v)?;
    }
    let context = tera::Context::from_serialize(&vars).expect("Vars serialises");
    super::templates::render(kind.template(), &context).map_err(BuildFileError::Template)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::cc::{toolchain, Overrides};
    use crate::core::plan::Probe;

    fn plan(platform: &str, sysroot: Option<&str>) -> (Info, Toolchain) {
        let info = crate::core::toolenv::test_info(platform, "debian", &|_| None);
        let ov = Overrides {
            sysroot: sysroot.map(str::to_string),
            ..Default::default()
        };
        let program = |name: &str| Some(format!("/usr/bin/{name}"));
        let exists = |_: &str| true;
        let probe = Probe::fake(&program, &exists, "/tmp/bin");
        let tc = toolchain(&info, None, &ov, &probe).unwrap();
        (info, tc)
    }

    /// Every template renders for every route: a name the template uses but `Vars` lacks would fail here.
    #[test]
    fn templates_render() {
        for (platform, sysroot) in [("linux/arm64", None), ("linux/s390x", Some("/srv/root"))] {
            let (info, tc) = plan(platform, sysroot);
            let cmake = render(Kind::Cmake, &info, &tc, "/usr/bin/pkg-config", None).unwrap();
            assert!(
                cmake.contains(&format!("set(CMAKE_C_COMPILER_TARGET {})", tc.triple)),
                "{cmake}"
            );
            assert_eq!(
                cmake.contains("CMAKE_SYSROOT"),
                sysroot.is_some(),
                "{cmake}"
            );
            let meson = render(Kind::Meson, &info, &tc, "/usr/bin/pkg-config", None).unwrap();
            assert!(
                meson.contains(&format!("c = ['/usr/bin/clang', '--target={}'", tc.triple)),
                "{meson}"
            );
            assert_eq!(
                meson.contains("sys_root = '/srv/root'"),
                sysroot.is_some(),
                "{meson}"
            );
        }
        let (_, tc) = plan("linux/s390x", None);
        assert_eq!(tc.endian, "big");
        // The archiver for each language, and the emulator when there is one.
        let (info, tc) = plan("linux/arm64", None);
        let runner = Some("qemu-aarch64-static -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/lib");
        let cmake = render(Kind::Cmake, &info, &tc, "pkg-config", runner).unwrap();
        for want in [
            format!("set(CMAKE_CXX_COMPILER_AR \"{}\"", tc.ar),
            format!("set(CMAKE_C_COMPILER_RANLIB \"{}\"", tc.ranlib),
            "set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/lib)"
                .into(),
        ] {
            assert!(cmake.contains(&want), "{want}\n{cmake}");
        }
        let meson = render(Kind::Meson, &info, &tc, "pkg-config", runner).unwrap();
        assert!(
            meson.contains(
                "exe_wrapper = ['qemu-aarch64-static', '-L', '/usr/aarch64-linux-gnu', '-E', 'LD_LIBRARY_PATH=/lib']"
            ),
            "{meson}"
        );
        let cmake = render(Kind::Cmake, &info, &tc, "pkg-config", None).unwrap();
        assert!(!cmake.contains("EMULATOR"), "{cmake}");
    }

    /// Debian's clang package without the llvm one has no llvm-ar: the files name the build machine's
    /// own ar (it archives any ELF), never a tool that is not there.
    #[test]
    fn archiver_that_exists() {
        let info = crate::core::toolenv::test_info("linux/arm64", "debian", &|_| None);
        let program = |name: &str| {
            ["clang", "clang++", "ld.lld", "ar", "ranlib", "strip"]
                .contains(&name)
                .then(|| format!("/usr/bin/{name}"))
        };
        let exists = |_: &str| true;
        let probe = Probe::fake(&program, &exists, "/tmp/bin");
        let tc = toolchain(&info, None, &Overrides::default(), &probe).unwrap();
        let cmake = render(Kind::Cmake, &info, &tc, "pkg-config", None).unwrap();
        assert!(
            cmake.contains("set(CMAKE_C_COMPILER_AR \"/usr/bin/ar\"")
                || cmake.contains("set(CMAKE_C_COMPILER_AR \"ar\""),
            "{cmake}"
        );
        assert!(!cmake.contains("llvm-ar"), "{cmake}");
    }

    #[test]
    fn values_needing_quotes_are_refused() {
        let (info, mut tc) = plan("linux/arm64", None);
        tc.cc = "/opt/my \"clang\"".into();
        assert!(render(Kind::Cmake, &info, &tc, "pkg-config", None).is_err());
        tc.cc = "/usr/bin/clang".into();
        assert!(render(Kind::Meson, &info, &tc, "/x/pkg-config'", None).is_err());
        assert!(render(Kind::Meson, &info, &tc, "pkg-config", Some("qemu 'x")).is_err());
    }
}
