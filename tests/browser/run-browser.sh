#!/usr/bin/env bash
# Runs the real-browser OAuth test (used by ctest).
# Usage: tests/browser/run-browser.sh <ferry binary> <fake-atlassian binary>
set -euo pipefail
ferry="$(realpath "$1")"
fake="$(realpath "$2")"
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
cd "$here"
FERRY_BINARY="$ferry" FAKE_ATLASSIAN_BINARY="$fake" FERRY_CHROMIUM="$chromium" node --test oauth.test.mjs
