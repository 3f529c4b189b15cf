//! `mab manifest check` against a real registry: Debian's `docker-registry` (distribution 2.8) on
//! 127.0.0.1 with its storage in a temp dir, filled through the registry API with small hand-made images
//! whose index and configs say exactly what each test needs. The docker and podman routes that make real
//! images are in tests/e2e/publish.sh.

use crate::common::{mab, require_tool, run, temp_path};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const PLATFORMS: &str = "linux/amd64,linux/arm64,linux/arm/v7";

/// A registry process of one test, stopped and its storage removed when dropped (also when the test
/// fails). `helpers` are other processes of the test (a token service), stopped with it.
struct Registry {
    child: Child,
    addr: String,
    dir: PathBuf,
    helpers: Vec<Child>,
}

impl Drop for Registry {
    fn drop(&mut self) {
        for child in self.helpers.iter_mut().chain([&mut self.child]) {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts a registry that wants no authentication.
fn registry(name: &str) -> Option<Registry> {
    require_tool("docker-registry", &[])?;
    let dir = temp_path(&format!("registry-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let child = serve(&dir, &addr, "");
    let registry = Registry {
        child,
        addr,
        dir,
        helpers: Vec::new(),
    };
    registry.wait_ready();
    Some(registry)
}

/// `docker-registry serve` on `addr` with its storage in `dir` and an `auth:` section.
fn serve(dir: &Path, addr: &str, auth: &str) -> Child {
    let config = format!(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n{auth}",
        dir.join("data").display()
    );
    std::fs::write(dir.join("config.yml"), config).unwrap();
    let log = std::fs::File::create(dir.join("log")).unwrap();
    Command::new("docker-registry")
        .arg("serve")
        .arg(dir.join("config.yml"))
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap()
}

impl Registry {
    fn wait_ready(&self) {
        for _ in 0..100 {
            if ureq::get(format!("http://{}/v2/", self.addr))
                .config()
                .http_status_as_error(false)
                .build()
                .call()
                .is_ok()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "docker-registry did not start: {}",
            std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
        );
    }

    /// Serves the same storage again, now wanting the authentication `auth` configures. (Content is
    /// pushed before, without it.)
    fn restart_with_auth(&mut self, auth: &str) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = serve(&self.dir, &self.addr, auth);
        self.wait_ready();
    }

    /// Basic auth for user `mab`, password `secret`.
    fn require_htpasswd(&mut self) -> Option<()> {
        let tool = require_tool("htpasswd", &[])?;
        let out = Command::new(tool)
            .args(["-Bbn", "mab", "secret"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let file = self.dir.join("htpasswd");
        std::fs::write(&file, out.stdout).unwrap();
        self.restart_with_auth(&format!(
            "auth:\n  htpasswd:\n    realm: mab-test\n    path: {}\n",
            file.display()
        ));
        Some(())
    }

    /// Distribution's token auth, with tests/cli/token_server.py as the token service (anonymous pulls,
    /// or user `mab`, password `secret`).
    fn require_tokens(&mut self) -> Option<()> {
        let openssl = require_tool("openssl", &[])?;
        let python = require_tool("python3", &[])?;
        let (key, cert) = (self.dir.join("key.pem"), self.dir.join("cert.pem"));
        let made = Command::new(openssl)
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=mab-test",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(made.success(), "openssl req failed");
        let port_file = self.dir.join("token-port");
        let log = std::fs::File::create(self.dir.join("token.log")).unwrap();
        self.helpers.push(
            Command::new(python)
                .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/token_server.py"))
                .args([&port_file, &key, &cert])
                .args(["mab-issuer", "mab-test"])
                .stderr(log)
                .spawn()
                .unwrap(),
        );
        let port = (0..100)
            .find_map(|_| {
                std::thread::sleep(Duration::from_millis(50));
                std::fs::read_to_string(&port_file).ok()
            })
            .expect("the token service did not start");
        self.restart_with_auth(&format!(
            "auth:\n  token:\n    realm: http://127.0.0.1:{port}/token\n    service: mab-test\n    issuer: mab-issuer\n    rootcertbundle: {}\n",
            cert.display()
        ));
        Some(())
    }

    fn token_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("token.log")).unwrap_or_default()
    }
}

fn sha256(bytes: &[u8]) -> String {
    mab::core::registry::sha256_digest(bytes)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

impl Registry {
    fn put_blob(&self, repo: &str, bytes: &[u8]) -> String {
        let digest = sha256(bytes);
        let agent = agent();
        let start = agent
            .post(format!("http://{}/v2/{repo}/blobs/uploads/", self.addr))
            .send_empty()
            .unwrap();
        assert_eq!(start.status(), 202, "starting a blob upload");
        let location = start.headers()["location"].to_str().unwrap().to_string();
        let location = if location.starts_with('/') {
            format!("http://{}{location}", self.addr)
        } else {
            location
        };
        let sep = if location.contains('?') { '&' } else { '?' };
        let done = agent
            .put(format!("{location}{sep}digest={digest}"))
            .header("Content-Type", "application/octet-stream")
            .send(bytes)
            .unwrap();
        assert_eq!(done.status(), 201, "finishing a blob upload");
        digest
    }

    fn put_manifest(&self, repo: &str, reference: &str, media_type: &str, body: &str) -> String {
        let response = agent()
            .put(format!(
                "http://{}/v2/{repo}/manifests/{reference}",
                self.addr
            ))
            .header("Content-Type", media_type)
            .send(body.as_bytes())
            .unwrap();
        assert_eq!(response.status(), 201, "pushing a manifest: {body}");
        sha256(body.as_bytes())
    }

    /// An image whose config names `platform`: returns its descriptor's fields (digest, size).
    fn image(&self, repo: &str, platform: &str) -> (String, usize) {
        let parts: Vec<&str> = platform.split('/').collect();
        let variant = parts
            .get(2)
            .map(|v| format!(r#","variant":"{v}""#))
            .unwrap_or_default();
        let config = format!(
            r#"{{"architecture":"{}","os":"{}"{variant},"rootfs":{{"type":"layers","diff_ids":[]}}}}"#,
            parts[1], parts[0]
        );
        let config_digest = self.put_blob(repo, config.as_bytes());
        let layer = format!("a layer for {platform}");
        let layer_digest = self.put_blob(repo, layer.as_bytes());
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config_digest}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{layer_digest}","size":{}}}]}}"#,
            config.len(),
            layer.len()
        );
        let digest = sha256(manifest.as_bytes());
        self.put_manifest(repo, &digest, OCI_MANIFEST, &manifest);
        (digest, manifest.len())
    }

    /// Pushes an index under `tag`: each entry is (image, the platform the index lists it under).
    fn index(
        &self,
        repo: &str,
        tag: &str,
        media_type: &str,
        entries: &[(&(String, usize), &str)],
    ) -> String {
        let manifests: Vec<String> = entries
            .iter()
            .map(|((digest, size), platform)| {
                let parts: Vec<&str> = platform.split('/').collect();
                let variant = parts
                    .get(2)
                    .map(|v| format!(r#","variant":"{v}""#))
                    .unwrap_or_default();
                format!(
                    r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{digest}","size":{size},"platform":{{"os":"{}","architecture":"{}"{variant}}}}}"#,
                    parts[0], parts[1]
                )
            })
            .collect();
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{media_type}","manifests":[{}]}}"#,
            manifests.join(",")
        );
        self.put_manifest(repo, tag, media_type, &body)
    }

    fn check(&self, image: &str, platforms: &str) -> (i32, String, String) {
        run(mab()
            .args(["manifest", "check", "--insecure", "--platforms", platforms])
            .arg(format!("{}/{image}", self.addr)))
    }
}

/// A registry holding `app`'s three platforms under `good` (an OCI index) and `list` (a Docker list).
fn three_platforms(name: &str) -> Option<(Registry, Vec<(String, usize)>)> {
    let reg = registry(name)?;
    let images: Vec<(String, usize)> = PLATFORMS.split(',').map(|p| reg.image("app", p)).collect();
    let listed: Vec<(&(String, usize), &str)> = images.iter().zip(PLATFORMS.split(',')).collect();
    reg.index("app", "good", OCI_INDEX, &listed);
    reg.index("app", "list", DOCKER_LIST, &listed);
    Some((reg, images))
}

#[test]
fn a_complete_index_passes_and_names_every_digest() {
    let Some((reg, images)) = three_platforms("complete") else {
        return;
    };
    for tag in ["good", "list"] {
        let (code, out, err) = reg.check(&format!("app:{tag}"), PLATFORMS);
        assert_eq!(code, 0, "{tag}: {out}{err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert!(lines[0].starts_with(&format!("{}/app:{tag}: index sha256:", reg.addr)));
        for (line, (platform, (digest, _))) in
            lines[1..].iter().zip(PLATFORMS.split(',').zip(&images))
        {
            assert_eq!(*line, format!("ok {platform} {digest}"));
        }
    }
    // By digest: the index the tag names.
    let (_, out, _) = reg.check("app:good", PLATFORMS);
    let index = out.split_whitespace().nth(2).unwrap().to_string();
    let (code, out, err) = reg.check(&format!("app@{index}"), PLATFORMS);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("index {index} ")), "{out}");
    // The same platforms, spelled otherwise and in another order.
    let (code, _, err) = reg.check("app:good", "arm,aarch64,linux/x86_64");
    assert_eq!(code, 0, "{err}");
}

#[test]
fn an_image_that_is_not_what_was_asked_for_fails_with_exit_1() {
    let Some((reg, images)) = three_platforms("wrong") else {
        return;
    };
    let s390x = reg.image("app", "linux/s390x");
    let (amd64, arm64, armv7) = (&images[0], &images[1], &images[2]);
    reg.index(
        "app",
        "missing",
        OCI_INDEX,
        &[(amd64, "linux/amd64"), (arm64, "linux/arm64")],
    );
    reg.index(
        "app",
        "liar",
        OCI_INDEX,
        &[
            (amd64, "linux/amd64"),
            (amd64, "linux/arm64"),
            (armv7, "linux/arm/v7"),
        ],
    );
    reg.index(
        "app",
        "twice",
        OCI_INDEX,
        &[
            (amd64, "linux/amd64"),
            (arm64, "linux/arm64"),
            (arm64, "linux/arm64"),
            (armv7, "linux/arm/v7"),
        ],
    );
    reg.index(
        "app",
        "extra",
        OCI_INDEX,
        &[
            (amd64, "linux/amd64"),
            (arm64, "linux/arm64"),
            (armv7, "linux/arm/v7"),
            (&s390x, "linux/s390x"),
        ],
    );
    let cases = [
        ("missing", "linux/arm/v7: not in the image".to_string()),
        (
            "liar",
            format!(
                "linux/arm64: the image listed for it ({}) says linux/amd64 in its config",
                amd64.0
            ),
        ),
        (
            "twice",
            format!("linux/arm64: listed 2 times ({}, {})", arm64.0, arm64.0),
        ),
        (
            "extra",
            format!("linux/s390x: listed ({}) but not asked for", s390x.0),
        ),
        (
            "nope",
            "no such image in the registry (manifest unknown)".to_string(),
        ),
    ];
    for (tag, problem) in cases {
        let (code, out, err) = reg.check(&format!("app:{tag}"), PLATFORMS);
        assert_eq!(code, 1, "{tag}: {out}{err}");
        assert!(err.contains(&problem), "{tag}: want {problem:?} in {err:?}");
        assert!(
            !out.contains("arm64") || tag != "liar",
            "the liar's arm64 is not ok: {out}"
        );
    }
    // Asking for a platform the good index lacks is the same failure.
    let (code, _, err) = reg.check("app:good", &format!("{PLATFORMS},linux/riscv64"));
    assert_eq!(
        (code, err.trim_end()),
        (
            1,
            format!(
                "mab: {}/app:good: linux/riscv64: not in the image",
                reg.addr
            )
            .as_str()
        )
    );
}

#[test]
fn a_registry_that_cannot_be_read_is_exit_2() {
    let closed = format!("127.0.0.1:{}/app:1", free_port());
    let (code, _, err) = run(mab().args([
        "manifest",
        "check",
        "--insecure",
        "--platforms",
        PLATFORMS,
        &closed,
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot reach the registry"), "{err}");

    let Some(reg) = registry("plain") else {
        return;
    };
    // HTTPS against a plain-HTTP registry: the error says what to pass.
    let (code, _, err) = run(mab().args([
        "manifest",
        "check",
        "--platforms",
        PLATFORMS,
        &format!("{}/app:1", reg.addr),
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("pass --insecure"), "{err}");

    for (image, platforms, want) in [
        ("App:1", PLATFORMS, "no image reference"),
        ("app:$(id)", PLATFORMS, "no image reference"),
        ("app:1", "linux/vax", "linux/vax"),
        (
            "app:1",
            "linux/arm64,aarch64",
            "the same platform (linux/arm64)",
        ),
        ("app:1", "", "--platforms"),
    ] {
        let (code, _, err) = reg.check(image, platforms);
        assert_eq!(code, 2, "{image} {platforms}: {err}");
        assert!(
            err.contains(want) && err.lines().count() == 1,
            "{image} {platforms}: {err}"
        );
    }
}

/// Runs the check of `app:good` with docker's logins read from `config` (a directory).
fn check_logged_in(reg: &Registry, config: &Path) -> (i32, String, String) {
    run(mab()
        .env("DOCKER_CONFIG", config)
        .env("HOME", config)
        .env_remove("REGISTRY_AUTH_FILE")
        .env_remove("XDG_RUNTIME_DIR")
        .args(["manifest", "check", "--insecure", "--platforms", PLATFORMS])
        .arg(format!("{}/app:good", reg.addr)))
}

/// A docker config directory holding a login for the registry, as `docker login` writes it.
fn login(reg: &Registry, user_password: &str) -> PathBuf {
    let dir = reg
        .dir
        .join(format!("docker-{}", user_password.replace(':', "-")));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.json"),
        format!(
            r#"{{"auths":{{"{}":{{"auth":"{}"}}}}}}"#,
            reg.addr,
            base64(user_password)
        ),
    )
    .unwrap();
    dir
}

#[test]
fn basic_auth_uses_the_credentials_docker_login_stores() {
    let Some((mut reg, _)) = three_platforms("basic") else {
        return;
    };
    let Some(()) = reg.require_htpasswd() else {
        return;
    };
    let (code, _, err) = check_logged_in(&reg, &reg.dir.join("nowhere"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("docker login"), "{err}");

    let (code, _, err) = check_logged_in(&reg, &login(&reg, "mab:wrong"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("access denied"), "{err}");

    let (code, out, err) = check_logged_in(&reg, &login(&reg, "mab:secret"));
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn token_auth_fetches_a_pull_token_from_the_realm() {
    let Some((mut reg, _)) = three_platforms("token") else {
        return;
    };
    let Some(()) = reg.require_tokens() else {
        return;
    };
    // Anonymous: the token service is asked for exactly a pull of the repository.
    let (code, out, err) = check_logged_in(&reg, &reg.dir.join("nowhere"));
    assert_eq!(code, 0, "{out}{err}\n{}", reg.token_log());
    assert!(
        reg.token_log()
            .contains("token: scope=repository%3Aapp%3Apull&service=mab-test anonymous"),
        "{}",
        reg.token_log()
    );
    // With a login, the token service gets it as basic auth.
    let (code, out, err) = check_logged_in(&reg, &login(&reg, "mab:secret"));
    assert_eq!(code, 0, "{out}{err}\n{}", reg.token_log());
    assert!(reg.token_log().contains("Basic bWFiOnNlY3JldA=="));
    let (code, _, err) = check_logged_in(&reg, &login(&reg, "mab:wrong"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("token service") && err.contains("refused (401"),
        "{err}"
    );
}

/// What `docker login` stores: base64 of `user:password` (coreutils' base64).
fn base64(text: &str) -> String {
    let mut child = Command::new("base64")
        .arg("-w0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
}
