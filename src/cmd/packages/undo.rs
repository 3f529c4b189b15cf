//! The way back for a cross install's packages. Before apt changes anything: its own simulation names the
//! packages the install upgrades or removes (a note says which of them are the build machine's), and the
//! archive of each installed version is copied from apt's cache or downloaded from the mirrors into
//! [`UNDO_DIR`]; versions found in neither are named up front. After a failure or a signal: the packages
//! dpkg did not have before are purged, the secured archives reinstalled, and whatever still differs from
//! dpkg's state before the install is named.

use super::process::{echo, query};
use crate::core::packages::{self as plan, Installed, OldVersion};
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where the old versions' archives wait until the install is over. One directory is enough: the
/// transaction holds mab's apt lock, and a leftover of a killed run is cleared by the next one.
const UNDO_DIR: &str = "/var/cache/mab/undo";
const APT_ARCHIVES: &str = "/var/cache/apt/archives";
/// dpkg's database lock, held by dpkg (also one apt started) while it changes packages.
const DPKG_LOCK: &str = "/var/lib/dpkg/lock";

pub struct Undo {
    before: BTreeMap<String, Installed>,
    secured: BTreeSet<OldVersion>,
    dir: PathBuf,
}

impl Undo {
    /// Runs apt's simulation of `args` (apt-get's argv for the install), prints what it changes of the
    /// build machine, and secures the archives of the versions it replaces. `options` are the user's apt
    /// configuration options, for the queries and downloads too.
    pub fn prepare(
        args: &[String],
        native: &str,
        target_arch: &str,
        options: &[String],
    ) -> Result<Undo> {
        let before = dpkg_state()?;
        let dir = PathBuf::from(UNDO_DIR);
        let _ = std::fs::remove_dir_all(&dir);
        let mut undo = Undo {
            before,
            secured: BTreeSet::new(),
            dir,
        };
        let simulation = Command::new("apt-get")
            .arg("-s")
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()?;
        // A simulation that fails means the install fails before dpkg runs (apt's own error says why):
        // there is nothing to secure, and dpkg's state is still compared after.
        if !simulation.status.success() {
            return Ok(undo);
        }
        let changes = plan::parse_simulation(
            &String::from_utf8_lossy(&simulation.stdout),
            native,
            &undo.before,
        );
        if let Some(note) = plan::host_changes_note(&changes, native, target_arch) {
            eprintln!("mab: note: {note}");
        }
        let wanted = plan::versions_to_secure(&changes);
        if wanted.is_empty() {
            return Ok(undo);
        }
        std::fs::create_dir_all(&undo.dir)?;
        let mut missing = Vec::new();
        for old in &wanted {
            let cached = Path::new(APT_ARCHIVES).join(old.archive_name());
            let saved = undo.dir.join(old.archive_name());
            if std::fs::hard_link(&cached, &saved).is_err()
                && std::fs::copy(&cached, &saved).is_err()
            {
                missing.push(old.clone());
            }
        }
        if !missing.is_empty() {
            undo.download(&missing, options);
        }
        let (secured, lost): (Vec<OldVersion>, Vec<OldVersion>) = wanted
            .into_iter()
            .partition(|old| undo.dir.join(old.archive_name()).is_file());
        undo.secured = secured.into_iter().collect();
        if !lost.is_empty() {
            let list: Vec<String> = lost.iter().map(ToString::to_string).collect();
            eprintln!(
                "mab: note: if this install fails, mab cannot put back {}: neither apt's cache nor the \
                 configured mirrors have these versions any more",
                list.join(", ")
            );
        }
        Ok(undo)
    }

    /// `apt-get download` of the versions a mirror still offers, in one run (an unknown version would fail
    /// the whole run, so `apt-cache madison` is asked first).
    fn download(&self, wanted: &[OldVersion], options: &[String]) {
        let names: BTreeSet<&str> = wanted.iter().map(OldVersion::name).collect();
        let mut madison = options.to_vec();
        madison.push("madison".into());
        madison.extend(names.iter().map(|n| n.to_string()));
        let madison: Vec<&str> = madison.iter().map(String::as_str).collect();
        let available = plan::parse_madison(&query("apt-cache", &madison).unwrap_or_default());
        let args: Vec<String> = wanted
            .iter()
            .filter(|old| plan::on_mirror(&available, old))
            .map(OldVersion::download_arg)
            .collect();
        if args.is_empty() {
            return;
        }
        // Several at once (each apt run loads the whole cache); one by one only if that fails, as one
        // version missing from its architecture's index fails the whole run.
        if !self.apt_download(options, &args) {
            for arg in &args {
                self.apt_download(options, std::slice::from_ref(arg));
            }
        }
    }

    fn apt_download(&self, options: &[String], args: &[String]) -> bool {
        // As root apt downloads as _apt, which cannot write mab's directory: the files are apt's own
        // archives, fetched and checked as apt always does.
        let mut download = options.to_vec();
        download.extend(["-q", "-o", "APT::Sandbox::User=root", "download"].map(String::from));
        download.extend(args.iter().cloned());
        echo("apt-get", &download);
        Command::new("apt-get")
            .args(&download)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// The install succeeded: the old versions are not needed.
    pub fn discard(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Puts dpkg's packages back as they were before the install. Returns what it did and what it could
    /// not, for the user.
    pub fn restore(&self) -> Vec<String> {
        let mut said = Vec::new();
        // An apt or dpkg that got the same signal may still be finishing.
        wait_for_dpkg(Duration::from_secs(120));
        let now = match dpkg_state() {
            Ok(now) => now,
            Err(e) => {
                return vec![format!(
                    "could not read dpkg's packages to put them back: {e:#}"
                )]
            }
        };
        let fix = plan::restore_plan(&self.before, &now, &self.secured);
        if !fix.purge.is_empty() {
            // dpkg, not apt: apt would also remove what depends on them. The host's upgraded packages
            // depend on them until the old versions are back.
            let mut args: Vec<String> = ["--purge", "--force-depends", "--force-remove-protected"]
                .map(String::from)
                .to_vec();
            args.extend(fix.purge.iter().cloned());
            if run_dpkg(&args) {
                said.push(format!(
                    "removed the {} package(s) it had installed",
                    fix.purge.len()
                ));
            }
        }
        if !fix.reinstall.is_empty() {
            let mut args = vec!["-i".to_string()];
            args.extend(
                fix.reinstall
                    .iter()
                    .map(|old| self.dir.join(old.archive_name()).display().to_string()),
            );
            if run_dpkg(&args) {
                let list: Vec<String> = fix.reinstall.iter().map(ToString::to_string).collect();
                said.push(format!("put back {}", list.join(", ")));
            }
        }
        match dpkg_state() {
            Ok(after) => {
                let left = plan::differences(&self.before, &after);
                if !left.is_empty() {
                    said.push(format!(
                        "could not undo every package change: {}",
                        left.join(", ")
                    ));
                }
            }
            Err(e) => said.push(format!(
                "could not read dpkg's packages after putting them back: {e:#}"
            )),
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        said
    }
}

fn dpkg_state() -> Result<BTreeMap<String, Installed>> {
    Ok(plan::parse_dpkg_state(&query(
        "dpkg-query",
        &["-W", "-f", plan::DPKG_STATE_FORMAT],
    )?))
}

fn run_dpkg(args: &[String]) -> bool {
    echo("dpkg", args);
    Command::new("dpkg")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Waits, at most `limit`, until no process holds dpkg's database lock.
fn wait_for_dpkg(limit: Duration) {
    use std::os::unix::io::AsRawFd;
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(DPKG_LOCK)
    else {
        return;
    };
    let start = Instant::now();
    while start.elapsed() < limit {
        // SAFETY: an flock struct zeroed then filled in, and fcntl(2) on a descriptor this function owns.
        let held = unsafe {
            let mut lock: libc::flock = std::mem::zeroed();
            lock.l_type = libc::F_WRLCK as libc::c_short;
            lock.l_whence = libc::SEEK_SET as libc::c_short;
            libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut lock) == 0
                && lock.l_type != libc::F_UNLCK as libc::c_short
        };
        if !held {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
