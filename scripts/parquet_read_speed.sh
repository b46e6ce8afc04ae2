#!/usr/bin/env bash
# How fast `ease train` reads 10M interactions from Parquet and from CSV: the "load" phase of
# `ease train --json` (InteractionReader.Read alone), best of REPEAT runs each, on the same rows:
# string ids (CSV u123,i45 against a Parquet file of string columns) and integer ids (CSV 123,45
# against a Parquet file of int64 columns). The model trained after the load is small (2,000 items).
#
#   scripts/parquet_read_speed.sh            # N=10000000 REPEAT=3 WORK_DIR=/tmp/ease-parquet-speed
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${N:-10000000}"
repeat="${REPEAT:-3}"
work="${WORK_DIR:-/tmp/ease-parquet-speed}"
dll="$root/Cli/bin/Release/net10.0/ease.dll"
[[ -f "$dll" ]] || dotnet build "$root/Cli" -c Release >/dev/null
if [[ ! -f "$work/$n/integers.csv" ]]; then
    echo "parquet_read_speed: writing $n interactions into $work/$n" >&2
    (cd "$root" && dotnet run scripts/parquet_speed_data.cs -- "$work/$n" "$n")
fi
load() { # file format -> best load seconds
    local best=""
    for _ in $(seq "$repeat"); do
        s="$(dotnet "$dll" train -i "$1" --format "$2" --user-col user --item-col item --lambda 200 --prune-topk 50 -o "$work/m.ease" --json \
            | sed 's/.*"load":{"seconds":\([0-9.]*\)}.*/\1/')"
        best="$(awk -v a="$best" -v b="$s" 'BEGIN { print (a == "" || b < a) ? b : a }')"
    done
    echo "$best"
}
echo "ids      CSV s    Parquet s  (best of $repeat, $n interactions)"
for kind in strings integers; do
    csv="$work/$n/interactions.csv"; [[ $kind == integers ]] && csv="$work/$n/integers.csv"
    c="$(load "$csv" delimited)"; p="$(load "$work/$n/$kind.parquet" parquet)"
    printf '%-8s %-8s %-8s   Parquet/CSV %.2f\n' "$kind" "$c" "$p" "$(awk -v c="$c" -v p="$p" 'BEGIN { print p / c }')"
done
