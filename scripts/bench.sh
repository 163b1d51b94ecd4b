#!/usr/bin/env bash
# `npm run bench`: the standalone proxy beside nginx and beside the floor,
# all in front of the same sandbox on loopback, under wrk. Not a test: it
# prints tables and writes reports/bench.md (date, commit, machine, figures).
#
# The sides: "ours" (layers-proxy as a partner runs it), "nginx" (a plain
# reverse proxy injecting the key, the yardstick of issue 14) and "floor"
# (tests/bench/floor: layers-proxy's stack, tokio + hyper + hyper-util's
# client + mimalloc, doing only what nginx does; what ours spends beyond it
# is ours, what it spends beyond nginx is the stack's).
#
# 1. Poll route throughput and p99: interleaved rounds at each connection
#    count, the sides' order rotating each round (ours nginx floor, then
#    nginx floor ours, ...), so a noisy neighbour or a warming cache hits all
#    sides alike; the medians are reported. Each run also reads the CPU time
#    (utime + stime from /proc) of the side's processes and of the sandbox
#    before and after, and wrk's own (bash's `time`), over wrk's request
#    count: µs of CPU per poll, which holds on a busy machine where
#    requests/s does not; their sum predicts the requests/s ratio when the
#    two cores are the limit ("by CPU").
# 2. Proxy memory (VmRSS) before and after BENCH_MINTS mints, each from a
#    new session (no cookie sent), and after as many again: bounded means the
#    second batch adds (about) nothing.
#
# Knobs (environment): BENCH_ROUNDS (3), BENCH_DURATION seconds per run (8),
# BENCH_CONNECTIONS ("64 256"), BENCH_MINTS (10000; 0 skips part 2),
# BENCH_THREADS (2, wrk's),
# BENCH_PROXY_WORKERS (unset: the default runtime; N: LAYERS_PROXY_WORKERS=N),
# BENCH_ALT_PROXY (a second layers-proxy binary: adds the side "alt", run
# like "ours", for a lever's A/B in one run), BENCH_SIDES (default "ours
# nginx floor", plus "alt" when BENCH_ALT_PROXY is set).
# Everything binds 127.0.0.1; everything started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-8}
CONNECTIONS=${BENCH_CONNECTIONS:-"64 256"}
MINTS=${BENCH_MINTS:-10000}
THREADS=${BENCH_THREADS:-2}
ALT_PROXY=${BENCH_ALT_PROXY:-}
SIDES=${BENCH_SIDES:-"ours nginx floor${ALT_PROXY:+ alt}"}
CLK_TCK=$(getconf CLK_TCK)
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
cargo build --release --locked -p layers-proxy-server -p layers-sandbox -p layers-bench-floor >&2
if [ -n "$ALT_PROXY" ]; then
  [ -x "$ALT_PROXY" ] || { say "BENCH_ALT_PROXY is not an executable: $ALT_PROXY"; exit 1; }
  # Copied: a rebuild of the working tree during the run must not change it.
  alt_copy=$(mktemp /tmp/layers-bench-alt.XXXXXX); cp "$ALT_PROXY" "$alt_copy"; chmod 755 "$alt_copy"
fi

work=$(mktemp -d /tmp/layers-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  [ -z "${alt_copy:-}" ] || rm -f "$alt_copy"
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
floor_port=$(free_port)
alt_port=$(free_port)

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
# (to a file, as a service manager would collect it). The alternative binary,
# if any, gets the same settings and cookie secret, so one cookie serves both.
cookie_secret=$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')
start_proxy() { # binary port log
  env LAYERS_API_BASE="http://127.0.0.1:$sandbox_port" LAYERS_API_KEY="$KEY" \
    LAYERS_PROXY_COOKIE_SECRET="$cookie_secret" \
    LAYERS_PROXY_PROJECTS=prj_demo \
    LAYERS_PROXY_RETURN_URLS=http://127.0.0.1:8080/return.html \
    LAYERS_PROXY_AUTHORIZE_ORIGINS="http://127.0.0.1:$sandbox_port" \
    PORT="$2" RUST_LOG=info ${BENCH_PROXY_WORKERS:+LAYERS_PROXY_WORKERS="$BENCH_PROXY_WORKERS"} \
    "$1" >"$3" 2>&1 &
}
start_proxy target/release/layers-proxy "$proxy_port" "$work/proxy.log"
pids+=($!)
proxy_pid=$!
alt_pid=
if [ -n "$ALT_PROXY" ]; then
  start_proxy "$alt_copy" "$alt_port" "$work/alt.log"
  pids+=($!)
  alt_pid=$!
fi

# The floor: the same stack, nginx's job only (it logs nothing per request).
FLOOR_UPSTREAM="http://127.0.0.1:$sandbox_port" FLOOR_API_KEY="$KEY" PORT="$floor_port" \
  target/release/layers-bench-floor >"$work/floor.log" 2>&1 &
pids+=($!)
floor_pid=$!

sed -e "s|@DIR@|$work|g" -e "s|@SANDBOX_PORT@|$sandbox_port|g" -e "s|@NGINX_PORT@|$nginx_port|g" \
  tests/bench/nginx.conf.template >"$work/nginx.conf"
nginx -p "$work" -e "$work/nginx-error.log" -c "$work/nginx.conf" \
  -g "daemon off; pid $work/nginx.pid;" &
pids+=($!)

wait_http "http://127.0.0.1:$sandbox_port/"
wait_http "http://127.0.0.1:$proxy_port/healthz"
wait_http "http://127.0.0.1:$nginx_port/"
wait_http "http://127.0.0.1:$floor_port/"
[ -z "$alt_pid" ] || wait_http "http://127.0.0.1:$alt_port/healthz"
# nginx's CPU is its master's and its workers' (started by now).
nginx_pids="$(cat "$work/nginx.pid") $(ps -o pid= --ppid "$(cat "$work/nginx.pid")" | tr '\n' ' ')"
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
floor_url="http://127.0.0.1:$floor_port/v1/social/oauth-status/$state"
alt_url="http://127.0.0.1:$alt_port/api/layers/social/oauth-status/$state"
side_url() { case $1 in ours) echo "$ours_url" ;; nginx) echo "$nginx_url" ;; floor) echo "$floor_url" ;; alt) echo "$alt_url" ;; esac; }
side_pids() { case $1 in ours) echo "$proxy_pid" ;; nginx) echo "$nginx_pids" ;; floor) echo "$floor_pid" ;; alt) echo "$alt_pid" ;; esac; }
for side in $SIDES; do
  [ -n "$(side_pids "$side")" ] || { say "unknown side $side (BENCH_SIDES; alt needs BENCH_ALT_PROXY)"; exit 1; }
  body=$(curl -sS --max-time 5 -H "Cookie: $cookie" -w ' %{http_code}' "$(side_url "$side")")
  case $body in *'"status":"pending"'*' 200') ;; *) say "$side poll answered: $body"; exit 1 ;; esac
done

# CPU ticks (utime + stime, all threads) of processes, summed.
ticks() {
  local pid total=0
  for pid in "$@"; do
    total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}

# wrk output → "requests_per_s p99_ms requests"; refuses a run with errors or
# non-2xx answers (a fast 404 or 429 is not a result).
parse_wrk() {
  awk '
    /Non-2xx or 3xx responses/ { bad = 1 }
    /Socket errors/ { bad = 1 }
    /Requests\/sec:/ { rps = $2 }
    / requests in / { requests = $1 }
    $1 == "99%" {
      v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
      ms = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v
      p99 = ms
    }
    END { if (bad || rps == "" || requests == "") exit 1; printf "%s %.3f %d\n", rps, p99, requests }' "$1"
}

run_wrk() { # side connections round
  local side=$1 conns=$2 round=$3 url out pids side0 sandbox0 side1 sandbox1
  url=$(side_url "$side")
  pids=$(side_pids "$side")
  out="$work/wrk-$side-$conns-$round.txt"
  # shellcheck disable=SC2086 # a list of pids
  side0=$(ticks $pids); sandbox0=$(ticks "$sandbox_pid")
  # wrk's own CPU too (bash's `time`: user and system seconds): on this
  # machine the client shares the cores, so it is part of every request's cost.
  { TIMEFORMAT='%U %S'; time wrk -t "$THREADS" -c "$conns" -d "${DURATION}s" --timeout 5s --latency \
    -H "Cookie: $cookie" "$url" >"$out"; } 2>"$out.time"
  # shellcheck disable=SC2086
  side1=$(ticks $pids); sandbox1=$(ticks "$sandbox_pid")
  if ! parse_wrk "$out" >"$out.parsed"; then
    say "$side at $conns connections had errors or non-2xx answers:"; cat "$out" >&2; exit 1
  fi
  # "side conns round requests/s p99 requests side-µs sandbox-µs wrk-µs" (CPU per poll)
  read -r rps p99 requests <"$out.parsed"
  read -r wrk_user wrk_sys <"$out.time"
  awk -v s="$side" -v c="$conns" -v r="$round" -v rps="$rps" -v p99="$p99" -v n="$requests" \
    -v st=$((side1 - side0)) -v bt=$((sandbox1 - sandbox0)) -v hz="$CLK_TCK" -v wt="$wrk_user + $wrk_sys" \
    'BEGIN { split(wt, w, " [+] "); printf "%s %d %d %s %s %d %.1f %.1f %.1f\n", s, c, r, rps, p99, n, st * 1e6 / hz / n, bt * 1e6 / hz / n, (w[1] + w[2]) * 1e6 / n }' \
    >>"$work/runs.txt"
  say "round $round, $conns connections, $side: $(tail -n 1 "$work/runs.txt" | cut -d' ' -f4-5) (requests/s, p99 ms), $(tail -n 1 "$work/runs.txt" | cut -d' ' -f7-9) µs CPU per poll (side, sandbox, wrk)"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average before the runs: $load_before"
# Warm-up, not counted: connection pools, page cache, CPU frequency.
for side in $SIDES; do
  wrk -t "$THREADS" -c 64 -d 2s -H "Cookie: $cookie" "$(side_url "$side")" >/dev/null
done

read -ra side_list <<<"$SIDES"
for round in $(seq "$ROUNDS"); do
  # Rotate: round 1 starts with the first side, round 2 with the second...
  order=()
  for i in "${!side_list[@]}"; do
    order+=("${side_list[$(((i + round - 1) % ${#side_list[@]}))]}")
  done
  for conns in $CONNECTIONS; do
    for side in "${order[@]}"; do run_wrk "$side" "$conns" "$round"; done
  done
done
rss_after_load=$(rss_kib "$proxy_pid")

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# med side connections field (4 requests/s, 5 p99, 7 side µs, 8 sandbox µs, 9 wrk µs) → the median of its runs, or "" without runs
med() { awk -v s="$1" -v c="$2" -v f="$3" '$1 == s && $2 == c { print $f }' "$work/runs.txt" | median; }
has_side() { case " $SIDES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
# ratio a b → a/b as "0.00×", or "–" when either is missing
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.2f×", a / b }'; }
table="| connections | side | requests/s | p99 ms | µs CPU per poll: side | sandbox | wrk | all three |
|---:|---|---:|---:|---:|---:|---:|---:|"
ratios="| connections | floor/nginx req/s | ours/nginx req/s | ours/floor req/s | floor/nginx p99 | ours/nginx p99 | ours/floor p99 | floor/nginx by CPU | ours/nginx by CPU | ours − floor, µs CPU per poll |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for conns in $CONNECTIONS; do
  for side in $SIDES; do
    row=$(awk -v c="$conns" -v s="$side" -v r="$(med "$side" "$conns" 4)" -v p="$(med "$side" "$conns" 5)" \
      -v u="$(med "$side" "$conns" 7)" -v b="$(med "$side" "$conns" 8)" -v w="$(med "$side" "$conns" 9)" \
      'BEGIN { printf "| %d | %s | %.0f | %.2f | %.1f | %.1f | %.1f | %.1f |", c, s, r, p, u, b, w, u + b + w }')
    table+=$'\n'"$row"
  done
  rps() { has_side "$1" && med "$1" "$conns" 4; }
  p99() { has_side "$1" && med "$1" "$conns" 5; }
  # CPU of side + sandbox + wrk per poll; "a/b by CPU" is b's over a's: the
  # requests/s ratio when the cores, not the neighbours, are the limit.
  all3() { has_side "$1" && awk -v u="$(med "$1" "$conns" 7)" -v b="$(med "$1" "$conns" 8)" -v w="$(med "$1" "$conns" 9)" 'BEGIN { print u + b + w }'; }
  gap="–"
  if has_side ours && has_side floor; then
    gap=$(awk -v o="$(med ours "$conns" 7)" -v f="$(med floor "$conns" 7)" 'BEGIN { printf "%.1f", o - f }')
  fi
  ratios+=$'\n'"| $conns | $(ratio "$(rps floor)" "$(rps nginx)") | $(ratio "$(rps ours)" "$(rps nginx)") | $(ratio "$(rps ours)" "$(rps floor)") | $(ratio "$(p99 floor)" "$(p99 nginx)") | $(ratio "$(p99 ours)" "$(p99 nginx)") | $(ratio "$(p99 ours)" "$(p99 floor)") | $(ratio "$(all3 nginx)" "$(all3 floor)") | $(ratio "$(all3 nginx)" "$(all3 ours)") | $gap |"
  if has_side alt; then
    alt_line+="at $conns connections: alt/ours $(ratio "$(rps alt)" "$(rps ours)") requests/s, $(ratio "$(p99 alt)" "$(p99 ours)") p99, µs CPU per poll $(med ours "$conns" 7) (ours) against $(med alt "$conns" 7) (alt); "
  fi
done
rounds_detail=$(sort -k2,2n -k3,3n "$work/runs.txt" |
  awk '{ printf "%s-%s-%s: %s requests/s, p99 %s ms, CPU per poll %s µs (sandbox %s µs, wrk %s µs)\n", $1, $2, $3, $4, $5, $7, $8, $9 }')

# Memory: sessions the proxy has never seen, BENCH_MINTS at a time (0: skipped).
mint_batch() {
  timeout 600 python3 tests/bench/mint_sessions.py "$proxy_port" "$MINTS" 4
}
if [ "$MINTS" -gt 0 ]; then
  say "minting $MINTS states from $MINTS new sessions, twice"
  batch1=$(mint_batch) || { say "first batch failed: $batch1"; exit 1; }
  rss_after_1=$(rss_kib "$proxy_pid")
  batch2=$(mint_batch) || { say "second batch failed: $batch2"; exit 1; }
  rss_after_2=$(rss_kib "$proxy_pid")
  say "first batch: $batch1; second batch: $batch2"
fi
sandbox_rss=$(rss_kib "$sandbox_pid")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

runtime="the default (one multi-threaded runtime)"
[ -n "${BENCH_PROXY_WORKERS:-}" ] && runtime="LAYERS_PROXY_WORKERS=$BENCH_PROXY_WORKERS"
commit=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- proxy proxy-server sandbox tests/bench Cargo.lock || commit="$commit (with uncommitted changes)"
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

memory="Proxy memory (VmRSS): $(mib "$rss_start") at start, $(mib "$rss_after_load") after the
load rounds"
if [ "$MINTS" -gt 0 ]; then
  memory+=", $(mib "$rss_after_1") after $MINTS mints from $MINTS new sessions
($batch1), $(mib "$rss_after_2") after $MINTS more ($batch2)"
fi
memory+=". Sandbox: $(mib "$sandbox_rss") at the end."
alt_note=
[ -z "$ALT_PROXY" ] || alt_note="
A/B: \"alt\" is \`$ALT_PROXY\`, run like \"ours\"; ${alt_line%; }.
"

report="# Benchmark: layers-proxy beside nginx and the floor

$(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit, $(nproc) CPUs ($cpu),
proxy runtime: $runtime,
load average $load_before before the runs, $load_after after. Written by
\`npm run bench\` (scripts/bench.sh).

Poll route (\`GET /api/layers/social/oauth-status/{state}\` through
\`layers-proxy\` (\"ours\"), with the session's cookies;
\`/v1/social/oauth-status/{state}\` through nginx and through the floor
(tests/bench/floor: layers-proxy's stack doing only nginx's job), which
inject the bearer key), all in front of the same sandbox on 127.0.0.1; wrk
\`-t $THREADS --latency\`, $ROUNDS interleaved rounds of ${DURATION} s per side
and connection count, the sides' order rotating, medians. CPU per poll is
utime + stime from /proc over the run's requests (nginx: master and
workers); the sandbox's and wrk's are theirs during that side's runs. wrk,
the sandbox and the side share the $(nproc) CPUs, so \"all three\" bounds the
requests/s a quiet machine can give: $(nproc) s of CPU per second over it.

$table

Targets (issue 14): ours/nginx ≥ 0.8× requests/s, ≤ 1.2× p99.

$ratios
$alt_note
Each run:

\`\`\`
$rounds_detail
\`\`\`

$memory
"
mkdir -p reports
printf '%s' "$report" >reports/bench.md
printf '%s' "$report"
say "written to reports/bench.md"
