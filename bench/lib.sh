# Helpers shared by the benchmark scripts; sourced, not run. Expects `ferry_bin`, `repo` and
# `work` to be set by the script, and the pids it starts in `bench_pids` (stopped in order by
# stop_bench_processes). The Ferry and nginx helpers also read `secret`, `api_key`, the ports
# and `nginx_workers`, as each one's comment says.

# This folder (bench/), to find files shared by the benchmarks.
bench_lib_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

# Installs the Debian packages named (as root) when their command is missing. Arguments are
# command:package pairs, e.g. `install_missing wrk:wrk curl:curl`.
install_missing() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || [[ -x "/usr/sbin/${pair%%:*}" ]] || missing+=("${pair#*:}")
  done
  ((${#missing[@]} == 0)) && return 0
  [[ $EUID -eq 0 ]] || die "missing ${missing[*]}: run as root to install them"
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null ||
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null; }
}

# Builds the release binary unless FERRY_BIN names one.
ensure_ferry() {
  [[ -x "$ferry_bin" ]] && return 0
  [[ -z "${FERRY_BIN:-}" ]] || die "FERRY_BIN=$ferry_bin is not an executable"
  log "building the release configuration of ferry"
  "$repo/scripts/build.sh" release ferry >&2
}

# Stops the processes of `bench_pids` in order, then removes `work` unless BENCH_KEEP=1.
# A process that exits with an error must not stop the others from being stopped (set -e).
stop_bench_processes() {
  local pid
  for pid in "${bench_pids[@]}"; do
    if [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; fi
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

# Writes a Ferry folder DIR: ferry.yaml (secret_key "$secret", level warn, loopback only, then
# the further lines given, e.g. a database_url) and one API_KEY integration "bench" whose base
# URL is BASE_URL.
write_bench_ferry_folder() {  # dir base-url [ferry.yaml lines...]
  local dir="$1" base_url="$2"
  shift 2
  mkdir -p "$dir"
  {
    cat <<EOF
secret_key: $secret
main_server_log_level: warn
listen_address: 127.0.0.1
EOF
    if (($# > 0)); then printf '%s\n' "$@"; fi
  } >"$dir/ferry.yaml"
  cat >"$dir/integrations.yaml" <<EOF
integrations:
  bench:
    auth: {auth_mode: API_KEY}
    requests:
      base_url: $base_url
      headers: {authorization: "Bearer \${api_key}"}
EOF
}

# Starts `ferry serve DIR --port PORT` with its output in LOG, stores its pid in the variable
# named PID_VAR (e.g. ferry_pid or "pids[1]"; not output, as the process must stay this
# shell's child) before waiting, so that a cleanup trap stops it even if it never answers,
# then waits until it answers.
launch_bench_ferry() {  # dir port log pid-var
  "$ferry_bin" serve "$1" --port "$2" >"$3" 2>&1 &
  printf -v "$4" '%s' "$!"
  wait_for "http://127.0.0.1:$2/health" || { cat "$3" >&2; die "ferry did not start (port $2)"; }
}

# Starts `ferry serve` in "$work/ferry" on "$ferry_port" (secret_key "$secret", level warn,
# loopback only) with one API_KEY integration "bench" whose base URL is $1, and waits until
# it answers. Sets ferry_pid.
start_bench_ferry() {
  write_bench_ferry_folder "$work/ferry" "$1"
  launch_bench_ferry "$work/ferry" "$ferry_port" "$work/ferry.log" ferry_pid
}

# Registers the API_KEY connection bench/u1 (api_key "$api_key") through the Ferry on PORT;
# its answer is kept in "$work/connection.json".
register_bench_connection() {  # port
  local status
  status="$(curl -s -o "$work/connection.json" -w '%{http_code}' -X POST "http://127.0.0.1:$1/connections" \
    -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' \
    -d "{\"provider_config_key\":\"bench\",\"connection_id\":\"u1\",\"credentials\":{\"type\":\"API_KEY\",\"api_key\":\"$api_key\"}}")"
  [[ "$status" == 2* ]] || die "registering the connection answered $status: $(cat "$work/connection.json")"
}

# --- the nginx origin of the proxy benchmarks -----------------------------------------------

# Starts nginx from bench/proxy/nginx.conf.template in "$work/nginx": the origin serving
# www/data.json on "$origin_port" and the proxy_pass baseline on "$nginx_proxy_port", with
# "$nginx_workers" workers. Sets nginx_pid.
start_nginx() {
  local nginx
  nginx="$(command -v nginx || echo /usr/sbin/nginx)"
  mkdir -p "$work/nginx/www"
  # ~200 bytes of JSON, the size of a typical small API answer.
  printf '%s' '{"id":"10042","key":"BENCH-42","fields":{"summary":"Proxy benchmark payload","status":{"name":"In Progress","id":"3"},"priority":{"name":"Medium"},"labels":["bench","proxy"],"updated":"2024-05-01T12:00:00.000+0000"}}' \
    >"$work/nginx/www/data.json"
  sed -e "s|@PREFIX@|$work/nginx|g" -e "s|@WORKERS@|$nginx_workers|g" \
    -e "s|@ORIGIN_PORT@|$origin_port|g" -e "s|@PROXY_PORT@|$nginx_proxy_port|g" \
    "$bench_lib_dir/proxy/nginx.conf.template" >"$work/nginx/nginx.conf"
  "$nginx" -t -q -c "$work/nginx/nginx.conf" -p "$work/nginx" -e "$work/nginx/error.log" ||
    die "nginx rejected its configuration"
  "$nginx" -c "$work/nginx/nginx.conf" -p "$work/nginx" -e "$work/nginx/error.log" &
  nginx_pid=$!
  wait_for "http://127.0.0.1:$origin_port/data.json" || { tail -5 "$work/nginx/error.log" >&2; die "nginx did not start"; }
  wait_for "http://127.0.0.1:$nginx_proxy_port/data.json" || die "the nginx proxy does not answer"
}

# nginx's master and workers.
nginx_pids() { echo "$nginx_pid" $(pgrep -P "$nginx_pid" || true); }

# --- measuring ------------------------------------------------------------------------------

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

# Share of all cores busy between two machine_ticks readings, e.g. "87%".
machine_busy() {  # before after
  awk -v a="$1" -v b="$2" 'BEGIN {split(a, x, " "); split(b, y, " ");
    busy = y[1] - x[1]; idle = y[2] - x[2]; printf "%.0f%%", 100 * busy / (busy + idle)}'
}

# Share of one core that TICKS clock ticks are over SECONDS, e.g. "87%".
core_share() {  # ticks seconds
  awk -v d="$1" -v hz="$(getconf CLK_TCK)" -v s="$2" 'BEGIN {printf "%.0f%%", 100 * d / hz / s}'
}

# Latency as wrk prints it (123.45us, 1.23ms, 1.02s) in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) printf "%.3f", substr(v, 1, length(v) - 2) / 1000;
    else if (v ~ /ms$/) printf "%.3f", substr(v, 1, length(v) - 2);
    else if (v ~ /m$/) printf "%.3f", substr(v, 1, length(v) - 1) * 60000;
    else if (v ~ /s$/) printf "%.3f", substr(v, 1, length(v) - 1) * 1000;
    else print "?" }'
}

# A percentile of a `wrk --latency` output ("50%", "99%") in milliseconds.
percentile() { to_ms "$(awk -v p="$2" '$1 == p {print $2; exit}' "$1")"; }

# Requests wrk completed ("  123456 requests in 10.00s, 50.00MB read").
wrk_requests() { awk '/ requests in / {print $1; exit}' "$1"; }

# How long the wrk run lasted, in seconds (the "10.00s" of the line above).
wrk_seconds() { awk '/requests in/ {sub(/s,?$/, "", $4); print $4; exit}' "$1"; }

proc_status() { awk -v k="$2:" '$1 == k {print $2, $3}' "/proc/$1/status"; }
