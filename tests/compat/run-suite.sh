#!/usr/bin/env bash
# Checks openapi/ferry.openapi.json against the real binary and fake-atlassian (used by ctest).
# Usage: tests/compat/run-openapi.sh <ferry binary> <fake-atlassian binary>
set -euo pipefail
ferry="$(realpath "$1")"
fake="$(realpath "$2")"
here="$(cd "$(dirname "$0")" && pwd)"
if [[ ! -d "$here/node_modules/ajv" || ! -d "$here/node_modules/ajv-formats" ]]; then
  echo "tests/compat/node_modules is missing: run 'npm ci' in tests/compat (scripts/test.sh does)" >&2
  exit 1
fi
cd "$here"
FERRY_BINARY="$ferry" FAKE_ATLASSIAN_BINARY="$fake" node --test openapi.test.mjs
