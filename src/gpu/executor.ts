// The validator-side executor as a library: register it on the ML chain, and run the service until told to stop.
// Keys come in unlocked from the caller (the CLI's keyring, or an operator's own signer); nothing here prints.
import type { OfflineSigner } from '@cosmjs/proto-signing';
import { toBech32, fromBech32 } from '@cosmjs/encoding';
import { TxSender, withQueryClient, type BroadcastOptions, type FeePlan } from '../core/chain-client.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ChainProfile } from '../core/profiles.js';
import { queryExecutor } from '../ica/ml-query.js';
import { buildRegistry } from '../ica/registry.js';
import { MsgAcceptExecutor, MsgRegisterExecutor } from '../proto/lunc/ml/v1/tx.js';
import type { X25519Key } from './serve/executor-key.js';
import type { ExecutionProvider } from './device-pool.js';

export interface RegisterExecutorOptions {
  chain: ChainProfile;
  /** The validator operator's account key (its valoper address is derived from it). */
  operator: OfflineSigner;
  /** The executor account's key: x/ml activates a registration only when the executor account accepts it. */
  executorSigner: OfflineSigner;
  encryptionPubkey: Uint8Array;
  models: string[];
  devices: number;
  broadcast: BroadcastOptions;
  confirm?: (plan: FeePlan) => Promise<void>;
  logger: Logger;
}

export interface ExecutorRegistration {
  chainId: string;
  operator: string;
  executor: string;
  models: string[];
  devices: number;
  encryptionPubkey: string;
  /** The operator's proposal (MsgRegisterExecutor). */
  txHash: string;
  /** The executor's acceptance (MsgAcceptExecutor), which activates the registration. */
  acceptTxHash: string;
  height: number;
}

/**
 * Registers in two transactions, because x/ml needs both accounts' consent and a CosmJS client signs with one
 * key: the operator proposes (MsgRegisterExecutor), then the executor account accepts (MsgAcceptExecutor).
 * When both keys are the same account, both transactions come from it. `confirm` sees the proposal's fee.
 */
export async function registerExecutor(o: RegisterExecutorOptions): Promise<ExecutorRegistration> {
  const registry = buildRegistry();
  const [execAccount] = await o.executorSigner.getAccounts();
  if (!execAccount) throw new ConfigError('the executor signer has no account', { code: 'no_key' });
  const executor = execAccount.address;
  const proposer = await TxSender.connect(o.chain, o.operator, o.logger, registry);
  let operator: string;
  let proposal: { transactionHash: string };
  try {
    operator = toBech32(`${o.chain.prefix}valoper`, fromBech32(proposer.address, 128).data);
    const msg = {
      typeUrl: '/lunc.ml.v1.MsgRegisterExecutor',
      value: MsgRegisterExecutor.fromPartial({ operator, executor, encryptionPubkey: Buffer.from(o.encryptionPubkey), models: o.models, devices: o.devices }),
    };
    const plan = await proposer.plan([msg], o.broadcast);
    await o.confirm?.(plan);
    proposal = await proposer.send([msg], plan.fee);
  } finally {
    proposer.disconnect();
  }
  const acceptor = await TxSender.connect(o.chain, o.executorSigner, o.logger, registry);
  try {
    const msg = { typeUrl: '/lunc.ml.v1.MsgAcceptExecutor', value: MsgAcceptExecutor.fromPartial({ executor, operator }) };
    const plan = await acceptor.plan([msg], o.broadcast);
    const res = await acceptor.send([msg], plan.fee);
    return {
      chainId: o.chain.chainId,
      operator,
      executor,
      models: o.models,
      devices: o.devices,
      encryptionPubkey: Buffer.from(o.encryptionPubkey).toString('base64'),
      txHash: proposal.transactionHash,
      acceptTxHash: res.transactionHash,
      height: res.height,
    };
  } finally {
    acceptor.disconnect();
  }
}

export interface RunExecutorOptions {
  chain: ChainProfile;
  signer: OfflineSigner;
  /** X25519 key pair whose public half is registered on chain (sealed prompts are opened with it). */
  encryption: X25519Key;
  modelsDir: string;
  devices: string;
  /** EP of bare GPU ids in `devices` (default cuda). */
  ep?: ExecutionProvider;
  allowCpu: boolean;
  outputDir: string;
  stateFile: string;
  httpHost: string;
  httpPort: number;
  publicUrl?: string;
  pollMs: number;
  logger: Logger;
  /** Aborting stops taking jobs, lets running ones finish (up to 30 s) and closes everything. */
  signal: AbortSignal;
  /** Called once the service is up, with where it serves. */
  onReady?: (info: { executor: string; outputsUrl: string; metricsUrl: string; devices: string[] }) => void;
}

/** Checks the registration, self-tests the models, serves outputs and results until `signal` aborts. */
export async function runExecutor(o: RunExecutorOptions): Promise<void> {
  const { CosmjsExecutorChain } = await import('./serve/chain.js');
  const { OutputStore } = await import('./serve/output-store.js');
  const { ExecutorState } = await import('./serve/state.js');
  const { ExecutorService } = await import('./serve/service.js');
  const { startHttp } = await import('./serve/http.js');
  const { createRunner } = await import('./serve/runner.js');
  const { ExecutorMetrics } = await import('./serve/metrics.js');
  const { createSealer } = await import('./serve/sealer.js');
  const log = o.logger;
  const [account] = await o.signer.getAccounts();
  const executor = account!.address;

  // Registered, active, and publishing the key we hold: otherwise nothing would ever be assigned or openable.
  const reg = await withQueryClient(o.chain, (q) => queryExecutor(q, executor));
  if (!reg)
    throw new ConfigError(`${executor} is not a registered executor on ${o.chain.chainId}`, {
      code: 'not_registered',
      hint: 'run `lunc-ml gpu register --operator-key <validator key> --executor-key <this key> --models ...` first',
    });
  if (!reg.active) throw new ConfigError(`executor ${executor} is retired on ${o.chain.chainId}`, { code: 'not_registered', hint: 'register it again with `lunc-ml gpu register`' });
  if (Buffer.compare(Buffer.from(reg.encryptionPubkey), Buffer.from(o.encryption.publicKey)) !== 0) {
    throw new ConfigError('the encryption key on chain differs from the local one', { code: 'key_mismatch', hint: 'run `lunc-ml gpu register` again to publish the local key' });
  }

  const metrics = new ExecutorMetrics();
  log.info('loading models and running self-tests', { models: reg.models, devices: o.devices });
  const runner = await createRunner({ modelsDir: o.modelsDir, models: reg.models, devices: o.devices, ep: o.ep, allowCpu: o.allowCpu, logger: log, metrics });
  const store = new OutputStore(o.outputDir);
  const state = new ExecutorState(o.stateFile);
  const http = await startHttp({ store, host: o.httpHost, port: o.httpPort, metrics: () => metrics.render(), health: () => ({ ok: true, executor, chain: o.chain.chainId, devices: runner.devices }) });
  const publicUrl = o.publicUrl ?? http.url;
  const chainClient = await CosmjsExecutorChain.connect(o.chain, o.signer, log);
  const service = new ExecutorService({
    executor,
    chain: chainClient,
    runner,
    store,
    state,
    sealer: createSealer(o.encryption),
    publicUrl,
    logger: log,
    metrics,
    pollMs: o.pollMs,
    concurrency: Math.max(1, runner.devices.length),
  });
  await service.start();
  o.onReady?.({ executor, outputsUrl: `${publicUrl}/outputs/`, metricsUrl: `${http.url}/metrics`, devices: runner.devices });
  await new Promise<void>((resolve) => (o.signal.aborted ? resolve() : o.signal.addEventListener('abort', () => resolve(), { once: true })));
  log.info('stopping: no new jobs; finishing running ones');
  try {
    await service.stop(30_000);
  } catch (e) {
    log.error('stop failed', { error: (e as Error).message });
  } finally {
    await http.close();
    chainClient.close();
  }
}
