#!/usr/bin/python3
"""Cross-implementation check data: EASE on numpy (the peer's functions), written as an Ease model
file by an independent Python writer of Format/FORMAT.md, plus every train user's top-k as CSV.

  numpy_topk.py SPLIT_DIR [--lambda L] [--prune-topk K] [-k 20] [--out DIR]
                [--peer ../shared/peers/ease_numpy.py]

SPLIT_DIR holds train.txt (adjacency lines "user item item ...", 0-based ids). Writes
DIR/model.ease (format v1; item ids = the item numbers as decimal strings, popularity = users
per item in train) and DIR/topk.csv (header user,rank,item,score; rank 1 = best; seen items
excluded; scores are sums of the pruned float32 rows, as the C# scorer computes them).
Needs python3-numpy and python3-scipy; set OPENBLAS_CORETYPE=SkylakeX on Sapphire Rapids.
"""
import argparse
import importlib.util
import json
import os
import struct
import sys
import time

import numpy as np
import scipy.sparse as sp

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---- CRC-32C (Castagnoli), table driven: reflected polynomial 0x82F63B78 ----
def _crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc_table()
# Slicing-by-8 tables: T[k][b] = CRC of byte b followed by k zero bytes; 8 bytes per step.
_T8 = [_TABLE]
for _k in range(1, 8):
    _T8.append([(_T8[_k - 1][b] >> 8) ^ _TABLE[_T8[_k - 1][b] & 0xFF] for b in range(256)])


def crc32c(data, state=0xFFFFFFFF, finish=True):
    mv = memoryview(data).cast("B")
    n = len(mv)
    t0, t1, t2, t3, t4, t5, t6, t7 = _T8
    i = 0
    end8 = n - (n % 8)
    words = np.frombuffer(mv[:end8], dtype="<u4").tolist() if end8 else []
    for j in range(0, len(words), 2):
        lo = words[j] ^ state
        hi = words[j + 1]
        state = (t7[lo & 0xFF] ^ t6[(lo >> 8) & 0xFF] ^ t5[(lo >> 16) & 0xFF] ^ t4[lo >> 24]
                 ^ t3[hi & 0xFF] ^ t2[(hi >> 8) & 0xFF] ^ t1[(hi >> 16) & 0xFF] ^ t0[hi >> 24])
    for i in range(end8, n):
        state = (state >> 8) ^ _TABLE[(state ^ mv[i]) & 0xFF]
    return state ^ 0xFFFFFFFF if finish else state


assert crc32c(b"123456789") == 0xE3069283, "CRC-32C self-check failed"


# ---- model file, format v1 (see Format/FORMAT.md) ----
KIND_ROW_OFFSETS, KIND_COLUMNS, KIND_VALUES, KIND_ID_OFFSETS, KIND_ID_BYTES, KIND_ID_INDEX, KIND_POPULARITY, KIND_METADATA = range(1, 9)


def id_index(id_list):
    """Open addressing: capacity = smallest power of two >= 2n (at least 2), slot = crc & mask, linear probing, value row + 1."""
    n = len(id_list)
    cap = 2
    while cap < 2 * n:
        cap *= 2
    slots = np.zeros(cap, dtype="<u4")
    mask = cap - 1
    for row, ident in enumerate(id_list):
        s = crc32c(ident) & mask
        while slots[s]:
            s = (s + 1) & mask
        slots[s] = row + 1
    return slots


def write_model(path, B, ids, popularity, metadata):
    """B: scipy CSR float32, columns sorted per row, no diagonal, no stored zeros."""
    n = B.shape[0]
    id_bytes = [str(i).encode("utf-8") for i in ids]
    id_offsets = np.zeros(n + 1, dtype="<u8")
    id_offsets[1:] = np.cumsum([len(b) for b in id_bytes])
    sections = [
        (KIND_ROW_OFFSETS, B.indptr.astype("<u8").tobytes()),
        (KIND_COLUMNS, B.indices.astype("<u4").tobytes()),
        (KIND_VALUES, B.data.astype("<f4").tobytes()),
        (KIND_ID_OFFSETS, id_offsets.tobytes()),
        (KIND_ID_BYTES, b"".join(id_bytes)),
        (KIND_ID_INDEX, id_index(id_bytes).tobytes()),
        (KIND_POPULARITY, np.asarray(popularity, dtype="<u4").tobytes()),
        (KIND_METADATA, json.dumps(metadata).encode("utf-8")),
    ]
    align = lambda x: (x + 63) & ~63
    header_size = 64 + 32 * len(sections)
    offset = align(header_size)
    table = []
    for kind, data in sections:
        table.append((kind, offset, len(data), crc32c(data)))
        offset = align(offset + len(data))
    file_length = offset
    header = bytearray(header_size)
    struct.pack_into("<8sHHIQQIIQIQI", header, 0, b"EASEMODL", 1, 0, header_size, n, B.nnz, 1, len(sections),
                     file_length, 0, 0, 0)
    for i, (kind, off, length, crc) in enumerate(table):
        struct.pack_into("<IIQQII", header, 64 + 32 * i, kind, 0, off, length, crc, 0)
    struct.pack_into("<I", header, 60, crc32c(bytes(header)))  # CRC field was zero while computing
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(header)
        for (kind, data), (_, off, length, _) in zip(sections, table):
            f.write(b"\0" * (off - f.tell()))
            f.write(data)
        f.write(b"\0" * (file_length - f.tell()))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_peer(path):
    spec = importlib.util.spec_from_file_location("ease_numpy_peer", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir")
    p.add_argument("--lambda", dest="lam", type=float, default=200.0)
    p.add_argument("--prune-topk", type=int, default=100)
    p.add_argument("-k", type=int, default=20)
    p.add_argument("--out", default=".")
    p.add_argument("--peer", default=os.path.join(REPO_ROOT, "..", "shared", "peers", "ease_numpy.py"))
    a = p.parse_args()
    peer = load_peer(a.peer)
    os.makedirs(a.out, exist_ok=True)

    t0 = time.perf_counter()
    tu, ti = peer.read_adj(os.path.join(a.dir, "train.txt"))
    nu, ni = int(tu.max()) + 1, int(ti.max()) + 1
    X = sp.csr_matrix((np.ones(len(tu), dtype=np.float32), (tu, ti)), shape=(nu, ni))
    X.data[:] = 1
    B = peer.ease_weights((X.T @ X).toarray(), a.lam, np.float32, "chol")
    B = peer.prune_topk(B, a.prune_topk).tocoo()
    # The format stores neither the diagonal nor zeros; dropping them changes no score.
    keep = (B.row != B.col) & (B.data != 0)
    B = sp.csr_matrix((B.data[keep], (B.row[keep], B.col[keep])), shape=B.shape, dtype=np.float32)
    B.sort_indices()
    popularity = np.asarray(X.sum(axis=0)).ravel().astype(np.int64)
    meta = {"trainer": "scripts/numpy_topk.py", "dataset": os.path.basename(os.path.normpath(a.dir)),
            "lambda": a.lam, "prune_topk": a.prune_topk, "dtype": "float32", "users": nu}
    write_model(os.path.join(a.out, "model.ease"), B, range(ni), popularity, meta)
    t1 = time.perf_counter()

    users = np.flatnonzero(np.diff(X.indptr) > 0)
    with open(os.path.join(a.out, "topk.csv"), "w") as f:
        f.write("user,rank,item,score\n")
        for s in range(0, len(users), 1024):
            u = users[s:s + 1024]
            S = np.asarray((X[u] @ B).todense(), dtype=np.float32)
            top = peer.ranked(S.copy(), X[u], a.k)
            for r, user in enumerate(u):
                for rank, item in enumerate(top[r]):
                    f.write(f"{user},{rank + 1},{item},{S[r, item]!r}\n")
    t2 = time.perf_counter()
    print(json.dumps({"items": ni, "users": int(len(users)), "nnz": int(B.nnz), "model_s": round(t1 - t0, 2),
                      "topk_s": round(t2 - t1, 2), "out": os.path.abspath(a.out)}))


if __name__ == "__main__":
    sys.exit(main())
