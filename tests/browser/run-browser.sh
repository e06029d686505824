#!/usr/bin/env bash
# Runs the real-browser tests (used by ctest): all of them, or the *.test.mjs files named.
# Usage: tests/browser/run-browser.sh <ferry binary> <fake-atlassian binary> [test files...]
# Screenshots go to $FERRY_TEST_ARTIFACTS (default: test-artifacts/browser beside the ferry
# binary, i.e. build/<config>/test-artifacts/browser).
set -euo pipefail
ferry="$(realpath "$1")"
fake="$(realpath "$2")"
shift 2
here="$(cd "$(dirname "$0")" && pwd)"
if [[ ! -d "$here/node_modules/playwright-core" ]]; then
  echo "tests/browser/node_modules is missing: run 'npm ci' in tests/browser (scripts/test.sh does)" >&2
  exit 1
fi
chromium="${FERRY_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  echo "$chromium is missing: install Debian's chromium (scripts/install-deps.sh --with-test-tools)" >&2
  exit 1
fi
artifacts="${FERRY_TEST_ARTIFACTS:-$(dirname "$ferry")/test-artifacts/browser}"
mkdir -p "$artifacts"
tests=("$@")
if ((${#tests[@]} == 0)); then
  tests=(oauth.test.mjs dashboard.test.mjs nango_frontend.test.mjs)
fi
cd "$here"
FERRY_BINARY="$ferry" FAKE_ATLASSIAN_BINARY="$fake" FERRY_CHROMIUM="$chromium" \
  FERRY_TEST_ARTIFACTS="$(realpath "$artifacts")" node --test "${tests[@]}"
