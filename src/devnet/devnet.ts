// The local two-chain devnet: lunc-1 (Terra Classic-like controller: terra / uluna / coin type 330) and
// mlchain-1 (the ML host: mlc / umlc / coin type 118), one validator each, ~0.5 s blocks, loopback only.
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
import type { ChainKey, ChainPorts, ChainSpec, ChainStatus, DevnetAccount, DevnetOptions, DevnetProfile, DevnetStatus, ProfileChain, TransferChannels } from './types.js';

export const ACCOUNT_NAMES = ['validator', 'user', 'relayer', 'executor', 'executor2'] as const;

/** Default ports: LUNC side 26657/9090, ML side 26757/9190. */
export const defaultPorts: Record<ChainKey, ChainPorts> = {
  lunc: { rpc: 26657, p2p: 26656, grpc: 9090, api: 1317 },
  ml: { rpc: 26757, p2p: 26756, grpc: 9190, api: 1417 },
};

/** Ports of the test devnet (vitest global setup), clear of a running demo devnet: RPC 36657/36757. */
export const testPorts: Record<ChainKey, ChainPorts> = {
  lunc: { rpc: 36657, p2p: 36656, grpc: 9490, api: 1517 },
  ml: { rpc: 36757, p2p: 36756, grpc: 9590, api: 1617 },
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

/** Where x/ml on the ML chain sends the burn and community shares of LUNC fees (lunc-1 addresses). */
export interface LuncSinks {
  burnAddress: string;
  communityAddress: string;
}

export function chainSpecs(ports: Record<ChainKey, ChainPorts>, jobTimeoutBlocks: number, sinks: LuncSinks = { burnAddress: '', communityAddress: '' }): Record<ChainKey, ChainSpec> {
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

/** Reads fixtures/devnet/accounts.json ({accounts: [{name, mnemonic}]}) and checks every name is there. */
export function readAccounts(file: string): DevnetAccount[] {
  let j: any;
  try {
    j = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DevnetError('devnet_accounts_invalid', `cannot read devnet accounts ${file}: ${(e as Error).message}`, { cause: e });
  }
  const list: any[] = Array.isArray(j) ? j : j?.accounts;
  const out: DevnetAccount[] = [];
  for (const name of ACCOUNT_NAMES) {
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

/** init → keys → genesis accounts → gentx → collect → config edits. Returns account addresses and the valoper. */
async function initChain(ctx: Ctx, spec: ChainSpec, accounts: DevnetAccount[]): Promise<{ addresses: Record<string, string>; valoper: string }> {
  const h = chainHome(ctx.home, spec.key);
  const common = ['--home', h];
  const kr = ['--keyring-backend', 'test'];
  ctx.logger.info('initialising chain', { chainId: spec.chainId, home: h });
  await run(ctx, ['init', spec.moniker, '--chain-id', spec.chainId, '--bech32-prefix', spec.prefix, '--denom', spec.denom, '--coin-type', String(spec.coinType), ...common]);
  const addresses: Record<string, string> = {};
  for (const a of accounts) {
    const out = await run(ctx, ['keys', 'add', a.name, '--recover', '--output', 'json', ...kr, ...common], a.mnemonic + '\n');
    addresses[a.name] = JSON.parse(out).address;
    await run(ctx, ['genesis', 'add-genesis-account', addresses[a.name]!, `${GENESIS_BALANCE}${spec.denom}`, ...common]);
  }
  const valoper = (await run(ctx, ['keys', 'show', 'validator', '--bech', 'val', '-a', ...kr, ...common])).trim();
  const genesisFile = join(h, 'config', 'genesis.json');
  if (spec.genesisPatch) {
    const g = JSON.parse(readFileSync(genesisFile, 'utf8'));
    spec.genesisPatch(g.app_state);
    writeFileSync(genesisFile, JSON.stringify(g, null, 2));
  }
  await run(ctx, ['genesis', 'gentx', 'validator', `${SELF_BOND}${spec.denom}`, '--chain-id', spec.chainId, '--moniker', spec.moniker, ...kr, ...common]);
  await run(ctx, ['genesis', 'collect-gentxs', ...common]);
  await run(ctx, ['genesis', 'validate', ...common]);

  return { addresses, valoper };
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

/**
 * `lunc-mld start` flags from the profile: listen addresses, the gas price floor (the profile's gas price, so
 * that what clients are told to pay is what the node demands) and the REST API when the profile has one.
 * The rest of the node config (fast blocks, kv index, no pprof) is what `lunc-mld init` writes.
 */
export function startArgs(c: ProfileChain): string[] {
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
    '--grpc.enable=true',
    `--grpc.address=127.0.0.1:${port(c.grpc)}`,
    `--api.enable=${c.api ? 'true' : 'false'}`,
    ...(c.api ? [`--api.address=tcp://127.0.0.1:${port(c.api)}`] : []),
  ];
}

function startNode(ctx: Ctx, key: ChainKey, chain: ProfileChain): number {
  const fd = openSync(logFile(ctx.home, key), 'a');
  try {
    const child = spawn(ctx.binary, startArgs(chain), { detached: true, stdio: ['ignore', fd, fd] });
    if (!child.pid) throw new DevnetError('devnet_start_failed', `could not start lunc-mld for ${key}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
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
  heights: Record<ChainKey, number>;
}

/**
 * Brings both chains up (or reuses them when already running), waits until each has produced height 2,
 * and writes <home>/profile.json.
 */
export async function up(opts: DevnetOptions): Promise<UpResult> {
  const home = opts.home ?? defaultHome(opts.repoRoot);
  const binary = opts.binary ?? defaultBinary(opts.repoRoot);
  const accountsFile = opts.accountsFile ?? join(opts.repoRoot, 'fixtures', 'devnet', 'accounts.json');
  const ports = opts.ports ?? defaultPorts;
  // Used only when the chains are created (a restart keeps the genesis and the profile's addresses).
  const sinks = { burnAddress: keylessAddress('terra'), communityAddress: keylessAddress('terra') };
  const specs = chainSpecs(ports, opts.jobTimeoutBlocks ?? DEFAULT_JOB_TIMEOUT_BLOCKS, sinks);
  const ctx: Ctx = { binary, home, logger: opts.logger };
  const keys: ChainKey[] = ['lunc', 'ml'];

  const existing = readProfile(home);
  if (existing && !opts.reset) {
    const alive = keys.map((k) => isOurNode(existing.pids[k], chainHome(home, k)));
    if (alive.every(Boolean)) {
      const hs = await Promise.all(keys.map((k) => rpcHeight(existing.chains[k].rpc)));
      if (hs.every((x) => x !== undefined)) {
        opts.logger.info('devnet already running', { home });
        return { profile: existing, profilePath: profilePath(home), reused: true, restarted: false, heights: { lunc: hs[0]!.height, ml: hs[1]!.height } };
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

  for (const k of keys) {
    for (const [name, port] of Object.entries(specs[k].ports) as Array<[keyof ChainPorts, number]>) {
      if (name === 'api' && !opts.api) continue;
      if (!(await portFree(port))) {
        throw new DevnetError('devnet_port_busy', `port ${port} (${k} ${name}) is in use`, {
          hint: 'stop what listens there (another devnet? `lunc-ml devnet down`), or start this one with other ports / another --home',
          data: { port, chain: k },
        });
      }
    }
  }

  const initialised = keys.every((k) => existsSync(join(chainHome(home, k), 'config', 'genesis.json'))) && existing !== undefined;
  let profile: DevnetProfile;
  if (initialised && !opts.reset) {
    profile = existing!;
    opts.logger.info('restarting existing devnet chains', { home });
  } else {
    const accounts = readAccounts(accountsFile);
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    const inited = {} as Record<ChainKey, { addresses: Record<string, string>; valoper: string }>;
    for (const k of keys) inited[k] = await initChain(ctx, specs[k], accounts);
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
  }

  for (const k of keys) {
    profile.pids[k] = startNode(ctx, k, profile.chains[k]);
    profile.chains[k].pid = profile.pids[k];
    opts.logger.info('started node', { chainId: profile.chains[k].chainId, pid: profile.pids[k], log: profile.chains[k].logFile });
  }
  profile.running = true;
  profile.startedAt = new Date().toISOString();
  writeProfile(profile);

  const deadline = Date.now() + (opts.startTimeoutMs ?? 90_000);
  const heights = { lunc: 0, ml: 0 } as Record<ChainKey, number>;
  for (;;) {
    for (const k of keys) {
      if (!isOurNode(profile.pids[k], chainHome(home, k))) {
        await down({ home, logger: opts.logger });
        throw new DevnetError('devnet_start_failed', `${profile.chains[k].chainId} exited while starting; last log lines:\n${tail(profile.chains[k].logFile)}`, {
          data: { log: profile.chains[k].logFile },
        });
      }
      heights[k] = (await rpcHeight(profile.chains[k].rpc))?.height ?? 0;
    }
    if (keys.every((k) => heights[k] >= 2)) break;
    if (Date.now() > deadline) {
      await down({ home, logger: opts.logger });
      throw new DevnetError('devnet_start_failed', `the devnet did not reach height 2 in time (lunc ${heights.lunc}, ml ${heights.ml})`, {
        hint: `see ${logFile(home, 'lunc')} and ${logFile(home, 'ml')}`,
      });
    }
    await sleep(250);
  }
  opts.logger.info('devnet up', { home, lunc: heights.lunc, ml: heights.ml });
  return { profile, profilePath: profilePath(home), reused: false, restarted: initialised && !opts.reset, heights };
}

/** Heights and liveness of both chains. */
export async function status(opts: { home: string }): Promise<DevnetStatus> {
  const profile = readProfile(opts.home);
  if (!profile) return { home: opts.home, running: false, chains: [] };
  const chains: ChainStatus[] = [];
  for (const k of ['lunc', 'ml'] as ChainKey[]) {
    const c = profile.chains[k];
    const pid = profile.pids[k];
    const alive = isOurNode(pid, c.home);
    const h = alive ? await rpcHeight(c.rpc) : undefined;
    chains.push({ key: k, chainId: c.chainId, rpc: c.rpc, pid, alive, height: h?.height, catchingUp: h?.catchingUp, ...(alive && !h ? { error: 'rpc not answering' } : {}) });
  }
  return { home: opts.home, running: chains.every((c) => c.alive && c.height !== undefined), chains };
}

export interface DownResult {
  home: string;
  stopped: Array<{ key: ChainKey; pid: number }>;
}

/** Stops exactly the nodes this devnet started (pids from profile.json, checked against their command line). */
export async function down(opts: { home: string; logger: DevnetOptions['logger']; timeoutMs?: number }): Promise<DownResult> {
  const profile = readProfile(opts.home);
  const stopped: DownResult['stopped'] = [];
  if (!profile) return { home: opts.home, stopped };
  for (const k of ['lunc', 'ml'] as ChainKey[]) {
    const pid = profile.pids[k];
    if (!pid || !isOurNode(pid, profile.chains[k].home)) continue;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      continue;
    }
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    while (isOurNode(pid, profile.chains[k].home) && Date.now() < deadline) await sleep(100);
    if (isOurNode(pid, profile.chains[k].home)) {
      opts.logger.warn('node did not stop on SIGTERM, killing it', { pid });
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    stopped.push({ key: k, pid });
    opts.logger.info('stopped node', { chainId: profile.chains[k].chainId, pid });
  }
  profile.pids = {};
  delete profile.chains.lunc.pid;
  delete profile.chains.ml.pid;
  profile.running = false;
  writeProfile(profile);
  return { home: opts.home, stopped };
}
