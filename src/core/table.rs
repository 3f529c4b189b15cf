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

/// The Debian release row every reader uses. Unit tests may put another release in its place for the
/// test's thread ([`tests::with_debian`]), to check that everything follows the row.
pub fn debian() -> &'static DebianRow {
    #[cfg(test)]
    if let Some(row) = tests::DEBIAN_OVERRIDE.with(|o| o.get()) {
        return row;
    }
    &DEBIAN
}

/// The machine name a triple's synonym stands for (`riscv64gc` → `riscv64`), else the name itself.
pub fn triple_arch(arch: &str) -> &str {
    TRIPLE_ARCH_ALIASES
        .iter()
        .find(|(alias, _)| *alias == arch)
        .map_or(arch, |(_, to)| to)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::DebianRow;
    use std::cell::Cell;

    thread_local! {
        pub(super) static DEBIAN_OVERRIDE: Cell<Option<&'static DebianRow>> = const { Cell::new(None) };
    }

    /// Runs `f` with `row` as the Debian release of this thread.
    pub(crate) fn with_debian<R>(row: DebianRow, f: impl FnOnce() -> R) -> R {
        let row: &'static DebianRow = Box::leak(Box::new(row));
        DEBIAN_OVERRIDE.with(|o| o.set(Some(row)));
        let out = f();
        DEBIAN_OVERRIDE.with(|o| o.set(None));
        out
    }

    /// The next release as its row would read, for the tests that check everything follows the table.
    pub(crate) fn trixie() -> DebianRow {
        DebianRow {
            codename: "trixie",
            version: "13",
            gcc: "14",
            libc_dev: "libc6-dev",
            libgcc_dev: "libgcc-14-dev",
            libstdcxx_dev: "libstdc++-14-dev",
            slim_image: "debian:trixie-slim",
            rust_image: "rust:1-trixie",
            go_image: "golang:{go}-trixie",
            static_base: "gcr.io/distroless/static-debian13:nonroot",
        }
    }
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
    use super::tests::{trixie, with_debian};
    use crate::core::cc::{toolchain, CcError, Overrides};
    use crate::core::gen::{dockerfile, DockerOptions};
    use crate::core::plan::Probe;
    use crate::core::project::{detect, Choice, Sources};

    fn dockerfile_of(files: &[(&str, &str)]) -> String {
        let src = Sources {
            files: files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
            cargo: None,
        };
        let project = detect(&src, &Choice::default()).unwrap();
        dockerfile(&project, &DockerOptions::default()).unwrap().0
    }

    /// A C++ program's missing libstdc++ under MAB_SYSROOT: the package the C wrapper names.
    fn cc_libstdcxx_package() -> String {
        let info = crate::core::toolenv::test_info("linux/arm64", "debian", &|_| None);
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
            Err(CcError::Missing { package, .. }) => package,
            other => panic!("{other:?}"),
        }
    }

    /// Moving to the next Debian release is the row of toolchains/debian.toml alone: `mab gen`'s images
    /// and package lists and the C wrappers' package names all follow it.
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
        let now = super::debian();
        let (c_now, go_now, cc_now) = (
            dockerfile_of(&c),
            dockerfile_of(&go),
            cc_libstdcxx_package(),
        );
        assert!(c_now.contains(now.slim_image), "{c_now}");
        assert!(
            c_now.contains(now.libgcc_dev) && c_now.contains(now.libstdcxx_dev),
            "{c_now}"
        );
        assert!(go_now.contains(&now.go_image("1.22")), "{go_now}");
        assert!(go_now.contains(now.static_base), "{go_now}");
        assert_eq!(cc_now, format!("{}:arm64", now.libstdcxx_dev));

        let (c_next, go_next, cc_next) = with_debian(trixie(), || {
            (
                dockerfile_of(&c),
                dockerfile_of(&go),
                cc_libstdcxx_package(),
            )
        });
        for text in [&c_next, &go_next] {
            assert!(!text.contains(now.codename), "{text}");
            assert!(!text.contains(&format!("debian{}", now.version)), "{text}");
        }
        assert!(
            c_next.contains("FROM") && c_next.contains("debian:trixie-slim"),
            "{c_next}"
        );
        assert!(
            c_next.contains("libgcc-14-dev") && c_next.contains("libstdc++-14-dev"),
            "{c_next}"
        );
        assert!(go_next.contains("golang:1.22-trixie"), "{go_next}");
        assert!(
            go_next.contains("gcr.io/distroless/static-debian13:nonroot"),
            "{go_next}"
        );
        assert_eq!(cc_next, "libstdc++-14-dev:arm64");
    }
}
