#!/usr/bin/env bash
# `npm start`: builds the widget and serves the demo on http://127.0.0.1:8080/
# (PORT overrides) through the demo server (layers-demo: the reference proxy and the pages), in front of the embedded
# Layers sandbox, or the real API when LAYERS_API_BASE and LAYERS_API_KEY are set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-widget.sh
cargo build --locked --release -p layers-demo
exec target/release/layers-demo "$@"
