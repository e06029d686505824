#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store tests: initdb into a fresh temporary folder,
# trust authentication, listening only on a Unix socket inside that folder (no TCP port,
# so clusters of parallel runs never collide), durability off (fsync) since nothing in it
# outlives the run. As root, the server runs as the `postgres` user, as PostgreSQL requires.
# With FERRY_PG_DURABLE=1, fsync, synchronous_commit and full_page_writes keep PostgreSQL's
# defaults (on): what a benchmark of Ferry on PostgreSQL must measure.
#
# Usage:
#   url=$(scripts/postgres-test-cluster.sh start)   # prints the cluster's libpq URL
#   FERRY_TEST_POSTGRES_URL=$url build/sanitize/tests/unit_store_test
#   scripts/postgres-test-cluster.sh pause "$url"   # stops the server, keeps its folder
#   scripts/postgres-test-cluster.sh resume "$url"  # starts it again, same folder and options
#   scripts/postgres-test-cluster.sh stop "$url"    # stops it and removes its folder
# `stop`, `pause` and `resume` without an argument read FERRY_TEST_POSTGRES_URL. Progress
# goes to stderr; stdout holds only the URL.
set -Eeuo pipefail

marker=".ferry-test-cluster"

fail() {
  echo "postgres-test-cluster: $*" >&2
  exit 1
}

# The newest installed server's bin folder (Debian: /usr/lib/postgresql/<version>/bin).
server_bin() {
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null |
        sort -V | tail -n 1)
  [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]] ||
    fail "no PostgreSQL server found under /usr/lib/postgresql (install the postgresql package)"
  echo "$dir"
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves. From /,
# which postgres can always enter.
as_owner() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Starts the server of cluster folder `dir` with the options every start uses. One line:
# pg_ctl hands -o to a shell.
start_server() {
  local bin="$1" dir="$2"
  local fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [[ -f "$dir/.durable" ]]; then fast=""; fi
  # One line: pg_ctl hands -o to a shell.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=300 $fast" \
    >&2 || { cat "$dir/server.log" >&2; false; }
}

# The cluster folder named by a URL start printed (or the folder itself); fails unless this
# script made it.
cluster_dir() {
  local where="${1:-${FERRY_TEST_POSTGRES_URL:-}}"
  [[ -n "$where" ]] || fail "$2 needs the URL start printed (or FERRY_TEST_POSTGRES_URL)"
  local dir="$where"
  if [[ "$where" == postgresql://* ]]; then
    dir=$(sed -n 's/.*[?&]host=\([^&]*\).*/\1/p' <<<"$where")
  fi
  [[ -n "$dir" && -f "$dir/$marker" ]] || fail "$dir is not a cluster made by this script"
  echo "$dir"
}

start() {
  local bin dir
  bin=$(server_bin)
  if ((EUID == 0)); then
    id postgres >/dev/null 2>&1 || fail "running as root needs a 'postgres' user to own the server"
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/ferry-pg.XXXXXX")
  touch "$dir/$marker"
  # Anything that fails from here on leaves no folder or server behind.
  trap 'as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true;
        rm -rf "$dir"' ERR
  if ((EUID == 0)); then chown postgres: "$dir"; fi
  # Remembered in the folder, so that `resume` restarts the server the same way.
  if [[ "${FERRY_PG_DURABLE:-0}" == 1 ]]; then touch "$dir/.durable"; fi
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; false; }
  start_server "$bin" "$dir"
  trap - ERR
  if [[ ! -f "$dir/.durable" ]]; then
    echo "postgres-test-cluster: started in $dir" >&2
  else
    echo "postgres-test-cluster: started in $dir (durable: fsync on)" >&2
  fi
  echo "postgresql:///postgres?host=$dir&user=postgres"
}

stop() {
  local dir
  # Only ever removes a folder this script made.
  dir=$(cluster_dir "${1:-}" stop)
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_owner "$(server_bin)/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2 ||
      as_owner "$(server_bin)/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
  fi
  rm -rf "$dir"
  echo "postgres-test-cluster: stopped and removed $dir" >&2
}

# Stops the server as `stop` does (fast: clients are disconnected, no new one is accepted)
# but keeps the folder, so `resume` can start the same cluster again.
pause() {
  local dir
  dir=$(cluster_dir "${1:-}" pause)
  [[ -f "$dir/data/postmaster.pid" ]] || fail "the cluster in $dir is not running"
  as_owner "$(server_bin)/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2
  echo "postgres-test-cluster: paused $dir" >&2
}

# Starts a paused cluster again, with the options `start` gave it (same socket, same URL).
resume() {
  local dir
  dir=$(cluster_dir "${1:-}" resume)
  [[ ! -f "$dir/data/postmaster.pid" ]] || fail "the cluster in $dir is already running"
  start_server "$(server_bin)" "$dir"
  echo "postgres-test-cluster: resumed $dir" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  pause) pause "${2:-}" ;;
  resume) resume "${2:-}" ;;
  *) fail "usage: $0 start | stop [url-or-folder] | pause [url-or-folder] | resume [url-or-folder]" ;;
esac
