#!/usr/bin/env bash
# Installs every Debian bookworm package datdot needs to build, test and run.
# Idempotent and non-interactive: packages already present are not touched,
# and apt's lists are refreshed only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang libclang-rt-14-dev
  libcaf-dev libzmq3-dev cppzmq-dev libsodium-dev liblmdb-dev lmdb-utils libjemalloc-dev libxxhash-dev
  protobuf-compiler libprotobuf-dev
  doctest-dev libcli11-dev nlohmann-json3-dev libssl-dev jq
  libspdlog-dev libfmt-dev prometheus-cpp-dev libcivetweb-dev
  prometheus curl python3 python3-yaml
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
