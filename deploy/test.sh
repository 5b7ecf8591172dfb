#!/usr/bin/env bash
# The whole default test suite: an ASan+UBSan build runs the unit and storage
# tests, a clang libFuzzer build fuzzes every decoder for FUZZ_SECONDS each,
# and a Release build runs every test not labelled soak or large. Each stage ends with
# CTest's summary line; the last one covers the whole Release suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export JOBS=${JOBS:-2}

echo "== release build"
deploy/build.sh build
echo "== sanitizer build (ASan + UBSan) of the unit and storage suites"
BUILD_TYPE=Debug TARGET=sanitized_tests deploy/build.sh build-asan -DDATDOT_SANITIZE=ON -DDATDOT_BENCH=OFF

echo "== sanitizer tests (unit, storage)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan -L 'unit|storage' -j "$JOBS" --output-on-failure --timeout 600

echo "== fuzzing the decoders (clang, libFuzzer + ASan/UBSan)"
CXX=clang++ BUILD_TYPE=Debug deploy/build.sh build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DDATDOT_FUZZ=ON \
  -DDATDOT_FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
ctest --test-dir build-fuzz -L fuzz -j "$JOBS" --output-on-failure

echo "== all default tests (release)"
ctest --test-dir build -LE 'soak|bench|large' -j "$JOBS" --output-on-failure --timeout 600
