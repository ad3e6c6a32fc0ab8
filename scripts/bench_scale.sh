#!/usr/bin/env bash
# `make bench-scale`: the benchmark's pages on a clinic-sized database (`portico seed --scale`,
# SCALE patients, 10,000 by default) beside the same pages on a small one, each against its own
# /healthz floor measured in the same run. Not part of `make test`: seeding takes minutes.
#
# The small database is the demo's plus 60 seeded patients, so that every list the benchmark
# opens shows a full page there too (the demo's inbox alone holds two conversations, against a
# page of fifty at scale): what is compared is the database's size, not the page's.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${SCALE:-10000}
port=${BENCH_PORT:-3220}
command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null 2>&1 || sudo apt-get install -y -q wrk; }
scripts/build.sh >/dev/null 2>&1 || { echo "the build failed: run scripts/build.sh" >&2; exit 1; }

pages() { # database file, JSON output
  PORTICO_DEMO_DATA=1 DATABASE_URL="sqlite:$1" LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn \
    ./target/release/portico &
  local pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  BENCH_PAGES_JSON="$2" python3 scripts/bench.py "http://127.0.0.1:$port" "$pid" >/dev/null
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

rm -f target/bench-small.db* target/bench-scale.db*
echo "seeding 60 and $scale patients…"
PORTICO_DEMO_DATA=1 DATABASE_URL=sqlite:target/bench-small.db ./target/release/portico seed --scale 60
PORTICO_DEMO_DATA=1 DATABASE_URL=sqlite:target/bench-scale.db ./target/release/portico seed --scale "$scale"
sqlite3_count() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$@"; }
echo "appointments $(sqlite3_count target/bench-scale.db 'SELECT COUNT(*) FROM appointments'), messages $(sqlite3_count target/bench-scale.db 'SELECT COUNT(*) FROM messages'), record entries $(sqlite3_count target/bench-scale.db 'SELECT COUNT(*) FROM health_entries')"
pages target/bench-small.db target/bench-small.json
pages target/bench-scale.db target/bench-scale.json
python3 - "$scale" <<'PY'
import json, sys
small, big = (json.load(open(f"target/bench-{n}.json")) for n in ("small", "scale"))
print(f"\n| page | 60 patients beside the demo's: req/s, p99 ms, share of /healthz | {int(sys.argv[1]):,} patients: req/s, p99 ms, share of /healthz | slower by (share against share) |")
print("|---|---:|---:|---:|")
fs, fb = small[0][1][0], big[0][1][0]
for (label, (r1, _, p1)), (_, (r2, _, p2)) in zip(small, big):
    print(f"| {label} | {r1:,.0f}, {p1:.2f}, {r1 / fs:.1%} | {r2:,.0f}, {p2:.2f}, {r2 / fb:.1%} | {(r1 / fs) / (r2 / fb):.2f}× |")
PY
