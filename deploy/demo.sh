#!/usr/bin/env bash
# datdot's main job, end to end on one machine: builds datdot, starts a local
# network with deploy/devnet.sh (4 validators, 1 publisher, 2 encoders,
# 5 hosters, 3 attesters, all real processes on loopback), publishes a file
# with 3 replicas and follows it until pinned, waits for storage challenges to
# be proved on chain and attested, prints a summary, and stops the network.
# DEMO_MIB (default 4) sets the file size.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/build.sh build >/dev/null
datdot=$(pwd)/build/cli/datdot
work=$(mktemp -d)
export DEVNET_DIR=$work/devnet DEVNET_BASE_PORT=${DEVNET_BASE_PORT:-27000} DEVNET_SLOT_MS=500 DEVNET_CHALLENGE_PERIOD=24 DEVNET_CHALLENGE_DEADLINE=12
export DEVNET_VALIDATORS=4 DEVNET_PUBLISHERS=1 DEVNET_ENCODERS=2 DEVNET_HOSTERS=5 DEVNET_ATTESTERS=3
trap 'deploy/devnet.sh down >/dev/null; rm -rf "$work"' EXIT

echo "== a local network (deploy/devnet.sh up)"
deploy/devnet.sh up | grep -v "chain: best" || true
api() { jq -r 'select(.event == "started") | .metrics | sub("^http://"; "") | sub("/metrics$"; "")' "$DEVNET_DIR/$1/stdout.jsonl"; }
id() { jq -r 'select(.event == "started") | .node' "$DEVNET_DIR/$1/stdout.jsonl"; }
chain=$(api validator-1)

echo "== role nodes register themselves on chain"
for name in $(grep -v validator "$DEVNET_DIR/nodes"); do
  for ((i = 0; i < 120; i++)); do
    $datdot chain account "$(id "$name")" --node "$chain" --json 2>/dev/null | jq -e '.node' >/dev/null && break
    sleep 0.5
  done
  echo "$name  $(id "$name" | cut -c1-16)  $($datdot chain account "$(id "$name")" --node "$chain" --json | jq -r '.node.roles')"
done
publisher=$(id publisher-1)
$datdot chain transfer --key "$DEVNET_DIR/validator-1/data/node.key" --to "$publisher" --amount 1000000000 \
  --wait-final --timeout-ms 30000 --node "$chain" --json >/dev/null
echo "publisher got 1000 ratio from validator-1"

echo "== datdot publish (${DEMO_MIB:-4} MiB, 3 replicas)"
head -c $((${DEMO_MIB:-4} * 1024 * 1024)) /dev/urandom >"$work/data.bin"
started=$(date +%s.%N)
$datdot publish "$work/data.bin" --replicas 3 --node "$(api publisher-1)" --follow-ms $((3600000 + ${DEMO_MIB:-4} * 10000)) --timeout-ms 600000 |
  tee "$work/publish.out"
echo "publish to 3 replicas pinned: $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s for ${DEMO_MIB:-4} MiB"
key=$(awk '/^feed key/ {print $3}' "$work/publish.out")

echo "== storage challenges and attestations (waiting for three of each)"
for ((i = 0; i < 240; i++)); do
  passed=$($datdot chain events --from 1 --type challenge_resolved --node "$chain" --json | jq -s '[.[] | select(.passed)] | length')
  attested=$($datdot chain events --from 1 --type attestation_recorded --node "$chain" --json | jq -s 'length')
  [ "$passed" -ge 3 ] && [ "$attested" -ge 3 ] && break
  sleep 0.5
done
# jq takes the first six itself: `head` would close the pipe on a longer list and, with pipefail, fail the demo.
$datdot chain events --from 1 --type challenge_resolved --type attestation_recorded --node "$chain" --json |
  jq -c -n '[inputs][:6][] | {block, type, challenge, passed, served}'

echo "== summary"
$datdot status "$key" --node "$chain"
ratio() { $datdot chain account "$(id "$1")" --node "$chain" --json | jq -r '.ratio_units'; }
for name in $(grep -v validator "$DEVNET_DIR/nodes"); do printf '%-12s ratio %12s units\n' "$name" "$(ratio "$name")"; done
failed=$($datdot chain events --from 1 --type challenge_resolved --node "$chain" --json | jq -s '[.[] | select(.passed | not)] | length')
echo "challenges passed $passed, failed $failed; attestations $attested"
state=$($datdot status "$key" --node "$chain" --json | jq -r '.state')
if [ "$state" = pinned ] && [ "$passed" -ge 3 ] && [ "$attested" -ge 3 ]; then
  echo "pinned, challenged and attested: ok"
else
  echo "FAILED: state $state, $passed challenges passed, $attested attestations" >&2
  exit 1
fi
