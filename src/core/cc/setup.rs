//! What an xx name (`xx-clang`, `xx-cc`, …) sets up on its first call, as xx does: the `<triple>-` links,
//! xx's clang config file `<triple>.cfg` (clang 16+ reads it by itself for `--target=<triple>`; `clang
//! --config` users read it), `xx-default.cfg` for the build machine's own triple, and the plain `clang`
//! and `clang++` links before the real ones on PATH, which build for a `--target=` they are given (and for
//! TARGETPLATFORM once `--wrap`ped). An entry that is already right costs a look (a stat, or reading the small
//! config file); `cmd::exec` makes the rest so that any number of first calls at once all succeed. Nothing
//! here needs the target's libraries: a print never fails for want of them.

use super::{setup_links, CcError, Overrides};
use crate::core::info::Info;
use crate::core::plan::{Link, Probe};
use crate::core::table::Linker;

/// The file whose presence makes plain `clang` and `cc` build for TARGETPLATFORM (`--wrap`).
pub const WRAP_MARKER: &str = ".mab-cc-wrap";

/// Names `--wrap` puts on PATH so plain `clang` and `cc` build for the target.
pub const WRAP_NAMES: &[&str] = &["clang", "clang++", "cc", "c++"];

/// The setup for `info`'s target. Fails, as xx does, when clang or every linker is missing.
pub fn xx_setup(info: &Info, ov: &Overrides, probe: &Probe) -> Result<Vec<Link>, CcError> {
    let t = &info.triple;
    let clang = (probe.program)("clang").ok_or(CcError::NotFound("clang".into(), "clang"))?;
    let mut links = Vec::new();
    let linker = linker(info, ov, probe, &mut links)?;
    let cfg = probe.link_path(&format!("{t}.cfg"));
    links.push(Link::File {
        path: cfg.clone(),
        text: format!("{}\n", config(info, &linker)),
    });
    if probe.dirs.clang_dir_links {
        if let Some(dir) = (probe.real_dir)(&clang) {
            let beside_clang = format!("{dir}/{t}.cfg");
            if beside_clang != cfg {
                links.push(Link::Symlink {
                    path: beside_clang,
                    to: cfg,
                });
            }
        }
    }
    if !info.is_cross() {
        links.push(Link::File {
            path: format!("{}/xx-default.cfg", probe.dirs.etc_llvm),
            text: format!("-fuse-ld={linker}\n"),
        });
    }
    links.extend(setup_links(t, info.target.os() == "windows", probe));
    links.extend(
        ["clang", "clang++"]
            .iter()
            .map(|n| Link::Make(probe.shadow_path(n))),
    );
    Ok(links)
}

/// The text of `<triple>.cfg`, as xx writes it: the target (riscv64gc spelled as clang knows it), the
/// linker, and what the target's OS needs beyond that.
fn config(info: &Info, linker: &str) -> String {
    let t = &info.triple;
    let target = match t.strip_prefix("riscv64gc-") {
        Some(rest) => format!("riscv64-{rest}"),
        None => t.clone(),
    };
    let mut config = format!("--target={target} -fuse-ld={linker}");
    if !info.is_cross() {
        return config;
    }
    let root = info.sysroot.trim_end_matches('/');
    match info.target.os() {
        "darwin" => config.push_str(&format!(" -isysroot {root} -stdlib=libc++")),
        "windows" => config.push_str(&format!(" -I/usr/{t}/include -L/usr/{t}/lib")),
        _ if info.sysroot != "/" => {
            config.push_str(&format!(" --sysroot={}", info.sysroot));
            if linker != "lld" {
                config.push_str(&format!(" -Wl,-rpath-link,{root}/usr/lib"));
            }
        }
        _ => {}
    }
    config
}

/// What `-fuse-ld=` names, in xx's order: lld where the table and the user allow it, else the target's GNU
/// ld (for a native build, plain `ld` linked as `<triple>-ld`), else lld after all. macOS: ld64.
fn linker(
    info: &Info,
    ov: &Overrides,
    probe: &Probe,
    links: &mut Vec<Link>,
) -> Result<String, CcError> {
    let t = &info.triple;
    if info.target.os() == "darwin" {
        return Ok((probe.program)("ld64.signed").unwrap_or_else(|| "ld64".to_string()));
    }
    let row = info.target.row.cc.as_ref();
    let bfd = ov.linker == Some(Linker::Bfd)
        || row
            .is_some_and(|r| r.linker == Linker::Bfd || (ov.prefer_static && r.static_linker_bfd));
    let lld = (probe.program)("ld.lld").is_some();
    if lld && !bfd {
        return Ok("lld".to_string());
    }
    if let Some(ld) = (probe.program)(&format!("{t}-ld")) {
        return Ok(ld);
    }
    if !info.is_cross() {
        if let Some(ld) = (probe.program)("ld") {
            let path = probe.link_path(&format!("{t}-ld"));
            links.push(Link::Symlink {
                path: path.clone(),
                to: ld,
            });
            return Ok(path);
        }
    }
    if lld {
        return Ok("lld".to_string());
    }
    Err(CcError::Missing {
        what: format!("a linker (ld.lld, or GNU ld as {t}-ld)"),
        target: info.target.to_string(),
        package: "lld".to_string(),
        note: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::toolenv::test_info;

    fn cfg_text(links: &[Link], name: &str) -> String {
        links
            .iter()
            .find_map(|l| match l {
                Link::File { path, text } if path.ends_with(name) => Some(text.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no {name} in {links:?}"))
    }

    fn setup(platform: &str, installed: &[&str], ov: Overrides) -> Result<Vec<Link>, CcError> {
        let program = |name: &str| {
            installed
                .contains(&name)
                .then(|| format!("/usr/bin/{name}"))
        };
        let exists = |_: &str| false;
        let probe = Probe::fake(&program, &exists, "/b");
        setup_for(&test_info(platform, "debian", &|_| None), &probe, ov)
    }

    fn setup_for(info: &Info, probe: &Probe, ov: Overrides) -> Result<Vec<Link>, CcError> {
        xx_setup(info, &ov, probe)
    }

    #[test]
    fn config_files_say_target_and_linker() {
        let base = ["clang", "ld.lld", "llvm-ar"];
        let links = setup("linux/arm64", &base, Overrides::default()).unwrap();
        assert_eq!(
            cfg_text(&links, "/b/aarch64-linux-gnu.cfg"),
            "--target=aarch64-linux-gnu -fuse-ld=lld\n"
        );
        assert!(links.contains(&Link::Make("/b/aarch64-linux-gnu-clang".into())));
        assert!(links.contains(&Link::Make("/b/clang++".into())));
        // Native: the default config too.
        let links = setup("linux/amd64", &base, Overrides::default()).unwrap();
        assert_eq!(cfg_text(&links, "/b/xx-default.cfg"), "-fuse-ld=lld\n");
        // GNU ld where the table wants it, and for static builds where xx prefers it.
        let with_ld = [
            "clang",
            "ld.lld",
            "riscv64-linux-gnu-ld",
            "powerpc64le-linux-gnu-ld",
        ];
        let links = setup("linux/riscv64", &with_ld, Overrides::default()).unwrap();
        assert_eq!(
            cfg_text(&links, ".cfg"),
            "--target=riscv64-linux-gnu -fuse-ld=/usr/bin/riscv64-linux-gnu-ld\n"
        );
        let stat = Overrides {
            prefer_static: true,
            ..Default::default()
        };
        let links = setup("linux/ppc64le", &with_ld, stat).unwrap();
        assert!(cfg_text(&links, ".cfg").contains("-fuse-ld=/usr/bin/powerpc64le-linux-gnu-ld"));
        let links = setup("linux/ppc64le", &with_ld, Overrides::default()).unwrap();
        assert!(cfg_text(&links, ".cfg").contains("-fuse-ld=lld"));
        // Windows and macOS: their include dirs and SDK.
        let links = setup("windows/amd64", &base, Overrides::default()).unwrap();
        assert_eq!(
            cfg_text(&links, ".cfg"),
            "--target=x86_64-w64-mingw32 -fuse-ld=lld -I/usr/x86_64-w64-mingw32/include -L/usr/x86_64-w64-mingw32/lib\n"
        );
        let links = setup("darwin/arm64", &base, Overrides::default()).unwrap();
        assert_eq!(
            cfg_text(&links, ".cfg"),
            "--target=arm64-apple-macos11.0 -fuse-ld=ld64 -isysroot /xx-sdk/MacOSX11.1.sdk -stdlib=libc++\n"
        );
    }

    #[test]
    fn clang_and_a_linker_are_needed() {
        let err = setup("linux/arm64", &["ld.lld"], Overrides::default()).unwrap_err();
        assert_eq!(err.to_string(), "clang not found: apt-get install clang");
        let err = setup("linux/arm64", &["clang"], Overrides::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a linker (ld.lld, or GNU ld as aarch64-linux-gnu-ld) not found"),
            "{err}"
        );
        // A native build falls back to plain ld, linked under the triple's name.
        let links = setup("linux/amd64", &["clang", "ld"], Overrides::default()).unwrap();
        assert!(links.contains(&Link::Symlink {
            path: "/b/x86_64-linux-gnu-ld".into(),
            to: "/usr/bin/ld".into()
        }));
        assert_eq!(
            cfg_text(&links, "xx-default.cfg"),
            "-fuse-ld=/b/x86_64-linux-gnu-ld\n"
        );
    }
}
