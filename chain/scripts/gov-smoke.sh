#!/usr/bin/env bash
# Governance smoke run of a lunc-mld binary on a throwaway one-validator chain: a gov proposal that updates
# x/ml params passes through `tx gov submit-proposal` / `tx gov vote` and takes effect; the validator withdraws
# its staking rewards (`tx distribution withdraw-rewards`); `tx slashing unjail` of a validator that is not
# jailed is refused by the chain (the command and its message work).
# Usage: chain/scripts/gov-smoke.sh [LUNC_MLD] [--base-port N]   (default binary: .cache/bin/lunc-mld)
set -euo pipefail
bin=${1:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.cache/bin/lunc-mld"}
base=48600
[[ ${2:-} == --base-port ]] && base=$3
home=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$home"; }
trap cleanup EXIT
q() { "$bin" --home "$home" "$@"; }
kr=(--keyring-backend test)
node=(--node "tcp://127.0.0.1:$((base + 1))")
txf=(--chain-id gov-1 "${kr[@]}" "${node[@]}" --fees 5000umlc --gas 400000 --yes --output json)

q init smoke --chain-id gov-1 >/dev/null 2>&1
q keys add val "${kr[@]}" >/dev/null 2>&1
val=$(q keys show val -a "${kr[@]}")
valoper=$(q keys show val --bech val -a "${kr[@]}")
q genesis add-genesis-account "$val" 100000000000umlc >/dev/null
# A devnet's patch: short voting periods (expedited must stay below the regular one).
jq '.app_state.gov.params.voting_period="8s" | .app_state.gov.params.expedited_voting_period="4s"' \
  "$home/config/genesis.json" >"$home/g.json" && mv "$home/g.json" "$home/config/genesis.json"
q genesis gentx val 10000000000umlc --chain-id gov-1 "${kr[@]}" >/dev/null 2>&1
q genesis collect-gentxs >/dev/null 2>&1
q genesis validate >/dev/null
"$bin" --home "$home" start --rpc.laddr "tcp://127.0.0.1:$((base + 1))" --p2p.laddr "tcp://127.0.0.1:$((base + 2))" \
  --grpc.address "127.0.0.1:$((base + 3))" --proxy_app "tcp://127.0.0.1:$((base + 4))" >"$home/node.log" 2>&1 &
pid=$!
height() { curl -s "127.0.0.1:$((base + 1))/status" | jq -r '.result.sync_info.latest_block_height // 0' 2>/dev/null || echo 0; }
wait_height() { for _ in $(seq 120); do (($(height) >= $1)) && return; sleep 0.5; done; echo "chain stuck below $1" >&2; tail -20 "$home/node.log" >&2; exit 1; }
wait_height 2
tx() { local out code; out=$(q tx "$@" "${txf[@]}"); code=$(jq -r .code <<<"$out"); [[ $code == 0 ]] || { echo "$out" >&2; return 1; }; sleep 1.5; jq -r .txhash <<<"$out"; }

gov=$(q query auth module-account gov "${node[@]}" --output json | jq -r '.account.value.address // .account.base_account.address')
params=$(q query ml params "${node[@]}" --output json | jq '.params | .max_steps = 77')
jq -n --arg gov "$gov" --argjson p "$params" '{messages: [{"@type": "/lunc.ml.v1.MsgUpdateParams", authority: $gov, params: $p}],
  deposit: "10000000umlc", title: "x/ml max_steps 77", summary: "smoke"}' >"$home/proposal.json"
tx gov submit-proposal "$home/proposal.json" --from val >/dev/null
id=$(q query gov proposals "${node[@]}" --output json | jq -r '.proposals[-1].id')
tx gov vote "$id" yes --from val >/dev/null
for _ in $(seq 40); do
  status=$(q query gov proposal "$id" "${node[@]}" --output json | jq -r '.proposal.status // .status')
  [[ $status == PROPOSAL_STATUS_PASSED || $status == 3 ]] && break
  sleep 0.5
done
steps=$(q query ml params "${node[@]}" --output json | jq -r .params.max_steps)
[[ $steps == 77 ]] || { echo "proposal $id: $status, max_steps $steps" >&2; exit 1; }
echo "ok: proposal $id passed, x/ml max_steps = $steps"

before=$(q query bank balance "$val" umlc "${node[@]}" --output json | jq -r .balance.amount)
tx distribution withdraw-rewards "$valoper" --from val --commission >/dev/null
after=$(q query bank balance "$val" umlc "${node[@]}" --output json | jq -r .balance.amount)
((after > before - 5000)) || { echo "no rewards withdrawn: $before -> $after" >&2; exit 1; }
echo "ok: rewards withdrawn ($before -> $after umlc, 5000 fee)"

# CheckTx runs only the ante handler: the refusal shows in the included tx's result.
hash=$(q tx slashing unjail --from val "${txf[@]}" | jq -r .txhash)
sleep 1.5
res=$(q query tx "$hash" "${node[@]}" --output json)
[[ $(jq -r .code <<<"$res") != 0 ]] && grep -q "not jailed" <<<"$(jq -r .raw_log <<<"$res")" ||
  { echo "unexpected unjail result: $res" >&2; exit 1; }
echo "ok: unjail of a validator that is not jailed refused ($(jq -r .raw_log <<<"$res"))"
