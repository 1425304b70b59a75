#!/usr/bin/env python3
"""Flattens an evaluation set into the two plain-text files both peer engines read.

Usage: peer_docs.py ENTERPRISES.jsonl SCENARIOS.jsonl OUT_DIR

Writes OUT_DIR/docs.tsv    "enterprise_id TAB text": name, description, capabilities and every
                           case's title and description, in that order, joined by spaces;
       OUT_DIR/queries.tsv "scenario_id TAB text": title and description.
Tabs, newlines and other control characters in the text become spaces, so a line is a record.
One flattening for both peers: Lucene and FTS5 index exactly the same text.
"""
import json
import re
import sys

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def clean(value):
    if value is None:
        return ""
    return _CONTROL.sub(" ", str(value)).strip()


def enterprise_text(rec):
    parts = [rec.get("name"), rec.get("description")]
    parts += rec.get("capabilities") or []
    for case in rec.get("cases") or []:
        if isinstance(case, dict):
            parts += [case.get("title"), case.get("description")]
    return " ".join(p for p in (clean(x) for x in parts) if p)


def scenario_text(rec):
    return " ".join(p for p in (clean(rec.get("title")), clean(rec.get("description"))) if p)


def convert(src, dst, text_of):
    n = 0
    with open(src, encoding="utf-8") as fin, open(dst, "w", encoding="utf-8") as fout:
        for line_no, line in enumerate(fin, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            rid = clean(rec.get("id"))
            if not rid or re.search(r"\s", rid):
                sys.exit(f"peer_docs.py: {src}:{line_no}: missing id, or an id with white space")
            fout.write(f"{rid}\t{text_of(rec)}\n")
            n += 1
    return n


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    e, s, out = sys.argv[1:]
    ne = convert(e, f"{out}/docs.tsv", enterprise_text)
    ns = convert(s, f"{out}/queries.tsv", scenario_text)
    print(f"peer_docs: {ne} enterprises, {ns} scenarios", file=sys.stderr)


if __name__ == "__main__":
    main()
