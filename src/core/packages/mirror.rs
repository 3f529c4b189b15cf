//! Sources changes for distros whose main mirror carries only some architectures (Ubuntu's ports).

use super::Sources;
use crate::core::table::MIRRORS;

/// The sources changes a cross install needs on a distro whose main mirror lacks the target architecture
/// (Ubuntu: amd64 and i386 on the archive, every other architecture on ports): existing entries for that
/// mirror are pinned to the native architecture (else apt-get update asks the archive for the target's
/// lists and fails), and a new file points the target at the ports mirror with the same suites,
/// components and keys. Nothing when the distro has no such split, the target is on the same mirror as
/// the build machine, or the file was added before. Returns the files to write.
pub fn mirror_fixes(distro: &str, sources: &Sources, native: &str, arch: &str) -> Sources {
    let mut fixes = Sources::new();
    let Some(mirror) = MIRRORS.iter().find(|m| m.distro == distro) else {
        return fixes;
    };
    let on_archive = |a: &str| mirror.archive_arches.contains(&a);
    if on_archive(native) == on_archive(arch) || !on_archive(native) {
        return fixes;
    }
    let is_archive = |uri: &str| {
        let host = uri
            .split("://")
            .nth(1)
            .unwrap_or(uri)
            .split('/')
            .next()
            .unwrap_or("");
        mirror
            .archive_hosts
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")))
    };
    let mut deb822 = false;
    let mut ported = Vec::new();
    for (path, content) in sources {
        let text = String::from_utf8_lossy(content);
        let fixed = if path.ends_with(".sources") {
            deb822 = true;
            pin_deb822(
                &text,
                native,
                &is_archive,
                &mut ported,
                arch,
                mirror.ports_uri,
            )
        } else if path.ends_with(".list") {
            pin_one_line(
                &text,
                native,
                &is_archive,
                &mut ported,
                arch,
                mirror.ports_uri,
            )
        } else {
            continue;
        };
        if fixed != text {
            fixes.insert(path.clone(), fixed.into_bytes());
        }
    }
    let dir = "/etc/apt/sources.list.d";
    let new = if deb822 {
        format!("{dir}/mab-{arch}.sources")
    } else {
        format!("{dir}/mab-{arch}.list")
    };
    if ported.is_empty() || sources.contains_key(&new) {
        return Sources::new();
    }
    ported.dedup();
    let separator = if deb822 { "\n" } else { "" };
    fixes.insert(new, ported.join(separator).into_bytes());
    fixes
}

/// xx-apt's `--fix-source-file FILE ARCH`: every entry of one sources file that names no architecture is
/// restricted to `arch` (a `.sources` file is deb822, anything else one-line). Running it twice changes
/// nothing more.
pub fn pin_sources_file(path: &str, text: &str, arch: &str) -> String {
    let every = |_: &str| true;
    let mut unused = Vec::new();
    if path.ends_with(".sources") {
        pin_deb822(text, arch, &every, &mut unused, arch, "")
    } else {
        pin_one_line(text, arch, &every, &mut unused, arch, "")
    }
}

/// deb822 stanzas: `Architectures: <native>` added to archive stanzas that name none; a stanza for the
/// target on the ports mirror pushed to `ported` for each.
fn pin_deb822(
    text: &str,
    native: &str,
    is_archive: &dyn Fn(&str) -> bool,
    ported: &mut Vec<String>,
    arch: &str,
    ports_uri: &str,
) -> String {
    let mut out = String::new();
    for (i, stanza) in text.split("\n\n").enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(':').map(str::trim))
        };
        let archive = field("URIs").is_some_and(|u| u.split_whitespace().any(is_archive));
        let binary = field("Types").is_some_and(|t| t.split_whitespace().any(|t| t == "deb"));
        let enabled = field("Enabled") != Some("no");
        if !archive || field("Architectures").is_some() {
            out.push_str(stanza);
            continue;
        }
        for line in stanza.split_inclusive('\n') {
            out.push_str(line);
            if line.starts_with("Types:") {
                if !line.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&format!("Architectures: {native}"));
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
        }
        if binary && enabled {
            let mut new = format!("Types: deb\nArchitectures: {arch}\nURIs: {ports_uri}\n");
            for name in ["Suites", "Components", "Signed-By"] {
                if let Some(value) = field(name).filter(|v| !v.is_empty()) {
                    new.push_str(&format!("{name}: {value}\n"));
                }
            }
            ported.push(new);
        }
    }
    out
}

/// One-line sources: `arch=<native>` added to archive lines that name none (inside their `[...]` options
/// when they have some, where apt expects every option); a `deb` line for the target on ports pushed to
/// `ported` for each.
fn pin_one_line(
    text: &str,
    native: &str,
    is_archive: &dyn Fn(&str) -> bool,
    ported: &mut Vec<String>,
    arch: &str,
    ports_uri: &str,
) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let (comment, rest) = match body.strip_prefix('#') {
            Some(r) => ("# ", r.trim_start()),
            None => ("", body),
        };
        let Some((kind, after)) = rest
            .split_once(' ')
            .filter(|(k, _)| *k == "deb" || *k == "deb-src")
        else {
            out.push_str(line);
            continue;
        };
        let after = after.trim_start();
        let (options, entry) = match after.strip_prefix('[').and_then(|a| a.split_once(']')) {
            Some((o, e)) => (o.trim(), e.trim_start()),
            None => ("", after),
        };
        let uri = entry.split_whitespace().next().unwrap_or("");
        if !is_archive(uri) || options.split_whitespace().any(|o| o.starts_with("arch=")) {
            out.push_str(line);
            continue;
        }
        let with = |a: &str| {
            if options.is_empty() {
                format!("[arch={a}]")
            } else {
                format!("[arch={a} {options}]")
            }
        };
        out.push_str(&format!("{comment}{kind} {} {entry}", with(native)));
        if line.ends_with('\n') {
            out.push('\n');
        }
        if kind == "deb" && comment.is_empty() {
            let rest: Vec<&str> = entry.split_whitespace().skip(1).collect();
            ported.push(format!(
                "deb {} {ports_uri} {}\n",
                with(arch),
                rest.join(" ")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ubuntu_targets_on_ports_get_their_mirror() {
        let deb822 = "Types: deb deb-src\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble noble-updates\n\
                      Components: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n\n\
                      Types: deb\nURIs: http://security.ubuntu.com/ubuntu/\nSuites: noble-security\n\
                      Components: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n\n\
                      Types: deb\nURIs: http://ppa.example/x\nSuites: noble\nComponents: main\n";
        let path = "/etc/apt/sources.list.d/ubuntu.sources".to_string();
        let sources: Sources = [(path.clone(), deb822.as_bytes().to_vec())].into();
        let fixes = mirror_fixes("ubuntu", &sources, "amd64", "arm64");
        assert_eq!(
            String::from_utf8_lossy(&fixes[&path]),
            "Types: deb deb-src\nArchitectures: amd64\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: noble noble-updates\n\
             Components: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n\n\
             Types: deb\nArchitectures: amd64\nURIs: http://security.ubuntu.com/ubuntu/\nSuites: noble-security\n\
             Components: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n\n\
             Types: deb\nURIs: http://ppa.example/x\nSuites: noble\nComponents: main\n"
        );
        assert_eq!(
            String::from_utf8_lossy(&fixes["/etc/apt/sources.list.d/mab-arm64.sources"]),
            "Types: deb\nArchitectures: arm64\nURIs: http://ports.ubuntu.com/ubuntu-ports/\nSuites: noble noble-updates\n\
             Components: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n\n\
             Types: deb\nArchitectures: arm64\nURIs: http://ports.ubuntu.com/ubuntu-ports/\nSuites: noble-security\n\
             Components: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n"
        );
        // Running again after the fix changes nothing more.
        let mut after = sources.clone();
        after.extend(fixes);
        assert!(mirror_fixes("ubuntu", &after, "amd64", "arm64").is_empty());

        let list = "deb http://us.archive.ubuntu.com/ubuntu/ jammy main universe\n\
                    deb-src http://archive.ubuntu.com/ubuntu/ jammy main\n\
                    # deb http://archive.ubuntu.com/ubuntu/ jammy-backports main\n\
                    deb [signed-by=/k.gpg] http://security.ubuntu.com/ubuntu/ jammy-security main\n\
                    deb [arch=riscv64] http://ports.ubuntu.com/ubuntu-ports/ jammy main\n";
        let sources: Sources = [(
            "/etc/apt/sources.list".to_string(),
            list.as_bytes().to_vec(),
        )]
        .into();
        let fixes = mirror_fixes("ubuntu", &sources, "amd64", "armhf");
        assert_eq!(
            String::from_utf8_lossy(&fixes["/etc/apt/sources.list"]),
            "deb [arch=amd64] http://us.archive.ubuntu.com/ubuntu/ jammy main universe\n\
             deb-src [arch=amd64] http://archive.ubuntu.com/ubuntu/ jammy main\n\
             # deb [arch=amd64] http://archive.ubuntu.com/ubuntu/ jammy-backports main\n\
             deb [arch=amd64 signed-by=/k.gpg] http://security.ubuntu.com/ubuntu/ jammy-security main\n\
             deb [arch=riscv64] http://ports.ubuntu.com/ubuntu-ports/ jammy main\n"
        );
        assert_eq!(
            String::from_utf8_lossy(&fixes["/etc/apt/sources.list.d/mab-armhf.list"]),
            "deb [arch=armhf] http://ports.ubuntu.com/ubuntu-ports/ jammy main universe\n\
             deb [arch=armhf signed-by=/k.gpg] http://ports.ubuntu.com/ubuntu-ports/ jammy-security main\n"
        );
        // Same mirror (i386 on amd64), or Debian: nothing to do.
        assert!(mirror_fixes("ubuntu", &sources, "amd64", "i386").is_empty());
        assert!(mirror_fixes("debian", &sources, "amd64", "arm64").is_empty());
    }

    #[test]
    fn one_file_pinned_to_one_architecture() {
        let deb822 = "Types: deb\nURIs: http://deb.example/debian\nSuites: trixie\n\n\
                      Types: deb\nArchitectures: riscv64\nURIs: http://ports.example/\nSuites: sid\n";
        let pinned = pin_sources_file("/tmp/x.sources", deb822, "s390x");
        assert_eq!(
            pinned,
            "Types: deb\nArchitectures: s390x\nURIs: http://deb.example/debian\nSuites: trixie\n\n\
             Types: deb\nArchitectures: riscv64\nURIs: http://ports.example/\nSuites: sid\n"
        );
        assert_eq!(pin_sources_file("/tmp/x.sources", &pinned, "s390x"), pinned);
        let list = "deb http://deb.example/debian trixie main\n# deb-src http://deb.example/debian trixie main\n";
        let pinned = pin_sources_file("/tmp/list", list, "armel");
        assert_eq!(
            pinned,
            "deb [arch=armel] http://deb.example/debian trixie main\n\
             # deb-src [arch=armel] http://deb.example/debian trixie main\n"
        );
        assert_eq!(pin_sources_file("/tmp/list", &pinned, "armel"), pinned);
    }
}
