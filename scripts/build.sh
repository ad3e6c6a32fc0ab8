#!/usr/bin/env bash
# The release site, as `make run` serves it and the browser journeys test it: the WASM split
# into one chunk per route, every front-end file named by its content hash and precompressed
# (brotli and gzip), and the server binary.
#
# cargo-leptos builds the two one after the other when it hashes or precompresses; they are
# independent (the server reads the hashed names at start-up), so they are built side by side
# here, in their own target directories.
set -euo pipefail
cd "$(dirname "$0")/.."
# Release WASM is optimised with binaryen 123 from npm (see the Makefile for why not Debian's).
export PATH="$PWD/end2end/node_modules/binaryen/bin:$PATH"
# cargo-leptos builds the server with this flag; the test builds use it too, to share crates.
export RUSTFLAGS="--cfg erase_components"

log=target/build-front.log
mkdir -p target
cargo leptos build --release --split --precompress --frontend-only >"$log" 2>&1 &
front=$!
server_ok=0
cargo leptos build --release --server-only || server_ok=$?
front_ok=0
wait $front || front_ok=$?
if [ $front_ok != 0 ]; then
  cat "$log" >&2
  echo "the WASM build failed" >&2
  exit 1
fi
tail -n 3 "$log"
# One file per route of the chunks its first page needs (see the script).
node scripts/bundle_chunks.mjs target/site/pkg target/release/hash.txt
[ $server_ok = 0 ] || { echo "the server build failed" >&2; exit 1; }
