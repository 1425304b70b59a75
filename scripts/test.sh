#!/usr/bin/env bash
# Installs what is missing, builds the test suite with AddressSanitizer and UndefinedBehaviorSanitizer,
# and runs it through ctest. Usage: scripts/test.sh   (build tree: build/, override with BUILD_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install_deps.sh
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DJIEBANG_BUILD_TESTS=ON -DJIEBANG_SANITIZE="address;undefined"
cmake --build "$build_dir" -j "$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)"
