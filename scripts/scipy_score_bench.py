#!/usr/bin/python3
"""Times the numpy peer's scoring loop (scipy CSR product X[batch] @ B, seen items masked,
argpartition top-k; ease_numpy.py score-bench) on a given Ease model file instead of a freshly
trained B, so the C# scorer and scipy can be compared on the same B and the same users without
the peer's 17 GB, minutes-long training.

  scipy_score_bench.py MODEL.ease TRAIN.txt [-k 20] [--batch 1024] [--peer ../shared/peers/ease_numpy.py]

TRAIN.txt: adjacency lines "user item item ..."; items are looked up by id (decimal strings).
"""
import argparse
import json
import os
import struct
import time

import numpy as np
import scipy.sparse as sp

from numpy_topk import load_peer, REPO_ROOT


def read_model(path):
    """A minimal reader of the Ease model file (format v1.0 and v1.1, FORMAT.md): B as a float32
    CSR matrix (compact values decoded as the spec says) and the item ids."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    magic, major, _minor, _hs, n, nnz, vtype, count = struct.unpack_from("<8sHHIQQII", raw, 0)
    flags, = struct.unpack_from("<I", raw, 48)
    assert magic == b"EASEMODL" and major == 1 and vtype in (1, 2, 3, 4), "not an Ease v1 model"
    sec = {}
    for i in range(count):
        kind, _flags, off, length, _crc, _res = struct.unpack_from("<IIQQII", raw, 64 + 32 * i)
        sec[kind] = (off, length)
    view = lambda kind, dt: np.frombuffer(raw, dtype=dt, count=sec[kind][1] // np.dtype(dt).itemsize, offset=sec[kind][0])
    indptr = view(1, "<u8").astype(np.int64)
    cols = view(2, "<u2" if flags & 1 else "<u4").astype(np.int32)
    if vtype == 1:
        vals = view(3, "<f4")
    elif vtype == 2:
        vals = view(3, "<f2").astype(np.float32)
    elif vtype == 3:
        vals = (view(3, "<u2").astype(np.uint32) << 16).view(np.float32)
    else:
        scales = view(9, "<f4")
        vals = view(3, "i1").astype(np.float32) * np.repeat(scales, np.diff(indptr))
    id_off = view(4, "<u8")
    id_bytes = bytes(raw[sec[5][0]:sec[5][0] + sec[5][1]])
    ids = {id_bytes[id_off[i]:id_off[i + 1]].decode(): i for i in range(n)}
    return sp.csr_matrix((vals, cols, indptr), shape=(n, n)), ids


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("train")
    p.add_argument("-k", type=int, default=20)
    p.add_argument("--batch", type=int, default=1024)
    p.add_argument("--peer", default=os.path.join(REPO_ROOT, "..", "shared", "peers", "ease_numpy.py"))
    a = p.parse_args()
    peer = load_peer(a.peer)
    B, ids = read_model(a.model)
    us, its = [], []
    with open(a.train) as f:
        for u, line in enumerate(f):
            for x in line.split()[1:]:
                if x in ids:
                    us.append(u)
                    its.append(ids[x])
    nu = max(us) + 1
    X = sp.csr_matrix((np.ones(len(us), dtype=np.float32), (us, its)), shape=(nu, B.shape[0]))
    X.data[:] = 1
    t0 = time.perf_counter()
    for s in range(0, nu, a.batch):  # the peer's score_bench loop, verbatim
        Xu = X[s:s + a.batch]
        S = Xu @ B
        peer.ranked(np.asarray(S.todense()) if sp.issparse(S) else np.array(S), Xu, a.k)
    dt = time.perf_counter() - t0
    print(json.dumps({"model": os.path.basename(a.model), "items": B.shape[0], "nnz": int(B.nnz), "users": nu,
                      "k": a.k, "batch": a.batch, "score_s": round(dt, 3), "users_per_s": round(nu / dt, 1)}))


if __name__ == "__main__":
    main()
