#!/usr/bin/env bash
# `npm start`: the demo on the embedded sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "[start] the widget is not built yet: starting the Layers sandbox alone." >&2
exec cargo run --locked --release -p layers-sandbox -- "$@"
