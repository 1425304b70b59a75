#!/usr/bin/env bash
# Load test of the web API: builds a Release `jiebang` (build-api-bench/), serves the fixtures on
# 127.0.0.1 from a temporary data directory, and runs wrk against search and match at 1, 8 and 64
# connections, printing requests/s, p50/p99 latency, errors, and the server's RSS before and after
# each of the repeated runs (to show that memory does not grow). Traffic goes to 127.0.0.1 only.
# Usage: bench/load_api.sh [seconds per wrk run, default 10] [runs, default 2]
# Environment: JIEBANG_BIN (use this binary instead of building), JOBS (ninja jobs, default 2),
#              CONNECTIONS (default "1 8 64").
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-10}"
runs="${2:-2}"
connections="${CONNECTIONS:-1 8 64}"
jobs="${JOBS:-2}"

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

data="$(mktemp -d "${TMPDIR:-/tmp}/jiebang-load-XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

jb() { "$bin" --data-dir "$data/store" --index-dir "$repo/index" "$@"; }

jb init >/dev/null 2>&1 || die "jiebang init failed"
jb import scenarios "$repo/fixtures/scenarios.jsonl" >/dev/null 2>&1 || die "importing the fixture scenarios failed"
jb import enterprises "$repo/fixtures/enterprises.jsonl" >/dev/null 2>&1 || die "importing the fixture enterprises failed"
key="$(jb keys create --role operator 2>/dev/null)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# The binary itself in the background (not through the jb function, whose subshell would be $!).
"$bin" --data-dir "$data/store" --index-dir "$repo/index" serve --listen "127.0.0.1:$port" 2>"$data/serve.log" &
server_pid=$!

# GET on loopback with bash's /dev/tcp (no curl needed); prints the status line.
http_status() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&3
  head -n1 <&3 | tr -d '\r'
  exec 3<&-
}
for _ in $(seq 1 100); do
  status="$(http_status /healthz 2>/dev/null || true)"
  [[ "$status" == *" 200 "* ]] && break
  kill -0 "$server_pid" 2>/dev/null || die "the server exited: $(cat "$data/serve.log")"
  sleep 0.1
done
[[ "$status" == *" 200 "* ]] || die "the server did not answer /healthz on port $port"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$server_pid/status"; }

# wrk scripts: search rotates over Chinese queries from the fixtures' titles; match over the
# fixture scenarios (enterprises ranked for each, explained).
grep -o '^{"id": "[^"]*"' "$repo/fixtures/scenarios.jsonl" | cut -d'"' -f4 |
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

echo "== machine"
echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "nproc:    $(nproc)"
echo "cpu:      $(grep -m1 '^model name' /proc/cpuinfo | sed 's/^model name[[:space:]]*:[[:space:]]*//' || echo unknown)"
echo "commit:   $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min; other work on the machine skews the figures)"
echo "server:   $bin on 127.0.0.1:$port, $(grep -c . "$repo/fixtures/scenarios.jsonl") scenarios," \
     "$(grep -c . "$repo/fixtures/enterprises.jsonl") enterprises; wrk ${duration} s per row"
echo
echo "RSS before any load: $(rss_kb) kB"

# wrk prints latencies as 812.00us, 1.23ms or 1.02s.
to_ms() {
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0;
                         else if (v ~ /s$/) printf "%.2f", v * 1000; else print "?" }'
}

total_errors=0
for run in $(seq 1 "$runs"); do
  echo
  echo "== run $run"
  printf '%-8s %6s %10s %10s %10s %8s\n' endpoint conns "req/s" "p50 ms" "p99 ms" errors
  for endpoint in search match; do
    for c in $connections; do
      threads=$(( c < 2 ? 1 : 2 ))
      out="$(timeout $((duration + 30)) wrk -t "$threads" -c "$c" -d "${duration}s" --timeout 10s --latency \
               -s "$data/$endpoint.lua" "http://127.0.0.1:$port" 2>&1)" || die "wrk failed: $out"
      rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
      p50="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
      p99="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
      non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")"
      sock="$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out")"
      errors=$(( ${non2xx:-0} + ${sock:-0} ))
      total_errors=$(( total_errors + errors ))
      printf '%-8s %6s %10s %10s %10s %8s\n' "$endpoint" "$c" "$rps" "$p50" "$p99" "$errors"
    done
  done
  echo "RSS after run $run: $(rss_kb) kB (peak so far $(hwm_kb) kB)"
done

status="$(http_status /healthz || true)"
echo
echo "server after the runs: $status; errors in all runs: $total_errors"
[[ "$status" == *" 200 "* ]] || die "the server stopped answering"
[[ "$total_errors" -eq 0 ]] || die "$total_errors requests failed"
