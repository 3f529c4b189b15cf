#!/usr/bin/env bash
# The whole test suite, on a fresh Debian 12 machine: installs what it needs, then checks format, lints
# and runs every test (unit, integration, real cross builds run under qemu).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
export PATH="/usr/lib/go-1.23/bin:$PATH" GOTOOLCHAIN=local

cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test
./scripts/fuzz.sh 1000000 300
if [ -n "${MAB_TEST_HOSTED:-}" ]; then
  echo "test.sh: MAB_TEST_HOSTED is set: tests/e2e NOT run (it needs its own dockerd and the machine's binfmt entries)" >&2
  exit 0
fi
# End to end: the examples' generated Dockerfiles built in a real (private) Docker engine for three platforms.
bash tests/e2e/run.sh
# Publishing: manifest lists pushed to a loopback registry by the generated scripts (docker and podman).
bash tests/e2e/publish.sh
# Releasing: mab's own image (amd64 + arm64) and binaries as the release workflow makes them, on loopback.
bash tests/e2e/release.sh
