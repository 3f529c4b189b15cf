//! Reads what the core needs to resolve a target: Docker's build arguments, xx's override variables and
//! the build distro. Shared by every command that targets a platform.

use crate::core::info::{check_override, check_token, override_vars};
use crate::core::os_release::OsRelease;
use crate::core::platform::Platform;
use crate::core::resolve::{build_platform, target_platform};
use crate::core::{Flavour, Info};
use anyhow::{Context, Result};

/// An environment variable, with empty meaning unset (as an `ARG` without a value in a Dockerfile).
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// /etc/os-release, or the file `MAB_OS_RELEASE` names. A missing /etc/os-release means an unknown distro
/// (a scratch-based stage has none); a file named in MAB_OS_RELEASE that cannot be read is an error, not
/// another distro's answers.
pub fn os_release() -> Result<OsRelease> {
    let Some(path) = var("MAB_OS_RELEASE") else {
        return Ok(std::fs::read_to_string("/etc/os-release")
            .map(|t| OsRelease::parse(&t))
            .unwrap_or_default());
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("MAB_OS_RELEASE: cannot read {path}"))?;
    Ok(OsRelease::parse(&text))
}

/// The first macOS SDK under /xx-sdk, where xx's images put it.
pub fn macos_sdk() -> Option<String> {
    let mut sdks: Vec<String> = std::fs::read_dir("/xx-sdk")
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("MacOSX") && n.ends_with(".sdk"))
        .collect();
    sdks.sort();
    sdks.first().map(|n| format!("/xx-sdk/{n}"))
}

/// Resolves the target strictly: every input is validated, and a bad one is an error that says which.
/// `platform` (a `--platform` flag) wins over the environment.
pub fn resolve(platform: Option<&str>) -> Result<Info> {
    for name in override_vars() {
        if let Some(value) = var(name) {
            check_override(name, &value)?;
        }
    }
    let host =
        Platform::host().context("mab does not know this machine's platform; set BUILDPLATFORM")?;
    let build = build_platform(&var, host).context("BUILDPLATFORM")?;
    let target = match platform {
        Some(p) => Platform::parse(p, build).context("--platform")?,
        None => target_platform(&var, build).with_context(|| {
            let alone = ["TARGETPLATFORM", "TARGETPAIR", "TARGETOS", "TARGETARCH"]
                .iter()
                .all(|v| var(v).is_none());
            match var("TARGETVARIANT").filter(|_| alone) {
                Some(v) => format!(
                    "TARGETVARIANT {v:?} without TARGETARCH is a variant of the build machine's \
                     architecture, {}/{} (set TARGETARCH too)",
                    build.os(),
                    build.arch()
                ),
                None => "target platform (TARGETPLATFORM, TARGETPAIR or \
                         TARGETOS/TARGETARCH/TARGETVARIANT)"
                    .to_string(),
            }
        })?,
    };
    let release = os_release()?;
    // VERSION_CODENAME is not checked: it is only compared with the table's codenames (and shown quoted).
    for (key, value) in [("ID", &release.id), ("VERSION_ID", &release.version_id)] {
        if let Some(value) = value {
            check_token(key, value).with_context(|| match var("MAB_OS_RELEASE") {
                Some(path) => format!("{path} (named by MAB_OS_RELEASE)"),
                None => "/etc/os-release (set MAB_OS_RELEASE to read another file, or XX_VENDOR)"
                    .to_string(),
            })?;
        }
    }
    let flavour = Flavour::new(target.os(), &release, &var);
    let sdk = if target.os() == "darwin" {
        macos_sdk()
    } else {
        None
    };
    Ok(Info::new(target, build, flavour, &var, sdk.as_deref()))
}

/// Warns when this build step's own programs are for another architecture than the build machine, so
/// every tool it runs (compilers included) is emulated. mab itself may run natively there (a static
/// build-machine mab copied into the stage); the stage's /bin/sh tells what the stage is. The usual
/// cause is an engine that leaves `FROM --platform=$BUILDPLATFORM` empty, as podman 4.3 / buildah 1.28
/// do, so the stage takes the target's image.
pub fn warn_if_emulated(info: &Info) {
    let Ok(found) = super::headers::read_headers(std::path::Path::new("/bin/sh")) else {
        return;
    };
    let stage = crate::core::binary::platforms(&found);
    if stage.is_empty() || crate::core::binary::runs_on_build_machine(&stage, info.build) {
        return;
    }
    eprintln!(
        "mab: warning: this build step runs {} programs (its /bin/sh) on a {} build machine, so its \
         compiles are emulated. If the stage says FROM --platform=$BUILDPLATFORM, the engine left it \
         empty (podman/buildah do): pass --build-arg BUILDPLATFORM={}, as `mab gen publish --engine podman` does.",
        stage[0], info.build, info.build
    );
}
