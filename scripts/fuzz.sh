#!/usr/bin/env bash
# Builds the fuzz configuration (clang-14, libFuzzer + ASan + UBSan) and runs every target of
# tests/fuzz for a bounded time, each from a temporary copy of its committed seed corpus (so
# the committed corpus never grows). Fails when any target crashes, leaks, times out or
# breaks an invariant; a crashing input is kept in build/fuzz/crashes/<target>/.
# Usage: scripts/fuzz.sh [target...]        (default: every target)
#   FERRY_FUZZ_SECONDS   seconds per target (default 60; 0 skips fuzzing entirely)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FERRY_FUZZ_SECONDS:-60}"
if [[ "$seconds" == "0" ]]; then
  echo "fuzz: skipped (FERRY_FUZZ_SECONDS=0)"
  exit 0
fi

all_targets=(upstream_target placeholders config_loader redact lua_json rate_limit provider_webhook server)
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")

scripts/build.sh fuzz "${targets[@]/#/fuzz_}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=0
summary=()
for target in "${targets[@]}"; do
  corpus="$work/corpus/$target"
  crashes="build/fuzz/crashes/$target"
  mkdir -p "$corpus" "$crashes"
  cp -r "tests/fuzz/corpus/$target/." "$corpus/"
  log="build/fuzz/$target.log"
  status=0
  "build/fuzz/fuzz_$target" "$corpus" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/" >"$log" 2>&1 ||
    status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  if ((status == 0)); then
    summary+=("fuzz: $target ok, ${runs:-?} runs in ${seconds}s")
  else
    failed=1
    tail -n 40 "$log" >&2
    artifact="$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/.* //' || true)"
    summary+=("fuzz: $target FAILED (exit $status) ${artifact:+input $artifact, }log $log")
  fi
done
printf '%s\n' "${summary[@]}"
exit "$failed"
