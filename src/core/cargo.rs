//! `mab cargo`: the Rust target triple for the target platform, and the environment cargo, rustc's linker
//! and the `cc` and `pkg-config` crates need to build for it.

use super::cc::Overrides;
use super::info::Info;
use super::pkg_config;
use super::plan::Probe;
use super::resolve::Vars;
use super::toolenv::{
    c_compiler, missing_c_compiler, qemu_runner, CCompiler, CPlan, EnvPlan, ToolPlan,
};

/// The tools cargo's environment names for the target.
#[derive(Default)]
pub struct Tools<'a> {
    /// A C compiler for the target: the linker, and `CC_<triple>` for the `cc` crate.
    pub c: Option<&'a CCompiler>,
    /// Without `c`, a compiler the `cc` crate may still use for objects, which rustc links itself
    /// ([`musl_objects_compiler`]).
    pub c_objects: Option<&'a CCompiler>,
    /// How to run the target's binaries, for `cargo run` and `cargo test`
    /// (`qemu-aarch64-static -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/lib`).
    pub runner: Option<String>,
    /// The root holding the target's libraries (MAB_SYSROOT, else the distro's), for pkg-config.
    pub root: &'a str,
}

/// Why cargo's target or environment cannot be planned; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CargoError {
    /// The platform has no row in toolchains/rust.toml.
    NoTarget(String),
    /// A `--target` that is neither of the platform's Rust triples: the platform and the triples it has.
    NotThePlatform {
        requested: String,
        platform: String,
        triples: String,
    },
    /// A gnu target and no C compiler to link with: the triple and what to install.
    CannotLink(String, String),
}

impl std::fmt::Display for CargoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CargoError::NoTarget(p) => write!(
                f,
                "Rust has no target for {p}; `mab platforms` lists the supported platforms"
            ),
            CargoError::NotThePlatform {
                requested,
                platform,
                triples,
            } => write!(
                f,
                "--target {requested} is not {platform}, the target platform: use {triples}, or set TARGETPLATFORM"
            ),
            CargoError::CannotLink(triple, why) => write!(f, "cannot link {triple}: {why}"),
        }
    }
}

impl std::error::Error for CargoError {}

/// The Rust triple and the `Info` to build with. By default the build distro's libc picks gnu or musl; a
/// `--target` the user passed may pick the other libc for the same platform, and then the C side follows it.
pub fn target(
    info: &Info,
    requested: Option<&str>,
    vars: Vars,
) -> Result<(Info, &'static str), CargoError> {
    let platform = info.target;
    let Some(rust) = platform.row.rust.as_ref() else {
        return Err(CargoError::NoTarget(platform.to_string()));
    };
    let default = info
        .rust_triple()
        .expect("a platform with a Rust row has a Rust triple");
    let Some(requested) = requested.filter(|r| *r != default) else {
        return Ok((info.clone(), default));
    };
    let (libc, triple) = if requested == rust.gnu && platform.os() == "linux" {
        ("gnu", rust.gnu)
    } else if let Some(musl) = rust.musl.filter(|m| *m == requested) {
        ("musl", musl)
    } else {
        let musl = rust.musl.map(|m| format!(" or {m}")).unwrap_or_default();
        return Err(CargoError::NotThePlatform {
            requested: requested.to_string(),
            platform: platform.to_string(),
            triples: format!("{}{musl}", rust.gnu),
        });
    };
    let mut flavour = info.flavour.clone();
    flavour.libc = libc.to_string();
    let sdk = info.sysroot.trim_end_matches('/');
    let relibc = Info::new(platform, info.build, flavour, vars, Some(sdk));
    Ok((relibc, triple))
}

/// Cargo's per-target configuration prefix: `CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU`.
pub fn cargo_key(triple: &str) -> String {
    format!(
        "CARGO_TARGET_{}",
        triple.to_ascii_uppercase().replace(['-', '.'], "_")
    )
}

/// The three spellings the `cc` and `pkg-config` crates read for a per-target variable, most specific first
/// (their documented order): `CC_aarch64-unknown-linux-gnu`, `CC_aarch64_unknown_linux_gnu`, `TARGET_CC`.
fn targeted(var: &str, triple: &str) -> [String; 3] {
    [
        format!("{var}_{triple}"),
        format!("{var}_{}", triple.replace(['-', '.'], "_")),
        format!("TARGET_{var}"),
    ]
}

/// Sets a per-target variable in the underscore spelling (shells can export it) unless the user set any
/// spelling of it.
fn default_targeted(plan: &mut EnvPlan, var: &str, triple: &str, value: String) {
    let [dashed, underscored, generic] = targeted(var, triple);
    if ![&dashed, &underscored, &generic]
        .iter()
        .any(|n| plan.is_set(n))
    {
        plan.default(underscored, value);
    }
}

/// `CC_<triple>`, `CXX_<triple>` and `AR_<triple>` for the `cc` crate.
fn default_compilers(plan: &mut EnvPlan, triple: &str, c: &CCompiler) {
    default_targeted(plan, "CC", triple, c.cc_line());
    default_targeted(plan, "CXX", triple, c.cxx_line());
    if let Some(ar) = &c.ar {
        default_targeted(plan, "AR", triple, ar.clone());
    }
}

/// A musl target on a build distro whose compilers target glibc (`XX_LIBC=musl` on Debian): there is no
/// musl C toolchain, but the `cc` crate only compiles objects, which rustc links with its own musl and
/// rust-lld. clang with the target (or, without `clang`, the build machine's cc for its own architecture)
/// compiles C that needs no libc headers (ring's, under rustls) and finds the distro's musl headers
/// (Debian's `musl-dev` for the target) when `headers` is that directory.
pub fn musl_objects_compiler(
    info: &Info,
    clang: bool,
    headers: Option<&str>,
    ar: Option<String>,
) -> Option<CCompiler> {
    if !info.flavour.is_musl() || info.flavour.distro_libc() == "musl" {
        return None;
    }
    let mut flags = Vec::new();
    if clang {
        flags.push(format!("--target={}", info.triple));
    }
    if let Some(dir) = headers {
        flags.extend(["-isystem".to_string(), dir.to_string()]);
    }
    let with = |compiler: &str| [vec![compiler.to_string()], flags.clone()].concat();
    let (cc, cxx) = if clang {
        ("clang", "clang++")
    } else {
        ("cc", "c++")
    };
    Some(CCompiler {
        cc: with(cc),
        cxx: with(cxx),
        ar,
        link_args: vec![],
    })
}

/// The variables cargo needs for `triple`, leaving out every one the user set. Native builds need none.
pub fn env(
    info: &Info,
    triple: &str,
    found: &Tools,
    user: Vars,
) -> Result<Vec<(String, String)>, CargoError> {
    let mut plan = EnvPlan::new(user);
    let key = cargo_key(triple);
    // xx-cargo's XX_RUSTFLAGS: flags for the target only. Cargo ignores per-target flags when RUSTFLAGS or
    // CARGO_ENCODED_RUSTFLAGS is set, so mab does not add any then.
    let mut rustflags: Vec<String> = user("XX_RUSTFLAGS").into_iter().collect();
    let user_flags = ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS"]
        .iter()
        .any(|n| user(n).is_some());
    if !info.is_cross() {
        if !rustflags.is_empty() && !user_flags {
            plan.default(format!("{key}_RUSTFLAGS"), rustflags.join(" "));
        }
        if let Some(c) = found.c_objects {
            default_compilers(&mut plan, triple, c);
        }
        return Ok(plan.into_vars());
    }
    let linker = format!("{key}_LINKER");
    if !plan.is_set(&linker) {
        match found.c {
            Some(c) => {
                plan.default(&linker, c.cc[0].clone());
                // A compiler called with arguments (clang --target=...) gets them as link arguments.
                rustflags.extend(
                    c.cc[1..]
                        .iter()
                        .chain(&c.link_args)
                        .map(|a| format!("-Clink-arg={a}")),
                );
            }
            // musl targets ship their C library and start files: rustc's own lld links them.
            None if info.flavour.is_musl() => plan.default(&linker, "rust-lld"),
            None => {
                return Err(CargoError::CannotLink(
                    triple.to_string(),
                    missing_c_compiler(info),
                ))
            }
        }
    }
    if !rustflags.is_empty() && !user_flags {
        plan.default(format!("{key}_RUSTFLAGS"), rustflags.join(" "));
    }
    if let Some(c) = found.c.or(found.c_objects) {
        default_compilers(&mut plan, triple, c);
    }
    if let Some(runner) = &found.runner {
        plan.default(format!("{key}_RUNNER"), runner.clone());
    }
    if let Some(paths) = pkg_config::paths(info, found.root) {
        default_targeted(&mut plan, "PKG_CONFIG_LIBDIR", triple, paths.libdir);
        if let Some(sysroot) = paths.sysroot_dir {
            default_targeted(&mut plan, "PKG_CONFIG_SYSROOT_DIR", triple, sysroot);
        }
        // The pkg-config crate refuses to run when cross-compiling unless told the paths are right.
        plan.default("PKG_CONFIG_ALLOW_CROSS", "1");
    }
    Ok(plan.into_vars())
}

/// A compiler for the `cc` crate's musl objects where the distro has no musl C toolchain (clang, or the
/// build machine's own cc for its own architecture), with the target's musl headers if Debian's musl-dev
/// put them in /usr/include/<triple>.
fn musl_objects(info: &Info, probe: &Probe) -> Option<CCompiler> {
    let clang = if (probe.program)("clang").is_some() {
        true
    } else if !info.is_cross() && (probe.program)("cc").is_some() {
        false
    } else {
        return None;
    };
    let headers = format!("/usr/include/{}", info.triple);
    let headers = (probe.exists)(&headers).then_some(headers.as_str());
    musl_objects_compiler(info, clang, headers, (probe.program)("llvm-ar"))
}

/// cargo's environment for `triple` from what the probe finds, and the links to mab it names (made only
/// when cargo runs).
pub fn plan(
    info: &Info,
    triple: &str,
    ov: &Overrides,
    probe: &Probe,
    user: Vars,
) -> Result<ToolPlan, CargoError> {
    let c = match info.is_cross() {
        true => c_compiler(info, ov, probe),
        false => CPlan::default(),
    };
    let c_objects = match &c.compiler {
        Some(_) => None,
        None => musl_objects(info, probe),
    };
    let root = ov.root(info);
    let tools = Tools {
        c: c.compiler.as_ref(),
        c_objects: c_objects.as_ref(),
        runner: qemu_runner(info, root, probe),
        root,
    };
    Ok(ToolPlan {
        env: env(info, triple, &tools, user)?,
        links: c.links,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::toolenv::test_info;
    use std::collections::HashMap;

    fn gcc() -> CCompiler {
        CCompiler {
            cc: vec!["arm-linux-gnueabihf-gcc".into()],
            cxx: vec!["arm-linux-gnueabihf-g++".into()],
            ar: Some("arm-linux-gnueabihf-ar".into()),
            link_args: vec![],
        }
    }

    /// (triple, `A=b` lines) for `target` on `distro`, with `--target requested` and the user's `user`.
    fn check(
        target_platform: &str,
        distro: &str,
        requested: Option<&str>,
        c: Option<&CCompiler>,
        user: &[(&str, &str)],
    ) -> Result<(String, Vec<String>), CargoError> {
        let map: HashMap<&str, &str> = user.iter().copied().collect();
        let vars = |k: &str| map.get(k).map(|v| v.to_string());
        let info = test_info(target_platform, distro, &vars);
        let (info, triple) = target(&info, requested, &vars)?;
        let found = Tools {
            c,
            c_objects: None,
            runner: None,
            root: &info.sysroot,
        };
        let lines = env(&info, triple, &found, &vars)?
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        Ok((triple.to_string(), lines))
    }

    #[test]
    fn gnu_with_gcc() {
        let c = gcc();
        let (triple, lines) = check("linux/arm/v7", "debian", None, Some(&c), &[]).unwrap();
        assert_eq!(triple, "armv7-unknown-linux-gnueabihf");
        assert_eq!(
            lines,
            [
                "CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER=arm-linux-gnueabihf-gcc",
                "CC_armv7_unknown_linux_gnueabihf=arm-linux-gnueabihf-gcc",
                "CXX_armv7_unknown_linux_gnueabihf=arm-linux-gnueabihf-g++",
                "AR_armv7_unknown_linux_gnueabihf=arm-linux-gnueabihf-ar",
                "PKG_CONFIG_LIBDIR_armv7_unknown_linux_gnueabihf=/usr/lib/arm-linux-gnueabihf/pkgconfig:/usr/share/pkgconfig",
                "PKG_CONFIG_ALLOW_CROSS=1",
            ]
        );
    }

    #[test]
    fn musl_links_with_rust_lld() {
        for (distro, requested, user) in [
            ("alpine", None, &[][..]),
            ("debian", None, &[("XX_LIBC", "musl")][..]),
            ("debian", Some("aarch64-unknown-linux-musl"), &[][..]),
        ] {
            let (triple, lines) = check("linux/arm64", distro, requested, None, user).unwrap();
            assert_eq!(triple, "aarch64-unknown-linux-musl");
            assert_eq!(
                lines[0],
                "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld"
            );
        }
    }

    #[test]
    fn musl_objects_get_clang_only_where_the_distro_has_no_musl_compiler() {
        let objects = |platform: &str, distro: &str, user: &[(&str, &str)], clang: bool| {
            let map: HashMap<&str, &str> = user.iter().copied().collect();
            let vars = |k: &str| map.get(k).map(|v| v.to_string());
            let info = test_info(platform, distro, &vars);
            musl_objects_compiler(&info, clang, Some("/usr/include/x"), None).map(|c| c.cc_line())
        };
        let musl = &[("XX_LIBC", "musl")][..];
        assert_eq!(
            objects("linux/arm64", "debian", musl, true).as_deref(),
            Some("clang --target=aarch64-linux-musl -isystem /usr/include/x")
        );
        assert_eq!(
            objects("linux/amd64", "debian", musl, false).as_deref(),
            Some("cc -isystem /usr/include/x")
        );
        assert_eq!(objects("linux/arm64", "debian", &[], true), None);
        assert_eq!(objects("linux/arm64", "alpine", &[], true), None);
    }

    #[test]
    fn clang_gets_its_target_as_link_args() {
        let clang = CCompiler {
            cc: vec!["clang".into(), "--target=aarch64-linux-gnu".into()],
            cxx: vec!["clang++".into(), "--target=aarch64-linux-gnu".into()],
            ar: None,
            link_args: vec!["-fuse-ld=lld".into()],
        };
        let (_, lines) = check("linux/arm64", "debian", None, Some(&clang), &[]).unwrap();
        assert_eq!(
            lines[0],
            "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=clang"
        );
        assert_eq!(
            lines[1],
            "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS=-Clink-arg=--target=aarch64-linux-gnu -Clink-arg=-fuse-ld=lld"
        );
    }

    #[test]
    fn xx_rustflags_are_per_target() {
        let flags = [("XX_RUSTFLAGS", "-Ctarget-cpu=cortex-a72")];
        let (_, lines) = check("linux/arm64", "alpine", None, None, &flags).unwrap();
        assert_eq!(
            lines[1],
            "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUSTFLAGS=-Ctarget-cpu=cortex-a72"
        );
        let (_, lines) = check("linux/amd64", "debian", None, None, &flags).unwrap();
        assert_eq!(
            lines,
            ["CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS=-Ctarget-cpu=cortex-a72"]
        );
        let with_rustflags = [flags[0], ("RUSTFLAGS", "-g")];
        let (_, lines) = check("linux/amd64", "debian", None, None, &with_rustflags).unwrap();
        assert!(lines.is_empty(), "{lines:?}");
    }

    #[test]
    fn user_values_win() {
        let c = gcc();
        let user = [
            ("CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER", "my-ld"),
            ("CC_armv7-unknown-linux-gnueabihf", "my-cc"),
            ("TARGET_CXX", "my-c++"),
            ("PKG_CONFIG_ALLOW_CROSS", "0"),
        ];
        let (_, lines) = check("linux/arm/v7", "debian", None, Some(&c), &user).unwrap();
        assert_eq!(
            lines,
            [
                "AR_armv7_unknown_linux_gnueabihf=arm-linux-gnueabihf-ar",
                "PKG_CONFIG_LIBDIR_armv7_unknown_linux_gnueabihf=/usr/lib/arm-linux-gnueabihf/pkgconfig:/usr/share/pkgconfig",
            ]
        );
    }

    #[test]
    fn errors_say_what_to_do() {
        let err = check("linux/riscv64", "debian", None, None, &[]).unwrap_err();
        assert_eq!(err.to_string(), "cannot link riscv64gc-unknown-linux-gnu: no C compiler for riscv64-linux-gnu: install gcc-riscv64-linux-gnu and libc6-dev-riscv64-cross (Debian), or clang with the target's C library");
        let err = check(
            "linux/arm64",
            "debian",
            Some("x86_64-unknown-linux-gnu"),
            None,
            &[],
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("--target x86_64-unknown-linux-gnu is not linux/arm64"),
            "{err}"
        );
        let (_, lines) = check("linux/amd64", "debian", None, None, &[]).unwrap();
        assert!(lines.is_empty(), "native builds need nothing: {lines:?}");
    }
}
