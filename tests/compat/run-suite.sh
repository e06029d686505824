#!/usr/bin/env bash
# Runs one node:test suite of tests/compat against the real binary and fake-atlassian (used
# by ctest: openapi.test.mjs, webhooks.test.mjs).
# Usage: tests/compat/run-suite.sh <suite.mjs> <ferry binary> <fake-atlassian binary>
set -euo pipefail
suite="$1"
ferry="$(realpath "$2")"
fake="$(realpath "$3")"
here="$(cd "$(dirname "$0")" && pwd)"
if [[ ! -d "$here/node_modules/ajv" || ! -d "$here/node_modules/@nangohq/node" ]]; then
  echo "tests/compat/node_modules is missing: run 'npm ci' in tests/compat (scripts/test.sh does)" >&2
  exit 1
fi
cd "$here"
FERRY_BINARY="$ferry" FAKE_ATLASSIAN_BINARY="$fake" node --test "$suite"
