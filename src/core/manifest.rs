//! What `mab manifest check` decides about a multi-platform image, once the command has fetched its
//! index and each image's config from the registry. Pure: bytes in, a verdict out.
//!
//! A good image lists each wanted platform exactly once, lists nothing else, and every listed image's own
//! config names the platform it is listed under. Platforms are compared after normalisation
//! ([`Platform::from_parts`]), so an index saying `arm64/v8` and a config saying `arm64` agree, as they do
//! for containerd. Attestation manifests (BuildKit's `unknown/unknown` entries) are not images and are
//! left out.

use super::platform::Platform;
use oci_spec::image::{ImageConfiguration, ImageIndex, ImageManifest};
use std::fmt;

/// The media types mab asks a registry for, multi-platform first.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const ACCEPT: [&str; 4] = [OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST];
/// What an index's entries may be: one image's manifest.
pub const ACCEPT_IMAGE: [&str; 2] = [OCI_MANIFEST, DOCKER_MANIFEST];

/// BuildKit marks its provenance and SBOM manifests in an index with this annotation.
const REFERENCE_TYPE: &str = "vnd.docker.reference.type";

/// What a tag points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// A manifest list or OCI index: the images it lists.
    Index(Vec<Entry>),
    /// One image's manifest; its platform is known only from its config.
    Image,
}

/// One image of an index: its digest and the platform the index lists it under, as written there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub digest: String,
    /// `os/arch[/variant]` as the index says it; None if the entry carries no platform.
    pub platform: Option<String>,
}

/// A manifest or index the registry sent that mab cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads what a tag resolved to, given the media type the registry sent it with.
pub fn parse_listing(media_type: &str, body: &[u8]) -> Result<Listing, Unreadable> {
    match media_type {
        OCI_INDEX | DOCKER_LIST => {
            let index: ImageIndex = serde_json::from_slice(body)
                .map_err(|e| Unreadable(format!("the index is not valid JSON of its type: {e}")))?;
            Ok(Listing::Index(
                index
                    .manifests()
                    .iter()
                    .filter(|d| {
                        d.annotations()
                            .as_ref()
                            .and_then(|a| a.get(REFERENCE_TYPE))
                            .is_none()
                    })
                    .map(|d| Entry {
                        digest: d.digest().to_string(),
                        platform: d.platform().as_ref().map(|p| {
                            shown(
                                &p.os().to_string(),
                                &p.architecture().to_string(),
                                p.variant().as_deref(),
                            )
                        }),
                    })
                    .collect(),
            ))
        }
        OCI_MANIFEST | DOCKER_MANIFEST => Ok(Listing::Image),
        other => Err(Unreadable(format!(
            "the registry answered with media type {other:?}, which is no image index or manifest"
        ))),
    }
}

/// The digest of an image manifest's config blob.
pub fn config_digest(body: &[u8]) -> Result<String, Unreadable> {
    let manifest: ImageManifest = serde_json::from_slice(body).map_err(|e| {
        Unreadable(format!(
            "the image manifest is not valid JSON of its type: {e}"
        ))
    })?;
    Ok(manifest.config().digest().to_string())
}

/// The platform an image config names, as `os/arch[/variant]`.
pub fn config_platform(body: &[u8]) -> Result<String, Unreadable> {
    let config: ImageConfiguration = serde_json::from_slice(body).map_err(|e| {
        Unreadable(format!(
            "the image config is not valid JSON of its type: {e}"
        ))
    })?;
    Ok(shown(
        &config.os().to_string(),
        &config.architecture().to_string(),
        config.variant().as_deref(),
    ))
}

fn shown(os: &str, arch: &str, variant: Option<&str>) -> String {
    match variant {
        Some(v) if !v.is_empty() => format!("{os}/{arch}/{v}"),
        _ => format!("{os}/{arch}"),
    }
}

/// A platform as written in an index or config, normalised when mab knows it.
fn normalise(platform: &str) -> String {
    let mut parts = platform.splitn(3, '/');
    let (os, arch, variant) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    Platform::from_parts(os, arch, variant).map_or_else(|_| platform.to_string(), |p| p.to_string())
}

/// One listed image, with the platform its config names (fetched by the command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub digest: String,
    /// As the index lists it (None: a single image, or an entry without a platform).
    pub listed: Option<String>,
    pub config: String,
}

/// Why the image is not what was asked for. Each names the platform and digest it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Missing(String),
    Duplicated(String, Vec<String>),
    Unwanted(String, String),
    NoPlatform(String),
    ConfigDiffers {
        listed: String,
        digest: String,
        config: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing(p) => write!(f, "{p}: not in the image"),
            Problem::Duplicated(p, digests) => {
                write!(
                    f,
                    "{p}: listed {} times ({})",
                    digests.len(),
                    digests.join(", ")
                )
            }
            Problem::Unwanted(p, d) => write!(f, "{p}: listed ({d}) but not asked for"),
            Problem::NoPlatform(d) => write!(f, "{d}: listed without a platform"),
            Problem::ConfigDiffers {
                listed,
                digest,
                config,
            } => write!(
                f,
                "{listed}: the image listed for it ({digest}) says {config} in its config"
            ),
        }
    }
}

/// The verdict: the wanted platforms found in order with their digests, and every problem.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    pub found: Vec<(String, String)>,
    pub problems: Vec<Problem>,
}

/// Checks the images of a tag against the wanted platforms. A single image (no index) stands for the
/// platform its config names.
pub fn check(wanted: &[Platform], images: &[Image]) -> Verdict {
    let mut verdict = Verdict::default();
    // Each image under the platform it is offered for.
    let mut offered: Vec<(String, &str)> = Vec::new();
    for image in images {
        let config = normalise(&image.config);
        match image.listed.as_deref().map(normalise) {
            Some(listed) => {
                if listed != config {
                    verdict.problems.push(Problem::ConfigDiffers {
                        listed: listed.clone(),
                        digest: image.digest.clone(),
                        config: image.config.clone(),
                    });
                }
                offered.push((listed, &image.digest));
            }
            None if images.len() == 1 => offered.push((config, &image.digest)),
            None => verdict
                .problems
                .push(Problem::NoPlatform(image.digest.clone())),
        }
    }
    let misplaced: Vec<String> = verdict
        .problems
        .iter()
        .filter_map(|p| match p {
            Problem::ConfigDiffers { digest, .. } => Some(digest.clone()),
            _ => None,
        })
        .collect();
    let wanted: Vec<String> = wanted.iter().map(|p| p.to_string()).collect();
    for (platform, digest) in &offered {
        if !wanted.contains(platform) {
            verdict
                .problems
                .push(Problem::Unwanted(platform.clone(), digest.to_string()));
        }
    }
    for platform in wanted {
        let digests: Vec<String> = offered
            .iter()
            .filter(|(p, _)| *p == platform)
            .map(|(_, d)| d.to_string())
            .collect();
        match &digests[..] {
            [] => verdict.problems.push(Problem::Missing(platform)),
            [one] if !misplaced.contains(one) => verdict.found.push((platform, one.clone())),
            [_] => {}
            _ => verdict
                .problems
                .push(Problem::Duplicated(platform, digests)),
        }
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    const D3: &str = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

    fn platforms(list: &[&str]) -> Vec<Platform> {
        list.iter()
            .map(|p| Platform::parse(p, Platform::host().unwrap()).unwrap())
            .collect()
    }

    fn listed(digest: &str, listed: &str, config: &str) -> Image {
        Image {
            digest: digest.into(),
            listed: Some(listed.into()),
            config: config.into(),
        }
    }

    #[test]
    fn a_good_index_passes_with_normalised_platforms() {
        let v = check(
            &platforms(&["linux/amd64", "linux/arm64", "linux/arm/v7"]),
            &[
                listed(D1, "linux/amd64", "linux/amd64"),
                listed(D2, "linux/arm64/v8", "linux/arm64"),
                listed(D3, "linux/arm/v7", "linux/arm"),
            ],
        );
        assert_eq!(v.problems, vec![]);
        assert_eq!(v.found[1], ("linux/arm64".to_string(), D2.to_string()));
    }

    #[test]
    fn every_kind_of_problem_is_named() {
        let v = check(
            &platforms(&["linux/amd64", "linux/arm64", "linux/arm/v7"]),
            &[
                listed(D1, "linux/amd64", "linux/amd64"),
                listed(D2, "linux/arm64", "linux/amd64"),
                listed(D3, "linux/amd64", "linux/amd64"),
                listed(D3, "linux/s390x", "linux/s390x"),
            ],
        );
        let shown: Vec<String> = v.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(v.found, vec![]);
        assert_eq!(
            shown,
            [
                format!(
                    "linux/arm64: the image listed for it ({D2}) says linux/amd64 in its config"
                ),
                format!("linux/s390x: listed ({D3}) but not asked for"),
                format!("linux/amd64: listed 2 times ({D1}, {D3})"),
                "linux/arm/v7: not in the image".to_string(),
            ]
        );
    }

    #[test]
    fn a_single_image_stands_for_its_config_platform() {
        let single = Image {
            digest: D1.into(),
            listed: None,
            config: "linux/arm64".into(),
        };
        assert_eq!(
            check(&platforms(&["linux/arm64"]), std::slice::from_ref(&single)).problems,
            vec![]
        );
        let v = check(&platforms(&["linux/amd64"]), &[single]);
        assert_eq!(
            v.problems,
            vec![
                Problem::Unwanted("linux/arm64".into(), D1.into()),
                Problem::Missing("linux/amd64".into())
            ]
        );
    }

    #[test]
    fn indexes_of_both_media_types_parse_and_attestations_are_left_out() {
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[
              {{"mediaType":"{OCI_MANIFEST}","digest":"{D1}","size":1,"platform":{{"os":"linux","architecture":"arm","variant":"v7"}}}},
              {{"mediaType":"{OCI_MANIFEST}","digest":"{D2}","size":1,"platform":{{"os":"unknown","architecture":"unknown"}},
               "annotations":{{"vnd.docker.reference.type":"attestation-manifest","vnd.docker.reference.digest":"{D1}"}}}},
              {{"mediaType":"{OCI_MANIFEST}","digest":"{D3}","size":1}}]}}"#
        );
        for media_type in [OCI_INDEX, DOCKER_LIST] {
            assert_eq!(
                parse_listing(media_type, body.as_bytes()).unwrap(),
                Listing::Index(vec![
                    Entry {
                        digest: D1.into(),
                        platform: Some("linux/arm/v7".into())
                    },
                    Entry {
                        digest: D3.into(),
                        platform: None
                    },
                ])
            );
        }
        assert_eq!(parse_listing(DOCKER_MANIFEST, b"{}"), Ok(Listing::Image));
    }

    #[test]
    fn garbage_is_unreadable_not_a_panic() {
        for body in [
            &b""[..],
            b"null",
            b"{",
            b"[]",
            b"{\"manifests\":7}",
            &[0xff; 9],
        ] {
            assert!(parse_listing(OCI_INDEX, body).is_err());
            assert!(config_digest(body).is_err());
            assert!(config_platform(body).is_err());
        }
        assert!(parse_listing("text/html", b"<html>").is_err());
    }

    #[test]
    fn configs_and_manifests_give_platform_and_digest() {
        let config = br#"{"architecture":"arm","os":"linux","variant":"v7","rootfs":{"type":"layers","diff_ids":[]}}"#;
        assert_eq!(config_platform(config).unwrap(), "linux/arm/v7");
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST}","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"{D2}","size":5}},"layers":[]}}"#
        );
        assert_eq!(config_digest(manifest.as_bytes()).unwrap(), D2);
    }
}
