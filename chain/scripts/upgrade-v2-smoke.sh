#!/usr/bin/env bash
# The v2-governance upgrade on a real node: a one-validator chain runs the pre-governance binary (no gov, so no
# upgrade proposal is possible) and stops with --halt-height; data/upgrade-info.json names v2-governance at the
# next height; the new binary mounts the added stores, applies the upgrade and goes on producing blocks, and
# governance, distribution and slashing work there.
# Usage: chain/scripts/upgrade-v2-smoke.sh OLD_LUNC_MLD NEW_LUNC_MLD [--base-port N]
#   OLD_LUNC_MLD: built from a commit before the governance modules, e.g.
#   git archive 05ba288 chain | tar -x -C /tmp/old && (cd /tmp/old/chain && go build -o /tmp/old/lunc-mld ./cmd/lunc-mld)
set -euo pipefail
old=$1 new=$2
base=48700
[[ ${3:-} == --base-port ]] && base=$4
halt=8
home=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; [[ -n ${KEEP:-} ]] && echo "kept $home" >&2 || rm -rf "$home"; }
trap cleanup EXIT
kr=(--keyring-backend test)
node=(--node "tcp://127.0.0.1:$((base + 1))")
txf=(--chain-id up-1 "${kr[@]}" "${node[@]}" --fees 5000umlc --gas 400000 --yes --output json)
ports=(--rpc.laddr "tcp://127.0.0.1:$((base + 1))" --p2p.laddr "tcp://127.0.0.1:$((base + 2))"
  --grpc.address "127.0.0.1:$((base + 3))" --proxy_app "tcp://127.0.0.1:$((base + 4))")
height() { curl -s "127.0.0.1:$((base + 1))/status" | jq -r '.result.sync_info.latest_block_height // 0' 2>/dev/null || echo 0; }
wait_height() { for _ in $(seq 120); do (($(height) >= $1)) && return; sleep 0.5; done; echo "chain stuck below $1" >&2; grep -m1 -A12 -i "panic\|ERR" "$home/node.log" >&2; exit 1; }

"$old" --home "$home" init up --chain-id up-1 >/dev/null 2>&1
if jq -e '.app_state.gov' "$home/config/genesis.json" >/dev/null; then echo "$old already has gov" >&2; exit 2; fi
"$old" --home "$home" keys add val "${kr[@]}" >/dev/null 2>&1
val=$("$old" --home "$home" keys show val -a "${kr[@]}")
"$old" --home "$home" genesis add-genesis-account "$val" 100000000000umlc >/dev/null
"$old" --home "$home" genesis gentx val 10000000000umlc --chain-id up-1 "${kr[@]}" >/dev/null 2>&1
"$old" --home "$home" genesis collect-gentxs >/dev/null 2>&1

# With --halt-height H the old binary refuses block H (FinalizeBlock's halt check, logged as a consensus
# failure) and makes no more blocks, though the process stays up: H-1 is its last block, H the new binary's first.
"$old" --home "$home" start --halt-height "$halt" "${ports[@]}" >"$home/node.log" 2>&1 &
pid=$!
for _ in $(seq 240); do grep -q "halt per configuration" "$home/node.log" && break; sleep 0.5; done
kill "$pid"
wait "$pid" || true
echo "old binary stopped before height $halt"
printf '{"name":"v2-governance","height":%d}\n' "$halt" >"$home/data/upgrade-info.json"
"$new" --home "$home" start "${ports[@]}" >>"$home/node.log" 2>&1 &
pid=$!
wait_height $((halt + 2))
q() { "$new" --home "$home" "$@" "${node[@]}" --output json; }
echo "new binary at height $(height): $(q query upgrade applied v2-governance | jq -c .)"
q query slashing signing-infos | jq -e '.info | length == 1' >/dev/null || { echo "no signing info" >&2; exit 1; }
q query mint params | jq -e '.params.mint_denom == "umlc"' >/dev/null || { echo "mint denom" >&2; exit 1; }
valoper=$("$new" --home "$home" keys show val --bech val -a "${kr[@]}")
q query distribution rewards-by-validator "$val" "$valoper" | jq -e '.rewards | length > 0' >/dev/null || { echo "no rewards accruing" >&2; exit 1; }
out=$("$new" --home "$home" tx distribution withdraw-rewards "$valoper" --from val "${txf[@]}")
sleep 1.5
[[ $(q query tx "$(jq -r .txhash <<<"$out")" | jq -r .code) == 0 ]] || { echo "withdraw failed" >&2; exit 1; }
echo "ok: signing info, mint in umlc, rewards accrue and are withdrawn"
gov=$(q query auth module-account gov | jq -r '.account.value.address // .account.base_account.address')
jq -n --arg gov "$gov" --arg d "$(q query gov params | jq -r '.params.min_deposit[0] | .amount + .denom')" \
  '{messages: [{"@type": "/cosmos.slashing.v1beta1.MsgUpdateParams", authority: $gov, params: {signed_blocks_window: "10000",
   min_signed_per_window: "0.5", downtime_jail_duration: "600s", slash_fraction_double_sign: "0.05", slash_fraction_downtime: "0.01"}}],
   deposit: $d, title: "slashing window", summary: "smoke"}' >"$home/proposal.json"
out=$("$new" --home "$home" tx gov submit-proposal "$home/proposal.json" --from val "${txf[@]}")
sleep 1.5
[[ $(q query tx "$(jq -r .txhash <<<"$out")" | jq -r .code) == 0 ]] || { echo "proposal refused: $(q query tx "$(jq -r .txhash <<<"$out")" | jq -r .raw_log)" >&2; exit 1; }
echo "ok: gov accepts a proposal after the upgrade ($(q query gov proposals | jq -r '.proposals | length') proposal)"
