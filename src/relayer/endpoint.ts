// One chain as the relayer sees it: CometBFT RPC, IBC queries, proofs, light-client headers and a signer
// that batches, sizes gas (simulated, or remembered per transaction shape) and retries once on an account sequence mismatch.
import { connectComet, HttpClient, Comet38Client, Comet1Client, Tendermint37Client, type CometClient, type comet38 } from '@cosmjs/tendermint-rpc';

const RPC_TIMEOUT_MS = 30_000;
/** Signature checks, fee deduction and tx-size gas that a cumulative simulation counts only once. */
const TX_BASE_GAS = 80_000;
import {
  QueryClient,
  setupIbcExtension,
  setupBankExtension,
  setupStakingExtension,
  SigningStargateClient,
  GasPrice,
  calculateFee,
  type IbcExtension,
  type BankExtension,
  type StakingExtension,
  type DeliverTxResponse,
} from '@cosmjs/stargate';
import type { EncodeObject, OfflineSigner, Registry } from '@cosmjs/proto-signing';
import { TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { MsgUpdateClient } from 'cosmjs-types/ibc/core/client/v1/tx';
import { Header } from 'cosmjs-types/ibc/lightclients/tendermint/v1/tendermint';
import type { Height } from 'cosmjs-types/ibc/core/client/v1/client';
import { ChainError, RpcUnreachableError } from '../core/errors.js';
import { mapChainError } from '../core/chain-client.js';
import { buildRegistry } from '../ica/registry.js';
import { simulateWithFee } from '../core/simulate.js';
import type { Logger } from '../core/logger.js';
import type { ChainConfig } from './config.js';
import { revisionOf } from './config.js';
import { buildHeader, height as mkHeight, merkleProofBytes, toNanos } from './lightclient.js';
import type { RelayerMetrics } from './metrics.js';
import { subscribe, type CometEvent, type CometRawEvent, type CometSubscription } from '../core/subscription.js';
import { sleep } from '../core/poll.js';
import { waitForInclusion } from '../core/inclusion.js';
import { simulateGas } from '../core/simulate.js';
import { GasMemory, sendWithGas, type SendOutcome } from './gas.js';

export { sleep };

/** One block's contents as the relayer scans them: successful and failed tx results, and finalize_block_events. */
export interface BlockEvents {
  height: number;
  timeMs?: number;
  txs: Array<{ code: number; events: readonly CometRawEvent[] }>;
  finalizeBlockEvents: readonly CometRawEvent[];
}

interface SeenTx {
  height: number;
  index: number;
  code: number;
  codespace?: string;
  log?: string;
  gasUsed?: string;
  gasWanted?: string;
  events: CometRawEvent[];
}

/** NewBlock contents kept for the scan and for inclusion checks: a few minutes of 0.5 s blocks. */
const SEEN_BLOCKS = 600;

export type IbcQuery = QueryClient & IbcExtension & BankExtension & StakingExtension;

export interface LatestInfo {
  height: number;
  timeNs: bigint;
  revision: bigint;
}

export interface Proof {
  value: Uint8Array;
  proof: Uint8Array;
  proofHeight: Height;
}

export class ChainEndpoint {
  readonly chainId: string;
  readonly revision: bigint;
  private signing?: SigningStargateClient;
  private readonly registry: Registry = buildRegistry();
  private pubkey?: Uint8Array;
  /** Serialises transactions from this relayer key: one in flight per chain. */
  private txChain: Promise<unknown> = Promise.resolve();
  /** The new-block subscription (see `watch`); absent for one-shot commands, which query instead. */
  private sub?: CometSubscription;
  private readonly seen = new Map<number, BlockEvents>();
  private readonly seenTxs = new Map<string, SeenTx>();
  /** Hashes of txs in blocks whose results the websocket did not carry (CometBFT 0.37): height by hash. */
  private readonly hashesSeen = new Map<string, number>();
  /** Account number and next sequence of the relayer key, known after the first transaction; dropped on any doubt. */
  private account?: { accountNumber: number; sequence: number; chainId: string };
  /** Simulated gas of the last transaction with the same message types: sizes the fee of a single simulation. */
  private readonly gasHints = new Map<string, number>();
  /** Gas used per transaction shape: a known shape is sent without a simulation (see gas.ts). */
  readonly gas: GasMemory;

  private constructor(
    readonly config: ChainConfig,
    readonly comet: CometClient,
    readonly query: IbcQuery,
    readonly address: string,
    private readonly signer: OfflineSigner | undefined,
    private readonly logger: Logger,
    private readonly metrics?: RelayerMetrics,
  ) {
    this.chainId = config.id;
    this.revision = revisionOf(config.id);
    this.gas = new GasMemory({ multiplier: config.gasMultiplier, maxGas: config.maxGas });
  }

  static async connect(config: ChainConfig, signer: OfflineSigner | undefined, logger: Logger, metrics?: RelayerMetrics): Promise<ChainEndpoint> {
    let comet: CometClient;
    try {
      comet = await connectComet(config.rpcAddr);
      if (/^https?:/.test(config.rpcAddr)) {
        // Same client, but every request times out: a paused or half-dead node must not hang the relayer.
        const version = (await comet.status()).nodeInfo.version;
        comet.disconnect();
        const rpc = new HttpClient(config.rpcAddr, RPC_TIMEOUT_MS);
        comet = version.startsWith('0.37.') ? Tendermint37Client.create(rpc) : version.startsWith('1.') ? Comet1Client.create(rpc) : Comet38Client.create(rpc);
      }
      const st = await comet.status();
      if (st.nodeInfo.network !== config.id) {
        comet.disconnect();
        throw new ChainError('wrong_chain', `${config.rpcAddr} serves chain ${st.nodeInfo.network}, not ${config.id}`, { chainId: config.id, hint: 'check rpc_addr in the relayer config' });
      }
    } catch (e) {
      if (e instanceof ChainError) throw e;
      throw new RpcUnreachableError(config.rpcAddr, { chainId: config.id, cause: e });
    }
    const query = QueryClient.withExtensions(comet, setupIbcExtension, setupBankExtension, setupStakingExtension);
    let address = '';
    if (signer) {
      const [acc] = await signer.getAccounts();
      address = acc.address;
    }
    const ep = new ChainEndpoint(config, comet, query, address, signer, logger.child({ chain: config.id }), metrics);
    if (signer) {
      ep.pubkey = (await signer.getAccounts())[0].pubkey;
      ep.signing = await SigningStargateClient.createWithSigner(comet, signer, { registry: ep.registry, broadcastPollIntervalMs: 250, broadcastTimeoutMs: 90_000 });
    }
    return ep;
  }

  disconnect(): void {
    this.sub?.close();
    this.signing?.disconnect();
    this.comet.disconnect();
  }

  private wrap<T>(p: Promise<T>): Promise<T> {
    return p.catch((e) => {
      throw mapChainError(e, { chainId: this.chainId, rpc: this.config.rpcAddr });
    });
  }

  /**
   * Follows new blocks over the node's websocket (polling /status while it is down) until `signal` aborts: blocks
   * seen this way are scanned without a block_results query, inclusion is seen without polling for the tx, and
   * heights are awaited without polling. Returns the subscription, for callers that wake on new blocks.
   */
  watch(signal: AbortSignal): CometSubscription {
    if (this.sub && this.sub.mode !== 'closed') return this.sub;
    this.sub = subscribe({ rpc: this.config.rpcAddr, logger: this.logger, signal, pollMs: 200 });
    this.sub.on((ev) => this.remember(ev));
    return this.sub;
  }

  private remember(ev: CometEvent): void {
    if (ev.kind !== 'block') return;
    this.logger.debug('new block', { height: ev.height, txs: ev.txHashes?.length });
    if (ev.txResults) {
      this.seen.set(ev.height, { height: ev.height, timeMs: ev.timeMs, txs: ev.txResults, finalizeBlockEvents: ev.finalizeBlockEvents ?? [] });
      ev.txHashes?.forEach((hash, index) => {
        const r = ev.txResults![index];
        if (r) this.seenTxs.set(hash, { height: ev.height, index, ...r });
      });
    } else {
      // CometBFT 0.37: the block names its txs but not their results; a tx awaited here is looked up at once.
      ev.txHashes?.forEach((hash) => this.hashesSeen.set(hash, ev.height));
    }
    const cut = ev.height - SEEN_BLOCKS;
    if (this.seen.size > SEEN_BLOCKS) for (const h of this.seen.keys()) if (h <= cut) this.seen.delete(h);
    for (const [k, t] of this.seenTxs) if (t.height <= cut) this.seenTxs.delete(k);
    for (const [k, h] of this.hashesSeen) if (h <= cut) this.hashesSeen.delete(k);
  }

  /** Latest height from the subscription when it is live, else from /status. */
  async latestFast(): Promise<LatestInfo> {
    const sub = this.sub;
    if (sub && sub.mode === 'websocket' && sub.height > 0) {
      const b = this.seen.get(sub.height);
      if (b?.timeMs !== undefined) return { height: sub.height, timeNs: BigInt(b.timeMs) * 1_000_000n, revision: this.revision };
    }
    return this.latest();
  }

  async latest(): Promise<LatestInfo> {
    const st = await this.wrap(this.comet.status());
    return { height: st.syncInfo.latestBlockHeight, timeNs: toNanos(st.syncInfo.latestBlockTime as any), revision: this.revision };
  }

  async commit(h?: number): Promise<comet38.CommitResponse> {
    return (await this.wrap(this.comet.commit(h))) as comet38.CommitResponse;
  }

  async validators(h: number): Promise<readonly comet38.Validator[]> {
    return (await this.wrap(this.comet.validatorsAll(h))).validators as readonly comet38.Validator[];
  }

  async blockResults(h: number): Promise<comet38.BlockResultsResponse> {
    return (await this.wrap<unknown>(this.comet.blockResults(h))) as comet38.BlockResultsResponse;
  }

  /** A block's tx results and finalize_block_events: from the subscription when it delivered the block, else queried. */
  async blockEvents(h: number): Promise<BlockEvents> {
    const cached = this.seen.get(h);
    if (cached) return cached;
    const br = await this.blockResults(h);
    return { height: h, txs: br.results.map((r) => ({ code: r.code, events: r.events as readonly CometRawEvent[] })), finalizeBlockEvents: (br.finalizeBlockEvents ?? []) as readonly CometRawEvent[] };
  }

  async blockTimeMs(h: number): Promise<number> {
    const t = this.seen.get(h)?.timeMs;
    if (t !== undefined) return t;
    const c = await this.commit(h);
    return c.header.time.getTime();
  }

  /** Waits until the chain has produced a block at `h` or above. */
  async waitForHeight(h: number, signal?: AbortSignal, timeoutMs = 60_000): Promise<LatestInfo> {
    const start = Date.now();
    for (;;) {
      const l = await this.latestFast();
      if (l.height >= h) return l;
      if (signal?.aborted) throw new Error('aborted');
      if (Date.now() - start > timeoutMs)
        throw new ChainError('no_new_blocks', `${this.chainId} did not reach height ${h} within ${timeoutMs / 1000}s`, { chainId: this.chainId, hint: 'is the chain producing blocks?' });
      await this.nextBlock(h, 200);
    }
  }

  /** Resolves when a block at `h` or above (or a resync) arrives on the subscription, or after `ms` without one. */
  private async nextBlock(h: number, ms: number): Promise<void> {
    const sub = this.sub;
    if (!sub || sub.mode === 'closed') return sleep(ms);
    if (sub.height >= h) return;
    const ac = new AbortController();
    // Without a live websocket the subscription polls; the timer is the safety net either way.
    await Promise.race([sub.next((ev) => (ev.kind === 'block' && ev.height >= h) || ev.kind === 'resync', ac.signal), sleep(sub.mode === 'websocket' ? 5_000 : ms, ac.signal)]);
    ac.abort();
  }

  async unbondingPeriodS(): Promise<number> {
    const p = await this.wrap(this.query.staking.params());
    const d = p.params?.unbondingTime;
    if (!d) throw new ChainError('no_staking_params', `${this.chainId} did not return staking params`, { chainId: this.chainId });
    return Number(d.seconds) + d.nanos / 1e9;
  }

  /**
   * The value and proof of an IBC store key, checkable against the consensus state at `proofHeight`:
   * the query runs at proofHeight−1 (the app hash in header H commits to the state after block H−1).
   */
  async proveAt(key: string, proofHeight: number): Promise<Proof> {
    const res = await this.wrap(this.comet.abciQuery({ path: '/store/ibc/key', data: new TextEncoder().encode(key), prove: true, height: proofHeight - 1 }));
    if (res.code)
      throw new ChainError('proof_query_failed', `${this.chainId}: proof query for ${key} failed: ${res.log}`, { chainId: this.chainId, codespace: res.codespace, chainCode: res.code, log: res.log });
    if (!res.proof || res.proof.ops.length === 0)
      throw new ChainError('no_proof', `${this.chainId} returned no proof for ${key} at height ${proofHeight - 1}`, {
        chainId: this.chainId,
        hint: 'the node may prune old state; use an archive or default-pruning node',
      });
    return { value: res.value, proof: merkleProofBytes(res.proof.ops), proofHeight: mkHeight(this.revision, proofHeight) };
  }

  /** A MsgUpdateClient (to be sent to the chain hosting `clientId`) carrying this chain's header at `h`. */
  async updateClientMsg(clientId: string, trusted: Height, h: number, signer: string, opts: { signal?: AbortSignal } = {}): Promise<EncodeObject> {
    // The validator sets of h are known once h−1 is committed: fetch them while the header of h is awaited.
    const sets = Promise.all([this.validators(h), this.validators(Number(trusted.revisionHeight) + 1)]);
    sets.catch(() => undefined);
    await this.waitForHeight(h, opts.signal);
    const refetch = () => Promise.all([this.validators(h), this.validators(Number(trusted.revisionHeight) + 1)]);
    const [commit, [validators, trustedValidators]] = await Promise.all([this.commit(h), sets.catch(refetch)]);
    const header = buildHeader({ commit, validators, trustedHeight: trusted, trustedValidators });
    return {
      typeUrl: '/ibc.core.client.v1.MsgUpdateClient',
      value: MsgUpdateClient.fromPartial({ clientId, clientMessage: { typeUrl: '/ibc.lightclients.tendermint.v1.Header', value: Header.encode(header).finish() }, signer }),
    };
  }

  async txSearchPacketEvent(
    eventType: 'send_packet' | 'write_acknowledgement',
    channelAttr: 'packet_src_channel' | 'packet_dst_channel',
    channelId: string,
    seq: bigint,
  ): Promise<{ height: number; events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[] }[]> {
    const query = `${eventType}.${channelAttr}='${channelId}' AND ${eventType}.packet_sequence='${seq}'`;
    const res = await this.wrap(this.comet.txSearchAll({ query }));
    return res.txs.map((t) => ({ height: t.height, events: t.result.events as any }));
  }

  private gasPrice(): GasPrice {
    return GasPrice.fromString(`${this.config.gasPrice.price}${this.config.gasPrice.denom}`);
  }

  /** Gas used by `msgs` sent at `sequence` with the fee they will carry (before the gas multiplier). */
  private simulate(msgs: EncodeObject[], memo: string, sequence: number): Promise<number> {
    return simulateWithFee(this.query, { msgs, memo, signerPubkey: this.pubkey!, sequence, gasPrice: this.gasPrice(), gasMultiplier: this.config.gasMultiplier }, this.registry);
  }

  async balance(): Promise<number | undefined> {
    if (!this.address) return undefined;
    const c = await this.wrap(this.query.bank.balance(this.address, this.config.gasPrice.denom));
    return Number(c.amount);
  }

  /**
   * Simulates, signs and broadcasts one transaction and waits for it to be included. Transactions from this
   * endpoint are serialised; a sequence mismatch refreshes the account and retries once.
   */
  submit(msgs: EncodeObject[], memo = 'lunc-ml relayer'): Promise<DeliverTxResponse> {
    const run = async (): Promise<DeliverTxResponse> => {
      const signing = this.signing;
      if (!signing) throw new ChainError('no_signer', `no relayer key for ${this.chainId}`, { chainId: this.chainId });
      const isOutOfGas = (e: unknown) => e instanceof ChainError && e.code === 'out_of_gas';
      for (let attempt = 0; ; attempt++) {
        let broadcast = false;
        try {
          const acct = await this.signerData();
          let gasMs = 0;
          const simulate = async () => {
            const t = performance.now();
            const used = await this.simulateUsed(msgs, memo, acct.sequence);
            gasMs = Math.round(performance.now() - t);
            return used;
          };
          // One send at the given gas limit: out of gas, in CheckTx or in the block, is reported rather than thrown.
          const send = async (gas: number, remembered: boolean): Promise<SendOutcome<DeliverTxResponse>> => {
            const fee = calculateFee(gas, this.gasPrice());
            const raw = await signing.sign(this.address, msgs, fee, memo, { accountNumber: acct.accountNumber, sequence: acct.sequence, chainId: acct.chainId });
            const t = performance.now();
            let hash: string;
            try {
              hash = await signing.broadcastTxSync(TxRaw.encode(raw).finish());
            } catch (e) {
              const mapped = mapChainError(e, { chainId: this.chainId, rpc: this.config.rpcAddr });
              if (isOutOfGas(mapped)) return { outOfGas: true, error: mapped };
              throw e;
            }
            broadcast = true;
            this.logger.debug('tx broadcast', { txHash: hash, msgs: msgs.length, sequence: acct.sequence, gas, remembered, gasMs, checkTxMs: Math.round(performance.now() - t) });
            // In the mempool: the sequence is spent whether or not the messages succeed.
            acct.sequence++;
            const tx = await this.waitForTx(hash);
            if (tx.code !== 0) {
              const cs = /codespace[: ]+(\w+)/.exec(tx.rawLog ?? '')?.[1];
              const mapped = mapChainError({ code: tx.code, codespace: tx.codespace ?? cs, log: tx.rawLog, txId: hash, message: tx.rawLog }, { chainId: this.chainId, rpc: this.config.rpcAddr });
              if (isOutOfGas(mapped)) return { outOfGas: true, error: mapped };
              throw mapped;
            }
            this.logger.debug('tx included', { height: tx.height, txHash: hash, msgs: msgs.length, gasUsed: Number(tx.gasUsed) });
            return { outOfGas: false, result: tx, gasUsed: Number(tx.gasUsed) };
          };
          return await sendWithGas(this.gas, msgs, simulate, async (gas, remembered) => {
            const out = await send(gas, remembered);
            if (out.outOfGas && remembered) this.logger.warn('remembered gas ran out; simulating and sending once more', { gas, msgs: msgs.length, error: out.error.message });
            return out;
          });
        } catch (e) {
          // The cached sequence is only trusted while everything goes as planned.
          if (!broadcast) this.account = undefined;
          const mapped = mapChainError(e, { chainId: this.chainId, rpc: this.config.rpcAddr });
          const seqMismatch = (mapped instanceof ChainError && mapped.code === 'sequence_mismatch') || /account sequence mismatch/i.test((e as Error)?.message ?? '');
          if (seqMismatch && attempt === 0 && !broadcast) {
            this.logger.warn('account sequence mismatch; refreshing and retrying once');
            await sleep(500);
            continue;
          }
          this.metrics?.txErrors.inc({ chain: this.chainId });
          throw mapped;
        }
      }
    };
    const p = this.txChain.then(run, run);
    this.txChain = p.catch(() => undefined);
    return p;
  }

  /** Account number, next sequence and chain id of the relayer key: queried once, then counted locally. */
  private async signerData(): Promise<{ accountNumber: number; sequence: number; chainId: string }> {
    if (this.account) return this.account;
    const [{ accountNumber, sequence }, chainId] = await Promise.all([this.signing!.getSequence(this.address), this.signing!.getChainId()]);
    this.account = { accountNumber, sequence, chainId };
    return this.account;
  }

  /**
   * Gas used by `msgs` with their fee attached (before the multiplier). The fee-less first simulation is skipped
   * when a transaction of the same message types was simulated before: its gas sizes the fee attached to the one
   * simulation, and fee deduction costs the same gas whatever the amount.
   */
  private async simulateUsed(msgs: EncodeObject[], memo: string, sequence: number): Promise<number> {
    const key = msgs.map((m) => m.typeUrl).join(',');
    const hint = this.gasHints.get(key);
    let used: number;
    if (hint === undefined) used = await this.simulate(msgs, memo, sequence);
    else {
      const g = Math.min(Math.ceil(hint * this.config.gasMultiplier), this.config.maxGas);
      const fee = calculateFee(g, this.gasPrice());
      used = await simulateGas(this.query, { msgs, memo, signerPubkey: this.pubkey!, sequence }, this.registry, fee.amount.every((c) => c.amount === '0') ? undefined : { amount: fee.amount, gas: g });
    }
    this.gasHints.set(key, used);
    return used;
  }

  /**
   * Several transactions at once: signed with consecutive sequences, all broadcast before waiting, so that a
   * burst of packets lands in one or two blocks instead of one block per transaction. Later batches are
   * simulated together with the earlier ones (their proofs need the client update of the first, ORDERED
   * receives need the sequences before them). Returns one result per batch; a batch whose CheckTx failed is reported failed
   * (not applied), and so are the ones after it (their sequences can no longer be used).
   */
  submitPipelined(batches: EncodeObject[][], memo = 'lunc-ml relayer'): Promise<BatchResult[]> {
    if (batches.length === 1) {
      return this.submit(batches[0], memo).then(
        (res) => [{ ok: true as const, res }],
        (error: Error) => [{ ok: false as const, error }],
      );
    }
    const run = async (): Promise<BatchResult[]> => {
      // This path reads and spends sequences itself: the next single submit asks the chain again.
      this.account = undefined;
      const signing = this.signing;
      if (!signing) throw new ChainError('no_signer', `no relayer key for ${this.chainId}`, { chainId: this.chainId });
      const price = this.gasPrice();
      for (let attempt = 0; ; attempt++) {
        const out: BatchResult[] = [];
        const hashes: Array<string | undefined> = [];
        let mismatch = false;
        try {
          const { accountNumber, sequence } = await signing.getSequence(this.address);
          const chainId = await signing.getChainId();
          // Simulate all first (a simulation after the first broadcast would see the bumped sequence), each
          // batch together with the earlier ones (their proofs need the client update of the first, ORDERED
          // receives need the sequences before them), charging it the difference plus a per-transaction base.
          const gas: number[] = [];
          let broken: Error | undefined;
          let prevCumulative = 0;
          for (let i = 0; i < batches.length && !broken; i++) {
            try {
              const cumulative = await this.simulate(batches.slice(0, i + 1).flat(), memo, sequence);
              const used = i === 0 ? cumulative : cumulative - prevCumulative + TX_BASE_GAS;
              prevCumulative = cumulative;
              gas.push(Math.min(Math.ceil(used * this.config.gasMultiplier), this.config.maxGas));
            } catch (e) {
              const mapped = mapChainError(e, { chainId: this.chainId, rpc: this.config.rpcAddr });
              if (i === 0 && attempt === 0 && ((mapped instanceof ChainError && mapped.code === 'sequence_mismatch') || /account sequence mismatch/i.test((e as Error)?.message ?? ''))) {
                mismatch = true;
                break;
              }
              broken = mapped;
            }
          }
          for (let i = 0; i < batches.length && !mismatch; i++) {
            if (broken && i >= gas.length) {
              out.push({ ok: false, error: broken });
              hashes.push(undefined);
              continue;
            }
            try {
              const raw = await signing.sign(this.address, batches[i], calculateFee(gas[i], price), memo, { accountNumber, sequence: sequence + i, chainId });
              const hash = await signing.broadcastTxSync(TxRaw.encode(raw).finish());
              hashes.push(hash);
              out.push(undefined as unknown as BatchResult);
              this.logger.debug('tx broadcast', { txHash: hash, msgs: batches[i].length, sequence: sequence + i });
            } catch (e) {
              const mapped = mapChainError(e, { chainId: this.chainId, rpc: this.config.rpcAddr });
              if (i === 0 && attempt === 0 && ((mapped instanceof ChainError && mapped.code === 'sequence_mismatch') || /account sequence mismatch/i.test((e as Error)?.message ?? ''))) {
                mismatch = true;
                break;
              }
              // Later sequences are unusable now: everything from here is reported failed (not applied).
              broken = mapped;
              gas.length = i;
              this.metrics?.txErrors.inc({ chain: this.chainId });
              out.push({ ok: false, error: mapped });
              hashes.push(undefined);
            }
          }
          if (mismatch) {
            this.logger.warn('account sequence mismatch; refreshing and retrying once');
            await sleep(500);
            continue;
          }
          // Wait for every broadcast transaction to be included.
          for (let i = 0; i < batches.length; i++) {
            const hash = hashes[i];
            if (!hash) continue;
            const tx = await this.waitForTx(hash);
            if (tx.code !== 0) {
              this.metrics?.txErrors.inc({ chain: this.chainId });
              out[i] = {
                ok: false,
                error: mapChainError({ code: tx.code, codespace: (tx as any).codespace, log: tx.rawLog, txId: hash, message: tx.rawLog }, { chainId: this.chainId, rpc: this.config.rpcAddr }),
              };
            } else {
              out[i] = {
                ok: true,
                res: {
                  height: tx.height,
                  txIndex: tx.txIndex,
                  code: 0,
                  transactionHash: hash,
                  events: tx.events,
                  rawLog: tx.rawLog,
                  msgResponses: tx.msgResponses,
                  gasUsed: tx.gasUsed,
                  gasWanted: tx.gasWanted,
                },
              };
              this.logger.debug('tx included', { height: tx.height, txHash: hash, msgs: batches[i].length, gasUsed: Number(tx.gasUsed) });
            }
          }
          return out;
        } catch (e) {
          throw mapChainError(e, { chainId: this.chainId, rpc: this.config.rpcAddr });
        }
      }
    };
    const p = this.txChain.then(run, run);
    this.txChain = p.catch(() => undefined);
    return p;
  }

  /**
   * The included transaction `hash` (core/inclusion): seen in a NewBlock on the subscription (or in the blocks kept
   * from before the wait), else queried from the node when the events may not tell, and every 2 s as a safety net.
   */
  private async waitForTx(hash: string, timeoutMs = 90_000): Promise<DeliverTxResponse & { codespace?: string }> {
    const sub = this.sub && this.sub.mode !== 'closed' ? this.sub : undefined;
    const response = (t: SeenTx): DeliverTxResponse & { codespace?: string } => ({
      height: t.height,
      txIndex: t.index,
      code: t.code,
      codespace: t.codespace,
      transactionHash: hash,
      events: t.events,
      rawLog: t.log,
      msgResponses: [],
      gasUsed: BigInt(t.gasUsed ?? 0),
      gasWanted: BigInt(t.gasWanted ?? 0),
    });
    return waitForInclusion<DeliverTxResponse & { codespace?: string }>(
      {
        hash,
        // Without a subscription (before `watch`) there are no events: the node is asked every 250 ms.
        events: sub ?? { on: () => () => undefined },
        quietMs: sub ? 2_000 : 250,
        timeoutMs,
        seen: () => {
          const t = this.seenTxs.get(hash);
          return t && response(t);
        },
        lookUpAtOnce: () => this.hashesSeen.has(hash),
        fromEvent: ({ height, index, result }) => response({ height, index, ...result }),
        lookUp: async () => {
          const tx = await this.signing!.getTx(hash);
          return tx ? { ...tx, transactionHash: hash } : undefined;
        },
        timeoutError: () =>
          new ChainError('tx_timeout', `${this.chainId}: transaction ${hash} was not included within ${timeoutMs / 1000}s`, {
            chainId: this.chainId,
            txHash: hash,
            hint: 'it may still be included; the relayer re-checks what is pending before resubmitting',
          }),
      },
      { armed: true },
    ).promise;
  }
}

export type BatchResult = { ok: true; res: DeliverTxResponse } | { ok: false; error: Error };
