#!/usr/bin/env bash
# The suite on a fresh Debian 12 machine: a new bookworm container of a private Docker engine
# (tests/e2e/docker-lib.sh) runs scripts/install-test-deps.sh, then `cargo test`. Nothing this machine's
# history left behind (links in /usr/local/bin, foreign architectures, installed or upgraded packages,
# rustup targets) can make the suite pass there. The end-to-end suites are not run (they need a Docker
# engine of their own).
#
# The container starts as a machine installed from the point release (the `bookworm` suite only), which
# install-test-deps fills; then bookworm-updates and bookworm-security are enabled as this machine has them,
# so the apt tests' cross installs upgrade the build machine's libraries and must put them back.
#
# Rust: this machine's stable rustup toolchain is copied in (bin, libexec, lib, the host's std only; no
# docs), so `rustup target add` in install-test-deps really fetches the targets; crates come from crates.io.
# HTTPS from containers only works with this machine's CA bundle, which is mounted read-only and named by
# SSL_CERT_FILE, CARGO_HTTP_CAINFO and PIP_CERT. Builds carry no debug info and no incremental state, to
# keep the container's disk use near 10 GB.
#
# As root. FRESH_MIN_FREE_GB (default 10) is the free disk it insists on. The whole log goes to FRESH_LOG (default /tmp/mab-fresh-machine.log); its summary is printed. E2E_KEEP=1 keeps
# the daemon's temp dir. About 40 minutes on the 2-core VM, most of it compiling.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/e2e/docker-lib.sh
. tests/e2e/docker-lib.sh

[ "$(id -u)" = 0 ] || e2e_die "run as root: it starts a private dockerd"
command -v debootstrap >/dev/null || e2e_die "debootstrap missing: apt-get install debootstrap (scripts/install-test-deps.sh)"
RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
toolchain=$(ls -d "$RUSTUP_HOME"/toolchains/stable-* 2>/dev/null | head -1)
[ -n "$toolchain" ] || e2e_die "no stable rustup toolchain in $RUSTUP_HOME/toolchains: rustup toolchain install stable"
host_triple=${toolchain##*/stable-}
CA=/etc/ssl/certs/ca-certificates.crt
[ -s "$CA" ] || e2e_die "$CA missing: apt-get install ca-certificates"
# The updates and security suites as this machine has them (no host name is written here).
host_sources=/etc/apt/sources.list.d/debian.sources
[ -s "$host_sources" ] || host_sources=/etc/apt/sources.list
[ -s "$host_sources" ] || e2e_die "no Debian sources on this machine to copy into the container"

# The container's packages, toolchain and build take about 10 GB; a full disk breaks more than this run.
free_kb=$(df -Pk "${TMPDIR:-/tmp}" | awk 'NR == 2 {print $4}')
min_gb=${FRESH_MIN_FREE_GB:-10}
[ "$free_kb" -gt $((min_gb * 1024 * 1024)) ] || e2e_die "less than $min_gb GB free under ${TMPDIR:-/tmp}: the container needs about 10"

docker_start
base_image mab-fresh-bookworm amd64 ""

work="$E2E_ROOT/fresh"
mkdir -p "$work/src" "$work/rustup/toolchains" "$work/cargo/bin"
log=${FRESH_LOG:-/tmp/mab-fresh-machine.log}

e2e_say "copying the work tree (tracked and new files, no target/)"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C "$work/src" -xf -

e2e_say "copying the rustup toolchain $(basename "$toolchain") without docs and other targets' std"
tc="$work/rustup/toolchains/$(basename "$toolchain")"
mkdir -p "$tc/lib/rustlib"
cp -a "$toolchain/bin" "$toolchain/libexec" "$tc/"
find "$toolchain/lib" -maxdepth 1 -type f -exec cp -a {} "$tc/lib/" \;
for f in "$toolchain"/lib/rustlib/*; do
  name=${f##*/}
  case $name in
    manifest-rust-std-"$host_triple" | "$host_triple" | etc | rust-installer-version | multirust-channel-manifest.toml) cp -a "$f" "$tc/lib/rustlib/" ;;
    manifest-rust-std-* | manifest-rust-docs-* | components) ;;
    manifest-*) cp -a "$f" "$tc/lib/rustlib/" ;;
    *) ;;
  esac
done
grep -v -e '^rust-std-' -e '^rust-docs' "$toolchain/lib/rustlib/components" >"$tc/lib/rustlib/components"
echo "rust-std-$host_triple" >>"$tc/lib/rustlib/components"
# rustup's own record of the installed components: without the other targets' std and the docs.
awk -v host="$host_triple" 'BEGIN { RS = ""; ORS = "\n\n" }
  /pkg = "rust-docs"/ { next }
  /pkg = "rust-std"/ && index($0, "target = \"" host "\"") == 0 { next }
  { print }' "$toolchain/lib/rustlib/multirust-config.toml" >"$tc/lib/rustlib/multirust-config.toml"
printf 'version = "12"\ndefault_toolchain = "%s"\nprofile = "default"\nauto_self_update = "disable"\n' \
  "$(basename "$toolchain")" >"$work/rustup/settings.toml"
cp -a "$(command -v rustup)" "$work/cargo/bin/rustup"
for proxy in cargo rustc rustdoc rustfmt cargo-fmt cargo-clippy clippy-driver; do
  ln -s rustup "$work/cargo/bin/$proxy"
done
# FRESH_REUSE_CARGO_FUZZ=1: this machine's cargo-fuzz instead of install-test-deps' `cargo install` (minutes of
# compiling that test nothing of mab's).
if [ -n "${FRESH_REUSE_CARGO_FUZZ:-}" ] && command -v cargo-fuzz >/dev/null; then
  cp -a "$(command -v cargo-fuzz)" "$work/cargo/bin/"
fi
mkdir -p "$work/sources"
cp -a "$host_sources" "$work/sources/"

cat >"$work/run.sh" <<'INSIDE'
set -euo pipefail
say() { printf 'fresh-machine: %s\n' "$*" >&2; }
say "sources: $(grep -v '^#' /etc/apt/sources.list)"
cd /src
start=$SECONDS
bash scripts/install-test-deps.sh
say "install-test-deps took $((SECONDS - start))s"
say "enabling this machine's updates and security suites"
# Under the host's own file name (debian.sources, or the classic sources.list), as xx-apt's
# --print-source-file and mab's mirror handling look for it there.
rm -f /etc/apt/sources.list
for f in /fresh/sources/*; do
  case ${f##*/} in
    sources.list) cp "$f" /etc/apt/sources.list ;;
    *) cp "$f" /etc/apt/sources.list.d/ ;;
  esac
done
apt-get update -qq || say "warning: apt-get update reported errors (a mirror mid-sync); continuing"
say "build machine packages older than the mirror's now: $(apt list --upgradable 2>/dev/null | grep -c upgradable || true)"
export PATH="/usr/lib/go-1.23/bin:$PATH" GOTOOLCHAIN=local
start=$SECONDS
status=0
cargo test 2>&1 || status=$?
say "cargo test took $((SECONDS - start))s, exit $status"
exit "$status"
INSIDE

e2e_say "running install-test-deps.sh and cargo test in a fresh bookworm container (log: $log)"
start=$SECONDS
status=0
# SYS_ADMIN (and no seccomp/AppArmor filter) as root has it on a real machine: install-test-deps installs
# wine in a chroot with its own mount namespace (unshare, mount -t proc).
"$DOCKER" run --rm --network=host \
  --cap-add SYS_ADMIN --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
  -v "$work/src:/src" -v "$work:/fresh:ro" \
  -v "$work/rustup:/root/.rustup" -v "$work/cargo:/root/.cargo" \
  -v "$CA:/etc/mab-host-ca.crt:ro" \
  -e SSL_CERT_FILE=/etc/mab-host-ca.crt -e CARGO_HTTP_CAINFO=/etc/mab-host-ca.crt -e PIP_CERT=/etc/mab-host-ca.crt \
  -e PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  -e DEBIAN_FRONTEND=noninteractive -e CARGO_PROFILE_DEV_DEBUG=false -e CARGO_INCREMENTAL=0 \
  mab-fresh-bookworm bash /fresh/run.sh >"$log" 2>&1 || status=$?
grep -E '^(fresh-machine|install-test-deps): |^test result:|^failures:|^    [a-z_]+::|panicked' "$log" | tail -80 || true
e2e_say "fresh container: exit $status after $(elapsed "$start") (whole log: $log)"
exit "$status"
