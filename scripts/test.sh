#!/usr/bin/env bash
# The whole test suite: unit, database and request-level tests on SQLite and PostgreSQL, then
# the browser journeys (JavaScript on and off) on SQLite and on PostgreSQL.
#
# PostgreSQL: PORTICO_TEST_POSTGRES_URL (default: the local server, trust auth). Under CI it
# must be reachable; on a developer machine without it the PostgreSQL runs are skipped with a
# notice.
set -euo pipefail
cd "$(dirname "$0")/.."
# Release WASM is optimised with binaryen 123 from npm (see the Makefile for why not Debian's).
export PATH="$PWD/end2end/node_modules/binaryen/bin:$PATH"

say() { printf '\033[1;36m==> %s\033[0m\n' "$*"; }

# Everything is also written here, to total the runners' counts at the end.
log=$(mktemp)
record() { "$@" 2>&1 | tee -a "$log"; }

# cargo-leptos builds with this flag; using it here too shares one set of compiled crates.
export RUSTFLAGS="--cfg erase_components"
export PORTICO_TEST_POSTGRES_URL=${PORTICO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}

pg_up=1
if ! psql "$PORTICO_TEST_POSTGRES_URL" -qtAc 'SELECT 1' >/dev/null 2>&1; then
  if [ -n "${CI:-}" ]; then
    echo "PostgreSQL is unreachable at $PORTICO_TEST_POSTGRES_URL, and CI needs it." >&2
    exit 1
  fi
  pg_up=0
  echo "notice: PostgreSQL unreachable at $PORTICO_TEST_POSTGRES_URL; its tests will be skipped."
fi
# Test databases left behind by an interrupted run.
if [ $pg_up = 1 ]; then
  psql "$PORTICO_TEST_POSTGRES_URL" -qtAc \
    "SELECT datname FROM pg_database WHERE datname LIKE 'portico_t_%' OR datname LIKE 'portico_e2e_%'" |
    while read -r db; do psql "$PORTICO_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; done
fi

# Odd zones on purpose (half- and three-quarter-hour offsets): nothing may depend on the
# server's zone. The browser journeys run their server and browser in other zones again.
say "unit, database and request-level tests (SQLite and PostgreSQL)"
# Compiled first, then run under a deadline: a hung test must fail the run in minutes, not
# sit until CI's own limit.
cargo test -p app --features ssr --no-run
cargo test -p server --no-run
TZ=America/St_Johns record timeout --kill-after=10s 15m cargo test -p app --features ssr
TZ=Pacific/Chatham record timeout --kill-after=10s 15m cargo test -p server

# The browser journeys run against the release build, which is what `make run` serves; one
# build instead of a debug one and a release one saves several minutes on a fresh machine.
say "building the site in release mode (server and split, precompressed WASM)"
scripts/build.sh
export E2E_SERVER=./target/release/portico

run_e2e() {
  local label=$1 url=$2 idle_url=$3
  say "browser journeys on $label"
  (cd end2end && E2E_DATABASE_URL="$url" E2E_IDLE_DATABASE_URL="$idle_url" record npx playwright test)
}

rm -f target/e2e*.db target/e2e*.db-wal target/e2e*.db-shm
rm -rf target/e2e-*.lock
run_e2e SQLite "sqlite:target/e2e.db" "sqlite:target/e2e-idle.db"

if [ $pg_up = 1 ]; then
  e2e_db="portico_e2e_$$"
  psql "$PORTICO_TEST_POSTGRES_URL" -qc "CREATE DATABASE $e2e_db"
  psql "$PORTICO_TEST_POSTGRES_URL" -qc "CREATE DATABASE ${e2e_db}_idle"
  trap 'for d in $e2e_db ${e2e_db}_idle; do psql "$PORTICO_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true; done' EXIT
  run_e2e PostgreSQL "${PORTICO_TEST_POSTGRES_URL%/*}/$e2e_db" "${PORTICO_TEST_POSTGRES_URL%/*}/${e2e_db}_idle"
fi

cargo_passed=$(sed -n 's/^test result: ok\. \([0-9]*\) passed.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
browser_passed=$(sed -n 's/^ *\([0-9]*\) passed (.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
browser_skipped=$(sed -n 's/^ *\([0-9]*\) skipped$/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
rm -f "$log"
say "all tests passed: $cargo_passed Rust tests, $browser_passed browser journeys"
echo "$((cargo_passed + browser_passed)) passed, 0 failed, ${browser_skipped:-0} skipped"
