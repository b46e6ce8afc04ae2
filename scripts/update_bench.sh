#!/usr/bin/env bash
# ease update on yelp2018: exactness against a retrain, update vs retrain time for both solvers,
# removal of 100 whole users, and the update-time curve (users removed from one state).
#   scripts/update_bench.sh [DATA_DIR] [WORK_DIR] [sparse|dense|all]
# Heavy: the dense part trains yelp2018 three times (~5 min, ~6 GB each) and writes 5.8 GB states.
set -euo pipefail
DATA=$(realpath "${1:-../shared/data/yelp2018/train.txt}")
W=${2:-/tmp/ease-update-bench}
WHAT=${3:-all}
HERE=$(cd "$(dirname "$0")" && pwd)
E="dotnet ${EASE_DLL:-$HERE/../Cli/bin/Release/net10.0/ease.dll}"
PY=/usr/bin/python3
mkdir -p "$W"; cd "$W"
echo "# $(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p') family $(lscpu | sed -n 's/^CPU family: *//p') model $(lscpu | sed -n 's/^Model: *//p'), $(nproc) cores (shared machine)"
[[ -d touch ]] || $PY "$HERE/update_split.py" touch "$DATA" touch --users 317 --per-user 3
[[ -d add ]] || $PY "$HERE/update_split.py" add "$DATA" add --share 0.01
[[ -d users ]] || $PY "$HERE/update_split.py" users "$DATA" users --users 100
rmusers() { sed 's/^/--remove-user /' "$1" | tr '\n' ' '; }
T="/usr/bin/time -f %e_s_%M_KiB"

if [[ $WHAT == all || $WHAT == sparse ]]; then
  S="--solver sparse --prune-topk 100"
  for case in touch add; do
    echo "## sparse, $case"
    $T $E train -i $case/base.tsv -o s-$case.ease $S --state s-$case.state -q --json > /dev/null
    $T $E update -m s-$case.ease --state s-$case.state --add $case/delta.tsv -o s-$case-upd.ease --state-out s-$case-upd.state --method incremental --json
    $T $E train -i $case/full.tsv -o s-$case-ref.ease $S -q --json | $PY -c 'import json,sys; j=json.load(sys.stdin); print("retrain total", j["total_seconds"], "s")'
    $PY "$HERE/update_compare.py" s-$case-upd.ease s-$case-ref.ease
  done
  echo "## sparse, remove 100 users"
  $T $E train -i users/base.tsv -o s-u.ease $S --state s-u.state -q --json > /dev/null
  $T $E update -m s-u.ease --state s-u.state $(rmusers users/removed.txt) -o s-u-upd.ease --state-out s-u-upd.state --method incremental --json
  $T $E train -i users/kept.tsv -o s-u-ref.ease $S -q --json | $PY -c 'import json,sys; j=json.load(sys.stdin); print("retrain total", j["total_seconds"], "s")'
  $PY "$HERE/update_compare.py" s-u-upd.ease s-u-ref.ease
  echo "## sparse curve: K users removed from one state"
  for k in 10 30 100 300 1000 3000 10000; do
    head -n $k <(shuf --random-source=<(yes) users/kept.tsv | cut -f1 | sort -u) > k.txt
    echo -n "K=$k "; $T $E update -m s-u.ease --state s-u.state $(rmusers k.txt) -o k.ease --state-out k.state --method incremental --json | $PY -c 'import json,sys; j=json.load(sys.stdin); print(j["total_seconds"], "s;", j["detail"])'
  done
fi

if [[ $WHAT != sparse ]]; then
  D="--solver dense --prune-topk 100"
  if [[ $WHAT != dense-rest && $WHAT != dense-curve ]]; then  # dense-rest, dense-curve: the runs below, on the states the first part left
  echo "## dense, touch (317 users = 1% of users, 3 interactions each)"
  $T $E train -i touch/base.tsv -o d.ease $D --state d.state --json
  $T $E update -m d.ease --state d.state --add touch/delta.tsv -o d-upd.ease --state-out d-upd.state --json
  $T $E train -i touch/full.tsv -o d-ref.ease $D --json
  $PY "$HERE/update_compare.py" d-upd.ease d-ref.ease --history touch/full.tsv
  fi
  if [[ $WHAT != dense-curve ]]; then
  echo "## dense, remove 100 users (a second update, on the updated state)"
  cut -f1 touch/full.tsv | awk '!s[$1]++' | shuf -n 100 --random-source=<(yes) > d-removed.txt
  $T $E update -m d-upd.ease --state d-upd.state $(rmusers d-removed.txt) -o d-rm.ease --state-out d-rm.state --json
  awk 'NR==FNR{g[$1]=1;next} !($1 in g)' d-removed.txt touch/full.tsv > d-kept.tsv
  $T $E train -i d-kept.tsv -o d-rm-ref.ease $D --json
  $PY "$HERE/update_compare.py" d-rm.ease d-rm-ref.ease --history d-kept.tsv
  fi
  echo "## dense curve: K users removed from one state"
  for k in 30 100 300 1000 3000; do
    cut -f1 touch/full.tsv | awk '!s[$1]++' | shuf -n $k --random-source=<(yes) > k.txt
    echo -n "K=$k "; $T $E update -m d.ease --state d.state $(rmusers k.txt) -o k.ease --state-out k.state --method incremental --json | $PY -c 'import json,sys; j=json.load(sys.stdin); print(j["total_seconds"], "s;", j["detail"], j["phases"])'
  done
  rm -rf k.state d-rm.state
  echo "## dense, 1% of the interactions (the last item of 12k users) removed: auto decides"
  awk 'NR==FNR{b[$0]=1;next} ($0 in b)' touch/base.tsv add/delta.tsv > spread.tsv
  wc -l < spread.tsv
  $T $E update -m d.ease --state d.state --remove spread.tsv -o spread.ease --state-out spread.state --json
  rm -rf spread.state
fi
