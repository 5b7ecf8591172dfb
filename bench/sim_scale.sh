#!/usr/bin/env bash
# Scale of `datdot sim` on this machine: wall time, peak RSS, simulated events
# per second and bytes per actor for a network of NODES nodes (7 validators,
# the rest followers; with FEEDS > 0, a tenth of the followers host, 2 encode,
# 1 publishes, 3 attest) run for SLOTS slots. The feeds (4 KiB, 3 replicas
# each) are all published by a quarter of the run, and the challenge period
# is one the chain keeps up with: a block opens about ten such challenges
# (README, "Hosting"), so FEEDS * 3 / 8 slots, and at least 10. Each node
# runs a bus, a peer, a chain actor and a finality watcher, plus its role
# actors. The runs take datdot sim's default threads: two on a machine with
# two cores, from 1,000 nodes on (README, "Threads").
#   bash bench/sim_scale.sh NODES SLOTS [FEEDS]     one run
#   bash bench/sim_scale.sh --largest SECONDS SLOTS the largest NODES (doubling
#                                                   from 64, up to the simulator's
#                                                   limit) whose run of SLOTS
#                                                   slots ends within SECONDS
# The issue's target is 10000 nodes, 1000 feeds and 600 slots in under 10
# minutes and 8 GB; run from the repository root after deploy/build.sh build.
set -euo pipefail
cd "$(dirname "$0")/.."
sim=build/cli/datdot
# Each node's scratch store is a directory under $TMPDIR. On this machine's
# ext4 disk, creating 10,000 of them took a third of a large run's start, so
# without a TMPDIR they go to memory (/dev/shm) when it has 8 GB free.
if [[ -z ${TMPDIR:-} && -d /dev/shm ]] && (($(df -k --output=avail /dev/shm | tail -1) > 8 * 1024 * 1024)); then
  export TMPDIR=/dev/shm
fi

run() {  # nodes slots feeds [limit_seconds] -> one line; sets $wall (empty when cut off at the limit)
  local nodes=$1 slots=$2 feeds=${3:-0} limit=${4:-0} args=() out err
  if ((feeds > 0)); then
    local followers=$((nodes - 7)) hosters=$(((nodes - 7) / 10))
    local quarter=$((slots / 4 > 0 ? slots / 4 : 1))
    local per_slot=$(((feeds + quarter - 1) / quarter)) period=$((feeds * 3 / 8))
    ((period >= 10)) || period=10
    args=(--publishers 1 --encoders 2 --hosters "$hosters" --attesters 3 --feeds "$feeds" --feed-bytes 4096
          --replicas 3 --publish-at-slot 3 --feeds-per-slot "$per_slot" --challenge-period-slots "$period")
    ((hosters >= 3 && followers >= hosters + 6)) || { echo "too few nodes for hosting" >&2; exit 2; }
  fi
  out=$(mktemp) err=$(mktemp)
  local cut=()
  ((limit > 0)) && cut=(timeout "$limit")
  if ! /usr/bin/time -v "${cut[@]}" "$sim" sim --validators 7 --nodes "$nodes" --slots "$slots" --quiet --json \
    "${args[@]}" >"$out" 2>"$err" && [[ ! -s $out ]]; then
    wall=""
    local why
    why=$(grep -m1 '^datdot:' "$err" || tail -1 "$err")
    echo "$nodes nodes, $slots slots, $feeds feeds: not done within ${limit} s (or failed: $why)"
    rm -f "$out" "$err"
    return
  fi
  local rss_kb actors
  rss_kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$err")
  wall=$(jq -r .wall_seconds "$out")
  actors=$((nodes * 4 + (feeds > 0 ? (nodes - 7) / 10 * 2 + 2 * 2 + 2 + 3 * 2 : 0)))
  printf '%s nodes, %s slots, %s feeds: %.1f s wall, peak RSS %.0f MB (at slot ends at most %s MB anonymous, %s MB file-backed), %s events (%.0f/s), %.0f bytes per actor (%s actors), invariants %s, finalized %s\n' \
    "$nodes" "$slots" "$feeds" "$wall" "$((rss_kb / 1024))" "$(jq -r '.peak_rss_anon_bytes / 1048576 | floor' "$out")" \
    "$(jq -r '.peak_rss_file_bytes / 1048576 | floor' "$out")" "$(jq -r .events "$out")" "$(jq -r .events_per_second "$out")" \
    "$((rss_kb * 1024 / actors))" "$actors" "$(jq -r 'if .invariants_ok then "ok" else "VIOLATED" end' "$out")" \
    "$(jq -r .blocks_finalized "$out")"
  rm -f "$out" "$err"
}

if [[ ${1:-} == --largest ]]; then
  budget=$2 slots=$3 nodes=64 best=0
  # The simulator's own limit (sim_limits::nodes_max), as its error names it: the last try.
  nodes_max=$({ "$sim" sim --nodes 999999999 --slots 1 2>&1 || true; } | sed -n 's/.*at most \([0-9]*\) nodes.*/\1/p')
  [[ -n $nodes_max ]] || { echo "$sim names no node limit" >&2; exit 2; }
  while :; do
    run "$nodes" "$slots" 0 "$budget"
    [[ -n $wall ]] || break
    best=$nodes
    ((best < nodes_max)) || break
    nodes=$((nodes * 2 < nodes_max ? nodes * 2 : nodes_max))
  done
  if ((best == nodes_max)); then
    echo "largest network finishing $slots slots within $budget s: $best nodes, the most a simulation may have (doubling from 64)"
  else
    echo "largest network finishing $slots slots within $budget s: $best nodes (doubling from 64, then the limit of $nodes_max; $nodes took longer)"
  fi
else
  run "$@"
fi
