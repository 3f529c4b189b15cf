#!/usr/bin/env python3
"""How right `mab lint` is on real Dockerfiles: precision and recall per rule against labels made by hand.

    bench/lint-score.py CORPUS [MAB]

CORPUS holds files/*.Dockerfile and labels.tsv (columns file, line, rule, note: one row per line a rule
truly applies to, judged by reading the file, not by running mab). The corpus is never part of mab (its
files belong to their projects). MAB defaults to target/debug/mab. Prints one table row per rule, then
each disagreement, so a wrong label and a wrong rule can be told apart by reading the line.
"""
import csv
import json
import pathlib
import subprocess
import sys
from collections import defaultdict


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    corpus = pathlib.Path(sys.argv[1])
    mab = sys.argv[2] if len(sys.argv) > 2 else "target/debug/mab"
    files = sorted((corpus / "files").glob("*.Dockerfile"))
    truth = set()
    with open(corpus / "labels.tsv", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            truth.add((row["file"].strip(), int(row["line"]), row["rule"].strip()))
    found = set()
    unreadable = []
    for path in files:
        out = subprocess.run([mab, "lint", "--format", "json", "--failure-threshold", "none", str(path)],
                             capture_output=True, text=True)
        if out.returncode == 2:
            unreadable.append(f"{path.name}: {out.stderr.strip()}")
            continue
        for finding in json.loads(out.stdout):
            found.add((path.name, finding["line"], finding["rule"]))
    rules = sorted({r for _, _, r in truth | found})
    print(f"{len(files)} Dockerfiles, {len(truth)} labels, {len(found)} findings; unreadable: {len(unreadable)}")
    print("| rule | labelled | found | right | precision | recall |")
    print("|---|---|---|---|---|---|")
    for rule in rules:
        t = {x for x in truth if x[2] == rule}
        f = {x for x in found if x[2] == rule}
        right = len(t & f)
        precision = f"{right / len(f):.2f}" if f else "-"
        recall = f"{right / len(t):.2f}" if t else "-"
        print(f"| {rule} | {len(t)} | {len(f)} | {right} | {precision} | {recall} |")
    by_file = defaultdict(list)
    for x in sorted(found - truth):
        by_file[x[0]].append(f"  false positive {x[2]} line {x[1]}")
    for x in sorted(truth - found):
        by_file[x[0]].append(f"  missed {x[2]} line {x[1]}")
    for name in sorted(by_file):
        print(name)
        print("\n".join(by_file[name]))
    for u in unreadable:
        print("unreadable:", u)
    return 0


if __name__ == "__main__":
    sys.exit(main())
