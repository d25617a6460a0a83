#!/usr/bin/env bash
# The launch kit's genesis checklist, run by every operator on the final genesis before starting a node
# (chain/README.md, Launch kit). Prints one line per check ("ok" or "FAIL ... got ... want ...") and exits
# non-zero when any check fails.
#
#   check-genesis.sh GENESIS [--sha256 HEX] [--gentxs N] [--binary LUNC_MLD --home HOME]
#
#   --sha256   the hash the coordinator published with the genesis
#   --gentxs   how many validators the genesis must start with
#   --binary   also run `lunc-mld genesis validate` (with --home: that operator's home)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

genesis=${1:-}
[[ -n $genesis && -f $genesis ]] || die "usage: check-genesis.sh GENESIS [--sha256 HEX] [--gentxs N] [--binary LUNC_MLD --home HOME]"
shift
want_sha= want_gentxs= binary= home=
while [[ $# -gt 0 ]]; do
  case $1 in
  --sha256) want_sha=$2; shift 2 ;;
  --gentxs) want_gentxs=$2; shift 2 ;;
  --binary) binary=$2; shift 2 ;;
  --home) home=$2; shift 2 ;;
  *) die "unknown option $1" ;;
  esac
done
kit=$LAUNCH_DIR/kit.json
registry=$LAUNCH_DIR/$(json get "$kit" chain_registry)

failed=0
ok() { printf 'ok    %s\n' "$1"; }
fail() {
  printf 'FAIL  %s\n' "$1"
  failed=1
}
# expect WHAT GOT WANT
expect() {
  if [[ $2 == "$3" ]]; then ok "$1: $2"; else fail "$1: got $2, want $3"; fi
}

if [[ -n $want_sha ]]; then
  expect "genesis sha256" "$(sha256_of "$genesis")" "$want_sha"
else
  ok "genesis sha256: $(sha256_of "$genesis") (compare it with the coordinator's)"
fi

expect "chain_id" "$(json get "$genesis" chain_id)" "$(json get "$registry" chain_id)"
expect "initial_height" "$(json get "$genesis" initial_height)" "1"
ok "genesis_time: $(json get "$genesis" genesis_time) (the chain starts at this time, once 2/3 of the power is online)"

# One staking/gas denom everywhere a module names one.
bond=$(json get "$registry" staking.staking_tokens.0.denom)
expect "staking bond_denom" "$(json get "$genesis" app_state.staking.params.bond_denom)" "$bond"
if [[ $(json get "$genesis" app_state.mint) != null ]]; then
  expect "mint mint_denom" "$(json get "$genesis" app_state.mint.params.mint_denom)" "$bond"
fi
if [[ $(json get "$genesis" app_state.gov) != null ]]; then
  expect "gov deposit denoms" "$({ json each "$genesis" app_state.gov.params.min_deposit denom; json each "$genesis" app_state.gov.params.expedited_min_deposit denom; } | sort -u | tr '\n' ' ' | sed 's/ $//')" "$bond"
  ok "gov voting_period: $(json get "$genesis" app_state.gov.params.voting_period), expedited $(json get "$genesis" app_state.gov.params.expedited_voting_period)"
fi
expect "ml min_fee denom" "$(json get "$genesis" app_state.ml.params.min_fee.denom)" "$bond"

# Supply: the sum of the genesis balances (the bank module recomputes it when supply is empty).
total=0
while read -r a; do total=$((total + a)); done < <(json amounts "$genesis" "$bond")
supply=$(json get "$genesis" app_state.bank.supply)
if [[ $supply == "[]" || $supply == null ]]; then
  ok "total supply: $total$bond (sum of balances; bank.supply is left empty and computed)"
else
  s=$(paste <(json each "$genesis" app_state.bank.supply denom) <(json each "$genesis" app_state.bank.supply amount) | awk -v d="$bond" '$1 == d { print $2 }')
  expect "bank.supply of $bond equals the sum of balances" "${s:-none}" "$total"
fi

# Validators: the gentxs, each bonding the staking denom, each naming its node for the peer list.
n=$(json len "$genesis" app_state.genutil.gen_txs)
if [[ -n $want_gentxs ]]; then expect "gentx count" "$n" "$want_gentxs"; elif ((n > 0)); then ok "gentx count: $n"; else fail "gentx count: 0"; fi
expect "gentx bond denoms" "$(json each "$genesis" app_state.genutil.gen_txs body.messages.0.value.denom | sort -u | tr '\n' ' ' | sed 's/ $//')" "$bond"
memos=$(json each "$genesis" app_state.genutil.gen_txs body.memo)
bad=$(grep -cvE '^[0-9a-f]{40}@[^@:]+:[0-9]+$' <<<"$memos" || true)
expect "gentx memos of the form <node id>@<host>:<port>" "$bad bad" "0 bad"
expect "distinct node ids" "$(cut -d@ -f1 <<<"$memos" | sort -u | wc -l | tr -d ' ')" "$n"

# The kit's settings (x/ml params, ICA host allow list, consensus block gas, denom metadata) are all there.
d=$(json diff "$genesis" "$kit" genesis)
if [[ -z $d ]]; then ok "kit settings (chain/launch/kit.json genesis) all present"; else
  while IFS=$'\x1f' read -r path got want; do fail "$path: got $got, want $want"; done <<<"$d"
fi

# LUNC: the fee denom is the voucher of lunc_base_denom over lunc_channel, and the registry lists it.
channel=$(json get "$genesis" app_state.ml.params.lunc_channel)
lunc=$(ibc_denom "$channel" "$(json get "$genesis" app_state.ml.params.lunc_base_denom)")
expect "LUNC fee denom (transfer/$channel/uluna) in fee_minimums" "$(json each "$genesis" app_state.ml.params.fee_minimums denom | grep -cx "$lunc")" 1
expect "LUNC fee denom in the registry's fee_tokens" "$(json each "$registry" fees.fee_tokens denom | grep -cx "$lunc")" 1
allow=$(json each "$genesis" app_state.interchainaccounts.host_genesis_state.params.allow_messages "")
expect "ICA host allow list has no wildcard and no MsgUpdateParams" "$(grep -cE '^\*$|MsgUpdateParams$' <<<"$allow" || true)" 0
expect "consensus validator key types" "$(json get "$genesis" consensus.params.validator.pub_key_types)" '["ed25519"]'

if [[ -n $binary ]]; then
  if out=$("$binary" genesis validate "$genesis" ${home:+--home "$home"} 2>&1); then ok "lunc-mld genesis validate"; else fail "lunc-mld genesis validate: $out"; fi
fi

exit $failed
