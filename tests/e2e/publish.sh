#!/usr/bin/env bash
# Publishing for real (README.md, "Publishing"): examples/go-hello is published as one multi-platform
# tag to a local registry (Debian's docker-registry on 127.0.0.1) by the scripts `mab gen publish` writes,
# once with the docker route and once with the podman route. Each tag is then checked three ways:
# `mab manifest check`, `skopeo inspect --raw` (the same index, byte for byte), and a docker pull of
# linux/arm64 run through binfmt. qemu's binfmt entries are removed during the builds, so no step was
# emulated.
#
# Then the podman trap: with a multi-arch base image in the registry, the podman route's arm64 image
# records that its build stage ran on x86_64, while the same build by plain `podman build` (no
# BUILDPLATFORM) records aarch64 and mab's warning. Last, images that are wrong and a registry that is
# down give `mab manifest check`'s exit codes 1 and 2.
#
# As root on Debian 12. Ends with `N passed, N failed`; exits 1 if a check failed, 2 if the setup failed.
# E2E_KEEP=1 keeps the temp dir for a post-mortem.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
[ "$(id -u)" = 0 ] || { echo "e2e: error: run as root (it starts dockerd, a registry and changes binfmt handlers)" >&2; exit 2; }

bash scripts/install-test-deps.sh
export E2E_CACHE=${E2E_CACHE:-/var/cache/mab-e2e}
# shellcheck source=tests/e2e/docker-lib.sh
. tests/e2e/docker-lib.sh
# shellcheck source=tests/e2e/images.sh
. tests/e2e/images.sh

PLATFORMS=(linux/amd64 linux/arm64 linux/arm/v7)
LIST=$(IFS=,; echo "${PLATFORMS[*]}")
# The generated scripts call `docker`: Debian's 20.10 client, which drives the daemon's BuildKit.
export PATH="/usr/bin:$PATH"
# docker's manifest lists and logins, and podman's storage, stay in the temp dir.
export DOCKER_CONFIG="$E2E_ROOT/docker-config" CONTAINERS_STORAGE_CONF="$E2E_ROOT/podman/storage.conf"

binfmt_remember
trap 'exit 130' INT TERM

podman_setup() {
  mkdir -p "$E2E_ROOT/podman" "$DOCKER_CONFIG"
  # podman reads its logins from $DOCKER_CONFIG/config.json too, and refuses to push if it is missing.
  echo '{}' >"$DOCKER_CONFIG/config.json"
  printf '[storage]\ndriver = "overlay"\ngraphroot = "%s"\nrunroot = "%s"\n' \
    "$E2E_ROOT/podman/root" "$E2E_ROOT/podman/run" >"$CONTAINERS_STORAGE_CONF"
  local image
  for image in e2e/mab e2e/go-builder; do
    # One tag: `docker save REPO` saves every tag of it.
    "$DOCKER" save "$image:latest" | podman load -q >/dev/null || e2e_die "cannot load $image into podman"
  done
}

# A temp copy of an example with the Dockerfile and the publish script mab generates.
publish_project() {
  local engine=$1 image=$2 dir="$E2E_ROOT/publish-$1"
  rm -rf "$dir"
  cp -a "$REPO/examples/go-hello" "$dir"
  # --debian bookworm: the builds run in e2e/go-builder, a bookworm image.
  "$MAB" gen dockerfile -C "$dir" --debian bookworm >/dev/null 2>&1
  "$MAB" gen publish -C "$dir" --engine "$engine" --insecure --image "$image" --platforms "$LIST" >/dev/null 2>&1 \
    || "$MAB" gen publish -C "$dir" --engine "$engine" --insecure --image "$image" --platforms "$LIST"
  echo "$dir"
}

# Runs a generated publish script with binfmt off; sets DIGEST to what it reports (its last line).
run_publish() {
  local label=$1 dir=$2 start=$SECONDS
  shift 2
  binfmt_unregister "${QEMU_CPUS[@]}"
  if sh "$dir/publish.sh" "$@" >"$E2E_ROOT/$label.out" 2>"$E2E_ROOT/$label.log"; then
    DIGEST=$(tail -1 "$E2E_ROOT/$label.out")
    pass "$label: publish.sh ($(elapsed $start), binfmt off) printed $DIGEST"
  else
    tail -25 "$E2E_ROOT/$label.log" | sed 's/^/    | /' >&2
    fail "$label: publish.sh failed (log above)"
    return 1
  fi
}

# The three checks of a published tag.
check_published() {
  local label=$1 image=$2 digest=$3 out raw want
  if out=$("$MAB" manifest check --insecure "$image" --platforms "$LIST" 2>&1); then
    pass "$label: mab manifest check"
  else
    fail "$label: mab manifest check: $out"
  fi
  if [[ "$out" == *": index $digest "* ]]; then pass "$label: mab reads the index digest publish.sh printed"; else fail "$label: mab read another index than $digest: $out"; fi

  # skopeo's raw bytes hash to the same digest, and list the same images as mab found.
  raw=$(skopeo inspect --raw --tls-verify=false "docker://$image") || raw=""
  if [ "sha256:$(printf '%s' "$raw" | sha256sum | cut -d' ' -f1)" = "$digest" ]; then
    pass "$label: skopeo inspect --raw shows the same index"
  else
    fail "$label: skopeo's index differs from $digest: $raw"
  fi
  want=$(printf '%s\n' "$out" | awk '$1 == "ok" {print $3}' | sort)
  if [ -n "$want" ] && [ "$(printf '%s' "$raw" | python3 -c 'import json, sys; print("\n".join(sorted(m["digest"] for m in json.load(sys.stdin)["manifests"])))')" = "$want" ]; then
    pass "$label: skopeo lists the images mab checked"
  else
    fail "$label: skopeo lists other images than mab: $raw"
  fi

  # A pull for arm64 gets the arm64 image, which prints the arm64 answer under binfmt.
  binfmt_register "${QEMU_CPUS[@]}"
  "$DOCKER" rmi -f "$image" >/dev/null 2>&1 || true
  if "$DOCKER" pull -q --platform linux/arm64 "$image" >/dev/null 2>"$E2E_ROOT/$label-pull.log" \
    && out=$("$DOCKER" run --rm --network=none --platform linux/arm64 "$image" 2>&1) \
    && [ "$out" = "go-hello arm64 76127" ]; then
    pass "$label: pulled for linux/arm64, it prints: $out"
  else
    fail "$label: pull and run for linux/arm64: ${out:-$(cat "$E2E_ROOT/$label-pull.log")}"
  fi
}

# A multi-arch Debian (amd64 and arm64) in the registry, pushed as one index by docker's manifest tool.
multiarch_base() {
  local image=$REGISTRY/e2e/bookworm arch refs=()
  binfmt_register "${QEMU_CPUS[@]}"  # debootstrap's second stage runs arm64 programs
  for arch in amd64 arm64; do
    base_image "$image:$arch" "$arch" ca-certificates
    "$DOCKER" push -q "$image:$arch" >/dev/null || e2e_die "cannot push $image:$arch"
    refs+=("$(pushed_ref "$image:$arch")")
  done
  "$DOCKER" manifest create --insecure "$image:latest" "${refs[@]}" >/dev/null \
    && "$DOCKER" manifest push --insecure --purge "$image:latest" >/dev/null \
    || e2e_die "cannot push the multi-arch base $image:latest"
}

# What the trap fixture's image recorded in its build stage, for linux/arm64, pulled from the registry.
trap_record() {
  local image=$1 cid file dir="$E2E_ROOT/record-${1//[\/:]/-}"
  mkdir -p "$dir"
  "$DOCKER" rmi -f "$image" >/dev/null 2>&1 || true
  "$DOCKER" pull -q --platform linux/arm64 "$image" >/dev/null || return 1
  cid=$("$DOCKER" create --platform linux/arm64 "$image" /none)
  for file in build-machine rust-triple mab-stderr; do "$DOCKER" cp "$cid:/$file" "$dir/$file"; done
  "$DOCKER" rm "$cid" >/dev/null
  echo "$dir"
}

podman_trap() {
  local dir="$E2E_ROOT/trap" image=$REGISTRY/e2e/trap record got
  cp -a "$REPO/tests/e2e/trap" "$dir"
  cp "$MAB" "$dir/mab"
  "$MAB" gen publish -C "$dir" --engine podman --insecure --image "$image:fixed" --platforms linux/amd64,linux/arm64 >/dev/null 2>&1
  multiarch_base

  # mab's route, binfmt off: an arm64 build stage could not even start.
  if run_publish trap-fixed "$dir" --build-arg "BASE_IMAGE=$REGISTRY/e2e/bookworm" --tls-verify=false \
    && record=$(trap_record "$image:fixed"); then
    got="$(cat "$record/build-machine") $(cat "$record/rust-triple")"
    if [ "$got" = "x86_64 aarch64-unknown-linux-gnu" ] && [ ! -s "$record/mab-stderr" ]; then
      pass "podman trap fixed: the arm64 image's build stage ran on x86_64 for aarch64, no warning"
    else
      fail "podman trap fixed: the arm64 image's build stage recorded '$got', mab said: $(cat "$record/mab-stderr")"
    fi
  else
    fail "podman trap fixed: no image to look at"
  fi

  # The same Dockerfile by plain podman build, binfmt on: the stage falls back to the arm64 base.
  binfmt_register "${QEMU_CPUS[@]}"
  if podman build -q --platform linux/arm64 --tls-verify=false --build-arg "BASE_IMAGE=$REGISTRY/e2e/bookworm" \
    -t "$image:unfixed" "$dir" >"$E2E_ROOT/trap-unfixed.log" 2>&1 \
    && podman push -q --tls-verify=false "$image:unfixed" "docker://$image:unfixed" >>"$E2E_ROOT/trap-unfixed.log" 2>&1 \
    && record=$(trap_record "$image:unfixed"); then
    got=$(cat "$record/build-machine")
    if [ "$got" = aarch64 ] && grep -q 'emulated' "$record/mab-stderr"; then
      pass "podman trap shown: without BUILDPLATFORM the build stage ran on aarch64 (emulated), and mab warned: $(head -c 90 "$record/mab-stderr")..."
    else
      fail "podman trap not shown: the unfixed build stage recorded '$got', mab said: $(cat "$record/mab-stderr")"
    fi
  else
    tail -15 "$E2E_ROOT/trap-unfixed.log" | sed 's/^/    | /'
    fail "podman trap: the plain podman build failed (log above)"
  fi
}

# Wrong images are exit 1 with the problem named; an unreachable registry is exit 2.
negative() {
  local image=$REGISTRY/e2e/go-hello amd64
  # The docker route's amd64 image, still tagged locally.
  amd64=$(pushed_ref "$image:docker-linux-amd64") || { fail "wrong images: the docker route pushed no amd64 image"; return; }
  # An index whose arm64 entry is the amd64 image.
  "$DOCKER" manifest create --insecure "$image:liar" "$amd64" >/dev/null \
    && "$DOCKER" manifest annotate --arch arm64 "$image:liar" "$amd64" \
    && "$DOCKER" manifest push --insecure --purge "$image:liar" >/dev/null || e2e_die "cannot push $image:liar"
  expect_check 1 "config says amd64 under arm64" "$image:liar" linux/arm64 "linux/arm64: the image listed for it (${amd64#*@}) says linux/amd64"
  expect_check 1 "a platform missing" "$image:docker" "$LIST,linux/riscv64" "linux/riscv64: not in the image"
  expect_check 1 "a platform not asked for" "$image:docker" linux/amd64,linux/arm64 "linux/arm/v7: listed"
  expect_check 1 "no such tag" "$image:nope" "$LIST" "no such image"
  registry_stop
  sleep 0.5
  expect_check 2 "registry down" "$image:docker" "$LIST" "cannot reach the registry"
}

expect_check() {
  local want_code=$1 label=$2 image=$3 platforms=$4 want=$5 out code=0
  out=$("$MAB" manifest check --insecure "$image" --platforms "$platforms" 2>&1) || code=$?
  if [ "$code" = "$want_code" ] && [[ "$out" == *"$want"* ]]; then
    pass "manifest check, $label: exit $code, $(grep -m1 'mab:' <<<"$out")"
  else
    fail "manifest check, $label: want exit $want_code and '$want', got exit $code: $out"
  fi
}

main() {
  local start=$SECONDS t dir
  build_mab
  docker_start
  trap e2e_cleanup EXIT
  registry_start
  t=$SECONDS
  base_image e2e/bookworm amd64 "$BUILD_PACKAGES"
  mab_image
  cached_image e2e/go-builder "$GO_BUILDER"
  podman_setup
  e2e_say "images ready in $(elapsed "$t")"

  local args=(--network=host --build-arg MAB_IMAGE=e2e/mab --build-arg BUILD_IMAGE=e2e/go-builder --build-arg BASE_IMAGE=scratch)
  for engine in docker podman; do
    dir=$(publish_project "$engine" "$REGISTRY/e2e/go-hello:$engine")
    if run_publish "$engine" "$dir" "${args[@]}"; then
      check_published "$engine" "$REGISTRY/e2e/go-hello:$engine" "$DIGEST"
    fi
  done
  podman_trap
  negative
  e2e_say "publishing end to end in $(elapsed "$start")"
  e2e_summary
}

main "$@"
