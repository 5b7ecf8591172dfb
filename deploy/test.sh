#!/usr/bin/env bash
# The whole default test suite: a Release build runs every test that is not
# labelled soak or bench, then an ASan+UBSan build runs the unit and storage
# tests again. Each stage ends with CTest's summary line; the last is the total.
set -euo pipefail
cd "$(dirname "$0")/.."
export JOBS=${JOBS:-2}

echo "== release build"
deploy/build.sh build
echo "== sanitizer build (ASan + UBSan)"
BUILD_TYPE=Debug deploy/build.sh build-asan -DDATDOT_SANITIZE=ON -DDATDOT_BENCH=OFF

echo "== sanitizer tests (unit, storage)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan -L 'unit|storage' -j "$JOBS" --output-on-failure --timeout 600 | tail -n 5

echo "== all default tests (release)"
ctest --test-dir build -LE 'soak|bench' -j "$JOBS" --output-on-failure --timeout 600
