#!/usr/bin/env bash
# Runs every verb of `ease` on the paths a new user gets wrong and prints, per case, the exit code
# and the message: an input that is a directory, an empty file, a file without read permission,
# a missing file, and an output on a full disk or where a directory is. Every case must print one
# line and exit with 2 (1 for usage).
#
#   sudo scripts/bad_paths.sh      # root: mounts a full 1 MiB tmpfs and runs the unreadable cases as 'nobody'
#
# Root reads a file whatever its mode, so the permission cases run `ease` as the user nobody
# (setpriv); without root they run as the caller, and the full-disk cases are left out.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dll="$root/Cli/bin/Release/net10.0/ease.dll"
[[ -f "$dll" ]] || dotnet build "$root/Cli" -c Release >/dev/null
work="$(mktemp -d "${TMPDIR:-/tmp}/ease-bad-paths.XXXXXX")"
chmod 755 "$work"
full="$work/full"
cleanup() { mountpoint -q "$full" 2>/dev/null && umount "$full"; rm -rf "$work"; }
trap cleanup EXIT
ease() { dotnet "$dll" "$@"; }
as_reader=()
if [[ $(id -u) -eq 0 ]]; then
    as_reader=(setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$work" DOTNET_CLI_HOME="$work")
    mkdir -p "$full" && mount -t tmpfs -o size=1M tmpfs "$full" && dd if=/dev/zero of="$full/filler" bs=64k 2>/dev/null
fi

cd "$work"
ease generate --out data --users 300 --items 80 --seed 2 >/dev/null
ease train -i data/train.txt --format adjacency -o model.ease --lambda 50 -q >/dev/null
ease train -i data/train.txt --format adjacency -o base.ease --lambda 50 --state state -q >/dev/null
head -n 5 data/test.txt > delta.txt
ease train -i data/train.txt --format adjacency -o part0.ease --solver sparse --shard 0/2 -q >/dev/null
ease train -i data/train.txt --format adjacency -o part1.ease --solver sparse --shard 1/2 -q >/dev/null
mkdir dir
: > empty
cp model.ease locked.ease && chmod 000 locked.ease
cp data/train.txt locked.txt && chmod 000 locked.txt
A=(--format adjacency)

case_() { # verb case [runner...] -- args...
    local verb="$1" what="$2"; shift 2
    local runner=()
    while [[ "$1" != "--" ]]; do runner+=("$1"); shift; done
    shift
    local err rc
    "${runner[@]}" dotnet "$dll" "$verb" "$@" >/dev/null 2>"$work/stderr"; rc=$?
    # Progress lines ("ease: load: started", "... done in 12 ms") are not messages.
    err="$(grep -v -E '^ease: [a-z0-9 +:-]+: (started|done in .*)$' "$work/stderr")"
    printf '| %s | %s | %s | %s |\n' "$verb" "$what" "$rc" "$(echo "$err" | head -n 3 | tr '\n' '~' | sed 's/~$//; s/~/ ⏎ /g; s/|/\\|/g')"
}
model_inputs() { # verb args-before-model... (model given by -m unless NOPT)
    local verb="$1"; shift
    case_ "$verb" "model is a directory" -- "$@" dir
    case_ "$verb" "model is an empty file" -- "$@" empty
    case_ "$verb" "model is not there" -- "$@" none.ease
    [[ ${#as_reader[@]} -gt 0 ]] && case_ "$verb" "model without read permission" "${as_reader[@]}" -- "$@" locked.ease
}
data_inputs() { # verb args... (the data file is appended)
    local verb="$1"; shift
    case_ "$verb" "input is a directory" -- "$@" dir
    case_ "$verb" "input is an empty file" -- "$@" empty
    case_ "$verb" "input is not there" -- "$@" none.txt
    [[ ${#as_reader[@]} -gt 0 ]] && case_ "$verb" "input without read permission" "${as_reader[@]}" -- "$@" locked.txt
}
outputs() { # verb args... (the output path is appended)
    local verb="$1"; shift
    case_ "$verb" "output is a directory" -- "$@" dir
    [[ -d "$full" ]] && case_ "$verb" "output on a full disk" -- "$@" "$full/out"
}

echo "| verb | case | exit | stderr |"
echo "|---|---|---|---|"
model_inputs info
model_inputs verify
model_inputs similar --item 3 -m
model_inputs convert -o out.ease -m
outputs convert -m model.ease -o
model_inputs prune --prune-topk 5 -o out.ease -m
outputs prune -m model.ease --prune-topk 5 -o
model_inputs merge part1.ease -o out.ease
outputs merge part0.ease part1.ease -o
data_inputs train "${A[@]}" -o out.ease -i
outputs train -i data/train.txt "${A[@]}" -o
model_inputs recommend -i data/train.txt "${A[@]}" -m
data_inputs recommend -m model.ease "${A[@]}" -i
outputs recommend -m model.ease -i data/train.txt "${A[@]}" -o
model_inputs evaluate --history data/train.txt --heldout data/test.txt "${A[@]}" -m
data_inputs evaluate -m model.ease --heldout data/test.txt "${A[@]}" --history
data_inputs split --out splitdir -i
case_ split "output folder is a file" -- -i data/train.txt "${A[@]}" --protocol per-user --out empty
[[ -d "$full" ]] && case_ split "output folder on a full disk" -- -i data/train.txt "${A[@]}" --protocol per-user --out "$full/split"
data_inputs tune --history data/train.txt --heldout data/test.txt "${A[@]}" --lambda 50 -i
data_inputs study --history data/train.txt --heldout data/test.txt "${A[@]}" --variants ease -o report -i
[[ -d "$full" ]] && case_ study "report folder on a full disk" -- -i data/train.txt --history data/train.txt --heldout data/test.txt "${A[@]}" --variants ease -o "$full/report"
model_inputs bench -i data/train.txt "${A[@]}" --repeat 1 -m
data_inputs bench -m model.ease "${A[@]}" --repeat 1 -i
model_inputs serve --urls http://127.0.0.1:0 -m
model_inputs update --state state --state-out newstate --add delta.txt "${A[@]}" -o out.ease -m
case_ update "state is not there" -- -m base.ease --state nostate --state-out newstate --add delta.txt "${A[@]}" -o out.ease
case_ update "state is an empty folder" -- -m base.ease --state dir --state-out newstate --add delta.txt "${A[@]}" -o out.ease
data_inputs update -m base.ease --state state --state-out newstate "${A[@]}" -o out.ease --add
outputs update -m base.ease --state state --state-out newstate --add delta.txt "${A[@]}" -o
case_ study "report folder is a file" -- -i data/train.txt --history data/train.txt --heldout data/test.txt "${A[@]}" --variants ease -o empty
case_ demo "folder is a file" -- --users 500 --items 100 --dir empty
case_ generate "output folder is a file" -- --users 50 --items 20 --out empty
[[ -d "$full" ]] && case_ generate "output folder on a full disk" -- --users 2000 --items 200 --out "$full/gen"
[[ -d "$full" ]] && case_ demo "folder on a full disk" -- --users 500 --items 100 --dir "$full/demo"
