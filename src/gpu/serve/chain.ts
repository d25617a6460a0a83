// ExecutorChain over CosmJS: x/ml queries, batched MsgSubmitResult txs sent one behind another (the sequence kept here), and a
// websocket nudge on new blocks.
import { QueryClient } from '@cosmjs/stargate';
import { Comet38Client, WebsocketClient, type CometClient } from '@cosmjs/tendermint-rpc';
import type { OfflineSigner } from '@cosmjs/proto-signing';
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
import { createHash } from 'node:crypto';
import { simulateWithFee } from '../../core/simulate.js';
import { TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { BATCH_TOO_LARGE, type ExecutorChain, type ResultMsg, type SentTx } from './service.js';

/** Gas one results tx may use by default: well under a block, so a burst's txs never crowd out other txs. */
export const DEFAULT_MAX_TX_GAS = 10_000_000;

export class CosmjsExecutorChain implements ExecutorChain {
  /** The account's number and the sequence the next tx takes, kept here so a tx can follow one still in the mempool. */
  private account?: { accountNumber: number; sequence: number };
  /** Sends one at a time: each takes the next sequence. */
  private sending: Promise<unknown> = Promise.resolve();
  /** One new-block subscription feeds both the service's nudge and the inclusion checks of txs in flight. */
  private readonly blockListeners = new Set<(b: SeenBlock) => void>();
  private stopBlocks?: () => void;

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

  sendResults(results: ResultMsg[]): Promise<SentTx> {
    const run = this.sending.then(() => this.send(results));
    this.sending = run.catch(() => undefined);
    return run;
  }

  /**
   * Simulates, signs with the locally kept sequence and broadcasts (sync: CheckTx only). The node simulates and
   * checks against its mempool state, where txs still waiting for a block have already taken their sequences, so the
   * next sequence is valid while they wait. A sequence the node disagrees with is taken from its answer ("expected
   * N"), else from the chain, and the tx signed again once.
   */
  private async send(results: ResultMsg[]): Promise<SentTx> {
    const msgs = results.map((r) => ({
      typeUrl: ML_TYPE_URLS.submitResult,
      value: MsgSubmitResult.fromPartial({ executor: this.sender.address, jobId: r.jobId, outputSha256: r.outputSha256, outputUri: r.outputUri, mime: r.mime, sealed: r.sealed, error: r.error }),
    }));
    const client = this.sender.client;
    for (let attempt = 0; ; attempt++) {
      try {
        this.account ??= await client.getSequence(this.sender.address);
        const { accountNumber, sequence } = this.account;
        const used = await simulateWithFee(this.q, { msgs, signerPubkey: this.pubkey, sequence, gasPrice: this.profile.gasPrice, gasMultiplier: this.gasAdjustment }, this.sender.client.registry);
        const gas = Math.ceil(used * this.gasAdjustment);
        if (gas > this.maxTxGas && msgs.length > 1) {
          throw new ChainError(BATCH_TOO_LARGE, `${msgs.length} results need ${gas} gas, over the ${this.maxTxGas} one tx may use`, { chainId: this.profile.chainId });
        }
        const fee = calculateFee(gas, GasPrice.fromString(this.profile.gasPrice));
        const raw = await client.sign(this.sender.address, msgs, fee, '', { accountNumber, sequence, chainId: this.profile.chainId });
        const hash = await client.broadcastTxSync(TxRaw.encode(raw).finish());
        this.account.sequence = sequence + 1;
        return { txHash: hash, included: this.included(hash) };
      } catch (e) {
        const text = [(e as Error)?.message, (e as { log?: string })?.log].filter(Boolean).join(' ');
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
   * Settles when `hash` is in a block. The new-block events carry each block's txs, so the tx's block is known the
   * moment it is committed, and its result is then read from the tx index (which follows within moments: asked every
   * 50 ms). Without those events (websocket down) the index is asked once a second. Polling the index every 50 ms
   * for every tx in flight cost the thread that feeds the devices more than the events do.
   */
  private async included(hash: string): Promise<void> {
    const deadline = Date.now() + this.inclusionTimeoutMs;
    let inBlock = false;
    let wake = () => {};
    const off = this.onBlock((b) => {
      if (b.txHashes.includes(hash)) inBlock = true;
      wake();
    });
    try {
      for (;;) {
        const tx = await this.sender.client.getTx(hash).catch(() => null);
        if (tx) {
          if (tx.code !== 0) throw mapChainError({ code: tx.code, log: tx.rawLog, txId: hash, message: tx.rawLog }, this.profile);
          return;
        }
        if (Date.now() >= deadline)
          throw new ChainError('tx_unconfirmed', `results tx ${hash} was not seen in a block within ${this.inclusionTimeoutMs / 1000} s`, {
            chainId: this.profile.chainId,
            txHash: hash,
            hint: 'it may still be included; the executor checks which jobs are pending before sending again',
          });
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, inBlock ? 50 : 1000);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    } finally {
      off();
    }
  }

  /** Calls `f` on every new block (starting the one subscription on first use); returns a function that stops it. */
  private onBlock(f: (b: SeenBlock) => void): () => void {
    this.blockListeners.add(f);
    this.stopBlocks ??= watchNewBlocks(this.profile.rpc, this.logger, (b) => {
      for (const l of [...this.blockListeners]) l(b);
    });
    return () => this.blockListeners.delete(f);
  }

  async watch(nudge: () => void): Promise<() => void> {
    return this.onBlock(() => nudge());
  }

  close(): void {
    this.stopBlocks?.();
    this.sender.disconnect();
    this.tm.disconnect();
  }
}

/** A new block as the executor uses it: its height and the hashes (upper-case hex) of its txs. */
export interface SeenBlock {
  height: number;
  txHashes: string[];
}

/**
 * Calls `nudge` on every new block of the node at `rpc` (its CometBFT websocket), reconnecting after a drop; returns
 * a function that stops it. New blocks are the nudge: assignments happen in txs and reassignments in EndBlock.
 */
export function watchNewBlocks(rpc: string, logger: Logger, nudge: (block: SeenBlock) => void): () => void {
  // WebsocketClient appends /websocket itself: given it twice, it retried a 404 forever and no nudge ever came.
  const wsUrl = rpc.replace(/^http/, 'ws').replace(/\/(websocket)?\/?$/, '');
  let closed = false;
  let client: Comet38Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  const retry = (ms: number) => {
    timer = setTimeout(connect, ms);
    timer.unref();
  };
  const connect = () => {
    if (closed) return;
    try {
      client = Comet38Client.create(new WebsocketClient(wsUrl, (err) => logger.debug('websocket error', { error: err.message })));
      client.subscribeNewBlock().subscribe({
        next: (b) => nudge({ height: b.header.height, txHashes: b.txs.map((tx) => createHash('sha256').update(tx).digest('hex').toUpperCase()) }),
        error: (err) => {
          logger.warn('websocket dropped; polling until it reconnects', { error: String((err as Error)?.message ?? err) });
          retry(2000);
        },
        complete: () => undefined,
      });
    } catch (e) {
      logger.warn('websocket unavailable; polling', { error: (e as Error).message });
      retry(5000);
    }
  };
  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    try {
      client?.disconnect();
    } catch {
      /* already closed */
    }
  };
}
