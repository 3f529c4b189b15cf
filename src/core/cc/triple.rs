//! The platform a triple means, for `--target=`/`-target` and `<triple>-clang` names. Every triple mab
//! prints for a platform is accepted: the C triple of any build distro, vendor or none (XX_VENDOR), gnu or
//! musl, and the Rust triple (`armv7-unknown-linux-gnueabihf`, which the `cc` crate passes as is).

use super::CcError;
use crate::core::info::{c_triple, Flavour};
use crate::core::platform::Platform;
use crate::core::table::{self, PlatformRow};

/// Compares triples the way compilers accept them: the vendor part is optional and a few machine names
/// have synonyms (toolchains/aliases.toml, `triple_arch`).
fn normalize(triple: &str) -> String {
    let mut parts: Vec<&str> = triple.split('-').collect();
    if parts.len() == 4 {
        parts.remove(1);
    }
    if let Some(arch) = parts.first_mut() {
        *arch = table::triple_arch(arch);
    }
    parts.join("-").to_ascii_lowercase()
}

/// Every triple mab spells for the row's platform, with the libc each names.
fn spellings(row: &'static PlatformRow, flavour: &Flavour) -> Vec<(String, &'static str)> {
    let platform = Platform {
        row,
        variant: row.variant,
    };
    let mut out = Vec::new();
    // The vendor part itself is dropped by `normalize`; Alpine's also changes the arch and ABI parts, so
    // both spellings are tried whatever the build distro is.
    for vendor in [flavour.vendor.as_str(), "unknown", "alpine"] {
        for libc in ["gnu", "musl"] {
            let f = Flavour {
                vendor: vendor.to_string(),
                family: match vendor == flavour.vendor {
                    true => flavour.family,
                    false => table::distro(vendor).map(|d| d.family),
                },
                libc: libc.to_string(),
                ..flavour.clone()
            };
            out.push((c_triple(platform, &f, &|_| None), libc));
        }
    }
    if let Some(rust) = &row.rust {
        out.push((rust.gnu.to_string(), "gnu"));
        out.extend(rust.musl.map(|m| (m.to_string(), "musl")));
    }
    out
}

/// The platform whose triple is `triple`, and the libc the triple names (gnu or musl). A spelling mab
/// prints exactly wins over one that only compares equal without the vendor: `arm-unknown-linux-musleabihf`
/// is Rust's linux/arm/v6, while `arm-linux-musleabihf` is the C triple of linux/arm/v7.
pub fn platform_for_triple(
    triple: &str,
    flavour: &Flavour,
) -> Result<(Platform, &'static str), CcError> {
    let rows = || {
        table::PLATFORMS
            .iter()
            .filter(|row| (row.os == "linux" && row.cc.is_some()) || row.mingw.is_some())
    };
    let find = |same: &dyn Fn(&str) -> bool| {
        rows().find_map(|row| {
            let (_, libc) = spellings(row, flavour).into_iter().find(|(t, _)| same(t))?;
            Some((
                Platform {
                    row,
                    variant: row.variant,
                },
                libc,
            ))
        })
    };
    let want = normalize(triple);
    find(&|t| t.eq_ignore_ascii_case(triple))
        .or_else(|| find(&|t| normalize(t) == want))
        .ok_or_else(|| CcError::UnknownTriple(triple.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::cc::toolchain::tests::info;
    use crate::core::os_release::OsRelease;
    use crate::core::Info;

    #[test]
    fn triples_map_back_to_platforms() {
        let flavour = info("linux/arm64").flavour;
        for (triple, platform, libc) in [
            ("aarch64-linux-gnu", "linux/arm64", "gnu"),
            ("aarch64-unknown-linux-gnu", "linux/arm64", "gnu"),
            ("aarch64-alpine-linux-musl", "linux/arm64", "musl"),
            ("arm-linux-gnueabihf", "linux/arm/v7", "gnu"),
            ("armv7-unknown-linux-gnueabihf", "linux/arm/v7", "gnu"),
            ("armv7-unknown-linux-musleabihf", "linux/arm/v7", "musl"),
            ("arm-linux-gnueabi", "linux/arm/v6", "gnu"),
            ("i386-linux-gnu", "linux/386", "gnu"),
            ("riscv64gc-unknown-linux-gnu", "linux/riscv64", "gnu"),
            ("x86_64-pc-linux-gnu", "linux/amd64", "gnu"),
        ] {
            let (p, l) = platform_for_triple(triple, &flavour).unwrap();
            assert_eq!((p.to_string().as_str(), l), (platform, libc), "{triple}");
        }
        assert!(platform_for_triple("sparc-linux-gnu", &flavour).is_err());
        // On Alpine, Debian's spellings still name their platforms, and the other way round.
        let alpine = crate::core::toolenv::test_info("linux/arm64", "alpine", &|_| None).flavour;
        for (triple, platform) in [
            ("arm-linux-gnueabihf", "linux/arm/v7"),
            ("armv7-alpine-linux-musleabihf", "linux/arm/v7"),
            ("aarch64-linux-gnu", "linux/arm64"),
        ] {
            for flavour in [&alpine, &flavour] {
                let (p, _) = platform_for_triple(triple, flavour).unwrap();
                assert_eq!(p.to_string(), platform, "{triple} on {:?}", flavour.distro);
            }
        }
    }

    /// Every platform row × every triple mab prints for it (C triple on each distro, with and without
    /// XX_VENDOR, each libc, and the Rust triple) names that platform again, or one whose C triple is
    /// the same (Debian's arm/v5 and arm/v6 share arm-linux-gnueabi).
    #[test]
    fn every_printed_triple_is_accepted() {
        let build = Platform::from_parts("linux", "amd64", "").unwrap();
        let distros = table::DISTROS.iter().map(|d| d.id).chain(["wolfi"]);
        for distro in distros {
            for vendor in [None, Some("unknown"), Some("pc")] {
                for libc in [None, Some("musl"), Some("gnu")] {
                    let vars = |k: &str| match k {
                        "XX_VENDOR" => vendor.map(str::to_string),
                        "XX_LIBC" => libc.map(str::to_string),
                        _ => None,
                    };
                    let release = OsRelease::parse(&format!("ID={distro}\n"));
                    for row in table::PLATFORMS
                        .iter()
                        .filter(|r| r.os == "linux" && r.cc.is_some())
                    {
                        let target = Platform {
                            row,
                            variant: row.variant,
                        };
                        let flavour = Flavour::new("linux", &release, &vars);
                        let info = Info::new(target, build, flavour.clone(), &vars, None);
                        let printed = [
                            Some(info.triple.clone()),
                            info.rust_triple().map(str::to_string),
                        ];
                        for triple in printed.into_iter().flatten() {
                            let (p, _) =
                                platform_for_triple(&triple, &flavour).unwrap_or_else(|e| {
                                    panic!("{distro} {vendor:?} {libc:?} {target}: {e}")
                                });
                            // Where two platforms print the same triple (arm/v5 and arm/v6 share
                            // arm-linux-gnueabi), either is right; otherwise it must be this one.
                            let prints = |p: Platform| {
                                spellings(p.row, &flavour)
                                    .iter()
                                    .any(|(t, _)| normalize(t) == normalize(&triple))
                            };
                            assert!(
                                p == target || (prints(p) && prints(target)),
                                "{triple} ({distro} {vendor:?} {libc:?}) gave {p}, not {target}"
                            );
                        }
                    }
                }
            }
        }
    }
}
