//! Which platform to build for and which one builds: from Docker's build arguments, as BuildKit sets them.

use super::platform::{Platform, PlatformError};

/// Reads a variable; empty values count as unset, as an `ARG TARGETPLATFORM` with no value does in a
/// Dockerfile. Passing it in keeps the core free of I/O and the tests free of process state.
pub type Vars<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The variables the target and build platforms are read from.
pub const PLATFORM_VARS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETPAIR",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
];

/// The build platform: `BUILDPLATFORM`, else the machine itself.
pub fn build_platform(vars: Vars, host: Platform) -> Result<Platform, PlatformError> {
    match vars("BUILDPLATFORM") {
        Some(p) => Platform::parse(&p, host),
        None => Ok(host),
    }
}

/// The target: `TARGETPLATFORM`, else `TARGETPAIR` (xx's `linux-armv7` form), else
/// `TARGETOS`/`TARGETARCH`/`TARGETVARIANT` (each defaulting to the build platform's), else the build platform.
/// A `TARGETVARIANT` alone is a variant of the build machine's arch (v3 on amd64, v6 on an arm/v7 machine);
/// one that arch has not is an error, never dropped.
pub fn target_platform(vars: Vars, build: Platform) -> Result<Platform, PlatformError> {
    if let Some(p) = vars("TARGETPLATFORM") {
        return Platform::parse(&p, build);
    }
    if let Some(pair) = vars("TARGETPAIR") {
        let (os, arch, variant) =
            split_pair(&pair).ok_or(PlatformError::Malformed(pair.clone()))?;
        return Platform::from_parts(os, arch, variant);
    }
    let (os, arch, variant) = (vars("TARGETOS"), vars("TARGETARCH"), vars("TARGETVARIANT"));
    if os.is_none() && arch.is_none() && variant.is_none() {
        return Ok(build);
    }
    let arch_given = arch.is_some();
    Platform::from_parts(
        os.as_deref().unwrap_or(build.os()),
        arch.as_deref().unwrap_or(build.arch()),
        variant
            .as_deref()
            .unwrap_or(if arch_given { "" } else { build.variant }),
    )
}

/// Splits xx's `TARGETPAIR` (`$TARGETOS-$TARGETARCH$TARGETVARIANT`: linux-amd64, linux-armv7). Only ARM
/// variants are recognised inside the arch part, as in xx.
pub fn split_pair(pair: &str) -> Option<(&str, &str, &str)> {
    let mut parts = pair.splitn(3, '-');
    let (os, arch) = (parts.next()?, parts.next()?);
    match arch.strip_prefix("armv") {
        Some(_) => Some((os, "arm", &arch[3..])),
        None => Some((os, arch, "")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve(vars: &[(&str, &str)]) -> Result<String, PlatformError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let get = |k: &str| map.get(k).filter(|v| !v.is_empty()).cloned();
        let host = Platform::from_parts("linux", "amd64", "").unwrap();
        let build = build_platform(&get, host)?;
        target_platform(&get, build).map(|p| p.to_string())
    }

    #[test]
    fn precedence() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "linux/amd64"),
            (&[("TARGETPLATFORM", "")], "linux/amd64"),
            (&[("TARGETPLATFORM", "linux/arm64")], "linux/arm64"),
            (
                &[("TARGETPLATFORM", "linux/arm64"), ("TARGETARCH", "s390x")],
                "linux/arm64",
            ),
            (
                &[("TARGETPAIR", "linux-armv6"), ("TARGETARCH", "s390x")],
                "linux/arm/v6",
            ),
            (&[("TARGETPAIR", "linux-armv7")], "linux/arm/v7"),
            (&[("TARGETPAIR", "windows-amd64")], "windows/amd64"),
            (
                &[("TARGETARCH", "arm"), ("TARGETVARIANT", "v5")],
                "linux/arm/v5",
            ),
            (&[("TARGETARCH", "arm")], "linux/arm/v7"),
            (&[("TARGETVARIANT", "v3")], "linux/amd64/v3"),
            (
                &[("BUILDPLATFORM", "linux/arm/v7"), ("TARGETVARIANT", "v6")],
                "linux/arm/v6",
            ),
            (&[("TARGETOS", "windows")], "windows/amd64"),
            (
                &[("TARGETOS", "darwin"), ("TARGETARCH", "arm64")],
                "darwin/arm64",
            ),
            (&[("BUILDPLATFORM", "linux/arm64")], "linux/arm64"),
            (
                &[("BUILDPLATFORM", "linux/arm/v6"), ("TARGETOS", "linux")],
                "linux/arm/v6",
            ),
        ];
        for (vars, want) in cases {
            assert_eq!(resolve(vars).as_deref(), Ok(*want), "{vars:?}");
        }
    }

    #[test]
    fn bad_values_are_errors() {
        for vars in [
            &[("TARGETPLATFORM", "linux/$(reboot)")][..],
            &[("TARGETARCH", "amd64;id")],
            &[("TARGETPAIR", "linux")],
            &[("TARGETPAIR", "linux-ppc64")],
            &[("BUILDPLATFORM", "nope/nope")],
            &[("TARGETARCH", "arm"), ("TARGETVARIANT", "v9")],
        ] {
            assert!(resolve(vars).is_err(), "{vars:?}");
        }
    }
}
