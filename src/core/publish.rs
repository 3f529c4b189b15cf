//! What `mab gen publish` writes: a POSIX sh script that builds the project's Dockerfile for several
//! platforms with one engine (docker's per-platform builds and imagetools or `docker manifest`, podman's `--manifest`,
//! or buildx), pushes the images and one manifest list, and prints the list's digest last.
//!
//! Pure, like the rest of `mab gen`: every value is checked here before it reaches a template (see
//! [`super::gen`]), and the templates quote them once more with the `sh` filter.

use super::gen::{check_image, render, templates, GenError};
use super::platform::Platform;
use super::registry::{registry_of, DOCKER_HUB};
use oci_spec::distribution::Reference;
use serde::Serialize;
use tera::Context;

/// The name the script is written under, in the project directory.
pub const SCRIPT: &str = "publish.sh";

/// How the script builds and assembles the manifest list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// `docker build` once per platform, then `docker buildx imagetools create` (when buildx is there)
    /// or `docker manifest create/annotate/push`.
    Docker,
    /// `podman build --platform a,b --manifest`, then `podman manifest push --all`.
    Podman,
    /// `docker buildx build --platform a,b --push`.
    Buildx,
}

impl Engine {
    pub const NAMES: &'static [&'static str] = &["docker", "podman", "buildx"];

    pub fn parse(name: &str) -> Option<Engine> {
        match name {
            "docker" => Some(Engine::Docker),
            "podman" => Some(Engine::Podman),
            "buildx" => Some(Engine::Buildx),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Docker => "docker",
            Engine::Podman => "podman",
            Engine::Buildx => "buildx",
        }
    }
}

/// An image reference split as the user wrote it: no registry or `library/` is added.
#[derive(Debug, PartialEq, Eq)]
pub struct Image {
    /// `[registry[:port]/]path`
    pub repo: String,
    /// The tag, `latest` when none was given.
    pub tag: String,
}

const FORM: &str = "expected [registry[:port]/]path[:tag] such as registry.example.com/me/app:1.0";

impl Image {
    pub fn parse(value: &str) -> Result<Image, GenError> {
        let value = check_image("--image", value)?;
        let err = |why: &str| GenError(format!("--image {value:?}: {why}"));
        if value.contains('@') {
            return Err(err(
                "give a tag, not a digest: the script pushes a new manifest list under that tag",
            ));
        }
        // A tag's colon can only be in the last part; a registry's port is in the first.
        let last = value.rfind('/').map_or(0, |i| i + 1);
        let (repo, tag) = match value[last..].split_once(':') {
            Some((_, tag)) => (&value[..value.len() - tag.len() - 1], Some(tag)),
            None => (value.as_str(), None),
        };
        let path = match registry_of(repo) {
            Some(host) => &repo[host.len() + 1..],
            None => repo,
        };
        if path.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(err("repository names must be lowercase"));
        }
        // The rest of Docker's grammar (characters, lengths, empty parts) as oci-spec knows it.
        Reference::try_from(value.as_str()).map_err(|e| err(&format!("{e}; {FORM}")))?;
        let tag = tag.unwrap_or("latest");
        Ok(Image {
            repo: repo.to_string(),
            tag: tag.to_string(),
        })
    }

    /// `repo:tag`, the tag always written out.
    pub fn full(&self) -> String {
        format!("{}:{}", self.repo, self.tag)
    }
}

/// Normalised, distinct platforms from a comma-separated list ([`Platform::parse_list`]); a bare OS means
/// linux/amd64's architecture, so the script does not depend on the machine that wrote it.
///
/// Every platform must be Linux: the generated Dockerfile's stages are Linux images (Debian, distroless,
/// scratch holding a Linux program), so a windows/* or darwin/* image of it cannot exist.
pub fn platforms(list: &str) -> Result<Vec<Platform>, GenError> {
    let default = Platform::from_parts("linux", "amd64", "").expect("linux/amd64 is in the tables");
    let platforms = Platform::parse_list(list, default).map_err(GenError)?;
    if let Some(p) = platforms.iter().find(|p| p.os() != "linux") {
        return Err(GenError(format!(
            "--platforms: {p} is not a Linux platform, and the image is a Linux image (its stages are Linux \
             images); build Windows or macOS programs with mab cc/go/cargo and the Dockerfile's export stage"
        )));
    }
    Ok(platforms)
}

/// One platform as the templates use it.
#[derive(Serialize)]
struct PlatformVars {
    /// `linux/arm/v7`
    platform: String,
    os: &'static str,
    arch: &'static str,
    variant: &'static str,
    /// The docker route's per-platform tag: `<tag>-linux-arm-v7`.
    tag: String,
    /// A shell variable name for its digest: `linux_arm_v7`.
    var: String,
}

/// Docker's limit on a tag's length.
const TAG_MAX: usize = 128;

/// Renders publish.sh for an engine.
pub fn script(
    engine: Engine,
    image: &str,
    platforms_list: &str,
    insecure: bool,
    dockerfile: &str,
) -> Result<String, GenError> {
    let image = Image::parse(image)?;
    let dockerfile = super::gen::check_dockerfile_name(dockerfile)?;
    let platforms = platforms(platforms_list)?;
    let vars = platforms
        .iter()
        .map(|p| {
            let name = p.to_string();
            let tag = format!("{}-{}", image.tag, name.replace('/', "-"));
            if engine == Engine::Docker && tag.len() > TAG_MAX {
                return Err(GenError(format!(
                    "--image: the tag {:?} is too long for the docker route, which tags each platform's \
                     image {tag:?} (at most {TAG_MAX} characters); pick a shorter tag",
                    image.tag
                )));
            }
            Ok(PlatformVars {
                var: name.replace('/', "_"),
                os: p.os(),
                arch: p.arch(),
                variant: p.variant,
                tag,
                platform: name,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut cx = Context::new();
    cx.insert("engine", engine.name());
    cx.insert("image", &image.full());
    cx.insert("repo", &image.repo);
    cx.insert("registry", registry_of(&image.repo).unwrap_or(DOCKER_HUB));
    cx.insert("platforms", &vars);
    cx.insert(
        "platform_list",
        &platforms
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(","),
    );
    cx.insert("insecure", &insecure);
    cx.insert("dockerfile", &dockerfile);
    render(templates(), &format!("publish/{}.sh", engine.name()), &cx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(value: &str) -> Result<(String, String), String> {
        Image::parse(value)
            .map(|i| (i.repo, i.tag))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn images_keep_what_the_user_wrote() {
        for (input, repo, tag) in [
            ("app", "app", "latest"),
            ("me/app:1.0", "me/app", "1.0"),
            ("127.0.0.1:5000/app", "127.0.0.1:5000/app", "latest"),
            (
                "127.0.0.1:5000/app:1.0-rc.1",
                "127.0.0.1:5000/app",
                "1.0-rc.1",
            ),
            ("localhost/a/b:x_Y", "localhost/a/b", "x_Y"),
            (
                "Registry.Example.com/me/app:1",
                "Registry.Example.com/me/app",
                "1",
            ),
        ] {
            assert_eq!(image(input), Ok((repo.into(), tag.into())), "{input}");
        }
    }

    #[test]
    fn bad_images_say_why() {
        let digest = format!("app@sha256:{}", "a".repeat(64));
        for (input, why) in [
            ("App:1", "lowercase"),
            ("me/App", "lowercase"),
            ("localhost:5000/Me/app", "lowercase"),
            (digest.as_str(), "not a digest"),
            ("app:1@sha256:abc", "not a digest"),
            ("app:", "invalid"),
            ("app:-x", "invalid"),
            ("a//b", "invalid"),
            ("app:$(id)", "cannot be written"),
            ("app:'x'", "cannot be written"),
            ("app:1\nid", "cannot be written"),
            ("", "cannot be written"),
        ] {
            let err = image(input).unwrap_err();
            assert!(err.contains(why), "{input:?}: {err}");
        }
    }

    #[test]
    fn platforms_are_distinct() {
        let names = |l| platforms(l).map(|v| v.iter().map(|p| p.to_string()).collect::<Vec<_>>());
        assert_eq!(
            names("amd64, linux/arm,linux/arm64").unwrap(),
            ["linux/amd64", "linux/arm/v7", "linux/arm64"]
        );
        let err = names("linux/arm64,linux/aarch64").unwrap_err().to_string();
        assert!(err.contains("same platform (linux/arm64)"), "{err}");
        assert!(names(" , ").is_err());
        for other in ["windows/amd64", "linux/arm64,windows/arm64", "darwin/arm64"] {
            let err = names(other).unwrap_err().to_string();
            assert!(
                err.contains("not a Linux platform") || err.contains("--platforms"),
                "{other}: {err}"
            );
        }
        let err = names("linux/amd64,windows/amd64").unwrap_err().to_string();
        assert!(
            err.contains("windows/amd64 is not a Linux platform"),
            "{err}"
        );
        assert!(names("linux/pdp11").is_err());
    }

    #[test]
    fn every_engine_renders() {
        for engine in Engine::NAMES {
            let engine = Engine::parse(engine).unwrap();
            for insecure in [false, true] {
                let text = script(engine, "a/b:1", "linux/arm/v7", insecure, "Dockerfile").unwrap();
                assert!(text.starts_with("#!/bin/sh\n"), "{text}");
            }
        }
        let long = format!("a:{}", "x".repeat(120));
        assert!(script(Engine::Docker, &long, "linux/arm64", false, "Dockerfile").is_err());
        assert!(script(Engine::Podman, &long, "linux/arm64", false, "Dockerfile").is_ok());
    }
}
