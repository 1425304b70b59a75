#!/usr/bin/env bash
# Installs jiebang into a temporary prefix, moves the prefix, and runs the installed binary from
# another directory with no source tree: --version, refusal of a missing data directory, init,
# import the fixtures, search, match, serve.
# Usage: tests/install_test.sh BUILD_DIR SOURCE_DIR   (ctest runs it: install.InstalledBinaryRuns)
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "install_test: FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
mv "$tmp/prefix" "$tmp/moved"  # the binary finds its share/ relative to itself, not the install prefix
mkdir "$tmp/work"
cp "$src/fixtures/enterprises.jsonl" "$src/fixtures/scenarios.jsonl" "$tmp/work/"
cd "$tmp/work"
unset JIEBANG_INDEX_DIR JIEBANG_DATA_DIR JIEBANG_CONFIG
export JIEBANG_SYSTEM_CONFIG=  # no default configuration file (/etc/jiebang/jiebang.toml where the .deb is installed)
jb="$tmp/moved/bin/jiebang"

[ -f "$tmp/moved/share/jiebang/index/ranking.json" ] || fail "share/jiebang/index/ranking.json not installed"
v=$("$jb" --version)
grep -q '^jiebang [0-9]' <<<"$v" || fail "--version: $v"
out=$("$jb" --data-dir data status 2>&1) && fail "status on a missing data directory succeeded: $out"
grep -q 'data directory "data" (from --data-dir) does not exist; create it with "jiebang --data-dir data init"' <<<"$out" \
  || fail "missing data directory: $out"
"$jb" --data-dir data init >/dev/null 2>&1 || fail "init"
"$jb" --data-dir data import enterprises enterprises.jsonl >/dev/null 2>&1 || fail "import enterprises"
"$jb" --data-dir data import scenarios scenarios.jsonl >/dev/null 2>&1 || fail "import scenarios"
status=$("$jb" --data-dir data status --json 2>/dev/null)
grep -q "\"index_dir\":\"$tmp/moved/share/jiebang/index\"" <<<"$status" || fail "index definition not the installed one: $status"
# (Output captured, then searched: `cmd | grep -q` fails under pipefail when grep exits first.)
found=$("$jb" --data-dir data search 巡检机器人 --json 2>/dev/null) || fail "search exited $?"
grep -q '"id": "hz-2026-03-001"' <<<"$found" || fail "search: $found"
found=$("$jb" --data-dir data match --scenario hz-2026-03-001 --limit 3 --json 2>/dev/null) || fail "match exited $?"
grep -q '"rank": 1' <<<"$found" || fail "match: $found"
key=$("$jb" --data-dir data keys create --role operator 2>/dev/null)

# Serve one request on a free high port (cpprestsdk cannot report a port it picked itself).
for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))
  "$jb" --data-dir data serve --no-digest --listen "127.0.0.1:$port" 2>"$tmp/serve.err" &
  server=$!
  for _ in $(seq 1 300); do
    grep -q "serving" "$tmp/serve.err" && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "serving" "$tmp/serve.err" && break
  wait "$server" || true
  server=
done
[ -n "$server" ] || fail "serve did not start: $(cat "$tmp/serve.err")"
body=$(curl -sf -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/scenarios/hz-2026-03-001") || fail "GET a scenario"
grep -q '"id":"hz-2026-03-001"' <<<"$body" || fail "served scenario: $body"
kill -TERM "$server"
wait "$server" || fail "serve exited non-zero on SIGTERM: $(cat "$tmp/serve.err")"
server=
echo "install_test: 1 passed, 0 failed"
