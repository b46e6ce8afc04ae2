#!/usr/bin/env python3
"""Independent PyTorch reference for the next-item transformers of `ease study --task next-item`.

Trains `sasrec` (learned positions, causal self-attention, ReLU feed-forward, layer norm, dropout;
Kang and McAuley's block order) or `llm-decoder` (pre-RMSNorm, SwiGLU, rotary positions, tied
item embeddings) with a full softmax cross-entropy over all items at every position (SASRec+,
Klenitskiy and Vasilev 2023), AdamW and gradient clipping, and evaluates leave-one-out next-item
HR@k / NDCG@k with all items ranked and the history's own items excluded, as the study does.

Early stopping uses a validation split made from the training sequences: --valid-users users keep
their last training item aside, are trained without it, and are scored on it every --eval-every
epochs; the best epoch's weights are evaluated on --history / --heldout.

Scripts only: never run in CI, never a dependency of the product. CPU:
    /usr/bin/python3 scripts/seq_torch.py --arch sasrec --train train.txt \
        --history val_input.txt --heldout val_target.txt --threads 2
"""
import argparse
import math
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_adjacency(path):
    """user item item ... per line, items in time order."""
    seqs = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if p:
                seqs.setdefault(p[0], []).extend(p[1:])
    return seqs


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotary(x, cos, sin):
    """x: (B, H, T, dh); rotates pairs (2i, 2i+1) by position-dependent angles."""
    x1, x2 = x[..., 0::2], x[..., 1::2]
    out = torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)
    return out.flatten(-2)


class Attention(nn.Module):
    def __init__(self, d, heads, dropout, rope):
        super().__init__()
        self.h, self.dh, self.rope = heads, d // heads, rope
        self.q, self.k, self.v, self.o = (nn.Linear(d, d, bias=not rope) for _ in range(4))
        self.drop = nn.Dropout(dropout)

    def forward(self, q_in, kv_in, mask, cos=None, sin=None):
        b, t, d = q_in.shape
        q = self.q(q_in).view(b, t, self.h, self.dh).transpose(1, 2)
        k = self.k(kv_in).view(b, t, self.h, self.dh).transpose(1, 2)
        v = self.v(kv_in).view(b, t, self.h, self.dh).transpose(1, 2)
        if self.rope:
            q, k = rotary(q, cos, sin), rotary(k, cos, sin)
        a = (q @ k.transpose(-1, -2)) / math.sqrt(self.dh)
        a = a.masked_fill(mask, float("-inf")).softmax(-1)
        a = torch.nan_to_num(a)  # rows of padding see nothing
        y = (self.drop(a) @ v).transpose(1, 2).reshape(b, t, d)
        return self.o(y)


class SasRecBlock(nn.Module):
    def __init__(self, d, heads, dropout):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d, eps=1e-8), nn.LayerNorm(d, eps=1e-8)
        self.attn = Attention(d, heads, dropout, rope=False)
        self.ff1, self.ff2 = nn.Linear(d, d), nn.Linear(d, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask, keep):
        q = self.ln1(x)
        x = q + self.drop(self.attn(q, x, mask))
        y = self.ln2(x)
        x = y + self.drop(self.ff2(self.drop(F.relu(self.ff1(y)))))
        return x * keep


class DecoderBlock(nn.Module):
    def __init__(self, d, heads, dropout, hidden):
        super().__init__()
        self.n1, self.n2 = RMSNorm(d), RMSNorm(d)
        self.attn = Attention(d, heads, dropout, rope=True)
        self.gate, self.up = nn.Linear(d, hidden, bias=False), nn.Linear(d, hidden, bias=False)
        self.down = nn.Linear(hidden, d, bias=False)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask, keep, cos, sin):
        h = self.n1(x)
        x = x + self.drop(self.attn(h, h, mask, cos, sin))
        h = self.n2(x)
        x = x + self.drop(self.down(F.silu(self.gate(h)) * self.up(h)))
        return x * keep


class Model(nn.Module):
    def __init__(self, arch, items, a):
        super().__init__()
        d = a.dim
        self.arch, self.maxlen = arch, a.maxlen
        self.emb = nn.Embedding(items + 1, d, padding_idx=0)
        self.drop = nn.Dropout(a.dropout)
        if arch == "sasrec":
            self.pos = nn.Embedding(a.maxlen, d)
            self.blocks = nn.ModuleList(SasRecBlock(d, a.heads, a.dropout) for _ in range(a.blocks))
            self.final = nn.LayerNorm(d, eps=1e-8)
        else:
            hidden = a.hidden or int(round(8 * d / 3))
            self.blocks = nn.ModuleList(DecoderBlock(d, a.heads, a.dropout, hidden) for _ in range(a.blocks))
            self.final = RMSNorm(d)
            dh = d // a.heads
            inv = 1.0 / (10000 ** (torch.arange(0, dh, 2).float() / dh))
            ang = torch.arange(a.maxlen).float()[:, None] * inv[None, :]
            self.register_buffer("cos", ang.cos(), persistent=False)
            self.register_buffer("sin", ang.sin(), persistent=False)
        self.out = None if (arch == "llm-decoder" and not a.untied) or arch == "sasrec" else nn.Linear(d, items + 1, bias=False)
        nn.init.normal_(self.emb.weight, std=0.02 if arch == "llm-decoder" else d ** -0.5)

    def hidden(self, seq):
        """seq: (B, T) left-padded item ids; returns (B, T, d)."""
        b, t = seq.shape
        keep = (seq > 0).unsqueeze(-1).float()
        x = self.emb(seq)
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool, device=seq.device), 1)
        mask = causal[None, None] | (seq == 0)[:, None, None, :]
        if self.arch == "sasrec":
            x = x * math.sqrt(x.shape[-1]) + self.pos(torch.arange(t, device=seq.device))[None]
            x = self.drop(x) * keep
            for blk in self.blocks:
                x = blk(x, mask, keep)
        else:
            # rotary scores depend on relative positions only, so left padding changes nothing
            x = self.drop(x) * keep
            cos, sin = self.cos[:t][None, None], self.sin[:t][None, None]
            for blk in self.blocks:
                x = blk(x, mask, keep, cos, sin)
        return self.final(x)

    def logits(self, h):
        w = self.emb.weight if self.out is None else self.out.weight
        return h @ w.t()


def batches(rows, maxlen, batch, shuffle, rng):
    order = list(range(len(rows)))
    if shuffle:
        rng.shuffle(order)
    for s in range(0, len(order), batch):
        chunk = [rows[i] for i in order[s:s + batch]]
        seq = np.zeros((len(chunk), maxlen), dtype=np.int64)
        tgt = np.zeros((len(chunk), maxlen), dtype=np.int64)
        for r, items in enumerate(chunk):
            items = items[-(maxlen + 1):]
            inp, out = items[:-1], items[1:]
            seq[r, maxlen - len(inp):] = inp
            tgt[r, maxlen - len(out):] = out
        yield torch.from_numpy(seq), torch.from_numpy(tgt)


@torch.no_grad()
def evaluate(model, histories, targets, items, maxlen, k):
    model.eval()
    hits, ndcg = [], []
    for s in range(0, len(histories), 256):
        hs, ts = histories[s:s + 256], targets[s:s + 256]
        seq = np.zeros((len(hs), maxlen), dtype=np.int64)
        for r, h in enumerate(hs):
            h = h[-maxlen:]
            seq[r, maxlen - len(h):] = h
        logits = model.logits(model.hidden(torch.from_numpy(seq))[:, -1])
        logits[:, 0] = float("-inf")
        for r, h in enumerate(hs):
            logits[r, h] = float("-inf")
        tgt = torch.tensor(ts)
        score = logits[torch.arange(len(ts)), tgt]
        rank = (logits > score[:, None]).sum(1)
        for rk in rank.tolist():
            hits.append(1.0 if rk < k else 0.0)
            ndcg.append(1.0 / math.log2(rk + 2) if rk < k else 0.0)
    model.train()
    return float(np.mean(hits)), float(np.mean(ndcg))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=["sasrec", "llm-decoder"], default="sasrec")
    p.add_argument("--train", required=True)
    p.add_argument("--history", required=True)
    p.add_argument("--heldout", required=True)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--blocks", type=int, default=2)
    p.add_argument("--heads", type=int, default=1)
    p.add_argument("--hidden", type=int, default=0, help="llm-decoder SwiGLU width (default 8d/3)")
    p.add_argument("--untied", action="store_true")
    p.add_argument("--maxlen", type=int, default=200)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--eval-every", type=int, default=5)
    p.add_argument("--patience", type=int, default=4, help="evaluations without a better validation NDCG")
    p.add_argument("--valid-users", type=int, default=1024)
    p.add_argument("--max-minutes", type=float, default=30)
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)

    train = read_adjacency(a.train)
    ids = {}
    for s in train.values():
        for i in s:
            ids.setdefault(i, len(ids) + 1)
    n = len(ids)
    rows = {u: [ids[i] for i in s] for u, s in train.items()}
    users = sorted(u for u in rows if len(rows[u]) >= 3)
    valid = set(rng.sample(users, min(a.valid_users, len(users))))
    fit = [rows[u][:-1] if u in valid else rows[u] for u in rows if len(rows[u]) >= 2]
    v_hist = [rows[u][:-1] for u in sorted(valid)]
    v_tgt = [rows[u][-1] for u in sorted(valid)]
    hist = read_adjacency(a.history)
    held = read_adjacency(a.heldout)
    t_users = [u for u in held if u in hist and held[u][0] in ids]
    t_hist = [[ids[i] for i in hist[u] if i in ids] for u in t_users]
    t_tgt = [ids[held[u][0]] for u in t_users]

    model = Model(a.arch, n, a)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)
    tokens = sum(min(len(r) - 1, a.maxlen) for r in fit)
    print(f"{a.arch}: {n} items, {len(fit)} sequences, {tokens} target positions per epoch, "
          f"{sum(q.numel() for q in model.parameters())} parameters, {a.threads} threads", file=sys.stderr)
    best, best_state, bad, start = -1.0, None, 0, time.time()
    for epoch in range(1, a.epochs + 1):
        t0, total = time.time(), 0.0
        for seq, tgt in batches(fit, a.maxlen, a.batch, True, rng):
            h = model.hidden(seq)
            sel = tgt > 0
            loss = F.cross_entropy(model.logits(h[sel])[:, 1:], tgt[sel] - 1)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), a.clip)
            opt.step()
            total += loss.item() * int(sel.sum())
        sec = time.time() - t0
        line = f"epoch {epoch}: loss {total / tokens:.4f}, {sec:.1f} s, {tokens / sec:,.0f} tokens/s"
        stop = (time.time() - start) / 60 > a.max_minutes
        if epoch % a.eval_every == 0 or stop or epoch == a.epochs:
            hr, nd = evaluate(model, v_hist, v_tgt, n, a.maxlen, a.k)
            line += f", valid HR@{a.k} {hr:.4f} NDCG@{a.k} {nd:.4f}"
            if nd > best:
                best, bad = nd, 0
                best_state = {key: val.clone() for key, val in model.state_dict().items()}
            else:
                bad += 1
        print(line, file=sys.stderr, flush=True)
        if bad >= a.patience or stop:
            break
    model.load_state_dict(best_state)
    hr, nd = evaluate(model, t_hist, t_tgt, n, a.maxlen, a.k)
    print(f"{a.arch}: HR@{a.k} {hr:.4f} NDCG@{a.k} {nd:.4f} on {len(t_users)} users; "
          f"{epoch} epochs in {(time.time() - start) / 60:.1f} min")


if __name__ == "__main__":
    main()
