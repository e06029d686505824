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
#   scripts/postgres-test-cluster.sh stop "$url"    # stops it and removes its folder
# `stop` without an argument reads FERRY_TEST_POSTGRES_URL. Progress goes to stderr; stdout
# holds only the URL.
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

start() {
  local bin dir fast
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
  # One line: pg_ctl hands -o to a shell.
  fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [[ "${FERRY_PG_DURABLE:-0}" == 1 ]]; then fast=""; fi
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; false; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=300 $fast" \
    >&2 || { cat "$dir/server.log" >&2; false; }
  trap - ERR
  if [[ -n "$fast" ]]; then
    echo "postgres-test-cluster: started in $dir" >&2
  else
    echo "postgres-test-cluster: started in $dir (durable: fsync on)" >&2
  fi
  echo "postgresql:///postgres?host=$dir&user=postgres"
}

stop() {
  local where="${1:-${FERRY_TEST_POSTGRES_URL:-}}"
  [[ -n "$where" ]] || fail "stop needs the URL start printed (or FERRY_TEST_POSTGRES_URL)"
  local dir="$where"
  if [[ "$where" == postgresql://* ]]; then
    dir=$(sed -n 's/.*[?&]host=\([^&]*\).*/\1/p' <<<"$where")
  fi
  # Only ever removes a folder this script made.
  [[ -n "$dir" && -f "$dir/$marker" ]] || fail "$dir is not a cluster made by this script"
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_owner "$(server_bin)/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2 ||
      as_owner "$(server_bin)/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
  fi
  rm -rf "$dir"
  echo "postgres-test-cluster: stopped and removed $dir" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) fail "usage: $0 start | stop [url-or-folder]" ;;
esac
