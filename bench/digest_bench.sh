#!/usr/bin/env bash
# The weekly digest at scale: builds a Release `jiebang` in build-bench/, makes 10,000 enterprises
# and 1,000 scenarios posted in one week from real texts (bench/digest_corpus.py: SBIR records and
# the fixtures recombined), imports them, and times `jiebang digest` with its peak memory — on all
# cores, then on one thread — plus a repeated run (computes nothing, rewrites the same files).
# Usage: bench/digest_bench.sh [ENTERPRISES [SCENARIOS]]   (default 10000 1000)
# Environment: JIEBANG_SHARED_DIR (default <repo>/../shared), JOBS (ninja jobs, default 2),
#              BENCH_DIR (work directory, default a fresh mktemp -d, removed at the end).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$repo/build-bench"
shared="${JIEBANG_SHARED_DIR:-$repo/../shared}"
jobs="${JOBS:-2}"
enterprises="${1:-10000}"
scenarios="${2:-1000}"

die() { echo "digest_bench.sh: $*" >&2; exit 1; }
[[ -r "$shared/tools/scale_corpus.py" ]] || die "missing $shared/tools/scale_corpus.py; set JIEBANG_SHARED_DIR"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (apt-get install time)"
command -v python3 >/dev/null || die "python3 not found"

cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIEBANG_BUILD_TESTS=OFF \
  -DJIEBANG_BUILD_BENCH=ON -DJIEBANG_SANITIZE= >/dev/null
ninja -C "$build" -j "$jobs" jiebang
jb="$build/jiebang"

if [[ -n "${BENCH_DIR:-}" ]]; then work="$BENCH_DIR"; mkdir -p "$work"; else
  work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi

echo "== machine"
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "nproc:   $(nproc)"
echo "cpu:     $(grep -m1 '^model name' /proc/cpuinfo | sed 's/^model name[[:space:]]*:[[:space:]]*//' || echo unknown)"
echo "commit:  $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== corpus: $enterprises enterprises, $scenarios scenarios posted in 2026-W47"
JIEBANG_SHARED_DIR="$shared" python3 "$repo/bench/digest_corpus.py" --enterprises "$enterprises" \
  --scenarios "$scenarios" --week 2026-W47 --out "$work/corpus" >/dev/null
"$jb" --data-dir "$work/base" init >/dev/null
"$jb" --data-dir "$work/base" import enterprises "$work/corpus/enterprises.jsonl" 2>/dev/null
"$jb" --data-dir "$work/base" import scenarios "$work/corpus/scenarios.jsonl" 2>/dev/null

# One digest run on a fresh copy of the imported data: prints its summary line and the figures.
run() {
  local label="$1"; shift
  rm -rf "$work/run"; cp -r "$work/base" "$work/run"
  /usr/bin/time -f '%e %M' -o "$work/time" "$jb" --data-dir "$work/run" digest --week 2026-W48 \
    --out "$work/out" "$@" 2>/dev/null | sed -n 's/^  recipients/  recipients/p'
  read -r secs kb < "$work/time"
  printf '%-22s wall %6.1f s   peak RSS %5d MB\n' "$label" "$secs" "$((kb / 1024))"
}

echo "== digest 2026-W48 (brings the scenarios of 2026-W47)"
run "all cores ($(nproc))"
/usr/bin/time -f '%e %M' -o "$work/time" "$jb" --data-dir "$work/run" digest --week 2026-W48 --out "$work/out" \
  >/dev/null 2>&1
read -r secs kb < "$work/time"
printf '%-22s wall %6.1f s   peak RSS %5d MB\n' "repeated (already done)" "$secs" "$((kb / 1024))"
run "one thread" --threads 1

echo "== the same, plus $scenarios older open scenarios (posted in 2026-W46, deadlines later): text fit is"
echo "   then measured against all open scenarios, one more query per enterprise"
JIEBANG_SHARED_DIR="$shared" python3 "$repo/bench/digest_corpus.py" --enterprises 0 --scenarios "$scenarios" \
  --week 2026-W46 --seed 11 --prefix old- --out "$work/older" >/dev/null
"$jb" --data-dir "$work/base" import scenarios "$work/older/scenarios.jsonl" 2>/dev/null
run "all cores, older open"
