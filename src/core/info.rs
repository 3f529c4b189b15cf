//! Everything a compiler needs to know about a target, computed from the tables: the values `mab info`
//! prints, `mab info env` exports and the wrappers pass on. Pure: the command layer reads the environment
//! and `/etc/os-release` and hands them in.

use super::os_release::OsRelease;
use super::platform::Platform;
use super::resolve::Vars;
use super::table::{self, Family};

/// The build distro's conventions, with xx's overrides (`XX_VENDOR`, `XX_LIBC`) applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flavour {
    /// `ID` from /etc/os-release.
    pub distro: Option<String>,
    /// `VERSION_ID` from /etc/os-release.
    pub os_version: Option<String>,
    /// `VERSION_CODENAME` from /etc/os-release: the Debian release row the C wrappers name packages by.
    pub os_codename: Option<String>,
    /// The vendor part of C triples (alpine, apple, unknown, or the distro).
    pub vendor: String,
    /// gnu, musl, or mingw32 for Windows.
    pub libc: String,
    /// Debian- and RHEL-style triples leave the vendor out (aarch64-linux-gnu).
    pub bare_triples: bool,
    /// Whose package architecture names `pkg-arch` prints.
    pub family: Option<Family>,
}

impl Flavour {
    /// xx's rules: the vendor is `XX_VENDOR`, else `apple` for macOS targets, else the distro, else
    /// `unknown`; the libc is `XX_LIBC`, else mingw32 for Windows, else the distro's.
    pub fn new(target_os: &str, release: &OsRelease, vars: Vars) -> Flavour {
        let distro = release.id.clone();
        let vendor = vars("XX_VENDOR")
            .or_else(|| (target_os == "darwin").then(|| "apple".to_string()))
            .or_else(|| distro.clone())
            .unwrap_or_else(|| "unknown".to_string());
        let libc = vars("XX_LIBC").unwrap_or_else(|| {
            (if target_os == "windows" {
                "mingw32"
            } else {
                distro_libc(distro.as_deref())
            })
            .to_string()
        });
        let known = table::distro(&vendor);
        Flavour {
            os_version: release.version_id.clone(),
            os_codename: release.version_codename.clone(),
            bare_triples: known.is_some_and(|d| !d.vendor_in_triple),
            family: known.map(|d| d.family),
            distro,
            vendor,
            libc,
        }
    }

    /// The Debian release row of the build machine (its `VERSION_CODENAME`), whose versioned package
    /// names the C wrappers give. A release the table lacks (or none) gets [`table::DEFAULT_RELEASE`]'s
    /// row, and a note that says so for the messages that name its packages.
    pub fn debian_release(&self) -> (&'static table::DebianRow, Option<String>) {
        let name = self.os_codename.as_deref();
        match name.and_then(table::debian_release) {
            Some(row) => (row, None),
            None => {
                let row = table::default_release();
                let known: Vec<&str> = table::debian_releases()
                    .iter()
                    .map(|d| d.codename)
                    .collect();
                let what = match name {
                    Some(name) => format!("this machine's release {name:?}"),
                    None => {
                        "this machine's release (no VERSION_CODENAME in /etc/os-release)".into()
                    }
                };
                (
                    row,
                    Some(format!(
                        "Debian {}'s name: {what} is none of {}",
                        row.codename,
                        known.join(", ")
                    )),
                )
            }
        }
    }

    pub fn is_musl(&self) -> bool {
        self.libc == "musl"
    }

    /// The libc the build distro's own compilers target, whatever `XX_LIBC` asks for.
    pub fn distro_libc(&self) -> &'static str {
        distro_libc(self.distro.as_deref())
    }

    /// The build distro's own family, whatever `XX_VENDOR` says (`family` is the vendor's).
    pub fn distro_family(&self) -> Option<Family> {
        self.distro
            .as_deref()
            .and_then(table::distro)
            .map(|d| d.family)
    }
}

/// A distro's libc from the tables; glibc for distros mab does not know.
fn distro_libc(id: Option<&str>) -> &'static str {
    id.and_then(table::distro).map_or("gnu", |d| d.libc)
}

/// The C target triple for `platform` as the build distro's toolchains spell it.
pub fn c_triple(platform: Platform, flavour: &Flavour, vars: Vars) -> String {
    let c = &platform.row.c;
    let vendor = if flavour.bare_triples {
        String::new()
    } else {
        format!("-{}", flavour.vendor)
    };
    match platform.os() {
        "windows" => format!("{}-w64-mingw32", c.arch),
        "darwin" => {
            let min = vars("MACOSX_VERSION_MIN")
                .unwrap_or_else(|| c.macos_min.unwrap_or("11.0").to_string());
            format!("{}{vendor}-macos{min}", c.arch)
        }
        _ => {
            let alpine = flavour.family == Some(Family::Alpine);
            let arch = c.arch_env.and_then(vars).unwrap_or_else(|| {
                (if alpine {
                    c.alpine_arch.unwrap_or(c.arch)
                } else {
                    c.arch
                })
                .to_string()
            });
            let abi = if alpine {
                c.alpine_abi.unwrap_or(c.abi)
            } else {
                c.abi
            };
            format!("{arch}{vendor}-linux-{}{abi}", flavour.libc)
        }
    }
}

/// The resolved target with every derived value.
#[derive(Debug, Clone)]
pub struct Info {
    pub target: Platform,
    pub build: Platform,
    pub flavour: Flavour,
    pub triple: String,
    pub build_triple: String,
    pub sysroot: String,
}

/// Where xx's images keep the macOS SDK when none is found under /xx-sdk.
pub const DEFAULT_MACOS_SDK: &str = "/xx-sdk/MacOSX11.1.sdk";

impl Info {
    /// `macos_sdk` is the SDK directory found on the machine, if any (only used for macOS targets).
    pub fn new(
        target: Platform,
        build: Platform,
        flavour: Flavour,
        vars: Vars,
        macos_sdk: Option<&str>,
    ) -> Info {
        let triple = c_triple(target, &flavour, vars);
        // The build machine's own conventions: neither the target's OS (apple, mingw32) nor the user's
        // XX_VENDOR/XX_LIBC, which describe the target.
        let release = OsRelease {
            id: flavour.distro.clone(),
            version_id: flavour.os_version.clone(),
            version_codename: flavour.os_codename.clone(),
        };
        let build_flavour = Flavour::new(build.os(), &release, &|_| None);
        let build_triple = c_triple(build, &build_flavour, &|_| None);
        let sysroot = match target.os() {
            "darwin" => format!("{}/", macos_sdk.unwrap_or(DEFAULT_MACOS_SDK)),
            // Alpine keeps target packages in a secondary root per triple (xx-apk); Debian uses multiarch.
            "linux"
                if flavour.distro_family() == Some(Family::Alpine)
                    && target.row.march != build.row.march =>
            {
                format!("/{triple}/")
            }
            _ => "/".to_string(),
        };
        Info {
            target,
            build,
            flavour,
            triple,
            build_triple,
            sysroot,
        }
    }

    /// The values on a linux/amd64 build machine of `distro` with no overrides, as the documentation
    /// tables show them.
    pub fn on_distro(target: Platform, distro: Option<&str>) -> Info {
        let release = OsRelease {
            id: distro.map(str::to_string),
            ..OsRelease::default()
        };
        let build =
            Platform::from_parts("linux", "amd64", "").expect("linux/amd64 is in the tables");
        Info::new(
            target,
            build,
            Flavour::new(target.os(), &release, &|_| None),
            &|_| None,
            None,
        )
    }

    /// Whether binaries for the target cannot run natively on the build machine.
    pub fn is_cross(&self) -> bool {
        self.target.os() != self.build.os() || self.target.row.march != self.build.row.march
    }

    pub fn pkg_arch(&self) -> Option<&'static str> {
        let row = self.target.row;
        match self.flavour.family {
            Some(Family::Debian) => row.debian_arch,
            Some(Family::Alpine) => row.alpine_arch,
            Some(Family::Rhel) => row.rhel_arch,
            None => Some(row.arch),
        }
    }

    pub fn rust_triple(&self) -> Option<&'static str> {
        let rust = self.target.row.rust.as_ref()?;
        if self.flavour.is_musl() && self.target.os() == "linux" {
            rust.musl
        } else {
            Some(rust.gnu)
        }
    }

    /// The value of Go's per-architecture variable (`GOARM`, `GOAMD64`, …), with its name.
    pub fn go_knob(&self) -> Option<(&'static str, &'static str)> {
        let go = self.target.row.go.as_ref()?;
        let knob = go.knob?;
        let value = if go.knob_variant && !self.target.variant.is_empty() {
            self.target.variant
        } else {
            go.knob_default?
        };
        Some((knob, value))
    }

    fn go_knob_named(&self, names: &[&str]) -> Option<String> {
        let (knob, value) = self.go_knob()?;
        names.contains(&knob).then(|| value.to_string())
    }

    pub fn ld_so(&self) -> Option<&'static str> {
        let row = self.target.row;
        if self.flavour.is_musl() {
            row.ld_so_musl
        } else {
            row.ld_so_gnu
        }
    }

    /// One field by name, or `None` when it does not apply to this target (no Debian architecture for
    /// Windows, no GOARM for arm64). Unknown names are `None` too: check against [`FIELDS`] first.
    pub fn get(&self, name: &str) -> Option<String> {
        FIELDS
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| (f.get)(self))
    }
}

/// A value `mab info` can print.
pub struct Field {
    pub name: &'static str,
    pub help: &'static str,
    pub get: fn(&Info) -> Option<String>,
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

/// Every field, in the order `mab info env` and `--json` list them.
pub static FIELDS: &[Field] = &[
    Field { name: "triple", help: "C target triple (the default field)", get: |i| some(&i.triple) },
    Field { name: "platform", help: "normalised Docker platform (os/arch[/variant])", get: |i| some(&i.target.to_string()) },
    Field { name: "os", help: "Docker OS (linux, windows, darwin)", get: |i| some(i.target.os()) },
    Field { name: "arch", help: "Docker architecture (amd64, arm64, arm, ...)", get: |i| some(i.target.arch()) },
    Field { name: "variant", help: "Docker variant (v7 for arm/v7), empty if none", get: |i| some(i.target.variant) },
    Field { name: "march", help: "machine name, as uname -m prints it on the target", get: |i| some(i.target.row.march) },
    Field { name: "vendor", help: "vendor part of the triple (debian, alpine, apple, unknown, ...)", get: |i| some(&i.flavour.vendor) },
    Field { name: "libc", help: "C library (gnu, musl, mingw32)", get: |i| some(&i.flavour.libc) },
    Field { name: "os-version", help: "build distro's VERSION_ID", get: |i| i.flavour.os_version.clone() },
    Field { name: "pkg-arch", help: "package architecture for the build distro's package manager", get: |i| i.pkg_arch().map(str::to_string) },
    Field { name: "debian-arch", help: "Debian/Ubuntu package architecture", get: |i| i.target.row.debian_arch.map(str::to_string) },
    Field { name: "alpine-arch", help: "Alpine package architecture", get: |i| i.target.row.alpine_arch.map(str::to_string) },
    Field { name: "rhel-arch", help: "RPM package architecture", get: |i| i.target.row.rhel_arch.map(str::to_string) },
    Field { name: "sysroot", help: "directory holding the target's headers and libraries", get: |i| some(&i.sysroot) },
    Field { name: "goos", help: "Go's GOOS", get: |i| i.target.row.go.as_ref().map(|g| g.goos.to_string()) },
    Field { name: "goarch", help: "Go's GOARCH", get: |i| i.target.row.go.as_ref().map(|g| g.goarch.to_string()) },
    Field { name: "goarm", help: "Go's GOARM", get: |i| i.go_knob_named(&["GOARM"]) },
    Field { name: "goamd64", help: "Go's GOAMD64", get: |i| i.go_knob_named(&["GOAMD64"]) },
    Field { name: "go386", help: "Go's GO386", get: |i| i.go_knob_named(&["GO386"]) },
    Field { name: "gomips", help: "Go's GOMIPS or GOMIPS64", get: |i| i.go_knob_named(&["GOMIPS", "GOMIPS64"]) },
    Field { name: "goppc64", help: "Go's GOPPC64", get: |i| i.go_knob_named(&["GOPPC64"]) },
    Field { name: "goriscv64", help: "Go's GORISCV64", get: |i| i.go_knob_named(&["GORISCV64"]) },
    Field { name: "rust-triple", help: "Rust target triple (gnu or musl by the libc)", get: |i| i.rust_triple().map(str::to_string) },
    Field { name: "ld-so", help: "path of the dynamic loader on the target", get: |i| i.ld_so().map(str::to_string) },
    Field { name: "qemu", help: "qemu-user's CPU name (qemu-<name>-static)", get: |i| i.target.row.qemu.map(str::to_string) },
    Field { name: "is-cross", help: "true if the target differs from the build machine (as a command: exit 0 if so, 1 if not)", get: |i| some(if i.is_cross() { "true" } else { "false" }) },
    Field { name: "build-platform", help: "the build machine's Docker platform", get: |i| some(&i.build.to_string()) },
    Field { name: "build-triple", help: "C triple of the build machine (autotools --build)", get: |i| some(&i.build_triple) },
];

/// Why a value from the environment or /etc/os-release was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// Not a plain token (letters, digits, `._-`, at most 64).
    NotPlain { name: String, value: String },
    /// A triple's machine part (`ARM_TARGET_ARCH`, …) that is no architecture.
    NotArch { name: String, value: String },
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::NotPlain { name, value } => write!(
                f,
                "{name}={:?} is not a plain name: use letters, digits, '.', '_' and '-' (at most 64)",
                value.chars().take(80).collect::<String>()
            ),
            InputError::NotArch { name, value } => write!(
                f,
                "{name}={value:?} is not a CPU architecture a target triple can name (armv7, riscv64gc, ...)"
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// Values from the environment end up in triples and shell lines: refuse anything but a plain token.
pub fn check_token(name: &str, value: &str) -> Result<(), InputError> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(InputError::NotPlain {
            name: name.to_string(),
            value: value.to_string(),
        })
    }
}

/// Every variable that changes `mab info`'s answers: BuildKit's platform variables, then the overrides.
pub fn input_vars() -> impl Iterator<Item = &'static str> {
    super::resolve::PLATFORM_VARS
        .iter()
        .copied()
        .chain(override_vars())
}

/// The variables besides the platform ones that change `mab info`'s answers.
pub fn override_vars() -> impl Iterator<Item = &'static str> {
    ["XX_VENDOR", "XX_LIBC", "MACOSX_VERSION_MIN"]
        .into_iter()
        .chain(table::PLATFORMS.iter().filter_map(|r| r.c.arch_env))
}

/// Checks one override: a plain token, and for the triple's machine part (`ARM_TARGET_ARCH`, …) an
/// architecture that target-lexicon knows, so the triple mab prints stays one compilers accept.
pub fn check_override(name: &str, value: &str) -> Result<(), InputError> {
    check_token(name, value)?;
    let is_arch = table::PLATFORMS.iter().any(|r| r.c.arch_env == Some(name));
    if is_arch && value.parse::<target_lexicon::Architecture>().is_err() {
        return Err(InputError::NotArch {
            name: name.to_string(),
            value: value.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use target_lexicon::Triple;

    /// Build distros every row is checked under: none (no os-release), and each family.
    const DISTROS: &[Option<&str>] = &[
        None,
        Some("debian"),
        Some("ubuntu"),
        Some("alpine"),
        Some("fedora"),
        Some("rhel"),
    ];

    fn info(platform: Platform, distro: Option<&str>) -> Info {
        Info::on_distro(platform, distro)
    }

    /// target-lexicon has no names for two spellings GCC uses: `w64-mingw32` (its `pc-windows-gnu`) and
    /// `macos<version>` (its `darwin`). Alpine's `armv5` is its `armv5te`.
    fn lexicon(c_triple: &str) -> Triple {
        let spelled = c_triple
            .replace("-w64-mingw32", "-pc-windows-gnu")
            .replace("armv5-alpine", "armv5te-alpine");
        let spelled = match spelled.find("-macos") {
            Some(at) => format!("{}-darwin", &spelled[..at]),
            None => spelled,
        };
        Triple::from_str(&spelled).unwrap_or_else(|e| panic!("{c_triple}: {e}"))
    }

    /// Every platform × distro: the C and Rust triples parse and describe the same machine.
    #[test]
    fn every_row_under_every_distro() {
        for platform in Platform::all() {
            for distro in DISTROS {
                let i = info(platform, *distro);
                let c = lexicon(&i.triple);
                let what = format!("{platform} on {distro:?}: {}", i.triple);
                assert!(i.triple.split('-').count() >= 3, "{what}");
                let go = i
                    .target
                    .row
                    .go
                    .as_ref()
                    .expect("every platform has Go values");
                assert_eq!(go.goos, platform.os(), "{what}");
                // Rust has no MinGW target for 32-bit ARM Windows (see toolchains/rust.toml).
                let Some(rust) = i.rust_triple() else {
                    assert_eq!(
                        platform.to_string(),
                        "windows/arm/v7",
                        "{what}: no Rust triple"
                    );
                    continue;
                };
                let rust = Triple::from_str(rust).unwrap();
                let what = format!("{what} / {rust}");
                assert_eq!(c.pointer_width(), rust.pointer_width(), "{what}");
                assert_eq!(c.endianness(), rust.endianness(), "{what}");
                assert_eq!(c.operating_system, rust.operating_system, "{what}");
                if platform.os() == "linux" {
                    assert!(i.ld_so().is_some_and(|p| p.starts_with('/')), "{what}");
                    assert!(i.pkg_arch().is_some(), "{what}");
                    assert!(i.target.row.qemu.is_some(), "{what}");
                    let libc = if *distro == Some("alpine") {
                        "musl"
                    } else {
                        "gnu"
                    };
                    assert!(c.environment.to_string().starts_with(libc), "{what}");
                    assert!(rust.environment.to_string().starts_with(libc), "{what}");
                }
            }
        }
    }

    #[test]
    fn vendor_appears_only_where_the_distro_puts_it() {
        let arm64 = Platform::from_parts("linux", "arm64", "").unwrap();
        for (distro, triple) in [
            (None, "aarch64-unknown-linux-gnu"),
            (Some("debian"), "aarch64-linux-gnu"),
            (Some("ubuntu"), "aarch64-linux-gnu"),
            (Some("fedora"), "aarch64-linux-gnu"),
            (Some("alpine"), "aarch64-alpine-linux-musl"),
            (Some("arch"), "aarch64-arch-linux-gnu"),
        ] {
            assert_eq!(info(arm64, distro).triple, triple, "{distro:?}");
        }
    }

    #[test]
    fn overrides() {
        let arm = Platform::from_parts("linux", "arm", "v7").unwrap();
        let release = OsRelease {
            id: Some("debian".into()),
            ..OsRelease::default()
        };
        let vars = |k: &str| match k {
            "ARM_TARGET_ARCH" => Some("armv7".to_string()),
            "XX_VENDOR" => Some("unknown".to_string()),
            _ => None,
        };
        let flavour = Flavour::new("linux", &release, &vars);
        assert_eq!(
            c_triple(arm, &flavour, &vars),
            "armv7-unknown-linux-gnueabihf"
        );
        let musl = |k: &str| (k == "XX_LIBC").then(|| "musl".to_string());
        let i = Info::new(
            arm,
            arm,
            Flavour::new("linux", &release, &musl),
            &musl,
            None,
        );
        assert_eq!(i.triple, "arm-linux-musleabihf");
        assert_eq!(i.rust_triple(), Some("armv7-unknown-linux-musleabihf"));
        assert_eq!(i.ld_so(), Some("/lib/ld-musl-armhf.so.1"));
        assert!(!i.is_cross());
    }

    /// autotools' `--build` describes the build machine, whatever the target's OS or overrides say.
    #[test]
    fn build_triple_keeps_the_build_machines_conventions() {
        let release = |id: &str| OsRelease {
            id: Some(id.into()),
            ..OsRelease::default()
        };
        let build = Platform::from_parts("linux", "amd64", "").unwrap();
        let vendor = |k: &str| (k == "XX_VENDOR").then(|| "acme".to_string());
        for (target, distro, want) in [
            ("darwin/arm64", "debian", "x86_64-linux-gnu"),
            ("windows/amd64", "debian", "x86_64-linux-gnu"),
            ("linux/arm64", "alpine", "x86_64-alpine-linux-musl"),
            ("darwin/amd64", "alpine", "x86_64-alpine-linux-musl"),
        ] {
            let target = Platform::parse(target, build).unwrap();
            let flavour = Flavour::new(target.os(), &release(distro), &vendor);
            let i = Info::new(target, build, flavour, &vendor, None);
            assert_eq!(i.build_triple, want, "{target} on {distro}");
        }
    }

    #[test]
    fn go_knobs_follow_the_variant() {
        let knob = |p: &str| {
            let platform =
                Platform::parse(p, Platform::from_parts("linux", "amd64", "").unwrap()).unwrap();
            info(platform, Some("debian")).go_knob()
        };
        assert_eq!(knob("linux/amd64"), Some(("GOAMD64", "v1")));
        assert_eq!(knob("linux/amd64/v3"), Some(("GOAMD64", "v3")));
        assert_eq!(knob("linux/arm/v6"), Some(("GOARM", "6")));
        assert_eq!(
            knob("linux/mips64le/softfloat"),
            Some(("GOMIPS64", "softfloat"))
        );
        assert_eq!(knob("linux/arm64"), None);
    }

    #[test]
    fn sysroot_is_per_triple_only_for_cross_alpine() {
        let arm64 = Platform::from_parts("linux", "arm64", "").unwrap();
        let amd64 = Platform::from_parts("linux", "amd64", "").unwrap();
        assert_eq!(
            info(arm64, Some("alpine")).sysroot,
            "/aarch64-alpine-linux-musl/"
        );
        assert_eq!(info(amd64, Some("alpine")).sysroot, "/");
        assert_eq!(info(arm64, Some("debian")).sysroot, "/");
        let mac = Platform::from_parts("darwin", "arm64", "").unwrap();
        assert_eq!(info(mac, Some("debian")).sysroot, "/xx-sdk/MacOSX11.1.sdk/");
    }

    #[test]
    fn tokens() {
        assert!(check_token("XX_VENDOR", "alpine").is_ok());
        for bad in ["", "a b", "$(id)", "a;b", "a\nb", "ä", &"x".repeat(65)] {
            assert!(check_token("XX_VENDOR", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn arch_overrides_must_be_architectures() {
        for arch in ["armv7", "arm", "armv6"] {
            assert_eq!(check_override("ARM_TARGET_ARCH", arch), Ok(()));
        }
        assert_eq!(check_override("RISCV64_TARGET_ARCH", "riscv64gc"), Ok(()));
        assert!(check_override("ARM_TARGET_ARCH", "banana").is_err());
        assert!(check_override("ARM_TARGET_ARCH", "arm;id").is_err());
        assert_eq!(check_override("XX_VENDOR", "banana"), Ok(()));
    }
}
