#!/usr/bin/env bash
# Two server binaries side by side, in the same run: each on its own fresh demo database, the
# benchmark's page rows (scripts/bench.py) taken in alternating rounds, A B A B …, so that the
# machine's drift falls on both alike. Prints each page's share of its own /healthz floor, the
# median over the rounds, for A and for B.
#
#   scripts/bench_ab.sh OLD_BINARY NEW_BINARY [ROUNDS]
#
# Each binary runs from the repository root against the built site (target/site); a binary
# copied elsewhere needs the hash.txt of that site beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n 2,10p "$0" >&2; exit 2; }
rounds=${3:-3}
command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null 2>&1 || sudo apt-get install -y -q wrk; }
out=target/bench-ab
rm -rf "$out"
mkdir -p "$out"

start() { # label binary port
  rm -f "target/bench-ab-$1.db"*
  PORTICO_DEMO_DATA=1 DATABASE_URL="sqlite:target/bench-ab-$1.db" LEPTOS_SITE_ADDR="127.0.0.1:$3" \
    LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=portico LEPTOS_SITE_PKG_DIR=pkg RUST_LOG=warn "$2" &
  echo $! >"$out/$1.pid"
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$3/healthz" >/dev/null && return; sleep 0.2; done
  echo "$1 did not start" >&2
  exit 1
}
start a "$1" 3231
start b "$2" 3232
trap 'kill $(cat $out/a.pid) $(cat $out/b.pid) 2>/dev/null || true' EXIT

for r in $(seq "$rounds"); do
  for side in a b; do
    port=3231; [ $side = b ] && port=3232
    BENCH_PAGES_JSON="$out/$side-$r.json" python3 scripts/bench.py "http://127.0.0.1:$port" "$(cat "$out/$side.pid")" >/dev/null
  done
done

python3 - "$out" "$rounds" "$1" "$2" <<'PY'
import json, statistics, sys
out, rounds, a, b = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def shares(side):
    runs = [json.load(open(f"{out}/{side}-{r}.json")) for r in range(1, rounds + 1)]
    return {label: [run[i][1][0] / run[0][1][0] for run in runs] for i, (label, _) in enumerate(runs[0])}, runs
sa, ra = shares("a")
sb, rb = shares("b")
print(f"A = {a}\nB = {b}\n{rounds} rounds, alternating; each figure the median share of that server's own /healthz")
print("\n| page | A: share of /healthz (req/s) | B: share of /healthz (req/s) | B / A |")
print("|---|---:|---:|---:|")
for i, label in enumerate(sa):
    if i == 0:
        continue
    ma, mb = statistics.median(sa[label]), statistics.median(sb[label])
    qa = statistics.median(run[i][1][0] for run in ra)
    qb = statistics.median(run[i][1][0] for run in rb)
    print(f"| {label} | {ma:.2%} ({qa:,.0f}) | {mb:.2%} ({qb:,.0f}) | {mb / ma:.2f} |")
fa = statistics.median(run[0][1][0] for run in ra)
fb = statistics.median(run[0][1][0] for run in rb)
print(f"| /healthz (the floor) | {fa:,.0f} req/s | {fb:,.0f} req/s | {fb / fa:.2f} |")
PY
