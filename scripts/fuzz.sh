#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets) for a bounded number of inputs and prints the count
# each ran. A crash fails the run and leaves the input under fuzz/artifacts/<target>/ — turn it into a
# regression test. cargo-fuzz wants nightly's -Z flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain take them.
# Usage: scripts/fuzz.sh [RUNS] [SECONDS_PER_TARGET]   (defaults: 1000000 inputs, at most 300 s each)
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
runs=${1:-1000000}
seconds=${2:-300}
command -v cargo-fuzz >/dev/null || { echo "fuzz: cargo-fuzz missing: run scripts/install-test-deps.sh" >&2; exit 2; }
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O
passed=0 failed=0
for target in $(cargo fuzz list); do
  log=$(mktemp)
  if cargo fuzz run -O "$target" -- -runs="$runs" -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    count=$(awk -F: '/stat::number_of_executed_units/ {gsub(/ /, "", $2); print $2}' "$log")
    echo "fuzz: $target: ${count:-?} inputs, no crash"
    passed=$((passed + 1))
  else
    tail -30 "$log" >&2
    echo "fuzz: $target: FAILED (input saved under fuzz/artifacts/$target/)"
    failed=$((failed + 1))
  fi
  rm -f "$log"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
