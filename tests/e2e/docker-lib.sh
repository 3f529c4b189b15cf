# Shared by the end-to-end scripts: a private Docker daemon that leaves the host's network alone, local
# base images, and qemu's binfmt entries. Source it; call `docker_start` and the EXIT trap stops everything.
# See /work/shared/README.md (or README.md, "End to end") for why each flag is there.

E2E_ROOT=${E2E_ROOT:-$(mktemp -d /tmp/mab-e2e.XXXXXX)}
DOCKER_SOCK="$E2E_ROOT/docker.sock"
export DOCKER_HOST="unix://$DOCKER_SOCK" DOCKER_BUILDKIT=1
# The 20.10 client from Debian's docker.io drives the daemon's built-in BuildKit; a newer client elsewhere on
# PATH refuses BuildKit without the buildx plugin.
DOCKER=/usr/bin/docker

e2e_say() { printf 'e2e: %s\n' "$*" >&2; }
e2e_die() { e2e_say "error: $*"; exit 2; }

# The checks' tally: each script ends with `e2e_summary`.
PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); printf 'ok   %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL %s\n' "$*"; }
elapsed() { echo "$((SECONDS - $1))s"; }
e2e_summary() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" = 0 ]
}

# The Debian mirror this machine already uses (no host name is written into the project).
debian_mirror() {
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || e2e_die "no Debian mirror in /etc/apt/sources.list{,.d}"
  echo "$uri"
}

# Never with defaults: those create a bridge on a private range and rewrite the firewall.
docker_start() {
  [ -x /usr/sbin/dockerd ] || e2e_die "dockerd missing: apt-get install docker.io"
  mkdir -p "$E2E_ROOT/data" "$E2E_ROOT/exec"
  /usr/sbin/dockerd --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --data-root "$E2E_ROOT/data" --exec-root "$E2E_ROOT/exec" -H "$DOCKER_HOST" \
    --pidfile "$E2E_ROOT/dockerd.pid" >"$E2E_ROOT/dockerd.log" 2>&1 &
  trap docker_stop EXIT
  for _ in $(seq 100); do
    "$DOCKER" version >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  tail -20 "$E2E_ROOT/dockerd.log" >&2
  e2e_die "dockerd did not start (log above)"
}

docker_stop() {
  local pid
  registry_stop
  if [ -f "$E2E_ROOT/dockerd.pid" ]; then
    pid=$(cat "$E2E_ROOT/dockerd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # Containers' mounts under the data root must go before the directory can.
  grep " $E2E_ROOT/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  [ -n "${E2E_KEEP:-}" ] || rm -rf "$E2E_ROOT"
}

# Registers qemu-user-static's binfmt entries for the given qemu CPU names (aarch64 arm …), so that
# `docker run` of foreign images works. The entries carry the F flag, so they work inside containers.
binfmt_register() {
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc \
    || e2e_die "cannot mount binfmt_misc (needs root)"
  local cpu
  for cpu in "$@"; do
    [ -e "/proc/sys/fs/binfmt_misc/qemu-$cpu" ] && continue
    /lib/systemd/systemd-binfmt "/usr/lib/binfmt.d/qemu-$cpu.conf" \
      || e2e_die "cannot register qemu-$cpu (apt-get install qemu-user-static)"
  done
}

# The qemu CPUs the suites emulate; their binfmt entries as they were before (`binfmt_remember`) are put
# back at the end by `e2e_cleanup`, since other work on this machine may rely on them.
QEMU_CPUS=(aarch64 arm)
BINFMT_BEFORE=()
binfmt_remember() {
  local cpu
  for cpu in "${QEMU_CPUS[@]}"; do
    [ -e "/proc/sys/fs/binfmt_misc/qemu-$cpu" ] && BINFMT_BEFORE+=("$cpu")
  done
  return 0
}

# The EXIT trap once the daemon runs: binfmt as it was, then the daemon and registry stopped.
e2e_cleanup() {
  local code=$?
  binfmt_unregister "${QEMU_CPUS[@]}"
  [ ${#BINFMT_BEFORE[@]} -eq 0 ] || binfmt_register "${BINFMT_BEFORE[@]}"
  docker_stop
  exit "$code"
}

# Removes them again: with no handler, any foreign binary run in a build fails at once, which proves that
# no build step was emulated.
binfmt_unregister() {
  local cpu
  for cpu in "$@"; do
    [ -e "/proc/sys/fs/binfmt_misc/qemu-$cpu" ] && echo -1 >"/proc/sys/fs/binfmt_misc/qemu-$cpu"
  done
  return 0
}

# A Debian image for one platform (bookworm unless RELEASE is given), made by debootstrap (no registry is
# reachable here), with the given extra packages. Tagged NAME; cached as a tarball under $E2E_CACHE between
# runs on the same machine.
base_image() {
  local name=$1 arch=$2 packages=$3 release=${4:-bookworm} dir tarball key
  key=$(echo "$arch $packages" | sha256sum | cut -c1-16)
  tarball="${E2E_CACHE:-/var/cache/mab-e2e}/$release-$arch-$key.tar"
  if [ ! -s "$tarball" ]; then
    mkdir -p "$(dirname "$tarball")"
    dir=$(mktemp -d "$E2E_ROOT/rootfs.XXXXXX")
    e2e_say "debootstrap $release ($arch) with: ${packages:-nothing}"
    debootstrap --variant=minbase --arch="$arch" ${packages:+--include="$packages"} "$release" "$dir" \
      "$(debian_mirror)" >"$E2E_ROOT/debootstrap-$arch.log" 2>&1 \
      || { tail -20 "$E2E_ROOT/debootstrap-$arch.log" >&2; e2e_die "debootstrap failed"; }
    tar -C "$dir" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$dir"
  fi
  rootfs_image "$name" "linux/$arch" "$tarball" 'CMD ["bash"]'
}

# Runs a docker build with its output in a log; prints the log's tail when it fails.
docker_build() {
  local log=$1
  shift
  if "$DOCKER" build "$@" >"$log" 2>&1; then return 0; fi
  tail -25 "$log" | sed 's/^/    | /'
  return 1
}

# Image NAME for PLATFORM from a root filesystem tarball (and an optional last Dockerfile line). Built,
# not imported, with --platform, so the image records the right platform and BuildKit never looks for it
# in a registry.
rootfs_image() {
  local name=$1 platform=$2 tarball=$3 last=${4:-} ctx
  ctx=$(mktemp -d "$E2E_ROOT/ctx.XXXXXX")
  ln "$tarball" "$ctx/rootfs.tar" 2>/dev/null || cp "$tarball" "$ctx/rootfs.tar"
  printf 'FROM scratch\nADD rootfs.tar /\n%s\n' "$last" >"$ctx/Dockerfile"
  docker_build "$E2E_ROOT/image-${name//[\/:]/-}.log" --platform "$platform" -t "$name" "$ctx" \
    || e2e_die "cannot build $name"
  rm -rf "$ctx"
}

# Debian's docker-registry (distribution 2.8) on 127.0.0.1 only, its storage under the temp dir; stopped
# with the daemon by the EXIT trap. Sets REGISTRY (host:port).
registry_start() {
  command -v docker-registry >/dev/null || e2e_die "docker-registry missing: apt-get install docker-registry"
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  REGISTRY=127.0.0.1:$port
  mkdir -p "$E2E_ROOT/registry"
  printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n' \
    "$E2E_ROOT/registry/data" "$REGISTRY" >"$E2E_ROOT/registry/config.yml"
  docker-registry serve "$E2E_ROOT/registry/config.yml" >"$E2E_ROOT/registry/log" 2>&1 &
  echo $! >"$E2E_ROOT/registry/pid"
  for _ in $(seq 100); do
    python3 -c "import urllib.request as u; u.urlopen('http://$REGISTRY/v2/', timeout=1)" 2>/dev/null && return 0
    sleep 0.1
  done
  tail -20 "$E2E_ROOT/registry/log" >&2
  e2e_die "docker-registry did not start (log above)"
}

# REPO@sha256:... of a local tag that was pushed to the registry.
pushed_ref() {
  local repo=${1%:*}
  "$DOCKER" image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$1" 2>/dev/null | grep -m1 "^$repo@"
}

registry_stop() {
  [ -f "$E2E_ROOT/registry/pid" ] || return 0
  kill "$(cat "$E2E_ROOT/registry/pid")" 2>/dev/null || true
  rm -f "$E2E_ROOT/registry/pid"
}
