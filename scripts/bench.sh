#!/usr/bin/env bash
# `make bench`: the release site under load on loopback (scripts/bench.py prints one table),
# the first-page WASM of every route, Lighthouse on four pages, then the in-process
# appointment benchmark. Needs no database server: a fresh SQLite file with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null 2>&1 || sudo apt-get install -y -q wrk; }
if [ ! -x target/lighthouse/node_modules/.bin/lighthouse ]; then
  mkdir -p target/lighthouse
  npm install --prefix target/lighthouse --no-audit --no-fund --silent lighthouse@12.8.2 >/dev/null
fi
scripts/build.sh >/dev/null 2>&1 || { echo "the build failed: run scripts/build.sh" >&2; exit 1; }

# The per-route WASM figures come from the size gate, which writes them as it checks them.
(cd end2end && rm -f ../target/e2e-b*.db* && E2E_SERVER=./target/release/portico E2E_PORT=3210 \
  E2E_DATABASE_URL=sqlite:target/e2e-b.db E2E_IDLE_DATABASE_URL=sqlite:target/e2e-bi.db \
  npx playwright test lazy_routes.spec.ts -g "budget" --project js >/dev/null) || echo "(the WASM size gate failed)"

port=${BENCH_PORT:-3200}
rm -f target/bench.db target/bench.db-wal target/bench.db-shm
PORTICO_DEMO_DATA=1 DATABASE_URL=sqlite:target/bench.db LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  RUST_LOG=warn ./target/release/portico &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
python3 scripts/bench.py "http://127.0.0.1:$port" "$pid"
echo
python3 scripts/bench_live.py "http://127.0.0.1:$port" "$pid" target/bench.db
kill $pid 2>/dev/null || true

# Two server processes on one PostgreSQL database, when one is reachable.
pg=${PORTICO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
if psql "$pg" -qtAc 'SELECT 1' >/dev/null 2>&1; then
  db="portico_bench_$$"
  psql "$pg" -qc "CREATE DATABASE $db"
  url="${pg%/*}/$db"
  PORTICO_DEMO_DATA=1 DATABASE_URL="$url" LEPTOS_SITE_ADDR=127.0.0.1:3261 RUST_LOG=warn ./target/release/portico 2>/dev/null &
  a=$!
  for _ in $(seq 50); do curl -sf http://127.0.0.1:3261/healthz >/dev/null && break; sleep 0.2; done
  DATABASE_URL="$url" LEPTOS_SITE_ADDR=127.0.0.1:3262 RUST_LOG=warn ./target/release/portico 2>/dev/null &
  b=$!
  for _ in $(seq 50); do curl -sf http://127.0.0.1:3262/healthz >/dev/null && break; sleep 0.2; done
  python3 scripts/bench_instances.py http://127.0.0.1:3261 http://127.0.0.1:3262 || echo "(the two-instance run failed)"
  kill $a $b 2>/dev/null || true
  sleep 1
  psql "$pg" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
fi

echo
echo "appointments (release build, in-process router):"
cargo bench -p server --bench appointments 2>/dev/null | grep '^|'

echo
echo "health record (release build, in-process router, SQLite):"
cargo bench -p server --bench health_record 2>/dev/null | grep '^|'

echo
echo "messaging (release build, in-process router; PostgreSQL figures need PORTICO_TEST_POSTGRES_URL or the local server):"
PORTICO_TEST_POSTGRES_URL=${PORTICO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres} \
  cargo bench -p server --bench messaging 2>/dev/null | grep '^|'
