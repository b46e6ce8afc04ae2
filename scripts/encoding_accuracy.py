#!/usr/bin/python3
"""Accuracy of each weight encoding: trains one float32 model per split (or takes an existing
one), prunes it to each weights-per-row budget, converts each to f16, bf16 and i8 with
`ease convert`, evaluates every file with `ease evaluate` on the split's test file, and prints a
Markdown table of Recall@20 / NDCG@20 with the change relative to float32.

  /usr/bin/python3 scripts/encoding_accuracy.py SPLIT_DIR [SPLIT_DIR ...] [--lambda 200] [--per-row 1000,100]
      [--work DIR] [--ease "dotnet Cli/bin/Release/net10.0/ease.dll"]

SPLIT_DIR holds train.txt and test.txt (adjacency lines). Models go to --work (default: a
folder per split under /tmp).
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("splits", nargs="+")
p.add_argument("--lambda", dest="lam", default="200")
p.add_argument("--per-row", default="1000,100")
p.add_argument("--work", default="/tmp/ease-encoding-accuracy")
p.add_argument("--ease", default="dotnet " + os.path.join(root, "Cli", "bin", "Release", "net10.0", "ease.dll"))
a = p.parse_args()
ease = shlex.split(a.ease)


def run(args):
    print("$", " ".join(args), file=sys.stderr, flush=True)
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


budgets = [int(x) for x in a.per_row.split(",")]
print("| data | weights per row | values | bytes per weight | file | Recall@20 | NDCG@20 | NDCG@20 vs f32 |")
print("|---|---|---|---|---|---|---|---|")
for split in a.splits:
    name = os.path.basename(os.path.normpath(split))
    work = os.path.join(a.work, name)
    os.makedirs(work, exist_ok=True)
    train, test = os.path.join(split, "train.txt"), os.path.join(split, "test.txt")
    top = os.path.join(work, f"f32-{max(budgets)}.ease")
    if not os.path.exists(top):
        run(ease + ["train", "-i", train, "--format", "adjacency", "-o", top, "--lambda", a.lam,
                    "--prune-topk", str(max(budgets)), "--quiet"])
    for k in sorted(budgets, reverse=True):
        base = os.path.join(work, f"f32-{k}.ease")
        if not os.path.exists(base):
            run(ease + ["prune", "-m", top, "--prune-topk", str(k), "-o", base])
        reference = None
        for values in ("f32", "f16", "bf16", "i8"):
            model = base if values == "f32" else os.path.join(work, f"{values}-{k}.ease")
            if values != "f32":
                run(ease + ["convert", "-m", base, "--values", values, "-o", model])
            info = json.loads(run(ease + ["info", model, "--json"]))
            e = json.loads(run(ease + ["evaluate", "-m", model, "--history", train, "--heldout", test,
                                       "--format", "adjacency", "-k", "20", "--json"]))
            if reference is None:
                reference = e["NDCG@20"]
            change = (e["NDCG@20"] / reference - 1) * 100
            print(f"| {name} | {k} | {values} | {info['bytes_per_weight']} | {info['file_bytes'] / 2**20:,.1f} MiB | "
                  f"{e['Recall@20']:.5f} | {e['NDCG@20']:.5f} | {change:+.3f}% |", flush=True)
