#!/usr/bin/env bash
# Load-test the signed-in home page (release build, loopback, fresh SQLite or DATABASE_URL),
# then run the appointment benchmark.
# Prints requests per second and latency percentiles from `wrk`, and server memory (RSS).
set -euo pipefail
cd "$(dirname "$0")/.."
# Release WASM is optimised with binaryen 123 from npm (see the Makefile for why not Debian's).
export PATH="$PWD/end2end/node_modules/binaryen/bin:$PATH"

command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null 2>&1 || sudo apt-get install -y -q wrk; }
cargo leptos build --release >/dev/null

port=${BENCH_PORT:-3200}
db=${DATABASE_URL:-sqlite:target/bench.db}
rm -f target/bench.db target/bench.db-wal target/bench.db-shm
PORTICO_DEMO_DATA=1 DATABASE_URL="$db" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site \
  RUST_LOG=warn ./target/release/portico &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

rss() { awk '/VmRSS/ {print $2/1024 " MiB"}' "/proc/$pid/status"; }
echo "server RSS idle: $(rss)"

cookie=$(curl -s -o /dev/null -D - -H "Origin: http://127.0.0.1:$port" \
  -d "username=demo&password=Portico-demo1" "http://127.0.0.1:$port/api/auth/login" |
  sed -n 's/^set-cookie: \(portico_session=[0-9a-f]*\).*/\1/ip')
[ -n "$cookie" ] || { echo "sign-in failed" >&2; exit 1; }
curl -sf -H "Cookie: $cookie" "http://127.0.0.1:$port/" | grep -q "Welcome, " || { echo "home page did not render" >&2; exit 1; }

duration=${BENCH_SECONDS:-15}
echo "signed-in GET / for ${duration}s, 2 threads, 32 connections:"
wrk -t2 -c32 -d"${duration}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port/" |
  grep -E "Requests/sec|Latency|50%|90%|99%" &
wrk_pid=$!
sleep $((duration / 2))
echo "server RSS under load: $(rss)"
wait $wrk_pid

# The appointment benchmark: durable bookings per second (16 clients, SQLite and PostgreSQL)
# and the signed-in appointments page with 50 appointments, through the router in-process.
kill $pid 2>/dev/null || true
echo
echo "appointments (release build, in-process router):"
cargo bench -p server --bench appointments 2>/dev/null | grep '^|'
