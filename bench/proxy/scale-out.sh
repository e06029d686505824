#!/usr/bin/env bash
# Scale-out benchmark: what do two Ferry instances sharing one PostgreSQL database deliver
# through /proxy, next to one Ferry on SQLite?
#
# On loopback, against the nginx origin of run.sh (a ~200-byte JSON file), wrk measures
#   (c) wrk -> one Ferry on SQLite, /proxy (credential injected from the stored connection) -> origin
#   (d) wrk -> two Ferry instances on one PostgreSQL database, /proxy -> origin
# at 1 connection (latency; for (d), one instance) and at 64 connections (throughput; for (d),
# two wrk processes at once, one per instance, each with half the connections and one thread).
# The connection bench/u1 is registered once per database: through the SQLite Ferry, and
# through the first PostgreSQL instance only (the second one must find it in the database).
#
# PostgreSQL is a throwaway cluster from scripts/postgres-test-cluster.sh started with
# FERRY_PG_DURABLE=1: fsync, synchronous_commit and full_page_writes are on (PostgreSQL's
# defaults), as in production. It listens on a Unix socket only.
#
# Per run: req/s, p50, p99, non-2xx, socket errors, CPU of Ferry (all instances of the target),
# of PostgreSQL (every process of the cluster), of nginx, how busy the machine was, and the
# activity-log rows written per second to the target's database: every /proxy call appends one
# entry, queued and written in batches by a writer thread, so rows/s close to req/s and all
# calls logged once the run is over show that the logging path kept up.
#
# Usage (as root, from anywhere): bench/proxy/scale-out.sh
# Environment:
#   BENCH_DURATION       length of each measured wrk run (default 10s)
#   BENCH_WARMUP         length of the warm-up run per target, at BENCH_CONNECTIONS (default 3s)
#   BENCH_CONNECTIONS    connections of the throughput runs, an even number (default 64)
#   BENCH_NGINX_WORKERS  nginx worker_processes (default auto = one per core)
#   BENCH_PG_POOL_SIZE   database_pool_size of the PostgreSQL instances (default: Ferry's, 4)
#   BENCH_RESULTS_DIR    if set, the report, the raw wrk outputs and Ferry's logs are copied there
#   BENCH_KEEP           if 1, the temporary folder (configs, logs) is kept
#   FERRY_BIN            the ferry binary (default build/release/ferry, built if missing)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
command_line="$(printf '%q ' "$0" "$@")"

duration="${BENCH_DURATION:-10s}"
warmup="${BENCH_WARMUP:-3s}"
connections="${BENCH_CONNECTIONS:-64}"
nginx_workers="${BENCH_NGINX_WORKERS:-auto}"
pg_pool_size="${BENCH_PG_POOL_SIZE:-}"
ferry_bin="${FERRY_BIN:-$repo/build/release/ferry}"
results_dir="${BENCH_RESULTS_DIR:-}"
secret="bench-secret"
api_key="k-123"

# Everything talks to 127.0.0.1 or a Unix socket: never through an HTTP proxy from the environment.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

source "$here/../lib.sh"

if ! [[ "$connections" =~ ^[0-9]+$ ]] || ((connections < 2 || connections % 2 != 0)); then
  die "BENCH_CONNECTIONS must be an even number >= 2 (two wrk processes share them)"
fi
half=$((connections / 2))

# --- dependencies -------------------------------------------------------------------------

ensure_tools() {
  install_missing nginx:nginx-light wrk:wrk curl:curl psql:postgresql-client sqlite3:sqlite3
  # The server's binaries are not on PATH (Debian: /usr/lib/postgresql/<version>/bin).
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || install_missing initdb:postgresql
}

# --- processes ----------------------------------------------------------------------------

work=""
nginx_pid=""
ferry_pid=""     # (c), on SQLite
pg_ferry_pids=() # (d), on PostgreSQL: instance 1 and instance 2
pg_url=""
pg_dir=""

# Ferry first (it holds database sessions), then nginx, then the cluster.
cleanup() {
  local status=$?
  bench_pids=("${pg_ferry_pids[@]}" "$ferry_pid" "$nginx_pid")
  stop_bench_processes
  if [[ -n "$pg_url" ]]; then
    "$repo/scripts/postgres-test-cluster.sh" stop "$pg_url" 2>/dev/null ||
      log "could not stop the PostgreSQL cluster in $pg_dir"
  fi
  return "$status"
}

start_postgres() {
  pg_url="$(FERRY_PG_DURABLE=1 "$repo/scripts/postgres-test-cluster.sh" start 2>"$work/postgres-start.log")" ||
    { cat "$work/postgres-start.log" >&2; die "the PostgreSQL cluster did not start"; }
  pg_dir="$(sed -n 's/.*[?&]host=\([^&]*\).*/\1/p' <<<"$pg_url")"
  [[ "$(pg_query 'SHOW fsync')" == on ]] || die "the benchmark's cluster runs with fsync off"
}

pg_query() { psql "$pg_url" -X -Atq -c "$1"; }

# The postmaster's pid (first line of postmaster.pid).
postmaster_pid() { head -1 "$pg_dir/data/postmaster.pid"; }

# Clock ticks used by the whole cluster so far: the postmaster's own and those of its children
# that have exited (cutime, cstime: it reaps them), plus those of its live children (backends,
# writers, autovacuum). Sessions or workers that come and go during a run are thus all counted.
pg_ticks() {
  local pm fields own children
  pm="$(postmaster_pid)"
  fields="$(sed 's/^.*) //' "/proc/$pm/stat")"
  own="$(awk '{print $12 + $13 + $14 + $15}' <<<"$fields")"
  children="$(cpu_ticks $(pgrep -P "$pm" || true))"
  echo $((own + children))
}

start_ferries() {
  local base="http://127.0.0.1:$origin_port/" pool=() i
  # (c): one Ferry on SQLite, as run.sh starts it.
  start_bench_ferry "$base"
  register_bench_connection "$ferry_port"
  # (d): two folders with the same configuration and keys (each instance writes its own
  # ferry-server.log into its folder) on the one database.
  [[ -z "$pg_pool_size" ]] || pool=("database_pool_size: $pg_pool_size")
  for i in 1 2; do
    write_bench_ferry_folder "$work/ferry-pg$i" "$base" "database_url: \"$pg_url\"" "${pool[@]}"
    launch_bench_ferry "$work/ferry-pg$i" "${pg_ferry_ports[i - 1]}" "$work/ferry-pg$i.log" "pg_ferry_pids[$((i - 1))]"
  done
  register_bench_connection "${pg_ferry_ports[0]}"
}

# --- targets ------------------------------------------------------------------------------

ferry_headers=(-H "Authorization: Bearer $secret" -H "Connection-Id: u1" -H "Provider-Config-Key: bench")

# c = the SQLite Ferry, d1 and d2 = the PostgreSQL instances.
instance_port() {
  case "$1" in
    c) echo "$ferry_port" ;;
    d1) echo "${pg_ferry_ports[0]}" ;;
    d2) echo "${pg_ferry_ports[1]}" ;;
  esac
}

instance_url() { echo "http://127.0.0.1:$(instance_port "$1")/proxy/$2"; }

instance_name() {
  case "$1" in
    c) echo "(c) Ferry on SQLite" ;;
    d1) echo "(d) PostgreSQL instance 1" ;;
    d2) echo "(d) PostgreSQL instance 2" ;;
  esac
}

target_name() {
  case "$1" in
    c) echo "(c) 1 Ferry, SQLite" ;;
    d) echo "(d) 2 Ferry, PostgreSQL" ;;
  esac
}

# Every instance must serve the file unchanged and reach the origin with the credential
# injected; instance 2 must find the connection registered through instance 1, and the
# connection must be stored once, in PostgreSQL.
check_targets() {
  local i body rows
  for i in c d1 d2; do
    body="$(curl -sf "${ferry_headers[@]}" "$(instance_url "$i" data.json)")" || die "$(instance_name "$i") fails"
    [[ "$body" == "$(cat "$work/nginx/www/data.json")" ]] || die "$(instance_name "$i") altered the body: $body"
    body="$(curl -sf "${ferry_headers[@]}" "$(instance_url "$i" echo-authorization)")" || die "$(instance_name "$i") fails"
    [[ "$body" == "Bearer $api_key" ]] || die "$(instance_name "$i") sent Authorization '$body' upstream"
  done
  rows="$(pg_query "SELECT count(*) FROM connections WHERE provider_config_key = 'bench' AND connection_id = 'u1'")"
  [[ "$rows" == 1 ]] || die "PostgreSQL holds $rows rows for the connection bench/u1, expected 1"
  [[ ! -e "$work/ferry-pg1/ferry.db" && ! -e "$work/ferry-pg2/ferry.db" ]] ||
    die "a PostgreSQL instance created a SQLite database"
  log "all three instances serve the file and inject 'Bearer $api_key'; instance 2 uses the connection registered through instance 1"
}

# --- activity log -------------------------------------------------------------------------

# The id of the newest activity entry of the target's database. Ids only grow (pruning removes
# the oldest entries), so differences count the entries written in between.
activity_id() {
  case "$1" in
    c) sqlite3 -cmd '.timeout 5000' "$work/ferry/ferry.db" 'SELECT coalesce(max(id), 0) FROM activity' ;;
    d) pg_query 'SELECT coalesce(max(id), 0) FROM activity' ;;
  esac
}

# Waits until the writer has written what it had queued: the newest id unchanged over 0.6 s,
# three times the writer's longest wait for a partial batch (up to 15 s). Prints the id.
activity_settled() {
  local last now stable=0
  last="$(activity_id "$1")"
  for _ in $(seq 75); do
    sleep 0.2
    now="$(activity_id "$1")"
    if [[ "$now" == "$last" ]]; then
      stable=$((stable + 1))
      ((stable < 3)) || break
    else
      stable=0
      last="$now"
    fi
  done
  echo "$last"
}

# --- measuring ----------------------------------------------------------------------------

wrk_run() {  # instance threads connections duration output-file
  wrk -t"$2" -c"$3" -d"$4" --latency "${ferry_headers[@]}" "$(instance_url "$1" data.json)" >"$5"
}

# Starts the load of one run and waits for it: for (c) one wrk; for (d) at one connection one
# wrk on instance 1, else one wrk per instance at once, each with half the connections.
# Prints the wrk output files.
load_target() {  # target connections duration output-prefix
  local t="$1" conns="$2" d="$3" out="$4" pids=() status=0 pid threads=1
  if [[ "$t" == c ]]; then
    ((conns > 1)) && threads=2
    wrk_run c "$threads" "$conns" "$d" "$out-c.txt"
    echo "$out-c.txt"
  elif ((conns == 1)); then
    wrk_run d1 1 1 "$d" "$out-d1.txt"
    echo "$out-d1.txt"
  else
    wrk_run d1 1 $((conns / 2)) "$d" "$out-d1.txt" &
    pids+=($!)
    wrk_run d2 1 $((conns / 2)) "$d" "$out-d2.txt" &
    pids+=($!)
    for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
    ((status == 0)) || die "wrk failed ($status)"
    echo "$out-d1.txt" "$out-d2.txt"
  fi
}

target_ferry_pids() { if [[ "$1" == c ]]; then echo "$ferry_pid"; else echo "${pg_ferry_pids[@]}"; fi; }

rows=()
lost_rows=()
instance_rows=()
cpu_rows=()

# One measured run of a target: CPU and activity ids before and after, wrk's outputs combined
# (req/s, requests, non-2xx and socket errors summed; p50 and p99 the worse of the instances').
measure() {  # target connections
  local t="$1" conns="$2" files f i
  local m0 m1 n0 n1 f0 f1 p0 p1 a0 a1 a2 secs=0 rps=0 requests=0 non2xx=0 sockerr=0 p50=0 p99=0
  local ferry_cpu pg_cpu nginx_cpu machine log_rate logged
  log "$(target_name "$t"), $conns connection(s), $duration"
  a0="$(activity_id "$t")"
  m0="$(machine_ticks)"
  n0="$(cpu_ticks $(nginx_pids))"
  f0="$(cpu_ticks $(target_ferry_pids "$t"))"
  p0="$(pg_ticks)"
  files="$(load_target "$t" "$conns" "$duration" "$work/wrk-$t-${conns}c")"
  p1="$(pg_ticks)"
  f1="$(cpu_ticks $(target_ferry_pids "$t"))"
  n1="$(cpu_ticks $(nginx_pids))"
  m1="$(machine_ticks)"
  a1="$(activity_id "$t")"
  a2="$(activity_settled "$t")"
  for f in $files; do
    secs="$(awk -v a="$secs" -v b="$(wrk_seconds "$f")" 'BEGIN {print (b > a) ? b : a}')"
    rps="$(awk -v a="$rps" -v b="$(awk '/^Requests\/sec:/ {print $2}' "$f")" 'BEGIN {printf "%.2f", a + b}')"
    requests=$((requests + $(wrk_requests "$f")))
    non2xx=$((non2xx + $(awk '/Non-2xx or 3xx responses:/ {n = $NF} END {print n + 0}' "$f")))
    sockerr=$((sockerr + $(awk '/Socket errors:/ {gsub(/,/, ""); n = $4 + $6 + $8 + $10} END {print n + 0}' "$f")))
    p50="$(awk -v a="$p50" -v b="$(percentile "$f" 50%)" 'BEGIN {print (b > a) ? b : a}')"
    p99="$(awk -v a="$p99" -v b="$(percentile "$f" 99%)" 'BEGIN {print (b > a) ? b : a}')"
  done
  machine="$(machine_busy "$m0" "$m1")"
  ferry_cpu="$(core_share $((f1 - f0)) "$secs")"
  pg_cpu="$(core_share $((p1 - p0)) "$secs")"
  nginx_cpu="$(core_share $((n1 - n0)) "$secs")"
  log_rate="$(awk -v n=$((a1 - a0)) -v s="$secs" 'BEGIN {printf "%.0f", n / s}')"
  logged="$(awk -v n=$((a2 - a0)) -v r="$requests" 'BEGIN {printf "%s", (r > 0) ? sprintf("%.1f%%", 100 * n / r) : "-"}')"
  # Fewer entries than requests: the writer lost some (see the report's note).
  if ((a2 - a0 < requests)); then
    lost_rows+=("$(target_name "$t") at $conns connection(s): $((requests - (a2 - a0))) of $requests requests have no activity entry")
  fi
  rows+=("| $(target_name "$t") | $conns | $rps | $p50 | $p99 | $non2xx | $sockerr | $ferry_cpu | $pg_cpu | $nginx_cpu | $machine | $log_rate | $logged |")
  # PostgreSQL per request only for (d): during (c) it only idles.
  cpu_rows+=("$(awk -v name="$(target_name "$t")" -v c="$conns" -v n="$requests" -v f=$((f1 - f0)) -v p=$((p1 - p0)) \
    -v hz="$(getconf CLK_TCK)" -v pg="$([[ "$t" == d ]] && echo 1 || echo 0)" 'BEGIN { printf "| %s | %d | %d | %s | %s |", name, c, n,
      (n > 0 ? sprintf("%.1f", 1e6 * f / hz / n) : "-"), (n > 0 && pg ? sprintf("%.1f", 1e6 * p / hz / n) : "-") }')")
  # With two wrk processes, each on its own: how the two instances shared the load.
  [[ "$files" == *" "* ]] || return 0
  for f in $files; do
    i="${f##*-}"
    i="${i%.txt}"
    instance_rows+=("| $(instance_name "$i") | $(awk '/ threads and / {print $4; exit}' "$f") | $(awk '/^Requests\/sec:/ {print $2}' "$f") | $(percentile "$f" 50%) | $(percentile "$f" 99%) | $(wrk_requests "$f") |")
  done
}

warm_up() {
  local t
  for t in c d; do
    log "warming up $(target_name "$t") for $warmup at $connections connections"
    load_target "$t" "$connections" "$warmup" "$work/warmup-$t" >/dev/null
    activity_settled "$t" >/dev/null
  done
}

# --- main ---------------------------------------------------------------------------------

main() {
  ensure_tools
  ensure_ferry
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  work="$(mktemp -d "${TMPDIR:-/tmp}/ferry-scale-out-bench.XXXXXX")"
  chmod 755 "$work"  # nginx's workers run as an unprivileged user and must read www/
  origin_port="$(pick_port)"
  nginx_proxy_port="$(pick_port "$origin_port")"
  ferry_port="$(pick_port "$origin_port" "$nginx_proxy_port")"
  pg_ferry_ports=("$(pick_port "$origin_port" "$nginx_proxy_port" "$ferry_port")")
  pg_ferry_ports+=("$(pick_port "$origin_port" "$nginx_proxy_port" "$ferry_port" "${pg_ferry_ports[0]}")")

  start_nginx
  start_postgres
  start_ferries
  check_targets
  warm_up
  local conns t
  for conns in 1 "$connections"; do
    for t in c d; do measure "$t" "$conns"; done
  done

  local report="$work/results.md" pg_settings threads
  pg_settings="$(pg_query "SELECT string_agg(name || ' ' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings
    WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'wal_level')")"
  threads="$(awk '$1 == "Threads:" {print $2}' "/proc/$ferry_pid/status") threads on SQLite, $(awk '$1 == "Threads:" {print $2}' "/proc/${pg_ferry_pids[0]}/status") on PostgreSQL"
  {
    echo "## Ferry scale-out benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- command: \`${FERRY_BIN:+FERRY_BIN=$FERRY_BIN }BENCH_DURATION=$duration BENCH_WARMUP=$warmup BENCH_CONNECTIONS=$connections BENCH_NGINX_WORKERS=$nginx_workers${pg_pool_size:+ BENCH_PG_POOL_SIZE=$pg_pool_size} ${command_line% }\`"
    echo "- machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
    echo "- $(nginx -v 2>&1 | sed 's/^nginx version: //') (worker_processes $nginx_workers), $(wrk -v 2>&1 | awk 'NR == 1 {print $1, $2}'), $("$ferry_bin" version 2>/dev/null | head -1) ($threads)"
    echo "- (c): SQLite $(sqlite3 --version | awk '{print $1}') (the system library; Ferry uses WAL, synchronous NORMAL)"
    echo "- (d): PostgreSQL $(pg_query 'SHOW server_version' | awk '{print $1}'), Unix socket, $pg_settings; database_pool_size ${pg_pool_size:-4 (default)} per instance"
    echo "- wrk: (c) \`-t1 -c1\` and \`-t2 -c$connections\`; (d) \`-t1 -c1\` on instance 1, and two \`-t1 -c$half\` at once, one per instance; \`-d$duration --latency\`, after a $warmup warm-up per target at $connections connections"
    echo
    echo "| target | conns | req/s | p50 ms | p99 ms | non-2xx | socket errors | Ferry CPU | PostgreSQL CPU | nginx CPU | machine busy | log rows/s | logged |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "For (d) at $connections connections the two wrk outputs are combined: req/s, non-2xx and"
    echo "socket errors are summed; p50 and p99 are the worse of the two instances' (each instance's are"
    echo "below). CPU columns: share of one core used during the run. Ferry sums the target's instances;"
    echo "PostgreSQL counts every process of the cluster, those that exited during the run included (during"
    echo "(c) it only idles); nginx is the origin. Machine busy: share of all $(nproc) cores busy, wrk and"
    echo "anything else included. Log rows/s: activity entries written to the target's database during the"
    echo "run, per second; each /proxy call writes one, so this is close to req/s if the writer kept up."
    echo "Logged: entries written by the time the writer was idle again, over the requests wrk completed"
    echo "(a little above 100% from requests still in flight when wrk stopped; below it, entries were lost)."
    echo
    if ((${#lost_rows[@]} > 0)); then
      echo "**Activity entries lost:**"
      echo
      printf -- '- %s\n' "${lost_rows[@]}"
      echo
      echo "Ferry drops an activity entry when its writer's queue (10,000 entries per instance) is full,"
      echo "i.e. when the writer falls behind; a failed write would instead log a warning. Warnings about"
      echo "the activity log in Ferry's logs: $(cat "$work"/ferry*.log | grep -c 'activity log' || true)."
      echo
    fi
    echo "### (d) at $connections connections, each instance"
    echo
    echo "| instance | conns | req/s | p50 ms | p99 ms | requests |"
    echo "|---|---:|---:|---:|---:|---:|"
    printf '%s\n' "${instance_rows[@]}"
    echo
    echo "### CPU per request"
    echo
    echo "| target | conns | requests | Ferry CPU µs per request | PostgreSQL CPU µs per request |"
    echo "|---|---:|---:|---:|---:|"
    printf '%s\n' "${cpu_rows[@]}"
    echo
    echo "User + system time (\`/proc/PID/stat\`) over the measured run, divided by the requests wrk completed."
  } >"$report"
  cat "$report"
  if [[ -n "$results_dir" ]]; then
    mkdir -p "$results_dir"
    cp "$report" "$work"/wrk-*.txt "$work"/ferry*.log "$results_dir/"
  fi
}

main "$@"
