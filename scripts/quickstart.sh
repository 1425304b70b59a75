#!/usr/bin/env bash
# The main job on real data, from a fresh clone: install what is missing, build, import the US SBIR
# evaluation set and the Chinese fixtures into a local store + index, show ranked, explained matches
# both ways, and evaluate the ranking. Data directory: ./var (override with JIEBANG_DATA_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

shared=${JIEBANG_SHARED_DIR:-../shared}
sbir="$shared/eval/sbir-known-item"
if [ ! -f "$sbir/enterprises.jsonl" ]; then
  echo "quickstart: the SBIR evaluation set is not at $sbir (set JIEBANG_SHARED_DIR to the folder holding eval/)" >&2
  exit 1
fi

scripts/install_deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIEBANG_BUILD_TESTS=OFF >/dev/null
cmake --build build-release -j "$(nproc)"
jiebang=build-release/jiebang
export JIEBANG_DATA_DIR=${JIEBANG_DATA_DIR:-./var}

step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "Create the data directory (an empty store and index; nothing changes if it exists)" $jiebang init
step "Import the Chinese fixtures (scenario list + enterprise profiles)" \
  $jiebang import enterprises fixtures/enterprises.jsonl
$jiebang import scenarios fixtures/scenarios.jsonl
step "Import the real US SBIR records (2,204 firms, 304 awards as scenarios)" \
  $jiebang import enterprises "$sbir/enterprises.jsonl"
$jiebang import scenarios "$sbir/scenarios.jsonl"
step "Store and index state" $jiebang status
step "An enterprise searches open scenarios" $jiebang search "巡检机器人" --limit 3
step "Filter by city: Hangzhou (330100) finds its districts" $jiebang search "智能" --region 330100 --limit 5
step "Enterprises ranked for a scenario, each score explained" $jiebang match --scenario hz-2026-03-001 --limit 5
step "Open scenarios ranked for an enterprise" $jiebang match --enterprise ent-0001 --limit 5
step "An SBIR award as a scenario: which firm fits?" $jiebang match --scenario sbir17-0018 --limit 5
step "The weekly digest of 2026-W48 (scenarios posted 2026-11-16 to 11-22): JSON + HTML per recipient, one shown" \
  $jiebang digest --week 2026-W48 --show 91330108MA2M95UY1P
step "Ranking evaluation on the SBIR known-item set" \
  $jiebang eval --enterprises "$sbir/enterprises.jsonl" --scenarios "$sbir/scenarios.jsonl" --qrels "$sbir/qrels.tsv"
step "Ranking evaluation on the Chinese fixtures" \
  $jiebang eval --enterprises fixtures/enterprises.jsonl --scenarios fixtures/scenarios.jsonl --qrels fixtures/qrels.tsv
