#!/usr/bin/env bash
# Runs each libFuzzer target (fuzz/) for a given number of executions, one at a time, niced, from
# the committed seed corpora (fuzz/corpus/<target>, copied: the run's own finds stay in build-fuzz).
# Usage: bench/fuzz.sh [RUNS=1000000] [TARGET...]   (default: every target)
# Prints machine, commit, load, then per target: the command, executions, seconds, the result.
# A crash/leak/timeout leaves its input in build-fuzz/findings/<target>/ and exits non-zero:
# make that input a regression test in the ordinary suite.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1000000}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(jsonl csv xlsx records encoding column_map api_bodies url query cursor xlsx_parts)
if [ ! -x build-fuzz/fuzz/fuzz_jsonl ]; then
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
    -DCMAKE_CXX_COMPILER=clang++-14 -DJIEBANG_FUZZ=ON -DJIEBANG_BUILD_TESTS=OFF -DJIEBANG_BUILD_BENCH=OFF >/dev/null
fi
nice -n 10 cmake --build build-fuzz -j2 --target $(printf 'fuzz_%s ' "${TARGETS[@]}") >/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/{print int($2/1048576)" GiB"}' /proc/meminfo); commit $(git rev-parse --short HEAD); load $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)"
status=0
for t in "${TARGETS[@]}"; do
  work=build-fuzz/corpus-run/$t findings=build-fuzz/findings/$t
  mkdir -p "$work" "$findings"
  cp -n fuzz/corpus/$t/* "$work/" 2>/dev/null || true
  # The search box's input is a query string: the API refuses one over max_query_bytes (4 KiB) with
  # 414, so the query target is fuzzed up to twice that (at 64 KiB its inputs grew to where each run
  # took milliseconds: 130–660 runs/s). The other targets read files and bodies: 64 KiB.
  max_len=65536
  [ "$t" = query ] && max_len=8192
  cmd=(build-fuzz/fuzz/fuzz_$t -runs="$RUNS" -max_len=$max_len -timeout=10 -rss_limit_mb=2048
       -artifact_prefix="$findings/" "$work")
  start=$(date +%s.%N)
  if nice -n 10 "${cmd[@]}" >"build-fuzz/fuzz_$t.log" 2>&1; then result=ok; else result="FAILED (see build-fuzz/fuzz_$t.log)"; status=1; fi
  end=$(date +%s.%N)
  execs=$(grep -o 'Done [0-9]* runs' "build-fuzz/fuzz_$t.log" | grep -o '[0-9]*' || echo "?")
  printf '%s: %s execs in %.0f s: %s\n  command: nice -n 10 %s\n' "$t" "$execs" "$(awk "BEGIN{print $end - $start}")" "$result" "${cmd[*]}"
done
exit $status
