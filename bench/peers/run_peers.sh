#!/usr/bin/env bash
# Runs the ranking evaluation through two peer engines (Lucene 8 BM25, SQLite FTS5 BM25) and
# jiebang, on the SBIR known-item set and on the Chinese fixtures, and prints MRR@10, Recall@10
# and nDCG@10 side by side. Every run is scored by the one implementation, `jiebang score-run`.
# Usage: bench/peers/run_peers.sh
# Environment: JIEBANG_SHARED_DIR (default <repo>/../shared), JIEBANG_BIN (default
#   build-release/jiebang, built if missing), JIEBANG_WEIGHTS (a ranking weights JSON for jiebang;
#   default its index/ranking.json), JOBS (build jobs, default 2).
# Installs liblucene8-java and a JDK (default-jdk-headless) with apt-get when they are missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="${JIEBANG_SHARED_DIR:-$repo/../shared}"
jobs="${JOBS:-2}"

die() { echo "run_peers.sh: $*" >&2; exit 1; }
note() { echo "run_peers.sh: $*" >&2; }

# ---- data sets: name|enterprises|scenarios|qrels|Lucene analyzer|FTS5 tokenizer
sbir="$shared/eval/sbir-known-item"
fix="$repo/fixtures"
for f in "$sbir"/{enterprises.jsonl,scenarios.jsonl,qrels.tsv}; do
  [[ -r "$f" ]] || die "missing $f (the SBIR evaluation set); set JIEBANG_SHARED_DIR to the shared/ directory"
done
for f in "$fix"/{enterprises.jsonl,scenarios.jsonl,qrels.tsv}; do
  [[ -r "$f" ]] || die "missing $f (the Chinese fixtures)"
done

# ---- dependencies: Debian's Lucene 8 jars, javac, python3 with FTS5
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
pkg_installed liblucene8-java || missing+=(liblucene8-java)
command -v javac >/dev/null || missing+=(default-jdk-headless)
command -v python3 >/dev/null || missing+=(python3)
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo_cmd=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"
    sudo_cmd=(sudo)
  fi
  note "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q >&2
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
command -v javac >/dev/null || die "javac not found after installing default-jdk-headless"
python3 -c "import sqlite3; sqlite3.connect(':memory:').execute('CREATE VIRTUAL TABLE t USING fts5(x)')" \
  2>/dev/null || die "python3's sqlite3 module has no FTS5"

find_jar() {  # the newest /usr/share/java/<stem>-8*.jar (Debian names them lucene-core-8.7.0.jar etc.)
  local j
  j="$(ls -1 /usr/share/java/"$1"-8*.jar 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -n "$j" ]] && echo "$j"
}
core_jar="$(find_jar lucene-core)" || die "liblucene8-java installed but no /usr/share/java/lucene-core-8*.jar"
common_jar="$(find_jar lucene-analyzers-common)" || die "no /usr/share/java/lucene-analyzers-common-8*.jar"
classpath="$core_jar:$common_jar"
zh_analyzer=cjk
zh_note="SmartChineseAnalyzer jar not shipped by liblucene8-java here: CJKAnalyzer (bigrams) used instead"
if smartcn_jar="$(find_jar lucene-analyzers-smartcn)"; then
  classpath="$classpath:$smartcn_jar"
  zh_analyzer=smartcn
  zh_note=""
fi

# ---- jiebang
bin="${JIEBANG_BIN:-$repo/build-release/jiebang}"
if [[ ! -x "$bin" ]]; then
  [[ -z "${JIEBANG_BIN:-}" ]] || die "JIEBANG_BIN=$JIEBANG_BIN is not an executable"
  note "building $bin (Release)"
  cmake -S "$repo" -B "$repo/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIEBANG_BUILD_TESTS=OFF >&2
  cmake --build "$repo/build-release" -j "$jobs" >&2
  [[ -x "$bin" ]] || die "the build did not produce $bin"
fi
weights=()
[[ -n "${JIEBANG_WEIGHTS:-}" ]] && weights=(--weights "$JIEBANG_WEIGHTS")

# ---- work directory
tmp="$(mktemp -d "${TMPDIR:-/tmp}/jiebang-peers-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

javac -nowarn -cp "$classpath" -d "$tmp/classes" "$here/LucenePeer.java"
lucene() { java -cp "$tmp/classes:$classpath" LucenePeer "$@"; }
lucene_version="$(lucene --version)"
sqlite_info="$(python3 "$here/fts5_peer.py" --version)"   # "3.40.1 (trigram tokenizer: yes)"
zh_tokenizer=trigram
zh_fts_label="trigram"
if [[ "$sqlite_info" != *"trigram tokenizer: yes"* ]]; then
  zh_fts_label="unicode61 (no trigram in this SQLite)"
fi

results="$tmp/results.tsv"   # data set TAB engine TAB score-run JSON
: >"$results"

score() {  # data set, engine label, qrels, run
  local s
  s="$("$bin" score-run --qrels "$3" --run "$4" --json)" || die "score-run failed on $4"
  printf '%s\t%s\t%s\n' "$1" "$2" "$s" >>"$results"
}

evaluate() {  # data set name, directory with the three files, Lucene analyzer + label, FTS5 tokenizer + label
  local name="$1" dir="$2" analyzer="$3" analyzer_label="$4" tokenizer="$5" tokenizer_label="$6"
  local work="$tmp/$name"
  mkdir -p "$work"
  local e="$dir/enterprises.jsonl" s="$dir/scenarios.jsonl" q="$dir/qrels.tsv"
  echo "== $name: $dir" >&2
  python3 "$here/peer_docs.py" "$e" "$s" "$work"

  lucene --analyzer "$analyzer" --docs "$work/docs.tsv" --queries "$work/queries.tsv" \
    --run "$work/lucene.run" --name "lucene-$analyzer"
  score "$name" "Lucene $lucene_version, $analyzer_label, BM25" "$q" "$work/lucene.run"

  python3 "$here/fts5_peer.py" --tokenizer "$tokenizer" --docs "$work/docs.tsv" --queries "$work/queries.tsv" \
    --run "$work/fts5.run" --name "fts5-$tokenizer"
  score "$name" "SQLite FTS5, $tokenizer_label, bm25()" "$q" "$work/fts5.run"

  local t0=$SECONDS
  if ! "$bin" "${weights[@]}" eval --enterprises "$e" --scenarios "$s" --qrels "$q" \
      --run-out "$work/jiebang.run" --json >"$work/jiebang.json" 2>"$work/jiebang.log"; then
    cat "$work/jiebang.log" >&2
    die "jiebang eval failed on $name"
  fi
  grep -v -E '^(import|eval): ' "$work/jiebang.log" >&2 || true   # record errors, not progress
  echo "jiebang: eval $((SECONDS - t0)) s, its own figures $(cat "$work/jiebang.json")" >&2
  score "$name" "jiebang${JIEBANG_WEIGHTS:+ (weights $JIEBANG_WEIGHTS)}" "$q" "$work/jiebang.run"
}

start=$SECONDS
evaluate "SBIR known-item" "$sbir" english EnglishAnalyzer porter "porter unicode61"
zh_label=SmartChineseAnalyzer
[[ "$zh_analyzer" == smartcn ]] || zh_label="CJKAnalyzer (bigrams)"
evaluate "Chinese fixtures" "$fix" "$zh_analyzer" "$zh_label" "$zh_tokenizer" "$zh_fts_label"

echo
python3 - "$results" <<'EOF'
import json, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8")]
sets = []
for ds, _, _ in rows:
    if ds not in sets:
        sets.append(ds)
for ds in sets:
    mine = [(eng, json.loads(js)) for d, eng, js in rows if d == ds]
    w = max(len("engine"), *(len(e) for e, _ in mine))
    print(f"== {ds}")
    print(f"{'engine':<{w}}  MRR@10  Recall@10  nDCG@10  queries")
    for eng, m in mine:
        print(f"{eng:<{w}}  {m['mrr@10']:6.3f}  {m['recall@10']:9.3f}  {m['ndcg@10']:7.3f}  {m['queries']:7d}")
    print()
EOF
echo "== versions"
echo "Lucene:  $lucene_version (Debian liblucene8-java $(dpkg-query -W -f='${Version}' liblucene8-java);" \
  "jars $(basename "$core_jar") $(basename "$common_jar")${smartcn_jar:+ $(basename "$smartcn_jar")})"
echo "Java:    $(javac -version 2>&1)"
echo "SQLite:  $sqlite_info (python3 $(python3 -c 'import platform; print(platform.python_version())'))"
echo "jiebang: $bin, commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes')"
[[ -z "$zh_note" ]] || echo "note:    $zh_note"
echo "scored by: jiebang score-run (one implementation for all runs); $((SECONDS - start)) s in all"
