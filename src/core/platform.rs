//! Docker platform strings (`os/arch[/variant]`): parsing, normalisation and the supported set.
//!
//! Normalisation follows containerd's `platforms.Normalize` (x86_64 → amd64, aarch64 → arm64, arm64/v8 ≡
//! arm64, arm without a variant → arm/v7, …) with the spellings in `toolchains/aliases.toml`. A parsed
//! [`Platform`] is always a row of the tables, so every later lookup is infallible.

use super::table::{self, PlatformRow, ARCH_ALIASES, OS_ALIASES, PLATFORMS, VARIANT_ALIASES};
use std::fmt;

/// A supported target or build platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Platform {
    pub row: &'static PlatformRow,
    /// The normalised variant: the row's own, or one of its extra `variants`.
    pub variant: &'static str,
}

/// Why a platform string was refused. Displayed messages name the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformError {
    /// Empty parts, too many parts, or characters no platform has.
    Malformed(String),
    /// Well-formed, but not a platform mab has tables for.
    Unsupported(String),
}

const FORMS: &str = "expected os/arch[/variant] such as linux/arm64 or linux/arm/v7, or an architecture alone such as arm64";

impl fmt::Display for PlatformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlatformError::Malformed(input) => {
                write!(f, "invalid platform {}: {FORMS}", shown(input))
            }
            PlatformError::Unsupported(input) => write!(
                f,
                "unsupported platform {}; supported: {}",
                shown(input),
                Platform::all()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl std::error::Error for PlatformError {}

/// Quotes user input for an error message: control characters escaped, long input cut.
fn shown(input: &str) -> String {
    const MAX: usize = 80;
    match input.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}…", &input[..cut]),
        None => format!("{input:?}"),
    }
}

/// A platform part may only hold what Docker's own names hold.
fn is_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b))
}

fn is_os(s: &str) -> bool {
    PLATFORMS.iter().any(|r| r.os == s) || OS_ALIASES.iter().any(|(alias, _)| *alias == s)
}

impl Platform {
    pub fn os(&self) -> &'static str {
        self.row.os
    }

    pub fn arch(&self) -> &'static str {
        self.row.arch
    }

    /// Every supported platform, including the variants that share a row.
    pub fn all() -> impl Iterator<Item = Platform> {
        PLATFORMS.iter().flat_map(|row| {
            std::iter::once(row.variant)
                .chain(row.variants.iter().copied())
                .map(move |variant| Platform { row, variant })
        })
    }

    /// Parses a platform as Docker's `--platform` takes it. A bare OS (`linux`) takes `default`'s
    /// architecture, and a bare architecture (`arm64`, `arm/v7`) means Linux.
    pub fn parse(input: &str, default: Platform) -> Result<Platform, PlatformError> {
        let lower = input.to_ascii_lowercase();
        let parts: Vec<&str> = lower.split('/').collect();
        if parts.len() > 3 || !parts.iter().all(|p| is_part(p)) {
            return Err(PlatformError::Malformed(input.to_string()));
        }
        let (os, arch, variant) = match parts[..] {
            [one] if is_os(one) => (one, default.arch(), default.variant),
            [one] => ("linux", one, ""),
            [first, second] if !is_os(first) => ("linux", first, second),
            [os, arch] => (os, arch, ""),
            [os, arch, variant] => (os, arch, variant),
            _ => unreachable!("split yields one to three parts here"),
        };
        Self::from_parts(os, arch, variant).map_err(|e| match e {
            PlatformError::Unsupported(_) => PlatformError::Unsupported(input.to_string()),
            other => other,
        })
    }

    /// Distinct platforms from a `--platforms` list (`linux/amd64,linux/arm64`), each parsed with
    /// `default` as [`Platform::parse`] does. One platform given twice, in any spelling, is an error: the
    /// list names images, one per platform. The error starts with `--platforms:`.
    pub fn parse_list(list: &str, default: Platform) -> Result<Vec<Platform>, String> {
        let mut out: Vec<(Platform, &str)> = Vec::new();
        for given in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let platform =
                Platform::parse(given, default).map_err(|e| format!("--platforms: {e}"))?;
            if let Some((_, first)) = out.iter().find(|(p, _)| *p == platform) {
                return Err(format!(
                    "--platforms: {first:?} and {given:?} are the same platform ({platform}); list each once"
                ));
            }
            out.push((platform, given));
        }
        if out.is_empty() {
            return Err(
                "--platforms: give at least one platform, such as linux/amd64,linux/arm64".into(),
            );
        }
        Ok(out.into_iter().map(|(p, _)| p).collect())
    }

    /// Builds a platform from separate parts (TARGETOS, TARGETARCH, TARGETVARIANT), normalising each.
    pub fn from_parts(os: &str, arch: &str, variant: &str) -> Result<Platform, PlatformError> {
        let shown_input = || {
            if variant.is_empty() {
                format!("{os}/{arch}")
            } else {
                format!("{os}/{arch}/{variant}")
            }
        };
        if !is_part(os) || !is_part(arch) || !(variant.is_empty() || is_part(variant)) {
            return Err(PlatformError::Malformed(shown_input()));
        }
        let os = os.to_ascii_lowercase();
        let os = OS_ALIASES
            .iter()
            .find(|(alias, _)| *alias == os)
            .map_or(os.as_str(), |(_, to)| to);
        let arch = arch.to_ascii_lowercase();
        let (arch, implied) = match ARCH_ALIASES.iter().find(|a| a.alias == arch) {
            Some(a) => (a.arch, a.variant),
            None => (arch.as_str(), None),
        };
        let variant = variant.to_ascii_lowercase();
        let variant = if variant.is_empty() {
            implied.unwrap_or("")
        } else {
            &variant
        };
        let variant = VARIANT_ALIASES
            .iter()
            .find(|a| a.arch == arch && a.from == variant)
            .map_or(variant, |a| a.to);
        table::find(os, arch, variant)
            .map(|(row, variant)| Platform { row, variant })
            .ok_or_else(|| PlatformError::Unsupported(shown_input()))
    }

    /// The platform this copy of mab was built for, which is the machine it runs on (or what qemu
    /// emulates). No subprocess: `uname -m` would cost more than all of `mab info`.
    pub fn host() -> Result<Platform, PlatformError> {
        let little = cfg!(target_endian = "little");
        let arch = match std::env::consts::ARCH {
            "powerpc64" if little => "ppc64le",
            "mips" if little => "mipsle",
            "mips64" if little => "mips64le",
            other => other,
        };
        Self::from_parts(std::env::consts::OS, arch, "")
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.row.os, self.row.arch)?;
        if !self.variant.is_empty() {
            write!(f, "/{}", self.variant)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amd64() -> Platform {
        Platform::from_parts("linux", "amd64", "").unwrap()
    }

    fn check(input: &str, want: &str) {
        let got = Platform::parse(input, amd64()).map(|p| p.to_string());
        assert_eq!(got.as_deref(), Ok(want), "parsing {input:?}");
    }

    #[test]
    fn every_platform_round_trips() {
        for p in Platform::all() {
            check(&p.to_string(), &p.to_string());
        }
    }

    #[test]
    fn aliases_normalise_like_containerd() {
        for (input, want) in [
            ("linux/x86_64", "linux/amd64"),
            ("linux/x86-64", "linux/amd64"),
            ("linux/amd64/v1", "linux/amd64"),
            ("linux/amd64/v3", "linux/amd64/v3"),
            ("linux/aarch64", "linux/arm64"),
            ("linux/arm64/v8", "linux/arm64"),
            ("linux/arm64/8", "linux/arm64"),
            ("linux/arm", "linux/arm/v7"),
            ("linux/arm/7", "linux/arm/v7"),
            ("linux/arm/v6", "linux/arm/v6"),
            ("linux/arm/5", "linux/arm/v5"),
            ("linux/armhf", "linux/arm/v7"),
            ("linux/armel", "linux/arm/v6"),
            ("linux/i386", "linux/386"),
            ("linux/i686", "linux/386"),
            ("linux/ppc64el", "linux/ppc64le"),
            ("linux/mipsel", "linux/mipsle"),
            ("linux/mips64el", "linux/mips64le"),
            ("linux/loongarch64", "linux/loong64"),
            ("LINUX/ARM64", "linux/arm64"),
            ("macos/arm64", "darwin/arm64"),
            ("darwin/aarch64", "darwin/arm64"),
        ] {
            check(input, want);
        }
    }

    #[test]
    fn short_forms() {
        check("arm64", "linux/arm64");
        check("aarch64", "linux/arm64");
        check("arm/v6", "linux/arm/v6");
        check("armhf", "linux/arm/v7");
        check("linux", "linux/amd64");
        check("windows", "windows/amd64");
        check("darwin", "darwin/amd64");
    }

    #[test]
    fn malformed_input_is_refused_with_the_accepted_forms() {
        for input in [
            "",
            "/",
            "linux/",
            "/arm64",
            "linux//arm64",
            "linux/arm/v7/x",
            "linux/arm64;id",
            "linux/$(id)",
            "linux/`id`",
            "linux/arm64\n",
            "linux/ar m64",
            "linux/arm64\0",
            "linux/аrm64",
            "../..",
            &"a".repeat(5000),
        ] {
            let err = Platform::parse(input, amd64()).unwrap_err();
            assert!(
                matches!(err, PlatformError::Malformed(_)),
                "{input:?} gave {err:?}"
            );
            let message = err.to_string();
            assert!(message.contains("expected os/arch[/variant]"), "{message}");
            assert!(
                message.len() < 300,
                "message should cut long input: {message}"
            );
        }
    }

    #[test]
    fn unknown_platforms_list_the_supported_ones() {
        for input in [
            "linux/ppc64",
            "linux/arm/v8",
            "linux/arm64/v9",
            "freebsd/amd64",
            "plan9",
            "linux/amd64/v5",
            "sparc",
        ] {
            let err = Platform::parse(input, amd64()).unwrap_err();
            assert!(
                matches!(err, PlatformError::Unsupported(_)),
                "{input:?} gave {err:?}"
            );
            assert!(err.to_string().contains("linux/arm/v7"), "{err}");
        }
    }

    #[test]
    fn host_is_supported() {
        let host = Platform::host().expect("the test machine is a supported platform");
        assert_eq!(host.os(), "linux");
    }
}
