#!/usr/bin/env bash
# Screenshots of the main pages on a phone and a desktop, in target/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
# The site as `make run` serves it: every route a lazy route needs the split build.
scripts/build.sh >/dev/null 2>&1 || { echo "the build failed: run scripts/build.sh" >&2; exit 1; }
port=3300
rm -f target/shots.db*
PORTICO_DEMO_DATA=1 DATABASE_URL=sqlite:target/shots.db LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn ./target/release/portico &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
mkdir -p target/screenshots
(cd end2end && node screenshots.mjs "http://127.0.0.1:$port" ../target/screenshots)
ls target/screenshots
