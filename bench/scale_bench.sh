#!/usr/bin/env bash
# Side-by-side scale benchmark: jiebang against Lucene 8 on one large generated corpus, in one run.
# Makes the corpus with shared/tools/scale_corpus.py (deterministic), runs the Release jiebang_bench
# (import into a fresh data directory, then match every scenario and time search-box queries) and
# the Lucene peer bench/peers/LuceneScalePeer.java (SmartChineseAnalyzer, BM25, every distinct
# scenario term a SHOULD clause, top 10) on the same records, and prints for both: indexing
# profiles/s, match p50/p95/p99, search p50/p99, peak RSS, bytes on disk, and the ratios, with the
# machine, commit and load.
#
# Usage: bench/scale_bench.sh [--enterprises N] [--scenarios M] [--seed S] [--zh-share F]
#                             [--lucene-threads T] [--lucene-store auto|fs|mem] [--keep DIR]
#   --enterprises N      enterprise profiles (default 20000)
#   --scenarios M        scenarios; each is matched once (default 200)
#   --seed S, --zh-share F   passed to scale_corpus.py (defaults 42, 0.5)
#   --lucene-threads T   threads adding documents to Lucene's IndexWriter (default 1)
#   --lucene-store       fs: an FSDirectory on disk; mem: in memory; auto (default): fs from
#                        100,000 enterprises on, else mem
#   --keep DIR           keep the data directories and raw outputs in DIR (default: a temporary
#                        directory, removed at the end)
# Environment: JIEBANG_SHARED_DIR (default <repo>/../shared), JIEBANG_BENCH (a jiebang_bench binary;
#   default build-rel/bench/jiebang_bench, built if missing or stale), SCALE_CORPUS_DIR (where
#   corpora are cached, default <repo>/build-rel/scale-corpus), LUCENE_HEAP (JVM -Xmx, default 2g),
#   JOBS (ninja jobs, default 2), NICE (nice level of both engines, default 10).
# Needs liblucene8-java (with lucene-analyzers-smartcn), javac, python3, GNU time (/usr/bin/time).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${JIEBANG_SHARED_DIR:-$repo/../shared}"
jobs="${JOBS:-2}"
nice_level="${NICE:-10}"
heap="${LUCENE_HEAP:-2g}"
n_ent=20000 n_scen=200 seed=42 zh_share=0.5 lucene_threads=1 lucene_store=auto keep=""

die() { echo "scale_bench.sh: $*" >&2; exit 1; }
note() { echo "scale_bench.sh: $*" >&2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --enterprises) n_ent="$2"; shift 2 ;;
    --scenarios) n_scen="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --zh-share) zh_share="$2"; shift 2 ;;
    --lucene-threads) lucene_threads="$2"; shift 2 ;;
    --lucene-store) lucene_store="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[[ "$n_ent" =~ ^[1-9][0-9]*$ && "$n_scen" =~ ^[1-9][0-9]*$ ]] || die "--enterprises and --scenarios take positive integers"
[[ "$lucene_threads" =~ ^[1-9][0-9]*$ ]] || die "--lucene-threads takes a positive integer"
case "$lucene_store" in
  auto) if (( n_ent >= 100000 )); then lucene_store=fs; else lucene_store=mem; fi ;;
  fs|mem) ;;
  *) die "--lucene-store auto|fs|mem" ;;
esac

# ---- dependencies
corpus_tool="$shared/tools/scale_corpus.py"
[[ -r "$corpus_tool" ]] || die "missing $corpus_tool; set JIEBANG_SHARED_DIR to the shared/ directory"
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time, Debian package 'time') is needed for peak RSS"
command -v javac >/dev/null || die "javac not found (Debian: default-jdk-headless)"
command -v python3 >/dev/null || die "python3 not found"
find_jar() { ls -1 /usr/share/java/"$1"-8*.jar 2>/dev/null | sort -V | tail -n 1; }
core_jar="$(find_jar lucene-core)"; common_jar="$(find_jar lucene-analyzers-common)"
smartcn_jar="$(find_jar lucene-analyzers-smartcn)"
[[ -n "$core_jar" && -n "$common_jar" && -n "$smartcn_jar" ]] ||
  die "need Debian liblucene8-java's lucene-core, lucene-analyzers-common and lucene-analyzers-smartcn jars in /usr/share/java"
classpath="$core_jar:$common_jar:$smartcn_jar"

# ---- jiebang_bench (Release, not sanitized)
bench="${JIEBANG_BENCH:-}"
if [[ -z "$bench" ]]; then
  build="$repo/build-rel"
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DJIEBANG_BUILD_TESTS=OFF \
    -DJIEBANG_BUILD_BENCH=ON -DJIEBANG_SANITIZE= >/dev/null
  nice -n "$nice_level" ninja -C "$build" -j "$jobs" jiebang_bench >&2
  bench="$build/bench/jiebang_bench"
fi
[[ -x "$bench" ]] || die "no jiebang_bench at $bench"

# ---- work directory and corpus
if [[ -n "$keep" ]]; then
  mkdir -p "$keep"; work="$(cd "$keep" && pwd)"
  [[ -z "$(ls -A "$work")" ]] || die "--keep $keep is not empty"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/jiebang-scale-XXXXXX")"
  trap 'rm -rf "$work"' EXIT
fi
corpus="${SCALE_CORPUS_DIR:-$repo/build-rel/scale-corpus}/e${n_ent}-s${n_scen}-seed${seed}-zh${zh_share}"
if [[ ! -s "$corpus/enterprises.jsonl" || ! -s "$corpus/scenarios.jsonl" || ! -e "$corpus/.complete" ]]; then
  note "making the corpus in $corpus"
  rm -rf "$corpus"; mkdir -p "$corpus"
  nice -n "$nice_level" python3 "$corpus_tool" --enterprises "$n_ent" --scenarios "$n_scen" --seed "$seed" \
    --zh-share "$zh_share" --out "$corpus" >&2
  touch "$corpus/.complete"
fi
ent="$corpus/enterprises.jsonl" scen="$corpus/scenarios.jsonl"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
start=$SECONDS

# ---- jiebang: import into a fresh data directory, match every scenario, search
note "jiebang: importing $n_ent enterprises and $n_scen scenarios"
mkdir -p "$work/jiebang-data"
nice -n "$nice_level" /usr/bin/time -v -o "$work/jiebang.time" "$bench" --data-dir "$work/jiebang-data" \
  --enterprises "$ent" --scenarios "$scen" --json >"$work/jiebang.json" 2>"$work/jiebang.log" ||
  { cat "$work/jiebang.log" >&2; die "jiebang_bench failed"; }
jiebang_s=$((SECONDS - start))

# ---- Lucene on the same records (flattened as bench/peers does) and the same search queries
python3 "$repo/bench/peers/peer_docs.py" "$ent" "$scen" "$work"
python3 - "$work/jiebang.json" "$work/search.tsv" <<'EOF'
import json, sys
qs = json.load(open(sys.argv[1], encoding="utf-8"))["search"]["queries"]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for i, q in enumerate(qs):
        f.write(f"{i}\t{q}\n")
EOF
javac -nowarn -cp "$classpath" -d "$work/classes" "$repo/bench/peers/LuceneScalePeer.java"
note "Lucene: indexing $n_ent enterprises ($lucene_store, $lucene_threads threads)"
t1=$SECONDS
nice -n "$nice_level" /usr/bin/time -v -o "$work/lucene.time" java -Xmx"$heap" -cp "$work/classes:$classpath" \
  LuceneScalePeer --docs "$work/docs.tsv" --queries "$work/queries.tsv" --search "$work/search.tsv" \
  --index "$work/lucene-index" --store "$lucene_store" --threads "$lucene_threads" \
  >"$work/lucene.json" 2>"$work/lucene.log" || { cat "$work/lucene.log" >&2; die "the Lucene peer failed"; }
lucene_s=$((SECONDS - t1))
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

du_b() { du -sb "$1" 2>/dev/null | cut -f1; }
{
  echo "jiebang_data_bytes=$(du_b "$work/jiebang-data")"
  for p in "$work"/jiebang-data/* "$work"/jiebang-data/index/*; do
    [[ "$p" == */jiebang-data/index ]] || echo "part ${p#"$work"/jiebang-data/}=$(du_b "$p")"
  done
} >"$work/jiebang.du"

# ---- report
echo "== scale benchmark: jiebang against Lucene, one corpus, one run"
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "nproc:   $(nproc)"
echo "cpu:     $(grep -m1 '^model name' /proc/cpuinfo | sed 's/^model name[[:space:]]*:[[:space:]]*//' || echo unknown)"
echo "memory:  $(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "commit:  $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if ! git -C "$repo" diff --quiet HEAD 2>/dev/null; then
  echo "tree:    uncommitted changes to $(git -C "$repo" diff --name-only HEAD | wc -l) tracked files" \
       "(diff sha256 $(git -C "$repo" diff HEAD | sha256sum | cut -c1-12))"
fi
echo "load:    before $load_before, after $load_after (1/5/15 min; other work on the machine skews the figures)"
echo "nice:    $nice_level for both engines"
echo "corpus:  $corpus_tool --enterprises $n_ent --scenarios $n_scen --seed $seed --zh-share $zh_share"
echo "         $(du -b "$ent" | cut -f1) + $(du -b "$scen" | cut -f1) bytes of JSONL ($corpus)"
echo "jiebang: $bench ($jiebang_s s in all)${JIEBANG_BENCH:+; given by JIEBANG_BENCH: built from its own tree, not necessarily the commit above}"
echo "Lucene:  $(basename "$core_jar") (Debian liblucene8-java $(dpkg-query -W -f='${Version}' liblucene8-java 2>/dev/null || echo '?')," \
  "$(java -version 2>&1 | head -n 1)), -Xmx$heap, $lucene_store directory, $lucene_threads indexing threads ($lucene_s s in all)"
echo
python3 - "$work" "$ent" <<'EOF'
import json, os, re, sys
work, ent_path = sys.argv[1], sys.argv[2]
j = json.load(open(f"{work}/jiebang.json", encoding="utf-8"))
l = json.loads(open(f"{work}/lucene.json", encoding="utf-8").read().strip().splitlines()[-1])

def max_rss_mib(path):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read())
    return int(m.group(1)) / 1024 if m else float("nan")

du = dict(line.strip().split("=", 1) for line in open(f"{work}/jiebang.du") if "=" in line)
jb_bytes = int(du["jiebang_data_bytes"])
parts = {k[5:]: int(v) for k, v in du.items() if k.startswith("part ")}
input_bytes = os.path.getsize(ent_path)
ji = j["import"]["enterprises"]
rows = [
    ("indexing, profiles/s", l["profiles_per_s"], ji["records_per_s"], "higher is better; wall clock"),
    ("indexing, profiles/CPU-s", l["enterprises"] / l["index_cpu_seconds"], ji["read"] / ji["cpu_seconds"],
     "whole process CPU (all threads)"),
    ("match p50, ms", l["match"]["p50_ms"], j["match_scenario"]["p50_ms"], "lower is better"),
    ("match p95, ms", l["match"]["p95_ms"], j["match_scenario"]["p95_ms"], ""),
    ("match p99, ms", l["match"]["p99_ms"], j["match_scenario"]["p99_ms"], ""),
    ("match CPU p50, ms", l["match"]["cpu_p50_ms"], j["match_scenario"]["cpu_p50_ms"], "the calling thread's CPU"),
    ("match CPU p99, ms", l["match"]["cpu_p99_ms"], j["match_scenario"].get("cpu_p99_ms", float("nan")), ""),
    ("search p50, ms", l["search"]["p50_ms"], j["search"]["p50_ms"], "lower is better"),
    ("search p99, ms", l["search"]["p99_ms"], j["search"]["p99_ms"], ""),
    ("peak RSS, MiB", max_rss_mib(f"{work}/lucene.time"), max_rss_mib(f"{work}/jiebang.time"), "whole process"),
    ("bytes on disk, MiB", (l["enterprise_index_bytes"] + l["scenario_index_bytes"]) / 2**20, jb_bytes / 2**20,
     "jiebang: its data dir"),
]
print(f"{'':24} {'Lucene':>10} {'jiebang':>10} {'jiebang/Lucene':>15}")
for name, lv, jv, note in rows:
    ratio = jv / lv if lv else float("nan")
    print(f"{name:24} {lv:10.1f} {jv:10.1f} {ratio:14.2f}x  {note}")
print()
print(f"input: {input_bytes / 2**20:.1f} MiB of enterprise JSONL; on disk / input: Lucene "
      f"{(l['enterprise_index_bytes'] + l['scenario_index_bytes']) / input_bytes:.2f}x"
      f"{' (in memory: --lucene-store mem)' if l['store'] == 'mem' else ''}, jiebang {jb_bytes / input_bytes:.2f}x")
print("jiebang data dir: " + ", ".join(f"{k} {v / 2**20:.1f} MiB" for k, v in sorted(parts.items())))
print(f"jiebang import: {ji['seconds']:.1f} s for {ji['read']} enterprises ({ji['cpu_seconds']:.1f} CPU-s, "
      f"{ji['rejected']} rejected); peak RSS after the imports {j['peak_rss_after_import_mib']:.0f} MiB; "
      f"scenarios {j['import']['scenarios']['seconds']:.1f} s")
print(f"Lucene index: {l['index_seconds']:.1f} s ({l['index_cpu_seconds']:.1f} CPU-s) for {l['enterprises']} enterprises "
      f"(enterprises {l['enterprise_index_bytes'] / 2**20:.1f} MiB, scenarios {l['scenario_index_bytes'] / 2**20:.1f} MiB); "
      f"longest match query {l['longest_match_clauses']} clauses; JVM max heap {l['heap_max_mib']:.0f} MiB")
print(f"calls: match {l['match']['calls']} / {j['match_scenario']['calls']} (Lucene / jiebang; "
      f"{l['match']['empty_results']} / {j['match_scenario']['empty_results']} empty), search {l['search']['calls']} / "
      f"{j['search']['calls']}; jiebang match_enterprise p50/p99 {j['match_enterprise']['p50_ms']:.1f} / "
      f"{j['match_enterprise']['p99_ms']:.1f} ms ({j['match_enterprise']['calls']} calls)")
if j["match_scenario"]["failures"] or j["search"]["failures"]:
    print(f"jiebang failures: match {j['match_scenario']['failures']}, search {j['search']['failures']}")
EOF
[[ -z "$keep" ]] || echo "raw outputs: $work"
