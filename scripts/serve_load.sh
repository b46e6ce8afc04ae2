#!/usr/bin/env bash
# Load test of `ease serve` with wrk on yelp2018: single-user POST /recommend requests whose
# bodies are real train histories (every 15th user of train.txt, 2,000 bodies, k = 20).
#
#   scripts/serve_load.sh [--swap | --compare] [MODEL.ease]
#
# Without MODEL, trains one (λ = 200, 100 weights per row; about 4 minutes) into $WORK_DIR.
# Default mode: a run at the highest rate wrk reaches (2 threads, 64 connections), then a run at
# about half that rate, held fixed by a per-connection delay in the Lua script (wrk2 is not in
# Debian): requests/s and latency p50 / p99 / p99.9 of both.
# --swap: the same load while the model file is replaced 20 times (two models alternated with an
# atomic `mv`); checks that no response is non-200, there are no socket errors, and every
# response names one of the two models.
# --compare: `ease serve` against samples/EaseInYourService (a web app of its own with AddEase and
# MapEase("/ease"), the README's example) at the highest rate, alternately, RUNS times each (default
# 3), in the same run; prints both medians and their ratio, then quotes the app's /ease/metrics.
# APP=1 with --swap: the swap run against that app instead of `ease serve`.
#
# Environment: DATA (yelp2018 folder, default ../shared/data/yelp2018), WORK_DIR (default
# /tmp/ease-serve-load), PORT (18080), DURATION (seconds per run, 20), HALF_RATE (requests/s of the
# second run, default half the measured maximum), EASE (command, default the
# Release build of this checkout, built if needed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
swap=0
compare=0
if [[ "${1:-}" == "--swap" ]]; then swap=1; shift; fi
if [[ "${1:-}" == "--compare" ]]; then compare=1; shift; fi
app_dll="$root/samples/EaseInYourService/bin/Release/net10.0/EaseInYourService.dll"
if [[ $compare -eq 1 || "${APP:-0}" == 1 ]]; then
    [[ -f "$app_dll" ]] || dotnet build "$root/samples/EaseInYourService" -c Release >/dev/null
fi
model="${1:-}"
data="${DATA:-$root/../shared/data/yelp2018}"
work="${WORK_DIR:-/tmp/ease-serve-load}"
port="${PORT:-18080}"
duration="${DURATION:-20}"
url="http://127.0.0.1:$port"
mkdir -p "$work"

if ! command -v wrk >/dev/null; then
    echo "serve_load: installing wrk" >&2
    sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get install -y wrk >/dev/null || { $sudo apt-get update -qq && $sudo apt-get install -y wrk >/dev/null; }
fi
if [[ -z "${EASE:-}" ]]; then
    dll="$root/Cli/bin/Release/net10.0/ease.dll"
    [[ -f "$dll" ]] || dotnet build "$root/Cli" -c Release >/dev/null
    EASE="dotnet $dll"
fi
[[ -f "$data/train.txt" ]] || { echo "serve_load: $data/train.txt not found (set DATA)" >&2; exit 2; }

if [[ -z "$model" ]]; then
    model="$work/yelp2018-100.ease"
    if [[ ! -f "$model" ]]; then
        echo "serve_load: training $model (about 4 minutes)" >&2
        $EASE train --input "$data/train.txt" --format adjacency --lambda 200 --prune-topk 100 --output "$model" -q
    fi
fi
[[ -f "$model" ]] || { echo "serve_load: $model not found" >&2; exit 2; }

# 2,000 request bodies: every 15th user's full train history.
bodies="$work/bodies.jsonl"
awk 'NR % 15 == 1 && NF > 1 && n < 2000 {
        printf "{\"history\":[";
        for (i = 2; i <= NF; i++) printf "%s\"%s\"", (i > 2 ? "," : ""), $i;
        print "],\"k\":20}"; n++ }' "$data/train.txt" > "$bodies"
echo "serve_load: $(wc -l < "$bodies") request bodies, mean history $(awk -F'","' '{ s += NF } END { printf "%.1f", s / NR }' "$bodies") items" >&2

served="$work/served.ease"
ln -f "$model" "$work/a.ease" 2>/dev/null || cp -f "$model" "$work/a.ease"
cp -f "$work/a.ease" "$served.tmp" && mv -f "$served.tmp" "$served"
if [[ $swap -eq 1 ]]; then
    # The second model: the same items, 90 weights per row, so its id differs.
    $EASE prune --model "$work/a.ease" --prune-topk 90 --output "$work/b.ease" >/dev/null
fi

prefix=""
# start_server serve|app: one server on $url, serving $served; sets $server and $prefix.
start_server() {
    if [[ "$1" == app ]]; then
        prefix="/ease"
        # From its own folder, as a deployed app runs: its appsettings.json (the template's log levels) applies.
        (cd "$(dirname "$app_dll")" && exec env Ease__ModelPath="$served" Ease__PollInterval="00:00:00.5" dotnet "$app_dll" --urls "$url" > "$work/app.log" 2>&1) &
    else
        prefix=""
        $EASE serve --model "$served" --urls "$url" --poll-seconds 0.5 2> "$work/serve.log" &
    fi
    server=$!
    for _ in $(seq 100); do curl -sf "$url$prefix/healthz" >/dev/null && break; sleep 0.2; done
    curl -sf "$url$prefix/healthz" >/dev/null || { echo "serve_load: the $1 server did not start:" >&2; cat "$work/serve.log" "$work/app.log" 2>/dev/null >&2; exit 2; }
}
stop_server() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; }
server=""
trap 'stop_server' EXIT
if [[ $compare -eq 1 ]]; then
    runs="${RUNS:-3}"
    for target in serve app; do start_server $target; env BODIES="$bodies" PREFIX="$prefix" wrk -t2 -c64 -d5s -s "$root/scripts/serve_load.lua" "$url" >/dev/null; stop_server; done
    echo "== compare: wrk -t2 -c64 -d${duration}s --latency, ease serve and the AddEase/MapEase app alternately, $runs runs each"
    for i in $(seq "$runs"); do
        for target in serve app; do
            start_server $target
            env BODIES="$bodies" PREFIX="$prefix" wrk -t2 -c64 -d3s -s "$root/scripts/serve_load.lua" "$url" >/dev/null  # warm-up
            line="$(env BODIES="$bodies" PREFIX="$prefix" wrk -t2 -c64 -d"${duration}s" --latency -s "$root/scripts/serve_load.lua" "$url" | grep '^RESULT requests' | sed 's/^RESULT //')"
            echo "run $i $target: $line"
            echo "$line" | sed 's/.*rps=\([0-9]*\).*/\1/' >> "$work/rps-$target.txt"
            if [[ $target == app && $i == "$runs" ]]; then
                echo "== the app's /ease/metrics after the runs (ease_ series, histogram buckets of /recommend left out):"
                curl -s --retry 3 "$url/ease/metrics" | grep -E '^(# TYPE )?ease_' | grep -v '_bucket{' | head -n 40
            fi
            stop_server
        done
    done
    median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
    s_rps="$(median "$work/rps-serve.txt")"; a_rps="$(median "$work/rps-app.txt")"
    rm -f "$work/rps-serve.txt" "$work/rps-app.txt"
    echo "SUMMARY compare: ease serve median ${s_rps} requests/s, AddEase/MapEase app median ${a_rps} requests/s, app/serve $(awk -v a="$a_rps" -v s="$s_rps" 'BEGIN { printf "%.3f", a / s }')"
    exit 0
fi
start_server "$([[ "${APP:-0}" == 1 ]] && echo app || echo serve)"
model_id() { curl -sf "$url$prefix/readyz" | sed 's/.*"model":"\([^"]*\)".*/\1/'; }
# Replaces the served file with a or b by an atomic rename; waits until the server serves it.
swap_to() {
    local before; before="$(curl -sf "$url$prefix/readyz" | sed 's/.*"generation":\([0-9]*\).*/\1/')"
    cp -f "$work/$1.ease" "$served.tmp" && mv -f "$served.tmp" "$served"
    for _ in $(seq 100); do
        [[ "$(curl -sf "$url$prefix/readyz" | sed 's/.*"generation":\([0-9]*\).*/\1/')" != "$before" ]] && return 0
        sleep 0.05
    done
    echo "serve_load: the server did not pick up the new model" >&2; return 1
}

run_wrk() { # connections duration [env...]
    local c="$1" d="$2"; shift 2
    env BODIES="$bodies" PREFIX="$prefix" "$@" wrk -t2 -c"$c" -d"${d}s" --latency -s "$root/scripts/serve_load.lua" "$url/recommend"
}
result() { grep '^RESULT requests' | sed 's/^RESULT //'; }
# The server's own latency histogram of /recommend (le=bound cumulative-count, one per line).
buckets() { curl -sf "$url$prefix/metrics" | sed -n 's/^ease_request_duration_seconds_bucket{otel_scope_name="Ease",route="recommend",le="\([^"]*\)"} \(.*\)/\1 \2/p'; }
# Server-side p50 / p99 / p99.9 of the requests between two bucket snapshots, as bucket upper bounds.
server_percentiles() { # before after
    paste <(echo "$1") <(echo "$2") | awk '{ le[NR] = $1; n[NR] = $4 - $2 } END {
        total = n[NR]; split("50 99 99.9", q, " "); out = "server-side (bucket bounds):";
        for (i = 1; i <= 3; i++) { for (b = 1; b <= NR; b++) if (n[b] >= total * q[i] / 100) break;
            out = out sprintf(" p%s<=%s", q[i], le[b] == "+Inf" ? "+Inf" : sprintf("%gms", le[b] * 1000)) }
        print out " of " total " requests" }'
}

echo "serve_load: warm-up (5 s)" >&2
run_wrk 64 5 > /dev/null

if [[ $swap -eq 0 ]]; then
    echo "== max rate: wrk -t2 -c64 -d${duration}s --latency (wrk shares the 2 cores with the server)"
    b0="$(buckets)"; out="$(run_wrk 64 "$duration")"; b1="$(buckets)"; echo "$out"; server_percentiles "$b0" "$b1"
    max_rps="$(echo "$out" | result | sed 's/.*rps=\([0-9]*\).*/\1/')"
    # Half the max rate: each connection waits 2 ms before each request (Lua delay), so a
    # connection sends somewhat under 500 requests/s; a 5 s calibration run sets the count.
    half=${HALF_RATE:-$((max_rps / 2))}; conns=$(( (half + 250) / 500 )); (( conns < 1 )) && conns=1
    calib="$(run_wrk "$conns" 5 DELAY_MS=2 | result | sed 's/.*rps=\([0-9]*\).*/\1/')"
    conns=$(( (conns * half + calib / 2) / (calib > 0 ? calib : 1) )); (( conns < 1 )) && conns=1
    echo "== half rate: target $half requests/s: $conns connections, each waiting 2 ms before each request (Lua delay; calibrated), wrk -t2 -c$conns -d${duration}s --latency"
    b2="$(buckets)"; out2="$(run_wrk "$conns" "$duration" DELAY_MS=2)"; b3="$(buckets)"; echo "$out2"; server_percentiles "$b2" "$b3"
    echo "SUMMARY max:  $(echo "$out" | result); $(server_percentiles "$b0" "$b1")"
    echo "SUMMARY half: $(echo "$out2" | result); $(server_percentiles "$b2" "$b3")"
else
    swap_to b; id_b="$(model_id)"; swap_to a; id_a="$(model_id)"
    [[ "$id_a" != "$id_b" ]] || { echo "serve_load: the two models have the same id" >&2; exit 2; }
    echo "== swap: wrk -t2 -c64 -d${duration}s while $served is replaced 20 times ($id_a <-> $id_b)"
    run_wrk 64 "$duration" MODEL_IDS="$id_a,$id_b" > "$work/wrk-swap.txt" &
    load=$!
    sleep 1
    interval="$(awk -v d="$duration" 'BEGIN { printf "%.2f", (d - 3) / 20 }')"
    for i in $(seq 20); do
        if (( i % 2 == 1 )); then swap_to b; else swap_to a; fi
        sleep "$interval"
    done
    wait $load
    cat "$work/wrk-swap.txt"
    metrics="$(curl -sf "$url$prefix/metrics")"
    reloads="$(echo "$metrics" | awk '$1 == "ease_model_reloads_total{otel_scope_name=\"Ease\"}" { print $2 }')"
    refusals="$(echo "$metrics" | awk '$1 == "ease_model_reload_refusals_total{otel_scope_name=\"Ease\"}" { print $2 }')"
    line="$(result < "$work/wrk-swap.txt")"
    echo "SUMMARY swap: $line reloads=$reloads refusals=$refusals"
    non2xx="$(echo "$line" | sed 's/.*non2xx=\([0-9]*\).*/\1/')"
    sock="$(echo "$line" | sed 's/.*socket_errors=\([0-9]*\).*/\1/')"
    bad="$(echo "$line" | sed 's/.*bad_model=\([0-9]*\).*/\1/')"
    if [[ "$non2xx" == 0 && "$sock" == 0 && "$bad" == 0 && "$refusals" == 0 && "$reloads" -ge 22 ]]; then
        echo "swap check: OK (22 reloads incl. 2 before the run, 0 non-2xx, 0 socket errors, every response from one of the two models)"
    else
        echo "swap check: FAILED"; exit 1
    fi
fi
