#!/usr/bin/env bash
# Builds examples/leptos-ssr the way `cargo leptos build` would, without
# cargo-leptos (slow to install): the server with `--features ssr`, the
# wasm with `--features hydrate`, then wasm-bindgen into the site's pkg/ as
# `layers_leptos_ssr.js` + `layers_leptos_ssr_bg.wasm`, the names
# `HydrationScripts` asks for when LEPTOS_OUTPUT_NAME was not set at compile
# time. The server then reads the site from target/site/leptos-ssr.
#
# LEPTOS_SSR_PROFILE picks the wasm's cargo profile: `dev` (the default; the
# test build: quick to compile, and Leptos reports hydration mismatches only
# in debug builds) or `wasm-release` (what you would ship).
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p target
exec 9>target/.build-leptos-ssr.lock
flock 9

profile=${LEPTOS_SSR_PROFILE:-dev}
case "$profile" in dev) out=debug ;; *) out=$profile ;; esac

cargo build --locked -p layers-leptos-ssr --bin layers-leptos-ssr --features ssr
# The wasm target dir the widget's builds use: the dependencies it shares
# with them are compiled once.
cargo build --locked -p layers-leptos-ssr --lib --target wasm32-unknown-unknown --features hydrate \
  --profile "$profile" --target-dir target/wasm

site=target/site/leptos-ssr
rm -rf "$site.tmp" && mkdir -p "$site.tmp/pkg"
wasm-bindgen --target web --no-typescript --out-name layers_leptos_ssr --out-dir "$site.tmp/pkg" \
  "target/wasm/wasm32-unknown-unknown/$out/layers_leptos_ssr.wasm"
rm -rf "$site" && mv "$site.tmp" "$site"
echo "[build] leptos-ssr example: target/debug/layers-leptos-ssr, site in $site/ ($(du -b $site/pkg/layers_leptos_ssr_bg.wasm | cut -f1) bytes of wasm)" >&2
