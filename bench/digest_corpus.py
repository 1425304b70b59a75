#!/usr/bin/env python3
"""Make the digest benchmark's corpus: E enterprises and S scenarios all posted in one ISO week.

Usage: digest_corpus.py --enterprises 10000 --scenarios 1000 --week 2026-W47 --out DIR [--seed 7]

Built from real texts, recombined:
- enterprises: shared/tools/scale_corpus.py's (real SBIR award abstracts; GB/T 4754 descriptions and
  the seed paper's sentences for Chinese firms), every third Chinese firm also given a capability and
  a past case taken from a real fixture enterprise (fixtures/enterprises.jsonl);
- scenarios: half English (scale_corpus.py's: real SBIR topics), half Chinese recombined from the
  fixture scenarios (fixtures/scenarios.jsonl): a real title and description sentences of two or three
  fixture scenarios, with the publisher, region, industries and TRL of one of them.
Every scenario is open and posted on a day of --week; deadlines fall 2-16 weeks later. The same
arguments always give the same bytes. A load generator: use it for time and memory, never quality.
"""
import argparse, datetime, json, os, random, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def iso_week_monday(text):
    m = re.fullmatch(r'(\d{4})-W(\d{2})', text)
    if not m:
        sys.exit(f'--week: "{text}" is not an ISO week such as 2026-W47')
    return datetime.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)


def sentences(text):
    return [s for s in re.findall(r'[^。；]+[。；]?', text or '') if len(s) >= 8]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--enterprises', type=int, required=True)
    ap.add_argument('--scenarios', type=int, required=True)
    ap.add_argument('--week', required=True, help='ISO week the scenarios are posted in, e.g. 2026-W47')
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--prefix', default='', help='prepended to every scenario id (to add a second batch)')
    ap.add_argument('--shared', default=os.environ.get('JIEBANG_SHARED_DIR', os.path.join(ROOT, '..', 'shared')))
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    monday = iso_week_monday(a.week)
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    fx_scen = [json.loads(l) for l in open(os.path.join(ROOT, 'fixtures', 'scenarios.jsonl'), encoding='utf-8')]
    fx_ent = [json.loads(l) for l in open(os.path.join(ROOT, 'fixtures', 'enterprises.jsonl'), encoding='utf-8')]
    fx_ent = [e for e in fx_ent if re.search(r'[\u4e00-\u9fff]', e.get('name', ''))]
    n_en = a.scenarios - a.scenarios // 2
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(a.shared, 'tools', 'scale_corpus.py'), '--enterprises',
                        str(a.enterprises), '--scenarios', str(n_en * 2), '--zh-share', '0.5', '--seed', str(a.seed),
                        '--out', tmp], check=True)
        ents = [json.loads(l) for l in open(os.path.join(tmp, 'enterprises.jsonl'), encoding='utf-8')]
        en_scen = [json.loads(l) for l in open(os.path.join(tmp, 'scenarios.jsonl'), encoding='utf-8')]
    en_scen = [s for s in en_scen if s['id'].startswith('en-')][:n_en]

    zh_count = 0
    for e in ents:
        if e.get('region') != 'US':
            zh_count += 1
            if zh_count % 3 == 0:
                donor = rng.choice(fx_ent)
                e['capabilities'] = (e.get('capabilities') or []) + donor.get('capabilities', [])[:1]
                if donor.get('cases'):
                    e['cases'] = (e.get('cases') or []) + [rng.choice(donor['cases'])]
    with open(os.path.join(a.out, 'enterprises.jsonl'), 'w', encoding='utf-8') as f:
        for e in ents:
            f.write(json.dumps(e, ensure_ascii=False) + '\n')

    def dates():
        posted = monday + datetime.timedelta(days=rng.randint(0, 6))
        return posted.isoformat(), (posted + datetime.timedelta(days=rng.randint(14, 112))).isoformat()

    with open(os.path.join(a.out, 'scenarios.jsonl'), 'w', encoding='utf-8') as f:
        for s in en_scen:
            s['id'] = a.prefix + s['id']
            s['posted_at'], s['deadline'] = dates()
            f.write(json.dumps(s, ensure_ascii=False) + '\n')
        for i in range(a.scenarios - len(en_scen)):
            parts = rng.sample(fx_scen, rng.randint(2, 3))
            base = parts[0]
            text = []
            for p in parts:
                ss = sentences(p.get('description'))
                text += rng.sample(ss, min(len(ss), rng.randint(1, 3)))
            rec = {'id': a.prefix + 'dg-%06d' % i, 'title': base['title'], 'description': ''.join(text),
                   'publisher': base['publisher'], 'region': base.get('region', ''),
                   'industries': base.get('industries', []), 'keywords': base.get('keywords', []),
                   'status': 'open'}
            if base.get('required_trl'):
                rec['required_trl'] = base['required_trl']
            if base.get('budget'):
                rec['budget'] = base['budget']
            rec['posted_at'], rec['deadline'] = dates()
            f.write(json.dumps(rec, ensure_ascii=False) + '\n')


if __name__ == '__main__':
    main()
