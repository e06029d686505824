#!/usr/bin/env bash
# Builds the dashboard into OUTDIR: index.html, dashboard.js and dashboard.css (minified, one
# bundle each). Type-checks first (tsc --noEmit, strict); installs the pinned packages of
# package-lock.json when node_modules is missing or older than the lock file.
# Usage: web/dashboard/build.sh OUTDIR
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
mkdir -p "$1"
out="$(cd "$1" && pwd)"
cd "$(dirname "$0")"

if ! command -v npm >/dev/null 2>&1; then
  echo "build.sh: npm is missing: run scripts/install-deps.sh" >&2
  exit 1
fi
if [[ ! -d node_modules || node_modules -ot package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules
fi

node_modules/.bin/tsc --noEmit -p tsconfig.json
# The CSS that src/ imports (the dashboard's and uPlot's) lands beside the script as
# dashboard.css.
node_modules/.bin/esbuild src/main.tsx --bundle --minify \
  --target=es2020 --jsx=automatic --jsx-import-source=preact \
  --outfile="$out/dashboard.js" --log-level=warning
cp index.html "$out/index.html"
