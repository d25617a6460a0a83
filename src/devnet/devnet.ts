// The local two-chain devnet: lunc-1 (Terra Classic-like controller: terra / uluna / coin type 330) and
// mlchain-1 (the ML host: mlc / umlc / coin type 118), ~0.5 s blocks, loopback only. lunc-1 has one validator;
// mlchain-1 one by default or N (`validators`), each node with its own home and ports (see layout.ts).
// Never prints, never reads process.env, never exits: callers pass a logger and get typed errors.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync, closeSync, copyFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { toBech32 } from '@cosmjs/encoding';
import { DevnetError } from './errors.js';
import { ibcDenom } from '../ica/ics20.js';
import { sleep } from '../core/poll.js';
import { defaultBinary } from './build.js';
import { checkValidatorCount, devnetPortList, extraAccountNames, mlNodeHome, mlNodeKeys, mlNodeLog, mlNodeMoniker, mlNodePorts, persistentPeers } from './layout.js';
import type {
  ChainKey,
  ChainPorts,
  ChainSpec,
  ChainStatus,
  DevnetAccount,
  DevnetOptions,
  DevnetProfile,
  DevnetStatus,
  DowntimeRule,
  ProfileChain,
  ProfileValidatorNode,
  TransferChannels,
} from './types.js';

export const ACCOUNT_NAMES = ['validator', 'user', 'relayer', 'executor', 'executor2'] as const;

/** Default ports: LUNC side 26657/9090, ML side 26757/9190. */
export const defaultPorts: Record<ChainKey, ChainPorts> = {
  lunc: { rpc: 26657, p2p: 26656, grpc: 9090, api: 1317 },
  ml: { rpc: 26757, p2p: 26756, grpc: 9190, api: 1417 },
};

/**
 * Ports of the test devnet (vitest global setup), clear of a running demo devnet: RPC 30657/30757. Test ports stay
 * below Linux's ephemeral range (32768-60999): there, an outgoing connection's source port can hold a port the
 * devnet is about to listen on (seen: "port 46766 (ml node 2 p2p) is in use" in CI, with nothing listening).
 */
export const testPorts: Record<ChainKey, ChainPorts> = {
  lunc: { rpc: 30657, p2p: 30656, grpc: 9490, api: 1517 },
  ml: { rpc: 30757, p2p: 30756, grpc: 9590, api: 1617 },
};

/**
 * Ports of the multi-validator e2e devnet (test/e2e/multi-validator.e2e.test.ts), clear of the test devnet and of
 * a demo devnet so that it runs beside the shared e2e fixture: RPC 31657 (lunc-1), 31757 + 10·(k−1) (ML node k);
 * below the ephemeral range, as testPorts.
 */
export const multiValidatorTestPorts: Record<ChainKey, ChainPorts> = {
  lunc: { rpc: 31657, p2p: 31656, grpc: 9690, api: 1717 },
  ml: { rpc: 31757, p2p: 31756, grpc: 9790, api: 1817 },
};

/** Genesis balance of every account on both chains, and the validators' self-bond. */
export const GENESIS_BALANCE = 1_000_000_000_000n;
export const SELF_BOND = 100_000_000_000n;
export const DEFAULT_JOB_TIMEOUT_BLOCKS = 40;

export function defaultHome(repoRoot: string): string {
  return join(repoRoot, '.lunc-ml', 'devnet');
}

/** The devnet's ICS-20 channel id on both chains, its smallest LUNC fee and how often x/ml sends shares back. */
export const DEVNET_TRANSFER_CHANNEL = 'channel-0';
export const DEVNET_MIN_LUNC_FEE = 10_000;
export const DEVNET_FLOW_INTERVAL = 10;
export const DEVNET_VOTING_PERIOD_S = 30;

/** Where x/ml on the ML chain sends the burn and community shares of LUNC fees (lunc-1 addresses). */
export interface LuncSinks {
  burnAddress: string;
  communityAddress: string;
}

export function chainSpecs(
  ports: Record<ChainKey, ChainPorts>,
  jobTimeoutBlocks: number,
  sinks: LuncSinks = { burnAddress: '', communityAddress: '' },
  downtime?: DowntimeRule,
): Record<ChainKey, ChainSpec> {
  return {
    // columbus-5's minimum gas price (x/tax), enforced by the node: fees are really deducted in the ante handler.
    lunc: { key: 'lunc', chainId: 'lunc-1', moniker: 'lunc-validator', prefix: 'terra', denom: 'uluna', coinType: 330, gasPrice: '28.325uluna', ports: ports.lunc },
    ml: {
      key: 'ml',
      chainId: 'mlchain-1',
      moniker: 'ml-validator',
      prefix: 'mlc',
      denom: 'umlc',
      coinType: 118,
      gasPrice: '0.025umlc',
      ports: ports.ml,
      genesisPatch: (s) => {
        // A proposal on the devnet is decided within a minute (SDK default: 2 days); expedited must stay shorter.
        if (s.gov?.params) {
          s.gov.params.voting_period = `${DEVNET_VOTING_PERIOD_S}s`;
          s.gov.params.expedited_voting_period = `${Math.floor(DEVNET_VOTING_PERIOD_S / 2)}s`;
        }
        if (downtime && s.slashing?.params) {
          s.slashing.params.signed_blocks_window = String(downtime.signedBlocksWindow);
          s.slashing.params.min_signed_per_window = '0.500000000000000000';
          s.slashing.params.downtime_jail_duration = `${downtime.jailSeconds}s`;
        }
        const p = s.ml.params;
        p.job_timeout_blocks = String(jobTimeoutBlocks);
        // LUNC is the money: `relay link` opens the transfer channel before any ICA channel, so on a fresh devnet
        // it is channel-0 on both chains (the relayer checks and records the real ids in the profile).
        // sdk.Coins: sorted by denom.
        p.fee_minimums = [
          { denom: 'umlc', amount: '1000' },
          { denom: ibcDenom(DEVNET_TRANSFER_CHANNEL, 'uluna'), amount: String(DEVNET_MIN_LUNC_FEE) },
        ].sort((a, b) => (a.denom < b.denom ? -1 : 1));
        p.fee_split = { executor_share: '0.700000000000000000', burn_share: '0.200000000000000000', community_share: '0.100000000000000000' };
        p.lunc_channel = DEVNET_TRANSFER_CHANNEL;
        p.lunc_base_denom = 'uluna';
        if (sinks.burnAddress) p.burn_address = sinks.burnAddress;
        if (sinks.communityAddress) p.community_address = sinks.communityAddress;
        p.flow_interval = String(DEVNET_FLOW_INTERVAL);
      },
    },
  };
}

/**
 * Reads fixtures/devnet/accounts.json ({accounts: [{name, mnemonic}]}) and checks every base name (and each of
 * `extra`, the keys of ML validators beyond the first) is there.
 */
export function readAccounts(file: string, extra: string[] = []): DevnetAccount[] {
  let j: any;
  try {
    j = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DevnetError('devnet_accounts_invalid', `cannot read devnet accounts ${file}: ${(e as Error).message}`, { cause: e });
  }
  const list: any[] = Array.isArray(j) ? j : j?.accounts;
  const out: DevnetAccount[] = [];
  for (const name of [...ACCOUNT_NAMES, ...extra]) {
    const a = list?.find((x) => x?.name === name);
    if (typeof a?.mnemonic !== 'string' || a.mnemonic.trim().split(/\s+/).length < 12) {
      throw new DevnetError('devnet_accounts_invalid', `${file} has no valid "${name}" mnemonic`);
    }
    out.push({ name, mnemonic: a.mnemonic.trim() });
  }
  return out;
}

interface Ctx {
  binary: string;
  home: string;
  logger: DevnetOptions['logger'];
}

async function run(ctx: Ctx, args: string[], input?: string): Promise<string> {
  const { execa } = await import('execa');
  try {
    const r = await execa(ctx.binary, args, { input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    return `${r.stdout}`;
  } catch (e) {
    const err = e as { code?: string; stderr?: string; shortMessage?: string };
    if (err.code === 'ENOENT') throw new DevnetError('binary_missing', `lunc-mld not found at ${ctx.binary}`, { hint: 'run `lunc-ml devnet build`', cause: e });
    throw new DevnetError('devnet_init_failed', `lunc-mld ${args.slice(0, 2).join(' ')} failed: ${(err.stderr ?? err.shortMessage ?? String(e)).trim().slice(-2000)}`, { cause: e });
  }
}

const chainHome = (home: string, key: ChainKey) => join(home, key);
const logFile = (home: string, key: ChainKey) => join(home, `${key}.log`);
export const profilePath = (home: string) => join(home, 'profile.json');

/** One validator node to create: its home, moniker, self-delegator key (accounts file name) and self-bond. */
interface NodePlan {
  home: string;
  moniker: string;
  validatorKey: string;
  bond: bigint;
}

interface InitResult {
  addresses: Record<string, string>;
  valoper: string;
  nodes: Array<{ nodeId: string; valoper: string }>;
}

/**
 * init → keys → genesis accounts → gentx → collect. Node 1 holds every account and the genesis; with more
 * nodes, each other node is initialised in its own home (own node and consensus keys), signs its gentx there
 * against a copy of node 1's genesis, node 1 collects every gentx, and the final genesis is copied to all.
 */
async function initChain(ctx: Ctx, spec: ChainSpec, accounts: DevnetAccount[], nodes: NodePlan[]): Promise<InitResult> {
  const first = nodes[0]!;
  const h = first.home;
  const common = ['--home', h];
  const kr = ['--keyring-backend', 'test'];
  const initArgs = (n: NodePlan) => ['init', n.moniker, '--chain-id', spec.chainId, '--bech32-prefix', spec.prefix, '--denom', spec.denom, '--coin-type', String(spec.coinType), '--home', n.home];
  ctx.logger.info('initialising chain', { chainId: spec.chainId, home: h, ...(nodes.length > 1 ? { validators: nodes.length } : {}) });
  await run(ctx, initArgs(first));
  const addresses: Record<string, string> = {};
  for (const a of accounts) {
    const out = await run(ctx, ['keys', 'add', a.name, '--recover', '--output', 'json', ...kr, ...common], a.mnemonic + '\n');
    addresses[a.name] = JSON.parse(out).address;
    await run(ctx, ['genesis', 'add-genesis-account', addresses[a.name]!, `${GENESIS_BALANCE}${spec.denom}`, ...common]);
  }
  const valoperOf = async (n: NodePlan) => (await run(ctx, ['keys', 'show', n.validatorKey, '--bech', 'val', '-a', ...kr, '--home', n.home])).trim();
  const valoper = await valoperOf(first);
  const genesisFile = (home: string) => join(home, 'config', 'genesis.json');
  if (spec.genesisPatch) {
    const g = JSON.parse(readFileSync(genesisFile(h), 'utf8'));
    spec.genesisPatch(g.app_state);
    writeFileSync(genesisFile(h), JSON.stringify(g, null, 2));
  }
  const gentx = (n: NodePlan, out?: string) =>
    run(ctx, ['genesis', 'gentx', n.validatorKey, `${n.bond}${spec.denom}`, '--chain-id', spec.chainId, '--moniker', n.moniker, ...kr, '--home', n.home, ...(out ? ['--output-document', out] : [])]);
  await gentx(first);
  const result: InitResult = { addresses, valoper, nodes: [] };
  const others = nodes.slice(1);
  for (const [i, n] of others.entries()) {
    await run(ctx, initArgs(n));
    copyFileSync(genesisFile(h), genesisFile(n.home));
    const acct = accounts.find((a) => a.name === n.validatorKey);
    if (!acct) throw new DevnetError('devnet_accounts_invalid', `no "${n.validatorKey}" account for ${n.moniker}`);
    await run(ctx, ['keys', 'add', n.validatorKey, '--recover', '--output', 'json', ...kr, '--home', n.home], acct.mnemonic + '\n');
    await gentx(n, join(h, 'config', 'gentx', `gentx-node-${i + 2}.json`));
  }
  await run(ctx, ['genesis', 'collect-gentxs', ...common]);
  await run(ctx, ['genesis', 'validate', ...common]);
  for (const n of others) copyFileSync(genesisFile(h), genesisFile(n.home));
  if (nodes.length > 1) {
    for (const n of nodes) result.nodes.push({ nodeId: (await run(ctx, ['comet', 'show-node-id', '--home', n.home])).trim(), valoper: await valoperOf(n) });
  }
  return result;
}

/** Height from the node's /status, or undefined when it does not answer. */
export async function rpcHeight(rpc: string, timeoutMs = 2000): Promise<{ height: number; catchingUp: boolean } | undefined> {
  try {
    const r = await fetch(`${rpc}/status`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!r.ok) return undefined;
    const j: any = await r.json();
    const si = j?.result?.sync_info;
    return { height: Number(si?.latest_block_height ?? 0), catchingUp: Boolean(si?.catching_up) };
  } catch {
    return undefined;
  }
}

/** True when pid is alive and is a `lunc-mld start` on chainHome (so a reused pid is never taken for ours). */
export function isOurNode(pid: number | undefined, home: string): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmd.some((a) => a.endsWith('lunc-mld')) && cmd.includes('start') && cmd.includes(home);
  } catch {
    return true; // no /proc (macOS): trust the pid we recorded
  }
}

async function portFree(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** What `lunc-mld start` needs to know about a node (a ProfileChain or a ProfileValidatorNode). */
export type NodeListen = Pick<ProfileChain, 'home' | 'rpc' | 'p2p' | 'grpc' | 'api'> & { gasPrice: string };

/**
 * `lunc-mld start` flags from the profile: listen addresses, the gas price floor (the profile's gas price, so
 * that what clients are told to pay is what the node demands), the REST API when the profile has one, and the
 * other validators of a multi-validator chain as persistent peers.
 * The rest of the node config (fast blocks, kv index, no pprof, loopback peers allowed) is what `lunc-mld init` writes.
 */
export function startArgs(c: NodeListen, peers?: string): string[] {
  const port = (u: string) => Number(new URL(u.includes('://') ? u : `tcp://${u}`).port);
  const rpc = port(c.rpc);
  return [
    'start',
    '--home',
    c.home,
    `--minimum-gas-prices=${c.gasPrice}`,
    `--rpc.laddr=tcp://127.0.0.1:${rpc}`,
    `--proxy_app=tcp://127.0.0.1:${rpc + 1}`,
    `--p2p.laddr=tcp://127.0.0.1:${port(c.p2p)}`,
    '--p2p.pex=false',
    ...(peers ? [`--p2p.persistent_peers=${peers}`] : []),
    '--grpc.enable=true',
    `--grpc.address=127.0.0.1:${port(c.grpc)}`,
    `--api.enable=${c.api ? 'true' : 'false'}`,
    ...(c.api ? [`--api.address=tcp://127.0.0.1:${port(c.api)}`] : []),
  ];
}

/** One node process of the devnet: lunc-1's, or one ML validator's. */
interface NodeRef {
  key: ChainKey;
  /** ML validator node (1-based) on a multi-validator devnet. */
  node?: number;
  moniker?: string;
  chainId: string;
  home: string;
  logFile: string;
  rpc: string;
  pid?: number;
  args: string[];
}

/** Every node process the profile describes: lunc-1, then the ML validators in node order. */
function nodesOf(p: DevnetProfile): NodeRef[] {
  const lunc = p.chains.lunc;
  const ml = p.chains.ml;
  const out: NodeRef[] = [{ key: 'lunc', chainId: lunc.chainId, home: lunc.home, logFile: lunc.logFile, rpc: lunc.rpc, pid: p.pids.lunc, args: startArgs(lunc) }];
  const vals = p.mlValidators ?? [];
  if (vals.length === 0) {
    out.push({ key: 'ml', chainId: ml.chainId, home: ml.home, logFile: ml.logFile, rpc: ml.rpc, pid: p.pids.ml, args: startArgs(ml) });
    return out;
  }
  for (const v of vals) {
    out.push({
      key: 'ml',
      node: v.node,
      moniker: v.moniker,
      chainId: ml.chainId,
      home: v.home,
      logFile: v.logFile,
      rpc: v.rpc,
      pid: v.node === 1 ? (p.pids.ml ?? v.pid) : v.pid,
      args: startArgs({ ...v, gasPrice: ml.gasPrice }, persistentPeers(vals, v.node)),
    });
  }
  return out;
}

/** Records (or clears) a node's pid everywhere the profile keeps it (node 1 of the ML chain is also pids.ml). */
function setPid(p: DevnetProfile, n: Pick<NodeRef, 'key' | 'node'>, pid: number | undefined): void {
  const v = n.key === 'ml' && n.node ? p.mlValidators?.find((x) => x.node === n.node) : undefined;
  if (v) {
    if (pid) v.pid = pid;
    else delete v.pid;
  }
  if (n.key === 'lunc' || !n.node || n.node === 1) {
    if (pid) {
      p.pids[n.key] = pid;
      p.chains[n.key].pid = pid;
    } else {
      delete p.pids[n.key];
      delete p.chains[n.key].pid;
    }
  }
}

function label(n: Pick<NodeRef, 'chainId' | 'node'>): string {
  return n.node ? `${n.chainId} node ${n.node}` : n.chainId;
}

function startNode(ctx: Ctx, n: NodeRef): number {
  const fd = openSync(n.logFile, 'a');
  try {
    const child = spawn(ctx.binary, n.args, { detached: true, stdio: ['ignore', fd, fd] });
    if (!child.pid) throw new DevnetError('devnet_start_failed', `could not start lunc-mld for ${label(n)}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM (or `signal`), then SIGKILL after timeoutMs; true when the node was running. */
async function stopNode(n: NodeRef, logger: DevnetOptions['logger'], signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM', timeoutMs = 10_000): Promise<boolean> {
  const pid = n.pid;
  if (!pid || !isOurNode(pid, n.home)) return false;
  try {
    process.kill(pid, signal);
  } catch {
    return false;
  }
  const deadline = Date.now() + timeoutMs;
  while (isOurNode(pid, n.home) && Date.now() < deadline) await sleep(100);
  if (isOurNode(pid, n.home)) {
    logger.warn('node did not stop on SIGTERM, killing it', { pid });
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  logger.info('stopped node', { chainId: n.chainId, ...(n.node ? { node: n.node } : {}), pid });
  return true;
}

/**
 * Why a node exited while starting, in one line: the panic or error its log ends with (a Go stack trace is no message).
 * Chain data written by another build of lunc-mld (a module added since: its store is new to that data) cannot be
 * started, only reset, and the error says so.
 */
export function startFailure(what: string, logTail: string, logFile: string): DevnetError {
  const lines = logTail.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim());
  const reason = lines.find((l) => l.startsWith('panic: ')) ?? [...lines].reverse().find((l) => /\b(ERR|Error|error)\b/.test(l)) ?? 'no error in its log';
  const store = /version of store (\S+) mismatch|new stores should be added using StoreUpgrades/.exec(reason);
  if (store)
    return new DevnetError('devnet_start_failed', `${what} cannot start on its chain data: it was written by another build of lunc-mld${store[1] ? ` (store ${store[1]} is new to it)` : ''}`, {
      hint: 'start the devnet over with `lunc-ml devnet up --reset` (its chains begin again from genesis)',
      data: { log: logFile, reason },
    });
  return new DevnetError('devnet_start_failed', `${what} exited while starting: ${reason.replace(/^panic: /, '').slice(0, 300)}`, { hint: `see ${logFile}`, data: { log: logFile } });
}

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export function readProfile(home: string): DevnetProfile | undefined {
  const p = profilePath(home);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as DevnetProfile;
  } catch {
    return undefined;
  }
}

function writeProfile(profile: DevnetProfile): void {
  writeFileSync(profilePath(profile.home), JSON.stringify(profile, null, 2) + '\n');
}

/**
 * The profile as ML validator node k's own clients see it: chains.ml is node k (its rpc, grpc, home, operator),
 * everything else as in the devnet's profile. Validator k's executor runs with `--chain` on this file, so it
 * reads and submits through its own node, as it would on a real network. Pids stay in profile.json.
 */
export function nodeProfile(profile: DevnetProfile, node: number): DevnetProfile {
  const v = profile.mlValidators?.find((x) => x.node === node);
  if (!v) {
    if (node === 1) return profile;
    throw new DevnetError('devnet_profile_invalid', `the devnet at ${profile.home} has no ML validator node ${node}`);
  }
  const { pid: _pid, api: _api, ...ml } = profile.chains.ml;
  return {
    ...profile,
    pids: {},
    chains: {
      ...profile.chains,
      ml: { ...ml, rpc: v.rpc, grpc: v.grpc, p2p: v.p2p, ...(v.api ? { api: v.api } : {}), home: v.home, logFile: v.logFile, validatorOperator: v.validatorOperator },
    },
  };
}

/** Writes nodeProfile(k) of the devnet at home to <home>/profile-node-<k>.json (from profile.json as it is now) and returns its path. */
export function writeNodeProfile(home: string, node: number): string {
  const profile = readProfile(home);
  if (!profile) throw new DevnetError('devnet_not_running', `no devnet at ${home}`);
  const file = join(home, `profile-node-${node}.json`);
  writeFileSync(file, JSON.stringify(nodeProfile(profile, node), null, 2) + '\n');
  return file;
}

/** A fresh address that no key controls (20 random bytes): a sink for x/ml's burn and community shares. */
export function keylessAddress(prefix: string): string {
  return toBech32(prefix, randomBytes(20));
}

/**
 * Records the ICS-20 channel ids (`relay link` on the devnet; channel id per chain id) in profile.json as
 * `transfer: {controllerChannel, hostChannel}`, keeping everything else.
 */
export function recordTransferChannel(file: string, byChain: Record<string, string>): TransferChannels {
  let j: DevnetProfile;
  try {
    j = JSON.parse(readFileSync(file, 'utf8')) as DevnetProfile;
  } catch (e) {
    throw new DevnetError('devnet_profile_invalid', `cannot read the devnet profile ${file}: ${(e as Error).message}`, { cause: e });
  }
  const controllerChannel = byChain[j.chains?.lunc?.chainId];
  const hostChannel = byChain[j.chains?.ml?.chainId];
  if (!controllerChannel || !hostChannel) throw new DevnetError('devnet_profile_invalid', `${file} names chains other than the linked ones (${Object.keys(byChain).join(', ')})`);
  const transfer = { controllerChannel, hostChannel };
  j.transfer = transfer;
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(j, null, 2) + '\n');
  renameSync(tmp, file);
  return transfer;
}

export interface UpResult {
  profile: DevnetProfile;
  profilePath: string;
  /** True when the devnet was already running and was left as it was. */
  reused: boolean;
  /** True when existing chain data was restarted rather than created. */
  restarted: boolean;
  /** Heights of lunc-1 and of the ML chain's first node. */
  heights: Record<ChainKey, number>;
  /** Height of every ML validator node (node 1 first). */
  mlHeights: number[];
}

/** ML validators of a profile: mlValidators' length, or 1. */
export function validatorCount(p: DevnetProfile): number {
  return p.mlValidators?.length || 1;
}

/**
 * Brings both chains up (or reuses them when already running), waits until every node has produced height 2,
 * and writes <home>/profile.json.
 */
export async function up(opts: DevnetOptions): Promise<UpResult> {
  const home = opts.home ?? defaultHome(opts.repoRoot);
  const binary = opts.binary ?? defaultBinary(opts.repoRoot);
  const accountsFile = opts.accountsFile ?? join(opts.repoRoot, 'fixtures', 'devnet', 'accounts.json');
  const ports = opts.ports ?? defaultPorts;
  // Used only when the chains are created (a restart keeps the genesis and the profile's addresses).
  const sinks = { burnAddress: keylessAddress('terra'), communityAddress: keylessAddress('terra') };
  const specs = chainSpecs(ports, opts.jobTimeoutBlocks ?? DEFAULT_JOB_TIMEOUT_BLOCKS, sinks, opts.downtime);
  const ctx: Ctx = { binary, home, logger: opts.logger };
  if (opts.validators !== undefined) checkValidatorCount(opts.validators);
  if (opts.validatorBonds && opts.validatorBonds.length !== (opts.validators ?? 1)) {
    throw new DevnetError('devnet_layout_invalid', `${opts.validatorBonds.length} validator bonds for ${opts.validators ?? 1} validators`);
  }

  const existing = readProfile(home);
  if (existing && !opts.reset && opts.validators !== undefined && validatorCount(existing) !== opts.validators) {
    throw new DevnetError('devnet_layout_invalid', `the devnet at ${home} has ${validatorCount(existing)} ML validator(s), not ${opts.validators}`, {
      hint: 'recreate it with `lunc-ml devnet up --reset --validators N` (wipes its chain data), or use another --devnet-home',
    });
  }
  if (existing && !opts.reset) {
    const nodes = nodesOf(existing);
    const alive = nodes.map((n) => isOurNode(n.pid, n.home));
    if (alive.every(Boolean)) {
      const hs = await Promise.all(nodes.map((n) => rpcHeight(n.rpc)));
      if (hs.every((x) => x !== undefined)) {
        opts.logger.info('devnet already running', { home });
        return { profile: existing, profilePath: profilePath(home), reused: true, restarted: false, heights: { lunc: hs[0]!.height, ml: hs[1]!.height }, mlHeights: hs.slice(1).map((x) => x!.height) };
      }
    }
    if (alive.some(Boolean)) {
      opts.logger.warn('devnet half running: stopping it before starting again', { home });
      await down({ home, logger: opts.logger });
    }
  } else if (existing && opts.reset) {
    await down({ home, logger: opts.logger });
  }
  if (!existsSync(binary)) throw new DevnetError('binary_missing', `lunc-mld not found at ${binary}`, { hint: 'run `lunc-ml devnet build` first' });

  const keys: ChainKey[] = ['lunc', 'ml'];
  const initialised = keys.every((k) => existsSync(join(chainHome(home, k), 'config', 'genesis.json'))) && existing !== undefined;
  const restart = initialised && !opts.reset;
  const validators = restart ? validatorCount(existing!) : (opts.validators ?? 1);
  for (const { label: what, port } of devnetPortList(ports, validators, Boolean(opts.api))) {
    if (what.endsWith('abci')) continue; // bound by the node itself on rpc+1; a clash shows up on its rpc port's neighbour
    if (!(await portFree(port))) {
      throw new DevnetError('devnet_port_busy', `port ${port} (${what}) is in use`, {
        hint: 'stop what listens there (another devnet? `lunc-ml devnet down`), or start this one with other ports / another --home',
        data: { port, chain: what.split(' ')[0] },
      });
    }
  }

  let profile: DevnetProfile;
  if (restart) {
    profile = existing!;
    opts.logger.info('restarting existing devnet chains', { home });
  } else {
    const accounts = readAccounts(accountsFile, extraAccountNames(validators));
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    const plans: Record<ChainKey, NodePlan[]> = {
      lunc: [{ home: chainHome(home, 'lunc'), moniker: specs.lunc.moniker, validatorKey: 'validator', bond: SELF_BOND }],
      ml: Array.from({ length: validators }, (_, i) => ({
        home: mlNodeHome(home, i + 1),
        moniker: mlNodeMoniker(i + 1),
        validatorKey: mlNodeKeys(i + 1).validator,
        bond: opts.validatorBonds?.[i] ?? SELF_BOND,
      })),
    };
    const inited = {} as Record<ChainKey, InitResult>;
    for (const k of keys) inited[k] = await initChain(ctx, specs[k], accounts, plans[k]);
    copyFileSync(accountsFile, join(home, 'accounts.json'));
    const chain = (k: ChainKey): ProfileChain => {
      const s = specs[k];
      return {
        chainId: s.chainId,
        rpc: `http://127.0.0.1:${s.ports.rpc}`,
        grpc: `127.0.0.1:${s.ports.grpc}`,
        ...(opts.api ? { api: `http://127.0.0.1:${s.ports.api}` } : {}),
        p2p: `tcp://127.0.0.1:${s.ports.p2p}`,
        prefix: s.prefix,
        denom: s.denom,
        coinType: s.coinType,
        gasPrice: s.gasPrice,
        home: chainHome(home, k),
        logFile: logFile(home, k),
        validatorOperator: inited[k].valoper,
      };
    };
    profile = {
      version: 1,
      devnet: true,
      home,
      binary,
      running: false,
      chains: { lunc: chain('lunc'), ml: chain('ml') },
      accounts: Object.fromEntries(accounts.map((a) => [a.name, { mnemonicFile: join(home, 'accounts.json'), lunc: inited.lunc.addresses[a.name]!, ml: inited.ml.addresses[a.name]! }])),
      accountsFile: join(home, 'accounts.json'),
      pids: {},
      defaultMaxFee: `${DEVNET_MIN_LUNC_FEE * 5}${specs.lunc.denom}`,
      luncBurnAddress: sinks.burnAddress,
      luncCommunityAddress: sinks.communityAddress,
    };
    if (validators > 1) {
      profile.mlValidators = plans.ml.map((plan, i) => {
        const p = mlNodePorts(ports.ml, i + 1);
        return {
          node: i + 1,
          moniker: plan.moniker,
          rpc: `http://127.0.0.1:${p.rpc}`,
          grpc: `127.0.0.1:${p.grpc}`,
          ...(opts.api ? { api: `http://127.0.0.1:${p.api}` } : {}),
          p2p: `tcp://127.0.0.1:${p.p2p}`,
          home: plan.home,
          logFile: mlNodeLog(home, i + 1),
          nodeId: inited.ml.nodes[i]!.nodeId,
          validatorOperator: inited.ml.nodes[i]!.valoper,
          bond: plan.bond.toString(),
          validatorKey: plan.validatorKey,
          executorKey: mlNodeKeys(i + 1).executor,
        } satisfies ProfileValidatorNode;
      });
    }
  }

  for (const n of nodesOf(profile)) {
    const pid = startNode(ctx, n);
    setPid(profile, n, pid);
    opts.logger.info('started node', { chainId: n.chainId, ...(n.node ? { node: n.node } : {}), pid, log: n.logFile });
  }
  profile.running = true;
  profile.startedAt = new Date().toISOString();
  writeProfile(profile);

  const deadline = Date.now() + (opts.startTimeoutMs ?? 90_000);
  const nodes = nodesOf(profile);
  const hs: number[] = nodes.map(() => 0);
  for (;;) {
    for (const [i, n] of nodes.entries()) {
      if (!isOurNode(n.pid, n.home)) {
        await down({ home, logger: opts.logger });
        throw startFailure(label(n), tail(n.logFile, 200), n.logFile);
      }
      hs[i] = (await rpcHeight(n.rpc))?.height ?? 0;
    }
    if (hs.every((h) => h >= 2)) break;
    if (Date.now() > deadline) {
      await down({ home, logger: opts.logger });
      throw new DevnetError('devnet_start_failed', `the devnet did not reach height 2 in time (${nodes.map((n, i) => `${label(n)} ${hs[i]}`).join(', ')})`, {
        hint: `see ${nodes.map((n) => n.logFile).join(', ')}`,
      });
    }
    await sleep(250);
  }
  opts.logger.info('devnet up', { home, lunc: hs[0], ml: hs[1], ...(validators > 1 ? { validators } : {}) });
  return { profile, profilePath: profilePath(home), reused: false, restarted: restart, heights: { lunc: hs[0]!, ml: hs[1]! }, mlHeights: hs.slice(1) };
}

/** Heights and liveness of every node (lunc-1, then each ML validator). */
export async function status(opts: { home: string }): Promise<DevnetStatus> {
  const profile = readProfile(opts.home);
  if (!profile) return { home: opts.home, running: false, chains: [] };
  const chains: ChainStatus[] = [];
  for (const n of nodesOf(profile)) {
    const alive = isOurNode(n.pid, n.home);
    const h = alive ? await rpcHeight(n.rpc) : undefined;
    chains.push({
      key: n.key,
      ...(n.node ? { node: n.node, moniker: n.moniker } : {}),
      chainId: n.chainId,
      rpc: n.rpc,
      pid: n.pid,
      alive,
      height: h?.height,
      catchingUp: h?.catchingUp,
      ...(alive && !h ? { error: 'rpc not answering' } : {}),
    });
  }
  return { home: opts.home, running: chains.every((c) => c.alive && c.height !== undefined), chains };
}

export interface DownResult {
  home: string;
  stopped: Array<{ key: ChainKey; node?: number; pid: number }>;
}

/** Stops exactly the nodes this devnet started (pids from profile.json, checked against their command line). */
export async function down(opts: { home: string; logger: DevnetOptions['logger']; timeoutMs?: number }): Promise<DownResult> {
  const profile = readProfile(opts.home);
  const stopped: DownResult['stopped'] = [];
  if (!profile) return { home: opts.home, stopped };
  const nodes = nodesOf(profile);
  const done = await Promise.all(nodes.map((n) => stopNode(n, opts.logger, 'SIGTERM', opts.timeoutMs)));
  for (const [i, n] of nodes.entries()) {
    if (done[i]) stopped.push({ key: n.key, ...(n.node ? { node: n.node } : {}), pid: n.pid! });
    setPid(profile, n, undefined);
  }
  profile.pids = {};
  profile.running = false;
  writeProfile(profile);
  return { home: opts.home, stopped };
}

function mlNodeRef(profile: DevnetProfile, node: number): NodeRef {
  const n = nodesOf(profile).find((x) => x.key === 'ml' && (x.node ?? 1) === node);
  if (!n) throw new DevnetError('devnet_not_running', `the devnet at ${profile.home} has no ML validator node ${node} (it has ${validatorCount(profile)})`);
  return n;
}

/**
 * Stops one ML validator node, as an operator (SIGTERM) or a crash (SIGKILL) would; the others go on. The
 * profile keeps the node, without a pid, so `startMlNode` (or `devnet up`) brings it back on the same home.
 */
export async function stopMlNode(opts: { home: string; node: number; signal?: 'SIGTERM' | 'SIGKILL'; logger: DevnetOptions['logger'] }): Promise<boolean> {
  const profile = readProfile(opts.home);
  if (!profile) throw new DevnetError('devnet_not_running', `no devnet at ${opts.home}`);
  const n = mlNodeRef(profile, opts.node);
  const stopped = await stopNode(n, opts.logger, opts.signal ?? 'SIGTERM');
  setPid(profile, n, undefined);
  profile.running = false;
  writeProfile(profile);
  return stopped;
}

/** Starts one stopped ML validator node again on its own home and ports; it catches up from its peers. */
export async function startMlNode(opts: { home: string; node: number; logger: DevnetOptions['logger'] }): Promise<number> {
  const profile = readProfile(opts.home);
  if (!profile) throw new DevnetError('devnet_not_running', `no devnet at ${opts.home}`);
  const n = mlNodeRef(profile, opts.node);
  if (isOurNode(n.pid, n.home)) return n.pid!;
  const pid = startNode({ binary: profile.binary, home: opts.home, logger: opts.logger }, n);
  setPid(profile, n, pid);
  profile.running = nodesOf(profile).every((x) => isOurNode(x.pid, x.home));
  writeProfile(profile);
  opts.logger.info('started node', { chainId: n.chainId, node: opts.node, pid, log: n.logFile });
  return pid;
}
