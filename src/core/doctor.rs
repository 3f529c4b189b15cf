//! `mab doctor`'s decisions: the build machine's state for multi-platform work, as checks that are each
//! ok, warn or fail, with the fix when not ok. Pure: `cmd::doctor` gathers the [`Facts`] (what programs
//! answered, the binfmt_misc entries, free space) and prints what [`checks`] makes of them. Programs'
//! answers are kept as they printed them, so the tests here read real output.

use super::platform::Platform;
use serde::Serialize;
use std::fmt;

/// qemu-user older than this has known crashes running Go >= 1.21 programs. Approximate: not pinned to
/// one upstream fix. Debian 12 ships 7.2, Ubuntu 22.04 6.2.
pub const QEMU_MIN: Version = Version(7, 0, 0);

/// The first podman and buildah taken to define BUILDPLATFORM for `FROM --platform=$BUILDPLATFORM`.
/// Approximate: Debian 12's podman 4.3.1 / buildah 1.28.2 leave it empty (tests/e2e/publish.sh builds the
/// trap's fixture with them), and no release note naming the fix was found (searched podman's and
/// buildah's issues); 4.4 and 1.29 are the releases after those, early 2023.
pub const PODMAN_FIXED: Version = Version(4, 4, 0);
pub const BUILDAH_FIXED: Version = Version(1, 29, 0);

const GIB: u64 = 1 << 30;
/// Free space on Docker's data root below which builds are likely to run out (a few toolchain images and
/// BuildKit's cache for three platforms).
pub const DISK_WARN_BELOW: u64 = 10 * GIB;
/// Below this, the next image pull or layer export is likely to fail.
pub const DISK_FAIL_BELOW: u64 = 2 * GIB;

/// The one `docker info` question doctor asks, answered as one JSON object that [`checks`] reads: the
/// storage driver (`overlayfs` for the containerd store's snapshotter), its status pairs (the containerd
/// store says `driver-type io.containerd.snapshotter.v1`) and the data root.
pub const DOCKER_INFO_FORMAT: &str =
    r#"{"driver":{{json .Driver}},"status":{{json .DriverStatus}},"root":{{json .DockerRootDir}}}"#;

/// The containerd image store's marker in `docker info`'s DriverStatus.
const CONTAINERD_SNAPSHOTTER: &str = "io.containerd.snapshotter.v1";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        })
    }
}

/// One line of doctor's report (`--json` prints these as they are).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    pub detail: String,
    /// What to do about it; `None` when ok.
    pub fix: Option<String>,
}

/// What a program said when asked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Answer {
    /// Not asked: what the question needs was not there (no daemon answered).
    #[default]
    NotAsked,
    /// The program is not on PATH.
    Missing,
    /// It exited 0: its stdout.
    Ok(String),
    /// It exited otherwise, or could not start: the first line of its stderr, or its status.
    Failed(String),
    /// It did not finish within the time limit and was killed.
    TimedOut,
}

impl Answer {
    fn ok(&self) -> Option<&str> {
        match self {
            Answer::Ok(out) => Some(out),
            _ => None,
        }
    }

    /// Whether the program is there at all (whatever it answered).
    fn present(&self) -> bool {
        !matches!(self, Answer::NotAsked | Answer::Missing)
    }
}

/// One file of /proc/sys/fs/binfmt_misc (`status` and `register` left out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BinfmtEntry {
    pub name: String,
    pub text: String,
}

/// Free space where Docker keeps its images.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disk {
    pub path: String,
    /// Bytes an unprivileged writer can still use (statvfs's f_bavail × f_frsize).
    pub free: u64,
}

/// The build machine as doctor found it. Every program answer is what that program printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The build machine's platform (`linux/amd64`), for the podman fix's `--build-arg`.
    pub build_platform: String,
    /// How long each program was given, in seconds (said when one timed out).
    pub limit_secs: u64,
    pub docker_host: Option<String>,
    /// Where `docker` is on PATH.
    pub docker_program: Option<String>,
    /// `docker version --format '{{.Server.Version}}'`.
    pub docker: Answer,
    /// `docker buildx version`.
    pub buildx: Answer,
    /// `docker info --format DOCKER_INFO_FORMAT` (asked only when the daemon answered).
    pub docker_info: Answer,
    /// The entries of /proc/sys/fs/binfmt_misc; `None` when it is not mounted.
    pub binfmt: Option<Vec<BinfmtEntry>>,
    /// The qemu program asked (`qemu-aarch64-static`), and its `--version`.
    pub qemu_program: String,
    pub qemu: Answer,
    /// `podman --version`, `buildah --version`.
    pub podman: Answer,
    pub buildah: Answer,
    /// `dpkg --print-foreign-architectures`, `apt-mark showhold`.
    pub foreign_architectures: Answer,
    pub holds: Answer,
    pub disk: Option<Disk>,
    /// The image mab's generated Dockerfiles pull, the engine asked about it, and its answer to
    /// `image inspect`.
    pub mab_image: String,
    pub mab_image_engine: &'static str,
    pub mab_image_local: Answer,
}

/// A version as tools print them: major.minor[.patch], the rest (`+dfsg1`, `-rc1`) ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// The first word of `text` that reads as a version: `4.3.1` in "podman version 4.3.1", `0.13.1` in
    /// "github.com/docker/buildx v0.13.1 …", `7.2.13` in "qemu-aarch64 version 7.2.13 (Debian 1:7.2+…)".
    pub fn find(text: &str) -> Option<Version> {
        text.split_whitespace().find_map(Version::word)
    }

    fn word(word: &str) -> Option<Version> {
        let word = word.strip_prefix('v').unwrap_or(word);
        let mut parts = [0u32; 3];
        let mut n = 0;
        for piece in word.split('.') {
            let digits = piece.len() - piece.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if digits == 0 {
                break;
            }
            parts[n] = piece[..digits].parse().ok()?;
            n += 1;
            if digits < piece.len() || n == parts.len() {
                break;
            }
        }
        (n >= 2).then_some(Version(parts[0], parts[1], parts[2]))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// Every check, in the order doctor prints them.
pub fn checks(facts: &Facts) -> Vec<Check> {
    vec![
        docker(facts),
        buildkit(facts),
        image_store(facts),
        binfmt(facts),
        qemu(facts),
        podman(facts),
        foreign_architectures(facts),
        holds(facts),
        disk(facts),
        mab_image(facts),
    ]
}

fn check(name: &'static str, status: Status, detail: impl Into<String>) -> Check {
    Check {
        name,
        status,
        detail: detail.into(),
        fix: None,
    }
}

fn with_fix(mut check: Check, fix: impl Into<String>) -> Check {
    check.fix = Some(fix.into());
    check
}

fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

/// Which daemon the docker client talks to, as the user would set it.
fn daemon(facts: &Facts) -> String {
    match &facts.docker_host {
        Some(host) => format!("DOCKER_HOST={host}"),
        None => "DOCKER_HOST unset".to_string(),
    }
}

fn timed_out(facts: &Facts, what: &str) -> String {
    format!("`{what}` did not answer within {} s", facts.limit_secs)
}

fn docker(facts: &Facts) -> Check {
    const NAME: &str = "docker";
    let program = facts.docker_program.as_deref().unwrap_or("docker");
    match &facts.docker {
        Answer::Ok(version) => check(
            NAME,
            Status::Ok,
            format!("daemon {} ({program})", first_line(version)),
        ),
        Answer::NotAsked | Answer::Missing if facts.podman.present() => check(
            NAME,
            Status::Ok,
            "not installed; podman is the engine (`mab gen publish --engine podman`)",
        ),
        Answer::NotAsked | Answer::Missing => with_fix(
            check(NAME, Status::Fail, "neither docker nor podman is installed"),
            "install Docker (Debian: apt-get install docker.io docker-buildx) or podman (apt-get install podman)",
        ),
        Answer::Failed(why) => {
            let fix = if why.to_ascii_lowercase().contains("permission denied") {
                "add your user to the docker group (sudo usermod -aG docker $USER, then log in again), or run as root"
                    .to_string()
            } else if facts.docker_host.is_some() {
                "start the daemon DOCKER_HOST names, or unset DOCKER_HOST to use the local one".to_string()
            } else {
                "start dockerd (sudo systemctl start docker), or set DOCKER_HOST to a running daemon"
                    .to_string()
            };
            with_fix(
                check(
                    NAME,
                    Status::Warn,
                    format!(
                        "client {program}, daemon unreachable ({}): {why}",
                        daemon(facts)
                    ),
                ),
                fix,
            )
        }
        Answer::TimedOut => with_fix(
            check(
                NAME,
                Status::Warn,
                format!(
                    "client {program}, daemon hung ({}): {}",
                    daemon(facts),
                    timed_out(facts, "docker version")
                ),
            ),
            "restart dockerd (sudo systemctl restart docker), or point DOCKER_HOST at a daemon that answers",
        ),
    }
}

fn buildkit(facts: &Facts) -> Check {
    const NAME: &str = "buildkit";
    if !facts.docker.present() {
        let detail = if facts.podman.present() {
            "not used: podman builds with its own buildah"
        } else {
            "not checked: no docker"
        };
        return check(NAME, Status::Ok, detail);
    }
    let fix = "install docker-buildx (Debian: apt-get install docker-buildx)";
    let legacy =
        "`docker build` falls back to the legacy builder, which leaves $BUILDPLATFORM empty and \
                  has no RUN --mount";
    match &facts.buildx {
        Answer::Ok(out) => match Version::find(out) {
            Some(version) => check(
                NAME,
                Status::Ok,
                format!("buildx {version} (`docker build` is `docker buildx build`)"),
            ),
            None => check(NAME, Status::Ok, format!("buildx: {}", first_line(out))),
        },
        Answer::TimedOut => with_fix(
            check(
                NAME,
                Status::Warn,
                timed_out(facts, "docker buildx version"),
            ),
            fix,
        ),
        // Docker >= 23 has BuildKit built into the daemon as its default builder, but the docker CLI
        // reaches it only through the buildx plugin: without it the CLI builds with the legacy builder (or,
        // with DOCKER_BUILDKIT=1, refuses: "BuildKit is enabled but the buildx component is missing").
        _ => {
            let daemon = facts.docker.ok().and_then(Version::find);
            let detail = match daemon {
                Some(v) if v >= Version(23, 0, 0) => format!(
                    "no buildx plugin: the Docker {v} daemon has BuildKit built in, but the docker CLI \
                     reaches it only through buildx; without it {legacy}"
                ),
                Some(v) => format!(
                    "no buildx plugin, and the Docker {v} daemon builds with the legacy builder by \
                     default: {legacy}"
                ),
                None => format!("no buildx plugin: {legacy}"),
            };
            with_fix(check(NAME, Status::Warn, detail), fix)
        }
    }
}

/// `docker info`'s answer to [`DOCKER_INFO_FORMAT`].
#[derive(serde::Deserialize)]
struct DockerInfo {
    driver: Option<String>,
    status: Option<Vec<Vec<String>>>,
    root: Option<String>,
}

fn docker_info(facts: &Facts) -> Option<DockerInfo> {
    serde_json::from_str(facts.docker_info.ok()?.trim()).ok()
}

/// Docker's data root in `docker info`'s answer to [`DOCKER_INFO_FORMAT`], for the disk check's path.
pub fn docker_root(docker_info: &Answer) -> Option<String> {
    serde_json::from_str::<DockerInfo>(docker_info.ok()?.trim())
        .ok()?
        .root
        .filter(|r| !r.is_empty())
}

fn image_store(facts: &Facts) -> Check {
    const NAME: &str = "image-store";
    if facts.docker.ok().is_none() {
        let why = if facts.docker.present() {
            "not checked: the docker daemon did not answer"
        } else {
            "not checked: no docker"
        };
        return check(NAME, Status::Ok, why);
    }
    let info = match &facts.docker_info {
        Answer::Ok(out) => match docker_info(facts) {
            Some(info) => info,
            None => {
                return check(
                    NAME,
                    Status::Warn,
                    format!("unreadable `docker info` answer: {}", first_line(out)),
                )
            }
        },
        Answer::TimedOut => return check(NAME, Status::Warn, timed_out(facts, "docker info")),
        Answer::Failed(why) => {
            return check(NAME, Status::Warn, format!("`docker info` failed: {why}"))
        }
        Answer::NotAsked | Answer::Missing => {
            return check(NAME, Status::Ok, "not checked: docker info was not asked")
        }
    };
    let driver = info.driver.as_deref().unwrap_or("unknown");
    let containerd = info
        .status
        .iter()
        .flatten()
        .flatten()
        .any(|s| s == CONTAINERD_SNAPSHOTTER);
    if containerd {
        check(
            NAME,
            Status::Ok,
            format!(
                "the containerd image store (snapshotter {driver}): multi-platform images can be loaded"
            ),
        )
    } else {
        with_fix(
            check(
                NAME,
                Status::Warn,
                format!(
                    "the classic image store (storage driver {driver}): `--load` of a multi-platform build \
                     needs the containerd image store, or a docker-container builder and --push instead"
                ),
            ),
            r#"set {"features": {"containerd-snapshotter": true}} in /etc/docker/daemon.json and restart dockerd (the default since Docker 29), or `docker buildx create --use --driver docker-container`"#,
        )
    }
}

/// A binfmt_misc entry's state: `enabled` on the first line, the F (fix-binary) flag on `flags:`.
struct Binfmt<'a> {
    name: &'a str,
    enabled: bool,
    fix_binary: bool,
}

impl<'a> Binfmt<'a> {
    fn read(entry: &'a BinfmtEntry) -> Binfmt<'a> {
        let mut lines = entry.text.lines().map(str::trim);
        let enabled = lines.next() == Some("enabled");
        let fix_binary = entry
            .text
            .lines()
            .find_map(|l| l.trim().strip_prefix("flags:"))
            .is_some_and(|flags| flags.contains('F'));
        Binfmt {
            name: &entry.name,
            enabled,
            fix_binary,
        }
    }

    /// The platforms whose programs this entry runs (`qemu-arm`: linux/arm/v7, v6, v5).
    fn platforms(&self) -> Vec<String> {
        let qemu = self.name.strip_prefix("qemu-").unwrap_or(self.name);
        Platform::all()
            .filter(|p| p.variant == p.row.variant && p.row.qemu == Some(qemu))
            .map(|p| p.to_string())
            .collect()
    }
}

fn binfmt(facts: &Facts) -> Check {
    const NAME: &str = "binfmt";
    let no_emulation = "only cross-compiling Dockerfiles (mab's) build for other platforms";
    let Some(entries) = &facts.binfmt else {
        return check(
            NAME,
            Status::Ok,
            format!("binfmt_misc is not mounted, so there is no emulation: {no_emulation}"),
        );
    };
    let qemu: Vec<Binfmt> = entries
        .iter()
        .filter(|e| e.name.starts_with("qemu-"))
        .map(Binfmt::read)
        .collect();
    let enabled: Vec<&Binfmt> = qemu.iter().filter(|e| e.enabled).collect();
    if enabled.is_empty() {
        let what = if qemu.is_empty() {
            "no qemu entries"
        } else {
            "qemu entries, all disabled"
        };
        return check(
            NAME,
            Status::Ok,
            format!("binfmt_misc has {what}, so there is no emulation: {no_emulation}"),
        );
    }
    let mut platforms: Vec<String> = Vec::new();
    let mut others = 0;
    for entry in &enabled {
        match entry.platforms() {
            found if found.is_empty() => others += 1,
            found => platforms.extend(found),
        }
    }
    let mut emulated = if platforms.is_empty() {
        "no platform mab builds".to_string()
    } else {
        platforms.join(", ")
    };
    if others > 0 {
        emulated.push_str(&format!(" (and {others} other qemu entries)"));
    }
    let names: Vec<&str> = enabled.iter().map(|e| e.name).collect();
    let without_f: Vec<&str> = enabled
        .iter()
        .filter(|e| !e.fix_binary)
        .map(|e| e.name)
        .collect();
    if without_f.is_empty() {
        check(
            NAME,
            Status::Ok,
            format!(
                "builds and containers emulate {emulated} ({}, with the F flag): fine for running \
                 images; mab's generated Dockerfiles do not need it",
                names.join(", ")
            ),
        )
    } else {
        with_fix(
            check(
                NAME,
                Status::Warn,
                format!(
                    "{emulated} registered for emulation, but {} lack the F flag: the interpreter is looked \
                     up inside each container, so emulated steps there fail",
                    without_f.join(", ")
                ),
            ),
            "register them with F: docker run --privileged --rm tonistiigi/binfmt --install all (or \
             Debian's qemu-user-static, which registers with F)",
        )
    }
}

fn qemu(facts: &Facts) -> Check {
    const NAME: &str = "qemu";
    let program = &facts.qemu_program;
    match &facts.qemu {
        Answer::NotAsked | Answer::Missing => check(
            NAME,
            Status::Ok,
            "no qemu-aarch64(-static) on PATH: mab's builds do not need it (to run foreign programs, \
             apt-get install qemu-user-static)",
        ),
        Answer::Ok(out) => {
            let line = first_line(out);
            match Version::find(line) {
                Some(v) if v < QEMU_MIN => with_fix(
                    check(
                        NAME,
                        Status::Warn,
                        format!(
                            "{line}: older than {}.{}, under which Go >= 1.21 programs are known to crash",
                            QEMU_MIN.0, QEMU_MIN.1
                        ),
                    ),
                    format!(
                        "install qemu-user-static >= {}.{} (Debian 12 has 7.2), or tonistiigi/binfmt's: docker \
                         run --privileged --rm tonistiigi/binfmt --install all",
                        QEMU_MIN.0, QEMU_MIN.1
                    ),
                ),
                Some(_) => check(NAME, Status::Ok, line),
                None => check(
                    NAME,
                    Status::Warn,
                    format!("`{program} --version` printed no version: {line}"),
                ),
            }
        }
        Answer::Failed(why) => check(
            NAME,
            Status::Warn,
            format!("`{program} --version` failed: {why}"),
        ),
        Answer::TimedOut => check(
            NAME,
            Status::Warn,
            timed_out(facts, &format!("{program} --version")),
        ),
    }
}

fn podman(facts: &Facts) -> Check {
    const NAME: &str = "podman";
    let podman = match &facts.podman {
        Answer::NotAsked | Answer::Missing => return check(NAME, Status::Ok, "not installed"),
        Answer::Failed(why) => {
            return check(
                NAME,
                Status::Warn,
                format!("`podman --version` failed: {why}"),
            )
        }
        Answer::TimedOut => return check(NAME, Status::Warn, timed_out(facts, "podman --version")),
        Answer::Ok(out) => out,
    };
    let Some(version) = Version::find(podman) else {
        return check(
            NAME,
            Status::Warn,
            format!(
                "`podman --version` printed no version: {}",
                first_line(podman)
            ),
        );
    };
    let buildah = facts.buildah.ok().and_then(Version::find);
    let mut shown = format!("podman {version}");
    if let Some(b) = buildah {
        shown.push_str(&format!(", buildah {b}"));
    }
    let trapped: Vec<String> = [
        (version < PODMAN_FIXED).then(|| format!("podman {version}")),
        buildah
            .filter(|b| *b < BUILDAH_FIXED)
            .map(|b| format!("buildah {b}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if trapped.is_empty() {
        return check(NAME, Status::Ok, shown);
    }
    let platform = if facts.build_platform.is_empty() {
        "linux/<arch>"
    } else {
        &facts.build_platform
    };
    with_fix(
        check(
            NAME,
            Status::Warn,
            format!(
                "{} {} BUILDPLATFORM empty, so `FROM --platform=$BUILDPLATFORM` takes the target's \
                 image and its steps run under emulation (or fail without it)",
                trapped.join(" and "),
                if trapped.len() == 1 { "leaves" } else { "leave" }
            ),
        ),
        format!(
            "pass --build-arg BUILDPLATFORM={platform} to podman build / buildah bud (as `mab gen publish \
             --engine podman` does), or upgrade to podman >= {}.{} / buildah >= {}.{}",
            PODMAN_FIXED.0, PODMAN_FIXED.1, BUILDAH_FIXED.0, BUILDAH_FIXED.1
        ),
    )
}

fn words(answer: &Answer) -> Vec<&str> {
    answer
        .ok()
        .map(|out| out.split_whitespace().collect())
        .unwrap_or_default()
}

fn foreign_architectures(facts: &Facts) -> Check {
    const NAME: &str = "dpkg-architectures";
    match &facts.foreign_architectures {
        Answer::NotAsked | Answer::Missing => check(
            NAME,
            Status::Ok,
            "no dpkg (not Debian or Ubuntu): nothing to check",
        ),
        Answer::Ok(_) => match words(&facts.foreign_architectures) {
            archs if archs.is_empty() => check(
                NAME,
                Status::Ok,
                "no foreign architectures (mab apt-get adds the target's when it installs)",
            ),
            archs => check(
                NAME,
                Status::Ok,
                format!("foreign architectures: {}", archs.join(", ")),
            ),
        },
        Answer::Failed(why) => check(
            NAME,
            Status::Warn,
            format!("`dpkg --print-foreign-architectures` failed: {why}"),
        ),
        Answer::TimedOut => check(
            NAME,
            Status::Warn,
            timed_out(facts, "dpkg --print-foreign-architectures"),
        ),
    }
}

/// Whether a held package gets in the way of a cross install: a foreign architecture's package, or one of
/// the build machine's that a target's `Multi-Arch: same` package must match version for version.
fn cross_relevant(package: &str, foreign: &[&str]) -> bool {
    let (name, arch) = package.split_once(':').unwrap_or((package, ""));
    foreign.contains(&arch)
        || matches!(name, "libc6" | "libc6-dev")
        || name
            .strip_prefix("gcc-")
            .is_some_and(|rest| rest.ends_with("-base"))
}

fn holds(facts: &Facts) -> Check {
    const NAME: &str = "apt-holds";
    match &facts.holds {
        Answer::NotAsked | Answer::Missing => check(
            NAME,
            Status::Ok,
            "no apt-mark (not Debian or Ubuntu): nothing to check",
        ),
        Answer::Failed(why) => check(
            NAME,
            Status::Warn,
            format!("`apt-mark showhold` failed: {why}"),
        ),
        Answer::TimedOut => check(NAME, Status::Warn, timed_out(facts, "apt-mark showhold")),
        Answer::Ok(_) => {
            let foreign = words(&facts.foreign_architectures);
            let held = words(&facts.holds);
            let relevant: Vec<&str> = held
                .iter()
                .copied()
                .filter(|p| cross_relevant(p, &foreign))
                .collect();
            if relevant.is_empty() {
                let detail = match held.len() {
                    0 => "no held packages".to_string(),
                    n => format!("{n} held, none in a cross install's way"),
                };
                return check(NAME, Status::Ok, detail);
            }
            with_fix(
                check(
                    NAME,
                    Status::Warn,
                    format!(
                        "held: {}: a target's libraries must match the build machine's version for version, \
                         so a cross install may be refused",
                        relevant.join(", ")
                    ),
                ),
                format!("apt-mark unhold {}", relevant.join(" ")),
            )
        }
    }
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / GIB as f64)
}

fn disk(facts: &Facts) -> Check {
    const NAME: &str = "disk";
    let Some(disk) = &facts.disk else {
        return check(
            NAME,
            Status::Warn,
            "cannot read the free space of Docker's data root, /var/lib/docker or /",
        );
    };
    let root = docker_root(&facts.docker_info);
    let what = if root.as_deref() == Some(&disk.path) {
        "Docker's data root"
    } else if disk.path == "/var/lib/docker" {
        "Docker's default data root"
    } else {
        "no Docker data root here"
    };
    let detail = format!("{} free on {} ({what})", gib(disk.free), disk.path);
    let fix =
        "free space (docker builder prune, docker image prune -a), or move Docker's data-root";
    if disk.free < DISK_FAIL_BELOW {
        with_fix(
            check(
                NAME,
                Status::Fail,
                format!("{detail}: below {}", gib(DISK_FAIL_BELOW)),
            ),
            fix,
        )
    } else if disk.free < DISK_WARN_BELOW {
        with_fix(
            check(
                NAME,
                Status::Warn,
                format!("{detail}: below {}", gib(DISK_WARN_BELOW)),
            ),
            fix,
        )
    } else {
        check(NAME, Status::Ok, detail)
    }
}

fn mab_image(facts: &Facts) -> Check {
    const NAME: &str = "mab-image";
    let image = &facts.mab_image;
    let engine = facts.mab_image_engine;
    let detail = match &facts.mab_image_local {
        Answer::Ok(_) => {
            format!("{image} (what mab's generated Dockerfiles pull) is in {engine}'s images")
        }
        Answer::Failed(_) => format!(
            "{image} (what mab's generated Dockerfiles pull) is not in {engine}'s images: the first build \
             pulls it"
        ),
        Answer::TimedOut => format!(
            "{image} (what mab's generated Dockerfiles pull): {}; builds pull it",
            timed_out(facts, &format!("{engine} image inspect"))
        ),
        Answer::NotAsked | Answer::Missing => format!(
            "{image} (what mab's generated Dockerfiles pull): not looked for (no engine answered); builds \
             pull it"
        ),
    };
    check(NAME, Status::Ok, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCKER_INFO_CONTAINERD: &str = r#"{"driver":"overlayfs","status":[["driver-type","io.containerd.snapshotter.v1"]],"root":"/var/lib/docker"}"#;
    const DOCKER_INFO_CLASSIC: &str = r#"{"driver":"overlay2","status":[["Backing Filesystem","extfs"],["Supports d_type","true"],["Using metacopy","false"],["Native Overlay Diff","true"],["userxattr","false"]],"root":"/srv/docker"}"#;

    fn ok(text: &str) -> Answer {
        Answer::Ok(text.to_string())
    }

    fn entry(name: &str, text: &str) -> BinfmtEntry {
        BinfmtEntry {
            name: name.to_string(),
            text: text.to_string(),
        }
    }

    const AARCH64_F: &str =
        "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\n\
                             offset 0\nmagic 7f454c460201010000000000000000000200b700\n\
                             mask ffffffffffffff00fffffffffffffffffeffffff\n";
    const ARM_NO_F: &str = "enabled\ninterpreter /usr/bin/qemu-arm-static\nflags: \noffset 0\n\
                            magic 7f454c4601010100000000000000000002002800\n";

    /// A machine where every check is ok.
    fn healthy() -> Facts {
        Facts {
            build_platform: "linux/amd64".into(),
            limit_secs: 5,
            docker_host: None,
            docker_program: Some("/usr/bin/docker".into()),
            docker: ok("27.5.1\n"),
            buildx: ok("github.com/docker/buildx 0.13.1 788433953af10f2a698f5c07611dcf8bbaa4d1b4\n"),
            docker_info: ok(DOCKER_INFO_CONTAINERD),
            binfmt: None,
            qemu_program: "qemu-aarch64-static".into(),
            qemu: ok("qemu-aarch64 version 7.2.13 (Debian 1:7.2+dfsg-7+deb12u7)\nCopyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n"),
            podman: Answer::Missing,
            buildah: Answer::Missing,
            foreign_architectures: ok("arm64\narmhf\n"),
            holds: ok(""),
            disk: Some(Disk {
                path: "/var/lib/docker".into(),
                free: 50 * GIB,
            }),
            mab_image: "ghcr.io/mab-build/mab:0.1".into(),
            mab_image_engine: "docker",
            mab_image_local: Answer::Failed("Error: No such image: ghcr.io/mab-build/mab:0.1".into()),
        }
    }

    /// The one check of that name.
    fn get(facts: &Facts, name: &str) -> Check {
        checks(facts)
            .into_iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no check {name}"))
    }

    /// The check's status, asserting that exactly the ones not ok have a fix.
    fn status(facts: &Facts, name: &str) -> Status {
        let c = get(facts, name);
        if c.status == Status::Ok {
            assert_eq!(c.fix, None, "{c:?}");
        }
        c.status
    }

    #[test]
    fn versions_are_read_from_real_output() {
        for (text, want) in [
            ("podman version 4.3.1", Version(4, 3, 1)),
            ("podman version 5.2.2\n", Version(5, 2, 2)),
            (
                "buildah version 1.28.2 (image-spec 1.1.0-rc2, runtime-spec 1.0.2-dev)",
                Version(1, 28, 2),
            ),
            (
                "qemu-aarch64 version 7.2.13 (Debian 1:7.2+dfsg-7+deb12u7)",
                Version(7, 2, 13),
            ),
            (
                "qemu-aarch64 version 6.2.0 (Debian 1:6.2+dfsg-2ubuntu6.24)",
                Version(6, 2, 0),
            ),
            (
                "github.com/docker/buildx 0.13.1 788433953af10f2a698f5c07611dcf8bbaa4d1b4",
                Version(0, 13, 1),
            ),
            (
                "github.com/docker/buildx v0.19.3 48d6a39",
                Version(0, 19, 3),
            ),
            ("20.10.24+dfsg1", Version(20, 10, 24)),
            ("Docker version 28.2.2, build e6534b4", Version(28, 2, 2)),
            ("1.29", Version(1, 29, 0)),
        ] {
            assert_eq!(Version::find(text), Some(want), "{text}");
        }
        for text in ["", "podman version", "qemu-aarch64 version seven", "1:7"] {
            assert_eq!(Version::find(text), None, "{text}");
        }
        assert!(Version(4, 3, 1) < PODMAN_FIXED && Version(4, 4, 0) >= PODMAN_FIXED);
        assert_eq!(Version(7, 2, 13).to_string(), "7.2.13");
    }

    #[test]
    fn a_healthy_machine_is_all_ok() {
        let all = checks(&healthy());
        let names: Vec<&str> = all.iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            [
                "docker",
                "buildkit",
                "image-store",
                "binfmt",
                "qemu",
                "podman",
                "dpkg-architectures",
                "apt-holds",
                "disk",
                "mab-image"
            ]
        );
        for c in &all {
            assert_eq!((c.status, &c.fix), (Status::Ok, &None), "{c:?}");
        }
        assert_eq!(
            get(&healthy(), "docker").detail,
            "daemon 27.5.1 (/usr/bin/docker)"
        );
        assert!(get(&healthy(), "buildkit")
            .detail
            .starts_with("buildx 0.13.1"));
    }

    #[test]
    fn no_engine_at_all_fails_naming_what_to_install() {
        let mut f = healthy();
        f.docker = Answer::Missing;
        f.docker_program = None;
        f.buildx = Answer::NotAsked;
        f.docker_info = Answer::NotAsked;
        f.mab_image_local = Answer::NotAsked;
        let docker = get(&f, "docker");
        assert_eq!(docker.status, Status::Fail);
        assert!(docker
            .fix
            .as_deref()
            .unwrap()
            .contains("apt-get install docker.io"));
        assert!(docker.fix.as_deref().unwrap().contains("podman"));
        // What depends on docker is not checked, and not failed twice.
        for name in ["buildkit", "image-store", "mab-image"] {
            assert_eq!(status(&f, name), Status::Ok, "{name}");
        }
        assert!(get(&f, "buildkit").detail.contains("not checked"));
        // podman alone is an engine.
        f.podman = ok("podman version 5.2.2");
        assert_eq!(status(&f, "docker"), Status::Ok);
        assert!(get(&f, "docker").detail.contains("podman is the engine"));
        assert!(get(&f, "buildkit").detail.contains("buildah"));
    }

    #[test]
    fn an_unreachable_daemon_warns_naming_docker_host() {
        let mut f = healthy();
        f.docker = Answer::Failed(
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
                .into(),
        );
        f.docker_info = Answer::NotAsked;
        let c = get(&f, "docker");
        assert_eq!(c.status, Status::Warn);
        assert!(c.detail.contains("DOCKER_HOST unset"), "{}", c.detail);
        assert!(c.detail.contains("Cannot connect"), "{}", c.detail);
        assert!(c.fix.as_deref().unwrap().contains("systemctl start docker"));

        f.docker_host = Some("tcp://10.0.0.9:2375".into());
        let c = get(&f, "docker");
        assert!(
            c.detail.contains("DOCKER_HOST=tcp://10.0.0.9:2375"),
            "{}",
            c.detail
        );
        assert!(c.fix.as_deref().unwrap().contains("DOCKER_HOST"));

        f.docker = Answer::Failed("permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.47/version\": dial unix /var/run/docker.sock: connect: permission denied".into());
        assert!(get(&f, "docker").fix.unwrap().contains("docker group"));

        f.docker = Answer::TimedOut;
        let c = get(&f, "docker");
        assert_eq!(c.status, Status::Warn);
        assert!(c.detail.contains("within 5 s"), "{}", c.detail);
        // Without a daemon the image store is not checked; buildx, a client plugin, still is.
        assert_eq!(status(&f, "image-store"), Status::Ok);
        assert!(get(&f, "image-store").detail.contains("not checked"));
        assert_eq!(status(&f, "buildkit"), Status::Ok);
    }

    #[test]
    fn no_buildx_warns_whatever_the_daemon() {
        let mut f = healthy();
        f.buildx = Answer::Failed("docker: unknown command: docker buildx".into());
        for (daemon, says) in [
            ("28.2.2", "Docker 28.2.2 daemon has BuildKit built in"),
            (
                "20.10.24+dfsg1",
                "builds with the legacy builder by default",
            ),
        ] {
            f.docker = ok(daemon);
            let c = get(&f, "buildkit");
            assert_eq!(c.status, Status::Warn, "{daemon}");
            assert!(c.detail.contains(says), "{}", c.detail);
            assert!(c.detail.contains("$BUILDPLATFORM"), "{}", c.detail);
            assert_eq!(
                c.fix.as_deref(),
                Some("install docker-buildx (Debian: apt-get install docker-buildx)")
            );
        }
        f.docker = Answer::Failed("Cannot connect to the Docker daemon".into());
        let c = get(&f, "buildkit");
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.detail
                .starts_with("no buildx plugin: `docker build` falls back"),
            "{}",
            c.detail
        );
        f.buildx = Answer::TimedOut;
        assert_eq!(status(&f, "buildkit"), Status::Warn);
    }

    #[test]
    fn the_image_store_is_read_from_docker_info() {
        let mut f = healthy();
        assert!(get(&f, "image-store")
            .detail
            .contains("containerd image store (snapshotter overlayfs)"));
        f.docker_info = ok(DOCKER_INFO_CLASSIC);
        let c = get(&f, "image-store");
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.detail
                .contains("classic image store (storage driver overlay2)"),
            "{}",
            c.detail
        );
        assert!(c.detail.contains("--load"), "{}", c.detail);
        assert!(c.fix.as_deref().unwrap().contains("containerd-snapshotter"));
        assert!(c.fix.as_deref().unwrap().contains("docker-container"));
        // A daemon whose DriverStatus is null, and an answer that is no JSON.
        f.docker_info = ok(r#"{"driver":"vfs","status":null,"root":"/var/lib/docker"}"#);
        assert_eq!(status(&f, "image-store"), Status::Warn);
        f.docker_info = ok("template: :1: function \"json\" not defined");
        let c = get(&f, "image-store");
        assert_eq!(c.status, Status::Warn);
        assert!(c.detail.starts_with("unreadable"), "{}", c.detail);
        f.docker_info = Answer::TimedOut;
        assert_eq!(status(&f, "image-store"), Status::Warn);
    }

    #[test]
    fn binfmt_entries_say_what_is_emulated() {
        let mut f = healthy();
        let c = get(&f, "binfmt");
        assert_eq!(c.status, Status::Ok);
        assert!(c.detail.contains("not mounted"), "{}", c.detail);
        assert!(
            c.detail.contains("only cross-compiling Dockerfiles"),
            "{}",
            c.detail
        );

        f.binfmt = Some(vec![]);
        assert!(get(&f, "binfmt").detail.contains("no qemu entries"));

        f.binfmt = Some(vec![
            entry("qemu-aarch64", AARCH64_F),
            entry("qemu-arm", &AARCH64_F.replace("aarch64", "arm")),
            entry("qemu-sparc64", AARCH64_F),
            entry(
                "python3.11",
                "enabled\ninterpreter /usr/bin/python3.11\nflags: \n",
            ),
        ]);
        let c = get(&f, "binfmt");
        assert_eq!(c.status, Status::Ok);
        assert!(
            c.detail.contains(
                "linux/arm64, linux/arm/v7, linux/arm/v6, linux/arm/v5 (and 1 other qemu entries)"
            ),
            "{}",
            c.detail
        );
        assert!(
            c.detail
                .contains("mab's generated Dockerfiles do not need it"),
            "{}",
            c.detail
        );

        // An entry without F: the interpreter must then exist inside every container.
        f.binfmt = Some(vec![
            entry("qemu-aarch64", AARCH64_F),
            entry("qemu-arm", ARM_NO_F),
        ]);
        let c = get(&f, "binfmt");
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.detail.contains("qemu-arm lack the F flag"),
            "{}",
            c.detail
        );
        assert!(c.fix.as_deref().unwrap().contains("tonistiigi/binfmt"));

        // A disabled entry emulates nothing, F or not.
        f.binfmt = Some(vec![entry(
            "qemu-arm",
            &ARM_NO_F.replace("enabled", "disabled"),
        )]);
        let c = get(&f, "binfmt");
        assert_eq!(c.status, Status::Ok);
        assert!(c.detail.contains("all disabled"), "{}", c.detail);
    }

    #[test]
    fn old_qemu_warns() {
        let mut f = healthy();
        assert_eq!(
            get(&f, "qemu").detail,
            "qemu-aarch64 version 7.2.13 (Debian 1:7.2+dfsg-7+deb12u7)"
        );
        f.qemu = ok("qemu-aarch64 version 6.2.0 (Debian 1:6.2+dfsg-2ubuntu6.24)\nCopyright (c) 2003-2021 Fabrice Bellard and the QEMU Project developers\n");
        let c = get(&f, "qemu");
        assert_eq!(c.status, Status::Warn);
        assert!(c.detail.contains("older than 7.0"), "{}", c.detail);
        assert!(c.detail.contains("Go >= 1.21"), "{}", c.detail);
        f.qemu = ok("qemu-aarch64 version 7.0.0");
        assert_eq!(status(&f, "qemu"), Status::Ok);
        f.qemu = Answer::Missing;
        let c = get(&f, "qemu");
        assert_eq!(c.status, Status::Ok);
        assert!(c.detail.contains("do not need it"), "{}", c.detail);
        f.qemu = ok("something else");
        assert_eq!(status(&f, "qemu"), Status::Warn);
    }

    #[test]
    fn podman_before_the_fix_warns_about_buildplatform() {
        let mut f = healthy();
        assert_eq!(get(&f, "podman").detail, "not installed");
        f.podman = ok("podman version 4.3.1\n");
        f.buildah = ok("buildah version 1.28.2 (image-spec 1.1.0-rc2, runtime-spec 1.0.2-dev)\n");
        let c = get(&f, "podman");
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.detail
                .starts_with("podman 4.3.1 and buildah 1.28.2 leave BUILDPLATFORM empty"),
            "{}",
            c.detail
        );
        assert!(c.detail.contains("emulation"), "{}", c.detail);
        let fix = c.fix.unwrap();
        assert!(
            fix.contains("--build-arg BUILDPLATFORM=linux/amd64"),
            "{fix}"
        );
        assert!(fix.contains("mab gen publish --engine podman"), "{fix}");
        // Either one old is the trap; both new is not.
        f.podman = ok("podman version 4.9.3");
        let c = get(&f, "podman");
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.detail
                .starts_with("buildah 1.28.2 leaves BUILDPLATFORM empty"),
            "{}",
            c.detail
        );
        f.buildah = ok("buildah version 1.33.7 (image-spec 1.1.0, runtime-spec 1.1.0)");
        assert_eq!(status(&f, "podman"), Status::Ok);
        assert_eq!(get(&f, "podman").detail, "podman 4.9.3, buildah 1.33.7");
        f.buildah = Answer::Missing;
        f.podman = ok("podman version 4.4.0");
        assert_eq!(status(&f, "podman"), Status::Ok);
        f.podman = ok("podman version 3.4.4");
        assert_eq!(status(&f, "podman"), Status::Warn);
        f.build_platform = String::new();
        assert!(get(&f, "podman")
            .fix
            .unwrap()
            .contains("BUILDPLATFORM=linux/<arch>"));
    }

    #[test]
    fn foreign_architectures_are_listed() {
        let mut f = healthy();
        assert_eq!(
            get(&f, "dpkg-architectures").detail,
            "foreign architectures: arm64, armhf"
        );
        f.foreign_architectures = ok("");
        assert!(get(&f, "dpkg-architectures")
            .detail
            .starts_with("no foreign"));
        f.foreign_architectures = Answer::Missing;
        f.holds = Answer::Missing;
        assert_eq!(status(&f, "dpkg-architectures"), Status::Ok);
        assert_eq!(status(&f, "apt-holds"), Status::Ok);
    }

    #[test]
    fn holds_in_a_cross_install_s_way_warn() {
        let mut f = healthy();
        assert_eq!(get(&f, "apt-holds").detail, "no held packages");
        f.holds = ok("firefox-esr\nlinux-image-amd64\n");
        assert_eq!(status(&f, "apt-holds"), Status::Ok);
        assert_eq!(
            get(&f, "apt-holds").detail,
            "2 held, none in a cross install's way"
        );
        for held in [
            "libc6",
            "libc6-dev",
            "gcc-12-base",
            "gcc-14-base:amd64",
            "zlib1g:arm64",
            "libc6:armhf",
        ] {
            f.holds = ok(&format!("firefox-esr\n{held}\n"));
            let c = get(&f, "apt-holds");
            assert_eq!(c.status, Status::Warn, "{held}");
            assert_eq!(c.fix, Some(format!("apt-mark unhold {held}")));
        }
        // Not a foreign architecture of this machine, and not the C library.
        for held in ["zlib1g:riscv64", "gcc-12", "libc6-i386", "gcc-base"] {
            f.holds = ok(held);
            assert_eq!(status(&f, "apt-holds"), Status::Ok, "{held}");
        }
    }

    #[test]
    fn disk_thresholds() {
        let mut f = healthy();
        for (free, want) in [
            (50 * GIB, Status::Ok),
            (DISK_WARN_BELOW, Status::Ok),
            (DISK_WARN_BELOW - 1, Status::Warn),
            (DISK_FAIL_BELOW, Status::Warn),
            (DISK_FAIL_BELOW - 1, Status::Fail),
            (0, Status::Fail),
        ] {
            f.disk = Some(Disk {
                path: "/var/lib/docker".into(),
                free,
            });
            assert_eq!(status(&f, "disk"), want, "{free}");
        }
        f.disk = Some(Disk {
            path: "/srv/docker".into(),
            free: 3 * GIB / 2,
        });
        f.docker_info = ok(DOCKER_INFO_CLASSIC);
        let c = get(&f, "disk");
        assert_eq!(
            c.detail,
            "1.5 GiB free on /srv/docker (Docker's data root): below 2.0 GiB"
        );
        assert!(c.fix.unwrap().contains("prune"));
        f.disk = Some(Disk {
            path: "/".into(),
            free: 64 * GIB,
        });
        assert_eq!(
            get(&f, "disk").detail,
            "64.0 GiB free on / (no Docker data root here)"
        );
        f.disk = None;
        assert_eq!(status(&f, "disk"), Status::Warn);
    }

    #[test]
    fn the_mab_image_is_ok_here_or_not() {
        let mut f = healthy();
        assert!(get(&f, "mab-image")
            .detail
            .ends_with("is not in docker's images: the first build pulls it"));
        f.mab_image_local = ok("sha256:0123\n");
        assert!(get(&f, "mab-image")
            .detail
            .contains("is in docker's images"));
        f.mab_image_local = Answer::NotAsked;
        assert!(get(&f, "mab-image").detail.contains("not looked for"));
        for answer in [
            Answer::TimedOut,
            Answer::Missing,
            ok(""),
            Answer::Failed(String::new()),
        ] {
            f.mab_image_local = answer;
            assert_eq!(status(&f, "mab-image"), Status::Ok);
        }
    }

    #[test]
    fn json_has_the_four_fields() {
        let mut f = healthy();
        f.buildx = Answer::Missing;
        let json = serde_json::to_value(checks(&f)).unwrap();
        assert_eq!(json[0]["name"], "docker");
        assert_eq!(json[0]["status"], "ok");
        assert_eq!(json[0]["fix"], serde_json::Value::Null);
        assert_eq!(json[1]["status"], "warn");
        assert!(json[1]["fix"].as_str().unwrap().contains("docker-buildx"));
        assert_eq!(json[1].as_object().unwrap().len(), 4);
        assert_eq!(format!("{:<4}|", Status::Ok), "ok  |");
    }
}
