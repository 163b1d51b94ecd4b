#!/usr/bin/env bash
# `npm run report`: size and latency figures of the shipped widget, against the
# issue's targets. Builds what it measures (the widget, the release demo server),
# then writes reports/report.json and reports/report.md, and reports/push.{json,md}. Not a test: it never
# fails on a missed target, it reports it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-widget.sh
cargo build --locked --release -p layers-demo
LAYERS_DEMO_BIN=target/release/layers-demo node tests/report/report.mjs "$@"
# The outcome stream's figure: a measurement of its own (reports/push.md).
LAYERS_DEMO_BIN=target/release/layers-demo exec node tests/report/push-report.mjs "$@"
