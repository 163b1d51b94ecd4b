#!/usr/bin/env bash
# Instructions per poll, counted by callgrind (docs/proxy.md, Performance):
# deterministic where CPU time on the shared machine is not, so a lever that
# saves 2% shows. Not a test; needs valgrind (Debian) and release builds
# (`cargo build --release --locked -p layers-proxy-server -p layers-sandbox
# -p layers-bench-floor`).
#
#   bash tests/bench/callgrind_polls.sh ours|floor [polls] [binary]
#
# Starts a sandbox and the side under callgrind on 127.0.0.1, polls one
# state 200 times to warm up, zeroes the counters, polls `polls` (2000)
# times on one kept-alive connection, dumps, and prints the total and the
# inclusive instructions per poll of the functions docs/proxy.md names.
# `binary` replaces target/release/layers-proxy (an A/B of a lever).
set -euo pipefail
cd "$(dirname "$0")/../.."
side=${1:?usage: callgrind_polls.sh ours|floor [polls] [binary]}
polls=${2:-2000}
case $side in
  ours) bin=${3:-target/release/layers-proxy} ;;
  floor) bin=${3:-target/release/layers-bench-floor} ;;
  *) echo "callgrind_polls.sh: the side is ours or floor, not $side" >&2; exit 2 ;;
esac
command -v valgrind >/dev/null || { echo "callgrind_polls.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }

work=$(mktemp -d /tmp/layers-callgrind.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_http() {
  for _ in $(seq 300); do curl -s -o /dev/null --max-time 1 "$1" && return 0; sleep 0.2; done
  echo "callgrind_polls.sh: no answer from $1" >&2; return 1
}
sandbox_port=$(free_port)
port=$(free_port)
RUST_LOG=warn target/release/layers-sandbox --port "$sandbox_port" --state-poll-burst 0 \
  --read-budget 4000000000 --write-budget 4000000000 >"$work/sandbox.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$sandbox_port/"

if [ "$side" = ours ]; then
  # As scripts/bench.sh runs it: info-level access log into a file.
  env LAYERS_API_BASE="http://127.0.0.1:$sandbox_port" LAYERS_API_KEY=lp_test_demo \
    LAYERS_PROXY_COOKIE_SECRET="$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    LAYERS_PROXY_PROJECTS=prj_demo LAYERS_PROXY_RETURN_URLS=http://127.0.0.1:8080/return.html \
    LAYERS_PROXY_AUTHORIZE_ORIGINS="http://127.0.0.1:$sandbox_port" PORT="$port" RUST_LOG=info \
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$bin" >"$work/side.log" 2>&1 &
else
  FLOOR_UPSTREAM="http://127.0.0.1:$sandbox_port" FLOOR_API_KEY=lp_test_demo PORT="$port" \
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$bin" >"$work/side.log" 2>&1 &
fi
pids+=($!)
side_pid=$!
wait_http "http://127.0.0.1:$port/"

python3 - "$side" "$port" "$sandbox_port" "$polls" "$side_pid" <<'PY'
import http.client, json, subprocess, sys
side, port, sandbox_port, polls, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
mint_body = json.dumps({"platform": "tiktok", "returnUrl": "http://127.0.0.1:8080/return.html"})
conn = http.client.HTTPConnection("127.0.0.1", port)
if side == "ours":
    conn.request("POST", "/api/layers/projects/prj_demo/social/oauth-url", body=mint_body,
                 headers={"Sec-Fetch-Site": "same-origin", "Content-Type": "application/json"})
    answer = conn.getresponse()
    state = json.loads(answer.read())["state"]
    cookie = "; ".join(v.split(";")[0] for k, v in answer.getheaders() if k.lower() == "set-cookie")
    path, headers = "/api/layers/social/oauth-status/" + state, {"Cookie": cookie}
else:
    sandbox = http.client.HTTPConnection("127.0.0.1", sandbox_port)
    sandbox.request("POST", "/v1/projects/prj_demo/social/oauth-url", body=mint_body,
                    headers={"Authorization": "Bearer lp_test_demo", "Content-Type": "application/json"})
    state = json.loads(sandbox.getresponse().read())["state"]
    path, headers = "/v1/social/oauth-status/" + state, {}
def poll(n):
    for _ in range(n):
        conn.request("GET", path, headers=headers)
        answer = conn.getresponse()
        body = answer.read()
        # A fast 404 is not a result.
        if answer.status != 200 or b'"pending"' not in body:
            sys.exit(f"poll answered {answer.status}: {body[:200]!r}")
poll(200)
subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
poll(polls)
subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
PY

dump=$(ls "$work"/callgrind.out.* | head -n 1)
callgrind_annotate --inclusive=yes "$dump" >"$work/inclusive.txt" 2>/dev/null
per_poll() { # a function name as callgrind_annotate prints it → its inclusive Ir per poll
  grep -F "$1" "$work/inclusive.txt" | head -n 1 | awk -v n="$polls" '{ gsub(",", "", $1); printf "%.0f", $1 / n }'
}
total=$(grep 'PROGRAM TOTALS' "$work/inclusive.txt" | awk -v n="$polls" '{ gsub(",", "", $1); printf "%.0f", $1 / n }')
echo "$side ($bin): $total instructions per poll over $polls polls"
if [ "$side" = ours ]; then
  for f in 'layers_proxy::session::owns ' 'layers_proxy::upstream::LayersClient::send::{{closure}} ' \
    'AccessLine as tower_http' 'RouteSpan as tower_http'; do
    echo "  $(per_poll "$f") in ${f% }"
  done
fi
echo "  callgrind's files: $work (callgrind_annotate --inclusive=yes $dump)"
