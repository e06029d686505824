#!/usr/bin/env bash
# Configures (once) and builds one configuration into build/<config>.
# Usage: scripts/build.sh [release|sanitize|fuzz] [ninja targets...]
#   release   optimised, what `ferry serve` and the benchmarks use
#   sanitize  Debug with AddressSanitizer + UndefinedBehaviorSanitizer, what the tests use
#   fuzz      clang-14, -O1 -g, libFuzzer + ASan + UBSan: the tests/fuzz targets (scripts/fuzz.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

config="${1:-release}"
shift || true
case "$config" in
  release) cmake_args=(-DCMAKE_BUILD_TYPE=Release) ;;
  sanitize) cmake_args=(-DCMAKE_BUILD_TYPE=Debug -DFERRY_SANITIZE=ON) ;;
  # Debug (assertions on) at -O1: fast enough to fuzz, still debuggable. The unit tests are
  # left out; the fuzz targets are its only test binaries.
  fuzz) cmake_args=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g"
                    "-DCMAKE_C_FLAGS_DEBUG=-O1 -g" -DFERRY_FUZZ=ON -DFERRY_TESTS=OFF
                    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14) ;;
  *) echo "build.sh: unknown configuration '$config' (expected release, sanitize or fuzz)" >&2
     exit 2 ;;
esac

# Let ccache reuse objects compiled in another clone or build folder of this repository.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
build_dir="build/$config"
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DFERRY_WERROR=ON "${cmake_args[@]}"
fi
jobs="${FERRY_BUILD_JOBS:-$(nproc)}"
ninja -C "$build_dir" -j "$jobs" "$@"
