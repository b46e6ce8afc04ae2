#!/usr/bin/python3
"""The linear variants of `ease study`, computed independently with numpy/scipy in float64.

  study_numpy.py DIR [--lambda 200] [-k 20] [--variants ease,no-zero-diagonal,...]
                     [--support 256] [--full-svd]

DIR holds train.txt and test.txt, lines "user item item ..." (the LightGCN/BARS adjacency
splits). Items are the ones that occur in train.txt (test items outside it count as misses), every
user with test items is ranked from their train items (excluded from the ranking), and Recall@k
(hits / |test items|) and NDCG@k are printed per variant as one JSON object.

Variants (same names as `ease study`):
  ease                  B = I - P diag(1/diag P), P = (G + lambda I)^-1 (np.linalg.inv)
  no-zero-diagonal      B = I - lambda P
  no-negatives-clipped  max(B_ease, 0)
  no-negatives-fit      per column j: min 1/2 b'(G + lambda I)b - G_j'b, b >= 0, over the --support
                        items with the largest positive EASE weights into j (0 = all items); solved
                        with scipy.optimize.nnls (Lawson-Hanson) on the Cholesky factor
  low-rank-R-svd        the best rank-R approximation of B_ease (scipy.sparse.linalg.svds, ARPACK;
                        numpy's full SVD with --full-svd)
  low-rank-R-lae        V_R diag(s/(s + lambda)) V_R' from the top R eigenpairs (s, V) of G (eigsh)
  pruned-K              B_ease with the K largest |weights| of each row kept
"""
import argparse
import json
import os
import time

import numpy as np
import scipy.linalg as sl
import scipy.optimize as so
import scipy.sparse as sp
import scipy.sparse.linalg as sla


def read_adj(path):
    users, items = [], []
    with open(path) as f:
        for line in f:
            p = line.split()
            for x in p[1:]:
                users.append(p[0])
                items.append(x)
    return users, items


def load(d):
    tu, ti = read_adj(os.path.join(d, "train.txt"))
    hu, hi = read_adj(os.path.join(d, "test.txt"))
    item_index, user_index = {}, {}
    for x in ti:
        item_index.setdefault(x, len(item_index))
    for x in tu + hu:
        user_index.setdefault(x, len(user_index))
    n, m = len(item_index), len(user_index)
    X = sp.csr_matrix((np.ones(len(ti)), ([user_index[u] for u in tu], [item_index[i] for i in ti])), shape=(m, n))
    X.data[:] = 1
    # Held-out items unknown to training get columns of their own: they count in |T| but never hit.
    extra = {}
    cols = []
    for i in hi:
        if i in item_index:
            cols.append(item_index[i])
        else:
            cols.append(n + extra.setdefault(i, len(extra)))
    H = sp.csr_matrix((np.ones(len(hi)), ([user_index[u] for u in hu], cols)), shape=(m, n + len(extra)))
    H.data[:] = 1
    return X, H, n


def evaluate(X, H, n, score, k):
    """score(rows of X as dense) -> dense scores; seen items excluded; binary Recall/NDCG@k."""
    users = np.flatnonzero(np.asarray(H.sum(1)).ravel() > 0)
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    recall, ndcg = [], []
    for s in range(0, len(users), 1024):
        u = users[s:s + 1024]
        Xu = X[u].toarray()
        S = np.array(score(Xu), dtype=np.float64)
        S[Xu > 0] = -np.inf
        idx = np.argpartition(-S, k, axis=1)[:, :k]
        part = np.take_along_axis(S, idx, axis=1)
        # Best first; equal scores by lower item index, as the engine's top-k does.
        order = np.lexsort((idx, -part), axis=1)
        top = np.take_along_axis(idx, order, axis=1)
        Hu = H[u]
        hits = np.asarray(Hu[np.arange(len(u))[:, None], top].todense()) > 0
        nh = np.asarray(Hu.sum(1)).ravel()
        idcg = np.array([disc[:int(min(c, k))].sum() for c in nh])
        recall.append(hits.sum(1) / nh)
        ndcg.append((hits * disc).sum(1) / idcg)
    recall, ndcg = np.concatenate(recall), np.concatenate(ndcg)
    return {f"Recall@{k}": round(float(recall.mean()), 6), f"NDCG@{k}": round(float(ndcg.mean()), 6), "users": int(len(users))}


def nonneg_fit(G, lam, B_ease, support):
    n = G.shape[0]
    W = np.zeros((n, n))
    for j in range(n):
        cand = np.flatnonzero(B_ease[:, j] > 0)
        cand = cand[cand != j]
        if support and len(cand) > support:
            cand = cand[np.argsort(-B_ease[cand, j], kind="stable")[:support]]
        if len(cand) == 0:
            continue
        K = G[np.ix_(cand, cand)] + lam * np.eye(len(cand))
        L = np.linalg.cholesky(K)
        # 1/2 b'Kb - g'b = 1/2 |L'b - L^-1 g|^2 + const
        rhs = sl.solve_triangular(L, G[cand, j], lower=True)
        b, _ = so.nnls(L.T, rhs, maxiter=50 * len(cand))
        W[cand, j] = b
    return W


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir")
    p.add_argument("--lambda", dest="lam", type=float, default=200)
    p.add_argument("-k", type=int, default=20)
    p.add_argument("--variants", default="ease,no-zero-diagonal,no-negatives-clipped,no-negatives-fit,low-rank-64-svd,low-rank-64-lae,pruned-128")
    p.add_argument("--support", type=int, default=256)
    p.add_argument("--full-svd", action="store_true")
    a = p.parse_args()

    X, H, n = load(a.dir)
    G = (X.T @ X).toarray()
    P = np.linalg.inv(G + a.lam * np.eye(n))
    B = -P / np.diag(P)
    np.fill_diagonal(B, 0)
    out = {"dataset": os.path.basename(os.path.normpath(a.dir)), "items": n, "lambda": a.lam, "variants": {}}
    svd_cache, eig_cache = {}, {}
    for v in a.variants.split(","):
        t0 = time.perf_counter()
        if v == "ease":
            M = B
        elif v == "no-zero-diagonal":
            M = np.eye(n) - a.lam * P
        elif v == "no-negatives-clipped":
            M = np.maximum(B, 0)
        elif v == "no-negatives-fit":
            M = nonneg_fit(G, a.lam, B, a.support)
        elif v.startswith("low-rank-") and v.endswith("-svd"):
            r = int(v[len("low-rank-"):-4])
            if a.full_svd:
                if "full" not in svd_cache:
                    svd_cache["full"] = np.linalg.svd(B)
                U, s, Vt = svd_cache["full"]
                U, s, Vt = U[:, :r], s[:r], Vt[:r]
            else:
                U, s, Vt = sla.svds(B, k=r, tol=0, random_state=0)
            M = (U * s) @ Vt
        elif v.startswith("low-rank-") and v.endswith("-lae"):
            r = int(v[len("low-rank-"):-4])
            s, V = sla.eigsh(G, k=r, which="LA", tol=0, v0=np.ones(n)) if r < n - 1 else np.linalg.eigh(G)
            M = (V * (s / (s + a.lam))) @ V.T
        elif v.startswith("pruned-"):
            kk = int(v[len("pruned-"):])
            M = np.zeros_like(B)
            cols = np.argpartition(-np.abs(B), kk - 1, axis=1)[:, :kk]
            rows = np.arange(n)[:, None]
            M[rows, cols] = B[rows, cols]
        else:
            raise SystemExit(f"unknown variant {v}")
        built = time.perf_counter() - t0
        M32 = M.astype(np.float32)
        res = evaluate(X, H, n, lambda Xu: Xu.astype(np.float32) @ M32, a.k)
        res["build_s"] = round(built, 2)
        out["variants"][v] = res
    print(json.dumps(out))


if __name__ == "__main__":
    main()
