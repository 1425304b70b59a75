#!/usr/bin/env python3
"""Clean-room comparison of standard text-ranking models on the SBIR known-item set.

Why: issue 4 asks for MRR@10 >= 0.60 on shared/eval/sbir-known-item. This script checks whether
any standard lexical model or fusion gets near that, independently of jiebang's code (own
tokeniser, a light suffix stripper, one document per firm = all its past cases), so that the
ceiling is measured, not guessed. Pure Python 3, no packages; ~2 minutes on one core.

Usage: bench/text_models.py [SBIR_DIR]   (default ../shared/eval/sbir-known-item or
       $JIEBANG_SHARED_DIR/eval/sbir-known-item)
Prints one line per model: MRR@10 and Recall@10 over the 304 scenarios.

Models (formulas: Robertson & Zaragoza 2009 for BM25; Zhai & Lafferty 2001 for Dirichlet
smoothing; Lavrenko & Croft 2001 / Abdul-Jaleel et al. 2004 for RM3; Conneau et al. 2018 for the
CSLS hubness correction):
- BM25 on the whole profile, several k1/b, query-term-frequency saturation on/off, the N most
  informative query terms only, with word bigrams;
- the best single past case (max over cases), case titles only, and fusions with the profile;
- the profile plus track record with the scenario's publisher (1 - 0.5^n of matching cases);
- RM3 pseudo-relevance feedback; a per-firm hubness correction (CSLS); query likelihood with
  Dirichlet smoothing.
"""
import collections
import json
import math
import os
import re
import sys


def data_dir(given=None):
    """The SBIR known-item folder: `given`, else $JIEBANG_SHARED_DIR/eval/..., else ../shared/eval/..."""
    if given:
        return given
    shared = os.environ.get("JIEBANG_SHARED_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "shared")
    return os.path.join(shared, "eval", "sbir-known-item")


STOP = set("""a an and are as at be by for from has have in is it its of on or that the this to was
were will with which we our their these those can also been into not such than other more using use
used based new phase ii i sbir project program proposed proposal research company develop
development""".split())
_stems = {}


def stem(w):
    """A light English suffix stripper (not Porter): enough to merge plural and -ing/-ed forms."""
    s = _stems.get(w)
    if s is None:
        s = w
        for suf in ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "es", "ed", "ly", "s"):
            if len(s) > len(suf) + 3 and s.endswith(suf):
                s = s[: -len(suf)]
                break
        _stems[w] = s
    return s


def tokens(text):
    return [stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP and len(w) > 1]


def bigrams(ws):
    return ws + [a + "_" + b for a, b in zip(ws, ws[1:])]


class BM25:
    """Okapi BM25 over token lists; idf = ln(1 + (N - n + 0.5) / (n + 0.5)) as in Lucene."""

    def __init__(self, docs, k1=1.2, b=0.75):
        self.tf = [collections.Counter(d) for d in docs]
        self.len = [len(d) for d in docs]
        self.avg = sum(self.len) / max(1, len(docs))
        self.k1, self.b = k1, b
        df = collections.Counter()
        for c in self.tf:
            df.update(c.keys())
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.post = collections.defaultdict(list)
        for i, c in enumerate(self.tf):
            for t, f in c.items():
                self.post[t].append((i, f))

    def score_weighted(self, qw):
        out = collections.defaultdict(float)
        for t, w0 in qw.items():
            idf = self.idf.get(t)
            if idf is None:
                continue
            w = idf * w0
            for i, f in self.post[t]:
                out[i] += w * f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * self.len[i] / self.avg))
        return out

    def score(self, q, saturate=True):
        qc = collections.Counter(q)
        return self.score_weighted({t: (min(v, 3) if saturate else v) for t, v in qc.items()})


def ranked(scores, ids):
    return [ids[i] for i, _ in sorted(scores.items(), key=lambda x: (-x[1], x[0]))]


def main():
    d = data_dir(sys.argv[1] if len(sys.argv) > 1 else None)
    firms = [json.loads(l) for l in open(os.path.join(d, "enterprises.jsonl"), encoding="utf-8")]
    scenarios = [json.loads(l) for l in open(os.path.join(d, "scenarios.jsonl"), encoding="utf-8")]
    answer = {}
    for line in open(os.path.join(d, "qrels.tsv"), encoding="utf-8"):
        p = line.split()
        if len(p) >= 4 and int(p[3]) > 0:
            answer[p[0]] = p[2]
    scenarios = [s for s in scenarios if s["id"] in answer]
    ids = [f["id"] for f in firms]

    def evaluate(name, rank_fn):
        mrr = rec = 0.0
        for s in scenarios:
            top = rank_fn(s)[:10]
            a = answer[s["id"]]
            if a in top:
                mrr += 1 / (top.index(a) + 1)
                rec += 1
        n = len(scenarios)
        print(f"{name:58s} MRR@10 {mrr / n:.3f}  Recall@10 {rec / n:.3f}", flush=True)

    query = {s["id"]: tokens(s["title"] + " " + s["title"] + " " + s.get("description", "")) for s in scenarios}
    profiles = [tokens(" ".join(c["title"] + " " + c.get("description", "") for c in f.get("cases", []))
                       + " " + f.get("name", "") + " " + f.get("description", "")) for f in firms]

    for k1, b in [(1.2, 0.75), (2.0, 0.85), (2.0, 0.5), (2.0, 1.0), (3.0, 0.85)]:
        bm = BM25(profiles, k1, b)
        evaluate(f"BM25 profile k1={k1} b={b}", lambda s: ranked(bm.score(query[s["id"]]), ids))
    bm = BM25(profiles, 2.0, 0.85)
    evaluate("BM25 profile, query term frequency not saturated", lambda s: ranked(bm.score(query[s["id"]], False), ids))
    for n in (30, 100):
        def top_terms(s, n=n):
            q = collections.Counter(query[s["id"]])
            keep = set(sorted(q, key=lambda t: -min(q[t], 3) * bm.idf.get(t, 0))[:n])
            return ranked(bm.score([t for t in query[s["id"]] if t in keep]), ids)
        evaluate(f"BM25 profile, the {n} most informative query terms", top_terms)
    bb = BM25([bigrams(p) for p in profiles], 2.0, 0.85)
    evaluate("BM25 profile with word bigrams", lambda s: ranked(bb.score(bigrams(query[s["id"]])), ids))

    # Per case.
    case_docs, case_titles, owner = [], [], []
    for j, f in enumerate(firms):
        for c in f.get("cases", []):
            case_docs.append(tokens(c["title"] + " " + c.get("description", "")))
            case_titles.append(tokens(c["title"]))
            owner.append(j)
    cb, tb = BM25(case_docs, 2.0, 0.85), BM25(case_titles, 1.2, 0.5)

    def best_case(scores):
        out = {}
        for i, v in scores.items():
            out[owner[i]] = max(out.get(owner[i], 0.0), v)
        return out

    def norm(sc):
        m = max(sc.values()) if sc else 1.0
        return {k: v / m for k, v in sc.items()}

    cache = {}
    for s in scenarios:
        cache[s["id"]] = (norm(bm.score(query[s["id"]])), norm(best_case(cb.score(query[s["id"]]))),
                          norm(best_case(tb.score(tokens(s["title"])))))
    evaluate("best single case (max over a firm's cases)", lambda s: ranked(cache[s["id"]][1], ids))
    evaluate("scenario title against case titles", lambda s: ranked(cache[s["id"]][2], ids))
    for a, t in [(0.2, 0.0), (0.5, 0.0), (0.0, 0.1), (0.3, 0.2)]:
        def fused(s, a=a, t=t):
            p, c, ti = cache[s["id"]]
            keys = set(p) | set(c) | set(ti)
            return ranked({k: p.get(k, 0) + a * c.get(k, 0) + t * ti.get(k, 0) for k in keys}, ids)
        evaluate(f"profile + {a} x best case + {t} x title (each / its max)", fused)

    def track_record(f, publisher):
        n = sum(c.get("customer") == publisher for c in f.get("cases", []))
        if n:
            return 1 - 0.5 ** n
        parent = publisher.split(" / ")[0]
        return 0.25 if any(c.get("customer", "").split(" / ")[0] == parent for c in f.get("cases", [])) else 0.0

    tr = {s["id"]: [track_record(f, s.get("publisher", "")) for f in firms] for s in scenarios}
    for w in (0.05, 0.1, 0.3):
        evaluate(f"profile + {w} x track record with the publisher",
                 lambda s, w=w: ranked({k: v + w * tr[s["id"]][k] for k, v in cache[s["id"]][0].items()}, ids))

    # RM3: expand with the best terms of the top K profiles, interpolated with the query.
    base = {s["id"]: {t: min(v, 3) for t, v in collections.Counter(query[s["id"]]).items()} for s in scenarios}
    first = {k: bm.score_weighted(v) for k, v in base.items()}
    for k_docs, m_terms, lam in [(3, 30, 0.2), (10, 50, 0.3)]:
        def rm3(s, k_docs=k_docs, m_terms=m_terms, lam=lam):
            top = sorted(first[s["id"]].items(), key=lambda x: -x[1])[:k_docs]
            mx = top[0][1]
            fb = collections.defaultdict(float)
            for i, v in top:
                wd = math.exp((v - mx) / (mx * 0.1))
                for t, f in bm.tf[i].items():
                    fb[t] += wd * f / bm.len[i] * bm.idf[t]
            terms = sorted(fb.items(), key=lambda x: -x[1])[:m_terms]
            tot = sum(v for _, v in terms)
            q0 = base[s["id"]]
            tq = sum(q0.values())
            qw = {t: (1 - lam) * v / tq for t, v in q0.items()}
            for t, v in terms:
                qw[t] = qw.get(t, 0) + lam * v / tot
            return ranked(bm.score_weighted(qw), ids)
        evaluate(f"RM3 feedback: {k_docs} firms, {m_terms} terms, weight {lam}", rm3)

    # CSLS-style hubness correction: a firm's score minus a share of its mean top-K score over all scenarios.
    per_firm = collections.defaultdict(list)
    for v in cache.values():
        for f, x in v[0].items():
            per_firm[f].append(x)
    hub = {f: sum(sorted(v, reverse=True)[:10]) / 10 for f, v in per_firm.items()}
    for a in (0.2, 0.4):
        evaluate(f"profile - {a} x the firm's mean top-10 score (hubness)",
                 lambda s, a=a: ranked({f: v - a * hub[f] for f, v in cache[s["id"]][0].items()}, ids))

    # Query likelihood, Dirichlet smoothing.
    coll = collections.Counter()
    for p in profiles:
        coll.update(p)
    total = sum(coll.values())
    for mu in (1000, 3000):
        def dirichlet(s, mu=mu):
            q = collections.Counter(query[s["id"]])
            out = collections.defaultdict(float)
            for t, qf in q.items():
                if t not in coll:
                    continue
                pc = coll[t] / total
                for i, f in bm.post[t]:
                    out[i] += min(qf, 3) * math.log(1 + f / (mu * pc))
            ql = sum(min(v, 3) for t, v in q.items() if t in coll)
            return ranked({i: v + ql * math.log(mu / (bm.len[i] + mu)) for i, v in out.items()}, ids)
        evaluate(f"query likelihood, Dirichlet mu={mu}", dirichlet)


if __name__ == "__main__":
    main()
