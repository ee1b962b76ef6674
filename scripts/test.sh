#!/usr/bin/env bash
# Installs, builds and runs the whole test suite. Pass ctest options to pick a
# tier, e.g. scripts/test.sh -L unit
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j"$(nproc)" --timeout 300 "$@"
