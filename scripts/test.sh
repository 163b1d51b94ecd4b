#!/usr/bin/env bash
# `npm test`: every test of the project, after installing what they need.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CHROMEDRIVER=/usr/bin/chromedriver

echo "== 1/5 native: sandbox contract, proxy, flow core and properties =="
cargo test --workspace --locked
# The element's first screens, rendered by the view on the server (src/ui/first_paint.rs).
cargo test --locked --features ssr --lib ui::first_paint

echo "== 2/5 build: the shipped widget, the demo server and the Leptos SSR example =="
bash scripts/build-widget.sh
cargo build --locked -p layers-demo
bash scripts/build-leptos-ssr.sh

echo "== 3/5 browser: the Leptos component in headless Chromium (wasm-bindgen-test) =="
cargo test --locked --target wasm32-unknown-unknown --target-dir target/wasm --test '*_browser' --features csr

echo "== 4/5 types: the package's .d.ts, checked by tsc =="
npx --no-install tsc -p tests/types/tsconfig.json

echo "== 5/5 end to end: Playwright in headless Chromium against proxy + sandbox =="
npx --no-install playwright test
