#!/usr/bin/env bash
# Times `jiebang backup` (idle, and under a served data directory taking writes) and `jiebang restore`
# (and, for comparison, `jiebang reindex` on the restored directory) for the fixtures and a generated corpus.
# Usage: bench/backup_bench.sh [BINARY] [ENTERPRISES] [SCENARIOS]   (default build-rel/jiebang 3000 1000)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build-rel/jiebang}
n_ent=${2:-3000}
n_scen=${3:-1000}
shared=${JIEBANG_SHARED_DIR:-$here/../shared}
[ -x "$bin" ] || { echo "no binary $bin (build a Release tree: cmake -B build-rel -DCMAKE_BUILD_TYPE=Release …)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/jiebang-backup-bench-XXXXXX")
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
server=
echo "date $(date -u +%FT%TZ); nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo); commit $(git -C "$here" rev-parse --short HEAD)$(git -C "$here" diff --quiet || echo ' (dirty)'); load $(cut -d' ' -f1-3 /proc/loadavg)"
secs() { local t0=$(date +%s.%N); "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }; echo "$(date +%s.%N) - $t0" | bc; }
J() { "$bin" --index-dir "$here/index" "$@"; }
# Imports exit 1 when some records are rejected (the generated corpus has a few): timed all the same.
import_secs() { local t0=$(date +%s.%N); J "$@" >/dev/null 2>>"$work/import.err" || true; echo "$(date +%s.%N) - $t0" | bc; }

run_set() {  # name enterprises.jsonl scenarios.jsonl
  local name=$1 d="$work/$1"
  J --data-dir "$d/src" init >/dev/null
  local t_import=$(import_secs --data-dir "$d/src" import enterprises "$2")
  t_import=$(echo "$t_import + $(import_secs --data-dir "$d/src" import scenarios "$3")" | bc)
  local bytes=$(stat -c %s "$d/src/jiebang.sqlite3")
  local t_backup=$(secs J --data-dir "$d/src" backup "$d/bk-idle")
  # Under load: serve the directory and keep PUTting scenarios while the backup runs.
  local port=$((20000 + RANDOM % 30000))
  local key=$(J --data-dir "$d/src" keys create --role operator 2>/dev/null | head -1)
  J --data-dir "$d/src" serve --no-digest --listen "127.0.0.1:$port" 2>"$work/serve.log" & server=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
  ( i=0; while :; do i=$((i+1)); curl -s -o /dev/null -X PUT -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
      --data "{\"id\":\"bench-$i\",\"title\":\"备份期间写入$i\",\"description\":\"巡检机器人试点场景\",\"publisher\":\"基准测试单位\",\"region\":\"330106\",\"status\":\"open\",\"deadline\":\"2027-03-31\"}" \
      -w '%{http_code}\n' "http://127.0.0.1:$port/v1/scenarios/bench-$i" | grep -q '^20[01]$' && echo $i > "$work/written"; done ) & local writer=$!
  sleep 1
  local w0=$(cat "$work/written")
  local t_backup_load=$(secs J --data-dir "$d/src" backup "$d/bk-load")
  local w1=$(cat "$work/written")
  kill $writer; wait $writer 2>/dev/null || true
  kill $server; wait $server 2>/dev/null || true; server=
  local rows=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["rows"]["scenarios"], m["rows"]["enterprises"])' "$d/bk-load/manifest.json")
  local t_restore=$(secs J --data-dir "$d/restored" restore "$d/bk-load")
  local t_reindex=$(secs J --data-dir "$d/restored" reindex)
  printf '%-10s import %6.1f s | store %6.1f MB | backup idle %5.2f s | backup under writes %5.2f s (%d writes acknowledged meanwhile) | restore %6.1f s (index rebuilt; scenarios enterprises: %s) | reindex alone %6.1f s\n' \
    "$name" "$t_import" "$(echo "$bytes / 1048576" | bc -l)" "$t_backup" "$t_backup_load" "$((w1 - w0))" "$t_restore" "$rows" "$t_reindex"
}

[ -n "${SKIP_FIXTURES:-}" ] || run_set fixtures "$here/fixtures/enterprises.jsonl" "$here/fixtures/scenarios.jsonl"
python3 "$shared/tools/scale_corpus.py" --enterprises "$n_ent" --scenarios "$n_scen" --out "$work/corpus" >/dev/null 2>&1
run_set "scale-$n_ent" "$work/corpus/enterprises.jsonl" "$work/corpus/scenarios.jsonl"
