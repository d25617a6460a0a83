#!/usr/bin/env bash
# Forms a 3-operator ML chain from scratch the way the launch kit says (chain/README.md, Launch kit), on
# loopback, starts it and checks it: every operator has its own home, node key and account key; one coordinator
# collects the gentxs into a genesis carrying the kit's settings (chain/launch/kit.json); every home gets the
# same genesis (sha256 compared) and passes the checklist (check-genesis.sh); peers come from the gentx memos;
# all three nodes must reach height >= 5 with one app hash and serve the kit's params. The nodes are stopped
# and the work folder removed on exit, whatever happens. Keys use the test keyring; no mnemonic is printed.
#
#   form-network.sh [LUNC_MLD] [--base-port N] [--timeout-commit DURATION] [--wait-s SECONDS]
#                   [--genesis-out FILE] [--keep]
#
#   LUNC_MLD          the lunc-mld binary (else $LUNC_MLD, else <repo>/.cache/bin/lunc-mld: `node bin/lunc-ml.js devnet build`)
#   --base-port       node i (0..2) listens on 127.0.0.1: p2p base+10i, rpc +1, abci +2, grpc +3 (default 28600: below the kernel's ephemeral ports)
#   --timeout-commit  overrides the kit's timeout_commit, e.g. 1s for a quick local run (default: the kit's)
#   --wait-s          how long the nodes get to reach height 5 (default 120)
#   --genesis-out     copies the final genesis there
#   --keep            keeps the work folder (homes, logs) and prints where it is
# The last line printed is `RESULT <json>` (chain id, genesis sha256, validators, common height and app hash,
# mean block interval).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

binary=${LUNC_MLD:-}
base_port=28600 timeout_commit= wait_s=120 genesis_out= keep=
while [[ $# -gt 0 ]]; do
  case $1 in
  --base-port) base_port=$2; shift 2 ;;
  --timeout-commit) timeout_commit=$2; shift 2 ;;
  --wait-s) wait_s=$2; shift 2 ;;
  --genesis-out) genesis_out=$2; shift 2 ;;
  --keep) keep=1; shift ;;
  -*) die "unknown option $1" ;;
  *) binary=$1; shift ;;
  esac
done
binary=${binary:-$LAUNCH_DIR/../../.cache/bin/lunc-mld}
[[ -x $binary ]] || die "lunc-mld not found at $binary (build it: node bin/lunc-ml.js devnet build)"

kit=$LAUNCH_DIR/kit.json
registry=$LAUNCH_DIR/$(json get "$kit" chain_registry)
chain_id=$(json get "$registry" chain_id)
denom=$(json get "$registry" staking.staking_tokens.0.denom)
prefix=$(json get "$registry" bech32_prefix)
coin_type=$(json get "$registry" slip44)
balance=$(json get "$kit" operators.balance)
self_bond=$(json get "$kit" operators.self_bond)
operators=(op1 op2 op3)
min_height=5

work=$(mktemp -d "${TMPDIR:-/tmp}/lunc-ml-launch.XXXXXX")
pids=()
stop_nodes() {
  local pid i
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    # A node flushes its stores on SIGTERM; one that has not exited after 15 s is killed.
    for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
cleanup() {
  stop_nodes
  if [[ -n $keep ]]; then echo "[form-network] kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[form-network] $*"; }
# mld OPERATOR ARGS...: runs lunc-mld on that operator's home; output goes to the operator's setup log and is
# shown only when the command fails (no key command here prints a mnemonic: keys are added with --no-backup).
mld() {
  local op=$1
  shift
  if ! "$binary" "$@" --home "$work/$op" >>"$work/$op.setup.log" 2>&1; then
    tail -n 20 "$work/$op.setup.log" >&2
    die "$op: lunc-mld $1 $2 failed"
  fi
}
p2p_port() { echo $((base_port + 10 * $1)); }
rpc_port() { echo $((base_port + 10 * $1 + 1)); }
abci_port() { echo $((base_port + 10 * $1 + 2)); }
grpc_port() { echo $((base_port + 10 * $1 + 3)); }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for i in "${!operators[@]}"; do
  for p in "$(p2p_port "$i")" "$(rpc_port "$i")" "$(abci_port "$i")" "$(grpc_port "$i")"; do
    if port_busy "$p"; then die "port $p is in use (choose another --base-port)"; fi
  done
done

# 1. Every operator: a home, a node key, an account key.
declare -A addr node_id
for op in "${operators[@]}"; do
  mld "$op" init "$op" --chain-id "$chain_id" --bech32-prefix "$prefix" --denom "$denom" --coin-type "$coin_type"
  mld "$op" keys add "$op" --keyring-backend test --no-backup
  addr[$op]=$("$binary" keys show "$op" -a --keyring-backend test --home "$work/$op")
  node_id[$op]=$("$binary" comet show-node-id --home "$work/$op")
  log "$op: account ${addr[$op]}, node ${node_id[$op]}"
done

# 2. The coordinator (op1) writes the pre-genesis: every operator's account, the kit's settings.
coord=${operators[0]}
pre=$work/$coord/config/genesis.json
for op in "${operators[@]}"; do mld "$coord" genesis add-genesis-account "${addr[$op]}" "$balance$denom"; done
json merge "$pre" "$kit" genesis
for op in "${operators[@]:1}"; do cp "$pre" "$work/$op/config/genesis.json"; done
log "pre-genesis sha256 $(sha256_of "$pre") sent to every operator"

# 3. Every operator signs a gentx against the pre-genesis and hands it to the coordinator.
mkdir "$work/gentxs"
for i in "${!operators[@]}"; do
  op=${operators[$i]}
  mld "$op" genesis gentx "$op" "$self_bond$denom" --chain-id "$chain_id" --moniker "$op" \
    --commission-rate "$(json get "$kit" operators.commission_rate)" \
    --commission-max-rate "$(json get "$kit" operators.commission_max_rate)" \
    --commission-max-change-rate "$(json get "$kit" operators.commission_max_change_rate)" \
    --ip 127.0.0.1 --p2p-port "$(p2p_port "$i")" --keyring-backend test --output-document "$work/gentxs/$op.json"
done

# 4. The coordinator collects and validates, then publishes the genesis with its sha256.
mld "$coord" genesis collect-gentxs --gentx-dir "$work/gentxs"
mld "$coord" genesis validate
genesis=$work/$coord/config/genesis.json
sha=$(sha256_of "$genesis")
for op in "${operators[@]:1}"; do cp "$genesis" "$work/$op/config/genesis.json"; done
log "genesis sha256 $sha"

# 5. Every operator checks what it received: the same hash, and the checklist.
for op in "${operators[@]}"; do
  got=$(sha256_of "$work/$op/config/genesis.json")
  [[ $got == "$sha" ]] || die "$op: genesis sha256 $got, published $sha"
  if ! out=$(bash "$LAUNCH_DIR/check-genesis.sh" "$work/$op/config/genesis.json" --sha256 "$sha" --gentxs "${#operators[@]}" --binary "$binary" --home "$work/$op"); then
    echo "$out" >&2
    die "$op: genesis checklist failed"
  fi
  if [[ $op == "$coord" ]]; then sed 's/^/  /' <<<"$out"; fi
done
log "genesis checklist passed in every home"
[[ -z $genesis_out ]] || cp "$genesis" "$genesis_out"

# 6. Node settings: the kit's config.toml / app.toml, peers from the gentx memos (everyone but itself). On one
# loopback address the p2p address book must accept private, shared IPs, which a public node refuses.
memos=$(json each "$genesis" app_state.genutil.gen_txs body.memo)
for op in "${operators[@]}"; do
  cfg=$work/$op/config
  while IFS=$'\x1f' read -r section key value; do toml_set "$cfg/config.toml" "$section" "$key" "$value"; done < <(json toml "$kit" config_toml)
  while IFS=$'\x1f' read -r section key value; do toml_set "$cfg/app.toml" "$section" "$key" "$value"; done < <(json toml "$kit" app_toml)
  toml_set "$cfg/config.toml" p2p addr_book_strict false
  toml_set "$cfg/config.toml" p2p allow_duplicate_ip true
  [[ -z $timeout_commit ]] || toml_set "$cfg/config.toml" consensus timeout_commit "\"$timeout_commit\""
  peers=$(grep -v "^${node_id[$op]}@" <<<"$memos" | paste -sd, -)
  toml_set "$cfg/config.toml" p2p persistent_peers "\"$peers\""
done

# 7. Start all three.
for i in "${!operators[@]}"; do
  op=${operators[$i]}
  "$binary" start --home "$work/$op" \
    --rpc.laddr "tcp://127.0.0.1:$(rpc_port "$i")" --proxy_app "tcp://127.0.0.1:$(abci_port "$i")" \
    --p2p.laddr "tcp://127.0.0.1:$(p2p_port "$i")" --grpc.enable=true --grpc.address "127.0.0.1:$(grpc_port "$i")" \
    --api.enable=false >"$work/$op.log" 2>&1 &
  pids+=($!)
done
log "started ${#pids[@]} nodes (pids ${pids[*]})"

# 8. Every node at height >= 5, polled until a deadline; a node that exits ends the wait at once.
# GET on a node's RPC with curl, or node's fetch where there is no curl.
rpc_get() {
  local url="http://127.0.0.1:$(rpc_port "$1")$2"
  if command -v curl >/dev/null 2>&1; then
    curl -sf --max-time 2 "$url"
  else
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => (r.ok ? r.text() : Promise.reject(r.status))).then((t) => process.stdout.write(t), () => process.exit(1))' "$url"
  fi
}
height_of() {
  local f=$work/status.$1.json
  rpc_get "$1" /status >"$f" 2>/dev/null || { echo 0; return; }
  json get "$f" result.sync_info.latest_block_height
}
deadline=$((SECONDS + wait_s))
while :; do
  heights=()
  for i in "${!operators[@]}"; do
    kill -0 "${pids[$i]}" 2>/dev/null || { tail -n 30 "$work/${operators[$i]}.log" >&2; die "${operators[$i]} exited"; }
    heights+=("$(height_of "$i")")
  done
  low=$(printf '%s\n' "${heights[@]}" | sort -n | head -n1)
  ((low >= min_height)) && break
  if ((SECONDS >= deadline)); then
    for op in "${operators[@]}"; do echo "--- $op" >&2; tail -n 15 "$work/$op.log" >&2; done
    die "heights ${heights[*]} after ${wait_s}s, want all >= $min_height"
  fi
  sleep 0.5
done
log "heights ${heights[*]}"

# 9. One app hash at every checked height, three validators.
app_hash_at() {
  local f=$work/block.$1.json
  rpc_get "$1" "/block?height=$2" >"$f" || die "${operators[$1]}: no block $2"
  json get "$f" result.block.header.app_hash
}
for h in $(printf '%s\n' "$min_height" "$low" | sort -un); do
  hashes=()
  for i in "${!operators[@]}"; do hashes+=("$(app_hash_at "$i" "$h")"); done
  [[ $(printf '%s\n' "${hashes[@]}" | sort -u | wc -l) -eq 1 ]] || die "app hashes differ at height $h: ${hashes[*]}"
  log "height $h: app hash ${hashes[0]} on all ${#operators[@]} nodes"
done
block_ms() {
  rpc_get 0 "/block?height=$1" >"$work/time.json" || die "no block $1"
  date -d "$(json get "$work/time.json" result.block.header.time)" +%s%3N
}
# The mean block interval shows the node settings took (timeout_commit from the kit or --timeout-commit).
interval_ms=$((($(block_ms "$low") - $(block_ms 2)) / (low - 2)))
log "mean block interval $interval_ms ms (heights 2..$low)"
rpc_get 0 "/validators?height=$low" >"$work/validators.json"
validators=$(json get "$work/validators.json" result.total)
[[ $validators == "${#operators[@]}" ]] || die "validator set has $validators validators, want ${#operators[@]}"

# 10. The running chain serves the kit's params (every node, through its own RPC).
for i in "${!operators[@]}"; do
  node=tcp://127.0.0.1:$(rpc_port "$i")
  for m in ml gov mint slashing staking; do
    "$binary" query "$m" params --node "$node" -o json --home "$work/${operators[$i]}" >"$work/$m-params.json"
    d=$(json diff "$work/$m-params.json" "$kit" "genesis.app_state.$m.params" params | tr '\037' ' ')
    [[ -z $d ]] || die "${operators[$i]}: $m params differ from the kit (path got want): $d"
  done
  "$binary" query interchain-accounts host params --node "$node" -o json --home "$work/${operators[$i]}" >"$work/host-params.json"
  d=$(json diff "$work/host-params.json" "$kit" genesis.app_state.interchainaccounts.host_genesis_state.params | tr '\037' ' ')
  [[ -z $d ]] || die "${operators[$i]}: ICA host params differ from the kit (path got want): $d"
done
log "x/ml, gov, mint, slashing and staking params and the ICA host allow list served by every node equal the kit's"

printf 'RESULT {"chain_id":"%s","genesis_sha256":"%s","validators":%s,"height":%s,"app_hash":"%s","block_interval_ms":%s}\n' \
  "$chain_id" "$sha" "$validators" "$low" "${hashes[0]}" "$interval_ms"
