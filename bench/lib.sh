# Helpers shared by the benchmark scripts; sourced, not run. Expects `ferry_bin`, `repo` and
# `work` to be set by the script, and the pids it starts in `bench_pids` (stopped in order by
# stop_bench_processes).

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

# Starts `ferry serve` in "$work/ferry" on "$ferry_port" (secret_key "$secret", level warn,
# loopback only) with one API_KEY integration "bench" whose base URL is $1, and waits until
# it answers. Sets ferry_pid.
start_bench_ferry() {
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
      base_url: $1
      headers: {authorization: "Bearer \${api_key}"}
EOF
  "$ferry_bin" serve "$work/ferry" --port "$ferry_port" >"$work/ferry.log" 2>&1 &
  ferry_pid=$!
  wait_for "http://127.0.0.1:$ferry_port/health" || { cat "$work/ferry.log" >&2; die "ferry did not start"; }
}
