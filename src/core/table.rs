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

include!(concat!(env!("OUT_DIR"), "/tables.rs"));

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
