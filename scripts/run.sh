#!/usr/bin/env bash
# `make run`: build the release site and serve it with demo data on http://127.0.0.1:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
export PORTICO_ENV=${PORTICO_ENV:-development} PORTICO_DEMO_DATA=${PORTICO_DEMO_DATA:-1}
addr=${LEPTOS_SITE_ADDR:-127.0.0.1:3000}
./target/release/portico &
server=$!
trap 'kill $server 2>/dev/null || true' INT TERM
for _ in $(seq 1 300); do
  if curl -fsS "http://$addr/healthz" >/dev/null 2>&1; then
    printf '\n\033[1;32mPortico is running at http://%s\033[0m  (Ctrl-C stops it)\n' "$addr"
    echo "  patient: demo / Portico-demo1 at /login"
    echo "  staff:   admin / Portico-admin1 (admin), frontdesk / Portico-desk1 (front desk) at /staff/login"
    echo "           admin's code: oathtool --totp -b JBSWY3DPEHPK3PXP (or recovery code demo2-admin)"
    echo "           harbor / Portico-harbor1 (admin of the second practice)"
    echo "  email and texts the portal sends: http://$addr/dev/outbox"
    break
  fi
  kill -0 $server 2>/dev/null || break
  sleep 0.2
done
wait $server
