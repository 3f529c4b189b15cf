#!/usr/bin/env bash
# How well does `mab gen dockerfile` generalise? Builds real projects at release tags (bench/corpus.txt)
# from the Dockerfile mab writes for them, unchanged, for linux/amd64, linux/arm64 and linux/arm/v7 in a
# private Docker engine with qemu's binfmt entries removed (so no step can be emulated), then runs each
# image under qemu and prints one table row per project: whether gen answered without a question, each
# platform's build, and whether the program ran.
#
#   bench/corpus.sh dev|holdout|all|NAME...
#
# The projects are never part of mab: each comes from a bare git mirror under $CORPUS_MIRRORS
# (OWNER+REPO/repo, as the search tool's fetch writes them; `git archive TAG`), into a temp dir. Rust
# projects get their crates vendored on the host (no registry is reachable from inside a build); Go
# projects must vendor their modules (no module proxy is reachable here) and build with Debian's newest Go.
# C and Rust builds run in the e2e build image (debootstrap of CORPUS_RELEASE, bookworm by default, with
# clang); mab is the host-built one.
# When gen asks a question, the project's program name from bench/corpus.txt answers `--bin`, and the row
# says so. As root (dockerd, binfmt). Not part of scripts/test.sh: on this 2-core machine one half takes
# about an hour. CORPUS_PLATFORMS narrows the platforms, CORPUS_JOBS (2) builds projects side by side,
# CORPUS_OUT (/tmp/mab-corpus) keeps the logs, Dockerfiles and the table (results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
[ "$(id -u)" = 0 ] || { echo "corpus: error: run as root (it starts dockerd and changes binfmt handlers)" >&2; exit 2; }
[ $# -gt 0 ] || { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

OUT=${CORPUS_OUT:-/tmp/mab-corpus}
JOBS=${CORPUS_JOBS:-2}
read -ra PLATFORMS <<<"${CORPUS_PLATFORMS:-linux/amd64 linux/arm64 linux/arm/v7}"
# shellcheck source=bench/projects.sh
. bench/projects.sh

# The rows asked for: "half class program repository tag".
ROWS=()
while read -r half class prog repo tag; do
  case $half in '#'* | '') continue ;; esac
  for want in "$@"; do
    if [ "$want" = all ] || [ "$want" = "$half" ] || [ "$want" = "$prog" ]; then
      ROWS+=("$half $class $prog $repo $tag")
      break
    fi
  done
done <bench/corpus.txt
[ ${#ROWS[@]} -gt 0 ] || { echo "corpus: error: no project in bench/corpus.txt matches: $*" >&2; exit 2; }

# The reason a build failed, in one line: the step's last line of output before BuildKit's ERROR.
reason() {
  grep -a -B1 -m1 '^#[0-9]* ERROR: ' "$1" | head -1 | sed 's/^#[0-9]* [0-9.]* //' | cut -c1-160
}

# Generates and builds one project; writes $OUT/results/PROG (key=value lines).
build_project() {
  local half=$1 class=$2 prog=$3 repo=$4 tag=$5 dir="$OUT/src/$3" res="$OUT/results/$3" log="$OUT/logs/$3"
  local platform start
  : >"$res"
  project_prepare "$prog" "$repo" "$tag" "$dir" "$log" || { echo "gen=$GEN" >>"$res"; return; }
  echo "gen=$GEN" >>"$res"
  cp "$dir/Dockerfile.mab" "$OUT/dockerfiles/$prog.Dockerfile"
  local builder
  builder=$(builder_for "$dir/Dockerfile.mab")
  for platform in "${PLATFORMS[@]}"; do
    start=$SECONDS
    if timeout 1800 "$DOCKER" build --network=host --platform "$platform" -f "$dir/Dockerfile.mab" \
      --build-arg MAB_IMAGE=e2e/mab --build-arg "BUILD_IMAGE=$builder" --build-arg BASE_IMAGE=scratch \
      -t "corpus/$prog:${platform//\//-}" "$dir" >"$log.${platform//\//-}" 2>&1; then
      echo "build ${platform}=ok $((SECONDS - start))s" >>"$res"
    else
      echo "build ${platform}=FAIL $((SECONDS - start))s: $(reason "$log.${platform//\//-}")" >>"$res"
    fi
  done
}

# Runs each built image under qemu (binfmt on) with the first of a few harmless arguments that gets the
# program to answer: it ran when it started on the target and exited by itself (no loader or exec error).
run_project() {
  local prog=$1 res="$OUT/results/$1" platform img out rc arg ran
  for platform in "${PLATFORMS[@]}"; do
    grep -q "^build ${platform}=ok" "$res" || continue
    img="corpus/$prog:${platform//\//-}"
    ran="no"
    for arg in --version -V -v --help -h; do
      rc=0
      out=$(timeout 30 "$DOCKER" run --rm --network=none --platform "$platform" "$img" "$arg" 2>&1 </dev/null) || rc=$?
      if [ "$rc" -lt 126 ] && [ -n "$out" ] \
        && ! grep -qiE 'exec format error|error while loading shared libraries|no such file or directory|exec: ' <<<"$out"; then
        ran="ok $arg: $(head -1 <<<"$out" | cut -c1-80)"
        break
      fi
      ran="no (rc $rc): $(head -1 <<<"$out" | cut -c1-120)"
    done
    echo "run ${platform}=$ran" >>"$res"
  done
}

main() {
  local start=$SECONDS row
  mkdir -p "$OUT/results" "$OUT/logs" "$OUT/dockerfiles" "$OUT/src"
  projects_engine
  e2e_say "images ready in $(elapsed "$start")"

  binfmt_unregister "${QEMU_CPUS[@]}"
  # The builds side by side, JOBS at a time (only their own pids are waited for: dockerd is a child too).
  local pids=() running pid
  for row in "${ROWS[@]}"; do
    while :; do
      running=()
      for pid in ${pids[@]+"${pids[@]}"}; do kill -0 "$pid" 2>/dev/null && running+=("$pid"); done
      pids=(${running[@]+"${running[@]}"})
      [ ${#pids[@]} -lt "$JOBS" ] && break
      sleep 2
    done
    # shellcheck disable=SC2086
    build_project $row &
    pids+=($!)
  done
  for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" || true; done
  e2e_say "builds done in $(elapsed "$start")"
  binfmt_register "${QEMU_CPUS[@]}"
  for row in "${ROWS[@]}"; do
    read -r _ _ prog _ <<<"$row"
    run_project "$prog"
  done
  table | tee "$OUT/results.md"
  e2e_say "corpus in $(elapsed "$start"); logs in $OUT/logs"
}

# One row per project, then the counts per half.
table() {
  local half class prog repo tag res p cells ran gen
  printf '| half | project | tag | class | generated |%s ran | notes |\n' "$(printf ' %s |' "${PLATFORMS[@]}")"
  printf '|---|---|---|---|---|%s---|---|\n' "$(printf -- '---|%.0s' "${PLATFORMS[@]}")"
  declare -A total=() good=() runs=()
  for row in "${ROWS[@]}"; do
    read -r half class prog repo tag <<<"$row"
    res="$OUT/results/$prog"
    gen=$(sed -n 's/^gen=//p' "$res")
    cells="" ran=0 notes=""
    for p in "${PLATFORMS[@]}"; do
      total[$half]=$((${total[$half]:-0} + 1))
      b=$(sed -n "s|^build $p=||p" "$res")
      r=$(sed -n "s|^run $p=||p" "$res")
      case $b in
        ok*) good[$half]=$((${good[$half]:-0} + 1)); cells+="| built ";;
        FAIL*) cells+="| FAIL "; notes+="$p: ${b#FAIL } ";;
        *) cells+="| - ";;
      esac
      case $r in
        ok*) ran=$((ran + 1)); runs[$half]=$((${runs[$half]:-0} + 1)) ;;
        no*) notes+="$p run: ${r#no } " ;;
      esac
    done
    case $gen in
      ok) g="yes" ;;
      asked*) g="asked (--bin)"; notes="gen ${gen:0:90}… $notes" ;;
      *) g="no"; notes="gen: $gen $notes" ;;
    esac
    printf '| %s | %s | %s | %s | %s %s| %s/%s | %s |\n' "$half" "$prog" "$tag" "$class" "$g" "$cells" "$ran" \
      "${#PLATFORMS[@]}" "$(tr '|' '/' <<<"$notes")"
  done
  for half in "${!total[@]}"; do
    echo "$half: ${good[$half]:-0}/${total[$half]} platform builds, ${runs[$half]:-0}/${total[$half]} ran"
  done
}

main
