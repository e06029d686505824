#!/usr/bin/env bash
# Runs the SDK compatibility test against a fresh `ferry serve` (used by ctest).
# Usage: tests/compat/run-compat.sh <path to the ferry binary>
set -euo pipefail
ferry="$1"
here="$(cd "$(dirname "$0")" && pwd)"
if [[ ! -d "$here/node_modules/@nangohq/node" ]]; then
  echo "tests/compat/node_modules is missing: run 'npm ci' in tests/compat (scripts/test.sh does)" >&2
  exit 1
fi

folder="$(mktemp -d)"
secret="compat-secret-$RANDOM$RANDOM$RANDOM"
cat > "$folder/ferry.yaml" <<YAML
secret_key: $secret
YAML
cat > "$folder/integrations.yaml" <<'YAML'
integrations:
  jira:
    extends_blueprint: jira:v0
    oauth_client_id: compat-client
    oauth_client_secret: compat-client-secret-0123456789
  close:
    extends_blueprint: close
YAML

"$ferry" serve "$folder" --port 0 > "$folder/server.out" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$folder"' EXIT
for _ in $(seq 1 300); do
  grep -q "Ferry listening on" "$folder/server.out" && break
  kill -0 "$server" 2>/dev/null || { cat "$folder/server.out" >&2; exit 1; }
  sleep 0.1
done
port="$(grep -o 'Ferry listening on http://[^ ]*' "$folder/server.out" | sed 's/.*://')"
[[ -n "$port" ]] || { echo "ferry did not start" >&2; cat "$folder/server.out" >&2; exit 1; }

cd "$here"
FERRY_HOST="http://127.0.0.1:$port" FERRY_SECRET_KEY="$secret" node --test sdk.test.mjs
