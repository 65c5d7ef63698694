#!/usr/bin/env python3
"""How many CEL expressions of the shipped checks repeat the shape of another.

Shape: the expression with string literals replaced by 'S', numbers by N, whitespace
collapsed. An expression "repeats" when another expression (any check, any field) has its
shape. A call of a shared helper (`!ownedBy(f, S)`) repeats too, so the script also counts
repeats longer than 60 characters (copied logic) and the characters repeated. Run from the
repository root: `python3 scripts/cel-shapes.py [-v] [DIR]` (DIR: a checkout, default .).
Prints totals overall and per file; `-v` lists the repeated shapes with their counts.
"""
import collections, glob, re, sys, tomllib

FIELDS = ["applies", "unknown", "not_applicable", "files", "finding", "evidence", "pass_evidence", "info_when"]

def shape(expr):
    s = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "S", expr)
    s = re.sub(r"\b\d+\b", "N", s)
    return re.sub(r"\s+", " ", s).strip()

exprs = []
root = next((a for a in sys.argv[1:] if a != "-v"), ".")
for path in sorted(glob.glob(f"{root}/checks/*/*.toml")):
    if path.endswith("benchmark.toml"):
        continue
    with open(path, "rb") as f:
        data = tomllib.load(f)
    for c in data.get("check", []):
        for k in FIELDS:
            if isinstance(c.get(k), str) and c[k].strip():
                exprs.append((path, c["id"], k, shape(c[k])))
count = collections.Counter(e[3] for e in exprs)
rep = [e for e in exprs if count[e[3]] > 1]
print(f"{len(rep)} of {len(exprs)} CEL expressions repeat another's shape ({100*len(rep)/max(1,len(exprs)):.0f}%)")
per = collections.defaultdict(lambda: [0, 0])
for e in exprs:
    per[e[0]][1] += 1
    per[e[0]][0] += count[e[3]] > 1
for p, (r, t) in per.items():
    print(f"  {p}: {r}/{t}")
longest = sum(len(e[3]) for e in exprs)
print(f"total expression text: {longest} characters")
# Copied logic rather than a shared name: repeated shapes longer than 60 characters, and the
# text all repeats beyond each shape's first use add up to.
long_rep = [e for e in rep if len(e[3]) > 60]
dup = sum((n - 1) * len(sh) for sh, n in count.items() if n > 1)
print(f"{len(long_rep)} repeated expressions longer than 60 characters; {dup} characters repeat a shape already written")
if "-v" in sys.argv:
    for s, n in count.most_common():
        if n > 1:
            print(f"{n:3}  {s[:150]}")
