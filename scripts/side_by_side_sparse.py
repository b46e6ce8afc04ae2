#!/usr/bin/env python3
"""The dense and the sparse solver side by side in one run, on one adjacency split: time, peak
memory and accuracy of each at the same pruning, and the ratios the sparse solver is held to.

    /usr/bin/python3 scripts/side_by_side_sparse.py ../shared/data/yelp2018 [--lambda 200]
        [--prune "--prune-density 0.01"] [--sparse "--neighbors 384" ...] [--out /tmp/ease-sparse]

Each `--sparse` adds one sparse configuration (extra `ease train` arguments). Every model is
evaluated with `ease evaluate` on test.txt (Recall@20 / NDCG@20, recall over |T|).
"""
import argparse, json, os, shlex, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("dir")
p.add_argument("--lambda", dest="lam", default="200")
p.add_argument("--prune", default="--prune-density 0.01")
p.add_argument("--sparse", action="append", default=None)
p.add_argument("--skip-dense", action="store_true", help="reuse the dense figures of an earlier run (--dense-json)")
p.add_argument("--dense-json", help="the dense run's `train --json` and evaluation, saved by an earlier run")
p.add_argument("--ease", default="dotnet " + os.path.join(root, "Cli", "bin", "Release", "net10.0", "ease.dll"))
p.add_argument("--out", default="/tmp/ease-sparse")
a = p.parse_args()
os.makedirs(a.out, exist_ok=True)
ease = shlex.split(a.ease)
train = os.path.join(a.dir, "train.txt")
test = os.path.join(a.dir, "test.txt")


def run(name, extra):
    model = os.path.join(a.out, f"{name}.ease")
    cmd = ease + ["train", "--input", train, "--format", "adjacency", "--output", model, "--lambda", a.lam,
                  *shlex.split(a.prune), *extra, "--json", "-q"]
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    t = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    cmd = ease + ["evaluate", "--model", model, "--history", train, "--heldout", test, "--format", "adjacency", "-k", "20", "--json"]
    e = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    print(json.dumps({"train": t, "eval": e}), file=sys.stderr, flush=True)
    return {"name": name, "args": " ".join(extra), "train": t, "eval": e}


results = []
if a.skip_dense:
    results.append(json.load(open(a.dense_json)))
else:
    results.append(run("dense", ["--solver", "dense"]))
    json.dump(results[0], open(os.path.join(a.out, "dense.json"), "w"))
for i, extra in enumerate(a.sparse or ["--neighbors 384"]):
    results.append(run(f"sparse{i}", ["--solver", "sparse", *shlex.split(extra)]))

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
d = results[0]
print(f"\n{d['train']['items']:,} items, λ {a.lam}, {a.prune}; {cpu}, {os.cpu_count()} cores\n")
print("| solver | settings | density | NDCG@20 | of dense | Recall@20 | train time | of dense | peak memory | of dense |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in results:
    t, e = r["train"], r["eval"]
    print(f"| {t['solver']} | {r['args'] or '-'} | {t['density'] * 100:.3f}% | {e['NDCG@20']:.5f} | {e['NDCG@20'] / d['eval']['NDCG@20'] * 100:.1f}% | "
          f"{e['Recall@20']:.5f} | {t['total_seconds']:.1f} s | {t['total_seconds'] / d['train']['total_seconds']:.3f} | "
          f"{t['peak_memory_bytes'] / 2**30:.2f} GiB | {t['peak_memory_bytes'] / d['train']['peak_memory_bytes']:.3f} |")
