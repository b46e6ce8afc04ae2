#!/usr/bin/python3
"""Writes the trainer's reference fixture: a small random adjacency split and the EASE weights
that the independent numpy peer (../shared/peers/ease_numpy.py) computes from it.

  /usr/bin/python3 scripts/make_reference_fixture.py [--peer ../shared/peers/ease_numpy.py]

fixtures/reference-train.txt    lines "user item item ..." (120 users, 50 items, clustered)
fixtures/reference-B-l10.csv    dense B (row i = history item i) at lambda 10, float64, %.17g
"""
import argparse
import importlib.util
import os

import numpy as np
import scipy.sparse as sp

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument("--peer", default=os.path.join(root, "..", "shared", "peers", "ease_numpy.py"))
a = p.parse_args()
spec = importlib.util.spec_from_file_location("ease_numpy", a.peer)
peer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peer)

rng = np.random.RandomState(20261122)
users, items = 120, 50
lines = []
rows, cols = [], []
for u in range(users):
    cluster = rng.randint(3)
    base = np.arange(items)[np.arange(items) % 3 == cluster]
    k = rng.randint(2, 12)
    chosen = set(rng.choice(base, size=min(k, len(base)), replace=False)) | set(rng.choice(items, size=rng.randint(0, 3)))
    chosen = sorted(int(x) for x in chosen)
    lines.append(" ".join(str(x) for x in [u] + chosen))
    rows += [u] * len(chosen)
    cols += chosen
# Every item must occur so that ids 0..49 are the model's rows in order of first appearance;
# the test maps ids, so order does not matter, but no item may be missing.
assert len(set(cols)) == items, "an item never occurs; change the seed"
X = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(users, items))
B = peer.ease_weights((X.T @ X).toarray(), 10.0, np.float64, "chol")
with open(os.path.join(root, "fixtures", "reference-train.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
with open(os.path.join(root, "fixtures", "reference-B-l10.csv"), "w") as f:
    for r in B:
        f.write(",".join("%.17g" % v for v in r) + "\n")
print("wrote", users, "users,", items, "items,", len(rows), "interactions")
