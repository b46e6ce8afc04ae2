#!/usr/bin/env python3
"""Seeded deltas of an adjacency file ("user item item ..." lines) as tab-separated "user<TAB>item" rows.

  update_split.py add ADJ OUT_DIR --share 0.01 [--seed 7]
      base.tsv: every user's items but the last ones; delta.tsv: the last items of randomly chosen
      users (one each, users drawn without replacement until `share` of the interactions), spread
      over many users; full.tsv = base.tsv then delta.tsv (the retrain reference, same item order).
  update_split.py users ADJ OUT_DIR --users 100 [--seed 7]
      base.tsv: all users, the chosen ones last (so that removing them keeps every other item's
      first-seen order); removed.txt: their ids; kept.tsv: base.tsv without them (the reference).
  update_split.py touch ADJ OUT_DIR --users K [--per-user M] [--seed 7]
      base.tsv without the last M items of K random users; delta.tsv those items (K users touched).
"""
import argparse, random

def read(path):
    rows = []
    for line in open(path):
        f = line.split()
        if f:
            rows.append((f[0], f[1:]))
    return rows

def write(path, rows):
    with open(path, "w") as out:
        for u, items in rows:
            for i in items:
                out.write(f"{u}\t{i}\n")

def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode"); p.add_argument("adj"); p.add_argument("out")
    p.add_argument("--share", type=float, default=0.01); p.add_argument("--users", type=int, default=100)
    p.add_argument("--per-user", type=int, default=1); p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    rows = read(a.adj)
    rng = random.Random(a.seed)
    import os; os.makedirs(a.out, exist_ok=True)
    if a.mode == "add":
        total = sum(len(i) for _, i in rows)
        want = int(round(total * a.share))
        order = [k for k in range(len(rows)) if len(rows[k][1]) >= 2]
        rng.shuffle(order)
        chosen = set(order[:want])
        base = [(u, i[:-1] if k in chosen else i) for k, (u, i) in enumerate(rows)]
        delta = [(u, i[-1:]) for k, (u, i) in enumerate(rows) if k in chosen]
        write(f"{a.out}/base.tsv", base); write(f"{a.out}/delta.tsv", delta)
        write(f"{a.out}/full.tsv", base + delta)
        print(f"delta {len(delta)} interactions over {len(delta)} users ({100.0 * len(delta) / total:.2f}% of {total})")
    elif a.mode == "touch":
        order = [k for k in range(len(rows)) if len(rows[k][1]) > a.per_user]
        rng.shuffle(order)
        chosen = set(order[:a.users])
        base = [(u, i[:-a.per_user] if k in chosen else i) for k, (u, i) in enumerate(rows)]
        delta = [(u, i[-a.per_user:]) for k, (u, i) in enumerate(rows) if k in chosen]
        write(f"{a.out}/base.tsv", base); write(f"{a.out}/delta.tsv", delta)
        write(f"{a.out}/full.tsv", base + delta)
        print(f"delta {sum(len(i) for _, i in delta)} interactions over {len(delta)} users")
    else:
        order = list(range(len(rows)))
        rng.shuffle(order)
        chosen = set(order[:a.users])
        kept = [r for k, r in enumerate(rows) if k not in chosen]
        gone = [r for k, r in enumerate(rows) if k in chosen]
        write(f"{a.out}/base.tsv", kept + gone); write(f"{a.out}/kept.tsv", kept)
        with open(f"{a.out}/removed.txt", "w") as out:
            for u, _ in gone:
                out.write(u + "\n")
        print(f"removing {len(gone)} users with {sum(len(i) for _, i in gone)} interactions")

main()
