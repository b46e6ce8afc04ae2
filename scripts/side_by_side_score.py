#!/usr/bin/python3
"""Scores every train user of an adjacency split with `ease bench` and with the numpy peer's
scoring loop (scipy_score_bench.py: CSR product, seen items masked, argpartition top-k, batches of
1024) on the same model files, one after the other in one run, and prints a Markdown table.

For each model, ease runs one user at a time (`--batch-users 0`: each thread scores its own
users, the path before blocks existed) and in blocks (`--batch-users U`, default 32), on 2 threads;
and one thread one user at a time for the latency percentiles. Give a float32 model and its
compact conversions (`ease convert --values f16|bf16|i8`) to see what each encoding buys.

  /usr/bin/python3 scripts/side_by_side_score.py TRAIN.txt MODEL.ease [MODEL.ease ...] [-k 20] [--batch-users 32]
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
p.add_argument("--batch-users", default="32")
p.add_argument("--repeat", default="3")
p.add_argument("--no-peer", action="store_true", help="skip the scipy peer")
p.add_argument("--ease", default="dotnet " + os.path.join(root, "Cli", "bin", "Release", "net10.0", "ease.dll"))
a = p.parse_args()
env = dict(os.environ)
# OpenBLAS misdetects Sapphire Rapids as Prescott; on other CPUs its own detection is right.
cpuinfo = open("/proc/cpuinfo").read()
if "GenuineIntel" in cpuinfo and " avx512f" in cpuinfo:
    env["OPENBLAS_CORETYPE"] = "SkylakeX"
cpu = next((l.split(":", 1)[1].strip() for l in cpuinfo.splitlines() if l.startswith("model name")), "?")


def run(cmd):
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    print(out.strip(), file=sys.stderr, flush=True)
    return json.loads(out.strip().splitlines()[-1])


def bench(model, threads, block):
    return run(shlex.split(a.ease) + ["bench", "--model", model, "--input", a.train, "--format", "adjacency", "-k", a.k,
                                      "--threads", str(threads), "--repeat", a.repeat, "--batch-users", block, "--json"])


rows = []
for model in a.models:
    one = bench(model, 1, "0")
    per_user = bench(model, 2, "0")
    block = bench(model, 2, a.batch_users)
    peer = None if a.no_peer else run(["/usr/bin/python3", os.path.join(root, "scripts", "scipy_score_bench.py"), model, a.train, "-k", a.k])
    rows.append((model, one, per_user, block, peer))

base = rows[0][2]["users_per_s"]
print(f"\n{cpu}, 2 cores. k = {a.k}, every train user of {a.train}; blocks of {a.batch_users} users; "
      f"peer = scipy CSR product + argpartition, batches of 1024. Ratios are to the first model one user at a time.\n")
print("| model | values | bytes/weight | bytes/user | 2 threads, one user at a time, users/s | vs first model | roofline (one at a time) | "
      "2 threads, blocks, users/s | blocks / one at a time | 1 thread p50 / p99 µs | scipy users/s | ease / scipy |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for model, one, per_user, block, peer in rows:
    best = max(per_user["users_per_s"], block["users_per_s"])
    ratio = "" if peer is None else f"{best / peer['users_per_s']:.1f}x"
    print(f"| {os.path.basename(model)} | {block['values']} | {block['bytes_per_weight']} | {block['bytes_per_user'] / 1024:,.1f} KiB | "
          f"{per_user['users_per_s']:,.0f} | {per_user['users_per_s'] / base:.2f}x | "
          f"{per_user['roofline_fraction'] * 100:.1f}% of {per_user['stream_gbytes_per_s']:.1f} GB/s | "
          f"{block['users_per_s']:,.0f} | {block['users_per_s'] / per_user['users_per_s']:.2f}x | "
          f"{one['p50_us']:.1f} / {one['p99_us']:.1f} | "
          f"{'' if peer is None else format(peer['users_per_s'], ',.0f')} | {ratio} |")
