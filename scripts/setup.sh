#!/usr/bin/env bash
# Installs what the demo and the tests need, idempotently: a second run on a
# machine that already has everything takes about a second.
# See ../shared/design/TOOLCHAIN.md for why each tool comes from where it does.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*" >&2; }

# 1. The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown >&2
fi

# 2. wasm-bindgen CLI at exactly the version Cargo.lock resolved; the runner
#    and the bindgen output must match the crate or the module will not load.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (about 3 minutes, once)"
  # No --locked: the registry lacks one of its locked transitive versions.
  cargo install wasm-bindgen-cli --version "=$want" >&2
fi

# 3. Chromium and ChromeDriver from Debian (never a downloaded browser build).
if ! { command -v chromium && command -v chromedriver; } >/dev/null 2>&1; then
  say "installing chromium and chromium-driver from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium chromium-driver >&2
fi

# 3b. redis-server from Debian: the multi-instance test (proxy-server/tests/redis_instances.rs)
#     starts its own on a free port, and fails without it rather than skipping.
if ! { command -v redis-server && command -v redis-cli; } >/dev/null 2>&1; then
  say "installing redis-server from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq redis-server >&2
fi

# 4. npm packages (Playwright without its browser download, binaryen's wasm-opt).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >&2
fi
