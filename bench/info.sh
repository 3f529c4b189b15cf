#!/usr/bin/env bash
# What one `mab info` costs, against starting a trivial program (/bin/true), measured in the same run.
# `mab info` runs in many RUN lines and scripts, so it must stay well under a millisecond of CPU time.
# Usage: bench/info.sh [RUNS]   (default 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-2000}
cargo build --release -q
mab=$PWD/target/release/mab
export TARGETPLATFORM=linux/arm/v7

# Prints "user system" CPU milliseconds that `runs` executions of a command took, from the kernel's
# accounting of this shell's reaped children (/proc/PID/stat fields 16 and 17).
cpu_ms() {
  local me=$BASHPID before after
  before=$(awk '{print $16, $17}' "/proc/$me/stat")
  for ((i = 0; i < runs; i++)); do "$@" >/dev/null; done
  after=$(awk '{print $16, $17}' "/proc/$me/stat")
  awk -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    split(b, x, " "); split(a, y, " "); printf "%d %d\n", (y[1] - x[1]) * 1000 / hz, (y[2] - x[2]) * 1000 / hz }'
}

report() {
  local name=$1 user=$2 sys=$3
  awk -v n="$runs" -v name="$name" -v u="$user" -v s="$sys" -v bu="$base_user" -v bs="$base_sys" 'BEGIN {
    printf "%-14s user %.3f ms  sys %.3f ms  per run   (total %.2fx /bin/true)\n", name, u / n, s / n, (bu + bs > 0 ? (u + s) / (bu + bs) : 0) }'
}

read -r base_user base_sys < <(cpu_ms /bin/true)
read -r info_user info_sys < <(cpu_ms "$mab" info)
read -r env_user env_sys < <(cpu_ms "$mab" info env)
echo "runs: $runs, $(nproc) cores, $(date -u +%F)"
report /bin/true "$base_user" "$base_sys"
report "mab info" "$info_user" "$info_sys"
report "mab info env" "$env_user" "$env_sys"
