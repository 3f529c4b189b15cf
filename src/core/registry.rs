//! The parts of talking to an image registry that need no network: which credentials apply to a registry
//! (docker's and podman's auth files), the `WWW-Authenticate` challenge a registry answers 401 with, and
//! content digests. `cmd::manifest` does the HTTP.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Where an image reference's registry is when it names none: Docker Hub.
pub const DOCKER_HUB: &str = "docker.io";

/// The registry an image reference (`[registry[:port]/]path[:tag]`) names, by docker's rule: the first part
/// is a registry when it has a dot or a port, or is localhost. `None` means Docker Hub ([`DOCKER_HUB`]).
pub fn registry_of(image: &str) -> Option<&str> {
    match image.split_once('/') {
        Some((host, _)) if host.contains(['.', ':']) || host == "localhost" => Some(host),
        _ => None,
    }
}

/// A registry's answer to an anonymous request: how to authenticate (distribution's token auth, or
/// basic auth), with the challenge's parameters (`realm`, `service`, `scope`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: String,
    pub params: BTreeMap<String, String>,
}

/// Parses one `WWW-Authenticate` value: `Bearer realm="https://auth/token",service="reg",scope="a:b:pull,push"`.
/// Quoted values may hold commas and escaped quotes. None if there is no scheme.
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, mut rest) = header.split_once(' ').unwrap_or((header, ""));
    if scheme.is_empty() {
        return None;
    }
    let mut params = BTreeMap::new();
    loop {
        rest = rest.trim_start_matches([' ', ',']);
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let (value, after) = match after.strip_prefix('"') {
            Some(quoted) => {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => value.extend(chars.next().map(|(_, c)| c)),
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        c => value.push(c),
                    }
                }
                (value, &quoted[end..])
            }
            None => {
                let end = after.find(',').unwrap_or(after.len());
                (after[..end].trim().to_string(), &after[end..])
            }
        };
        params.insert(key.trim().to_ascii_lowercase(), value);
        rest = after;
    }
    Some(Challenge {
        scheme: scheme.to_ascii_lowercase(),
        params,
    })
}

/// The `auth` value (base64 of `user:password`, what a Basic header carries) that a docker
/// `config.json` or a containers `auth.json` holds for a registry. Docker Hub is filed under its old
/// index address; other registries under their host, sometimes written as a URL.
pub fn stored_auth(auth_file: &serde_json::Value, registry: &str) -> Option<String> {
    let auths = auth_file.get("auths")?.as_object()?;
    let hub = [DOCKER_HUB, "index.docker.io", "registry-1.docker.io"].contains(&registry);
    auths.iter().find_map(|(key, entry)| {
        let host = key
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or("");
        let matches = host == registry || (hub && host == "index.docker.io");
        let auth = entry.get("auth")?.as_str()?;
        (matches && !auth.is_empty()).then(|| auth.to_string())
    })
}

/// `sha256:<hex>` of some bytes.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Whether bytes fetched by digest are what the digest names. Only sha256 is checked; a registry
/// using another algorithm is trusted as docker trusts it.
pub fn digest_matches(digest: &str, bytes: &[u8]) -> bool {
    !digest.starts_with("sha256:") || sha256_digest(bytes) == digest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_parse_with_quoted_commas() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:me/app:pull,push""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.docker.io/token");
        assert_eq!(c.params["service"], "registry.docker.io");
        assert_eq!(c.params["scope"], "repository:me/app:pull,push");

        let c = parse_challenge(r#"Basic realm="Registry \"Realm\"""#).unwrap();
        assert_eq!(c.scheme, "basic");
        assert_eq!(c.params["realm"], r#"Registry "Realm""#);
        assert_eq!(parse_challenge("Basic").unwrap().params.len(), 0);
        assert_eq!(
            parse_challenge("Bearer realm=https://x/t, service=x")
                .unwrap()
                .params["service"],
            "x"
        );
        assert_eq!(parse_challenge(""), None);
        // Unterminated quotes and stray text end the parameters, never panic.
        for odd in [
            r#"Bearer realm="x"#,
            "Bearer ,,,",
            "Bearer =",
            "Bearer a=\"\\",
            "é é=\"é",
        ] {
            parse_challenge(odd);
        }
    }

    #[test]
    fn stored_credentials_match_the_registry_host() {
        let file: serde_json::Value = serde_json::from_str(
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"aHViOnB3"},"127.0.0.1:5000":{"auth":"bG86cHc="},
                "ghcr.io":{"auth":""}}}"#,
        )
        .unwrap();
        assert_eq!(stored_auth(&file, "docker.io").as_deref(), Some("aHViOnB3"));
        assert_eq!(
            stored_auth(&file, "127.0.0.1:5000").as_deref(),
            Some("bG86cHc=")
        );
        assert_eq!(stored_auth(&file, "127.0.0.1:5001"), None);
        assert_eq!(stored_auth(&file, "ghcr.io"), None);
        assert_eq!(
            stored_auth(&serde_json::json!({"auths": 3}), "ghcr.io"),
            None
        );
    }

    #[test]
    fn digests() {
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(digest_matches(&sha256_digest(b"x"), b"x"));
        assert!(!digest_matches(&sha256_digest(b"x"), b"y"));
    }
}
