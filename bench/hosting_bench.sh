#!/usr/bin/env bash
# End-to-end hosting benchmark: for each size (MiB; default 10), the time from
# `datdot publish --replicas 3` to all three replicas pinned on the local
# 15-node network of deploy/demo.sh, next to its limit measured in the same
# run: an encoder seals one replica at a time on one core, so the encoder
# given the most of the 3 replicas (2 of them when both encoders are free)
# sets the time at build/bench/seal_bench's rate. The load average is printed
# too: the limit assumes idle cores.
# Run from the repository root:
#   bash bench/hosting_bench.sh 10 100 1024
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10}")
deploy/build.sh build >/dev/null
seal=$(build/bench/seal_bench 16 | awk '/^seal/ { for (i = 1; i <= NF; i++) if ($i == "MB/s") { print $(i - 1); exit } }')
echo "raw sealing rate (seal_bench, one core): $seal MB/s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for mib in "${sizes[@]}"; do
  if ! DEMO_MIB=$mib bash deploy/demo.sh >"$out"; then
    tail -n 20 "$out" >&2
    echo "$mib MiB: the demo failed (its last lines above)" >&2
    exit 1
  fi
  took=$(awk '/^publish to 3 replicas pinned:/ { print $6 }' "$out")
  # The demo's closing status names each replica's encoder.
  copies=$(awk '/^  replica [0-9]+:/ { for (i = 1; i < NF; i++) if ($i == "encoder") n[$(i + 1)]++ }
                END { for (e in n) if (n[e] > m) m = n[e]; print m + 0 }' "$out")
  limit=$(awk -v m="$mib" -v r="$seal" -v c="$copies" 'BEGIN { printf "%.1f", c * m * 1.048576 / r }')
  echo "$mib MiB: publish to 3 replicas pinned in $took s; sealing-bound limit $limit s (the busiest encoder sealed $copies copies; load $(cut -d' ' -f1-3 /proc/loadavg)) ($(awk -v t="$took" -v l="$limit" 'BEGIN { printf "%.0f", 100 * l / t }')% of it)"
done
