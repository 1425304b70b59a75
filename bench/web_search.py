#!/usr/bin/python3
"""Public search page latency from loopback: GET /scenarios?q=… (the whole HTML page with exact facets
and a page of results) against `jiebang serve`, sequential keep-alive requests, p50/p95/p99 in ms per
query language and overall. Prints machine, commit and load. Over the fixtures (imported into a temporary
data directory) by default, or over an existing data directory (--data-dir, e.g. the 100k scale corpus):
serve writes to its data directory (WAL, sessions), so it is copied first unless --in-place is given.
Usage: bench/web_search.py --binary build-rel/jiebang [--requests 500]
       bench/web_search.py --binary build-rel/jiebang --data-dir /tmp/scale-100k/jiebang-data \
           [--queries /tmp/scale-100k/search.tsv]   # TSV: id <tab> query; the first 24 are used"""
import argparse, http.client, os, re, shutil, socket, subprocess, tempfile, time, urllib.parse

# Chinese (simplified and traditional) and English queries of the fixtures' kind, and the empty query.
QUERIES = ["隧道巡检", "渗漏水", "信号配时", "智慧交通", "机器人", "视频识别", "電力隧道", "数据", "", "traffic",
           "inspection robot", "检测", "平台", "energy storage"]


def language(q):
    return "zh" if re.search(r"[\u4e00-\u9fff]", q) else "en" if q else "empty"


def pct(times, f):
    return times[min(len(times) - 1, int(f * len(times)))]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--requests", type=int, default=500)
    p.add_argument("--data-dir", help="an existing data directory instead of the fixtures (copied unless --in-place)")
    p.add_argument("--in-place", action="store_true", help="serve --data-dir itself (it is written to)")
    p.add_argument("--queries", help="TSV file: id <tab> query (the first 24 are used)")
    a = p.parse_args()
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    queries = QUERIES
    if a.queries:
        with open(a.queries, encoding="utf-8") as f:
            queries = [line.rstrip("\n").split("\t", 1)[1] for line in f if "\t" in line][:24]
    tmp = tempfile.mkdtemp(prefix="jiebang-websearch-")
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    if a.data_dir and a.in_place:
        data = a.data_dir
    elif a.data_dir:
        data = os.path.join(tmp, "data")
        t = time.time()
        shutil.copytree(a.data_dir, data)
        print(f"copied {a.data_dir} in {time.time() - t:.0f} s")
    else:
        data = os.path.join(tmp, "data")
        for kind in ("scenarios", "enterprises"):
            subprocess.run([a.binary, "--data-dir", data, "--create", "import", kind, f"{src}/fixtures/{kind}.jsonl"],
                           env=env, check=True, capture_output=True)
    status = subprocess.run([a.binary, "--data-dir", data, "status"], env=env, capture_output=True, text=True).stdout
    counts = " ".join(l.split()[0] + "=" + l.split()[1] for l in status.splitlines()
                      if l.split() and l.split()[0] in ("scenarios", "enterprises"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([a.binary, "--data-dir", data, "serve", "--listen", f"127.0.0.1:{port}", "--no-digest"], env=env,
                            stderr=subprocess.DEVNULL)
    try:
        started = time.time()
        for _ in range(1200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/healthz")
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        up_s = time.time() - started
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        times, by_lang, sizes = [], {}, []
        load_before = os.getloadavg()
        for i in range(a.requests + 20):
            q = queries[i % len(queries)]
            t = time.perf_counter()
            conn.request("GET", "/scenarios?q=" + urllib.parse.quote(q))
            r = conn.getresponse()
            body = r.read()
            ms = (time.perf_counter() - t) * 1000
            assert r.status == 200, (r.status, q)
            if i >= 20:  # warm-up left out
                times.append(ms)
                by_lang.setdefault(language(q), []).append(ms)
                sizes.append(len(body))
        load_after = os.getloadavg()
        times.sort()
        commit = subprocess.run(["git", "-C", src, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", src, "diff", "--quiet", "HEAD"]).returncode != 0
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
        print(f"date:    {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
        print(f"machine: {os.cpu_count()} cores, {cpu}")
        print(f"commit:  {commit}{' + uncommitted changes' if dirty else ''}; binary {a.binary}")
        print(f"load:    {load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min; other work on the machine skews the figures)")
        print(f"data:    {a.data_dir or 'fixtures'} ({counts}); {len(queries)} queries in turn, one keep-alive connection, "
              f"mean page {sum(sizes) / len(sizes) / 1024:.1f} KiB; serve answered /healthz {up_s:.1f} s after its start")
        print(f"GET /scenarios?q=… {len(times)} requests: p50 {pct(times, .5):.1f} ms, p95 {pct(times, .95):.1f} ms, "
              f"p99 {pct(times, .99):.1f} ms, max {times[-1]:.1f} ms")
        for lang, ts in sorted(by_lang.items()):
            ts.sort()
            print(f"  {lang:5} {len(ts):4} requests: p50 {pct(ts, .5):.1f} ms, p95 {pct(ts, .95):.1f} ms")
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
