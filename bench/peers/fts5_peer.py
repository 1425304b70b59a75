#!/usr/bin/env python3
"""SQLite FTS5 peer for jiebang's ranking evaluation: plain BM25 (bm25(), k1 1.2, b 0.75), one
row per enterprise, the scenario's distinct tokens as one OR query.

Usage: fts5_peer.py --tokenizer porter|trigram --docs docs.tsv --queries queries.tsv
                    --run RUN_OUT [--name RUN_NAME] [--k 10]
       fts5_peer.py --version
docs.tsv / queries.tsv: "id TAB text" lines, written by peer_docs.py.

porter:  tokenize='porter unicode61'. Query tokens: the text split as unicode61 splits it (runs of
         letters, digits and marks; everything else separates), case-folded, distinct, each one a
         quoted string, so FTS5 stems it as it stemmed the documents.
trigram: tokenize='trigram' (SQLite 3.34+). Query tokens: every distinct 3-character substring of
         each run of letters, digits and marks (case-folded), each one a quoted string; runs
         shorter than 3 characters cannot match in a trigram index and are left out.
         With an older SQLite, unicode61 is used instead and the script says so.
"""
import argparse
import sqlite3
import sys
import time
import unicodedata


def has_trigram(con):
    try:
        con.execute("CREATE VIRTUAL TABLE temp.probe USING fts5(x, tokenize='trigram')")
        con.execute("DROP TABLE temp.probe")
        return True
    except sqlite3.OperationalError:
        return False


def word_runs(text):
    """Maximal runs of letter/number/mark characters: unicode61's token characters."""
    run = []
    for ch in text:
        if unicodedata.category(ch)[0] in "LNM":
            run.append(ch)
        elif run:
            yield "".join(run)
            run = []
    if run:
        yield "".join(run)


def distinct(seq):
    seen = set()
    for x in seq:
        if x not in seen:
            seen.add(x)
            yield x


def query_tokens(text, tokenizer):
    runs = (r.casefold() for r in word_runs(text))
    if tokenizer == "trigram":
        return list(distinct(r[i:i + 3] for r in runs for i in range(len(r) - 2)))
    return list(distinct(runs))


def quote(tok):
    return '"' + tok.replace('"', '""') + '"'


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                rid, _, text = line.partition("\t")
                yield rid, text


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", action="store_true", help="print the SQLite version and whether trigram is there")
    ap.add_argument("--tokenizer", choices=["porter", "trigram"])
    ap.add_argument("--docs")
    ap.add_argument("--queries")
    ap.add_argument("--run")
    ap.add_argument("--name", default="fts5")
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args()

    con = sqlite3.connect(":memory:")
    if args.version:
        print(f"{sqlite3.sqlite_version} (trigram tokenizer: {'yes' if has_trigram(con) else 'no'})")
        return
    if not (args.tokenizer and args.docs and args.queries and args.run):
        ap.error("need --tokenizer, --docs, --queries and --run")

    t0 = time.monotonic()
    tokenizer = args.tokenizer
    if tokenizer == "trigram" and not has_trigram(con):
        print(f"fts5_peer: SQLite {sqlite3.sqlite_version} has no trigram tokenizer (3.34+); using unicode61",
              file=sys.stderr)
        tokenizer = "unicode61"
    spec = {"porter": "porter unicode61", "trigram": "trigram", "unicode61": "unicode61"}[tokenizer]
    con.execute(f"CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, text, tokenize='{spec}')")
    n_docs = 0
    with con:
        for rid, text in read_tsv(args.docs):
            con.execute("INSERT INTO docs(id, text) VALUES (?, ?)", (rid, text))
            n_docs += 1

    n_queries = empty = longest = 0
    with open(args.run, "w", encoding="utf-8") as out:
        for qid, text in read_tsv(args.queries):
            n_queries += 1
            toks = query_tokens(text, "trigram" if tokenizer == "trigram" else "porter")
            longest = max(longest, len(toks))
            if not toks:
                empty += 1
                continue
            match = " OR ".join(quote(t) for t in toks)
            rows = con.execute("SELECT id, bm25(docs) AS s FROM docs WHERE docs MATCH ? ORDER BY s LIMIT ?",
                               (match, args.k)).fetchall()
            for rank, (rid, score) in enumerate(rows, 1):
                # bm25() is lower-is-better; the run file carries the usual higher-is-better score.
                out.write(f"{qid} Q0 {rid} {rank} {-score:.6f} {args.name}\n")
    print(f"fts5_peer: SQLite {sqlite3.sqlite_version}, tokenize='{spec}', {n_docs} documents, {n_queries} queries "
          f"({empty} with no token, longest {longest} OR terms), {time.monotonic() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
