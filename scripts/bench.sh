#!/usr/bin/env bash
# `npm run bench`: the standalone proxy beside nginx, both in front of the
# same sandbox on loopback, under wrk. Not a test: it prints a table and
# writes reports/bench.md (date, commit, machine, figures).
#
# 1. Poll route throughput and p99: interleaved rounds (ours, nginx, then
#    nginx, ours, ...) at each connection count, so a noisy neighbour or a
#    warming cache hits both sides alike; the medians are reported.
# 2. Proxy memory (VmRSS) before and after BENCH_MINTS mints, each from a
#    new session (no cookie sent), and after as many again: bounded means the
#    second batch adds (about) nothing.
#
# Knobs (environment): BENCH_ROUNDS (3), BENCH_DURATION seconds per run (8),
# BENCH_CONNECTIONS ("64 256"), BENCH_MINTS (10000), BENCH_THREADS (2, wrk's),
# BENCH_PROXY_WORKERS (unset: the default runtime; N: LAYERS_PROXY_WORKERS=N).
# Everything binds 127.0.0.1; everything started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-8}
CONNECTIONS=${BENCH_CONNECTIONS:-"64 256"}
MINTS=${BENCH_MINTS:-10000}
THREADS=${BENCH_THREADS:-2}
KEY=lp_test_demo # the sandbox's demo key; nginx injects it like the proxy does

say() { printf '[bench] %s\n' "$*" >&2; }

# wrk and nginx from Debian, only when missing (TOOLCHAIN.md).
if ! { command -v wrk && command -v nginx; } >/dev/null 2>&1; then
  say "installing wrk and nginx from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq wrk nginx >&2
fi

say "building release binaries"
cargo build --release --locked -p layers-proxy-server -p layers-sandbox >&2

work=$(mktemp -d /tmp/layers-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_http() { # url: until it answers anything, at most 10 s
  for _ in $(seq 100); do
    curl -s -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  say "no answer from $1"; return 1
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

sandbox_port=$(free_port)
proxy_port=$(free_port)
nginx_port=$(free_port)

# The sandbox with its per-state poll budget off and budgets out of reach, so
# both sides measure forwarding, never 429s. Its per-request info line is off
# (RUST_LOG=warn): it is the shared backend, not what is compared. Its
# request log is a ring of 10,000 entries, so it stays bounded too.
RUST_LOG=warn target/release/layers-sandbox --port "$sandbox_port" \
  --state-poll-burst 0 --read-budget 4000000000 --write-budget 4000000000 \
  >"$work/sandbox.log" 2>&1 &
pids+=($!)
sandbox_pid=$!

# Our proxy as a partner runs it: default settings, info-level access log
# (to a file, as a service manager would collect it).
env LAYERS_API_BASE="http://127.0.0.1:$sandbox_port" LAYERS_API_KEY="$KEY" \
  LAYERS_PROXY_COOKIE_SECRET="$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  LAYERS_PROXY_PROJECTS=prj_demo \
  LAYERS_PROXY_RETURN_URLS=http://127.0.0.1:8080/return.html \
  LAYERS_PROXY_AUTHORIZE_ORIGINS="http://127.0.0.1:$sandbox_port" \
  PORT="$proxy_port" RUST_LOG=info ${BENCH_PROXY_WORKERS:+LAYERS_PROXY_WORKERS="$BENCH_PROXY_WORKERS"} \
  target/release/layers-proxy >"$work/proxy.log" 2>&1 &
pids+=($!)
proxy_pid=$!

sed -e "s|@DIR@|$work|g" -e "s|@SANDBOX_PORT@|$sandbox_port|g" -e "s|@NGINX_PORT@|$nginx_port|g" \
  tests/bench/nginx.conf.template >"$work/nginx.conf"
nginx -p "$work" -e "$work/nginx-error.log" -c "$work/nginx.conf" \
  -g "daemon off; pid $work/nginx.pid;" &
pids+=($!)

wait_http "http://127.0.0.1:$sandbox_port/"
wait_http "http://127.0.0.1:$proxy_port/healthz"
wait_http "http://127.0.0.1:$nginx_port/"
rss_start=$(rss_kib "$proxy_pid")

# One state, minted through our proxy, with its cookies.
mint_status=$(curl -sS --max-time 5 -c "$work/jar" -o "$work/mint.json" -w '%{http_code}' \
  -H 'Sec-Fetch-Site: same-origin' -H 'Content-Type: application/json' \
  -d '{"platform":"tiktok","returnUrl":"http://127.0.0.1:8080/return.html"}' \
  "http://127.0.0.1:$proxy_port/api/layers/projects/prj_demo/social/oauth-url")
[ "$mint_status" = 200 ] || { say "mint answered $mint_status: $(cat "$work/mint.json")"; exit 1; }
state=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["state"])' "$work/mint.json")
# curl writes HttpOnly cookies as "#HttpOnly_<domain>" lines.
cookie=$(awk '{ sub(/^#HttpOnly_/, "") } /^#/ || NF != 7 { next } { printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$work/jar")

ours_url="http://127.0.0.1:$proxy_port/api/layers/social/oauth-status/$state"
nginx_url="http://127.0.0.1:$nginx_port/v1/social/oauth-status/$state"
for pair in "ours|$ours_url" "nginx|$nginx_url"; do
  url=${pair#*|}
  body=$(curl -sS --max-time 5 -H "Cookie: $cookie" -w ' %{http_code}' "$url")
  case $body in *'"status":"pending"'*' 200') ;; *) say "${pair%%|*} poll answered: $body"; exit 1 ;; esac
done

# wrk output → "requests_per_s p99_ms"; refuses a run with errors or non-2xx
# answers (a fast 404 or 429 is not a result).
parse_wrk() {
  awk '
    /Non-2xx or 3xx responses/ { bad = 1 }
    /Socket errors/ { bad = 1 }
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" {
      v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
      ms = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v
      p99 = ms
    }
    END { if (bad || rps == "") exit 1; printf "%s %.3f\n", rps, p99 }' "$1"
}

run_wrk() { # side connections round
  local side=$1 conns=$2 round=$3 url out
  url=$ours_url; [ "$side" = nginx ] && url=$nginx_url
  out="$work/wrk-$side-$conns-$round.txt"
  wrk -t "$THREADS" -c "$conns" -d "${DURATION}s" --timeout 5s --latency \
    -H "Cookie: $cookie" "$url" >"$out"
  if ! parse_wrk "$out" >"$out.parsed"; then
    say "$side at $conns connections had errors or non-2xx answers:"; cat "$out" >&2; exit 1
  fi
  say "round $round, $conns connections, $side: $(cat "$out.parsed") (requests/s, p99 ms)"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average before the runs: $load_before"
# Warm-up, not counted: connection pools, page cache, CPU frequency.
wrk -t "$THREADS" -c 64 -d 2s -H "Cookie: $cookie" "$ours_url" >/dev/null
wrk -t "$THREADS" -c 64 -d 2s "$nginx_url" >/dev/null

for round in $(seq "$ROUNDS"); do
  for conns in $CONNECTIONS; do
    if [ $((round % 2)) = 1 ]; then order="ours nginx"; else order="nginx ours"; fi
    for side in $order; do run_wrk "$side" "$conns" "$round"; done
  done
done
rss_after_load=$(rss_kib "$proxy_pid")

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
table="| connections | nginx requests/s | ours requests/s | ours/nginx | nginx p99 ms | ours p99 ms | ours/nginx |
|---:|---:|---:|---:|---:|---:|---:|"
for conns in $CONNECTIONS; do
  n_rps=$(cat "$work"/wrk-nginx-"$conns"-*.parsed | cut -d' ' -f1 | median)
  o_rps=$(cat "$work"/wrk-ours-"$conns"-*.parsed | cut -d' ' -f1 | median)
  n_p99=$(cat "$work"/wrk-nginx-"$conns"-*.parsed | cut -d' ' -f2 | median)
  o_p99=$(cat "$work"/wrk-ours-"$conns"-*.parsed | cut -d' ' -f2 | median)
  row=$(awk -v c="$conns" -v nr="$n_rps" -v or="$o_rps" -v np="$n_p99" -v op="$o_p99" \
    'BEGIN { printf "| %d | %.0f | %.0f | %.2f× | %.2f | %.2f | %.2f× |", c, nr, or, or / nr, np, op, op / np }')
  table+=$'\n'"$row"
done
rounds_detail=$(for f in "$work"/wrk-*.parsed; do
  name=$(basename "$f" .txt.parsed); printf '%s %s\n' "${name#wrk-}" "$(cat "$f")"
done | sort -t- -k2,2n -k3,3n | awk '{ printf "%s: %s requests/s, p99 %s ms\n", $1, $2, $3 }')

# Memory: sessions the proxy has never seen, BENCH_MINTS at a time.
mint_batch() {
  timeout 600 python3 tests/bench/mint_sessions.py "$proxy_port" "$MINTS" 4
}
say "minting $MINTS states from $MINTS new sessions, twice"
batch1=$(mint_batch) || { say "first batch failed: $batch1"; exit 1; }
rss_after_1=$(rss_kib "$proxy_pid")
batch2=$(mint_batch) || { say "second batch failed: $batch2"; exit 1; }
rss_after_2=$(rss_kib "$proxy_pid")
sandbox_rss=$(rss_kib "$sandbox_pid")
say "first batch: $batch1; second batch: $batch2"

runtime="the default (one multi-threaded runtime)"
[ -n "${BENCH_PROXY_WORKERS:-}" ] && runtime="LAYERS_PROXY_WORKERS=$BENCH_PROXY_WORKERS"
commit=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- proxy proxy-server sandbox Cargo.lock || commit="$commit (with uncommitted changes)"
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

report="# Benchmark: layers-proxy beside nginx

$(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit, $(nproc) CPUs ($cpu),
proxy runtime: $runtime,
load average before the runs $load_before. Written by \`npm run bench\`
(scripts/bench.sh).

Poll route (\`GET /api/layers/social/oauth-status/{state}\` through
\`layers-proxy\`, with the session's cookies; \`/v1/social/oauth-status/{state}\`
through nginx, which injects the bearer key), both in front of the same
sandbox on 127.0.0.1; wrk \`-t $THREADS --latency\`, $ROUNDS interleaved rounds of
${DURATION} s per side and connection count, medians:

$table

Each run:

\`\`\`
$rounds_detail
\`\`\`

Proxy memory (VmRSS): $(mib "$rss_start") at start, $(mib "$rss_after_load") after the
load rounds, $(mib "$rss_after_1") after $MINTS mints from $MINTS new sessions
($batch1), $(mib "$rss_after_2") after $MINTS more ($batch2). Sandbox:
$(mib "$sandbox_rss") at the end.
"
mkdir -p reports
printf '%s' "$report" >reports/bench.md
printf '%s' "$report"
say "written to reports/bench.md"
