#!/usr/bin/env bash
# Configures and builds datdot. Usage: deploy/build.sh [BUILD_DIR] [extra cmake args...]
# BUILD_TYPE (default Release), JOBS (default: the core count) and TARGET (default: all) apply.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
jobs=${JOBS:-$(nproc)}
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
cmake --build "$dir" -j "$jobs" ${TARGET:+--target "$TARGET"}
