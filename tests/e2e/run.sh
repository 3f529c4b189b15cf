#!/usr/bin/env bash
# End to end in a real Docker engine (README.md, "End to end"). For each project in examples/ and each
# platform, `mab gen dockerfile` writes the Dockerfile, a private dockerd builds it exactly as generated
# (only --build-arg picks the images, made here because no registry is reachable), and the result is
# checked: the image's recorded platform, `mab verify` on the binary taken out of it, and what it prints
# when run under qemu. qemu's binfmt entries are removed while building, so a RUN in a target-architecture
# stage would fail at once: every compile ran natively. One example is also built by buildah.
#
# As root on Debian 12. Ends with `N passed, N failed`; exits 1 if a check failed, 2 if the setup failed.
# E2E_PLATFORMS / E2E_EXAMPLES narrow the matrix; E2E_MAB_PLATFORMS picks the platforms of mab's image;
# E2E_KEEP=1 keeps the daemon's temp dir for a post-mortem.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
[ "$(id -u)" = 0 ] || { echo "e2e: error: run as root (it starts dockerd and changes binfmt handlers)" >&2; exit 2; }

bash scripts/install-test-deps.sh
export E2E_CACHE=${E2E_CACHE:-/var/cache/mab-e2e}
# shellcheck source=tests/e2e/docker-lib.sh
. tests/e2e/docker-lib.sh
# shellcheck source=tests/e2e/images.sh
. tests/e2e/images.sh

read -ra PLATFORMS <<<"${E2E_PLATFORMS:-linux/amd64 linux/arm64 linux/arm/v7}"
read -ra EXAMPLES <<<"${E2E_EXAMPLES:-go-hello go-cgo rust-hello rust-cc c-zlib}"
# mab's own image: two Rust builds of mab (a native one, then the release one) take minutes per platform,
# so the suite builds the one the matrix uses; E2E_MAB_PLATFORMS="linux/amd64 linux/arm64" adds more.
read -ra MAB_PLATFORMS <<<"${E2E_MAB_PLATFORMS:-linux/amd64}"
binfmt_remember
trap 'exit 130' INT TERM

# A temp copy of an example with its Dockerfile written by mab gen (and crates vendored for Rust). A project
# named EXAMPLE.VARIANT is the example generated with other options.
PROJECTS=""  # set in main, under the daemon's temp dir
prepare_project() {
  local project=$1 dir="$PROJECTS/$1"
  shift
  rm -rf "$dir"
  cp -a "$REPO/examples/${project%%.*}" "$dir"
  if [ -f "$dir/Cargo.toml" ]; then
    mkdir -p "$dir/.cargo"
    (cd "$dir" && cargo vendor --locked vendor >.cargo/config.toml 2>/dev/null) || return 1
  fi
  # The build images below are bookworm (e2e/bookworm and the builders on it): the Dockerfile's runtime
  # packages must be bookworm's, whatever gen's default release is.
  "$MAB" gen dockerfile -C "$dir" --debian bookworm "$@" >/dev/null 2>&1 \
    || "$MAB" gen dockerfile -C "$dir" --debian bookworm "$@"
}

build_image() {
  case $1 in
    go-*) echo e2e/go-builder ;;
    rust-*) echo e2e/rust-builder ;;
    *) echo e2e/bookworm ;;
  esac
}

# The line each example prints (examples/README.md) on a platform.
expected_line() {
  local example=$1 platform=$2 march
  march=$("$MAB" info --platform "$platform" march)
  case $example in
    go-*) echo "$example $("$MAB" info --platform "$platform" goarch) 76127" ;;
    # Rust's std::env::consts::ARCH says arm for every 32-bit Arm.
    rust-*) echo "$example ${march/#armv*/arm} 76127" ;;
    c-zlib) echo "c-zlib $march 76127 crc=3610a686" ;;
  esac
}

tag_of() { echo "e2e/$1:${2//\//-}"; }
is_static() { grep -q 'mab verify --static' "$PROJECTS/$1/Dockerfile"; }
has_std() { [ -d "$(rustc --print sysroot)/lib/rustlib/$1" ]; }

# Builds one cell with the generated Dockerfile, unchanged. Returns non-zero (after saying why) if it fails.
# Adds "example platform tag project" to BUILT when it succeeds.
build_cell() {
  local example=$1 platform=$2 base start=$SECONDS triple project=$1 note=""
  if [ -f "$PROJECTS/$project/Cargo.toml" ]; then
    triple=$(XX_LIBC=$(sed -n 's/^ENV XX_LIBC=\([a-z]*\).*/\1/p' "$PROJECTS/$project/Dockerfile") "$MAB" info --platform "$platform" rust-triple)
    # rustup serves no armv7 musl std here (404): build that platform from the Dockerfile generated with
    # --libc gnu --static instead (also a static binary), and say so; fail plainly if that std is missing too.
    if ! has_std "$triple" && has_std "$(XX_LIBC=gnu "$MAB" info --platform "$platform" rust-triple)"; then
      project="$example.gnu-static"
      note=", generated with --libc gnu --static: the toolchain has no std for $triple"
      [ -d "$PROJECTS/$project" ] || prepare_project "$project" --libc gnu --static
      triple=$(XX_LIBC=gnu "$MAB" info --platform "$platform" rust-triple)
    fi
    if ! has_std "$triple"; then
      fail "build $example $platform: the Rust toolchain has no std for $triple (rustup target add $triple)"
      return 1
    fi
  fi
  local tag
  tag=$(tag_of "$project" "$platform")
  # Dynamically linked programs carry their loader and libraries (mab bundle), so every image is built
  # on an empty base: a missing library fails the run below.
  base=scratch
  local args=(--network=host --platform "$platform" --build-arg MAB_IMAGE=e2e/mab
    --build-arg "BUILD_IMAGE=$(build_image "$example")" --build-arg "BASE_IMAGE=$base")
  if docker_build "$E2E_ROOT/build-$project-${platform//\//-}.log" "${args[@]}" -t "$tag" "$PROJECTS/$project"; then
    pass "build $example $platform ($(elapsed $start), compile stages native: binfmt off$note)"
    BUILT+=("$example $platform $tag $project")
    # The export stage writes the binary alone (the same build, from the cache).
    local dist="$E2E_ROOT/dist-${tag//[\/:]/-}"
    if docker_build "$E2E_ROOT/export-$project-${platform//\//-}.log" "${args[@]}" --target export \
      --output "type=local,dest=$dist" "$PROJECTS/$project" && "$MAB" verify --platform "$platform" "$dist/$example" >/dev/null; then
      pass "export $example $platform: dist/$example"
    else
      fail "export $example $platform: --target export --output type=local wrote no binary for $platform"
    fi
  else
    fail "build $example $platform: docker build failed (log above)$note"
    return 1
  fi
}

check_cell() {
  local example=$1 platform=$2 tag=$3 project=$4 got want cid bin label
  label="$example $platform ($tag)"
  got=$("$DOCKER" image inspect -f '{{.Os}}/{{.Architecture}}{{with .Variant}}/{{.}}{{end}}' "$tag")
  if [ "$got" = "$platform" ]; then pass "platform $label"; else fail "platform $label: the image records $got"; fi

  bin="$E2E_ROOT/bin-${tag//[\/:]/-}"
  cid=$("$DOCKER" create --platform "$platform" "$tag" 2>/dev/null)
  "$DOCKER" cp "$cid:/usr/local/bin/$example" "$bin" >/dev/null
  "$DOCKER" rm "$cid" >/dev/null
  local static=()
  is_static "$project" && static=(--static)
  if got=$("$MAB" verify "${static[@]}" --platform "$platform" "$bin" 2>&1); then
    pass "verify ${static[*]} $label"
  else
    fail "verify ${static[*]} $label: $got"
  fi

  want=$(expected_line "$example" "$platform")
  got=$("$DOCKER" run --rm --network=none --platform "$platform" "$tag" 2>&1) || true
  if [ "$got" = "$want" ]; then pass "run $label: $got"; else fail "run $label: want '$want', got '$got'"; fi
}

# mab's image holds a static mab for its platform and xx's names, and runs there.
check_mab_image() {
  local platform=$1 tag got bin
  tag=$(tag_of mab "$platform")
  got=$("$DOCKER" image inspect -f '{{.Os}}/{{.Architecture}}{{with .Variant}}/{{.}}{{end}}' "$tag")
  [ "$got" = "$platform" ] && pass "platform mab image $platform" || fail "platform mab image $platform: the image records $got"
  bin="$E2E_ROOT/bin-mab-${platform//\//-}"
  cid=$("$DOCKER" create --platform "$platform" "$tag" 2>/dev/null)
  "$DOCKER" cp "$cid:/usr/bin/mab" "$bin" >/dev/null
  "$DOCKER" rm "$cid" >/dev/null
  if got=$("$MAB" verify --static --platform "$platform" "$bin" 2>&1); then pass "verify --static mab image $platform"; else fail "verify --static mab image $platform: $got"; fi
  # Run under its own platform, mab knows it as the build machine; xx-info is one of its links.
  got=$("$DOCKER" run --rm --network=none --platform "$platform" "$tag" info build-platform 2>&1) || true
  [ "$got" = "$platform" ] && pass "run mab image $platform: $got" || fail "run mab image $platform: want '$platform', got '$got'"
  got=$("$DOCKER" run --rm --network=none --platform "$platform" --entrypoint /usr/bin/xx-info "$tag" arch 2>&1) || true
  [ "$got" = "${platform#linux/}" ] && pass "run xx-info in mab image $platform: $got" || fail "run xx-info in mab image $platform: got '$got'"
}

# buildah builds the same generated Dockerfile; its image is run by docker (podman and buildah cannot run
# containers here). buildah does not define BUILDPLATFORM, so it is passed (/work/shared/README.md).
buildah_cell() {
  local example=$1 platform=$2 start=$SECONDS store="$E2E_ROOT/buildah" image log
  local buildah=(buildah --root "$store/root" --runroot "$store/run" --storage-driver vfs)
  log="$E2E_ROOT/buildah-$example.log"
  mkdir -p "$store"
  for image in e2e/mab "$(build_image "$example")"; do
    # One tag: `docker save REPO` would save every tag of it, which buildah refuses.
    { "$DOCKER" save -o "$store/in.tar" "$image:latest" && "${buildah[@]}" pull -q "docker-archive:$store/in.tar"; } >>"$log" 2>&1 \
      || { tail -5 "$log" | sed 's/^/    | /'; fail "buildah $example $platform: cannot import $image"; return 1; }
    rm -f "$store/in.tar"
  done
  if "${buildah[@]}" bud --network=host --platform "$platform" --build-arg BUILDPLATFORM=linux/amd64 \
    --build-arg MAB_IMAGE=e2e/mab --build-arg "BUILD_IMAGE=$(build_image "$example")" --build-arg BASE_IMAGE=scratch \
    -t "e2e/buildah-$example" "$PROJECTS/$example" >>"$log" 2>&1 \
    && "${buildah[@]}" push -q "e2e/buildah-$example" "docker-archive:$store/out.tar:e2e/buildah-$example:latest" >>"$log" 2>&1 \
    && "$DOCKER" load -q -i "$store/out.tar" >/dev/null; then
    pass "buildah bud $example $platform ($(elapsed $start), compile stages native: binfmt off)"
  else
    tail -25 "$log" | sed 's/^/    | /'
    fail "buildah bud $example $platform (log above)"
    return 1
  fi
}

# `mab lint --fix` on a Dockerfile written the slow way (go build in a stage of the target's platform): the
# fixed file must lint clean and build for every platform with binfmt off. Its images are named as a user
# has them (golang:1.23 and mab's default image), tagged here from the local ones.
lint_fix_cells() {
  local dir="$PROJECTS/go-hello.linted" platform tag out mab_image
  rm -rf "$dir" && cp -a "$REPO/examples/go-hello" "$dir" && rm -f "$dir/Dockerfile"
  cat >"$dir/Dockerfile" <<'SLOW'
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /go-hello .
FROM scratch
COPY --from=build /go-hello /usr/local/bin/go-hello
ENTRYPOINT ["/usr/local/bin/go-hello"]
SLOW
  if out=$("$MAB" lint "$dir/Dockerfile" 2>&1); then
    fail "mab lint: the slow Dockerfile passed: $out"
  elif grep -q MAB001 <<<"$out"; then
    pass "mab lint: the slow Dockerfile's go build is found emulated (MAB001)"
  else
    fail "mab lint: no MAB001 for the slow Dockerfile: $out"
  fi
  if out=$("$MAB" lint --fix "$dir/Dockerfile" 2>&1); then
    pass "mab lint --fix: nothing left at warning level"
  else
    fail "mab lint --fix: $out"
    return 1
  fi
  mab_image=$(sed -n 's/^FROM --platform=$BUILDPLATFORM \(.*\) AS mab$/\1/p' "$dir/Dockerfile")
  "$DOCKER" tag e2e/go-builder golang:1.23 && "$DOCKER" tag e2e/mab "$mab_image" \
    || { fail "mab lint --fix: cannot tag the local images as golang:1.23 and $mab_image"; return 1; }
  for platform in "${PLATFORMS[@]}"; do
    tag=$(tag_of go-hello.linted "$platform")
    if docker_build "$E2E_ROOT/build-linted-${platform//\//-}.log" --network=host --platform "$platform" -t "$tag" "$dir"; then
      pass "build the lint --fix Dockerfile $platform (compile stages native: binfmt off)"
      BUILT+=("go-hello $platform $tag go-hello.linted")
    else
      fail "build the lint --fix Dockerfile $platform (log above)"
    fi
  done
}

main() {
  local start=$SECONDS t
  build_mab
  docker_start
  trap e2e_cleanup EXIT
  PROJECTS="$E2E_ROOT/projects"
  mkdir -p "$PROJECTS"

  t=$SECONDS
  base_image e2e/bookworm amd64 "$BUILD_PACKAGES"
  mab_image
  cached_image e2e/go-builder "$GO_BUILDER"
  rust_builder
  local p
  for p in "${PLATFORMS[@]}"; do glibc_image "$p"; done
  e2e_say "images ready in $(elapsed "$t")"

  # mab's own image from the repository's Dockerfile, with binfmt off (so it too compiles natively). The
  # amd64 one then serves the matrix as MAB_IMAGE; if it cannot be built, the matrix goes on with the
  # host-built mab (e2e/mab) and the failure is counted.
  binfmt_unregister "${QEMU_CPUS[@]}"
  t=$SECONDS
  local mab_cells=()
  for p in "${MAB_PLATFORMS[@]}"; do
    if repo_mab_image "$p" -t "$(tag_of mab "$p")"; then
      pass "build mab's image (repository Dockerfile) $p ($(elapsed "$t"))"
      mab_cells+=("$p")
    else
      fail "build mab's image (repository Dockerfile) $p (log above)"
    fi
    t=$SECONDS
  done
  [[ " ${mab_cells[*]} " != *" linux/amd64 "* ]] || "$DOCKER" tag "$(tag_of mab linux/amd64)" e2e/mab

  local example platform flags
  for example in "${EXAMPLES[@]}"; do
    flags=()
    prepare_project "$example" "${flags[@]}" || fail "mab gen dockerfile $example"
  done

  # No handler for foreign binaries while building: a target-architecture RUN fails with "exec format
  # error". The control below shows that the removal took effect.
  binfmt_unregister "${QEMU_CPUS[@]}"
  if "$DOCKER" run --rm --network=none --platform linux/arm64 e2e/glibc:arm64 /lib/ld-linux-aarch64.so.1 --version >/dev/null 2>&1; then
    fail "binfmt off: an arm64 program still ran, so the builds would not prove anything"
  else
    pass "binfmt off: arm64 programs cannot run during the builds"
  fi

  t=$SECONDS
  BUILT=()
  for example in "${EXAMPLES[@]}"; do
    for platform in "${PLATFORMS[@]}"; do
      [ -f "$PROJECTS/$example/Dockerfile" ] || { fail "build $example $platform: no generated Dockerfile"; continue; }
      build_cell "$example" "$platform" || true
    done
  done
  [[ " ${EXAMPLES[*]} " != *" go-hello "* ]] || lint_fix_cells || true
  e2e_say "docker builds in $(elapsed "$t")"
  if [[ " ${EXAMPLES[*]} " != *" go-hello "* ]]; then
    :  # the buildah cell builds go-hello
  elif command -v buildah >/dev/null; then
    buildah_cell go-hello linux/arm64 && BUILT+=("go-hello linux/arm64 e2e/buildah-go-hello go-hello")
  else
    fail "buildah missing: apt-get install buildah (scripts/install-test-deps.sh)"
  fi

  binfmt_register "${QEMU_CPUS[@]}"
  for p in "${mab_cells[@]}"; do check_mab_image "$p"; done
  local cell
  for cell in "${BUILT[@]}"; do
    # shellcheck disable=SC2086
    check_cell $cell
  done
  e2e_say "end to end in $(elapsed "$start")"
  e2e_summary
}

main "$@"
