#!/usr/bin/env bash
# Builds a Release tree in build-bench/ and runs jiebang_bench on the SBIR evaluation set and the
# Chinese fixtures, with the machine's description so the figures can be reproduced.
# Usage: bench/run_bench.sh [extra jiebang_bench flags, e.g. --json]
# Environment: JIEBANG_SHARED_DIR (default <repo>/../shared), JOBS (ninja jobs, default 2).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$repo/build-bench"
shared="${JIEBANG_SHARED_DIR:-$repo/../shared}"
sbir="$shared/eval/sbir-known-item"
jobs="${JOBS:-2}"

die() { echo "run_bench.sh: $*" >&2; exit 1; }

for f in "$sbir/enterprises.jsonl" "$sbir/scenarios.jsonl"; do
  [[ -r "$f" ]] || die "missing $f (the SBIR evaluation set); set JIEBANG_SHARED_DIR to the shared/ directory"
done
for f in "$repo/fixtures/enterprises.jsonl" "$repo/fixtures/scenarios.jsonl"; do
  [[ -r "$f" ]] || die "missing $f (the Chinese fixtures)"
done
command -v cmake >/dev/null || die "cmake not found"
command -v ninja >/dev/null || die "ninja not found"

# Release, not sanitized: figures from a sanitizer or debug build say little about the engine.
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIEBANG_BUILD_TESTS=OFF \
  -DJIEBANG_BUILD_BENCH=ON -DJIEBANG_SANITIZE= >/dev/null
ninja -C "$build" -j "$jobs" jiebang_bench
bench="$build/bench/jiebang_bench"
[[ -x "$bench" ]] || die "build did not produce $bench"

echo
echo "== machine"
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "nproc:   $(nproc)"
echo "cpu:     $(grep -m1 '^model name' /proc/cpuinfo | sed 's/^model name[[:space:]]*:[[:space:]]*//' || echo unknown)"
echo "commit:  $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if ! git -C "$repo" diff --quiet HEAD 2>/dev/null; then
  # The figures are of the working tree as built: name it so a run can be matched to its sources.
  echo "tree:    uncommitted changes to $(git -C "$repo" diff --name-only HEAD | wc -l) tracked files" \
       "(diff sha256 $(git -C "$repo" diff HEAD | sha256sum | cut -c1-12)), $(git -C "$repo" ls-files --others --exclude-standard | wc -l) untracked"
fi
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min; other work on the machine skews the figures)"

echo
echo "== SBIR known-item set ($sbir)"
"$bench" --enterprises "$sbir/enterprises.jsonl" --scenarios "$sbir/scenarios.jsonl" "$@"

echo
echo "== Chinese fixtures ($repo/fixtures)"
"$bench" --enterprises "$repo/fixtures/enterprises.jsonl" --scenarios "$repo/fixtures/scenarios.jsonl" "$@"
