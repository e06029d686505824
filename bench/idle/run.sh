#!/usr/bin/env bash
# Idle connections benchmark: how much memory does Ferry spend on an idle keep-alive connection?
#
# Starts `ferry serve` (secret_key bench-secret, log level warn, one API_KEY integration) and
# reads its RSS while idle. Then bench/idle/hold.mjs opens N keep-alive TCP connections to it,
# sends one `GET /health HTTP/1.1` on each and reads its 200, and keeps them all open and idle.
# The script checks that all N answered, then, well inside the server's 60 s keep-alive
# idle_timeout, reads Ferry's VmRSS, VmHWM, open file descriptors (/proc/PID/fd) and established
# sockets (ss), prints a markdown table with the RSS per connection, closes everything, and reads
# the RSS once more.
#
# Usage (as root, from anywhere): bench/idle/run.sh
# Environment:
#   BENCH_IDLE_CONNECTIONS  connections to hold (default 10000)
#   BENCH_IDLE_SETTLE       seconds to wait once all have answered, before measuring (default 2)
#   BENCH_IDLE_PARALLEL     connections the client opens at once (default 200)
#   BENCH_RESULTS_DIR       if set, the table and Ferry's log are copied there
#   BENCH_KEEP              if 1, the temporary folder (config, logs) is kept
#   FERRY_BIN               the ferry binary (default build/release/ferry, built if missing)
# The open-files limit (ulimit -n) of this shell, hence of Ferry and of the client, is raised to
# N + 1024 when lower (as root, the hard limit too).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
command_line="$(printf '%q ' "$0" "$@")"

connections="${BENCH_IDLE_CONNECTIONS:-10000}"
settle="${BENCH_IDLE_SETTLE:-2}"
parallel="${BENCH_IDLE_PARALLEL:-200}"
ferry_bin="${FERRY_BIN:-$repo/build/release/ferry}"
results_dir="${BENCH_RESULTS_DIR:-}"
secret="bench-secret"
idle_timeout=60     # Ferry's ServerOptions::idle_timeout, in seconds
measure_within=45   # measure at most this long after the first connection was answered

# Everything talks to 127.0.0.1: never through an HTTP proxy from the environment.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

source "$here/../lib.sh"

# --- dependencies -------------------------------------------------------------------------

ensure_tools() { install_missing node:nodejs curl:curl ss:iproute2; }

# Ferry and the client each need one descriptor per connection, plus their own.
raise_fd_limit() {
  local need=$((connections + 1024)) soft hard nr_open
  soft="$(ulimit -Sn)"
  hard="$(ulimit -Hn)"
  [[ "$soft" == unlimited ]] && return 0
  ((soft >= need)) && return 0
  if [[ "$hard" != unlimited ]] && ((hard < need)); then
    [[ $EUID -eq 0 ]] || die "ulimit -Hn is $hard, $need needed for $connections connections: run as root"
    nr_open="$(cat /proc/sys/fs/nr_open)"
    ((need <= nr_open)) || die "$need descriptors needed, above fs.nr_open ($nr_open)"
    ulimit -Hn "$need" ||
      die "could not raise the hard open-files limit from $hard to $need (root without CAP_SYS_RESOURCE?)"
  fi
  ulimit -Sn "$need" || die "could not raise the open-files limit to $need"
  log "open-files limit raised from $soft to $(ulimit -Sn)"
}

# --- processes ----------------------------------------------------------------------------

work=""
ferry_pid=""
hold_pid=""

cleanup() {
  bench_pids=("$hold_pid" "$ferry_pid")
  stop_bench_processes
}

# One integration, as in bench/proxy; no request goes upstream here.
start_ferry() { start_bench_ferry http://127.0.0.1:9/; }

# --- measuring ----------------------------------------------------------------------------

# "12345" (kB) for VmRSS, VmHWM...
proc_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }
established() { ss -Htn state established "( sport = :$ferry_port )" | wc -l; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
# A number field of hold.mjs's one-line JSON.
json_number() { sed -n "s/.*\"$2\":\\([0-9]*\\).*/\\1/p" <<<"$1"; }
now_ms() { date +%s%3N; }

# Waits for hold.mjs's line with "event":"$1" and prints it.
wait_hold_event() {
  local line
  for _ in $(seq 1200); do  # up to 2 minutes
    line="$(grep -m1 "\"event\":\"$1\"" "$work/hold.out" || true)"
    [[ -n "$line" ]] && { echo "$line"; return 0; }
    kill -0 "$hold_pid" 2>/dev/null || { cat "$work/hold.err" >&2; die "the client (hold.mjs) exited early"; }
    sleep 0.1
  done
  die "the client (hold.mjs) did not report $1 in time"
}

# --- main ---------------------------------------------------------------------------------

main() {
  [[ "$connections" =~ ^[1-9][0-9]*$ ]] || die "BENCH_IDLE_CONNECTIONS must be a positive number"
  ensure_tools
  ensure_ferry
  raise_fd_limit
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  work="$(mktemp -d "${TMPDIR:-/tmp}/ferry-idle-bench.XXXXXX")"
  ferry_port="$(pick_port)"

  start_ferry
  local ferry_limit
  ferry_limit="$(awk '/^Max open files/ {print $4}' "/proc/$ferry_pid/limits")"
  [[ "$ferry_limit" == unlimited ]] || ((ferry_limit >= connections + 64)) ||
    die "Ferry's open-files limit is $ferry_limit, too low for $connections connections"

  sleep 1
  local rss0 hwm0 fds0
  rss0="$(proc_kb "$ferry_pid" VmRSS)"
  hwm0="$(proc_kb "$ferry_pid" VmHWM)"
  fds0="$(fd_count "$ferry_pid")"
  log "Ferry idle: VmRSS $(mib "$rss0"), $fds0 open descriptors"

  log "opening $connections keep-alive connections (GET /health on each), $parallel at a time"
  node "$here/hold.mjs" 127.0.0.1 "$ferry_port" "$connections" 120 "$parallel" \
    >"$work/hold.out" 2>"$work/hold.err" &
  hold_pid=$!
  local ready answered failed closed opening first
  ready="$(wait_hold_event ready)"
  answered="$(json_number "$ready" answered_200)"
  failed="$(json_number "$ready" failed)"
  closed="$(json_number "$ready" closed_while_idle)"
  opening="$(json_number "$ready" opening_ms)"
  first="$(json_number "$ready" first_answer_at)"
  log "$answered of $connections connections answered 200 and stayed open ($failed failed, $closed closed since) in $opening ms"
  if ((answered != connections || closed != 0)); then
    log "client report: $ready"
    grep -i 'accept' "$work/ferry.log" | sort | uniq -c | head -5 >&2 || true
    die "not every connection is held open with its 200 answered: nothing measured"
  fi

  sleep "$settle"
  local rss1 hwm1 fds1 est threads measured_after
  rss1="$(proc_kb "$ferry_pid" VmRSS)"
  hwm1="$(proc_kb "$ferry_pid" VmHWM)"
  fds1="$(fd_count "$ferry_pid")"
  est="$(established)"
  threads="$(awk '$1 == "Threads:" {print $2}' "/proc/$ferry_pid/status")"
  measured_after=$(( ($(now_ms) - first) / 1000 ))
  ((measured_after < measure_within)) ||
    die "measured ${measured_after}s after the first answer: too close to Ferry's ${idle_timeout}s idle_timeout"

  # Close them all, and check that none had been closed by Ferry while measuring.
  local closing still_open
  kill -USR2 "$hold_pid"
  closing="$(wait_hold_event closing)"
  wait "$hold_pid" 2>/dev/null || true
  hold_pid=""
  still_open="$(json_number "$closing" open_before_closing)"
  ((still_open == connections)) ||
    die "only $still_open of $connections connections were still open when the client closed them"
  sleep 1
  local rss2 fds2
  rss2="$(proc_kb "$ferry_pid" VmRSS)"
  fds2="$(fd_count "$ferry_pid")"
  kill -0 "$ferry_pid" 2>/dev/null || die "Ferry exited"
  curl -sf -o /dev/null "http://127.0.0.1:$ferry_port/health" || die "Ferry no longer answers /health"

  local per_conn report="$work/results.md"
  per_conn="$(awk -v a="$rss0" -v b="$rss1" -v n="$connections" 'BEGIN {printf "%.2f", (b - a) / n}')"
  {
    echo "## Ferry idle keep-alive connections, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- command: \`${FERRY_BIN:+FERRY_BIN=$FERRY_BIN }BENCH_IDLE_CONNECTIONS=$connections ${command_line% }\`"
    echo "- machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
    echo "- $("$ferry_bin" version 2>/dev/null | head -1) ($threads threads), client $(node --version) (\`bench/idle/hold.mjs\`, node:net), open-files limit $ferry_limit"
    echo "- $answered of $connections connections answered \`GET /health\` with 200 and kept alive (opened in $opening ms,"
    echo "  $parallel at a time); measured ${settle}s after the last answer, ${measured_after}s after the first (Ferry's idle_timeout: ${idle_timeout}s);"
    echo "  all $still_open were still open when the client closed them."
    echo
    echo "| connections held | RSS idle before | RSS with $connections idle connections | per connection | VmHWM (peak) | Ferry open fds | established sockets |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    echo "| $answered | $(mib "$rss0") | $(mib "$rss1") | $per_conn KiB | $(mib "$hwm1") | $fds0 → $fds1 | $est |"
    echo
    echo "RSS is \`VmRSS\` from \`/proc/PID/status\`; per connection = (RSS with the connections - RSS idle) / $connections."
    echo "Open fds: entries of \`/proc/PID/fd\` idle, then with the connections held. Established sockets: \`ss\` on Ferry's port."
    echo "VmHWM idle before: $(mib "$hwm0"). One second after the client closed them: RSS $(mib "$rss2"), $fds2 open fds."
  } >"$report"
  cat "$report"
  if grep -qi 'accept failed' "$work/ferry.log"; then
    log "warning: Ferry logged accept failures: $(grep -ci 'accept failed' "$work/ferry.log") lines"
  fi
  if [[ -n "$results_dir" ]]; then
    mkdir -p "$results_dir"
    cp "$report" "$work/ferry.log" "$results_dir/"
  fi
}

main "$@"
