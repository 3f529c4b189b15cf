//! `mab go`: the environment that makes the real `go` build for the target. GOOS, GOARCH and the
//! per-architecture knob come from the tables; cgo is Go's choice (off when cross-compiling unless
//! `CGO_ENABLED=1`), with the target's C compiler named for it.

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

/// The variables `go` needs, leaving out every one the user set. cgo is Go's own choice, as under xx: on
/// for native builds where a C compiler is found, off when cross-compiling unless `CGO_ENABLED=1` (a `CC`
/// alone does not turn it on), so a build never links dynamically unless asked to. mab names the C
/// compiler it found, so that `CGO_ENABLED=1` (in the environment or go's env file) builds with it.
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
        // does. A user's CC keeps its own CXX too.
        if let Some(c) = found.c.filter(|_| user("CC").is_none()) {
            plan.default("CC", c.cc_line());
            plan.default("CXX", c.cxx_line());
        }
        return Ok(plan.into_vars());
    }
    let cgo = user("CGO_ENABLED");
    if cgo.as_deref() == Some("0") || user("CC").is_some() {
        return Ok(plan.into_vars());
    }
    let Some(c) = found.c else {
        if cgo.as_deref() == Some("1") {
            return Err(GoError::NoCCompiler(missing_c_compiler(info)));
        }
        return Ok(plan.into_vars());
    };
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

/// The `go list` template that names each package of a build outside the standard library with cgo files
/// (net and os/user have Go fallbacks; a package's own `import "C"` has none).
pub const CGO_PACKAGES: &str = "{{if and .CgoFiles (not .Standard)}}{{.ImportPath}}{{end}}";

/// go's flags that take a value (`-o out` as well as `-o=out`): the build flags and `go test`'s.
const VALUED: &[&str] = &[
    "C",
    "o",
    "p",
    "asmflags",
    "buildmode",
    "compiler",
    "gccgoflags",
    "gcflags",
    "installsuffix",
    "ldflags",
    "mod",
    "modfile",
    "overlay",
    "pgo",
    "pkgdir",
    "tags",
    "toolexec",
    "covermode",
    "coverpkg",
    "exec",
    "run",
    "skip",
    "bench",
    "benchtime",
    "count",
    "cpu",
    "parallel",
    "timeout",
    "coverprofile",
    "cpuprofile",
    "memprofile",
    "blockprofile",
    "mutexprofile",
    "trace",
    "outputdir",
    "fuzz",
    "fuzztime",
    "fuzzminimizetime",
    "list",
    "shuffle",
    "vet",
];

/// The flags that change which packages and files a build takes, passed on to `go list`.
const SELECTING: &[&str] = &["C", "tags", "mod", "modfile"];

/// `go list`'s arguments (after `list`) for the packages a `go build|install|run|test ARGS` builds, with
/// their dependencies; `None` for other go commands.
pub fn list_args(args: &[String]) -> Option<Vec<String>> {
    let (command, rest) = args.split_first()?;
    if !["build", "install", "run", "test"].contains(&command.as_str()) {
        return None;
    }
    let mut list = vec![
        "-e".into(),
        "-deps".into(),
        "-f".into(),
        CGO_PACKAGES.into(),
    ];
    let mut packages: Vec<String> = Vec::new();
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        let Some(flag) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
            let go_file = arg.ends_with(".go");
            // `go run` builds its first package (or its .go files); the rest are the program's.
            if command == "run"
                && packages
                    .last()
                    .is_some_and(|p| !go_file || !p.ends_with(".go"))
            {
                break;
            }
            packages.push(arg.clone());
            continue;
        };
        if flag.is_empty() || !packages.is_empty() {
            // `--`, or `go test ./... -run X`: what follows the packages is not the build's.
            break;
        }
        let (name, inline) = match flag.split_once('=') {
            Some((name, _)) => (name, true),
            None => (flag, false),
        };
        let value = (VALUED.contains(&name) && !inline)
            .then(|| rest.next())
            .flatten();
        if SELECTING.contains(&name) {
            list.push(arg.clone());
            list.extend(value.cloned());
        }
    }
    if packages.is_empty() {
        packages.push(".".into());
    }
    list.extend(packages);
    Some(list)
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
            ("linux/arm64", "GOOS=linux GOARCH=arm64"),
            ("linux/arm/v6", "GOOS=linux GOARCH=arm GOARM=6"),
            (
                "linux/riscv64",
                "GOOS=linux GOARCH=riscv64 GORISCV64=rva20u64",
            ),
            (
                "linux/mips64le",
                "GOOS=linux GOARCH=mips64le GOMIPS64=hardfloat",
            ),
            ("windows/amd64", "GOOS=windows GOARCH=amd64 GOAMD64=v1"),
            ("darwin/arm64", "GOOS=darwin GOARCH=arm64"),
        ];
        for (target, want) in cases {
            assert_eq!(check(target, None, &[]).as_deref(), Ok(want), "{target}");
        }
    }

    #[test]
    fn cross_cgo_is_gos_choice_with_the_c_compiler_named() {
        let c = gcc();
        assert_eq!(
            check("linux/arm64", Some(&c), &[]).unwrap(),
            "GOOS=linux GOARCH=arm64 CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ \
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
            "GOOS=linux GOARCH=arm"
        );
        assert_eq!(
            check("linux/arm64", Some(&c), &[("CGO_ENABLED", "1")]).unwrap(),
            "GOOS=linux GOARCH=arm64 CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ \
             PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig"
        );
        let err = check("linux/arm64", None, &[("CGO_ENABLED", "1")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("CGO_ENABLED=1 but no C compiler for aarch64-linux-gnu: install gcc-aarch64-linux-gnu"), "{err}");
    }

    #[test]
    fn list_args_name_the_built_packages() {
        let check = |args: &str| {
            let args: Vec<String> = args.split(' ').map(String::from).collect();
            list_args(&args).map(|l| l[4..].join(" "))
        };
        assert_eq!(check("build -o /out/app .").as_deref(), Some("."));
        assert_eq!(
            check("build -trimpath -tags=netgo -ldflags -s -C sub ./cmd/a ./cmd/b").as_deref(),
            Some("-tags=netgo -C sub ./cmd/a ./cmd/b")
        );
        assert_eq!(
            check("install --mod vendor").as_deref(),
            Some("--mod vendor .")
        );
        assert_eq!(
            check("run main.go util.go -v x").as_deref(),
            Some("main.go util.go")
        );
        assert_eq!(check("run ./cmd/app arg.go").as_deref(), Some("./cmd/app"));
        assert_eq!(
            check("test -run TestX ./... -count 1").as_deref(),
            Some("./...")
        );
        assert_eq!(check("env GOARCH"), None);
    }
}
