#!/usr/bin/env python3
"""Write a LightGCN-style split (adjacency lines `user item item ...`, 0-based ids) of a
user/item interaction file: binarise, keep the k-core (every user and every item with at least
--core interactions, iterated), then per user hold out a random --test share for test.txt and a
random --valid share of the rest for valid.txt (at least one item stays in train); items absent
from train are dropped from valid and test, as the LightGCN splits drop cold-start test items.

  python3 scripts/lightgcn_split.py ../shared/data/lastfm-hetrec-2k/user_artists.dat OUT_DIR
      [--core 10] [--test 0.2] [--valid 0.1] [--seed 1]

Input: a TSV/CSV with a header whose first two columns are user and item (HetRec Last.fm's
`userID artistID weight`), or `user item` pairs without a header.
"""
import argparse
import os
import random
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("out")
    ap.add_argument("--core", type=int, default=10)
    ap.add_argument("--test", type=float, default=0.2)
    ap.add_argument("--valid", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    pairs = set()
    with open(a.input) as f:
        for line in f:
            parts = line.replace(",", " ").split()
            if len(parts) < 2 or not parts[0].lstrip("-").isdigit():
                continue
            pairs.add((int(parts[0]), int(parts[1])))
    while True:
        users, items = defaultdict(int), defaultdict(int)
        for u, i in pairs:
            users[u] += 1
            items[i] += 1
        kept = {(u, i) for u, i in pairs if users[u] >= a.core and items[i] >= a.core}
        if len(kept) == len(pairs):
            break
        pairs = kept
    by_user = defaultdict(list)
    for u, i in sorted(pairs):
        by_user[u].append(i)
    rng = random.Random(a.seed)
    user_ids = {u: k for k, u in enumerate(sorted(by_user))}
    split = {}
    for u in sorted(by_user):
        items = by_user[u][:]
        rng.shuffle(items)
        n_test = int(round(a.test * len(items)))
        n_valid = int(round(a.valid * (len(items) - n_test)))
        n_test = min(n_test, len(items) - 1)
        n_valid = min(n_valid, len(items) - 1 - n_test)
        split[u] = (items[n_test + n_valid:], items[n_test:n_test + n_valid], items[:n_test])
    train_items = sorted({i for tr, _, _ in split.values() for i in tr})
    item_ids = {i: k for k, i in enumerate(train_items)}
    os.makedirs(a.out, exist_ok=True)
    counts = [0, 0, 0]
    for k, name in enumerate(["train.txt", "valid.txt", "test.txt"]):
        with open(os.path.join(a.out, name), "w") as f:
            for u in sorted(split):
                row = sorted(item_ids[i] for i in split[u][k] if i in item_ids)
                if row:
                    counts[k] += len(row)
                    f.write(" ".join(map(str, [user_ids[u]] + row)) + "\n")
    print(f"{len(user_ids)} users, {len(item_ids)} items; train {counts[0]}, valid {counts[1]}, test {counts[2]} "
          f"({a.core}-core, test {a.test}, valid {a.valid}, seed {a.seed})")


if __name__ == "__main__":
    main()
