#!/usr/bin/env bash
# datdot's main job for now: a feed round trip. Builds datdot, makes a 32 MiB
# feed from generated data, proves and verifies a block, exports it, imports the
# export into a second directory, verifies every block there and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/build.sh build >/dev/null
datdot=build/cli/datdot
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

head -c $((32 * 1024 * 1024)) /dev/urandom > "$work/data.bin"
echo "== datdot feed create (32 MiB, 64 KiB blocks)"
$datdot feed create "$work/origin" "$work/data.bin"
echo "== datdot feed proof (block 100, first lines)"
proof=$($datdot feed proof "$work/origin" 100 --json)
head -n 8 <<<"$proof"
echo "== datdot feed export / import / verify"
$datdot feed export "$work/origin" "$work/feed.datdot"
$datdot feed import "$work/copy" "$work/feed.datdot"
$datdot feed verify "$work/copy"
$datdot feed get "$work/copy" 100 > "$work/block100"
cmp <(tail -c +$((100 * 65536 + 1)) "$work/data.bin" | head -c 65536) "$work/block100"

origin=$($datdot feed info "$work/origin" --json)
copy=$($datdot feed info "$work/copy" --json)
key() { jq -r ".$2" <<<"$1"; }
echo "== summary"
echo "feed key      $(key "$origin" key)"
echo "blocks        $(key "$origin" length)"
echo "tree hash     $(key "$origin" tree_hash)"
if [ "$(key "$origin" tree_hash)" = "$(key "$copy" tree_hash)" ]; then
  echo "round trip    ok: the imported copy has the same signed tree and block 100 matches the input"
else
  echo "round trip    FAILED: tree hashes differ" >&2
  exit 1
fi
