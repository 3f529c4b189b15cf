#!/usr/bin/env bash
# What cross-compiling saves: builds examples/go-hello for linux/arm64 three ways in one run, each from a
# cold cache (build cache and cache mounts pruned before each), in a private dockerd (tests/e2e/docker-lib.sh):
#   cross     the Dockerfile `mab gen dockerfile` writes, --platform linux/arm64 (compiles on amd64)
#   native    the same Dockerfile, --platform linux/amd64 (no cross at all: the reference)
#   emulated  a naive single-stage Dockerfile FROM an arm64 Debian with Go, compiled under qemu (binfmt)
# and prints emulated/cross (goal: 10x or more) and cross/native (goal: within 1.2x).
# As root on Debian 12; not part of the test suite. Usage: bench/cross-vs-emulated.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
[ "$(id -u)" = 0 ] || { echo "bench: error: run as root (it starts dockerd and registers binfmt handlers)" >&2; exit 2; }
bash scripts/install-test-deps.sh
export E2E_CACHE=${E2E_CACHE:-/var/cache/mab-e2e}
# shellcheck source=tests/e2e/docker-lib.sh
. tests/e2e/docker-lib.sh
# shellcheck source=tests/e2e/images.sh
. tests/e2e/images.sh
PLATFORMS=(linux/arm64)
EXAMPLE=go-hello

build_mab
had_binfmt=$([ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && echo yes || true)
docker_start
# The emulated build needs qemu's handler; put the machine back as it was afterwards.
trap '[ -n "$had_binfmt" ] || binfmt_unregister aarch64; docker_stop' EXIT
binfmt_register aarch64
base_image e2e/bookworm amd64 "$BUILD_PACKAGES"
mab_image
cached_image e2e/go-builder "$GO_BUILDER"
# The emulated route's base: an arm64 Debian with the same Go, installed under qemu (made once, cached).
base_image e2e/bookworm-arm64 arm64 ca-certificates
cached_image e2e/go-arm64 "FROM e2e/bookworm-arm64
${GO_BUILDER#FROM e2e/bookworm}" linux/arm64

project="$E2E_ROOT/$EXAMPLE"
cp -a "$REPO/examples/$EXAMPLE" "$project"
# --debian bookworm: the cross route builds in e2e/go-builder, a bookworm image.
"$MAB" gen dockerfile -C "$project" --debian bookworm >/dev/null 2>&1
# The naive way: one stage of the target's architecture that compiles under emulation.
cat >"$project/Dockerfile.emulated" <<'EOF'
FROM e2e/go-arm64
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/go-hello .
ENTRYPOINT ["/out/go-hello"]
EOF

# Seconds (with decimals) one cold build takes.
timed_build() {
  local start end
  "$DOCKER" builder prune -af >/dev/null
  start=$(date +%s.%N)
  "$DOCKER" build --network=host --no-cache "$@" >"$E2E_ROOT/build.log" 2>&1 \
    || { tail -20 "$E2E_ROOT/build.log" >&2; e2e_die "build failed: $*"; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f\n", b - a }'
}
args=(--build-arg MAB_IMAGE=e2e/mab --build-arg BUILD_IMAGE=e2e/go-builder --build-arg BASE_IMAGE=scratch)
cross=$(timed_build --platform linux/arm64 "${args[@]}" -t bench/cross "$project")
native=$(timed_build --platform linux/amd64 "${args[@]}" -t bench/native "$project")
emulated=$(timed_build --platform linux/arm64 -f "$project/Dockerfile.emulated" -t bench/emulated "$project")

# Both arm64 images must work, or the times mean nothing.
for image in bench/cross bench/emulated; do
  out=$("$DOCKER" run --rm --network=none --platform linux/arm64 "$image")
  [ "$out" = "go-hello arm64 76127" ] || e2e_die "$image printed '$out'"
done

printf 'go-hello, linux/arm64, cold caches, %s, %s cores (%s)\n' "$(date -u +%F)" "$(nproc)" "$(uname -m)"
printf '  cross (generated Dockerfile)   %6.1f s\n' "$cross"
printf '  native amd64 (same Dockerfile) %6.1f s\n' "$native"
printf '  emulated (naive, under qemu)   %6.1f s\n' "$emulated"
printf '  emulated / cross = %.1fx (goal >= 10x); cross / native = %.2fx (goal <= 1.2x)\n' \
  "$(awk -v a="$emulated" -v b="$cross" 'BEGIN { print a / b }')" "$(awk -v a="$cross" -v b="$native" 'BEGIN { print a / b }')"
