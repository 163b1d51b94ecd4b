#!/usr/bin/env bash
# `npm test`: every test of the project, after installing what they need.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== native: sandbox, proxy, flow core =="
cargo test --workspace --locked
