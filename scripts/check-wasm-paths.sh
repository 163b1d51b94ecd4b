#!/usr/bin/env bash
# Fails when a wasm module names the build machine's directories: a home
# directory, Cargo's registry, or the checkout (given as the second argument).
# scripts/build-widget.sh runs it on the shipped module.
set -euo pipefail
wasm=$1
repo=${2:-$(pwd -P)}
status=0
for path in /root/ /home/ .cargo/registry .rustup/ "$repo"; do
  if grep -qaF -- "$path" "$wasm"; then
    echo "[check-wasm-paths] $wasm contains the build machine's path '$path' (build with --remap-path-prefix)" >&2
    status=1
  fi
done
exit $status
