#!/usr/bin/env python3
"""Time and memory of `ease train --solver sparse` as the catalogue grows.

For each size N it generates N users x N items with `ease generate` (power-law popularity, about
24 training interactions per user), trains with the sparse solver, and records the phases, the
peak memory and the weights kept. Writes a Markdown table and an SVG chart (time and peak memory
against items, log-log).

    /usr/bin/python3 scripts/sparse_scaling.py --sizes 100000,300000,1000000 --work /tmp/scaling \
        --svg docs/sparse-scaling.svg -- --prune-topk 100 --neighbor-ranking cosine
Extra arguments after `--` go to `ease train`. Needs only the standard library.
"""
import argparse, json, math, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ease(*args):
    return ["dotnet", os.path.join(ROOT, "Cli/bin/Release/net10.0/ease.dll"), *args]


def run(sizes, work, train_args):
    rows = []
    for n in sizes:
        data = os.path.join(work, f"gen{n}")
        if not os.path.exists(os.path.join(data, "train.txt")):
            subprocess.run(ease("generate", "--users", str(n), "--items", str(n), "--out", data), check=True, stdout=subprocess.DEVNULL)
        model = os.path.join(work, f"sparse{n}.ease")
        out = subprocess.run(ease("train", "-i", os.path.join(data, "train.txt"), "--format", "adjacency", "-o", model,
                                  "--solver", "sparse", "--json", "-q", *train_args), check=True, capture_output=True, text=True).stdout
        r = json.loads(out)
        r["size"] = n
        rows.append(r)
        print(f"{n:>9} items: {r['total_seconds']:8.1f} s, peak {r['peak_memory_bytes'] / 2**30:6.2f} GiB, "
              f"{r['nonzeros'] / r['items']:.1f} weights/row", file=sys.stderr)
    return rows


def table(rows):
    lines = ["| items (with interactions) | users | train interactions | neighbours + solve + write | total | peak memory | weights per row |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        p = r["phases"]
        parts = " + ".join(f"{p[k]['seconds']:.1f}" for k in ("neighbours", "solve", "prune+write") if k in p)
        lines.append(f"| {r['size']:,} ({r['items']:,}) | {r['users']:,} | {r['interactions']:,} | {parts} s | {r['total_seconds']:.1f} s | "
                     f"{r['peak_memory_bytes'] / 2**30:.2f} GiB | {r['nonzeros'] / r['items']:.1f} |")
    return "\n".join(lines)


def svg(rows, title):
    w, h, left, right, top, bottom = 640, 380, 70, 70, 40, 50
    xs = [r["size"] for r in rows]
    ts = [r["total_seconds"] for r in rows]
    ms = [r["peak_memory_bytes"] / 2**30 for r in rows]
    lx0, lx1 = math.log10(min(xs)) - 0.1, math.log10(max(xs)) + 0.1
    def fx(x): return left + (math.log10(x) - lx0) / (lx1 - lx0) * (w - left - right)
    def fy(v, vmax): return top + (1 - v / vmax) * (h - top - bottom)
    tmax, mmax = max(ts) * 1.15, max(ms) * 1.15
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>',
           f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="#1f77b4"/>',
           f'<line x1="{w - right}" y1="{top}" x2="{w - right}" y2="{h - bottom}" stroke="#d62728"/>',
           f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle">items (log scale)</text>',
           f'<text x="16" y="{h / 2}" transform="rotate(-90 16 {h / 2})" text-anchor="middle" fill="#1f77b4">training time, s</text>',
           f'<text x="{w - 16}" y="{h / 2}" transform="rotate(90 {w - 16} {h / 2})" text-anchor="middle" fill="#d62728">peak memory, GiB</text>']
    for x in xs:
        out.append(f'<text x="{fx(x):.1f}" y="{h - bottom + 16}" text-anchor="middle">{x:,}</text>')
    for i in range(5):
        v = tmax * i / 4
        out.append(f'<text x="{left - 6}" y="{fy(v, tmax) + 4:.1f}" text-anchor="end" fill="#1f77b4">{v:.0f}</text>')
        m = mmax * i / 4
        out.append(f'<text x="{w - right + 6}" y="{fy(m, mmax) + 4:.1f}" fill="#d62728">{m:.1f}</text>')
    for vals, vmax, color in ((ts, tmax, "#1f77b4"), (ms, mmax, "#d62728")):
        pts = " ".join(f"{fx(x):.1f},{fy(v, vmax):.1f}" for x, v in zip(xs, vals))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, v in zip(xs, vals):
            out.append(f'<circle cx="{fx(x):.1f}" cy="{fy(v, vmax):.1f}" r="4" fill="{color}"/>')
    out.append("</svg>")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,300000,1000000")
    ap.add_argument("--work", required=True, help="directory for the generated data and models")
    ap.add_argument("--svg", help="write the chart here")
    ap.add_argument("--json", help="write the raw results here")
    ap.add_argument("--from-json", help="redraw from earlier results instead of training")
    ap.add_argument("train_args", nargs="*")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    rows = json.load(open(a.from_json)) if a.from_json else run([int(s) for s in a.sizes.split(",")], a.work, a.train_args)
    if a.json:
        json.dump(rows, open(a.json, "w"), indent=1)
    print(table(rows))
    if a.svg:
        with open(a.svg, "w") as f:
            f.write(svg(rows, "ease train --solver sparse: time and peak memory against items"))


if __name__ == "__main__":
    main()
