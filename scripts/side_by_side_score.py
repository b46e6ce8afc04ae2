#!/usr/bin/python3
"""Scores every train user of an adjacency split with `ease bench` (1 and 2 threads) and with the
numpy peer's scoring loop (scipy_score_bench.py: CSR product, seen items masked, argpartition
top-k, batches of 1024) on the same model files, one after the other, and prints a Markdown table.

  /usr/bin/python3 scripts/side_by_side_score.py TRAIN.txt MODEL.ease [MODEL.ease ...] [-k 20]
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("train")
p.add_argument("models", nargs="+")
p.add_argument("-k", default="20")
p.add_argument("--ease", default="dotnet " + os.path.join(root, "Cli", "bin", "Release", "net10.0", "ease.dll"))
a = p.parse_args()
env = dict(os.environ, OPENBLAS_CORETYPE="SkylakeX")


def run(cmd):
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    print(out.strip(), file=sys.stderr, flush=True)
    return json.loads(out.strip().splitlines()[-1])


rows = []
for model in a.models:
    bench = {t: run(shlex.split(a.ease) + ["bench", "--model", model, "--input", a.train, "--format", "adjacency",
                                         "-k", a.k, "--threads", str(t), "--repeat", "3", "--json"]) for t in (1, 2)}
    peer = run(["/usr/bin/python3", os.path.join(root, "scripts", "scipy_score_bench.py"), model, a.train, "-k", a.k])
    rows.append((model, bench, peer))

print(f"\nk = {a.k}, every train user of {a.train}; peer = scipy CSR product + argpartition, batches of 1024\n")
print("| model | weights | ease 1 thread users/s | ease 2 threads users/s | p50 / p90 / p99 µs (2 threads) | bytes/call | scipy users/s | ease 2 threads / scipy |")
print("|---|---|---|---|---|---|---|---|")
for model, b, peer in rows:
    two = b[2]
    print(f"| {os.path.basename(model)} | {two['model_nonzeros']:,} | {b[1]['users_per_s']:,.0f} | {two['users_per_s']:,.0f} | "
          f"{two['p50_us']:.1f} / {two['p90_us']:.1f} / {two['p99_us']:.1f} | {two['alloc_bytes_per_call']:g} | "
          f"{peer['users_per_s']:,.0f} | {two['users_per_s'] / peer['users_per_s']:.1f}x |")
print(f"\n1-thread latency p50 / p99: " + ", ".join(f"{os.path.basename(m)} {b[1]['p50_us']:.1f} / {b[1]['p99_us']:.1f} µs" for m, b, _ in rows))
