//! Secondary roots for a foreign architecture: how `mab apk` and `mab dnf` install into `/<triple>`.

use super::{expand_meta, CommandLine, Word};
use crate::core::table::Family;

/// A secondary root for a foreign architecture (Alpine's and Fedora's way of installing target packages),
/// at `/<triple>` as xx puts it, so xx's compilers and `mab info sysroot` find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRoot {
    /// `/<triple>`.
    pub root: String,
    /// The package manager's name for the target architecture.
    pub arch: String,
}

impl TargetRoot {
    pub fn new(triple: &str, arch: &str) -> TargetRoot {
        TargetRoot {
            root: format!("/{triple}"),
            arch: arch.to_string(),
        }
    }

    /// Marks a root whose setup finished (the name xx uses, so roots made by either are shared).
    pub fn done_file(&self) -> String {
        format!("{}/.xx-setup", self.root)
    }

    pub fn path(&self, rel: &str) -> String {
        format!("{}/{rel}", self.root)
    }
}

/// One setup step of a target root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupStep {
    MakeDir(String),
    /// Copy a file, or every file of a directory, from the build root. Missing sources are skipped unless
    /// `required`.
    Copy {
        from: String,
        to: String,
        required: bool,
    },
    WriteFile(String, String),
    Run(Vec<String>),
}

/// How `mab apk` prepares `/<triple>`: apk's config with the build root's repositories, the signing keys
/// for the target architecture (alpine-keys ships every architecture's under /usr/share/apk/keys/<arch>,
/// while /etc/apk/keys only holds the build architecture's), the arch file, and an initialised database.
pub fn apk_setup(root: &TargetRoot) -> Vec<SetupStep> {
    let keys = root.path("etc/apk/keys");
    vec![
        SetupStep::MakeDir(keys.clone()),
        SetupStep::Copy {
            from: "/etc/apk/repositories".into(),
            to: root.path("etc/apk/repositories"),
            required: true,
        },
        SetupStep::Copy {
            from: "/etc/apk/keys".into(),
            to: keys.clone(),
            required: false,
        },
        SetupStep::Copy {
            from: format!("/usr/share/apk/keys/{}", root.arch),
            to: keys,
            required: true,
        },
        SetupStep::WriteFile(root.path("etc/apk/arch"), format!("{}\n", root.arch)),
        SetupStep::Run(
            [
                "apk",
                "add",
                "--root",
                &root.root,
                "--arch",
                &root.arch,
                "--initdb",
                "--no-scripts",
                "alpine-keys",
            ]
            .map(String::from)
            .to_vec(),
        ),
    ]
}

/// `apk`'s argv after the program name. Cross: into the target root, and without package scripts, which
/// are the target's programs and cannot run here (headers and libraries need none).
pub fn apk_args(root: Option<&TargetRoot>, line: &CommandLine) -> Vec<String> {
    let line = expand_meta(Family::Alpine, line, &mut |_| true);
    let mut args = Vec::new();
    if let Some(r) = root {
        args.extend(["--root", &r.root, "--arch", &r.arch, "--no-scripts"].map(String::from));
    }
    args.extend(line.words.into_iter().map(|w| match w {
        Word::Keep(k) | Word::Package(k) => k,
    }));
    args
}

/// How `mab dnf` prepares `/<triple>`: the build root's repositories and their signing keys, which dnf
/// reads inside the install root.
pub fn dnf_setup(root: &TargetRoot) -> Vec<SetupStep> {
    ["etc/yum.repos.d", "etc/pki/rpm-gpg"]
        .iter()
        .flat_map(|dir| {
            [
                SetupStep::MakeDir(root.path(dir)),
                SetupStep::Copy {
                    from: format!("/{dir}"),
                    to: root.path(dir),
                    required: *dir == "etc/yum.repos.d",
                },
            ]
        })
        .collect()
}

/// `dnf`'s argv after the program name. Cross: into the target root for the target architecture, at the
/// build system's release, without scriptlets (target programs).
pub fn dnf_args(
    root: Option<&TargetRoot>,
    release: Option<&str>,
    line: &CommandLine,
) -> Vec<String> {
    let line = expand_meta(Family::Rhel, line, &mut |_| true);
    let mut args = Vec::new();
    if let Some(r) = root {
        args.extend(["--installroot", &r.root, "--forcearch", &r.arch].map(String::from));
        if let Some(release) = release {
            args.push(format!("--releasever={release}"));
        }
        args.push("--setopt=tsflags=noscripts".to_string());
    }
    args.extend(line.words.into_iter().map(|w| match w {
        Word::Keep(k) | Word::Package(k) => k,
    }));
    args
}

/// Directories of a target root whose programs are foreign: removed after an install so nothing (a
/// `find_program` with CMAKE_FIND_ROOT_PATH, a `*-config` script lookup) picks up a binary that cannot
/// run here.
pub const FOREIGN_BIN_DIRS: &[&str] = &["usr/bin", "usr/sbin", "bin", "sbin"];

/// Whether a command installs into the root (and so may bring foreign binaries).
pub fn installs(line: &CommandLine) -> bool {
    matches!(
        line.action.as_deref(),
        Some("add" | "install" | "reinstall" | "upgrade")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::packages::parse;
    use crate::core::table::Family;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    // apk and dnf cannot run on this Debian machine: these tests check the planned commands only.

    #[test]
    fn apk_plans_a_secondary_root() {
        let root = TargetRoot::new("aarch64-alpine-linux-musl", "aarch64");
        let line = parse(
            Family::Alpine,
            &words("add --no-cache xx-c-essentials zlib-dev"),
        )
        .unwrap();
        assert_eq!(
            apk_args(Some(&root), &line).join(" "),
            "--root /aarch64-alpine-linux-musl --arch aarch64 --no-scripts add --no-cache musl-dev gcc zlib-dev"
        );
        assert!(installs(&line));
        // Native: apk as written, meta-packages expanded.
        let line = parse(Family::Alpine, &words("add xx-cxx-essentials")).unwrap();
        assert_eq!(apk_args(None, &line).join(" "), "add g++");
        let steps = apk_setup(&root);
        assert_eq!(
            steps[0],
            SetupStep::MakeDir("/aarch64-alpine-linux-musl/etc/apk/keys".into())
        );
        assert!(steps.contains(&SetupStep::Copy {
            from: "/usr/share/apk/keys/aarch64".into(),
            to: "/aarch64-alpine-linux-musl/etc/apk/keys".into(),
            required: true
        }));
        assert!(steps.contains(&SetupStep::WriteFile(
            "/aarch64-alpine-linux-musl/etc/apk/arch".into(),
            "aarch64\n".into()
        )));
        assert_eq!(
            steps.last(),
            Some(&SetupStep::Run(words(
                "apk add --root /aarch64-alpine-linux-musl --arch aarch64 --initdb --no-scripts alpine-keys"
            )))
        );
        assert_eq!(root.done_file(), "/aarch64-alpine-linux-musl/.xx-setup");
    }

    #[test]
    fn dnf_plans_an_install_root() {
        let root = TargetRoot::new("aarch64-linux-gnu", "aarch64");
        let line = parse(
            Family::Rhel,
            &words("install -y xx-c-essentials zlib-devel"),
        )
        .unwrap();
        assert_eq!(
            dnf_args(Some(&root), Some("40"), &line).join(" "),
            "--installroot /aarch64-linux-gnu --forcearch aarch64 --releasever=40 --setopt=tsflags=noscripts \
             install -y glibc-devel gcc zlib-devel"
        );
        let line = parse(Family::Rhel, &words("install xx-cxx-essentials")).unwrap();
        assert_eq!(
            dnf_args(None, Some("40"), &line).join(" "),
            "install libstdc++-devel gcc-c++"
        );
        assert_eq!(
            dnf_setup(&root)[..2],
            [
                SetupStep::MakeDir("/aarch64-linux-gnu/etc/yum.repos.d".into()),
                SetupStep::Copy {
                    from: "/etc/yum.repos.d".into(),
                    to: "/aarch64-linux-gnu/etc/yum.repos.d".into(),
                    required: true
                },
            ]
        );
    }
}
