#!/usr/bin/python3
"""Trains the same adjacency split with `ease train` and with the numpy peer, one after the other
in one run, and prints a Markdown table of wall times, throughput and peak memory.

  /usr/bin/python3 scripts/side_by_side_train.py ../shared/data/yelp2018 [--precisions f32,f64]
      [--lambda 200] [--prune-topk 1000] [--ease "dotnet Cli/bin/Release/net10.0/ease.dll"]

The peer (../shared/peers/ease_numpy.py adj --method chol) runs with OPENBLAS_CORETYPE=SkylakeX,
OpenBLAS's tuned kernels for this CPU, dense (its pruning is timed apart, and evaluating a
pruned scipy B takes hours). Its "Gram + weights" time is what `ease train`'s whole wall time
(load, Gram, factor, invert, prune and write) is compared with.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("dir")
p.add_argument("--precisions", default="f32,f64")
p.add_argument("--lambda", dest="lam", default="200")
p.add_argument("--prune-topk", default="1000")
p.add_argument("--ease", default="dotnet " + os.path.join(root, "Cli", "bin", "Release", "net10.0", "ease.dll"))
p.add_argument("--peer", default=os.path.join(root, "..", "shared", "peers", "ease_numpy.py"))
p.add_argument("--out", default="/tmp/ease-side-by-side")
a = p.parse_args()
os.makedirs(a.out, exist_ok=True)
env = dict(os.environ, OPENBLAS_CORETYPE="SkylakeX")
train = os.path.join(a.dir, "train.txt")
rows = []
for prec in a.precisions.split(","):
    model = os.path.join(a.out, f"model-{prec}.ease")
    cmd = shlex.split(a.ease) + ["train", "--input", train, "--format", "adjacency", "--output", model,
                                 "--lambda", a.lam, "--precision", prec, "--prune-topk", a.prune_topk, "--json"]
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    ours = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout)
    ours_wall = time.perf_counter() - t0
    print(json.dumps(ours), file=sys.stderr, flush=True)

    # The peer trains dense: its pruning is timed apart from "Gram + weights", and its evaluation
    # with a pruned (scipy sparse) B takes hours, so the comparison uses its dense run.
    cmd = ["/usr/bin/python3", a.peer, "adj", a.dir, "--lambda", a.lam, "--dtype", prec, "--method", "chol"]
    print("$ OPENBLAS_CORETYPE=SkylakeX", " ".join(cmd), file=sys.stderr, flush=True)
    peer_run = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if peer_run.returncode != 0:
        peer = {"error": (peer_run.stderr.strip().splitlines() or [f"exit {peer_run.returncode}"])[-1]}
    else:
        peer = json.loads(peer_run.stdout.strip().splitlines()[-1])
    print(json.dumps(peer), file=sys.stderr, flush=True)
    rows.append((prec, ours, ours_wall, peer))

n = rows[0][1]["items"]
print(f"\n{n:,} items, lambda {a.lam}, prune-topk {a.prune_topk}; peer with OPENBLAS_CORETYPE=SkylakeX\n")
print("| precision | ease: load / Gram / factor / invert / prune+write | ease total | factor+invert GFLOP/s | ease peak memory | peer Gram + weights | peer peak memory | ease / peer time |")
print("|---|---|---|---|---|---|---|---|")
for prec, ours, wall, peer in rows:
    ph = ours["phases"]
    fi = ph["factor"]["seconds"] + ph["invert"]["seconds"]
    gflops = n ** 3 / fi / 1e9
    parts = " / ".join(f'{ph[k]["seconds"]:.1f}' for k in ["load", "gram", "factor", "invert", "prune+write"])
    ease_gb = ours["peak_memory_bytes"] / 2 ** 30
    if "error" in peer:
        print(f"| {prec} | {parts} s | {ours['total_seconds']:.1f} s | {gflops:.0f} | {ease_gb:.2f} GiB | failed: {peer['error']} | | |")
        continue
    peer_s = peer["gram_s"] + peer["weights_s"]
    print(f"| {prec} | {parts} s | {ours['total_seconds']:.1f} s | {gflops:.0f} | {ease_gb:.2f} GiB | "
          f"{peer['gram_s']:.1f} + {peer['weights_s']:.1f} = {peer_s:.1f} s | {peer['peak_rss_gb']:.2f} GiB | {ours['total_seconds'] / peer_s:.2f}x |")
    print(f"|   | peer Recall@20 {peer['Recall@20']}, NDCG@20 {peer['NDCG@20']} | | | | | | |")
