#!/usr/bin/env bash
# How much faster is cross-compiling with mab than building under emulation, as `docker build --platform
# linux/arm64` does without a BUILDPLATFORM stage? Builds examples/go-hello and examples/rust-hello for
# linux/arm64 three ways and prints the times and ratios:
#
#   native    the build machine's own build (linux/amd64), the floor;
#   mab       `mab go build` / `mab cargo build` on the build machine for linux/arm64 (native cross);
#   emulated  arm64 toolchains run under qemu-aarch64-static, as in an emulated Docker stage:
#             Go: an arm64 `go` plus arm64 compile/link/asm/cgo/buildid/vet (cross-built from this Go's own
#                 sources into a GOROOT that shares its src/), run as `qemu-aarch64-static go build
#                 -toolexec=qemu-aarch64-static`, so the go command and every compiler and linker run emulated;
#             Rust: rustup's aarch64-unknown-linux-gnu host toolchain (same version as the native one), with
#                 cargo and every rustc run under qemu (RUSTC_WRAPPER). Linking uses the native
#                 aarch64-linux-gnu-gcc: there is no arm64 gcc here, so the emulated Rust time is a lower bound.
#
# Every timed build is cold (fresh GOCACHE / CARGO_TARGET_DIR), like a Docker stage without cache mounts.
# Setting up the emulated toolchains is timed separately and kept in $MAB_BENCH_DIR between runs.
# Needs: go, cargo+rustup, qemu-user-static, gcc-aarch64-linux-gnu, and apt-get with arm64 enabled
# (`dpkg --add-architecture arm64 && apt-get update`) to fetch the arm64 zlib that rustc loads.
# Not part of `cargo test`. Usage: bench/cross-vs-emulated.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${MAB_BENCH_DIR:-${TMPDIR:-/tmp}/mab-bench}
EMU=$WORK/emu
RUN=$WORK/run-$$
mkdir -p "$EMU" "$RUN"
trap 'rm -rf "$RUN"' EXIT
export GOTOOLCHAIN=local CGO_ENABLED=0
unset GOOS GOARCH GOARM GOFLAGS TARGETPLATFORM TARGETARCH TARGETOS TARGETVARIANT RUSTFLAGS

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }
need() { command -v "$1" >/dev/null || die "$1 not found: $2"; }

GO=$(command -v go || ls -d /usr/lib/go-*/bin/go 2>/dev/null | sort -V | tail -1 || true)
[ -x "$GO" ] || die "go not found: run scripts/install-test-deps.sh"
export PATH="$(dirname "$GO"):$PATH"
need cargo "install Rust with rustup"
need rustup "the emulated Rust build uses rustup's aarch64 host toolchain"
need qemu-aarch64-static "install qemu-user-static"
need aarch64-linux-gnu-gcc "install gcc-aarch64-linux-gnu"

say "building mab"
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target} cargo build -q
MAB=${CARGO_TARGET_DIR:-$ROOT/target}/debug/mab

now() { date +%s.%N; }
# Runs a build quietly and prints its wall time in seconds; its output goes to $RUN/log.
timed() {
  local t0 t1
  t0=$(now)
  "$@" >"$RUN/log" 2>&1 || { cat "$RUN/log" >&2; die "failed: $*"; }
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
# qemu-user 7.2 has been seen to hang once in a multithreaded guest: bound emulated runs, retry once.
emulated() { timeout 1800 "$@" || { [ $? = 124 ] && say "timed out, retrying once" && timeout 1800 "$@"; }; }

# --- emulated toolchains (set up once) -------------------------------------------------------------------
GOROOT_HOST=$("$GO" env GOROOT)
GOROOT_ARM64=$EMU/goroot-arm64
if [ ! -x "$GOROOT_ARM64/bin/go" ]; then
  say "cross-building an arm64 Go toolchain from $GOROOT_HOST (once)"
  t=$(now)
  rm -rf "$GOROOT_ARM64"
  mkdir -p "$GOROOT_ARM64/bin" "$GOROOT_ARM64/pkg/tool/linux_arm64"
  for f in VERSION go.env api misc src test; do
    [ -e "$GOROOT_HOST/$f" ] && ln -s "$(readlink -f "$GOROOT_HOST/$f")" "$GOROOT_ARM64/$f"
  done
  ln -s "$(readlink -f "$GOROOT_HOST/pkg/include")" "$GOROOT_ARM64/pkg/include"
  (cd "$GOROOT_HOST/src" && export GOOS=linux GOARCH=arm64 GOCACHE=$EMU/gocache-setup &&
    "$GO" build -o "$GOROOT_ARM64/bin/go" cmd/go &&
    "$GO" build -o "$GOROOT_ARM64/pkg/tool/linux_arm64/" cmd/compile cmd/link cmd/asm cmd/cgo cmd/buildid cmd/vet)
  say "arm64 Go toolchain ready in $(awk -v a="$t" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }') s"
fi

RUST_VERSION=$(rustc --version | awk '{print $2}')
export RUSTUP_HOME_ARM64=$EMU/rustup
TC=$RUSTUP_HOME_ARM64/toolchains/$RUST_VERSION-aarch64-unknown-linux-gnu
if [ ! -x "$TC/bin/rustc" ]; then
  say "installing rustup's aarch64 Rust $RUST_VERSION toolchain into $RUSTUP_HOME_ARM64 (once)"
  RUSTUP_HOME=$RUSTUP_HOME_ARM64 rustup toolchain install "$RUST_VERSION-aarch64-unknown-linux-gnu" \
    --profile minimal --force-non-host --no-self-update >/dev/null 2>&1 || die "rustup could not install the aarch64 toolchain"
fi
ZLIB=$EMU/arm64-libs/lib/aarch64-linux-gnu
if [ ! -e "$ZLIB/libz.so.1" ]; then
  say "fetching zlib1g:arm64, which the arm64 rustc loads (once)"
  (cd "$EMU" && apt-get download -q zlib1g:arm64 >/dev/null 2>&1) \
    || die "apt-get download zlib1g:arm64 failed: enable arm64 with 'dpkg --add-architecture arm64 && apt-get update'"
  dpkg-deb -x "$EMU"/zlib1g_*_arm64.deb "$EMU/arm64-libs"
fi
QEMU_RUSTC=$EMU/qemu-aarch64
cat >"$QEMU_RUSTC" <<SH
#!/bin/sh
# Runs an arm64 program (cargo, rustc) under qemu with the arm64 libraries it loads.
exec qemu-aarch64-static -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=$ZLIB "\$@"
SH
chmod +x "$QEMU_RUSTC"

# --- the builds ------------------------------------------------------------------------------------------
say "Go: examples/go-hello"
cd "$ROOT/examples/go-hello"
go_native=$(GOCACHE=$RUN/gc1 timed go build -o "$RUN/go-amd64" .)
go_mab=$(GOCACHE=$RUN/gc2 TARGETPLATFORM=linux/arm64 timed "$MAB" go build -o "$RUN/go-arm64-mab" .)
go_emu=$(GOROOT=$GOROOT_ARM64 GOCACHE=$RUN/gc3 timed emulated qemu-aarch64-static \
  "$GOROOT_ARM64/bin/go" build -toolexec=qemu-aarch64-static -o "$RUN/go-arm64-emu" .)

say "Rust: examples/rust-hello (release)"
cp -r "$ROOT/examples/rust-hello" "$RUN/rust-hello"
cd "$RUN/rust-hello"
rs_native=$(CARGO_TARGET_DIR=$RUN/t1 timed cargo build --release)
rs_mab=$(CARGO_TARGET_DIR=$RUN/t2 TARGETPLATFORM=linux/arm64 timed "$MAB" cargo build --release)
rs_emu=$(RUSTUP_HOME=$RUSTUP_HOME_ARM64 RUSTC="$TC/bin/rustc" RUSTC_WRAPPER="$QEMU_RUSTC" \
  CARGO_TARGET_DIR=$RUN/t3 CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
  timed emulated "$QEMU_RUSTC" "$TC/bin/cargo" build --release)

# The arm64 outputs must be real: run them.
check() { local out; out=$(qemu-aarch64-static -L /usr/aarch64-linux-gnu "$1"); [ "$out" = "$2" ] || die "$1 printed '$out'"; }
check "$RUN/go-arm64-mab" "go-hello arm64 76127"
check "$RUN/go-arm64-emu" "go-hello arm64 76127"
check "$RUN/t2/aarch64-unknown-linux-gnu/release/rust-hello" "rust-hello aarch64 76127"
check "$RUN/t3/release/rust-hello" "rust-hello aarch64 76127"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
printf '\nCold builds for linux/arm64 on %s (%s cores), %s, Rust %s\n' "$(uname -m)" "$(nproc)" "$("$GO" version | awk '{print $3}')" "$RUST_VERSION"
printf '%-22s %10s %10s %10s %14s %16s\n' project "native" "mab" "emulated" "mab/native" "emulated/mab"
printf '%-22s %9ss %9ss %9ss %14s %16s\n' "go-hello" "$go_native" "$go_mab" "$go_emu" "$(ratio "$go_mab" "$go_native")" "$(ratio "$go_emu" "$go_mab")"
printf '%-22s %9ss %9ss %9ss %14s %16s\n' "rust-hello --release" "$rs_native" "$rs_mab" "$rs_emu" "$(ratio "$rs_mab" "$rs_native")" "$(ratio "$rs_emu" "$rs_mab")"
printf '(native = linux/amd64 build; mab = native cross to linux/arm64; emulated = arm64 toolchain under qemu-aarch64-static)\n'
