//! Where pkg-config finds the target's libraries: the one answer `mab pkg-config`, `mab go`, `mab cargo`,
//! `mab cmake-toolchain` and `mab meson-cross` all give. Debian keeps them in the multiarch directory of
//! toolchains/cc.toml (`/usr/lib/i386-linux-gnu` for linux/386, whatever the triple's spelling or vendor);
//! a sysroot (Alpine's root per triple, MAB_SYSROOT) holds them under its own /usr.

use super::info::Info;

/// pkg-config's search path and, under a sysroot, the prefix it puts on the paths it prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// PKG_CONFIG_LIBDIR
    pub libdir: String,
    /// PKG_CONFIG_SYSROOT_DIR
    pub sysroot_dir: Option<String>,
}

/// The target's pkg-config paths with its libraries in `sysroot`, or `None` where the build machine's own
/// pkg-config is right (a native build in /) or mab knows no layout (no row in toolchains/cc.toml).
pub fn paths(info: &Info, sysroot: &str) -> Option<Paths> {
    if info.target.row.mingw.is_some() {
        return Some(mingw(info, sysroot));
    }
    let row = info.target.row.cc.as_ref()?;
    if info.target.os() != "linux" || (!info.is_cross() && sysroot == "/") {
        return None;
    }
    let root = sysroot.trim_end_matches('/');
    let mut dirs = vec![format!("{root}/usr/lib/{}/pkgconfig", row.multiarch)];
    // In / the plain lib dir holds the build machine's files; in a sysroot (Alpine's) it is the target's.
    if sysroot != "/" {
        dirs.push(format!("{root}/usr/lib/pkgconfig"));
    }
    dirs.push(format!("{root}/usr/share/pkgconfig"));
    Some(Paths {
        libdir: dirs.join(":"),
        sysroot_dir: (sysroot != "/").then(|| root.to_string()),
    })
}

/// MinGW-w64's .pc files are in its root (/usr/<triple>, or MAB_SYSROOT), with absolute prefixes there.
fn mingw(info: &Info, sysroot: &str) -> Paths {
    let root = match sysroot {
        "/" => format!("/usr/{}", info.triple),
        other => other.trim_end_matches('/').to_string(),
    };
    Paths {
        libdir: format!("{root}/lib/pkgconfig:{root}/share/pkgconfig"),
        sysroot_dir: None,
    }
}

/// The same paths as `PKG_CONFIG_LIBDIR` and `PKG_CONFIG_SYSROOT_DIR` variables.
pub fn env(info: &Info, sysroot: &str) -> Vec<(String, String)> {
    let Some(p) = paths(info, sysroot) else {
        return Vec::new();
    };
    std::iter::once(("PKG_CONFIG_LIBDIR".to_string(), p.libdir))
        .chain(
            p.sysroot_dir
                .map(|d| ("PKG_CONFIG_SYSROOT_DIR".to_string(), d)),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::table::PLATFORMS;
    use crate::core::toolenv::test_info;
    use crate::core::Platform;

    #[test]
    fn layouts() {
        let none = |_: &str| None;
        let debian = test_info("linux/arm64", "debian", &none);
        assert_eq!(
            paths(&debian, &debian.sysroot),
            Some(Paths {
                libdir: "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig".into(),
                sysroot_dir: None
            })
        );
        let alpine = test_info("linux/arm64", "alpine", &none);
        let p = paths(&alpine, &alpine.sysroot).unwrap();
        assert_eq!(p.sysroot_dir.as_deref(), Some("/aarch64-alpine-linux-musl"));
        assert!(p
            .libdir
            .contains(":/aarch64-alpine-linux-musl/usr/lib/pkgconfig:"));
        let windows = test_info("windows/amd64", "debian", &none);
        assert_eq!(
            paths(&windows, "/").unwrap().libdir,
            "/usr/x86_64-w64-mingw32/lib/pkgconfig:/usr/x86_64-w64-mingw32/share/pkgconfig"
        );
        let native = test_info("linux/amd64", "debian", &none);
        assert_eq!(paths(&native, "/"), None);
    }

    /// The directory is Debian's multiarch one for every platform, whatever vendor the triple spells.
    #[test]
    fn multiarch_not_the_triple() {
        for vendor in [None, Some("unknown"), Some("pc")] {
            let vars = |k: &str| {
                (k == "XX_VENDOR")
                    .then(|| vendor.map(str::to_string))
                    .flatten()
            };
            for row in PLATFORMS.iter().filter(|r| r.os == "linux") {
                let Some(cc) = row.cc.as_ref() else { continue };
                let p = Platform {
                    row,
                    variant: row.variant,
                };
                let info = test_info(&p.to_string(), "debian", &vars);
                let Some(paths) = paths(&info, "/") else {
                    continue;
                };
                let want = format!("/usr/lib/{}/pkgconfig:/usr/share/pkgconfig", cc.multiarch);
                assert_eq!(paths.libdir, want, "{p} XX_VENDOR={vendor:?}");
            }
        }
        let i386 = test_info("linux/386", "debian", &|_| None);
        assert!(paths(&i386, "/")
            .unwrap()
            .libdir
            .starts_with("/usr/lib/i386-linux-gnu/"));
    }
}
