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
    /// Well-formed, but not a platform mab has tables for: which rule it broke (an unknown OS, an arch
    /// the OS lacks, a variant the arch lacks) and the nearest platforms there are.
    Unsupported {
        input: String,
        why: String,
        near: Vec<String>,
    },
}

const FORMS: &str = "expected os/arch[/variant] such as linux/arm64 or linux/arm/v7, or an architecture alone such as arm64";

impl fmt::Display for PlatformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlatformError::Malformed(input) => {
                write!(f, "invalid platform {}: {FORMS}", shown(input))
            }
            PlatformError::Unsupported { input, why, near } => {
                write!(f, "unsupported platform {}: {why}", shown(input))?;
                if let Some((last, first)) = near.split_last() {
                    match first {
                        [] => write!(f, "; did you mean {last}?")?,
                        _ => write!(f, "; did you mean {} or {last}?", first.join(", "))?,
                    }
                }
                write!(f, " (`mab platforms` lists them all)")
            }
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

/// Which rule an unsupported (normalised) platform breaks, and up to three supported platforms nearest
/// to it: the same architecture on a known OS, the OS's nearest architectures, or the architecture's
/// variants and its 64-bit sibling (arm → arm64).
fn diagnose(os: &str, arch: &str, variant: &str) -> (String, Vec<String>) {
    let all: Vec<Platform> = Platform::all().collect();
    let ranked = |mut found: Vec<(usize, Platform)>, n: usize| -> Vec<String> {
        found.sort_by_key(|(d, _)| *d);
        found
            .into_iter()
            .take(n)
            .map(|(_, p)| p.to_string())
            .collect()
    };
    let mut oses: Vec<&str> = PLATFORMS.iter().map(|r| r.os).collect();
    oses.dedup();
    if !oses.contains(&os) {
        let why = format!("mab knows no OS {os:?} (it knows {})", oses.join(", "));
        let near = all
            .iter()
            .filter(|p| p.arch() == arch && p.variant == variant)
            .map(|p| (distance(os, p.os()), *p))
            .collect();
        return (why, ranked(near, 3));
    }
    let of_os = all.iter().filter(|p| p.os() == os);
    if !PLATFORMS.iter().any(|r| r.os == os && r.arch == arch) {
        let why = format!("{os} has no architecture {arch:?}");
        // Only spellings close to the one given: a stranger arch gets no guess.
        let near = of_os
            .filter(|p| distance(arch, p.arch()) <= 2)
            .map(|p| {
                (
                    distance(arch, p.arch()) * 4 + distance(variant, p.variant),
                    *p,
                )
            })
            .collect();
        return (why, ranked(near, 3));
    }
    let variants: Vec<&str> = of_os
        .clone()
        .filter(|p| p.arch() == arch)
        .map(|p| p.variant)
        .collect();
    let named: Vec<&str> = variants.iter().copied().filter(|v| !v.is_empty()).collect();
    let has = match (named.is_empty(), variants.contains(&"")) {
        (true, _) => "it takes none".to_string(),
        (false, true) => format!("it has {}, or none", named.join(", ")),
        (false, false) => format!("it has {}", named.join(", ")),
    };
    let why = format!("{os}/{arch} has no variant {variant:?} ({has})");
    let same_arch = of_os
        .clone()
        .filter(|p| p.arch() == arch)
        .map(|p| (distance(variant, p.variant), *p))
        .collect();
    let mut near = ranked(same_arch, 2);
    let wider = of_os
        .filter(|p| p.arch() != arch && p.arch().starts_with(arch) && p.variant.is_empty())
        .map(|p| (0, *p))
        .collect();
    near.extend(ranked(wider, 1));
    (why, near)
}

/// The Levenshtein distance between two short names.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// A platform part may only hold what Docker's own names hold.
fn is_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-".contains(&b))
}

fn is_arch(s: &str) -> bool {
    PLATFORMS.iter().any(|r| r.arch == s) || ARCH_ALIASES.iter().any(|a| a.alias == s)
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
            // `arm/v7` is an arch and its variant; `freebsd/amd64` an OS mab does not know.
            [first, second] if !is_os(first) && !is_arch(second) => ("linux", first, second),
            [os, arch] => (os, arch, ""),
            [os, arch, variant] => (os, arch, variant),
            _ => unreachable!("split yields one to three parts here"),
        };
        Self::from_parts(os, arch, variant).map_err(|e| match e {
            PlatformError::Unsupported { why, near, .. } => PlatformError::Unsupported {
                input: input.to_string(),
                why,
                near,
            },
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
            .ok_or_else(|| {
                let (why, near) = diagnose(os, arch, variant);
                PlatformError::Unsupported {
                    input: shown_input(),
                    why,
                    near,
                }
            })
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
    fn unknown_platforms_name_the_rule_and_the_nearest_ones() {
        let cases = [
            (
                "linux/arm/v9",
                "linux/arm has no variant \"v9\" (it has v7, v6, v5); did you mean linux/arm/v7, \
                 linux/arm/v6 or linux/arm64?",
            ),
            (
                "linux/ppc64",
                "linux has no architecture \"ppc64\"; did you mean linux/ppc64le",
            ),
            ("linux/arm65", "did you mean linux/arm64"),
            (
                "linux/amd64/v5",
                "linux/amd64 has no variant \"v5\" (it has v2, v3, v4, or none); did you mean linux/amd64",
            ),
            (
                "freebsd/amd64",
                "mab knows no OS \"freebsd\" (it knows linux, windows, darwin); did you mean",
            ),
            ("linxu/arm64", "did you mean linux/arm64"),
            ("sparc", "linux has no architecture \"sparc\" (`mab"),
            ("arm64/v9", "linux/arm64 has no variant \"v9\" (it takes none)"),
        ];
        for (input, says) in cases {
            let err = Platform::parse(input, amd64()).unwrap_err();
            assert!(
                matches!(err, PlatformError::Unsupported { .. }),
                "{input:?} gave {err:?}"
            );
            let message = err.to_string();
            assert!(
                message.starts_with(&format!("unsupported platform {input:?}: ")),
                "{message}"
            );
            assert!(message.contains(says), "{input}: {message}");
            assert!(
                message.ends_with("(`mab platforms` lists them all)"),
                "{message}"
            );
            assert!(message.len() < 200, "{message}");
        }
    }

    #[test]
    fn host_is_supported() {
        let host = Platform::host().expect("the test machine is a supported platform");
        assert_eq!(host.os(), "linux");
    }
}
