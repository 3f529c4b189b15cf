//! One wrapper call: xx-clang's own options, the links `--setup-target-triple` makes, and the compiler's
//! program, arguments and environment, as a [`Plan`] for the command layer to carry out.

use super::setup::{xx_setup, WRAP_MARKER, WRAP_NAMES};
use super::{toolchain, CcError, Overrides, Toolchain, Wrapper, GUARD};
use crate::core::info::Info;
use crate::core::names::llvm_tools;
use crate::core::plan::{Command, Link, Plan, Probe, Then};
use std::ffi::{OsStr, OsString};

/// What a wrapper call does besides compiling (xx-clang's options).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Compile,
    /// `--config FILE`: the user brings their own clang configuration; run clang untouched.
    Passthrough,
    PrintTargetTriple,
    PrintSysroot,
    PrintCmakeDefines,
    SetupTargetTriple,
    Wrap,
    Unwrap,
}

impl Action {
    /// The first of xx's own options in the arguments, else a plain compile.
    pub fn of(args: &[OsString]) -> Action {
        for arg in args {
            let a = arg.to_str().unwrap_or("");
            let a = a.strip_prefix('-').unwrap_or(a);
            let found = match a {
                "-config" => Action::Passthrough,
                "-print-target-triple" | "print-target-triple" => Action::PrintTargetTriple,
                "-print-sysroot" | "print-sysroot" => Action::PrintSysroot,
                "-print-cmake-defines" | "print-cmake-defines" => Action::PrintCmakeDefines,
                "-setup-target-triple" | "setup-target-triple" => Action::SetupTargetTriple,
                "-wrap" => Action::Wrap,
                "-unwrap" => Action::Unwrap,
                _ => continue,
            };
            return found;
        }
        Action::Compile
    }
}

/// The triple of `--target=T` or `-target T`, if the user gave one.
pub fn target_arg(args: &[OsString]) -> Option<String> {
    let mut next = false;
    for arg in args {
        let a = arg.to_string_lossy();
        if next {
            return Some(a.into_owned());
        }
        if let Some(t) = a.strip_prefix("--target=") {
            return Some(t.to_string());
        }
        next = a == "-target";
    }
    None
}

/// `--config FILE` calls: the build machine's clang with the arguments untouched, no target needed.
pub fn passthrough(wrapper: Wrapper, args: &[OsString], probe: &Probe) -> Result<Plan, CcError> {
    let name = if wrapper.is_cxx() { "clang++" } else { "clang" };
    let clang = (probe.program)(name).ok_or(CcError::NotFound(name.to_string(), "clang"))?;
    Ok(Plan::exec(Command {
        program: clang,
        args: args.to_vec(),
        env: Vec::new(),
    }))
}

/// What the call does for the resolved target. `ov` is read only by the actions that need a toolchain.
/// An xx name (`setup`) first sets up what xx's first call does, print flags included; mab's own names
/// write only for `--setup-target-triple` and `--print-cmake-defines`.
pub fn plan(
    action: Action,
    wrapper: Wrapper,
    info: &Info,
    ov: &dyn Fn() -> Result<Overrides, CcError>,
    args: &[OsString],
    probe: &Probe,
    setup: bool,
) -> Result<Plan, CcError> {
    let tc = || toolchain(info, Some(wrapper), &ov()?, probe);
    let marker = probe.shadow_path(WRAP_MARKER);
    let wrap = |link: fn(String) -> Link, marker: Link| Plan {
        links: WRAP_NAMES
            .iter()
            .map(|n| link(probe.shadow_path(n)))
            .chain([marker])
            .collect(),
        then: Then::Done,
    };
    let mut plan = match action {
        Action::Passthrough => return passthrough(wrapper, args, probe),
        Action::Wrap => {
            return Ok(wrap(
                Link::Own,
                Link::File {
                    path: marker,
                    text: String::new(),
                },
            ))
        }
        Action::Unwrap => return Ok(wrap(Link::Remove, Link::RemoveFile(marker))),
        Action::PrintTargetTriple => Plan::print(vec![info.triple.clone()]),
        // The sysroot needs no toolchain: a print does not fail for want of the target's libraries.
        Action::PrintSysroot => {
            Plan::print(vec![ov()?.sysroot.unwrap_or_else(|| info.sysroot.clone())])
        }
        // An xx name's setup below is the whole of it (macOS and Windows included).
        Action::SetupTargetTriple if setup => Plan {
            links: Vec::new(),
            then: Then::Done,
        },
        // Only the names: xx makes them before any of the target's libraries is installed.
        Action::SetupTargetTriple => {
            super::supported(info)?;
            Plan {
                links: setup_links(&info.triple, info.target.os() == "windows", probe),
                then: Then::Done,
            }
        }
        Action::PrintCmakeDefines => cmake_defines(&tc()?, info.target.os() == "windows", probe),
        Action::Compile => Plan::exec(invocation(&tc()?, wrapper, args)),
    };
    if setup {
        let mut links = xx_setup(info, &ov()?, probe)?;
        links.append(&mut plan.links);
        plan.links = links;
    }
    Ok(plan)
}

/// Whether plain `clang`, `cc`, … (links to mab) build for TARGETPLATFORM: after `--wrap`, until
/// `--unwrap`.
pub fn wrapped(probe: &Probe) -> bool {
    (probe.exists)(&probe.shadow_path(WRAP_MARKER))
}

/// xx's `--setup-target-triple`: `<triple>-clang`, `-clang++`, `-pkg-config` as links to mab, and the
/// binutils-style names (`<triple>-ar`) as links to LLVM's tools, so build systems that take a cross prefix
/// (`CROSS_COMPILE=aarch64-linux-gnu-`) work. A real tool of the name is kept (Debian's pkg-config ships
/// some `<triple>-pkg-config`), and an LLVM name is linked only where that LLVM tool is installed.
/// For a Windows target, `<triple>-windres` too (where llvm-rc is installed and binutils' windres is not).
pub fn setup_links(triple: &str, windows: bool, probe: &Probe) -> Vec<Link> {
    let real = |name: &str| (probe.program)(name).is_some();
    let mut links: Vec<Link> = ["clang", "clang++", "pkg-config"]
        .iter()
        .map(|tool| format!("{triple}-{tool}"))
        .filter(|name| !(name.ends_with("-pkg-config") && real(name)))
        .map(|name| Link::Make(probe.link_path(&name)))
        .collect();
    links.extend(llvm_tools().filter_map(|tool| {
        let name = format!("{triple}-{tool}");
        if real(&name) {
            return None;
        }
        let llvm = (probe.program)(&format!("llvm-{tool}"))?;
        // Beside the LLVM tool, the link names it as xx's does (`llvm-ar`); elsewhere by its path.
        let to = match llvm.rsplit_once('/') {
            Some((dir, file)) if dir == probe.dirs.bin.trim_end_matches('/') => file.to_string(),
            _ => llvm,
        };
        Some(Link::Symlink {
            path: probe.link_path(&name),
            to,
        })
    }));
    let windres = format!("{triple}-windres");
    if windows && !real(&windres) && real("llvm-rc") {
        links.push(Link::Make(probe.link_path(&windres)));
    }
    links
}

/// `--print-cmake-defines`: the `<triple>-` links (made first) as CMake's compilers.
fn cmake_defines(tc: &Toolchain, windows: bool, probe: &Probe) -> Plan {
    let t = &tc.triple;
    let bin = |name: &str| probe.link_path(&format!("{t}-{name}"));
    // The links keep a real <triple>-pkg-config where one exists.
    let pkg_config =
        (probe.program)(&format!("{t}-pkg-config")).unwrap_or_else(|| bin("pkg-config"));
    Plan {
        links: setup_links(t, windows, probe),
        then: Then::Print(vec![format!(
            "-DCMAKE_C_COMPILER={} -DCMAKE_CXX_COMPILER={} -DCMAKE_ASM_COMPILER={} \
             -DPKG_CONFIG_EXECUTABLE={} -DCMAKE_C_COMPILER_TARGET={t} \
             -DCMAKE_CXX_COMPILER_TARGET={t} -DCMAKE_ASM_COMPILER_TARGET={t}",
            bin("clang"),
            bin("clang++"),
            bin("clang"),
            pkg_config,
        )]),
    }
}

/// Whether the call links: not with -c, -S, -E, -fsyntax-only or dependency-only -M/-MM, where clang
/// would warn that link flags are unused (and break -Werror builds).
pub fn links(args: &[OsString]) -> bool {
    let no_link = ["-c", "-S", "-E", "-M", "-MM", "-fsyntax-only"].map(OsStr::new);
    !args.iter().any(|a| no_link.contains(&a.as_os_str()))
}

/// The program, arguments and environment of one compiler call: the toolchain's flags first, so the
/// user's own (a later `-fuse-ld=`) win.
pub fn invocation(tc: &Toolchain, wrapper: Wrapper, args: &[OsString]) -> Command {
    let program = if wrapper.is_cxx() { &tc.cxx } else { &tc.cc };
    let user_target = target_arg(args).is_some();
    let mut out: Vec<OsString> = tc
        .compile_flags
        .iter()
        .filter(|f| !(user_target && f.starts_with("--target=")))
        .map(OsString::from)
        .collect();
    if wrapper.is_cxx() {
        out.extend(tc.cxx_flags.iter().map(OsString::from));
    }
    if links(args) {
        out.extend(tc.link_flags.iter().map(OsString::from));
    }
    out.extend(args.iter().cloned());
    Command {
        program: program.clone(),
        args: out,
        env: vec![(GUARD.to_string(), "1".to_string())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::cc::toolchain::tests::plan as toolchain_for;

    fn args(s: &[&str]) -> Vec<OsString> {
        s.iter().map(OsString::from).collect()
    }

    #[test]
    fn compile_only_calls_get_no_link_flags() {
        let tc = toolchain_for("linux/arm64", Wrapper::Clang, Overrides::default()).unwrap();
        let c = invocation(&tc, Wrapper::Clang, &args(&["-c", "x.c"]));
        assert_eq!(c.args, args(&["--target=aarch64-linux-gnu", "-c", "x.c"]));
        assert_eq!(c.env, vec![(GUARD.to_string(), "1".to_string())]);
        let c = invocation(
            &tc,
            Wrapper::Clang,
            &args(&["--target=aarch64-linux-gnu", "x.c"]),
        );
        assert_eq!(c.program, "/usr/bin/clang");
        assert_eq!(
            c.args,
            args(&[
                "-fuse-ld=lld",
                "--rtlib=libgcc",
                "--target=aarch64-linux-gnu",
                "x.c"
            ])
        );
    }

    #[test]
    fn actions() {
        assert_eq!(Action::of(&args(&["-c", "x.c"])), Action::Compile);
        assert_eq!(
            Action::of(&args(&["--print-target-triple", "--config", "f"])),
            Action::PrintTargetTriple
        );
        assert_eq!(Action::of(&args(&["--config", "f"])), Action::Passthrough);
        assert_eq!(Action::of(&args(&["-print-sysroot"])), Action::PrintSysroot);
    }

    /// Only what needs links makes them: printing the triple or the sysroot writes nothing.
    #[test]
    fn links_are_planned_only_where_xx_makes_them() {
        let program = |name: &str| {
            (name.starts_with("llvm-") || name == "clang" || name == "ld.lld")
                .then(|| format!("/usr/bin/{name}"))
        };
        let exists = |_: &str| true;
        let probe = Probe::fake(&program, &exists, "/b");
        let info = crate::core::cc::toolchain::tests::info("linux/arm64");
        let ov = || Ok(Overrides::default());
        let plan_of = |a: &[&str]| {
            plan(
                Action::of(&args(a)),
                Wrapper::Clang,
                &info,
                &ov,
                &args(a),
                &probe,
                false,
            )
            .unwrap()
        };
        assert!(plan_of(&["--print-target-triple"]).links.is_empty());
        assert!(plan_of(&["--print-sysroot"]).links.is_empty());
        assert!(plan_of(&["-c", "x.c"]).links.is_empty());
        let setup = plan_of(&["--setup-target-triple"]).links;
        assert!(
            setup.contains(&Link::Make("/b/aarch64-linux-gnu-clang".into())),
            "{setup:?}"
        );
        assert!(
            setup.contains(&Link::Symlink {
                path: "/b/aarch64-linux-gnu-ar".into(),
                to: "/usr/bin/llvm-ar".into()
            }),
            "{setup:?}"
        );
        assert_eq!(plan_of(&["--print-cmake-defines"]).links, setup);
        assert_eq!(plan_of(&["--wrap"]).links[0], Link::Own("/b/clang".into()));
        assert_eq!(
            plan_of(&["--wrap"]).links[4],
            Link::File {
                path: "/b/.mab-cc-wrap".into(),
                text: String::new()
            }
        );
        assert_eq!(
            plan_of(&["--unwrap"]).links[3],
            Link::Remove("/b/c++".into())
        );
    }
}
