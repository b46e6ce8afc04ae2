#!/usr/bin/env python3
"""Rebuild a LightGCN split's train.txt from the adjacency matrix the split ships beside it.

The LightGCN repositories (kuandeng/LightGCN `Data/<set>`, gusye1234/LightGCN-PyTorch
`data/<set>`) hold train.txt, test.txt and `s_adj_mat.npz`, the (users + items)^2 bipartite
adjacency of the train interactions: R in the upper-right block, R^T in the lower-left. Where
train.txt is not at hand (a mirror without large files), this writes it from the npz as adjacency
lines `user item item ...`, 0-based ids, items ascending, and checks the result against test.txt:
the user count, R^T = the transpose of R, and no test pair inside train.

  /usr/bin/python3 scripts/lightgcn_npz_train.py DIR     # reads DIR/s_adj_mat.npz and DIR/test.txt

On gusye1234/LightGCN-PyTorch `data/gowalla` it prints 29,858 users, 40,981 items and 810,128
train / 217,242 test interactions, the figures of the LightGCN paper's Table 1.
"""
import os
import sys

import numpy as np
import scipy.sparse as sp


def fail(msg):
    print(f"lightgcn_npz_train: {msg}", file=sys.stderr)
    sys.exit(2)


def main():
    if len(sys.argv) != 2:
        print("usage: lightgcn_npz_train.py DIR   (DIR holds s_adj_mat.npz and test.txt)", file=sys.stderr)
        sys.exit(1)
    d = sys.argv[1]
    npz, test_path, out = (os.path.join(d, f) for f in ("s_adj_mat.npz", "test.txt", "train.txt"))
    for p in (npz, test_path):
        if not os.path.isfile(p):
            fail(f"{p}: no such file")
    if os.path.exists(out):
        fail(f"{out}: already exists; move it away first")

    test = {}
    for no, line in enumerate(open(test_path), 1):
        parts = line.split()
        if not parts:
            continue
        try:
            ids = [int(t) for t in parts]
        except ValueError:
            fail(f"{test_path}:{no}: expected integer ids, got {line.strip()[:60]!r}")
        test[ids[0]] = set(ids[1:])
    if not test:
        fail(f"{test_path}: no users; expected adjacency lines `user item item ...`")
    users = max(test) + 1

    try:
        a = sp.load_npz(npz).tocsr()
    except (OSError, ValueError, KeyError) as e:
        fail(f"{npz}: not a scipy sparse .npz ({e})")
    if a.shape[0] != a.shape[1] or a.shape[0] <= users:
        fail(f"{npz}: expected a square (users + items) matrix with more than {users} rows, got {a.shape}")
    r = a[:users, users:].tocsr()
    if (r != a[users:, :users].T).nnz:
        fail(f"{npz}: the lower-left block is not the transpose of the upper-right one; is {users} the user count?")
    if a[:users, :users].nnz or a[users:, users:].nnz:
        fail(f"{npz}: the user-user or item-item block is not empty; is {users} the user count?")

    overlap, test_pairs = 0, 0
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        for u in range(users):
            items = np.sort(r.indices[r.indptr[u]:r.indptr[u + 1]])
            f.write(" ".join(map(str, [u, *items.tolist()])) + "\n")
            t = test.get(u, set())
            test_pairs += len(t)
            overlap += len(t.intersection(items.tolist()))
    if overlap:
        os.remove(tmp)
        fail(f"{npz}: {overlap} test pairs are also train pairs; the npz does not belong to this test.txt")
    os.replace(tmp, out)
    print(f"{out}: {users:,} users, {r.shape[1]:,} items, {r.nnz:,} train / {test_pairs:,} test interactions")


if __name__ == "__main__":
    main()
