//! The platform → toolchain tables, generated at build time from `toolchains/*.toml` by `build.rs`.
//! Each `PlatformRow` joins one platform's rows from every table, so lookups happen once.

/// One supported Docker platform and everything mab knows about it.
#[derive(Debug, PartialEq, Eq)]
pub struct PlatformRow {
    pub os: &'static str,
    pub arch: &'static str,
    /// The variant in the platform key ("v7" in linux/arm/v7), or "".
    pub variant: &'static str,
    /// Further variants that share this row and only tune compilers (linux/amd64/v3).
    pub variants: &'static [&'static str],
    /// `uname -m` on the target.
    pub march: &'static str,
    pub debian_arch: Option<&'static str>,
    pub alpine_arch: Option<&'static str>,
    pub rhel_arch: Option<&'static str>,
    /// qemu-user's name for the CPU (`qemu-<qemu>-static`).
    pub qemu: Option<&'static str>,
    pub ld_so_gnu: Option<&'static str>,
    pub ld_so_musl: Option<&'static str>,
    /// Platforms whose programs this machine runs without emulation (the kernel's compat modes).
    pub also_runs: &'static [&'static str],
    pub c: CRow,
    pub cc: Option<CcRow>,
    pub mingw: Option<MingwRow>,
    pub go: Option<GoRow>,
    pub rust: Option<RustRow>,
}

/// How to spell the platform's C target triple (see `toolchains/c.toml`).
#[derive(Debug, PartialEq, Eq)]
pub struct CRow {
    pub arch: &'static str,
    pub alpine_arch: Option<&'static str>,
    pub abi: &'static str,
    pub alpine_abi: Option<&'static str>,
    pub arch_env: Option<&'static str>,
    pub macos_min: Option<&'static str>,
}

/// What clang links with on a platform (see `toolchains/cc.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linker {
    /// LLVM's lld (`-fuse-ld=lld`).
    Lld,
    /// GNU ld from the target's binutils (`-fuse-ld=bfd`).
    Bfd,
}

/// The C/C++ wrappers' per-platform facts and Debian's package names (see `toolchains/cc.toml`).
#[derive(Debug, PartialEq, Eq)]
pub struct CcRow {
    /// Debian's multiarch tuple (`/usr/lib/<multiarch>`).
    pub multiarch: &'static str,
    pub linker: Linker,
    /// GNU ld instead of lld when XX_CC_PREFER_STATIC_LINKER is set (lld's static binaries fail here).
    pub static_linker_bfd: bool,
    pub meson_cpu: &'static str,
    pub endian: &'static str,
    pub gcc: &'static str,
    pub gxx: &'static str,
    pub libc: &'static str,
    pub binutils: &'static str,
}

/// A Windows platform's MinGW-w64 facts (see `toolchains/mingw.toml`).
#[derive(Debug, PartialEq, Eq)]
pub struct MingwRow {
    pub meson_cpu: &'static str,
    /// llvm-cvtres's `-machine:` name.
    pub cvtres: &'static str,
    /// The BFD target names GNU windres takes (`pe-x86-64`).
    pub bfd_targets: &'static [&'static str],
    /// Debian's MinGW-w64 packages; `None` where Debian has none (an LLVM MinGW sysroot is needed).
    pub debian: Option<MingwPackages>,
}

/// Debian's MinGW-w64 packages for one Windows platform.
#[derive(Debug, PartialEq, Eq)]
pub struct MingwPackages {
    /// `gcc` → `gcc-<apt_suffix>` in `mab apt-get`, as xx-apt-get maps it.
    pub apt_suffix: &'static str,
    pub gcc: &'static str,
    pub gxx: &'static str,
    pub libc: &'static str,
    pub binutils: &'static str,
}

/// Go's view of the platform (see `toolchains/go.toml`).
#[derive(Debug, PartialEq, Eq)]
pub struct GoRow {
    pub goos: &'static str,
    pub goarch: &'static str,
    pub knob: Option<&'static str>,
    pub knob_default: Option<&'static str>,
    pub knob_variant: bool,
}

/// Rust target triples by the C library in use (see `toolchains/rust.toml`).
#[derive(Debug, PartialEq, Eq)]
pub struct RustRow {
    pub gnu: &'static str,
    pub musl: Option<&'static str>,
}

/// Which package-architecture names a distro uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Debian,
    Alpine,
    Rhel,
}

/// A build distro known by its /etc/os-release ID (see `toolchains/distros.toml`).
#[derive(Debug, PartialEq, Eq)]
pub struct DistroRow {
    pub id: &'static str,
    pub family: Family,
    pub libc: &'static str,
    pub vendor_in_triple: bool,
}

/// A meta-package (`xx-c-essentials`) and what it stands for on one distro family (see
/// `toolchains/packages.toml`). Each entry of `packages` is `a|b|c`: the first one the package manager knows.
#[derive(Debug, PartialEq, Eq)]
pub struct MetaRow {
    pub names: &'static [&'static str],
    pub family: Family,
    pub packages: &'static [&'static str],
}

/// A distro whose main mirror carries only some architectures (see `toolchains/packages.toml`).
#[derive(Debug, PartialEq, Eq)]
pub struct MirrorRow {
    pub distro: &'static str,
    pub archive_arches: &'static [&'static str],
    pub archive_hosts: &'static [&'static str],
    pub ports_uri: &'static str,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ArchAlias {
    pub alias: &'static str,
    pub arch: &'static str,
    pub variant: Option<&'static str>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct VariantAlias {
    pub arch: &'static str,
    pub from: &'static str,
    pub to: &'static str,
}

/// The Debian release mab builds on (see `toolchains/debian.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebianRow {
    pub codename: &'static str,
    pub version: &'static str,
    pub gcc: &'static str,
    pub libc_dev: &'static str,
    pub libgcc_dev: &'static str,
    pub libstdcxx_dev: &'static str,
    pub slim_image: &'static str,
    pub rust_image: &'static str,
    /// With `{go}` where the Go version goes: [`DebianRow::go_image`].
    go_image: &'static str,
    pub static_base: &'static str,
}

impl DebianRow {
    /// The Go build image for Go `version`.
    pub fn go_image(&self, version: &str) -> String {
        self.go_image.replace("{go}", version)
    }
}

include!(concat!(env!("OUT_DIR"), "/tables.rs"));

/// The release `mab gen` writes for when neither `--debian` nor the build image names one: Debian's
/// stable release.
pub const DEFAULT_RELEASE: &str = "trixie";

/// The row of the Debian release `codename` (`bookworm`, `trixie`), if the table has it.
pub fn debian_release(codename: &str) -> Option<&'static DebianRow> {
    DEBIAN.iter().find(|d| d.codename == codename)
}

/// The row of [`DEFAULT_RELEASE`].
pub fn default_release() -> &'static DebianRow {
    debian_release(DEFAULT_RELEASE).expect("toolchains/debian.toml has the default release")
}

/// Every Debian release row, oldest first.
pub fn debian_releases() -> &'static [DebianRow] {
    DEBIAN
}

/// The machine name a triple's synonym stands for (`riscv64gc` → `riscv64`), else the name itself.
pub fn triple_arch(arch: &str) -> &str {
    TRIPLE_ARCH_ALIASES
        .iter()
        .find(|(alias, _)| *alias == arch)
        .map_or(arch, |(_, to)| to)
}

/// The row for an exact, already-normalised os/arch/variant, including a row's extra `variants`.
pub fn find(os: &str, arch: &str, variant: &str) -> Option<(&'static PlatformRow, &'static str)> {
    PLATFORMS
        .iter()
        .filter(|r| r.os == os && r.arch == arch)
        .find_map(|r| {
            if r.variant == variant {
                Some((r, r.variant))
            } else {
                r.variants.iter().find(|v| **v == variant).map(|v| (r, *v))
            }
        })
}

pub fn distro(id: &str) -> Option<&'static DistroRow> {
    DISTROS.iter().find(|d| d.id == id)
}

/// The object format an OS loads (see `toolchains/binaries.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectFormat {
    Elf,
    Pe,
    MachO,
}

/// What an executable or library for one platform carries in its headers (see `toolchains/binaries.toml`).
#[derive(Debug, PartialEq, Eq)]
pub struct BinaryRow {
    /// The platform key, as in `platforms.toml`.
    pub platform: &'static str,
    pub format: ObjectFormat,
    /// ELF EI_OSABI values the OS runs (empty for PE and Mach-O).
    pub elf_os_abi: &'static [u8],
    /// ELF e_machine, PE machine or Mach-O CPU type.
    pub machine: u32,
    pub machine_name: &'static str,
    pub bits: u8,
    pub big_endian: bool,
    pub abi: Option<&'static str>,
    /// ARM: "hard" or "soft".
    pub float: Option<&'static str>,
    /// ARM: the newest architecture version the platform's CPUs run.
    pub arm_arch: Option<u8>,
}

/// The header facts expected of a platform's binaries. Every platform has a row (build.rs checks).
pub fn binary(row: &PlatformRow) -> Option<&'static BinaryRow> {
    let key = if row.variant.is_empty() {
        format!("{}/{}", row.os, row.arch)
    } else {
        format!("{}/{}/{}", row.os, row.arch, row.variant)
    };
    BINARIES.iter().find(|b| b.platform == key)
}

#[cfg(test)]
mod debian_release {
    use super::{debian_release, debian_releases, default_release, DebianRow, DEFAULT_RELEASE};
    use crate::core::cc::{toolchain, CcError, Overrides};
    use crate::core::gen::{dockerfile, release, DockerOptions};
    use crate::core::plan::Probe;
    use crate::core::project::{detect, Choice, Sources};

    /// The Dockerfile `mab gen dockerfile --debian CODENAME` writes for `files`.
    fn dockerfile_of(files: &[(&str, &str)], debian: &'static DebianRow) -> String {
        let src = Sources::of(files);
        let choice = Choice {
            debian: Some(debian.codename),
            ..Choice::default()
        };
        let project = detect(&src, &choice).unwrap();
        let opts = DockerOptions {
            debian: Some(debian.codename.to_string()),
            ..DockerOptions::default()
        };
        dockerfile(&project, &opts).unwrap().0
    }

    /// A C++ program's missing libstdc++ under MAB_SYSROOT on a build machine whose os-release says
    /// `codename`: the C wrapper's error.
    fn cc_libstdcxx_missing(codename: Option<&str>) -> (String, Option<String>) {
        let mut info = crate::core::toolenv::test_info("linux/arm64", "debian", &|_| None);
        info.flavour.os_codename = codename.map(str::to_string);
        let program = |name: &str| Some(format!("/usr/bin/{name}"));
        let exists = |path: &str| !path.ends_with("c++");
        let probe = Probe::fake(&program, &exists, "/b");
        let ov = Overrides {
            sysroot: Some("/srv/root".into()),
            ..Default::default()
        };
        match toolchain(
            &info,
            Some(crate::core::names::Wrapper::Clangxx),
            &ov,
            &probe,
        ) {
            Err(CcError::Missing { package, note, .. }) => (package, note),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn both_releases_have_rows() {
        let names: Vec<&str> = debian_releases().iter().map(|d| d.codename).collect();
        assert_eq!(names, ["bookworm", "trixie"]);
        let bookworm = debian_release("bookworm").unwrap();
        assert_eq!(
            (
                bookworm.version,
                bookworm.gcc,
                bookworm.libgcc_dev,
                bookworm.libstdcxx_dev
            ),
            ("12", "12", "libgcc-12-dev", "libstdc++-12-dev")
        );
        assert_eq!(
            (
                bookworm.slim_image,
                bookworm.rust_image,
                bookworm.go_image("1.23")
            ),
            (
                "debian:bookworm-slim",
                "rust:1-bookworm",
                "golang:1.23-bookworm".into()
            )
        );
        assert_eq!(
            bookworm.static_base,
            "gcr.io/distroless/static-debian12:nonroot"
        );
        let trixie = debian_release("trixie").unwrap();
        assert_eq!(
            (
                trixie.version,
                trixie.gcc,
                trixie.libgcc_dev,
                trixie.libstdcxx_dev
            ),
            ("13", "14", "libgcc-14-dev", "libstdc++-14-dev")
        );
        assert_eq!(
            (
                trixie.slim_image,
                trixie.rust_image,
                trixie.go_image("1.25")
            ),
            (
                "debian:trixie-slim",
                "rust:1-trixie",
                "golang:1.25-trixie".into()
            )
        );
        assert_eq!(
            trixie.static_base,
            "gcr.io/distroless/static-debian13:nonroot"
        );
        assert_eq!(default_release(), trixie);
        assert_eq!(DEFAULT_RELEASE, "trixie");
        assert_eq!(debian_release("sid"), None);
        assert_eq!(debian_release("12"), None);
    }

    /// Adding a Debian release is a row of toolchains/debian.toml alone: `mab gen`'s images and package
    /// lists and the C wrappers' package names all follow the row, and name no other release.
    #[test]
    fn everything_follows_the_release_row() {
        let c = [(
            "CMakeLists.txt",
            "cmake_minimum_required(VERSION 3.13)\nproject(hello C CXX)\nadd_executable(hello main.cpp)\n",
        )];
        let go = [
            ("go.mod", "module example.com/hello\n\ngo 1.22\n"),
            ("main.go", "package main\n\nfunc main() {}\n"),
        ];
        for row in debian_releases() {
            let (c_text, go_text) = (dockerfile_of(&c, row), dockerfile_of(&go, row));
            assert!(
                c_text.contains(&format!("ARG BUILD_IMAGE={}\n", row.slim_image)),
                "{c_text}"
            );
            assert!(
                c_text.contains(&format!(
                    "{} {} {}",
                    row.libc_dev, row.libgcc_dev, row.libstdcxx_dev
                )),
                "{c_text}"
            );
            assert!(go_text.contains(&row.go_image("1.22")), "{go_text}");
            assert!(go_text.contains(row.static_base), "{go_text}");
            for other in debian_releases()
                .iter()
                .filter(|o| o.codename != row.codename)
            {
                for text in [&c_text, &go_text] {
                    assert!(!text.contains(other.codename), "{}: {text}", row.codename);
                    assert!(
                        !text.contains(&format!("debian{}", other.version)),
                        "{text}"
                    );
                    assert!(!text.contains(other.libgcc_dev), "{text}");
                }
            }
            assert_eq!(
                cc_libstdcxx_missing(Some(row.codename)),
                (format!("{}:arm64", row.libstdcxx_dev), None)
            );
        }
    }

    /// A build machine of a release mab does not know gets the default row's names, and says so.
    #[test]
    fn an_unknown_release_gets_the_default_row_with_a_note() {
        for codename in [Some("forky"), None] {
            let (package, note) = cc_libstdcxx_missing(codename);
            assert_eq!(package, "libstdc++-14-dev:arm64");
            let note = note.unwrap();
            assert!(note.contains("Debian trixie's name"), "{note}");
            assert!(note.contains("bookworm, trixie"), "{note}");
            if let Some(name) = codename {
                assert!(note.contains(name), "{note}");
            }
        }
    }

    #[test]
    fn gen_picks_the_release_by_flag_then_build_image_then_default() {
        let pick = |debian: Option<&str>, image: Option<&str>| {
            release(&DockerOptions {
                debian: debian.map(str::to_string),
                build_image: image.map(str::to_string),
                ..DockerOptions::default()
            })
            .map(|d| d.codename)
            .map_err(|e| e.to_string())
        };
        assert_eq!(pick(None, None), Ok("trixie"));
        assert_eq!(pick(Some("bookworm"), None), Ok("bookworm"));
        for (image, want) in [
            ("debian:trixie-slim", "trixie"),
            ("golang:1.25-trixie", "trixie"),
            ("golang:1.25-bookworm", "bookworm"),
            ("rust:1-bookworm", "bookworm"),
            (
                "registry.example:5000/tools/debian12-clang:1@sha256:00",
                "bookworm",
            ),
            ("gcr.io/distroless/cc-debian13", "trixie"),
            ("debian:bookworm-20250811", "bookworm"),
            ("alpine:3.20", "trixie"),
            ("mytrixiebuild:1", "trixie"),
            ("debian:12", "trixie"),
        ] {
            assert_eq!(pick(None, Some(image)), Ok(want), "{image}");
        }
        assert_eq!(
            pick(Some("bookworm"), Some("rust:1-bookworm")),
            Ok("bookworm")
        );
        assert_eq!(pick(Some("bookworm"), Some("alpine:3.20")), Ok("bookworm"));
        let err = pick(Some("bookworm"), Some("debian:trixie-slim")).unwrap_err();
        assert!(
            err.contains("--debian bookworm") && err.contains("Debian trixie"),
            "{err}"
        );
        let err = pick(None, Some("x/bookworm-to-trixie:1")).unwrap_err();
        assert!(
            err.contains("bookworm and trixie") && err.contains("--debian"),
            "{err}"
        );
        let err = pick(Some("sid"), None).unwrap_err();
        assert!(err.contains("bookworm, trixie"), "{err}");
    }
}
