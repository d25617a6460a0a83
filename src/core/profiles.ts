// Chain profiles: which endpoints, prefixes, denoms and gas prices a command talks to.
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

export interface ChainProfile {
  chainId: string;
  rpc: string;
  grpc?: string;
  prefix: string;
  denom: string;
  /** BIP44 coin type for key derivation (330 on Terra Classic). */
  coinType: number;
  /** Default gas price with denom, e.g. 28.325uluna. */
  gasPrice: string;
}

/** A controller chain (where the user signs) and, when known, the ML host chain behind a connection. */
export interface ProfileSet {
  name: string;
  controller: ChainProfile;
  host?: ChainProfile;
  /** Connection id on the controller that leads to the ML chain. */
  connectionId?: string;
  /** Default max_fee for jobs on the host, e.g. 1000umlc. */
  defaultMaxFee?: string;
  /** Where a devnet profile was read from. */
  source?: string;
  /** The local devnet (tiny models, loopback executors); a user's profile file is a real network unless it says so. */
  devnet?: boolean;
  /** The ICS-20 channel between the two chains: LUNC travels over it to pay fees (controller side, host side). */
  transfer?: { controllerChannel: string; hostChannel: string };
}

export const COLUMBUS_5: ChainProfile = {
  chainId: 'columbus-5',
  rpc: 'https://terra-classic-rpc.publicnode.com:443',
  prefix: 'terra',
  denom: 'uluna',
  coinType: 330,
  gasPrice: '28.325uluna',
};

interface DevnetChainJson {
  chainId: string;
  rpc: string;
  grpc?: string;
  prefix: string;
  denom: string;
  coinType?: number;
  gasPrice?: string;
}

function fromJson(c: DevnetChainJson, where: string): ChainProfile {
  for (const k of ['chainId', 'rpc', 'prefix', 'denom'] as const) {
    if (typeof c?.[k] !== 'string' || !c[k]) throw new ConfigError(`${where}: "${k}" is missing`, { hint: 'rerun `lunc-ml devnet up` or fix the profile file' });
  }
  return { chainId: c.chainId, rpc: c.rpc, grpc: c.grpc, prefix: c.prefix, denom: c.denom, coinType: c.coinType ?? 118, gasPrice: c.gasPrice ?? `0${c.denom}` };
}

/** Reads a devnet profile.json (written by `lunc-ml devnet up`) or a user profile file of the same shape. */
export function readProfileFile(path: string, which: 'lunc' | 'ml' = 'lunc', devnet = true): ProfileSet {
  if (!existsSync(path)) {
    throw new ConfigError(`no chain profile at ${path}`, { code: 'no_profile', hint: 'start the local devnet with `lunc-ml devnet up`, or pass --chain columbus-5' });
  }
  let j: any;
  try {
    j = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`cannot parse ${path}: ${(e as Error).message}`);
  }
  const lunc = fromJson(j?.chains?.lunc, `${path} chains.lunc`);
  const ml = fromJson(j?.chains?.ml, `${path} chains.ml`);
  const set: ProfileSet = {
    name: devnet ? (which === 'lunc' ? 'local' : 'local-ml') : path,
    controller: which === 'lunc' ? lunc : ml,
    host: ml,
    connectionId: j?.ibc?.connectionId ?? j?.connectionId,
    defaultMaxFee: j?.defaultMaxFee ?? `1000${ml.denom}`,
    source: path,
    devnet: devnet || j?.devnet === true,
    transfer:
      typeof j?.transfer?.controllerChannel === 'string' && typeof j?.transfer?.hostChannel === 'string'
        ? { controllerChannel: j.transfer.controllerChannel, hostChannel: j.transfer.hostChannel }
        : undefined,
  };
  return set;
}

/**
 * `name`: columbus-5 | local | local-ml | path/to/profile.json. `devnetProfile` is where the devnet
 * writes its profile; `node` overrides the controller RPC.
 */
export function resolveProfile(name: string, opts: { devnetProfile: string; node?: string }): ProfileSet {
  let set: ProfileSet;
  if (name === 'columbus-5') set = { name, controller: { ...COLUMBUS_5 } };
  else if (name === 'local') set = readProfileFile(opts.devnetProfile, 'lunc');
  else if (name === 'local-ml') set = readProfileFile(opts.devnetProfile, 'ml');
  else if (name.endsWith('.json')) set = readProfileFile(name, 'lunc', false);
  else throw new ConfigError(`unknown chain profile "${name}"`, { code: 'no_profile', hint: 'use columbus-5, local, local-ml or a path to a profile .json' });
  if (opts.node) set.controller = { ...set.controller, rpc: opts.node };
  return set;
}
