// The whole system on one machine: two devnet chains, the relayer and an executor, each a real process; with
// `validators` > 1, every ML validator registers and runs its own executor against its own node.
// `lunc-ml demo` and the end-to-end tests share it; faults are injected by killing and restarting its services.
import { readAccounts, extraAccountNames, validatorCount } from '../devnet/index.js';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { QueryClient } from '@cosmjs/stargate';
import { connectComet, type CometClient } from '@cosmjs/tendermint-rpc';
import { QueryConnectionsRequest, QueryConnectionsResponse } from 'cosmjs-types/ibc/core/connection/v1/query';
import { State } from 'cosmjs-types/ibc/core/connection/v1/connection';
import type { Logger } from '../core/logger.js';
import { LuncMlError, TimeoutError } from '../core/errors.js';
import { waitFor as pollFor } from '../core/poll.js';
import { up, down, ensureBinary, writeNodeProfile, type DevnetProfile, type ChainPorts } from '../devnet/index.js';
import { queryIcaAddress } from '../ica/controller.js';
import { ensureTinyModels } from '../gpu/tiny-models.js';
import { runJson, spawnService, type CliEnv } from './cli-runner.js';

/** What the demo sends to the user's interchain account: 100 LUNC, enough for every demo and test job. */
const FUNDED_ICA_ULUNA = 100_000_000n;

export interface StackOptions {
  repoRoot: string;
  devnetHome: string;
  ports?: Record<'lunc' | 'ml', ChainPorts>;
  /** Port the executor serves outputs on (validator k's executor: executorPort + k − 1). */
  executorPort: number;
  /** ML validators, each with its own executor (default 1). */
  validators?: number;
  logger: Logger;
  /** A prebuilt lunc-mld instead of building chain/ (tests pin one while chain/ is being edited). */
  binary?: string;
  /** Start from empty chains (tests) instead of reusing a running devnet (demo). */
  reset?: boolean;
  stage?: (text: string) => void;
}

export const EXECUTOR_MODELS = ['tiny-sd', 'tiny-audio', 'tiny-chat'];

/**
 * Devices of validator k's executor: the seed's picture, validator #1 with one GPU and validator #2 with a rig of
 * four (here CPU workers running the tiny models); any further validator one.
 */
export function executorDevices(node: number): number {
  return node === 2 ? 4 : 1;
}

/** One ML validator's executor as the stack runs it. */
export interface ValidatorExecutor {
  node: number;
  moniker: string;
  operator: string;
  /** Executor account on the ML chain. */
  address: string;
  /** Keyring names in the stack's CLI home. */
  operatorKey: string;
  executorKey: string;
  devices: number;
  port: number;
  /** `--chain` of this executor: the profile with chains.ml = its validator's node. */
  profileFile: string;
  process?: ResultPromise;
}

/** Waits for `what` on the devnet (one poll helper: src/core/poll.ts), naming the service logs on a timeout. */
export async function waitFor<T>(what: string, f: () => Promise<T | undefined>, timeoutMs: number, everyMs = 500): Promise<T> {
  return pollFor(f, { what, timeoutMs, intervalMs: everyMs }).catch((e) => {
    throw e instanceof TimeoutError ? new TimeoutError(e.message, { hint: 'see the service logs in the devnet home' }) : e;
  });
}

export class Stack {
  profile!: DevnetProfile;
  profilePath!: string;
  cli!: CliEnv;
  connectionId!: string;
  icaAddress!: string;
  userAddress!: string;
  relayer?: ResultPromise;
  /** Validator 1's executor (the only one on a single-validator devnet). */
  executor?: ResultPromise;
  /** Executors of validators 2..N (multi-validator devnet). */
  readonly validatorExecutors: ValidatorExecutor[] = [];
  private startedDevnet = false;
  mlTm!: CometClient;
  private luncTm?: CometClient;

  constructor(readonly o: StackOptions) {}

  get logDir(): string {
    return this.o.devnetHome;
  }

  /** Progress goes to the caller's stage callback (a spinner, which logs when there is no terminal), else to the log: never both. */
  private stage(t: string): void {
    if (this.o.stage) this.o.stage(t);
    else this.o.logger.info(t);
  }

  async start(): Promise<void> {
    this.stage('generating the tiny models (first run only)');
    await ensureTinyModels(this.o.repoRoot);
    this.stage('building the chain binary (first run only)');
    const { binary } = this.o.binary ? { binary: this.o.binary } : await ensureBinary({ repoRoot: this.o.repoRoot, logger: this.o.logger });
    this.stage('starting the two-chain devnet');
    const r = await up({ repoRoot: this.o.repoRoot, home: this.o.devnetHome, binary, ports: this.o.ports, reset: this.o.reset, validators: this.o.validators, logger: this.o.logger });
    this.startedDevnet = !r.reused;
    this.profile = r.profile;
    this.profilePath = r.profilePath;
    this.cli = {
      bin: join(this.o.repoRoot, 'bin', 'lunc-ml.js'),
      home: join(this.o.devnetHome, 'cli-home'),
      chain: this.profilePath,
      env: { LUNC_ML_DEVNET_HOME: this.o.devnetHome, LUNC_ML_MODELS: join(this.o.repoRoot, 'fixtures', 'models') },
    };
    this.luncTm = await connectComet(this.profile.chains.lunc.rpc);
    this.mlTm = await connectComet(this.profile.chains.ml.rpc);
    await this.importKeys();

    this.stage('linking the chains (light clients + connection)');
    await runJson(this.cli, ['relay', 'link', '--chain', 'local'], { timeoutMs: 240_000 });
    this.connectionId = await this.openConnection();
    this.startRelayer();

    this.stage('registering the executor and starting it');
    await runJson(this.cli, ['gpu', 'register', '--operator-key', 'validator-ml', '--executor-key', 'executor', '--models', EXECUTOR_MODELS.join(','), '--devices', '1', '--yes']);
    this.startExecutor();
    await this.startValidatorExecutors();

    this.stage('registering the interchain account for the user');
    this.userAddress = this.profile.accounts.user.lunc;
    const q = new QueryClient(this.luncTm);
    let ica = await queryIcaAddress(q, this.userAddress, this.connectionId);
    if (!ica) {
      await runJson(this.cli, ['tx', 'register', '--from', 'user', '--connection-id', this.connectionId, '--yes']);
      ica = await waitFor('the ICA channel handshake', () => queryIcaAddress(q, this.userAddress, this.connectionId), 180_000);
    }
    this.icaAddress = ica;
    await this.fundIca();
    await this.waitExecutorReady();
  }

  private async importKeys(): Promise<void> {
    const accounts = readAccounts(this.profile.accountsFile, extraAccountNames(validatorCount(this.profile)));
    const m = (n: string) => accounts.find((a) => a.name === n)!.mnemonic;
    const keys: [string, string, number][] = [
      ['user', 'user', this.profile.chains.lunc.coinType],
      ['user-ml', 'user', this.profile.chains.ml.coinType],
      ['validator-ml', 'validator', this.profile.chains.ml.coinType],
      ['executor', 'executor', this.profile.chains.ml.coinType],
    ];
    for (const v of this.profile.mlValidators?.slice(1) ?? []) {
      keys.push([`${v.validatorKey}-ml`, v.validatorKey, this.profile.chains.ml.coinType], [v.executorKey, v.executorKey, this.profile.chains.ml.coinType]);
    }
    for (const [name, acct, coinType] of keys) {
      await runJson(this.cli, ['keys', 'import', name, '--coin-type', String(coinType), '--overwrite'], { input: m(acct) + '\n' });
    }
  }

  /** The newest OPEN connection on the LUNC side: the one `relay link` made or reused. */
  private async openConnection(): Promise<string> {
    const q = new QueryClient(this.luncTm!);
    const res = QueryConnectionsResponse.decode((await q.queryAbci('/ibc.core.connection.v1.Query/Connections', QueryConnectionsRequest.encode({}).finish())).value);
    const open = res.connections.filter((c) => c.state === State.STATE_OPEN).map((c) => c.id);
    if (open.length === 0) throw new LuncMlError('no_connection', 'relay link finished but no OPEN connection exists on the LUNC side');
    return open.sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]))[0];
  }

  /**
   * The user holds only uluna: their interchain account is funded over ICS-20 with `tx fund`, as a LUNC holder
   * would, and every job is paid in LUNC.
   */
  private async fundIca(): Promise<void> {
    const b = await runJson(this.cli, ['query', 'balance', '--owner', this.userAddress, '--connection-id', this.connectionId]);
    if (BigInt(b.interchainAccount?.amount ?? '0') >= FUNDED_ICA_ULUNA / 10n) return;
    this.stage(`funding the interchain account with ${FUNDED_ICA_ULUNA}uluna over ICS-20 (job fees are escrowed from it)`);
    await runJson(this.cli, ['tx', 'fund', '--from', 'user', '--amount', `${FUNDED_ICA_ULUNA}uluna`, '--connection-id', this.connectionId, '--wait', '--yes']);
  }

  /**
   * Waits until x/ml has sent every accumulated LUNC share back to lunc-1 (nothing accumulated or in flight), then
   * reads the burn and community addresses' uluna on lunc-1 itself.
   */
  async luncDeliveries(timeoutMs = 180_000): Promise<{ burn: { address: string; uluna: string }; community: { address: string; uluna: string }; deliveredOnMl: { burn: string; community: string } }> {
    const flows = await waitFor(
      'the burn and community shares to reach lunc-1',
      async () => {
        const f = await runJson(this.cli, ['query', 'flows']);
        const d = (f.denoms ?? []).find((x: { denom: string }) => x.denom === f.luncDenom);
        const settled =
          d && BigInt(d.accumulatedBurn ?? 0) + BigInt(d.accumulatedCommunity ?? 0) + BigInt(d.inFlightBurn ?? 0) + BigInt(d.inFlightCommunity ?? 0) === 0n && BigInt(d.deliveredBurn ?? 0) > 0n;
        return settled ? d : undefined;
      },
      timeoutMs,
      1000,
    );
    const { balanceOf } = await import('../jobs/funds.js');
    const lunc = { chainId: this.profile.chains.lunc.chainId, rpc: this.profile.chains.lunc.rpc };
    const burn = this.profile.luncBurnAddress!;
    const community = this.profile.luncCommunityAddress!;
    return {
      burn: { address: burn, uluna: (await balanceOf(lunc, burn, 'uluna')).toString() },
      community: { address: community, uluna: (await balanceOf(lunc, community, 'uluna')).toString() },
      deliveredOnMl: { burn: String(flows.deliveredBurn ?? 0), community: String(flows.deliveredCommunity ?? 0) },
    };
  }

  startRelayer(): void {
    this.relayer = spawnService(this.cli, ['relay', 'start', '--chain', 'local'], join(this.logDir, 'relayer.log'));
  }

  startExecutor(): void {
    this.executor = spawnService(
      this.cli,
      ['gpu', 'serve', '--executor-key', 'executor', '--devices', 'cpu', '--http-port', String(this.o.executorPort), '--output-dir', join(this.o.devnetHome, 'executor-outputs'), '--poll-ms', '500'],
      join(this.logDir, 'executor.log'),
    );
  }

  /**
   * Validators 2..N: each operator proposes its own executor and the executor accepts (`gpu register`), then the
   * executor serves (`gpu serve --devices cpu:<n>`) against its own validator's node.
   */
  private async startValidatorExecutors(): Promise<void> {
    for (const v of this.profile.mlValidators?.slice(1) ?? []) {
      const devices = executorDevices(v.node);
      this.stage(`validator #${v.node} (${v.moniker}): registering its executor with ${devices} device${devices > 1 ? 's' : ''} and starting it`);
      const operatorKey = `${v.validatorKey}-ml`;
      await runJson(this.cli, ['gpu', 'register', '--operator-key', operatorKey, '--executor-key', v.executorKey, '--models', EXECUTOR_MODELS.join(','), '--devices', String(devices), '--yes']);
      const ex: ValidatorExecutor = {
        node: v.node,
        moniker: v.moniker,
        operator: v.validatorOperator,
        address: this.profile.accounts[v.executorKey]!.ml,
        operatorKey,
        executorKey: v.executorKey,
        devices,
        port: this.o.executorPort + v.node - 1,
        profileFile: writeNodeProfile(this.o.devnetHome, v.node),
      };
      ex.process = spawnService(
        { ...this.cli, chain: ex.profileFile },
        [
          'gpu',
          'serve',
          '--executor-key',
          ex.executorKey,
          '--devices',
          `cpu:${devices}`,
          '--http-port',
          String(ex.port),
          '--output-dir',
          join(this.o.devnetHome, `executor-${v.node}-outputs`),
          '--poll-ms',
          '500',
        ],
        join(this.logDir, `executor-${v.node}.log`),
      );
      this.validatorExecutors.push(ex);
    }
    for (const ex of this.validatorExecutors) await this.waitServing(ex.process, ex.port, join(this.logDir, `executor-${ex.node}.log`));
  }

  /** Who runs an executor account: its validator node, moniker, operator and devices (undefined when not ours). */
  executorOf(address: string): { node: number; moniker: string; operator: string; devices: number } | undefined {
    if (address === this.profile.accounts.executor?.ml) {
      return { node: 1, moniker: this.profile.mlValidators?.[0]?.moniker ?? 'ml-validator', operator: this.profile.chains.ml.validatorOperator, devices: executorDevices(1) };
    }
    const v = this.validatorExecutors.find((x) => x.address === address);
    return v && { node: v.node, moniker: v.moniker, operator: v.operator, devices: v.devices };
  }

  private async waitServing(p: ResultPromise | undefined, port: number, log: string): Promise<void> {
    await waitFor(
      `the executor on port ${port} to pass its self-test and serve`,
      async () => {
        if (p && p.exitCode !== null && p.exitCode !== undefined) throw new LuncMlError('executor_exited', `the executor exited with ${p.exitCode}; see ${log}`);
        const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        return r?.ok ? true : undefined;
      },
      180_000,
    );
  }

  async waitExecutorReady(): Promise<void> {
    await waitFor(
      'the executor to pass its self-test and serve',
      async () => {
        if (this.executor && this.executor.exitCode !== null && this.executor.exitCode !== undefined)
          throw new LuncMlError('executor_exited', `the executor exited with ${this.executor.exitCode}; see ${join(this.logDir, 'executor.log')}`);
        const r = await fetch(`http://127.0.0.1:${this.o.executorPort}/healthz`).catch(() => undefined);
        return r?.ok ? true : undefined;
      },
      180_000,
    );
  }

  /** Stops a service the way an operator would (SIGTERM) or the way a crash does (SIGKILL). */
  async stopService(which: 'relayer' | 'executor', signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const p = this[which];
    if (!p) return;
    p.kill(signal);
    await p.catch(() => undefined);
    this[which] = undefined;
  }

  mlQuery(): QueryClient {
    return new QueryClient(this.mlTm);
  }

  luncQuery(): QueryClient {
    return new QueryClient(this.luncTm!);
  }

  async stop(opts: { keepDevnet?: boolean } = {}): Promise<void> {
    await Promise.all([
      this.stopService('relayer'),
      this.stopService('executor'),
      ...this.validatorExecutors.map(async (v) => {
        v.process?.kill('SIGTERM');
        await v.process?.catch(() => undefined);
        v.process = undefined;
      }),
    ]);
    this.luncTm?.disconnect();
    this.mlTm?.disconnect?.();
    if (this.startedDevnet && !opts.keepDevnet) await down({ home: this.o.devnetHome, logger: this.o.logger });
  }
}
