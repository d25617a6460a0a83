// ExecutorChain over CosmJS: x/ml queries, batched MsgSubmitResult txs sent one behind another (the sequence kept here), and a
// websocket nudge on new blocks.
import { QueryClient } from '@cosmjs/stargate';
import type { CometClient } from '@cosmjs/tendermint-rpc';
import { subscribe, type CometEvent, type CometSubscription, type CometTxResult } from '../../core/subscription.js';
import { waitForInclusion } from '../../core/inclusion.js';
import type { EncodeObject, OfflineSigner } from '@cosmjs/proto-signing';
import type { Logger } from '../../core/logger.js';
import type { ChainProfile } from '../../core/profiles.js';
import { TxSender, connectRpc, mapChainError } from '../../core/chain-client.js';
import { queryJob, queryJobs } from '../../ica/ml-query.js';
import { ML_TYPE_URLS } from '../../ica/msg-types.js';
import { buildRegistry } from '../../ica/registry.js';
import { MsgSubmitResult } from '../../proto/lunc/ml/v1/tx.js';
import { JobStatus, type Job } from '../../proto/lunc/ml/v1/types.js';
import { ChainError } from '../../core/errors.js';
import { calculateFee, GasPrice } from '@cosmjs/stargate';
import { simulateGas, simulateWithFee } from '../../core/simulate.js';
import { TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { BATCH_TOO_LARGE, type ExecutorChain, type ResultMsg, type SendResultsOptions, type SentTx } from './service.js';
import { ResultGas } from './result-gas.js';

/**
 * Blocks a job must stay pending past the latest block seen for its result to go without a simulation: the tx lands
 * in the next block, or the one after when it reaches the node after the proposer took its txs; one more for a
 * websocket event that arrives late.
 */
export const UNSIMULATED_MARGIN_BLOCKS = 3;

/** Gas one results tx may use by default: well under a block, so a burst's txs never crowd out other txs. */
export const DEFAULT_MAX_TX_GAS = 10_000_000;

export class CosmjsExecutorChain implements ExecutorChain {
  /** The account's number and the sequence the next tx takes, kept here so a tx can follow one still in the mempool. */
  private account?: { accountNumber: number; sequence: number };
  /** Sends one at a time: each takes the next sequence. */
  private sending: Promise<unknown> = Promise.resolve();
  /** One new-block subscription feeds both the service's nudge and the inclusion waits of txs in flight. */
  private sub?: CometSubscription;
  /** Gas of earlier results txs: sizes a tx that need not be simulated, and the fee of one that is. */
  readonly gas = new ResultGas();
  /** Results txs broadcast with and without a simulation first (tests and the burst bench read them). */
  readonly sends = { simulated: 0, unsimulated: 0 };

  private constructor(
    private readonly profile: ChainProfile,
    private readonly tm: CometClient,
    private readonly q: QueryClient,
    private readonly sender: TxSender,
    private readonly pubkey: Uint8Array,
    private readonly logger: Logger,
    private readonly gasAdjustment: number,
    private readonly maxTxGas: number,
    private readonly inclusionTimeoutMs = 120_000,
  ) {}

  static async connect(profile: ChainProfile, signer: OfflineSigner, logger: Logger, gasAdjustment = 1.5, maxTxGas = DEFAULT_MAX_TX_GAS): Promise<CosmjsExecutorChain> {
    const tm = await connectRpc(profile);
    const sender = await TxSender.connect(profile, signer, logger, buildRegistry());
    const [acc] = await signer.getAccounts();
    return new CosmjsExecutorChain(profile, tm, new QueryClient(tm), sender, acc.pubkey, logger, gasAdjustment, maxTxGas);
  }

  get address(): string {
    return this.sender.address;
  }

  pendingJobs(executor: string): Promise<Job[]> {
    return queryJobs(this.q, { executor, status: JobStatus.JOB_STATUS_PENDING });
  }

  job(id: bigint): Promise<Job> {
    return queryJob(this.q, id);
  }

  sendResults(results: ResultMsg[], opts: SendResultsOptions = {}): Promise<SentTx> {
    const run = this.sending.then(() => this.send(results, opts));
    this.sending = run.catch(() => undefined);
    return run;
  }

  /**
   * Simulates (unless it may be skipped, see mayTrust), signs with the locally kept sequence and broadcasts (sync:
   * CheckTx only). The node simulates and checks against its mempool state, where txs still waiting for a block have
   * already taken their sequences, so the next sequence is valid while they wait. A sequence the node disagrees with
   * is taken from its answer ("expected N"), else from the chain, and the tx signed again once. An estimated gas limit
   * that CheckTx finds too low is forgotten and the tx simulated and sent once more.
   */
  private async send(results: ResultMsg[], opts: SendResultsOptions): Promise<SentTx> {
    const msgs = results.map((r) => ({
      typeUrl: ML_TYPE_URLS.submitResult,
      value: MsgSubmitResult.fromPartial({ executor: this.sender.address, jobId: r.jobId, outputSha256: r.outputSha256, outputUri: r.outputUri, mime: r.mime, sealed: r.sealed, error: r.error }),
    }));
    const client = this.sender.client;
    let estimated = false;
    for (let attempt = 0; ; attempt++) {
      try {
        this.account ??= await client.getSequence(this.sender.address);
        const { accountNumber, sequence } = this.account;
        const known = this.mayTrust(opts) ? this.gas.estimate(msgs.length) : undefined;
        estimated = known !== undefined;
        const used = known ?? (await this.simulate(msgs, sequence));
        const gas = Math.ceil(used * this.gasAdjustment);
        if (gas > this.maxTxGas && msgs.length > 1) {
          throw new ChainError(BATCH_TOO_LARGE, `${msgs.length} results need ${gas} gas, over the ${this.maxTxGas} one tx may use`, { chainId: this.profile.chainId });
        }
        const fee = calculateFee(gas, GasPrice.fromString(this.profile.gasPrice));
        const raw = await client.sign(this.sender.address, msgs, fee, '', { accountNumber, sequence, chainId: this.profile.chainId });
        const hash = await client.broadcastTxSync(TxRaw.encode(raw).finish());
        this.account.sequence = sequence + 1;
        this.sends[estimated ? 'unsimulated' : 'simulated']++;
        return { txHash: hash, included: this.included(hash, msgs.length) };
      } catch (e) {
        const text = [(e as Error)?.message, (e as { log?: string })?.log].filter(Boolean).join(' ');
        if (estimated && codeOf(mapChainError(e, this.profile)) === 'out_of_gas') {
          // CheckTx ran the ante handler out of the estimated gas: nothing reached the mempool or took the sequence.
          this.gas.forget();
          if (attempt === 0) {
            this.logger.warn('estimated gas ran out in CheckTx; simulating and sending once more', { chainId: this.profile.chainId, results: msgs.length });
            opts = { ...opts, pendingThrough: undefined };
            continue;
          }
        }
        if (/account sequence mismatch|incorrect account sequence/i.test(text)) {
          const expected = /expected (\d+)/.exec(text)?.[1];
          if (expected && this.account) this.account.sequence = Number(expected);
          else this.account = undefined;
          if (attempt === 0) {
            this.logger.warn('account sequence mismatch; signing again with the sequence the node expects', { chainId: this.profile.chainId, expected });
            continue;
          }
        }
        throw mapChainError(e, this.profile);
      }
    }
  }

  /**
   * Whether the tx may go without a simulation, its gas estimated from earlier ones. The simulation checks each job
   * against the node's latest state, and x/ml changes a job's executor or status only in the EndBlock after its
   * deadline (or on a result, which the service never sends twice): so when every job is known pending for this
   * executor through a height the tx will have landed by, that check can only pass. Without websocket events the
   * latest height may lag behind the chain, and the simulation is kept.
   */
  private mayTrust(opts: SendResultsOptions): boolean {
    const sub = this.sub;
    if (opts.pendingThrough === undefined || !sub || sub.mode !== 'websocket' || sub.height <= 0) return false;
    return opts.pendingThrough >= BigInt(sub.height + UNSIMULATED_MARGIN_BLOCKS);
  }

  /**
   * Gas `msgs` use with their fee attached. The fee-less first simulation of simulateWithFee is needed only until a
   * results tx's gas is known: after that the estimate sizes the fee of the one simulation (fee deduction costs the
   * same gas whatever the amount), so a burst costs the node at most one simulation per results tx, not two. A
   * refused one-shot simulation is done again the full way, so a fee sized from the estimate (not affordable, say)
   * never stands between a result and the chain.
   */
  private async simulate(msgs: EncodeObject[], sequence: number): Promise<number> {
    const registry = this.sender.client.registry;
    const full = () => simulateWithFee(this.q, { msgs, signerPubkey: this.pubkey, sequence, gasPrice: this.profile.gasPrice, gasMultiplier: this.gasAdjustment }, registry);
    const perResult = this.gas.lastPerResult;
    let used: number;
    if (perResult === undefined) used = await full();
    else {
      const gas = Math.min(Math.ceil(perResult * msgs.length * this.gasAdjustment), this.maxTxGas);
      const fee = calculateFee(gas, GasPrice.fromString(this.profile.gasPrice));
      try {
        used = await simulateGas(this.q, { msgs, signerPubkey: this.pubkey, sequence }, registry, fee.amount.every((c) => c.amount === '0') ? undefined : { amount: fee.amount, gas });
      } catch {
        used = await full();
      }
    }
    this.gas.record(msgs.length, used);
    return used;
  }

  /**
   * Settles when `hash` is in a block (core/inclusion): the new-block events carry each block's tx hashes and
   * results, so the outcome is known the moment its block is committed and the node is not asked unless the events
   * may not tell. Polling the tx index for every tx in flight cost the thread that feeds the devices (and the node)
   * more than the events do.
   */
  private async included(hash: string, results: number): Promise<void> {
    const r = await waitForInclusion<{ code: number; codespace?: string; log?: string; gasUsed?: number }>(
      {
        hash,
        events: this.events(),
        timeoutMs: this.inclusionTimeoutMs,
        fromEvent: ({ result }) => ({ ...result, gasUsed: Number(result.gasUsed ?? 0) }),
        lookUp: async () => {
          const tx = await this.sender.client.getTx(hash);
          return tx ? { code: tx.code, log: tx.rawLog, gasUsed: Number(tx.gasUsed) } : undefined;
        },
        timeoutError: () =>
          new ChainError('tx_unconfirmed', `results tx ${hash} was not seen in a block within ${this.inclusionTimeoutMs / 1000} s`, {
            chainId: this.profile.chainId,
            txHash: hash,
            hint: 'it may still be included; the executor checks which jobs are pending before sending again',
          }),
      },
      { armed: true },
    ).promise;
    if (r.code === 0) {
      // What the chain really charged: later txs of this size or larger go without a simulation.
      this.gas.record(results, r.gasUsed ?? 0);
      return;
    }
    const e = mapChainError({ code: r.code, codespace: r.codespace, log: r.log, txId: hash, message: r.log }, this.profile);
    if (codeOf(e) === 'out_of_gas') this.gas.forget();
    throw e;
  }

  private events(): CometSubscription {
    return (this.sub ??= subscribe({ rpc: this.profile.rpc, logger: this.logger }));
  }

  /**
   * Calls `f` on every new block this client sees (starting its one subscription on first use), at the moment the
   * executor sees it; returns a function that stops it. Benchmarks time the chain side with it.
   */
  onBlock(f: (b: SeenBlock) => void): () => void {
    const sub = this.events();
    return sub.on((ev) => {
      const b = seenBlock(ev, sub.height);
      if (b) f(b);
    });
  }

  async watch(nudge: () => void): Promise<() => void> {
    return this.onBlock(() => nudge());
  }

  close(): void {
    this.sub?.close();
    this.sender.disconnect();
    this.tm.disconnect();
  }
}

const codeOf = (e: unknown): string | undefined => (e as { code?: string }).code;

/** A new block as the executor uses it: its height and, from the websocket, its txs' hashes and results. */
export interface SeenBlock {
  height: number;
  /** Upper-case hex, index for index with txResults; absent when the block was polled (websocket down). */
  txHashes?: string[];
  txResults?: CometTxResult[];
  /** Events may have been missed (the subscription (re)connected or fell back to polling): look at chain state. */
  resync?: boolean;
}

/**
 * Calls `nudge` on every new block of the node at `rpc`, through the one CometBFT subscription (core/subscription:
 * websocket, reconnects, /status polling while it is down), and once more whenever events may have been missed;
 * returns a function that stops it. New blocks are the nudge: assignments happen in txs and reassignments in EndBlock.
 */
export function watchNewBlocks(rpc: string, logger: Logger, nudge: (block: SeenBlock) => void): () => void {
  const sub = subscribe({ rpc, logger });
  sub.on((ev) => {
    const b = seenBlock(ev, sub.height);
    if (b) nudge(b);
  });
  return () => sub.close();
}

/** A subscription's event as the executor sees blocks: a new block, or a resync at the latest height; else undefined. */
function seenBlock(ev: CometEvent, height: number): SeenBlock | undefined {
  if (ev.kind === 'block') return { height: ev.height, txHashes: ev.txHashes, txResults: ev.txResults };
  if (ev.kind === 'resync') return { height, resync: true };
  return undefined;
}
