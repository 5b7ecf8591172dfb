#!/usr/bin/env bash
# End-to-end hosting benchmark: for each size (MiB; default 10), the time from
# `datdot publish --replicas 3` to all three replicas pinned on the local
# 15-node network of deploy/demo.sh, next to its limit measured in the same
# run: an encoder seals one replica at a time on one core, so with 3 replicas
# on 2 encoders the busier one seals 2 copies at build/bench/seal_bench's
# rate. The load average is printed too: the limit assumes idle cores.
# Run from the repository root:
#   bash bench/hosting_bench.sh 10 100 1024
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10}")
deploy/build.sh build >/dev/null
seal=$(build/bench/seal_bench 16 | awk '/^seal/ { for (i = 1; i <= NF; i++) if ($i == "MB/s") { print $(i - 1); exit } }')
echo "raw sealing rate (seal_bench, one core): $seal MB/s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for mib in "${sizes[@]}"; do
  took=$(DEMO_MIB=$mib bash deploy/demo.sh | awk '/^publish to 3 replicas pinned:/ { print $6 }')
  limit=$(awk -v m="$mib" -v r="$seal" 'BEGIN { printf "%.1f", 2 * m * 1.048576 / r }')
  echo "$mib MiB: publish to 3 replicas pinned in $took s; sealing-bound limit $limit s (load $(cut -d' ' -f1-3 /proc/loadavg)) ($(awk -v t="$took" -v l="$limit" 'BEGIN { printf "%.0f", 100 * l / t }')% of it)"
done
