#!/usr/bin/python3
"""What a latency budget (`--max-weights`) costs and buys: for each budget, `ease evaluate`
(NDCG@20, Recall@20 on the split's test file) and one-thread `ease bench` (users/s, p50/p99 per
user) over every train user, with the light model (`--light-model`, the strongest part of each
row) and, for comparison, without it (the budget then keeps only the last history items that
fit). Prints a Markdown table; budget 0 is the model without a budget.

  /usr/bin/python3 scripts/budget_tradeoff.py SPLIT_DIR MODEL LIGHT_MODEL [--budgets 0,100000,60000,30000,20000]
      [--no-light-budgets 100000] [--ease "dotnet Cli/bin/Release/net10.0/ease.dll"]

SPLIT_DIR holds train.txt and test.txt (adjacency lines). LIGHT_MODEL is a further prune of
MODEL, e.g. `ease prune -m MODEL --prune-topk 100 --values i8 -o LIGHT_MODEL`.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("split")
p.add_argument("model")
p.add_argument("light")
p.add_argument("--budgets", default="0,100000,60000,30000,20000")
p.add_argument("--no-light-budgets", default="100000")
p.add_argument("--ease", default="dotnet " + os.path.join(root, "Cli", "bin", "Release", "net10.0", "ease.dll"))
a = p.parse_args()
ease = shlex.split(a.ease)
train, test = os.path.join(a.split, "train.txt"), os.path.join(a.split, "test.txt")


def run(args):
    print("$", " ".join(args), file=sys.stderr, flush=True)
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    print(out.strip(), file=sys.stderr, flush=True)
    return json.loads(out.strip().splitlines()[-1])


cases = [(int(b), True) for b in a.budgets.split(",") if b]
cases += [(int(b), False) for b in a.no_light_budgets.split(",") if b]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"{cpu}, {os.cpu_count()} cores. Model {os.path.basename(a.model)}, light model {os.path.basename(a.light)}, "
      f"every train user of {train}, k = 20; bench on 1 thread, median of 3 passes.\n")
print("| budget (weights) | over it, scored from | users over | NDCG@20 | vs no budget | Recall@20 | users/s, 1 thread | p50 / p99 µs |")
print("|---|---|---|---|---|---|---|---|")
base = None
for budget, light in cases:
    extra = [] if budget == 0 else ["--max-weights", str(budget)] + (["--light-model", a.light] if light else [])
    e = run(ease + ["evaluate", "-m", a.model, "--history", train, "--heldout", test, "--format", "adjacency", "-k", "20", "--json"] + extra)
    b = run(ease + ["bench", "-m", a.model, "-i", train, "--format", "adjacency", "-k", "20", "--threads", "1", "--json"] + extra)
    ndcg = e["NDCG@20"]
    if base is None and budget == 0:
        base = ndcg
    change = "" if base is None else f"{(ndcg / base - 1) * 100:+.2f}%"
    source = "-" if budget == 0 else ("light model" if light else "last items that fit")
    print(f"| {budget if budget else 'none'} | {source} | {b.get('budgeted_users', 0):,} | {ndcg:.5f} | {change} | "
          f"{e['Recall@20']:.5f} | {b['users_per_s']:,.0f} | {b['p50_us']:.1f} / {b['p99_us']:.1f} |", flush=True)
