//! `mab go`: the environment that makes the real `go` build for the target. GOOS, GOARCH and the
//! per-architecture knob come from the tables; cgo is on only when a C compiler for the target exists.

use super::cc::Overrides;
use super::info::Info;
use super::pkg_config;
use super::plan::Probe;
use super::resolve::Vars;
use super::toolenv::{c_compiler, missing_c_compiler, CCompiler, EnvPlan, ToolPlan};

/// Why go's environment cannot be planned; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoError {
    /// The platform has no row in toolchains/go.toml.
    NoPort(String),
    /// `CGO_ENABLED=1` asked for, and no C compiler for the target: what to install.
    NoCCompiler(String),
}

impl std::fmt::Display for GoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GoError::NoPort(p) => write!(
                f,
                "Go has no port for {p}; `mab platforms` lists the supported platforms"
            ),
            GoError::NoCCompiler(why) => write!(f, "CGO_ENABLED=1 but {why}"),
        }
    }
}

impl std::error::Error for GoError {}

/// The tools go's environment names for the target.
#[derive(Default)]
pub struct Tools<'a> {
    /// A C compiler for the target (only looked for when cross-compiling).
    pub c: Option<&'a CCompiler>,
    /// A triple-prefixed pkg-config wrapper (`aarch64-linux-gnu-pkg-config`), if installed.
    pub pkg_config: Option<&'a str>,
    /// The root holding the target's libraries (MAB_SYSROOT, else the distro's), for pkg-config without
    /// the wrapper.
    pub root: &'a str,
}

/// The variables `go` needs, leaving out every one the user set. Native builds leave cgo to Go's own
/// default but name the C compiler found; cross builds turn it on only with a C compiler for the target (the user's `CGO_ENABLED` or
/// `CC` wins), because Go would otherwise call the build machine's compiler.
pub fn env(info: &Info, found: &Tools, user: Vars) -> Result<Vec<(String, String)>, GoError> {
    let go =
        (info.target.row.go.as_ref()).ok_or_else(|| GoError::NoPort(info.target.to_string()))?;
    let mut plan = EnvPlan::new(user);
    plan.default("GOOS", go.goos);
    plan.default("GOARCH", go.goarch);
    if let Some((knob, value)) = info.go_knob() {
        plan.default(knob, value);
    }
    if !info.is_cross() {
        // Go's own fallback is gcc, which images with only clang lack: name the compiler found, as xx
        // does, and leave CGO_ENABLED to Go. A user's CC keeps its own CXX too.
        if let Some(c) = found.c.filter(|_| user("CC").is_none()) {
            plan.default("CC", c.cc_line());
            plan.default("CXX", c.cxx_line());
        }
        return Ok(plan.into_vars());
    }
    let user_cc = user("CC").is_some();
    let cgo = match user("CGO_ENABLED") {
        Some(value) => value == "1",
        None => found.c.is_some() || user_cc,
    };
    plan.default("CGO_ENABLED", if cgo { "1" } else { "0" });
    if !cgo || user_cc {
        return Ok(plan.into_vars());
    }
    let c = found
        .c
        .ok_or_else(|| GoError::NoCCompiler(missing_c_compiler(info)))?;
    plan.default("CC", c.cc_line());
    plan.default("CXX", c.cxx_line());
    if let Some(ar) = &c.ar {
        plan.default("AR", ar.clone());
    }
    if !c.link_args.is_empty() {
        // Go's default CGO_LDFLAGS is "-O2 -g"; keep it and add what the link step needs.
        plan.default("CGO_LDFLAGS", format!("-O2 -g {}", c.link_args.join(" ")));
    }
    match found.pkg_config {
        Some(wrapper) => plan.default("PKG_CONFIG", wrapper),
        None => {
            for (k, v) in pkg_config::env(info, found.root) {
                plan.default(k, v);
            }
        }
    }
    Ok(plan.into_vars())
}

/// go's environment for the target from what the probe finds, and the links to mab it names (made only
/// when go runs).
pub fn plan(info: &Info, ov: &Overrides, probe: &Probe, user: Vars) -> Result<ToolPlan, GoError> {
    // Native builds too: Go's own fallback is gcc, which images with only clang lack.
    let c = c_compiler(info, ov, probe);
    let pkg_config = format!("{}-pkg-config", info.triple);
    let tools = Tools {
        c: c.compiler.as_ref(),
        pkg_config: (probe.program)(&pkg_config).map(|_| pkg_config.as_str()),
        root: ov.root(info),
    };
    Ok(ToolPlan {
        env: env(info, &tools, user)?,
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
            cc: vec!["aarch64-linux-gnu-gcc".into()],
            cxx: vec!["aarch64-linux-gnu-g++".into()],
            ar: None,
            link_args: vec![],
        }
    }

    /// `env` for `target` on Debian as `A=b` lines, with the user's variables `user`.
    fn check(
        target: &str,
        c: Option<&CCompiler>,
        user: &[(&str, &str)],
    ) -> Result<String, GoError> {
        let map: HashMap<&str, &str> = user.iter().copied().collect();
        let vars = |k: &str| map.get(k).map(|v| v.to_string());
        let info = test_info(target, "debian", &vars);
        let found = Tools {
            c,
            pkg_config: None,
            root: &info.sysroot,
        };
        let lines: Vec<String> = env(&info, &found, &vars)?
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        Ok(lines.join(" "))
    }

    #[test]
    fn targets() {
        let cases = [
            ("linux/amd64", "GOOS=linux GOARCH=amd64 GOAMD64=v1"),
            ("linux/amd64/v3", "GOOS=linux GOARCH=amd64 GOAMD64=v3"),
            ("linux/arm64", "GOOS=linux GOARCH=arm64 CGO_ENABLED=0"),
            (
                "linux/arm/v6",
                "GOOS=linux GOARCH=arm GOARM=6 CGO_ENABLED=0",
            ),
            (
                "linux/riscv64",
                "GOOS=linux GOARCH=riscv64 GORISCV64=rva20u64 CGO_ENABLED=0",
            ),
            (
                "linux/mips64le",
                "GOOS=linux GOARCH=mips64le GOMIPS64=hardfloat CGO_ENABLED=0",
            ),
            (
                "windows/amd64",
                "GOOS=windows GOARCH=amd64 GOAMD64=v1 CGO_ENABLED=0",
            ),
            ("darwin/arm64", "GOOS=darwin GOARCH=arm64 CGO_ENABLED=0"),
        ];
        for (target, want) in cases {
            assert_eq!(check(target, None, &[]).as_deref(), Ok(want), "{target}");
        }
    }

    #[test]
    fn cgo_follows_the_c_compiler() {
        let c = gcc();
        assert_eq!(
            check("linux/arm64", Some(&c), &[]).unwrap(),
            "GOOS=linux GOARCH=arm64 CGO_ENABLED=1 CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ \
             PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig"
        );
        let clang = CCompiler {
            cc: vec!["clang".into(), "--target=aarch64-linux-gnu".into()],
            cxx: vec!["clang++".into(), "--target=aarch64-linux-gnu".into()],
            ar: Some("llvm-ar".into()),
            link_args: vec!["-fuse-ld=lld".into()],
        };
        let out = check("linux/arm64", Some(&clang), &[]).unwrap();
        assert!(out.contains("CC=clang --target=aarch64-linux-gnu CXX=clang++ --target=aarch64-linux-gnu AR=llvm-ar CGO_LDFLAGS=-O2 -g -fuse-ld=lld"), "{out}");
    }

    #[test]
    fn native_cgo_names_the_compiler_found() {
        let clang = CCompiler {
            cc: vec!["x86_64-linux-gnu-clang".into()],
            cxx: vec!["x86_64-linux-gnu-clang++".into()],
            ar: None,
            link_args: vec![],
        };
        assert_eq!(
            check("linux/amd64", Some(&clang), &[]).unwrap(),
            "GOOS=linux GOARCH=amd64 GOAMD64=v1 CC=x86_64-linux-gnu-clang CXX=x86_64-linux-gnu-clang++"
        );
        assert_eq!(
            check("linux/amd64", Some(&clang), &[("CC", "gcc")]).unwrap(),
            "GOOS=linux GOARCH=amd64 GOAMD64=v1"
        );
    }

    #[test]
    fn user_values_win() {
        let c = gcc();
        assert_eq!(
            check(
                "linux/arm64",
                Some(&c),
                &[("CGO_ENABLED", "0"), ("GOOS", "linux")]
            )
            .unwrap(),
            "GOARCH=arm64"
        );
        assert_eq!(
            check("linux/arm/v7", None, &[("GOARM", "6"), ("CC", "my-cc")]).unwrap(),
            "GOOS=linux GOARCH=arm CGO_ENABLED=1"
        );
        let err = check("linux/arm64", None, &[("CGO_ENABLED", "1")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("CGO_ENABLED=1 but no C compiler for aarch64-linux-gnu: install gcc-aarch64-linux-gnu"), "{err}");
    }
}
