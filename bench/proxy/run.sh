#!/usr/bin/env bash
# Proxy benchmark: how much does going through Ferry's /proxy cost compared with nginx?
#
# On loopback, against an nginx origin serving a ~200-byte JSON file, wrk measures
#   (a) wrk -> nginx (the origin itself)
#   (b) wrk -> nginx proxy_pass adding a static Authorization header -> origin
#   (c) wrk -> Ferry /proxy (credential injected from the stored connection) -> origin
# at 1 connection (latency) and 64 connections (throughput), and prints a markdown table
# with req/s, p50, p99, non-2xx responses, socket errors and CPU use, Ferry's RSS after the
# runs, and the two ratios the targets are stated in.
#
# Usage (as root, from anywhere): bench/proxy/run.sh
# Environment:
#   BENCH_DURATION       length of each measured wrk run (default 10s)
#   BENCH_WARMUP         length of the warm-up run per target, at 64 connections (default 3s)
#   BENCH_NGINX_WORKERS  nginx worker_processes (default auto = one per core, like Ferry's threads)
#   BENCH_RESULTS_DIR    if set, the table and the raw wrk outputs are copied there
#   BENCH_KEEP           if 1, the temporary folder (configs, logs) is kept
#   FERRY_BIN            the ferry binary (default build/release/ferry, built if missing)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
command_line="$(printf '%q ' "$0" "$@")"

duration="${BENCH_DURATION:-10s}"
warmup="${BENCH_WARMUP:-3s}"
nginx_workers="${BENCH_NGINX_WORKERS:-auto}"
ferry_bin="${FERRY_BIN:-$repo/build/release/ferry}"
results_dir="${BENCH_RESULTS_DIR:-}"
secret="bench-secret"
api_key="k-123"

# Everything talks to 127.0.0.1: never through an HTTP proxy from the environment.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

# --- dependencies -------------------------------------------------------------------------

ensure_tools() {
  local missing=()
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v curl >/dev/null || missing+=(curl)
  ((${#missing[@]} == 0)) && return 0
  [[ $EUID -eq 0 ]] || die "missing ${missing[*]}: run as root to install them"
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null ||
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null; }
}

ensure_ferry() {
  [[ -x "$ferry_bin" ]] && return 0
  [[ -z "${FERRY_BIN:-}" ]] || die "FERRY_BIN=$ferry_bin is not an executable"
  log "building the release configuration of ferry"
  "$repo/scripts/build.sh" release ferry >&2
}

# --- processes ----------------------------------------------------------------------------

work=""
nginx_pid=""
ferry_pid=""

cleanup() {
  local pid
  for pid in "$ferry_pid" "$nginx_pid"; do
    [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  if [[ -n "$work" && "${BENCH_KEEP:-0}" != 1 ]]; then rm -rf "$work"; fi
  [[ -n "$work" && "${BENCH_KEEP:-0}" == 1 ]] && log "kept $work"
  return 0
}

port_is_free() { ! ss -Htan "( sport = :$1 )" | grep -q .; }

# A free TCP port in 20000-39999 not already in the arguments.
pick_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    [[ " $* " == *" $port "* ]] && continue
    port_is_free "$port" && { echo "$port"; return; }
  done
}

# Waits until `curl URL` succeeds (up to ~10 s); extra arguments go to curl.
wait_for() {
  local url="$1"
  shift
  for _ in $(seq 100); do
    curl -sf -o /dev/null "$@" "$url" && return 0
    sleep 0.1
  done
  return 1
}

start_nginx() {
  local nginx
  nginx="$(command -v nginx || echo /usr/sbin/nginx)"
  mkdir -p "$work/nginx/www"
  # ~200 bytes of JSON, the size of a typical small API answer.
  printf '%s' '{"id":"10042","key":"BENCH-42","fields":{"summary":"Proxy benchmark payload","status":{"name":"In Progress","id":"3"},"priority":{"name":"Medium"},"labels":["bench","proxy"],"updated":"2024-05-01T12:00:00.000+0000"}}' \
    >"$work/nginx/www/data.json"
  sed -e "s|@PREFIX@|$work/nginx|g" -e "s|@WORKERS@|$nginx_workers|g" \
    -e "s|@ORIGIN_PORT@|$origin_port|g" -e "s|@PROXY_PORT@|$nginx_proxy_port|g" \
    "$here/nginx.conf.template" >"$work/nginx/nginx.conf"
  "$nginx" -t -q -c "$work/nginx/nginx.conf" -p "$work/nginx" -e "$work/nginx/error.log" ||
    die "nginx rejected its configuration"
  "$nginx" -c "$work/nginx/nginx.conf" -p "$work/nginx" -e "$work/nginx/error.log" &
  nginx_pid=$!
  wait_for "http://127.0.0.1:$origin_port/data.json" || { tail -5 "$work/nginx/error.log" >&2; die "nginx did not start"; }
  wait_for "http://127.0.0.1:$nginx_proxy_port/data.json" || die "the nginx proxy does not answer"
}

start_ferry() {
  mkdir -p "$work/ferry"
  cat >"$work/ferry/ferry.yaml" <<EOF
secret_key: $secret
main_server_log_level: warn
listen_address: 127.0.0.1
EOF
  cat >"$work/ferry/integrations.yaml" <<EOF
integrations:
  bench:
    auth: {auth_mode: API_KEY}
    requests:
      base_url: http://127.0.0.1:$origin_port/
      headers: {authorization: "Bearer \${api_key}"}
EOF
  "$ferry_bin" serve "$work/ferry" --port "$ferry_port" >"$work/ferry.log" 2>&1 &
  ferry_pid=$!
  wait_for "http://127.0.0.1:$ferry_port/health" || { cat "$work/ferry.log" >&2; die "ferry did not start"; }
  local status
  status="$(curl -s -o "$work/connection.json" -w '%{http_code}' -X POST "http://127.0.0.1:$ferry_port/connections" \
    -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' \
    -d "{\"provider_config_key\":\"bench\",\"connection_id\":\"u1\",\"credentials\":{\"type\":\"API_KEY\",\"api_key\":\"$api_key\"}}")"
  [[ "$status" == 2* ]] || die "registering the connection answered $status: $(cat "$work/connection.json")"
}

# --- measuring ----------------------------------------------------------------------------

ferry_headers=(-H "Authorization: Bearer $secret" -H "Connection-Id: u1" -H "Provider-Config-Key: bench")

target_url() {
  case "$1" in
    a) echo "http://127.0.0.1:$origin_port/$2" ;;
    b) echo "http://127.0.0.1:$nginx_proxy_port/$2" ;;
    c) echo "http://127.0.0.1:$ferry_port/proxy/$2" ;;
  esac
}

target_headers() { [[ "$1" == c ]] && printf '%s\n' "${ferry_headers[@]}"; return 0; }

target_name() {
  case "$1" in
    a) echo "(a) nginx direct" ;;
    b) echo "(b) nginx proxy_pass" ;;
    c) echo "(c) Ferry /proxy" ;;
  esac
}

# Each target must serve the file unchanged, and (b) and (c) must reach the origin with the
# injected credential, before anything is measured.
check_targets() {
  local t headers body
  for t in a b c; do
    mapfile -t headers < <(target_headers "$t")
    body="$(curl -sf "${headers[@]}" "$(target_url "$t" data.json)")" || die "$(target_name "$t") fails"
    [[ "$body" == "$(cat "$work/nginx/www/data.json")" ]] || die "$(target_name "$t") altered the body: $body"
  done
  for t in b c; do
    mapfile -t headers < <(target_headers "$t")
    body="$(curl -sf "${headers[@]}" "$(target_url "$t" echo-authorization)")" || die "$(target_name "$t") fails"
    [[ "$body" == "Bearer $api_key" ]] || die "$(target_name "$t") sent Authorization '$body' upstream"
  done
  log "all three targets serve the file; (b) and (c) inject 'Bearer $api_key'"
}

# Sum of user+system clock ticks of the given processes (all their threads).
cpu_ticks() {
  local total=0 pid fields
  for pid in "$@"; do
    [[ -r /proc/$pid/stat ]] || continue
    fields="$(sed 's/^.*) //' "/proc/$pid/stat")"
    total=$((total + $(awk '{print $12 + $13}' <<<"$fields")))
  done
  echo "$total"
}

# "busy idle" jiffies of the whole machine, from the first line of /proc/stat.
machine_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6; exit}' /proc/stat; }

nginx_pids() { echo "$nginx_pid" $(pgrep -P "$nginx_pid" || true); }

# Latency as wrk prints it (123.45us, 1.23ms, 1.02s) in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) printf "%.3f", substr(v, 1, length(v) - 2) / 1000;
    else if (v ~ /ms$/) printf "%.3f", substr(v, 1, length(v) - 2);
    else if (v ~ /m$/) printf "%.3f", substr(v, 1, length(v) - 1) * 60000;
    else if (v ~ /s$/) printf "%.3f", substr(v, 1, length(v) - 1) * 1000;
    else print "?" }'
}

percentile() { to_ms "$(awk -v p="$2" '$1 == p {print $2; exit}' "$1")"; }

run_wrk() {  # target connections duration output-file
  local t="$1" conns="$2" threads=1 headers
  ((conns > 1)) && threads=2
  mapfile -t headers < <(target_headers "$t")
  wrk -t"$threads" -c"$conns" -d"$3" --latency "${headers[@]}" "$(target_url "$t" data.json)" >"$4"
}

clk_tck="$(getconf CLK_TCK)"
rows=()
declare -A rps p50

measure() {  # target connections
  local t="$1" conns="$2" out="$work/wrk-$1-$2c.txt"
  local n0 f0 n1 f1 m0 m1 secs non2xx sockerr nginx_cpu ferry_cpu machine
  m0="$(machine_ticks)"
  n0="$(cpu_ticks $(nginx_pids))"
  f0="$(cpu_ticks "$ferry_pid")"
  log "$(target_name "$t"), $conns connection(s), $duration"
  run_wrk "$t" "$conns" "$duration" "$out"
  n1="$(cpu_ticks $(nginx_pids))"
  f1="$(cpu_ticks "$ferry_pid")"
  m1="$(machine_ticks)"
  machine="$(awk -v a="$m0" -v b="$m1" 'BEGIN {split(a, x, " "); split(b, y, " ");
    busy = y[1] - x[1]; idle = y[2] - x[2]; printf "%.0f%%", 100 * busy / (busy + idle)}')"
  secs="$(awk '/requests in/ {sub(/s,?$/, "", $4); print $4; exit}' "$out")"
  nginx_cpu="$(awk -v d=$((n1 - n0)) -v hz="$clk_tck" -v s="$secs" 'BEGIN {printf "%.0f%%", 100 * d / hz / s}')"
  ferry_cpu="-"
  [[ "$t" == c ]] && ferry_cpu="$(awk -v d=$((f1 - f0)) -v hz="$clk_tck" -v s="$secs" 'BEGIN {printf "%.0f%%", 100 * d / hz / s}')"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"
  sockerr="$(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$out")"
  rps[$t$conns]="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  p50[$t$conns]="$(percentile "$out" 50%)"
  rows+=("| $(target_name "$t") | $conns | ${rps[$t$conns]} | ${p50[$t$conns]} | $(percentile "$out" 99%) | ${non2xx:-0} | ${sockerr:-0} | $nginx_cpu | $ferry_cpu | $machine |")
}

proc_status() { awk -v k="$2:" '$1 == k {print $2, $3}' "/proc/$1/status"; }

verdict() { awk -v v="$1" -v op="$2" -v lim="$3" 'BEGIN {
  ok = (op == ">=") ? v >= lim : v <= lim; print ok ? "met" : "NOT met" }'; }

# --- main ---------------------------------------------------------------------------------

main() {
  ensure_tools
  ensure_ferry
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  work="$(mktemp -d "${TMPDIR:-/tmp}/ferry-proxy-bench.XXXXXX")"
  chmod 755 "$work"  # nginx's workers run as an unprivileged user and must read www/
  origin_port="$(pick_port)"
  nginx_proxy_port="$(pick_port "$origin_port")"
  ferry_port="$(pick_port "$origin_port" "$nginx_proxy_port")"

  start_nginx
  start_ferry
  check_targets
  local idle_rss t conns
  idle_rss="$(proc_status "$ferry_pid" VmRSS)"

  for t in a b c; do
    log "warming up $(target_name "$t") for $warmup"
    run_wrk "$t" 64 "$warmup" "$work/warmup-$t.txt"
  done
  for conns in 1 64; do
    for t in a b c; do measure "$t" "$conns"; done
  done

  local rss hwm threads throughput added nginx_added report="$work/results.md"
  rss="$(proc_status "$ferry_pid" VmRSS)"
  hwm="$(proc_status "$ferry_pid" VmHWM)"
  threads="$(awk '$1 == "Threads:" {print $2}' "/proc/$ferry_pid/status")"
  throughput="$(awk -v f="${rps[c64]}" -v n="${rps[b64]}" 'BEGIN {printf "%.2f", f / n}')"
  added="$(awk -v f="${p50[c1]}" -v d="${p50[a1]}" 'BEGIN {printf "%.3f", f - d}')"
  nginx_added="$(awk -v f="${p50[b1]}" -v d="${p50[a1]}" 'BEGIN {printf "%.3f", f - d}')"

  {
    echo "## Ferry proxy benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- command: \`${FERRY_BIN:+FERRY_BIN=$FERRY_BIN }BENCH_DURATION=$duration BENCH_WARMUP=$warmup BENCH_NGINX_WORKERS=$nginx_workers ${command_line% }\`"
    echo "- machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
    echo "- $(nginx -v 2>&1 | sed 's/^nginx version: //') (worker_processes $nginx_workers), $(wrk -v 2>&1 | awk 'NR == 1 {print $1, $2}'), $("$ferry_bin" version 2>/dev/null | head -1) ($threads threads)"
    echo "- wrk: \`-t1 -c1\` and \`-t2 -c64\`, \`-d$duration --latency\`, after a $warmup warm-up per target at 64 connections"
    echo
    echo "| target | conns | req/s | p50 ms | p99 ms | non-2xx | socket errors | nginx CPU | Ferry CPU | machine busy |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "nginx and Ferry CPU: share of one core used during the run (nginx: master and workers, origin and"
    echo "proxy alike). Machine busy: share of all $(nproc) cores busy during the run, wrk and anything else included."
    echo
    echo "Ferry RSS: idle before the runs $idle_rss; after the runs VmRSS $rss, VmHWM (peak) $hwm."
    echo
    echo "- throughput at 64 connections, Ferry / nginx proxy: **$throughput** (target >= 0.8: $(verdict "$throughput" ">=" 0.8))"
    echo "- added p50 at 1 connection, Ferry - nginx direct: **$added ms** (target <= 0.1 ms: $(verdict "$added" "<=" 0.1)); nginx proxy - nginx direct: $nginx_added ms"
  } >"$report"
  cat "$report"
  if [[ -n "$results_dir" ]]; then
    mkdir -p "$results_dir"
    cp "$report" "$work"/wrk-*.txt "$work/ferry.log" "$results_dir/"
  fi
}

main "$@"
