#!/usr/bin/env bash
# End-to-end hosting benchmark: for each size (MiB; default 10), the time from
# `datdot publish --replicas 3` to all three replicas pinned on the local
# 15-node network of deploy/demo.sh, next to its limit measured in the same
# run: sealing 3 copies of the feed at build/bench/seal_bench's rate on the
# 2 encoders (each one core). Run from the repository root:
#   bash bench/hosting_bench.sh 10 100 1024
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10}")
deploy/build.sh build >/dev/null
seal=$(build/bench/seal_bench 16 | awk '/^seal/ { for (i = 1; i <= NF; i++) if ($i == "MB/s") { print $(i - 1); exit } }')
echo "raw sealing rate (seal_bench, one core): $seal MB/s"
for mib in "${sizes[@]}"; do
  took=$(DEMO_MIB=$mib bash deploy/demo.sh | awk '/^publish to 3 replicas pinned:/ { print $6 }')
  limit=$(awk -v m="$mib" -v r="$seal" 'BEGIN { printf "%.1f", 3 * m * 1.048576 / (2 * r) }')
  echo "$mib MiB: publish to 3 replicas pinned in $took s; sealing-bound limit $limit s ($(awk -v t="$took" -v l="$limit" 'BEGIN { printf "%.0f", 100 * l / t }')% of it)"
done
