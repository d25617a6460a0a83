// The launch kit's files (chain/launch) agree with the chain and the CLI: the chain-registry entry, the kit's
// genesis settings and the README read their denoms, prefix, versions and message lists from one place each.
// Forming and starting a network with them is test/e2e/launch-kit.e2e.test.ts.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chainSpecs, testPorts } from '../../src/devnet/index.js';
import { ibcDenom } from '../../src/ica/ics20.js';
import { hostMsgTypes } from '../../src/ica/msg-types.js';
import { COLUMBUS_5, readProfileFile } from '../../src/core/profiles.js';
import { SAMPLE_CONFIG, parseDuration } from '../../src/relayer/config.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const launch = join(repoRoot, 'chain', 'launch');
const readJson = (p: string): any => JSON.parse(readFileSync(p, 'utf8'));
const kit = readJson(join(launch, 'kit.json'));
const registry = readJson(join(launch, kit.chain_registry));
const ml = chainSpecs(testPorts, 40).ml;
const mlParams = kit.genesis.app_state.ml.params;
const hostParams = kit.genesis.app_state.interchainaccounts.host_genesis_state.params;
const luncDenom = ibcDenom(mlParams.lunc_channel, mlParams.lunc_base_denom);
/** "0.025umlc" → { amount: 0.025, denom: "umlc" } */
const price = (s: string) => {
  const m = /^([0-9.]+)(.+)$/.exec(s)!;
  return { amount: Number(m[1]), denom: m[2] };
};

/** A string-list `var Name = []string{...}` literal from a Go source file. */
function goStringList(file: string, name: string): string[] {
  const src = readFileSync(join(repoRoot, file), 'utf8');
  const body = new RegExp(`var ${name} = \\[\\]string\\{([^}]*)\\}`).exec(src)?.[1];
  if (body === undefined) throw new Error(`${name} not found in ${file}`);
  return [...body.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

describe('chain-registry entry (chain/launch/chain.json)', () => {
  it('has the fields a chain-registry chain.json needs, with every unknown marked TO-FILL', () => {
    for (const k of ['chain_name', 'chain_id', 'pretty_name', 'network_type', 'status', 'bech32_prefix', 'daemon_name', 'node_home']) {
      expect(typeof registry[k], k).toBe('string');
      expect(registry[k].length, k).toBeGreaterThan(0);
    }
    expect(registry.chain_name).toMatch(/^[a-z0-9]+$/);
    expect(registry.chain_id).toMatch(/^[a-z0-9-]+-[0-9]+$/); // the trailing number is the IBC revision
    expect(registry.key_algos).toEqual(['secp256k1']);
    expect(Number.isInteger(registry.slip44)).toBe(true);
    for (const t of registry.fees.fee_tokens) {
      for (const k of ['fixed_min_gas_price', 'low_gas_price', 'average_gas_price', 'high_gas_price']) expect(typeof t[k], `${t.denom} ${k}`).toBe('number');
      expect(t.low_gas_price).toBeGreaterThanOrEqual(t.fixed_min_gas_price);
      expect(t.high_gas_price).toBeGreaterThanOrEqual(t.average_gas_price);
    }
    expect(registry.staking.staking_tokens).toHaveLength(1);
    expect(registry.peers).toEqual({ seeds: [], persistent_peers: [] });
    for (const kind of ['rpc', 'rest', 'grpc']) {
      for (const api of registry.apis[kind]) expect(`${api.address} ${api.provider}`).toMatch(/^TO-FILL: .* TO-FILL: /);
    }
    expect(registry.codebase.git_repo).toMatch(/^TO-FILL: /);
    expect(registry.codebase.genesis.genesis_url).toMatch(/^TO-FILL: /);
  });

  it('names the ML chain prefix, coin type, staking denom and gas price the devnet uses', () => {
    expect(registry.bech32_prefix).toBe(ml.prefix);
    expect(registry.slip44).toBe(ml.coinType);
    expect(registry.staking.staking_tokens[0].denom).toBe(ml.denom);
    const gas = price(ml.gasPrice);
    expect(registry.fees.fee_tokens[0]).toMatchObject({ denom: gas.denom, fixed_min_gas_price: gas.amount });
  });

  it("lists LUNC as a fee token: the voucher of uluna over the kit's lunc_channel, at columbus-5's gas price", () => {
    const lunc = registry.fees.fee_tokens.find((t: any) => t.denom.startsWith('ibc/'));
    expect(lunc.denom).toBe(luncDenom);
    expect(lunc.fixed_min_gas_price).toBe(price(COLUMBUS_5.gasPrice).amount);
    expect(mlParams.lunc_base_denom).toBe(COLUMBUS_5.denom);
  });

  it('carries the binary version the devnet build links in and the library versions of chain/go.mod', () => {
    const version = readJson(join(repoRoot, 'package.json')).version;
    expect(registry.codebase.recommended_version).toBe(`v${version}`);
    expect(registry.codebase.compatible_versions).toContain(`v${version}`);
    const gomod = readFileSync(join(repoRoot, 'chain', 'go.mod'), 'utf8');
    const dep = (path: string) => new RegExp(`^\\s*${path.replace(/[./]/g, '\\$&')} (v\\S+)`, 'm').exec(gomod)?.[1];
    expect(registry.codebase.consensus.version).toBe(dep('github.com/cometbft/cometbft'));
    expect(registry.codebase.sdk.version).toBe(dep('github.com/cosmos/cosmos-sdk'));
    expect(registry.codebase.ibc.version).toBe(dep('github.com/cosmos/ibc-go/v10'));
  });
});

describe('kit settings (chain/launch/kit.json)', () => {
  it('accepts job fees in the staking denom and in LUNC, sorted by denom as sdk.Coins must be, with min_fee one of them', () => {
    const denoms = mlParams.fee_minimums.map((c: any) => c.denom);
    expect(denoms).toEqual([...denoms].sort());
    expect(denoms).toEqual(expect.arrayContaining([ml.denom, luncDenom]));
    expect(mlParams.fee_minimums).toContainEqual(mlParams.min_fee);
  });

  it('sends a share only where an address receives it, and the shares sum to 1', () => {
    const s = mlParams.fee_split;
    expect(Number(s.executor_share) + Number(s.burn_share) + Number(s.community_share)).toBeCloseTo(1, 12);
    expect(mlParams.burn_address).toMatch(/^terra1/);
    if (Number(s.community_share) > 0) expect(mlParams.community_address).toMatch(/^terra1/);
  });

  it("sets each node's minimum gas prices to the registry's fixed minimum of every fee token", () => {
    const want = registry.fees.fee_tokens.map((t: any) => `${t.fixed_min_gas_price}${t.denom}`).join(',');
    expect(kit.app_toml['']['minimum-gas-prices']).toBe(want);
  });

  it("lets interchain accounts run the chain's default host messages plus MsgTransfer, and nothing that changes params", () => {
    const chainDefault = goStringList('chain/x/ml/types/codec.go', 'ICAHostAllowedMsgs');
    expect(hostParams.host_enabled).toBe(true);
    expect(hostParams.allow_messages).toEqual([...chainDefault, '/ibc.applications.transfer.v1.MsgTransfer']);
    expect(hostParams.allow_messages).toEqual(expect.arrayContaining([...hostMsgTypes.keys()]));
    expect(hostParams.allow_messages.filter((m: string) => m === '*' || m.endsWith('MsgUpdateParams'))).toEqual([]);
  });

  it('puts gov deposits and minted coins in the staking denom, with the commission floor at the kit gentx commission', () => {
    const { gov, mint, staking } = kit.genesis.app_state;
    const deposits = [...gov.params.min_deposit, ...gov.params.expedited_min_deposit].map((c: any) => c.denom);
    expect(new Set(deposits)).toEqual(new Set([ml.denom]));
    expect(mint.params.mint_denom).toBe(ml.denom);
    expect(Number(staking.params.min_commission_rate)).toBeLessThanOrEqual(Number(kit.operators.commission_rate));
    expect(parseDuration(gov.params.expedited_voting_period, 'expedited')).toBeLessThan(parseDuration(gov.params.voting_period, 'voting'));
  });

  it("keeps the unbonding time above the trusting period the relayer's sample config gives this chain's client", () => {
    const trusting = [...SAMPLE_CONFIG.matchAll(/trusting_period = "([^"]+)"/g)].map((m) => parseDuration(m[1], 'trusting_period'));
    expect(trusting.length).toBeGreaterThan(0);
    const unbonding = parseDuration(kit.genesis.app_state.staking.params.unbonding_time, 'unbonding_time');
    for (const t of trusting) expect(t).toBeLessThan(unbonding);
  });

  it('only allows models the chain knows by default', () => {
    const known = goStringList('chain/x/ml/types/params.go', 'DefaultAllowedModels');
    expect(known).toEqual(expect.arrayContaining(mlParams.allowed_models));
  });
});

describe('CLI profile of the network (chain/launch/profile.json)', () => {
  const set = readProfileFile(join(launch, 'profile.json'), 'lunc', false);

  it('reads as a real-network profile: columbus-5 as controller, this chain as host', () => {
    expect(set.devnet).toBe(false);
    expect(set.controller).toEqual({ ...COLUMBUS_5, grpc: undefined });
    expect(set.host).toMatchObject({ chainId: registry.chain_id, prefix: registry.bech32_prefix, coinType: registry.slip44, denom: ml.denom, gasPrice: ml.gasPrice });
  });

  it("pays job fees in LUNC over the kit's channel, at the kit's minimum", () => {
    const min = mlParams.fee_minimums.find((c: any) => c.denom === luncDenom);
    expect(set.transfer?.hostChannel).toBe(mlParams.lunc_channel);
    expect(set.defaultMaxFee).toBe(`${min.amount}${luncDenom}`);
  });
});

describe('README launch kit (chain/README.md)', () => {
  const readme = readFileSync(join(repoRoot, 'chain', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Launch kit'));

  it("names the kit's chain id, LUNC denom, every ICA host message and its files", () => {
    expect(readme).toContain('## Launch kit');
    const text = section.slice(0, section.indexOf('\n## ', 5) === -1 ? undefined : section.indexOf('\n## ', 5));
    for (const s of [registry.chain_id, luncDenom, ...hostParams.allow_messages, 'form-network.sh', 'check-genesis.sh', 'kit.json', 'chain.json', 'profile.json']) {
      expect(text, s).toContain(s);
    }
  });
});
