#!/usr/bin/python3
"""GF-CF parity: `ease train --family gf-cf` + `ease evaluate` against the independent scipy
reference (../shared/peers/gfcf_scipy.py, exact svds) on one LightGCN-style split, in one run.

  /usr/bin/python3 scripts/gfcf_side_by_side.py ../shared/data/yelp2018 [--alpha 0.3] [--rank 256]
      [--prune-density 0.1 | --prune-topk 1000] [--ease "dotnet Cli/bin/Release/net10.0/ease.dll"]

Both rank all items, exclude the user's train items and normalise Recall@20 by the held-out
count. Prints one JSON line per side and the differences; exits 1 when either metric differs by
0.001 or more. The peer scores the unpruned operator; ease scores its pruned model file.
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
p.add_argument("--alpha", default="0.3")
p.add_argument("--rank", default="256")
g = p.add_mutually_exclusive_group()
g.add_argument("--prune-density")
g.add_argument("--prune-topk")
p.add_argument("--ease", default="dotnet " + os.path.join(root, "Cli", "bin", "Release", "net10.0", "ease.dll"))
p.add_argument("--peer", default=os.path.join(root, "..", "shared", "peers", "gfcf_scipy.py"))
p.add_argument("--out", default="/tmp/ease-gfcf-side-by-side")
p.add_argument("--no-peer", action="store_true")
a = p.parse_args()
os.makedirs(a.out, exist_ok=True)
train, test = os.path.join(a.dir, "train.txt"), os.path.join(a.dir, "test.txt")
model = os.path.join(a.out, "gfcf.ease")
prune = ["--prune-density", a.prune_density] if a.prune_density else ["--prune-topk", a.prune_topk] if a.prune_topk else []


def run(cmd, env=None):
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return out, time.perf_counter() - t0


out, train_s = run(shlex.split(a.ease) + ["train", "-i", train, "--format", "adjacency", "-o", model, "--family", "gf-cf",
                                          "--alpha", a.alpha, "--rank", a.rank, "--json"] + prune)
t = json.loads(out)
out, _ = run(shlex.split(a.ease) + ["evaluate", "--model", model, "--history", train, "--heldout", test, "--format", "adjacency", "-k", "20", "--json"])
e = json.loads(out)
ease = {"side": "ease", "recall": round(e["Recall@20"], 5), "ndcg": round(e["NDCG@20"], 5), "users": e["users"],
        "train_s": round(train_s, 1), "nonzeros": t["nonzeros"], "peak_memory_gib": round(t["peak_memory_bytes"] / 2**30, 2)}
print(json.dumps(ease))
if a.no_peer:
    sys.exit(0)
env = dict(os.environ)
if "avx512f" in open("/proc/cpuinfo").read():
    env["OPENBLAS_CORETYPE"] = "SkylakeX"
out, peer_s = run(["/usr/bin/python3", a.peer, a.dir, "--alpha", a.alpha, "--k", a.rank], env)
peer = json.loads(out.strip().splitlines()[-1])
peer["side"], peer["wall_s"] = "scipy", round(peer_s, 1)
print(json.dumps(peer))
dr, dn = ease["recall"] - peer["recall"], ease["ndcg"] - peer["ndcg"]
print(json.dumps({"recall_diff": round(dr, 5), "ndcg_diff": round(dn, 5), "within_0.001": abs(dr) < 0.001 and abs(dn) < 0.001}))
sys.exit(0 if abs(dr) < 0.001 and abs(dn) < 0.001 else 1)
