#!/usr/bin/env bash
# The test command: installs what is missing, builds the sanitizer configuration once, starts
# a throwaway PostgreSQL cluster, runs every test (unit, end-to-end against the real binary,
# SDK compatibility) with ctest, then every fuzz target for a bounded time (scripts/fuzz.sh;
# FERRY_FUZZ_SECONDS=0 skips).
# Usage: scripts/test.sh [ctest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --with-test-tools
scripts/build.sh sanitize

# The SDK compatibility test drives the server through the real @nangohq/node package, and the
# OpenAPI test validates its answers with ajv, both pinned by tests/compat/package-lock.json.
if [[ -f tests/compat/package-lock.json ]]; then
  (cd tests/compat && npm ci --no-audit --no-fund --loglevel=error)
fi
# The real-browser test drives Debian's Chromium through playwright-core, pinned by
# tests/browser/package-lock.json (playwright-core downloads no browser).
if [[ -f tests/browser/package-lock.json ]]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

# The store tests' PostgreSQL cases run against a throwaway cluster (unless the caller names
# a server in FERRY_TEST_POSTGRES_URL), stopped and removed when this script ends, whether
# the tests pass, fail or are interrupted.
if [[ -z "${FERRY_TEST_POSTGRES_URL:-}" ]]; then
  FERRY_TEST_POSTGRES_URL="$(scripts/postgres-test-cluster.sh start)"
  export FERRY_TEST_POSTGRES_URL
  trap 'scripts/postgres-test-cluster.sh stop "$FERRY_TEST_POSTGRES_URL"' EXIT
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest_status=0
(cd build/sanitize && ctest --output-on-failure --timeout 600 -j "$(nproc)" "$@") ||
  ctest_status=$?
fuzz_status=0
scripts/fuzz.sh || fuzz_status=$?
if ((ctest_status != 0)); then exit "$ctest_status"; fi
exit "$fuzz_status"
