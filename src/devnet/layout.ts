// Where each ML validator node of a multi-validator devnet lives: its home, log, moniker, keys and ports.
// Pure functions of (devnet home, base ports, node index), so `up`, `status`, `down` and the tests agree.
//
// Layout for `devnet up --validators N` (node 1 is the chain's rpc/grpc in profile.chains.ml, as on a
// single-validator devnet, so every other command works unchanged):
//
//   node k (1-based)   home          log           validator key    executor key   ports
//   1                  <home>/ml     ml.log        validator        executor       base (rpc, rpc+1 ABCI, p2p, grpc, api)
//   k ≥ 2              <home>/ml-k   ml-k.log      validator<k>     executor<k>    base + 10·(k−1) for each
//
// With the default ports node k listens on RPC 26757+10(k−1), P2P 26756+10(k−1), ABCI 26758+10(k−1),
// gRPC 9190+10(k−1), API 1417+10(k−1); lunc-1 stays one validator on 26657/26656/9090/1317.
import { join } from 'node:path';
import { DevnetError } from './errors.js';
import type { ChainKey, ChainPorts } from './types.js';

/** The accounts fixture holds validator and executor mnemonics for this many ML validators. */
export const MAX_VALIDATORS = 8;
/** Port distance between consecutive ML validator nodes (each uses rpc, rpc+1, p2p, grpc, api). */
export const NODE_PORT_STEP = 10;

/** 1-based node index → the node's ports. */
export function mlNodePorts(base: ChainPorts, node: number): ChainPorts {
  const d = NODE_PORT_STEP * (node - 1);
  return { rpc: base.rpc + d, p2p: base.p2p + d, grpc: base.grpc + d, api: base.api + d };
}

export function mlNodeHome(home: string, node: number): string {
  return node === 1 ? join(home, 'ml') : join(home, `ml-${node}`);
}

export function mlNodeLog(home: string, node: number): string {
  return node === 1 ? join(home, 'ml.log') : join(home, `ml-${node}.log`);
}

export function mlNodeMoniker(node: number): string {
  return node === 1 ? 'ml-validator' : `ml-validator-${node}`;
}

/** Names (in fixtures/devnet/accounts.json) of node k's validator (self-delegator) and executor accounts. */
export function mlNodeKeys(node: number): { validator: string; executor: string } {
  return node === 1 ? { validator: 'validator', executor: 'executor' } : { validator: `validator${node}`, executor: `executor${node}` };
}

/** Accounts beyond the base set that an N-validator devnet needs (executor2 is in the base set already). */
export function extraAccountNames(validators: number): string[] {
  const out: string[] = [];
  for (let k = 2; k <= validators; k++) {
    const keys = mlNodeKeys(k);
    out.push(keys.validator);
    if (keys.executor !== 'executor2') out.push(keys.executor);
  }
  return out;
}

export function checkValidatorCount(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_VALIDATORS) {
    throw new DevnetError('devnet_layout_invalid', `the ML chain runs 1 to ${MAX_VALIDATORS} validators, got ${n}`, {
      hint: `the accounts fixture holds keys for ${MAX_VALIDATORS} validators`,
    });
  }
}

/**
 * Every port the devnet listens on (the ABCI port rpc+1 included), labelled; throws when two coincide, so a
 * custom base layout that would make node 3's RPC land on lunc-1's P2P port is refused before anything starts.
 */
export function devnetPortList(ports: Record<ChainKey, ChainPorts>, validators: number, api: boolean): Array<{ label: string; port: number }> {
  const list: Array<{ label: string; port: number }> = [];
  const add = (label: string, p: ChainPorts) => {
    list.push({ label: `${label} rpc`, port: p.rpc }, { label: `${label} abci`, port: p.rpc + 1 }, { label: `${label} p2p`, port: p.p2p }, { label: `${label} grpc`, port: p.grpc });
    if (api) list.push({ label: `${label} api`, port: p.api });
  };
  add('lunc', ports.lunc);
  for (let k = 1; k <= validators; k++) add(validators === 1 ? 'ml' : `ml node ${k}`, mlNodePorts(ports.ml, k));
  const seen = new Map<number, string>();
  for (const { label, port } of list) {
    const other = seen.get(port);
    if (other)
      throw new DevnetError('devnet_layout_invalid', `port ${port} would serve both ${other} and ${label}`, {
        hint: `keep the base ports of the two chains at least ${NODE_PORT_STEP * validators} apart`,
      });
    seen.set(port, label);
  }
  return list;
}

/** CometBFT persistent_peers for node k: every other node, as id@127.0.0.1:p2p. */
export function persistentPeers(nodes: Array<{ nodeId: string; p2p: string }>, self: number): string {
  return nodes
    .filter((_, i) => i !== self - 1)
    .map((n) => `${n.nodeId}@127.0.0.1:${new URL(n.p2p).port}`)
    .join(',');
}
