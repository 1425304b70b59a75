#!/usr/bin/python3
"""Public search page latency from loopback: GET /scenarios?q=… (the whole HTML page with facets)
over the fixtures, sequential keep-alive requests, p50/p95/p99 in ms. Prints machine, commit, load.
Usage: bench/web_search.py --binary build-rel/jiebang [--requests 500]"""
import argparse, http.client, os, shutil, socket, subprocess, tempfile, time, urllib.parse

QUERIES = ["隧道巡检", "渗漏水", "信号配时", "智慧交通", "机器人", "视频识别", "電力隧道", "数据", "", "traffic", "检测", "平台"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--requests", type=int, default=500)
    a = p.parse_args()
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    d = tempfile.mkdtemp(prefix="jiebang-websearch-")
    env = dict(os.environ, JIEBANG_DATA_DIR=d, ASAN_OPTIONS="detect_leaks=0")
    for kind in ("scenarios", "enterprises"):
        subprocess.run([a.binary, "import", kind, f"{src}/fixtures/{kind}.jsonl"], env=env, check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([a.binary, "serve", "--listen", f"127.0.0.1:{port}", "--no-digest"], env=env,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/healthz")
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        times = []
        for i in range(a.requests + 20):
            q = QUERIES[i % len(QUERIES)]
            t = time.perf_counter()
            conn.request("GET", "/scenarios?q=" + urllib.parse.quote(q))
            r = conn.getresponse()
            r.read()
            assert r.status == 200, r.status
            if i >= 20:  # warm-up left out
                times.append((time.perf_counter() - t) * 1000)
        times.sort()
        pct = lambda f: times[min(len(times) - 1, int(f * len(times)))]
        commit = subprocess.run(["git", "-C", src, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; commit {commit}; binary {a.binary}")
        print(f"GET /scenarios?q=… (HTML page, fixtures, {len(times)} requests, 1 connection): "
              f"p50 {pct(0.5):.1f} ms, p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms, max {times[-1]:.1f} ms")
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
