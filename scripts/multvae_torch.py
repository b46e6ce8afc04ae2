#!/usr/bin/env python3
"""Independent Mult-VAE reference in PyTorch for `ease study --variants mult-vae`.

Trains Mult-VAE (Liang et al., WWW 2018) as the authors' notebook describes it (dawenl/vae_cf,
VAE_ML20M_WWW2018.ipynb), on a LightGCN-style split (adjacency lines `user item item ...`), and
prints per epoch the loss, beta and Recall@20 / NDCG@20 on a validation file (and, if given, on
the test file), in the LightGCN/BARS protocol: every user with held-out items is scored from all
their train items, train items excluded; recall = hits / |held out|; binary NDCG with the ideal DCG
over min(|held out|, 20) positions.

Only torch, numpy and the standard library; torch is a dependency of this script alone.

  /usr/bin/python3 scripts/multvae_torch.py DIR [--valid valid.txt] [--test test.txt]
      [--epochs 50] [--dropout 0.5] [--anneal-cap 0.2] [--anneal-steps 200000] [--hidden 600]
      [--latent 200] [--lr 1e-3] [--batch 500] [--l2 0] [--seed 1] [--threads 2] [--eval-every 1]

--l2 is lambda of lambda * sum ||W||^2 (biases excluded), added to the per-user mean loss, as the
notebook's `2 * reg_var`.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_adjacency(path, item_index=None, add=True):
    users = {}
    for line in open(path):
        parts = line.split()
        if not parts:
            continue
        u = int(parts[0])
        items = users.setdefault(u, [])
        for t in parts[1:]:
            j = int(t)
            if item_index is not None:
                if j not in item_index:
                    if not add:
                        continue
                    item_index[j] = len(item_index)
                j = item_index[j]
            items.append(j)
    return {u: sorted(set(v)) for u, v in users.items()}


class MultVAE(torch.nn.Module):
    def __init__(self, n, hidden, latent):
        super().__init__()
        self.latent = latent
        q = [n] + ([hidden] if hidden > 0 else []) + [2 * latent]
        p = [latent] + ([hidden] if hidden > 0 else []) + [n]
        # The first layer reads a sparse input (x/||x||, dropped out): torch.sparse.mm against its weight.
        self.q = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(q[:-1], q[1:]))
        self.p = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(p[:-1], p[1:]))
        for layer in list(self.q) + list(self.p):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.trunc_normal_(layer.bias, std=0.001, a=-0.002, b=0.002)

    def forward(self, rows, n, dropout):
        """rows: the users' item lists; the input is x/||x|| with entries dropped as F.dropout would."""
        idx_r, idx_c, vals = [], [], []
        for r, items in enumerate(rows):
            if not items:
                continue
            idx_r.extend([r] * len(items))
            idx_c.extend(items)
            vals.extend([1.0 / math.sqrt(len(items))] * len(items))
        v = torch.tensor(vals, dtype=torch.float32)
        if self.training and dropout > 0:
            v = F.dropout(v, p=dropout, training=True)
        x = torch.sparse_coo_tensor(torch.tensor([idx_r, idx_c], dtype=torch.long), v, (len(rows), n))
        first = self.q[0]
        h = torch.sparse.mm(x, first.weight.t()) + first.bias
        for i, layer in enumerate(self.q):
            if i > 0:
                h = layer(h)
            if i != len(self.q) - 1:
                h = torch.tanh(h)
        mu, logvar = h[:, :self.latent], h[:, self.latent:]
        if self.training:
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        else:
            z = mu
        for i, layer in enumerate(self.p):
            z = layer(z)
            if i != len(self.p) - 1:
                z = torch.tanh(z)
        kl = torch.mean(torch.sum(0.5 * (-logvar + torch.exp(logvar) + mu ** 2 - 1), dim=1))
        return z, kl


def dense_rows(lists, n):
    x = torch.zeros(len(lists), n)
    for r, items in enumerate(lists):
        if items:
            x[r, items] = 1.0
    return x


def evaluate(model, train, heldout, n, k=20, batch=2000):
    model.eval()
    users = [u for u in sorted(heldout) if heldout[u]]
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    recalls, ndcgs = [], []
    with torch.no_grad():
        for s in range(0, len(users), batch):
            chunk = users[s:s + batch]
            hist = [train.get(u, []) for u in chunk]
            x = dense_rows(hist, n)
            logits, _ = model(hist, n, 0.0)
            logits[x > 0] = -math.inf
            top = torch.topk(logits, k, dim=1).indices.numpy()
            for r, u in enumerate(chunk):
                target = set(heldout[u])
                hits = np.array([1.0 if j in target else 0.0 for j in top[r]])
                recalls.append(hits.sum() / len(target))
                ndcgs.append((hits * discount).sum() / discount[:min(len(target), k)].sum())
    model.train()
    return float(np.mean(recalls)), float(np.mean(ndcgs)), len(users)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--train", default="train.txt")
    ap.add_argument("--valid", default=None, help="validation file in DIR (default: valid.txt if present, else test.txt)")
    ap.add_argument("--test", default=None, help="test file in DIR, evaluated beside the validation file")
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--anneal-cap", type=float, default=0.2)
    ap.add_argument("--anneal-steps", type=int, default=200000)
    ap.add_argument("--hidden", type=int, default=600)
    ap.add_argument("--latent", type=int, default=200)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--l2", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-every", type=int, default=1, help="epochs between evaluations (the last is always evaluated)")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    torch.set_num_threads(a.threads)

    item_index = {}
    train = read_adjacency(os.path.join(a.dir, a.train), item_index, add=True)
    n = len(item_index)
    valid_name = a.valid or ("valid.txt" if os.path.exists(os.path.join(a.dir, "valid.txt")) else "test.txt")
    valid = read_adjacency(os.path.join(a.dir, valid_name), item_index, add=False)
    test = read_adjacency(os.path.join(a.dir, a.test), item_index, add=False) if a.test else None
    train_users = [u for u in sorted(train) if train[u]]
    print(f"# torch {torch.__version__}, {a.threads} threads; {len(train_users)} users, {n} items; "
          f"valid {valid_name}; {vars(a)}", flush=True)

    model = MultVAE(n, a.hidden, a.latent)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    weights = [m.weight for m in list(model.q) + list(model.p)]
    step = 0
    print("epoch\tloss\tbeta\tseconds\tvalid_recall@20\tvalid_ndcg@20" + ("\ttest_recall@20\ttest_ndcg@20" if test else ""), flush=True)
    for epoch in range(1, a.epochs + 1):
        t0 = time.time()
        order = np.random.permutation(len(train_users))
        total, beta = 0.0, 0.0
        for s in range(0, len(order), a.batch):
            idx = order[s:s + a.batch]
            rows = [train[train_users[i]] for i in idx]
            x = dense_rows(rows, n)
            beta = min(a.anneal_cap, step / a.anneal_steps) if a.anneal_steps > 0 else a.anneal_cap
            logits, kl = model(rows, n, a.dropout)
            nll = -torch.mean(torch.sum(F.log_softmax(logits, dim=1) * x, dim=1))
            loss = nll + beta * kl
            if a.l2 > 0:
                loss = loss + a.l2 * sum(torch.sum(w * w) for w in weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            total += loss.item() * len(idx)
        seconds = time.time() - t0
        if epoch % a.eval_every != 0 and epoch != a.epochs:
            print(f"{epoch}\t{total / len(order):.4f}\t{beta:.4f}\t{seconds:.1f}", flush=True)
            continue
        vr, vn, _ = evaluate(model, train, valid, n)
        line = f"{epoch}\t{total / len(order):.4f}\t{beta:.4f}\t{seconds:.1f}\t{vr:.4f}\t{vn:.4f}"
        if test:
            tr, tn, _ = evaluate(model, train, test, n)
            line += f"\t{tr:.4f}\t{tn:.4f}"
        print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
