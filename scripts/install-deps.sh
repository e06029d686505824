#!/usr/bin/env bash
# Installs the Debian packages Ferry's build and tests need, skipping those already present.
# Runs as root on a fresh Debian 12 machine. Usage: scripts/install-deps.sh [--with-test-tools]
set -euo pipefail

build_packages=(
  g++ cmake ninja-build ccache pkg-config git
  libboost1.81-all-dev libssl-dev ca-certificates libyaml-cpp-dev libsqlite3-dev libpq-dev
  liblua5.4-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
)
# Test-only: GoogleTest, the servers tests start (the
# PostgreSQL server for the store tests' throwaway cluster), the browser the real-browser
# test drives (Debian's, never a downloaded build), and clang with its runtime libraries
# (libFuzzer, sanitizers) for the fuzz targets, and the Prometheus text-format parser the
# /metrics end-to-end test reads the exposition with.
test_packages=(libgtest-dev libgmock-dev googletest postgresql chromium clang-14
               libclang-rt-14-dev python3-prometheus-client)

wanted=("${build_packages[@]}")
# Node.js and npm build the web dashboard (web/dashboard/build.sh) and run the SDK and browser
# tests. Node.js may come from another Debian-format repository already configured; only
# install Debian's when no node is present at all.
command -v node >/dev/null 2>&1 || wanted+=(nodejs)
command -v npm >/dev/null 2>&1 || wanted+=(npm)
if [[ "${1:-}" == "--with-test-tools" ]]; then
  wanted+=("${test_packages[@]}")
fi

missing=()
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
