#!/bin/sh
# Starts `datdot node` inside a swarm task from environment variables, so one
# image serves every service of deploy/docker-stack.yml:
#   DATDOT_ROLES      comma-separated roles (validator, publisher, encoder, hoster, attester)
#   DATDOT_BOOTSTRAP  space-separated NODE_ID@tcp://HOST:7000 peers to join first
#   DATDOT_KEY_SEED   hex seed of a devnet validator's key (empty: a random key on first start)
#   DATDOT_SLOT       the task slot: each slot keeps its own data directory and key
#   DATDOT_GENESIS    the chain's genesis (default /etc/datdot/genesis.json, the stack's
#                     `genesis` config); validators in it run the chain, other nodes follow it
#   DATDOT_CAPACITY_BYTES  what a hoster offers (default: the node's default)
#   DATDOT_BIN        the binary (default /usr/local/bin/datdot)
# The bus binds the task's own address so that the endpoint peers learn from
# it is reachable on the overlay network.
set -eu
address=$(hostname -i | awk '{print $1}')
data=/var/lib/datdot/${DATDOT_SLOT:-1}
set -- node --data-dir "$data" --listen "tcp://$address:7000" --metrics-listen 0.0.0.0:9100 \
  --roles "${DATDOT_ROLES:?set DATDOT_ROLES}" "$@"
[ -z "${DATDOT_KEY_SEED:-}" ] || set -- "$@" --key-seed "$DATDOT_KEY_SEED"
genesis=${DATDOT_GENESIS:-/etc/datdot/genesis.json}
[ ! -f "$genesis" ] || set -- "$@" --genesis "$genesis"
[ -z "${DATDOT_CAPACITY_BYTES:-}" ] || set -- "$@" --capacity-bytes "$DATDOT_CAPACITY_BYTES"
for peer in ${DATDOT_BOOTSTRAP:-}; do set -- "$@" --bootstrap "$peer"; done
exec "${DATDOT_BIN:-/usr/local/bin/datdot}" "$@"
