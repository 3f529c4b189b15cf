//! `mab manifest check IMAGE --platforms P1,P2,...`: reads a multi-platform image from its registry (the
//! registry HTTP API: the tag's index, each image's manifest and config) and checks it with
//! `core::manifest::check`.
//!
//! Output: `IMAGE: index DIGEST (MEDIA TYPE)` then `ok PLATFORM DIGEST` for each wanted platform, on
//! stdout; each problem on stderr as `mab: IMAGE: PROBLEM`.
//!
//! Exit codes: 0 the image is exactly the wanted platforms; 1 it is not (a platform missing, listed twice
//! or not asked for, a config that disagrees with its index entry, or no such tag); 2 it could not be
//! checked (bad arguments, registry unreachable or refusing, a reply mab cannot read or whose digest is
//! wrong).
//!
//! Credentials: anonymous unless docker's `config.json` ($DOCKER_CONFIG, ~/.docker) or podman's
//! `auth.json` ($REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers) holds an `auth` entry for the registry
//! (what `docker login` / `podman login` write; credential helpers are not run). Both of distribution's
//! schemes work: token auth (`Bearer`, with the token fetched from the realm it names) and basic auth.

use crate::core::manifest::{self, Image, Listing, ACCEPT, ACCEPT_IMAGE};
use crate::core::platform::Platform;
use crate::core::registry::{self, Challenge};
use crate::exit::{print_lines, FALSE};
use anyhow::{anyhow, bail, Result};
use oci_spec::distribution::Reference;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(clap::Subcommand)]
enum What {
    /// Check that a multi-platform image holds exactly the wanted platforms, each image's config agreeing
    #[command(
        after_help = "Exit codes: 0 the image is right; 1 it is not (or the tag does not exist); \
                            2 it could not be checked (registry unreachable, refused, unreadable reply)."
    )]
    Check(CheckArgs),
}

#[derive(clap::Args)]
struct CheckArgs {
    /// The image: [REGISTRY[:PORT]/]PATH[:TAG] (docker.io and :latest when left out)
    image: String,
    /// The platforms it must hold, comma-separated (e.g. linux/amd64,linux/arm64,linux/arm/v7)
    #[arg(long, required = true)]
    platforms: String,
    /// Plain HTTP, for a registry without TLS (e.g. one on 127.0.0.1)
    #[arg(long)]
    insecure: bool,
}

/// Manifests and configs are small; anything bigger is not what mab asked for.
const BODY_LIMIT: u64 = 4 << 20;
const TIMEOUT: Duration = Duration::from_secs(30);

pub fn run(args: Args) -> Result<ExitCode> {
    match args.what {
        What::Check(a) => check(a),
    }
}

fn check(a: CheckArgs) -> Result<ExitCode> {
    let wanted =
        Platform::parse_list(&a.platforms, Platform::host()?).map_err(anyhow::Error::msg)?;
    let reference = Reference::try_from(a.image.as_str()).map_err(|e| {
        anyhow!(
            "{:?} is no image reference ({e}); expected [registry[:port]/]path[:tag]",
            a.image
        )
    })?;
    let mut registry = Registry::new(&reference, a.insecure);
    let name = &a.image;
    let tag = match (reference.digest(), reference.tag()) {
        (Some(digest), _) => digest.to_string(),
        (None, Some(tag)) => tag.to_string(),
        (None, None) => "latest".to_string(),
    };

    let top = match registry.get(&format!("manifests/{tag}"), &ACCEPT.join(", "))? {
        Reply::Found(found) => found,
        Reply::NotFound(why) => {
            eprintln!("mab: {name}: no such image in the registry ({why})");
            return Ok(ExitCode::from(FALSE));
        }
    };
    let digest = registry::sha256_digest(&top.body);
    // The digest asked for (IMAGE@sha256:...) and the one the registry states must both be the content's.
    for claimed in reference.digest().into_iter().chain(top.digest.as_deref()) {
        if !registry::digest_matches(claimed, &top.body) {
            bail!("{name}: the registry sent content whose digest is {digest}, not {claimed}");
        }
    }
    let listing =
        manifest::parse_listing(&top.media_type, &top.body).map_err(|e| anyhow!("{name}: {e}"))?;
    let (kind, images) = match listing {
        Listing::Index(entries) => {
            let mut images = Vec::new();
            for entry in entries {
                let body =
                    registry.by_digest("manifests", &entry.digest, &ACCEPT_IMAGE.join(", "))?;
                images.push(Image {
                    config: config_of(&mut registry, &body)?,
                    digest: entry.digest,
                    listed: entry.platform,
                });
            }
            (
                format!(
                    "index {digest} ({}, {} listed)",
                    top.media_type,
                    images.len()
                ),
                images,
            )
        }
        Listing::Image => {
            let config = config_of(&mut registry, &top.body)?;
            let image = Image {
                config,
                digest: digest.clone(),
                listed: None,
            };
            (
                format!("image {digest} ({}, not an index)", top.media_type),
                vec![image],
            )
        }
    };
    let mut lines = vec![format!("{name}: {kind}")];
    let verdict = manifest::check(&wanted, &images);
    lines.extend(verdict.found.iter().map(|(p, d)| format!("ok {p} {d}")));
    print_lines(lines)?;
    for problem in &verdict.problems {
        eprintln!("mab: {name}: {problem}");
    }
    Ok(if verdict.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FALSE)
    })
}

/// The platform an image manifest's config names.
fn config_of(registry: &mut Registry, manifest_body: &[u8]) -> Result<String> {
    let config = manifest::config_digest(manifest_body).map_err(|e| anyhow!("{e}"))?;
    let body = registry.by_digest("blobs", &config, "*/*")?;
    manifest::config_platform(&body).map_err(|e| anyhow!("config {config}: {e}"))
}

struct Found {
    media_type: String,
    digest: Option<String>,
    body: Vec<u8>,
}

enum Reply {
    Found(Found),
    /// The registry's own words for it (MANIFEST_UNKNOWN, NAME_UNKNOWN, ...).
    NotFound(String),
}

/// One repository of one registry, with the Authorization header once a challenge was answered.
struct Registry {
    agent: ureq::Agent,
    host: String,
    base: String,
    repository: String,
    authorization: Option<String>,
}

impl Registry {
    fn new(reference: &Reference, insecure: bool) -> Registry {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .user_agent(concat!("mab/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let host = reference.resolve_registry().to_string();
        let scheme = if insecure { "http" } else { "https" };
        Registry {
            agent,
            base: format!("{scheme}://{host}/v2/{}", reference.repository()),
            host: reference.registry().to_string(),
            repository: reference.repository().to_string(),
            authorization: None,
        }
    }

    /// GET `/v2/<repository>/<path>`, answering one auth challenge. 404 is an answer, not an error.
    fn get(&mut self, path: &str, accept: &str) -> Result<Reply> {
        let url = format!("{}/{path}", self.base);
        let mut response = self.send(&url, accept)?;
        if response.status() == 401 && self.authorization.is_none() {
            let challenge = response
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .and_then(registry::parse_challenge);
            self.authorization = Some(self.authorize(challenge)?);
            response = self.send(&url, accept)?;
        }
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(';').next().unwrap_or(v).trim().to_string())
        };
        let media_type = header("content-type").unwrap_or_default();
        let digest = header("docker-content-digest");
        let body = read_body(&mut response).map_err(|e| anyhow!("reading {url}: {e}"))?;
        match status {
            200 => Ok(Reply::Found(Found {
                media_type,
                digest,
                body,
            })),
            404 => Ok(Reply::NotFound(registry_says(&body, "404 Not Found"))),
            401 | 403 => bail!(
                "{}: access denied ({}); log in with `docker login {}` (mab reads the auth entries it writes)",
                self.host,
                registry_says(&body, &status.to_string()),
                self.host
            ),
            _ => bail!("{url}: the registry answered {status} ({})", registry_says(&body, "no details")),
        }
    }

    /// Fetches a manifest or blob by digest and checks that it is what the digest names.
    fn by_digest(&mut self, kind: &str, digest: &str, accept: &str) -> Result<Vec<u8>> {
        match self.get(&format!("{kind}/{digest}"), accept)? {
            Reply::Found(found) if registry::digest_matches(digest, &found.body) => Ok(found.body),
            Reply::Found(_) => bail!(
                "{}: the content sent for {digest} has another digest",
                self.host
            ),
            Reply::NotFound(why) => bail!("{}: {digest} is listed but missing ({why})", self.host),
        }
    }

    fn send(&self, url: &str, accept: &str) -> Result<ureq::http::Response<ureq::Body>> {
        let mut request = self.agent.get(url).header("Accept", accept);
        if let Some(auth) = &self.authorization {
            request = request.header("Authorization", auth);
        }
        request.call().map_err(|e| self.unreachable(url, e))
    }

    fn unreachable(&self, url: &str, e: ureq::Error) -> anyhow::Error {
        let hint = if url.starts_with("https:") {
            "; for a registry without TLS (e.g. on 127.0.0.1) pass --insecure"
        } else {
            ""
        };
        anyhow!("cannot reach the registry {} ({e}){hint}", self.host)
    }

    /// The Authorization header for a challenge: a token from the realm (anonymous or with stored
    /// credentials), or the stored credentials themselves for basic auth.
    fn authorize(&self, challenge: Option<Challenge>) -> Result<String> {
        let stored = stored_auth(&self.host);
        let Some(challenge) = challenge else {
            bail!(
                "{}: the registry wants authentication but sent no WWW-Authenticate challenge",
                self.host
            );
        };
        match challenge.scheme.as_str() {
            "basic" => stored.map(|auth| format!("Basic {auth}")).ok_or_else(|| {
                anyhow!(
                    "{}: the registry needs a login; run `docker login {}` first",
                    self.host,
                    self.host
                )
            }),
            "bearer" => {
                let realm = challenge.params.get("realm").ok_or_else(|| {
                    anyhow!(
                        "{}: the registry's token challenge names no realm",
                        self.host
                    )
                })?;
                let scope = format!("repository:{}:pull", self.repository);
                let mut request = self.agent.get(realm).query("scope", &scope);
                if let Some(service) = challenge.params.get("service") {
                    request = request.query("service", service);
                }
                if let Some(auth) = &stored {
                    request = request.header("Authorization", format!("Basic {auth}"));
                }
                let mut response = request.call().map_err(|e| self.unreachable(realm, e))?;
                let body = read_body(&mut response)?;
                if response.status() != 200 {
                    bail!(
                        "{}: the token service {realm} refused ({}, {})",
                        self.host,
                        response.status(),
                        registry_says(&body, "no details")
                    );
                }
                let json: serde_json::Value = serde_json::from_slice(&body)
                    .map_err(|e| anyhow!("{}: the token service sent no JSON ({e})", self.host))?;
                let token = ["token", "access_token"]
                    .iter()
                    .find_map(|k| json.get(k).and_then(|t| t.as_str()))
                    .ok_or_else(|| anyhow!("{}: the token service sent no token", self.host))?;
                Ok(format!("Bearer {token}"))
            }
            other => bail!(
                "{}: the registry asks for {other:?} authentication, which mab cannot do",
                self.host
            ),
        }
    }
}

/// A reply's body, at most [`BODY_LIMIT`] bytes.
fn read_body(response: &mut ureq::http::Response<ureq::Body>) -> Result<Vec<u8>, ureq::Error> {
    response
        .body_mut()
        .with_config()
        .limit(BODY_LIMIT)
        .read_to_vec()
}

/// The first message of a registry's error body (distribution's `{"errors":[{"code","message"}]}`).
fn registry_says(body: &[u8], otherwise: &str) -> String {
    serde_json::from_slice::<oci_spec::distribution::ErrorResponse>(body)
        .ok()
        .and_then(|r| r.errors().first().and_then(|e| e.message().clone()))
        .unwrap_or_else(|| otherwise.to_string())
}

/// Credentials `docker login` or `podman login` stored for a registry, if any.
fn stored_auth(registry: &str) -> Option<String> {
    let env = |name: &str| std::env::var_os(name).map(PathBuf::from);
    let files = [
        env("DOCKER_CONFIG").map(|d| d.join("config.json")),
        env("HOME").map(|h| h.join(".docker/config.json")),
        env("REGISTRY_AUTH_FILE"),
        env("XDG_RUNTIME_DIR").map(|d| d.join("containers/auth.json")),
    ];
    files.into_iter().flatten().find_map(|path| {
        let text = std::fs::read(&path).ok()?;
        let json: serde_json::Value = serde_json::from_slice(&text).ok()?;
        registry::stored_auth(&json, registry)
    })
}
