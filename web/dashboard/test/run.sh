#!/usr/bin/env bash
# Runs the dashboard's unit tests (test/*.test.ts) with node's test runner, bundled by esbuild
# into a temporary folder. Needs node_modules (build.sh or npm ci makes it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x node_modules/.bin/esbuild ]]; then
  echo "web/dashboard/node_modules is missing: run 'npm ci' in web/dashboard" >&2
  exit 1
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
node_modules/.bin/esbuild test/*.test.ts --bundle --platform=node --format=esm \
  --jsx=automatic --jsx-import-source=preact --outdir="$out" --out-extension:.js=.mjs \
  --log-level=warning
node --test "$out"/*.test.mjs
