#!/usr/bin/env bash
# Configures (once) and builds one configuration into build/<config>.
# Usage: scripts/build.sh [release|sanitize] [ninja targets...]
#   release   optimised, what `ferry serve` and the benchmarks use
#   sanitize  Debug with AddressSanitizer + UndefinedBehaviorSanitizer, what the tests use
set -euo pipefail
cd "$(dirname "$0")/.."

config="${1:-release}"
shift || true
case "$config" in
  release) cmake_args=(-DCMAKE_BUILD_TYPE=Release) ;;
  sanitize) cmake_args=(-DCMAKE_BUILD_TYPE=Debug -DFERRY_SANITIZE=ON) ;;
  *) echo "build.sh: unknown configuration '$config' (expected release or sanitize)" >&2; exit 2 ;;
esac

# Let ccache reuse objects compiled in another clone or build folder of this repository.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
build_dir="build/$config"
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DFERRY_WERROR=ON "${cmake_args[@]}"
fi
jobs="${FERRY_BUILD_JOBS:-$(nproc)}"
ninja -C "$build_dir" -j "$jobs" "$@"
