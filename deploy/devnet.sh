#!/usr/bin/env bash
# A local devnet: the topology of deploy/docker-stack.yml (validators with
# devnet keys, then role nodes) as real `datdot node` processes on loopback.
#
#   deploy/devnet.sh up [--prometheus]   start every node (and a Prometheus scraping them)
#   deploy/devnet.sh status              each node: pid, bus endpoint, metrics URL, health
#   deploy/devnet.sh down                SIGTERM everything it started, SIGKILL what is left after 5 s
#
# Environment: DEVNET_DIR (default build/devnet) holds each node's data
# directory and logs; DEVNET_BASE_PORT (default 17000): node i listens for the
# bus on BASE+i, serves metrics on BASE+100+i, Prometheus on BASE+99.
# DEVNET_VALIDATORS, DEVNET_PUBLISHERS, DEVNET_ENCODERS, DEVNET_HOSTERS,
# DEVNET_ATTESTERS set the counts (defaults: the stack file's 3, 1, 1, 2, 1).
# DATDOT (default build/cli/datdot) is the binary. Validators run the chain from
# DIR/genesis.json (`datdot chain genesis`, slots of DEVNET_SLOT_MS, default 1000;
# a replica is challenged about every DEVNET_CHALLENGE_PERIOD blocks, default 20,
# within DEVNET_CHALLENGE_DEADLINE blocks, default 8); role nodes follow the chain
# with it and register their roles (hosters offer DEVNET_HOSTER_BYTES, default
# 1 GiB). The client API is on each node's metrics address:
# `datdot chain status --node HOST:PORT`, `datdot publish FILE --node PUBLISHER`.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
dir=${DEVNET_DIR:-$here/build/devnet}
base=${DEVNET_BASE_PORT:-17000}
datdot=${DATDOT:-$here/build/cli/datdot}
start_wait_s=10

# Validator i's identity comes from a public seed, SHA-256("datdot devnet validator i"),
# so every node (and the stack file) knows the validators' ids before they start.
devnet_seed() { printf 'datdot devnet validator %d' "$1" | sha256sum | cut -c1-64; }

# The started line of node $1 (bounded wait); fails if the node exits or stays silent.
started_line() {
  local name=$1 i
  for ((i = 0; i < start_wait_s * 20; i++)); do
    if line=$(grep -m1 '"event":"started"' "$dir/$name/stdout.jsonl" 2>/dev/null); then
      echo "$line"
      return 0
    fi
    kill -0 "$(cat "$dir/$name/pid")" 2>/dev/null || break
    sleep 0.05
  done
  echo "devnet: $name did not start; its log:" >&2
  cat "$dir/$name/stderr.log" >&2
  return 1
}

# start_node NAME INDEX ROLES [extra args...]
start_node() {
  local name=$1 index=$2 roles=$3
  shift 3
  mkdir -p "$dir/$name"
  "$datdot" node --data-dir "$dir/$name/data" --roles "$roles" \
    --listen "tcp://127.0.0.1:$((base + index))" --metrics-listen "127.0.0.1:$((base + 100 + index))" "$@" \
    >"$dir/$name/stdout.jsonl" 2>"$dir/$name/stderr.log" </dev/null &
  echo $! >"$dir/$name/pid"
  echo "$name" >>"$dir/nodes"
}

write_targets() {
  local first=1
  {
    echo "["
    while read -r name; do
      [ $first -eq 1 ] || echo ","
      first=0
      local line metrics
      line=$(started_line "$name")
      metrics=$(jq -r '.metrics | sub("^http://"; "") | sub("/metrics$"; "")' <<<"$line")
      printf '  {"targets": ["%s"], "labels": {"node": "%s"}}' "$metrics" "$name"
    done <"$dir/nodes"
    echo
    echo "]"
  } >"$dir/targets.json.tmp"
  mv "$dir/targets.json.tmp" "$dir/targets.json"  # Prometheus re-reads file_sd files on change
}

start_prometheus() {
  command -v prometheus >/dev/null || { echo "devnet: prometheus is not installed (deploy/setup.sh installs it)" >&2; return 1; }
  cp deploy/prometheus/prometheus-devnet.yml "$dir/prometheus.yml"
  prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/prometheus-data" \
    --web.listen-address="127.0.0.1:$((base + 99))" >"$dir/prometheus.log" 2>&1 </dev/null &
  echo $! >"$dir/prometheus.pid"
  local i
  for ((i = 0; i < start_wait_s * 20; i++)); do
    curl -fs "http://127.0.0.1:$((base + 99))/-/ready" >/dev/null 2>&1 && {
      echo "prometheus  http://127.0.0.1:$((base + 99))  (scraping every node each second)"
      return 0
    }
    sleep 0.05
  done
  echo "devnet: prometheus did not become ready; its log:" >&2
  tail -n 20 "$dir/prometheus.log" >&2
  return 1
}

up() {
  [ ! -s "$dir/nodes" ] || { echo "devnet: already up in $dir (run down first)" >&2; exit 1; }
  mkdir -p "$dir"
  : >"$dir/nodes"
  local validators=${DEVNET_VALIDATORS:-3} i index=0 bootstrap=()
  # The chain's genesis names the same devnet identities; validators run the chain with it.
  "$datdot" chain genesis --devnet-validators "$validators" --slot-duration-ms "${DEVNET_SLOT_MS:-1000}" \
    --challenge-period-slots "${DEVNET_CHALLENGE_PERIOD:-20}" \
    --challenge-deadline-blocks "${DEVNET_CHALLENGE_DEADLINE:-8}" -o "$dir/genesis.json"
  for ((i = 1; i <= validators; i++)); do
    start_node "validator-$i" $index validator --key-seed "$(devnet_seed $i)" --genesis "$dir/genesis.json" \
      "${bootstrap[@]}"
    # Later validators and every role node join through the validators started before them.
    bootstrap+=(--bootstrap "$(started_line "validator-$i" | jq -r '.node + "@" + .endpoint')")
    index=$((index + 1))
  done
  local role count
  for role in publisher encoder hoster attester; do
    case $role in
      publisher) count=${DEVNET_PUBLISHERS:-1} ;;
      encoder) count=${DEVNET_ENCODERS:-1} ;;
      hoster) count=${DEVNET_HOSTERS:-2} ;;
      attester) count=${DEVNET_ATTESTERS:-1} ;;
    esac
    for ((i = 1; i <= count; i++)); do
      # The validator role makes a node a chain follower: its roles act on the finalized chain.
      start_node "$role-$i" $index "$role,validator" --genesis "$dir/genesis.json" \
        --capacity-bytes "$([ $role = hoster ] && echo "${DEVNET_HOSTER_BYTES:-1073741824}" || echo 0)" \
        "${bootstrap[@]}"
      index=$((index + 1))
    done
  done
  write_targets
  status
  if [ "${1:-}" = "--prometheus" ]; then start_prometheus; fi
}

# Each chain node's view: best and finalized height over its /chain API.
chain_status() {
  local name line api
  while read -r name; do
    line=$(grep -m1 '"event":"started"' "$dir/$name/stdout.jsonl" 2>/dev/null || echo '{}')
    [ "$(jq -r '.chain // ""' <<<"$line")" != "" ] || continue
    api=$(jq -r '.metrics | sub("^http://"; "") | sub("/metrics$"; "")' <<<"$line")
    curl -s --max-time 2 "http://$api/chain/status" 2>/dev/null |
      jq -r --arg n "$name" --arg api "$api" \
        '"\($n)  chain: best \(.best_height)  finalized \(.finalized_height)  round \(.round)  (datdot chain status --node \($api))"' \
        2>/dev/null || true
  done <"$dir/nodes"
}

status() {
  [ -s "$dir/nodes" ] || { echo "devnet: not running (no $dir/nodes)"; return 0; }
  printf '%-13s %-8s %-10s %-24s %-36s %s\n' NODE PID ROLES BUS METRICS HEALTH
  local name line pid state health
  while read -r name; do
    pid=$(cat "$dir/$name/pid")
    line=$(grep -m1 '"event":"started"' "$dir/$name/stdout.jsonl" 2>/dev/null || echo '{}')
    state=$pid
    kill -0 "$pid" 2>/dev/null || state="exited"
    health=$(curl -s -o /dev/null -w '%{http_code}' "$(jq -r '.metrics // "" | sub("/metrics$"; "/health")' <<<"$line")" 2>/dev/null || true)
    printf '%-13s %-8s %-10s %-24s %-36s %s\n' "$name" "$state" "$(jq -r '.roles // "-"' <<<"$line")" \
      "$(jq -r '.endpoint // "-"' <<<"$line")" "$(jq -r '.metrics // "-"' <<<"$line")" \
      "$([ "$health" = 200 ] && echo ready || echo "not ready ($health)")"
  done <"$dir/nodes"
  chain_status
  [ ! -f "$dir/prometheus.pid" ] || echo "prometheus    $(cat "$dir/prometheus.pid")  http://127.0.0.1:$((base + 99))"
}

down() {
  local pids=() name pid i
  [ ! -f "$dir/prometheus.pid" ] || pids+=("$(cat "$dir/prometheus.pid")")
  if [ -f "$dir/nodes" ]; then
    while read -r name; do pids+=("$(cat "$dir/$name/pid")"); done <"$dir/nodes"
  fi
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < 100; i++)); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 1 ] || break
    sleep 0.05
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -f "$dir/nodes" "$dir/prometheus.pid"
  echo "devnet: stopped ${#pids[@]} processes"
}

case ${1:-} in
  up) shift; up "$@" ;;
  status) status ;;
  down) down ;;
  *) echo "usage: deploy/devnet.sh up [--prometheus] | status | down" >&2; exit 2 ;;
esac
