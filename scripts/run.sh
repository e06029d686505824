#!/usr/bin/env bash
# Quick start: installs what is missing, builds Ferry (release), creates the example
# integrations folder on first use, and serves it. Usage: scripts/run.sh [DIR]
# Until the example's Atlassian client id and secret are set (`ferry init` says where), its
# integrations are left out and named at start, rather than the server refusing to start.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh release ferry
dir="${1:-example}"
if [[ ! -f "$dir/integrations.yaml" ]]; then
  build/release/ferry init "$dir"
fi
exec build/release/ferry serve --skip-placeholder-integrations "$dir"
