#!/usr/bin/python3
"""Does a word-embedding similarity help the SBIR known-item ranking? (Issue 4's target check.)

Trains fastText skip-gram vectors (Debian's `fasttext` and `python3-fasttext`: `apt-get install
fasttext python3-fasttext python3-numpy`) on the closed SBIR solicitation topics FY2008-2018
(shared/data/sbir_topics_awards_ereidelbach, the demand side a marketplace publishes) plus the
firms' past cases (the supply side), never on the 2017 awards used as scenarios; represents each
text by its SIF-weighted mean word vector with the first principal component removed (Arora,
Liang & Ma 2017, "A simple but tough-to-beat baseline for sentence embeddings"); and prints
MRR@10 / Recall@10 of the cosine alone (whole profile; best single case) and of BM25 (whole
profile, k1 2.0, b 0.85, normalised by the query's best) plus lambda x cosine.

Usage: bench/text_embeddings.py [WORK_DIR]   (default /tmp/jiebang-embeddings; training takes
~10 minutes on 2 cores; the model is kept in WORK_DIR and reused)
"""
import collections
import gzip
import json
import os
import re
import subprocess
import sys

import fasttext
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import text_models as tm  # noqa: E402  (same tokeniser, BM25 and data location)

DIM = 100


def main():
    work = sys.argv[1] if len(sys.argv) > 1 else "/tmp/jiebang-embeddings"
    os.makedirs(work, exist_ok=True)
    d = tm.data_dir()  # $JIEBANG_SHARED_DIR or ../shared
    shared = os.path.dirname(os.path.dirname(os.path.abspath(d)))
    topics = os.path.join(shared, "data", "sbir_topics_awards_ereidelbach", "sbir_closed_topics_fy2008_2018.jsonl.gz")
    firms = [json.loads(l) for l in open(os.path.join(d, "enterprises.jsonl"), encoding="utf-8")]
    scenarios = [json.loads(l) for l in open(os.path.join(d, "scenarios.jsonl"), encoding="utf-8")]
    answer = {l.split()[0]: l.split()[2] for l in open(os.path.join(d, "qrels.tsv"), encoding="utf-8") if l.strip()}
    scenarios = [s for s in scenarios if s["id"] in answer]
    ids = [f["id"] for f in firms]
    index = {x: i for i, x in enumerate(ids)}

    def words(text):
        return re.findall(r"[a-z0-9]+", text.lower())

    corpus = os.path.join(work, "corpus.txt")
    model_path = os.path.join(work, "sbir_skipgram")
    counts = collections.Counter()
    with open(corpus, "w", encoding="utf-8") as out:
        for line in gzip.open(topics, "rt", encoding="utf-8"):
            r = json.loads(line)
            w = words(f"{r.get('topic_name') or ''} {r.get('description') or ''}")
            if w:
                out.write(" ".join(w) + "\n")
                counts.update(w)
        for f in firms:
            for c in f.get("cases", []):
                w = words(c["title"] + " " + c.get("description", ""))
                out.write(" ".join(w) + "\n")
                counts.update(w)
    if not os.path.exists(model_path + ".bin"):
        print(f"training fastText on {sum(counts.values()):,} words (~10 minutes)", flush=True)
        subprocess.run(["fasttext", "skipgram", "-input", corpus, "-output", model_path, "-dim", str(DIM),
                        "-epoch", "10", "-minCount", "3", "-thread", "2", "-verbose", "0"], check=True)
    model = fasttext.load_model(model_path + ".bin")
    total = sum(counts.values())
    vectors = {}

    def text_vector(text, a=1e-3):
        ws = [w for w in words(text) if w not in tm.STOP and len(w) > 1]
        v = np.zeros(DIM, dtype=np.float32)
        for w in ws:
            if w not in vectors:
                vectors[w] = model.get_word_vector(w)
            v += (a / (a + counts.get(w, 0) / total)) * vectors[w]
        return v / max(1, len(ws))

    case_v, owner = [], []
    for j, f in enumerate(firms):
        for c in f.get("cases", []):
            case_v.append(text_vector(c["title"] + " " + c.get("description", "")))
            owner.append(j)
    case_v = np.array(case_v)
    prof_v = np.array([text_vector(" ".join(c["title"] + " " + c.get("description", "") for c in f.get("cases", [])))
                       for f in firms])
    query_v = np.array([text_vector(s["title"] + " " + s["title"] + " " + s.get("description", "")) for s in scenarios])
    _, _, vt = np.linalg.svd(np.vstack([case_v, prof_v, query_v]), full_matrices=False)
    pc = vt[0]

    def unit(x):
        x = x - np.outer(x @ pc, pc)
        return x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-9)

    case_v, prof_v, query_v = unit(case_v), unit(prof_v), unit(query_v)
    sim_profile = query_v @ prof_v.T
    sim_case_all = query_v @ case_v.T
    sim_case = np.full_like(sim_profile, -1.0)
    for i, j in enumerate(owner):
        sim_case[:, j] = np.maximum(sim_case[:, j], sim_case_all[:, i])

    profiles = [tm.tokens(" ".join(c["title"] + " " + c.get("description", "") for c in f.get("cases", []))
                          + " " + f.get("name", "")) for f in firms]
    bm = tm.BM25(profiles, 2.0, 0.85)
    bm25 = np.zeros_like(sim_profile)
    for qi, s in enumerate(scenarios):
        sc = bm.score(tm.tokens(s["title"] + " " + s["title"] + " " + s.get("description", "")))
        top = max(sc.values()) if sc else 1.0
        for k, v in sc.items():
            bm25[qi, k] = v / top

    def evaluate(name, m):
        mrr = rec = 0.0
        for qi, s in enumerate(scenarios):
            top = np.argsort(-m[qi], kind="stable")[:10].tolist()
            a = index[answer[s["id"]]]
            if a in top:
                mrr += 1 / (top.index(a) + 1)
                rec += 1
        print(f"{name:46s} MRR@10 {mrr / len(scenarios):.3f}  Recall@10 {rec / len(scenarios):.3f}", flush=True)

    evaluate("cosine, whole profile", sim_profile)
    evaluate("cosine, best single case", sim_case)
    evaluate("BM25 (k1 2.0, b 0.85)", bm25)
    for lam in (0.25, 0.5, 1.0):
        evaluate(f"BM25 + {lam} x cosine (profile)", bm25 + lam * sim_profile)
        evaluate(f"BM25 + {lam} x cosine (best case)", bm25 + lam * sim_case)


if __name__ == "__main__":
    main()
