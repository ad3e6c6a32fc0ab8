# The two commands (see README): `make run` and `make test`. Both install what is missing first.

.PHONY: setup run test lint bench bench-scale drill screenshots

# The release build (scripts/build.sh) optimises the WASM with binaryen 123 from npm, installed
# with the browser-test packages: Debian's binaryen 108 rewrites wasm-bindgen's reference-typed
# table so that the bundle fails in the browser.

setup:
	@scripts/setup.sh

## Build in release mode and serve on http://127.0.0.1:3000 with demo data.
run: setup
	@scripts/run.sh

## Every test: Rust (SQLite + PostgreSQL) and browser journeys (JS on and off, both databases).
test: setup
	@scripts/test.sh

## Formatting and lints for the server and the WASM build.
lint: setup
	cargo fmt --all -- --check
	RUSTFLAGS="--cfg erase_components" cargo clippy -p app --features ssr --all-targets -- -D warnings
	RUSTFLAGS="--cfg erase_components" cargo clippy -p server --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

## Load-test the signed-in home page (release build, loopback).
bench: setup
	@scripts/bench.sh

## The benchmark's pages on a clinic-sized database beside the demo's (SCALE=10000 patients).
bench-scale: setup
	@scripts/bench_scale.sh

## The bad day, rehearsed (not part of `make test`): kill -9, the database away, SIGTERM.
drill: setup
	@scripts/build.sh >/dev/null
	@python3 scripts/drill.py $(DRILL_ARGS)

## PNG screenshots of the main pages (phone and desktop) in target/screenshots.
screenshots: setup
	@scripts/screenshots.sh
