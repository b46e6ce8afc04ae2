#!/usr/bin/env python3
"""Compares two float32 ease model files item by item (matched by external id).

  update_compare.py A.ease B.ease [--history FILE]

Prints: items in both, max |B_a - B_b| over every weight either model stores (a weight one model
pruned and the other kept counts as its full value), whether the stored weights are bit-equal, and
with --history (tab/space separated "user item" rows, or adjacency lines) the share of users whose
top-20 (history excluded) is the same in both models.
"""
import struct, sys
import numpy as np
import scipy.sparse as sp

def read_model(path):
    data = open(path, "rb").read()
    magic, major, minor, hsize, n, nnz, vtype, nsec, flen, flags = struct.unpack_from("<8sHHIQQIIQI", data, 0)
    assert magic == b"EASEMODL" and vtype == 1, f"{path}: need a float32 model"
    secs = {}
    for k in range(nsec):
        kind, _, off, length, _, _ = struct.unpack_from("<IIQQII", data, 64 + 32 * k)
        secs[kind] = (off, length)
    def arr(kind, dtype):
        off, length = secs[kind]
        return np.frombuffer(data, dtype=dtype, count=length // np.dtype(dtype).itemsize, offset=off)
    rows = arr(1, np.uint64).astype(np.int64)
    cols = arr(2, np.uint16 if flags & 1 else np.uint32).astype(np.int64)
    vals = arr(3, np.float32)
    idoff = arr(4, np.uint64).astype(np.int64)
    idoff0 = secs[5][0]
    ids = [data[idoff0 + idoff[i]: idoff0 + idoff[i + 1]].decode() for i in range(n)]
    return sp.csr_matrix((vals, cols, rows), shape=(n, n)), ids

def main():
    a, ida = read_model(sys.argv[1])
    b, idb = read_model(sys.argv[2])
    pos = {x: i for i, x in enumerate(idb)}
    common = [x for x in ida if x in pos]
    # b re-indexed into a's order; items only in one model are rows/columns of zeros.
    perm = np.full(len(ida), -1)
    for i, x in enumerate(ida):
        perm[i] = pos.get(x, -1)
    keep = perm >= 0
    sel = sp.csr_matrix((np.ones(keep.sum()), (np.nonzero(keep)[0], perm[keep])), shape=(len(ida), len(idb)))
    b2 = (sel @ b @ sel.T).tocsr()
    b2.sort_indices(); a.sort_indices()
    d = (a - b2).tocsr()
    maxdiff = float(np.abs(d.data).max()) if d.nnz else 0.0
    # Weights both models kept, and weights only one kept (a pruned model's cut moves with rounding:
    # such a weight must lie within rounding of the other model's cut, i.e. of its row's weakest kept).
    pa = a.copy(); pa.data = np.ones_like(pa.data); pb = b2.copy(); pb.data = np.ones_like(pb.data)
    both = pa.multiply(pb).tocsr()
    commondiff = float(np.abs(d.multiply(both).data).max()) if both.nnz else 0.0
    def weakest(m):
        w = np.full(m.shape[0], 0.0)
        for r in range(m.shape[0]):
            v = m.data[m.indptr[r]:m.indptr[r + 1]]
            w[r] = np.abs(v).min() if len(v) else 0.0
        return w
    margin, only = 0.0, 0
    for x, y in ((a, b2), (b2, a)):
        wy = weakest(y.tocsr())
        px = x.copy(); px.data = np.ones_like(px.data)
        py = y.copy(); py.data = np.ones_like(py.data)
        lone = (x.multiply(px - px.multiply(py))).tocoo()
        keep = lone.data != 0
        only += int(keep.sum())
        if keep.any():
            margin = max(margin, float((np.abs(lone.data[keep]) - wy[lone.row[keep]]).max()))
    print(f"max |dB| on weights both kept {commondiff:.3e}; weights kept by one model only {only}, "
          f"largest margin over the other model's row cut {margin:.3e}")
    same_pattern = a.nnz == b2.nnz and np.array_equal(a.indptr, b2.indptr) and np.array_equal(a.indices, b2.indices)
    bitequal = same_pattern and np.array_equal(a.data.view(np.uint32), b2.data.astype(np.float32).view(np.uint32))
    print(f"items {len(ida)} / {len(idb)}, common {len(common)}; nnz {a.nnz} / {b.nnz}; max |dB| {maxdiff:.3e}; "
          f"same sparsity {same_pattern}; bit-equal {bitequal}")
    if len(sys.argv) > 3 and sys.argv[3] == "--history":
        users, rows, colsx = {}, [], []
        aidx = {x: i for i, x in enumerate(ida)}
        for line in open(sys.argv[4]):
            f = line.split()
            if len(f) < 2:
                continue
            u = users.setdefault(f[0], len(users))
            for it in f[1:]:
                if it in aidx:
                    rows.append(u); colsx.append(aidx[it])
        x = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, colsx)), shape=(len(users), len(ida)))
        x.data[:] = 1
        same, total = 0, 0
        for s in range(0, x.shape[0], 2048):
            xs = x[s:s + 2048]
            sa = (xs @ a).toarray(); sb = (xs @ b2).toarray()
            mask = xs.toarray() > 0
            sa[mask] = -np.inf; sb[mask] = -np.inf
            ta = np.argsort(-sa, axis=1, kind="stable")[:, :20]; tb = np.argsort(-sb, axis=1, kind="stable")[:, :20]
            for r in range(xs.shape[0]):
                total += 1
                same += set(ta[r]) == set(tb[r])
        print(f"top-20 same set for {same}/{total} users = {100.0 * same / total:.3f}%")

main()
