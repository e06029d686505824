#!/usr/bin/env bash
# Proxy benchmark: how much does going through Ferry's /proxy cost compared with nginx?
#
# On loopback, against an nginx origin serving a ~200-byte JSON file, wrk measures
#   (a) wrk -> nginx (the origin itself)
#   (b) wrk -> nginx proxy_pass adding a static Authorization header -> origin
#   (c) wrk -> Ferry /proxy (credential injected from the stored connection) -> origin
# at 1 connection (latency) and 64 connections (throughput), and prints a markdown table
# with req/s, p50, p99, non-2xx responses, socket errors and CPU use, Ferry's RSS after the
# runs, and the two ratios the targets are stated in. For (c) it also prints Ferry's CPU time
# per request at 1 and 64 connections (utime+stime from /proc/PID/stat over the measured run,
# divided by the requests wrk completed), and, from one extra short pass at 64 connections
# with `strace -c -f -p PID` attached to Ferry, its system calls per request. strace slows
# Ferry a lot: only the counts per request of that pass mean anything, not its req/s.
#
# Usage (as root, from anywhere): bench/proxy/run.sh
# Environment:
#   BENCH_DURATION         length of each measured wrk run (default 10s)
#   BENCH_WARMUP           length of the warm-up run per target, at 64 connections (default 3s)
#   BENCH_NGINX_WORKERS    nginx worker_processes (default auto = one per core, like Ferry's threads)
#   BENCH_STRACE           if 0, the strace pass (syscalls per request) is skipped (default 1)
#   BENCH_STRACE_DURATION  length of the wrk run of the strace pass, 64 connections (default 3s)
#   BENCH_PERF             if 1, one more 64-connection run of (c) is sampled with `perf record -g`
#                          and the report lists Ferry's CPU by library and its hottest symbols
#                          (default 0; needs Debian's linux-perf)
#   BENCH_RESULTS_DIR      if set, the table and the raw wrk (and strace) outputs are copied there
#   BENCH_KEEP             if 1, the temporary folder (configs, logs) is kept
#   FERRY_BIN              the ferry binary (default build/release/ferry, built if missing)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
command_line="$(printf '%q ' "$0" "$@")"

duration="${BENCH_DURATION:-10s}"
warmup="${BENCH_WARMUP:-3s}"
nginx_workers="${BENCH_NGINX_WORKERS:-auto}"
strace_enabled="${BENCH_STRACE:-1}"
strace_duration="${BENCH_STRACE_DURATION:-3s}"
perf_enabled="${BENCH_PERF:-0}"
ferry_bin="${FERRY_BIN:-$repo/build/release/ferry}"
results_dir="${BENCH_RESULTS_DIR:-}"
secret="bench-secret"
api_key="k-123"

# Everything talks to 127.0.0.1: never through an HTTP proxy from the environment.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

source "$here/../lib.sh"

# --- dependencies -------------------------------------------------------------------------

ensure_tools() {
  local wanted=(nginx:nginx-light wrk:wrk curl:curl)
  [[ "$strace_enabled" == 0 ]] || wanted+=(strace:strace)
  [[ "$perf_enabled" != 1 ]] || wanted+=(perf:linux-perf)
  install_missing "${wanted[@]}"
}

# --- processes ----------------------------------------------------------------------------

work=""
nginx_pid=""
ferry_pid=""
strace_pid=""

# strace first: SIGINT makes it detach from Ferry's threads before Ferry is stopped.
cleanup() {
  bench_pids=("$strace_pid" "$ferry_pid" "$nginx_pid")
  stop_bench_processes
}

start_ferry() {
  start_bench_ferry "http://127.0.0.1:$origin_port/"
  register_bench_connection "$ferry_port"
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

run_wrk() {  # target connections duration output-file
  local t="$1" conns="$2" threads=1 headers
  ((conns > 1)) && threads=2
  mapfile -t headers < <(target_headers "$t")
  wrk -t"$threads" -c"$conns" -d"$3" --latency "${headers[@]}" "$(target_url "$t" data.json)" >"$4"
}

clk_tck="$(getconf CLK_TCK)"
rows=()
cpu_rows=()
declare -A rps p50

measure() {  # target connections
  local t="$1" conns="$2" out="$work/wrk-$1-$2c.txt"
  local n0 f0 n1 f1 m0 m1 secs requests non2xx sockerr nginx_cpu ferry_cpu machine
  m0="$(machine_ticks)"
  n0="$(cpu_ticks $(nginx_pids))"
  f0="$(cpu_ticks "$ferry_pid")"
  log "$(target_name "$t"), $conns connection(s), $duration"
  run_wrk "$t" "$conns" "$duration" "$out"
  n1="$(cpu_ticks $(nginx_pids))"
  f1="$(cpu_ticks "$ferry_pid")"
  m1="$(machine_ticks)"
  machine="$(machine_busy "$m0" "$m1")"
  secs="$(wrk_seconds "$out")"
  nginx_cpu="$(core_share $((n1 - n0)) "$secs")"
  ferry_cpu="-"
  if [[ "$t" == c ]]; then
    ferry_cpu="$(core_share $((f1 - f0)) "$secs")"
    # Ferry's CPU time (all its threads, user + system) per request wrk completed.
    requests="$(wrk_requests "$out")"
    cpu_rows+=("$(awk -v c="$conns" -v n="$requests" -v d=$((f1 - f0)) -v hz="$clk_tck" 'BEGIN {
      printf "| %d | %d | %.2f | %s |", c, n, d / hz, (n > 0 ? sprintf("%.1f", 1e6 * d / hz / n) : "-") }')")
  fi
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"
  sockerr="$(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$out")"
  rps[$t$conns]="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  p50[$t$conns]="$(percentile "$out" 50%)"
  rows+=("| $(target_name "$t") | $conns | ${rps[$t$conns]} | ${p50[$t$conns]} | $(percentile "$out" 99%) | ${non2xx:-0} | ${sockerr:-0} | $nginx_cpu | $ferry_cpu | $machine |")
}

# --- system calls per request (strace pass) -----------------------------------------------

strace_rows=()
strace_summary_line=""

ferry_tasks() { ls "/proc/$ferry_pid/task"; }

# How many of Ferry's threads are traced right now (TracerPid not 0).
ferry_traced_tasks() {
  local n=0 task tracer
  for task in $(ferry_tasks); do
    tracer="$(awk '$1 == "TracerPid:" {print $2}' "/proc/$ferry_pid/task/$task/status" 2>/dev/null || echo 0)"
    [[ "${tracer:-0}" != 0 ]] && n=$((n + 1))
  done
  echo "$n"
}

# Ferry must be left as it was: no thread traced or stopped, and /proxy still answering.
check_ferry_healthy() {
  local task state body
  for _ in $(seq 50); do
    [[ "$(ferry_traced_tasks)" == 0 ]] && break
    sleep 0.1
  done
  [[ "$(ferry_traced_tasks)" == 0 ]] || die "strace did not detach from Ferry ($(ferry_traced_tasks) threads still traced)"
  for task in $(ferry_tasks); do
    state="$(awk '$1 == "State:" {print $2}' "/proc/$ferry_pid/task/$task/status" 2>/dev/null || true)"
    [[ "$state" != [tT] ]] || die "Ferry's thread $task is left stopped (state $state) after strace"
  done
  body="$(curl -sf -m 5 "${ferry_headers[@]}" "$(target_url c data.json)")" || die "Ferry no longer serves /proxy after strace"
  [[ "$body" == "$(cat "$work/nginx/www/data.json")" ]] || die "Ferry serves a different body after strace: $body"
}

# One extra wrk run of (c) at 64 connections with `strace -c -f` attached to all of Ferry's
# threads; every system call count is divided by the requests wrk completed in that run.
strace_pass() {
  local out="$work/wrk-strace-64c.txt" summary="$work/strace-c.txt" requests secs tasks non2xx
  log "strace pass: $(target_name c), 64 connections, $strace_duration, strace -c -f -p $ferry_pid"
  strace -c -f -p "$ferry_pid" -o "$summary" 2>"$work/strace.log" &
  strace_pid=$!
  # Measure only once every thread is traced, or the first requests' calls would be missed.
  for _ in $(seq 100); do
    tasks="$(ferry_tasks | wc -l)"
    [[ "$(ferry_traced_tasks)" == "$tasks" ]] && break
    kill -0 "$strace_pid" 2>/dev/null || break
    sleep 0.05
  done
  if [[ "$(ferry_traced_tasks)" != "$(ferry_tasks | wc -l)" ]]; then
    log "strace did not attach to all of Ferry's threads: $(tr '\n' ' ' <"$work/strace.log")"
    kill -INT "$strace_pid" 2>/dev/null || true
    wait "$strace_pid" 2>/dev/null || true
    strace_pid=""
    check_ferry_healthy
    strace_summary_line="strace could not attach to Ferry; no system call counts."
    return 0
  fi
  run_wrk c 64 "$strace_duration" "$out"
  # SIGINT: strace detaches from every thread, then writes its summary.
  kill -INT "$strace_pid" 2>/dev/null || true
  wait "$strace_pid" 2>/dev/null || true
  strace_pid=""
  check_ferry_healthy
  log "strace detached; Ferry still serves /proxy"

  requests="$(wrk_requests "$out")"
  secs="$(wrk_seconds "$out")"
  [[ "${requests:-0}" -gt 0 ]] || die "no request completed during the strace pass"
  [[ -s "$summary" ]] || die "strace wrote no summary ($(tr '\n' ' ' <"$work/strace.log"))"
  # strace -c: "% time  seconds  usecs/call  calls  [errors]  syscall", then a "total" line.
  mapfile -t strace_rows < <(awk -v n="$requests" -v top=12 '
    $1 ~ /^[0-9.]+$/ && NF >= 5 {
      name = $NF; calls = $4; errors = (NF >= 6) ? $5 : 0
      if (name == "total") { total = calls; total_errors = errors; next }
      count++; names[count] = name; c[count] = calls; e[count] = errors
    }
    END {
      # sort by calls, descending (a simple insertion sort: a few dozen syscalls at most)
      for (i = 2; i <= count; i++)
        for (j = i; j > 1 && c[j] > c[j - 1]; j--) {
          t = c[j]; c[j] = c[j - 1]; c[j - 1] = t
          t = e[j]; e[j] = e[j - 1]; e[j - 1] = t
          t = names[j]; names[j] = names[j - 1]; names[j - 1] = t
        }
      for (i = 1; i <= count && i <= top; i++)
        printf "| %s | %d | %.2f | %.2f |\n", names[i], c[i], c[i] / n, e[i] / n
      if (count > top) {
        oc = 0; oe = 0
        for (i = top + 1; i <= count; i++) { oc += c[i]; oe += e[i] }
        printf "| (%d others) | %d | %.2f | %.2f |\n", count - top, oc, oc / n, oe / n
      }
      printf "| **total** | %d | **%.2f** | %.2f |\n", total, total / n, total_errors / n
    }' "$summary")
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"
  strace_summary_line="$(awk -v n="$requests" -v s="$secs" -v d="$strace_duration" -v bad="${non2xx:-0}" 'BEGIN {
    printf "one extra %s wrk run of (c) at 64 connections with `strace -c -f -p` attached to all of Ferry'"'"'s threads: %d requests completed (%.0f req/s under strace), %d non-2xx.", d, n, n / s, bad }')"
}

# --- where Ferry's CPU goes (perf pass) ----------------------------------------------------

perf_dso_rows=()
perf_symbol_rows=()

# One more wrk run of (c) at 64 connections while `perf record -g` samples Ferry's threads.
# Shares are of Ferry's samples only (wrk and nginx are not sampled).
perf_pass() {
  local data="$work/perf.data"
  log "perf pass: $(target_name c), 64 connections, $duration, perf record -g -p $ferry_pid"
  perf record -q -g -F 999 -p "$ferry_pid" -o "$data" 2>"$work/perf.log" &
  local perf_pid=$!
  sleep 0.5
  run_wrk c 64 "$duration" "$work/wrk-perf-64c.txt"
  kill -INT "$perf_pid" 2>/dev/null || true
  wait "$perf_pid" 2>/dev/null || true
  # "--sort dso": the share per library (the kernel, ferry, libc, libsqlite3...).
  mapfile -t perf_dso_rows < <(perf report -i "$data" --stdio --no-children --sort dso 2>/dev/null |
    awk '$1 ~ /%$/ && NF >= 2 {printf "| %s | %s |\n", $2, $1; if (++n == 8) exit}')
  mapfile -t perf_symbol_rows < <(perf report -i "$data" --stdio --no-children --sort dso,symbol \
      -g none 2>/dev/null |
    awk '$1 ~ /%$/ && NF >= 4 {sym = ""; for (i = 4; i <= NF; i++) sym = sym (i > 4 ? " " : "") $i
         sub(/( -)+$/, "", sym)
         if (length(sym) > 90) sym = substr(sym, 1, 87) "..."
         gsub(/\|/, "\\|", sym); printf "| %s | %s | `%s` |\n", $1, $2, sym; if (++n == 20) exit}')
}

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
  if [[ "$strace_enabled" != 0 ]]; then
    strace_pass
  else
    strace_summary_line="skipped (BENCH_STRACE=0)."
  fi
  [[ "$perf_enabled" != 1 ]] || perf_pass
  throughput="$(awk -v f="${rps[c64]}" -v n="${rps[b64]}" 'BEGIN {printf "%.2f", f / n}')"
  added="$(awk -v f="${p50[c1]}" -v d="${p50[a1]}" 'BEGIN {printf "%.3f", f - d}')"
  nginx_added="$(awk -v f="${p50[b1]}" -v d="${p50[a1]}" 'BEGIN {printf "%.3f", f - d}')"

  {
    echo "## Ferry proxy benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- command: \`${FERRY_BIN:+FERRY_BIN=$FERRY_BIN }BENCH_DURATION=$duration BENCH_WARMUP=$warmup BENCH_NGINX_WORKERS=$nginx_workers BENCH_STRACE=$strace_enabled BENCH_STRACE_DURATION=$strace_duration BENCH_PERF=$perf_enabled ${command_line% }\`"
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
    echo "### Ferry CPU per request, (c) Ferry /proxy"
    echo
    echo "| conns | requests | Ferry CPU s | Ferry CPU µs per request |"
    echo "|---:|---:|---:|---:|"
    printf '%s\n' "${cpu_rows[@]}"
    echo
    echo "Ferry CPU: user + system time of all of Ferry's threads (\`/proc/PID/stat\`, $clk_tck ticks/s) over"
    echo "the measured run, divided by the requests wrk completed in that run."
    echo
    echo "### Ferry system calls per request, (c) Ferry /proxy"
    echo
    echo "strace pass: $strace_summary_line"
    if ((${#strace_rows[@]} > 0)); then
      echo
      echo "**strace stops Ferry at every system call and slows it several-fold: only the counts per"
      echo "request below are meaningful, not the req/s of that pass.** Even so, calls made once per wake-up"
      echo "rather than once per request (epoll_wait, futex) shift with that slowdown, since more work waits at"
      echo "each wake-up. All of Ferry's threads are counted (I/O threads, helpers, the activity writer)."
      echo "Errors are failed calls, typically EAGAIN from a non-blocking read or peek, or a futex wait that"
      echo "timed out or found the value changed. With BENCH_RESULTS_DIR, strace's raw summary is kept (strace-c.txt)."
      echo
      echo "| syscall | calls | per request | errors per request |"
      echo "|---|---:|---:|---:|"
      printf '%s\n' "${strace_rows[@]}"
    fi
    if ((${#perf_dso_rows[@]} > 0)); then
      echo
      echo "### Where Ferry's CPU goes, (c) at 64 connections (\`perf record -g -F 999\`, Ferry's threads)"
      echo
      echo "| library | share of Ferry's samples |"
      echo "|---|---:|"
      printf '%s\n' "${perf_dso_rows[@]}"
      echo
      echo "| share | library | symbol (self time) |"
      echo "|---:|---|---|"
      printf '%s\n' "${perf_symbol_rows[@]}"
    fi
    echo
    echo "- throughput at 64 connections, Ferry / nginx proxy: **$throughput** (target >= 0.8: $(verdict "$throughput" ">=" 0.8))"
    echo "- added p50 at 1 connection, Ferry - nginx direct: **$added ms** (target <= 0.1 ms: $(verdict "$added" "<=" 0.1)); nginx proxy - nginx direct: $nginx_added ms"
  } >"$report"
  cat "$report"
  if [[ -n "$results_dir" ]]; then
    mkdir -p "$results_dir"
    cp "$report" "$work"/wrk-*.txt "$work/ferry.log" "$results_dir/"
    if [[ -f "$work/strace-c.txt" ]]; then cp "$work/strace-c.txt" "$results_dir/"; fi
  fi
}

main "$@"
