# Images for the end-to-end tests and benchmarks, made locally because no registry is reachable here (see
# docker-lib.sh, sourced first). Callers set REPO (the repository) and PLATFORMS (and MAB_PLATFORMS, if
# mab's image is built: for the Rust builder's standard libraries).

# Packages of the local build images (the generated Dockerfiles install what they need themselves; having
# them here already only saves downloads).
BUILD_PACKAGES=ca-certificates,gcc,libc6-dev,clang,lld,pkg-config,cmake,ninja-build
# What the glibc-linked examples need at run time, in the final image.
RUNTIME_PACKAGES=(libc6 libgcc-s1 zlib1g)

# mab itself, static (musl) as the repository's Dockerfile ships it; debug, because speed does not matter.
build_mab() {
  if [ -n "${MAB_BIN:-}" ]; then MAB=$MAB_BIN; return; fi
  cargo build --quiet --target x86_64-unknown-linux-musl || e2e_die "cannot build mab for x86_64-unknown-linux-musl"
  MAB=${CARGO_TARGET_DIR:-$REPO/target}/x86_64-unknown-linux-musl/debug/mab
}

# e2e/mab: mab and its xx-* links in /usr/bin of an empty image, the layout of the repository's Dockerfile.
mab_image() {
  local ctx
  ctx=$(mktemp -d "$E2E_ROOT/ctx.XXXXXX")
  mkdir -p "$ctx/usr/bin"
  objcopy --strip-debug "$MAB" "$ctx/usr/bin/mab"
  "$ctx/usr/bin/mab" links "$ctx/usr/bin"
  printf 'FROM scratch\nCOPY usr/ /usr/\n' >"$ctx/Dockerfile"
  docker_build "$E2E_ROOT/mab-image.log" --platform linux/amd64 -t e2e/mab "$ctx" || e2e_die "cannot build e2e/mab"
}

# A build image made once per machine: saved under $E2E_CACHE, keyed by its Dockerfile and base.
cached_image() {
  local name=$1 dockerfile=$2 platform=${3:-linux/amd64} key tarball
  key=$(printf '%s\n%s\n%s\n' "$dockerfile" "$BUILD_PACKAGES" "$platform" | sha256sum | cut -c1-16)
  tarball="$E2E_CACHE/${name//\//-}-$key.tar"
  if [ -s "$tarball" ]; then
    "$DOCKER" load -q -i "$tarball" >/dev/null || e2e_die "cannot load $tarball"
    return
  fi
  local ctx
  ctx=$(mktemp -d "$E2E_ROOT/ctx.XXXXXX")
  printf '%s\n' "$dockerfile" >"$ctx/Dockerfile"
  docker_build "$E2E_ROOT/${name//\//-}.log" --network=host --platform "$platform" --build-arg "MIRROR=$(debian_mirror)" \
    -t "$name" "$ctx" || e2e_die "cannot build $name"
  "$DOCKER" save -o "$tarball.tmp" "$name" && mv "$tarball.tmp" "$tarball"
}

# Go from bookworm-backports, set up as the golang image is (GOPATH=/go); no module proxy is reachable.
GO_BUILDER='FROM e2e/bookworm
ARG MIRROR
RUN echo "deb $MIRROR bookworm-backports main" >/etc/apt/sources.list.d/backports.list \
 && apt-get update -qq && apt-get install -y -qq --no-install-recommends golang-1.23-go \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/go-1.23/bin:$PATH GOPATH=/go GOTOOLCHAIN=local GOPROXY=off'

# Rust: the host's toolchain with only the standard libraries the matrix needs, sent as a tar context
# (no copy on disk). Crates are vendored into the projects, so cargo stays offline.
rust_builder() {
  local sysroot ctx paths=(bin libexec) p triple
  sysroot=$(rustc --print sysroot)
  for p in "$sysroot"/lib/*.so*; do paths+=("lib/${p##*/}"); done
  local triples=("$(rustc -vV | awk '/^host:/ {print $2}')")
  for p in "${PLATFORMS[@]}" ${MAB_PLATFORMS[@]+"${MAB_PLATFORMS[@]}"}; do
    for libc in gnu musl; do
      triple=$(XX_LIBC=$libc "$MAB" info --platform "$p" rust-triple)
      [ -d "$sysroot/lib/rustlib/$triple" ] && triples+=("$triple")
    done
  done
  for triple in $(printf '%s\n' "${triples[@]}" | sort -u); do paths+=("lib/rustlib/$triple"); done
  ctx=$(mktemp -d "$E2E_ROOT/ctx.XXXXXX")
  printf '%s\n' "FROM ${RUST_BUILDER_BASE:-e2e/bookworm}" 'COPY rust/ /usr/local/rust/' \
    'ENV PATH=/usr/local/rust/bin:$PATH CARGO_HOME=/usr/local/cargo CARGO_NET_OFFLINE=true' >"$ctx/Dockerfile"
  tar -c -C "$ctx" Dockerfile -C "$sysroot" --transform 's,^\([^D]\),rust/\1,' "${paths[@]}" \
    | "$DOCKER" build --platform linux/amd64 -t e2e/rust-builder - >"$E2E_ROOT/rust-builder.log" 2>&1 \
    || { tail -20 "$E2E_ROOT/rust-builder.log" >&2; e2e_die "cannot build e2e/rust-builder"; }
}

# A minimal glibc image for one platform: the runtime packages' files, unpacked on the host with a private
# apt state (the host's own apt configuration is not touched) and cached.
glibc_image() {
  local platform=$1 arch tarball dir
  arch=$("$MAB" info --platform "$platform" debian-arch)
  tarball="$E2E_CACHE/glibc-$arch-$(echo "${RUNTIME_PACKAGES[*]}" | sha256sum | cut -c1-16).tar"
  if [ ! -s "$tarball" ]; then
    dir=$(mktemp -d "$E2E_ROOT/apt.XXXXXX")
    mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/debs" "$dir/rootfs"
    echo "deb [arch=$arch] $(debian_mirror) bookworm main" >"$dir/sources.list"
    local opts=(-qq -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o "Dir::Etc::SourceList=$dir/sources.list"
      -o Dir::Etc::SourceParts=/nonexistent -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
      -o APT::Sandbox::User=root)
    apt-get "${opts[@]}" update || e2e_die "apt-get update for $arch failed"
    (cd "$dir/debs" && apt-get "${opts[@]}" download "${RUNTIME_PACKAGES[@]/%/:$arch}") \
      || e2e_die "apt-get download ${RUNTIME_PACKAGES[*]} ($arch) failed"
    for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/rootfs"; done
    tar -C "$dir/rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$dir"
  fi
  rootfs_image "e2e/glibc:$arch" "$platform" "$tarball"
}


# mab's image from the repository's Dockerfile, as users build it: the sources (uncommitted changes too)
# with their crates vendored into a temp copy, built with the local Rust builder (no registry here).
# `repo_mab_image PLATFORM DOCKER-BUILD-ARGS...` (-t TAG, or --target export -o ...).
repo_mab_image() {
  local platform=$1 src="$E2E_ROOT/mab-src"
  shift
  if [ ! -d "$src" ]; then
    mkdir -p "$src"
    tar -C "$REPO" --exclude=./.git --exclude=./target -c . | tar -C "$src" -x
    mkdir -p "$src/.cargo"
    (cd "$src" && cargo vendor --locked vendor >.cargo/config.toml 2>"$E2E_ROOT/mab-vendor.log") \
      || { tail -5 "$E2E_ROOT/mab-vendor.log" >&2; return 1; }
  fi
  docker_build "$(mktemp "$E2E_ROOT/mab-image-${platform//\//-}.XXXXXX")" --network=host --platform "$platform" \
    --build-arg RUST_IMAGE=e2e/rust-builder "$@" "$src"
}
