#!/usr/bin/env bash
# Load test of the web API: builds a Release `jiebang` (build-api-bench/), serves the fixtures on
# 127.0.0.1 from a temporary data directory, and runs wrk against search and match at 1, 8 and 64
# connections, printing requests/s, p50/p99 latency, errors, and the server's RSS before and after
# each of the repeated runs (to show that memory does not grow). Then a search's latency while
# UPLOADERS clients each upload UPLOAD_MB-MB scenario lists (JSON Lines, new ids every time) to
# /v1/scenarios/import one after another, against the same search without them. With
# JIEBANG_BIN_OLD, that binary is measured the same way in the same run first (over a copy of the
# same data), and the ratios new/old are printed. Traffic goes to 127.0.0.1 only.
# Usage: bench/load_api.sh [seconds per wrk run, default 10] [runs, default 2]
# Environment: JIEBANG_BIN (use this binary instead of building), JIEBANG_BIN_OLD (a peer binary,
#              e.g. main's, measured in the same run), JOBS (ninja jobs, default 2),
#              DATA_DIR (serve a copy of this data directory instead of the fixtures, e.g. the
#              100k one bench/scale_bench.sh leaves; it is never written), SCENARIOS_FILE (the
#              JSON Lines whose scenario ids match rotates over; default the fixtures'),
#              SERVE_ARGS / PEER_SERVE_ARGS (extra `serve` flags for the binary / the peer, e.g.
#              JIEBANG_BIN_OLD=$JIEBANG_BIN PEER_SERVE_ARGS="--read-threads 1" to compare one
#              read thread with the pool in one run; SERVE_ARGS unset = "--max-reads-per-client
#              1000": every wrk connection shares one key, and the server's per-client bound, 8
#              by default, would answer the rest 429),
#              CONNECTIONS (default "1 8 64"), UPLOADERS (default 3, 0 = no upload phase),
#              UPLOAD_MB (default 7), UPLOAD_CONNECTIONS (search connections in that phase, default 8).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-10}"
runs="${2:-2}"
connections="${CONNECTIONS:-1 8 64}"
jobs="${JOBS:-2}"
uploaders="${UPLOADERS:-3}"
upload_mb="${UPLOAD_MB:-7}"
upload_connections="${UPLOAD_CONNECTIONS:-8}"

die() { echo "load_api.sh: $*" >&2; exit 1; }

command -v wrk >/dev/null || die "wrk not found: apt-get install wrk (scripts/install_deps.sh installs it)"
command -v python3 >/dev/null || die "python3 not found (to pick a free port)"
[[ "$duration" =~ ^[0-9]+$ && "$duration" -ge 1 && "$duration" -le 120 ]] || die "seconds must be 1..120"
[[ "$runs" =~ ^[0-9]+$ && "$runs" -ge 1 && "$runs" -le 10 ]] || die "runs must be 1..10"

if [[ -n "${JIEBANG_BIN:-}" ]]; then
  bin="$JIEBANG_BIN"
else
  # Release, not sanitized: a sanitizer build's figures say little about the server.
  build="$repo/build-api-bench"
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIEBANG_BUILD_TESTS=OFF \
    -DJIEBANG_BUILD_BENCH=OFF -DJIEBANG_SANITIZE= >/dev/null
  ninja -C "$build" -j "$jobs" jiebang >/dev/null
  bin="$build/jiebang"
fi
[[ -x "$bin" ]] || die "no jiebang binary at $bin"

[[ -z "${JIEBANG_BIN_OLD:-}" || -x "$JIEBANG_BIN_OLD" ]] || die "no binary at JIEBANG_BIN_OLD=$JIEBANG_BIN_OLD"

data="$(mktemp -d "${TMPDIR:-/tmp}/jiebang-load-XXXXXX")"
server_pid=""
upload_pids=()
stop_uploads() {
  touch "$data/stop-uploads"
  for p in "${upload_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  upload_pids=()
  rm -f "$data/stop-uploads"
}
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
cleanup() {
  stop_uploads
  stop_server
  rm -rf "$data"
}
trap cleanup EXIT

jb() { "$bin" --data-dir "$data/store" --index-dir "$repo/index" "$@"; }

scenarios_file="${SCENARIOS_FILE:-$repo/fixtures/scenarios.jsonl}"
[[ -r "$scenarios_file" ]] || die "cannot read SCENARIOS_FILE=$scenarios_file"
if [[ -n "${DATA_DIR:-}" ]]; then
  [[ -d "$DATA_DIR" ]] || die "DATA_DIR=$DATA_DIR is not a directory"
  data_label="$DATA_DIR ($(du -sh "$DATA_DIR" | cut -f1))"
  echo "copying $data_label ..." >&2
  cp -a "$DATA_DIR" "$data/store" || die "copying DATA_DIR failed"
else
  jb init >/dev/null 2>&1 || die "jiebang init failed"
  jb import scenarios "$repo/fixtures/scenarios.jsonl" >/dev/null 2>&1 || die "importing the fixture scenarios failed"
  jb import enterprises "$repo/fixtures/enterprises.jsonl" >/dev/null 2>&1 || die "importing the fixture enterprises failed"
  data_label="the fixtures, $(grep -c . "$repo/fixtures/scenarios.jsonl") scenarios, $(grep -c . "$repo/fixtures/enterprises.jsonl") enterprises"
fi
key="$(jb keys create --role operator 2>/dev/null)" || die "creating an operator key failed"
cp -a "$data/store" "$data/pristine"

# GET on loopback with bash's /dev/tcp (no curl needed); prints the status line.
http_status() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&3
  head -n1 <&3 | tr -d '\r'
  exec 3<&-
}

# Serves a fresh copy of the data with binary $1 (extra serve flags: the words of $2) on a new
# port; sets server_pid and port.
start_server() {
  rm -rf "$data/store" && cp -a "$data/pristine" "$data/store"
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  local -a extra
  read -r -a extra <<<"${2:-}"
  # The binary itself in the background (not through a function, whose subshell would be $!).
  "$1" --data-dir "$data/store" --index-dir "$repo/index" serve --listen "127.0.0.1:$port" --no-digest \
    "${extra[@]}" 2>"$data/serve.log" &
  server_pid=$!
  local status=""
  for _ in $(seq 1 100); do
    status="$(http_status /healthz 2>/dev/null || true)"
    [[ "$status" == *" 200 "* ]] && break
    kill -0 "$server_pid" 2>/dev/null || die "the server exited: $(cat "$data/serve.log")"
    sleep 0.1
  done
  [[ "$status" == *" 200 "* ]] || die "the server did not answer /healthz on port $port"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$server_pid/status"; }

# wrk scripts: search rotates over Chinese queries from the fixtures' titles; match over the
# fixture scenarios (enterprises ranked for each, explained).
python3 -c 'import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip(): print(json.loads(line)["id"])' "$scenarios_file" |
  awk 'BEGIN {print "return {"} {printf "  \"%s\",\n", $0} END {print "}"}' >"$data/scenario_ids.lua"
cat >"$data/common.lua" <<'LUA'
local M = {}
function M.encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
M.headers = {["Authorization"] = "Bearer " .. os.getenv("JIEBANG_KEY")}
return M
LUA
cat >"$data/search.lua" <<'LUA'
package.path = os.getenv("JIEBANG_LUA_DIR") .. "/?.lua;" .. package.path
local c = require("common")
local queries = {"巡检", "智能巡检机器人", "城市大脑", "数据", "医疗影像", "无人机", "交通信号",
                 "能源管理", "监测预警", "工业互联网", "电力", "养老"}
local i = 0
request = function()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  return wrk.format("GET", "/v1/scenarios?limit=10&q=" .. c.encode(q), c.headers)
end
LUA
cat >"$data/match.lua" <<'LUA'
package.path = os.getenv("JIEBANG_LUA_DIR") .. "/?.lua;" .. package.path
local c = require("common")
local ids = require("scenario_ids")
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/scenarios/" .. c.encode(ids[(i % #ids) + 1]) .. "/matches?limit=10", c.headers)
end
LUA
export JIEBANG_KEY="$key" JIEBANG_LUA_DIR="$data"

# wrk prints latencies as 812.00us, 1.23ms or 1.02s.
to_ms() {
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0;
                         else if (v ~ /s$/) printf "%.2f", v * 1000; else print "?" }'
}

echo "== machine"
echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "nproc:    $(nproc)"
echo "cpu:      $(grep -m1 '^model name' /proc/cpuinfo | sed 's/^model name[[:space:]]*:[[:space:]]*//' || echo unknown)"
echo "commit:   $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min; other work on the machine skews the figures)"
serve_args="${SERVE_ARGS---max-reads-per-client 1000}"
echo "server:   $bin $serve_args${JIEBANG_BIN_OLD:+ (peer: $JIEBANG_BIN_OLD ${PEER_SERVE_ARGS:-})} on 127.0.0.1;" \
     "data: $data_label; wrk ${duration} s per row"
echo
# Runs one wrk row; prints "req/s p50 p99 errors" (ms).
wrk_row() {  # endpoint connections seconds
  local endpoint="$1" c="$2" d="$3" threads out rps p50 p99 non2xx sock
  threads=$(( c < 2 ? 1 : 2 ))
  out="$(timeout $((d + 30)) wrk -t "$threads" -c "$c" -d "${d}s" --timeout 10s --latency \
           -s "$data/$endpoint.lua" "http://127.0.0.1:$port" 2>&1)" || die "wrk failed: $out"
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  p50="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")"
  sock="$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out")"
  echo "$rps $p50 $p99 $(( ${non2xx:-0} + ${sock:-0} ))"
}

# One uploader: posts UPLOAD_MB-MB lists of new scenarios to the import route until told to stop;
# appends one line per upload (status, seconds) to $data/uploads.log.
cat >"$data/upload.py" <<'PY'
import http.client, json, os, sys, time
port, key, size_mb, who, stop = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
base = [json.loads(l) for l in open(sys.argv[6], encoding="utf-8") if l.strip()]
n = 0
while not os.path.exists(stop):
    lines, size, i = [], 0, 0
    while size < size_mb * 1000 * 1000:
        r = dict(base[i % len(base)])
        r["id"] = f"load-{who}-{n}-{i}"
        r["publisher"] = f"上传单位{who}"
        line = json.dumps(r, ensure_ascii=False) + "\n"
        lines.append(line)
        size += len(line.encode())
        i += 1
    body = "".join(lines).encode()
    t = time.time()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("POST", "/v1/scenarios/import", body=body,
              headers={"Authorization": "Bearer " + key, "Content-Type": "application/x-ndjson"})
    status = c.getresponse().status
    c.close()
    with open(os.path.join(os.path.dirname(stop), "uploads.log"), "a") as f:
        f.write(f"{who} {status} {time.time() - t:.1f} {len(body)}\n")
    n += 1
PY

# Measures binary $1 (label $2): the rows, then the upload phase. Prints a table; appends
# "label endpoint conns req/s p50 p99" lines to $data/results.
measure() {
  local bin="$1" label="$2" args="${3:-}"
  start_server "$bin" "$args"
  echo
  echo "== $label: $bin $args"
  echo "RSS before any load: $(rss_kb) kB"
  for run in $(seq 1 "$runs"); do
    echo
    echo "== $label run $run"
    printf '%-8s %6s %10s %10s %10s %8s\n' endpoint conns "req/s" "p50 ms" "p99 ms" errors
    for endpoint in search match; do
      for c in $connections; do
        read -r rps p50 p99 errors <<<"$(wrk_row "$endpoint" "$c" "$duration")"
        total_errors=$(( total_errors + errors ))
        printf '%-8s %6s %10s %10s %10s %8s\n' "$endpoint" "$c" "$rps" "$p50" "$p99" "$errors"
        echo "$label $endpoint $c $rps $p50 $p99" >>"$data/results"
      done
    done
    echo "RSS after run $run: $(rss_kb) kB (peak so far $(hwm_kb) kB)"
  done
  if [[ "$uploaders" -gt 0 ]]; then
    echo
    echo "== $label: search at $upload_connections connections, without and with $uploaders clients uploading ${upload_mb} MB lists"
    read -r rps p50 p99 errors <<<"$(wrk_row search "$upload_connections" "$duration")"
    printf '%-22s %10s %10s %10s %8s\n' "without uploads" "$rps" "$p50" "$p99" "$errors"
    echo "$label quiet search $upload_connections $rps $p50 $p99" >>"$data/results"
    : >"$data/uploads.log"
    for u in $(seq 1 "$uploaders"); do
      python3 "$data/upload.py" "$port" "$key" "$upload_mb" "$label$u" "$data/stop-uploads" \
        "$repo/fixtures/scenarios.jsonl" &
      upload_pids+=($!)
    done
    sleep 2  # the first bodies are on their way
    read -r rps p50 p99 errors <<<"$(wrk_row search "$upload_connections" "$duration")"
    total_errors=$(( total_errors + errors ))
    printf '%-22s %10s %10s %10s %8s\n' "with uploads" "$rps" "$p50" "$p99" "$errors"
    echo "$label uploads search $upload_connections $rps $p50 $p99" >>"$data/results"
    stop_uploads
    echo "uploads answered: $(awk '{n[$2]++} END {for (s in n) printf "%s×%s ", n[s], s}' "$data/uploads.log")" \
         "(seconds each: $(awk '{printf "%s ", $3}' "$data/uploads.log"))"
    read -r rps p50 p99 errors <<<"$(wrk_row search "$upload_connections" "$duration")"
    printf '%-22s %10s %10s %10s %8s\n' "after uploads" "$rps" "$p50" "$p99" "$errors"
    echo "$label after search $upload_connections $rps $p50 $p99" >>"$data/results"
  fi
  status="$(http_status /healthz || true)"
  echo "server after the runs: $status"
  [[ "$status" == *" 200 "* ]] || die "the server stopped answering"
  stop_server
}

total_errors=0
: >"$data/results"
[[ -n "${JIEBANG_BIN_OLD:-}" ]] && measure "$JIEBANG_BIN_OLD" old "${PEER_SERVE_ARGS:-}"
measure "$bin" new "$serve_args"

if [[ -n "${JIEBANG_BIN_OLD:-}" ]]; then
  echo
  echo "== new / old (mean over runs; p99 ratios < 1 are better)"
  awk '{k = $2 " " $3; if ($2 == "quiet" || $2 == "uploads" || $2 == "after") k = $2 " " $3 " " $4
        n[$1 " " k]++; r[$1 " " k] += ($2 ~ /quiet|uploads|after/ ? $5 : $4); p[$1 " " k] += ($2 ~ /quiet|uploads|after/ ? $7 : $6)
        keys[k] = 1}
       END { for (k in keys) if (n["old " k] && n["new " k])
               printf "%-24s req/s %.2fx   p99 %.2fx\n", k, (r["new " k] / n["new " k]) / (r["old " k] / n["old " k]),
                      (p["new " k] / n["new " k]) / (p["old " k] / n["old " k]) }' "$data/results" | sort
fi
if [[ "$uploaders" -gt 0 ]]; then
  echo
  echo "== search p99 with uploads / without (target ≤ 2)"
  awk '$2 == "quiet" {q[$1] = $7} $2 == "uploads" {u[$1] = $7} $2 == "after" {a[$1] = $7}
       END { for (l in u) printf "%-4s with/before %.2f   with/after %.2f\n", l, u[l] / q[l], u[l] / a[l] }' "$data/results"
fi
echo
echo "errors in all runs: $total_errors"
[[ "$total_errors" -eq 0 ]] || die "$total_errors requests failed"
