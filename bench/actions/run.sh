#!/usr/bin/env bash
# Action benchmark (run by hand, not a test): the overhead of POST /action/trigger with a no-op
# action (wrk, 1 and 64 connections), and 1,000 concurrent actions that each make one upstream
# call answered after 100 ms (fake-atlassian with a delay fault): total time, latency, threads.
# Prints two markdown tables; the second gives the total time of the 1,000 actions (target: <= 0.5 s).
# Usage (as root): bench/actions/run.sh     env: BENCH_DURATION (10s), FERRY_BIN, FAKE_BIN
set -euo pipefail
cd "$(dirname "$0")/../.."
# 1,000 concurrent triggers need up to about 4 descriptors each in Ferry (the trigger, its /proxy call
# over loopback in and out, the upstream call): raise a low open-files limit (inherited below).
if [[ "$(ulimit -Sn)" != unlimited ]] && (($(ulimit -Sn) < 8192)); then
  ulimit -Sn 8192 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"
fi
command -v wrk >/dev/null || { apt-get update -q && apt-get install -y -q wrk; }
if [[ -z "${FERRY_BIN:-}" || -z "${FAKE_BIN:-}" ]]; then
  scripts/build.sh release ferry fake-atlassian >/dev/null
fi
ferry="${FERRY_BIN:-build/release/ferry}"
fake="${FAKE_BIN:-build/release/fake-atlassian}"
duration="${BENCH_DURATION:-10s}"
work="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

"$fake" --port 0 > "$work/fake.out" 2>&1 & pids+=($!)
for _ in $(seq 100); do grep -q "listening on" "$work/fake.out" && break; sleep 0.1; done
fake_url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/fake.out" | head -1)"

mkdir -p "$work/folder/jira"
cat > "$work/folder/ferry.yaml" <<YAML
secret_key: bench-secret
main_server_log_level: warn
YAML
cat > "$work/folder/integrations.yaml" <<YAML
integrations:
  jira:
    extends_blueprint: jira:v0
    oauth_client_id: fake-client-id
    oauth_client_secret: fake-client-secret
    auth:
      authorization_url: $fake_url/authorize
      token_url: $fake_url/oauth/token
    requests:
      base_url: $fake_url/
YAML
cat > "$work/folder/jira/noop.action.lua" <<'LUA'
return function(nango, input) return input end
LUA
cat > "$work/folder/jira/myself.action.lua" <<'LUA'
return function(nango, input)
  local r = nango:get{endpoint = "/ex/jira/${connectionConfig.cloudId}/rest/api/3/myself"}
  return { status = r.status }
end
LUA

"$ferry" serve "$work/folder" --port 0 > "$work/ferry.out" 2>&1 & ferry_pid=$!; pids+=($ferry_pid)
for _ in $(seq 100); do grep -q "Ferry listening on" "$work/ferry.out" && break; sleep 0.1; done
port="$(grep -o 'Ferry listening on http://[^ ]*' "$work/ferry.out" | sed 's/.*://')"

# A real grant from the fake, registered as connection u1.
location="$(curl -s -o /dev/null -w '%{redirect_url}' "$fake_url/authorize?client_id=fake-client-id&scope=read%3Ajira-user%20offline_access&redirect_uri=http%3A%2F%2Flocalhost%3A3003%2Foauth%2Fcallback&state=b&response_type=code")"
code="${location#*code=}"; code="${code%%&*}"
tokens="$(curl -s -X POST "$fake_url/oauth/token" -H 'Content-Type: application/json' \
  -d "{\"grant_type\":\"authorization_code\",\"client_id\":\"fake-client-id\",\"client_secret\":\"fake-client-secret\",\"code\":\"$code\",\"redirect_uri\":\"http://localhost:3003/oauth/callback\"}")"
access="$(node -e 'console.log(JSON.parse(process.argv[1]).access_token)' "$tokens")"
refresh="$(node -e 'console.log(JSON.parse(process.argv[1]).refresh_token)' "$tokens")"
curl -sf -X POST "http://127.0.0.1:$port/connections" -H 'Authorization: Bearer bench-secret' \
  -H 'Content-Type: application/json' -d "{\"provider_config_key\":\"jira\",\"connection_id\":\"u1\",
  \"credentials\":{\"type\":\"OAUTH2\",\"access_token\":\"$access\",\"refresh_token\":\"$refresh\",
  \"expires_at\":\"2099-01-01T00:00:00Z\"},\"connection_config\":{\"cloudId\":\"1324a887-45db-1bf4-1e99-ef0ff456d421\"}}" >/dev/null

cat > "$work/trigger.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"action_name":"noop","input":{"n":1}}'
wrk.headers["Authorization"] = "Bearer bench-secret"
wrk.headers["Connection-Id"] = "u1"
wrk.headers["Provider-Config-Key"] = "jira"
wrk.headers["Content-Type"] = "application/json"
LUA
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "ferry: $("$ferry" version 2>/dev/null | head -1) ($ferry), wrk -d$duration"
echo
echo "## no-op action trigger"
echo
echo "| no-op trigger | req/s | p50 | p99 | non-2xx |"
echo "|---|---:|---:|---:|---:|"
for conns in 1 64; do
  threads=$((conns < 2 ? 1 : 2))
  wrk -t"$threads" -c"$conns" -d"$duration" --latency -s "$work/trigger.lua" \
    "http://127.0.0.1:$port/action/trigger" > "$work/wrk-$conns.out"
  rps="$(awk '/Requests\/sec/ {print $2}' "$work/wrk-$conns.out")"
  p50="$(awk '$1=="50%" {print $2}' "$work/wrk-$conns.out")"
  p99="$(awk '$1=="99%" {print $2}' "$work/wrk-$conns.out")"
  non2xx="$(awk '/Non-2xx/ {print $4}' "$work/wrk-$conns.out")"
  echo "| $conns connection$( ((conns > 1)) && echo s) | $rps | $p50 | $p99 | ${non2xx:-0} |"
done

echo
echo "## 1,000 concurrent actions, one 100 ms upstream call each"
echo
curl -sf -X POST "$fake_url/__admin/faults" -H 'Content-Type: application/json' \
  -d '{"path_prefix":"/ex/jira","action":"delay","delay_ms":100,"count":-1}' >/dev/null
load="$(node bench/actions/load.mjs "http://127.0.0.1:$port" bench-secret jira myself 1000 "$ferry_pid")"
rss="$(awk '$1 == "VmRSS:" {printf "%.0f MiB", $2 / 1024}' "/proc/$ferry_pid/status")"
hwm="$(awk '$1 == "VmHWM:" {printf "%.0f MiB", $2 / 1024}' "/proc/$ferry_pid/status")"
threads_now="$(awk '$1 == "Threads:" {print $2}' "/proc/$ferry_pid/status")"
node -e '
  const r = JSON.parse(process.argv[1]);
  const [rss, hwm, threadsNow] = process.argv.slice(2);
  const verdict = r.ok === r.calls && r.total_ms <= 500 ? "met" : "NOT met";
  console.log(`| ${r.calls.toLocaleString("en-US")} concurrent actions, one 100 ms upstream call each | value |`);
  console.log("|---|---|");
  console.log(`| succeeded (200) | ${r.ok} / ${r.calls} |`);
  console.log(`| **total time** (first trigger sent to last answer) | **${r.total_ms} ms** = ${(r.total_ms / 1000).toFixed(3)} s (target <= 0.5 s: ${verdict}) |`);
  console.log(`| p50 / p99 latency | ${r.p50_ms} ms / ${r.p99_ms} ms |`);
  console.log(`| Ferry threads (peak during the burst, sampled every 10 ms) | ${r.max_threads} (${threadsNow} after) |`);
  console.log(`| Ferry RSS after | ${rss} (peak ${hwm}) |`);
' "$load" "$rss" "$hwm" "$threads_now"
echo
echo "raw: $load"
