// CosmJS clients with the project's error mapping.
// Importing this file is cheap: CosmJS (stargate, tendermint-rpc, ~200 ms to load) is imported only when a client is
// made, so commands that never talk to a chain (--generate-only, --help) do not pay for it.
import type { EncodeObject, OfflineSigner, Registry } from '@cosmjs/proto-signing';
import type { DeliverTxResponse, GasPrice, QueryClient, SigningStargateClient, StdFee } from '@cosmjs/stargate';
import type { CometClient } from '@cosmjs/tendermint-rpc';
import { ChainError, RpcUnreachableError, UsageError } from './errors.js';
import { ML_ERRORS, SDK_ERRORS } from './chain-errors.js';
import type { Logger } from './logger.js';
import { sleep } from './poll.js';
import { waitForInclusion } from './inclusion.js';
import type { ChainProfile } from './profiles.js';
import type { CometSubscription, SubscribeOptions } from './subscription.js';

const stargate = () => import('@cosmjs/stargate');
const cometRpc = () => import('@cosmjs/tendermint-rpc');

const unreachable = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|fetch failed|socket hang up|getaddrinfo/i;

interface ChainFailure {
  code?: number;
  codespace?: string;
  log?: string;
  rawLog?: string;
  txId?: string;
  transactionHash?: string;
  message?: string;
  height?: number;
}

/** Maps whatever CosmJS threw (an Error, or a failed DeliverTxResponse-like object) into a typed error. */
export function mapChainError(e: unknown, profile: Pick<ChainProfile, 'chainId' | 'rpc'>): Error {
  if (e instanceof ChainError || e instanceof RpcUnreachableError || e instanceof UsageError) return e;
  const f: ChainFailure = typeof e === 'object' && e !== null ? (e as ChainFailure) : {};
  // Plain objects carry the chain's raw log; never let them print as "[object Object]".
  const msg = e instanceof Error ? e.message : (f.log ?? f.rawLog ?? f.message ?? (typeof e === 'object' ? JSON.stringify(e) : String(e)));
  const txHash = f.txId ?? f.transactionHash;
  const chainId = profile.chainId;
  // Broadcast accepted but inclusion not seen in time: the tx may still land, so resending could pay twice.
  if ((e as Error)?.name === 'TimeoutError' || /was submitted but was not yet found on the chain/i.test(msg)) {
    return new ChainError('tx_unconfirmed', `the transaction was sent to ${chainId} but its inclusion was not seen in time`, {
      chainId,
      txHash,
      hint: txHash ? `check \`lunc-ml query tx ${txHash}\` before sending again` : "check your account's recent transactions before sending again",
    });
  }
  if (unreachable.test(msg) || unreachable.test(String((e as any)?.cause?.code ?? ''))) return new RpcUnreachableError(profile.rpc, { chainId, cause: e });
  // Broadcast errors carry codespace/code as fields; simulate errors inside the message; some nodes in the raw log.
  const m = /codespace[=: ]+(\w+)\D+code[=: ]+(\d+)/.exec(msg);
  const codespace = f.codespace || m?.[1] || undefined;
  const code = typeof f.code === 'number' ? f.code : m ? Number(m[2]) : undefined;
  const log = f.log ?? f.rawLog ?? msg;
  const at = { chainId, codespace, chainCode: code, log, txHash, height: f.height };
  const where = txHash ? ` (tx ${txHash})` : '';
  if (/account .* not found|does not exist on chain/i.test(msg)) {
    return new ChainError('account_not_found', `the signing account does not exist on ${chainId} yet`, { ...at, hint: 'send it some funds first: an account exists once it has received tokens' });
  }
  const sdk = code !== undefined ? SDK_ERRORS[code] : undefined;
  // Without a codespace, an SDK code is trusted only when the log says the same thing (x/ml's codes overlap).
  if (sdk && (codespace === 'sdk' || (codespace === undefined && sdk.log.test(log)))) {
    return new ChainError(sdk.kind, `${chainId} refused the transaction: ${sdk.what}${where}: ${firstLine(log)}`, { ...at, codespace: 'sdk', hint: sdk.hint });
  }
  const ml = codespace === 'ml' && code !== undefined ? ML_ERRORS[code] : undefined;
  if (ml) return new ChainError(ml.kind, `${chainId} refused the transaction (ml ${code})${where}: ${firstLine(log)}`, { ...at, hint: ml.hint });
  if (codespace || code !== undefined) return new ChainError('tx_failed', `${chainId} refused the transaction (${codespace ?? 'code'} ${code})${where}: ${firstLine(log)}`, at);
  return new ChainError('chain_error', `${chainId}: ${firstLine(msg)}`, { chainId, log: msg, txHash, cause: e });
}

function firstLine(s: string): string {
  const line = s.split('\n')[0];
  return line.length > 400 ? line.slice(0, 400) + '…' : line;
}

interface RpcHandle {
  tm: CometClient;
  /** The chain id the node reported when the client was made. */
  chainId: string;
}

// One client per RPC address for the life of a command: CosmJS's connectComet asks the node for /status to pick a
// protocol version each time it is called, and a job's pre-flight, fee check and signing each connected anew (five
// status round trips before the first byte of the tx). HTTP clients hold no socket of their own (fetch pools them),
// so sharing one is safe and disconnect() on it is a no-op; an entry expires so a long-running service notices a node
// upgraded to another CometBFT version.
const RPC_REUSE_MS = 60_000;
const rpcClients = new Map<string, { until: number; handle: Promise<RpcHandle> }>();

async function openRpc(url: string): Promise<RpcHandle> {
  const { Comet1Client, Comet38Client, HttpClient, Tendermint37Client, connectComet } = await cometRpc();
  if (!/^https?:\/\//i.test(url)) {
    // A websocket endpoint is a connection of its own: not shared.
    const tm = await connectComet(url);
    return { tm, chainId: (await tm.status()).nodeInfo.network };
  }
  const http = new HttpClient(url);
  const tm37 = Tendermint37Client.create(http);
  // The version detection of connectComet, on the same HTTP client, keeping the chain id it reads.
  const { nodeInfo } = await tm37.status();
  const tm = nodeInfo.version.startsWith('0.38.') ? Comet38Client.create(http) : nodeInfo.version.startsWith('1.') ? Comet1Client.create(http) : tm37;
  return { tm, chainId: nodeInfo.network };
}

async function rpcHandle(profile: Pick<ChainProfile, 'chainId' | 'rpc'>): Promise<RpcHandle> {
  const now = Date.now();
  let handle: Promise<RpcHandle>;
  const entry = rpcClients.get(profile.rpc);
  if (entry && entry.until > now) handle = entry.handle;
  else {
    handle = openRpc(profile.rpc);
    if (/^https?:\/\//i.test(profile.rpc)) {
      const mine = { until: now + RPC_REUSE_MS, handle };
      rpcClients.set(profile.rpc, mine);
      // A failed connection is not remembered: the next caller tries again.
      handle.catch(() => {
        if (rpcClients.get(profile.rpc) === mine) rpcClients.delete(profile.rpc);
      });
    }
  }
  try {
    return await handle;
  } catch (e) {
    throw new RpcUnreachableError(profile.rpc, { chainId: profile.chainId, cause: e });
  }
}

/**
 * A CometBFT client for the profile's RPC, shared by the callers of one command; a node that cannot be reached is a
 * typed error naming it.
 */
export async function connectRpc(profile: Pick<ChainProfile, 'chainId' | 'rpc'>): Promise<CometClient> {
  return (await rpcHandle(profile)).tm;
}

/** Runs `f` with an ABCI query client on the profile's chain, maps its errors, and always disconnects. */
export async function withQueryClient<T>(profile: Pick<ChainProfile, 'chainId' | 'rpc'>, f: (q: QueryClient, tm: CometClient) => Promise<T>): Promise<T> {
  const [{ QueryClient }, tm] = await Promise.all([stargate(), connectRpc(profile)]);
  try {
    return await f(new QueryClient(tm), tm);
  } catch (e) {
    throw mapChainError(e, profile);
  } finally {
    tm.disconnect();
  }
}

/** The ABCI query surface the project's query helpers take (src/ica/controller.ts AbciQuerier). */
export interface AbciQuery {
  queryAbci(path: string, request: Uint8Array, height?: number): Promise<{ value: Uint8Array; height: number }>;
}

let rpcId = 0;

/**
 * Runs `f` with ABCI queries sent as plain JSON-RPC `abci_query` calls over fetch, and maps its errors. For the
 * checks a command makes before it signs: they need no CosmJS (whose loading took longer than the queries) and
 * no /status round trip, so they are answered while the signing stack loads. Results and errors read as
 * QueryClient.queryAbci's. A websocket endpoint goes through withQueryClient.
 */
export async function withAbciQuery<T>(profile: Pick<ChainProfile, 'chainId' | 'rpc'>, f: (q: AbciQuery) => Promise<T>): Promise<T> {
  if (!/^https?:\/\//i.test(profile.rpc)) return withQueryClient(profile, (q) => f(q));
  const q: AbciQuery = {
    async queryAbci(path, request, height) {
      const params: Record<string, unknown> = { path, data: Buffer.from(request).toString('hex'), prove: false };
      if (height !== undefined) params.height = String(height);
      const res = await fetch(profile.rpc, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method: 'abci_query', params }),
      });
      const text = await res.text();
      let body: { result?: { response?: { code?: number; log?: string; value?: string | null; height?: string } }; error?: { message?: string; data?: string } };
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`${profile.rpc} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
      }
      if (body.error) throw new Error(`${body.error.message ?? 'JSON-RPC error'}${body.error.data ? `: ${body.error.data}` : ''}`);
      const r = body.result?.response ?? {};
      if (r.code) throw new Error(`Query failed with (${r.code}): ${r.log ?? ''}`);
      if (!r.height || r.height === '0') throw new Error('No query height returned');
      return { value: new Uint8Array(Buffer.from(r.value ?? '', 'base64')), height: Number(r.height) };
    },
  };
  try {
    return await f(q);
  } catch (e) {
    throw mapChainError(e, profile);
  }
}

export interface BroadcastOptions {
  gas: 'auto' | number;
  gasAdjustment: number;
  gasPrice: string;
  fees?: string;
  memo?: string;
}

export interface FeePlan {
  gas: number;
  fee: StdFee;
}

function parseFees(fees: string): { amount: string; denom: string }[] {
  const m = /^(\d+)([a-zA-Z][\w/]*)$/.exec(fees);
  if (!m) throw new UsageError(`--fees "${fees}" is not an amount with a denom`, { hint: 'e.g. --fees 5000uluna' });
  return [{ amount: m[1]!, denom: m[2]! }];
}

export interface TxSenderOptions {
  /** How long a broadcast tx may take to be seen in a block (default 120 s). */
  inclusionTimeoutMs?: number;
  /** How long to wait for the inclusion subscription before broadcasting anyway (default 2 s); a late one is caught up by a query. */
  subscribeWaitMs?: number;
  /** The event subscription (default: src/core/subscription.ts on the profile's RPC); tests pass a stand-in. */
  subscribe?: (o: SubscribeOptions) => CometSubscription;
  /**
   * plan() subscribes to the tx of the account's next sequence (`tx.acc_seq`) while it simulates, so that the send()
   * after it broadcasts without waiting for a websocket handshake (a round trip or three to a remote node). For
   * callers that send what they plan; disconnect() closes a subscription that was not used.
   */
  subscribeEarly?: boolean;
}

interface SignerAccount {
  accountNumber: number;
  sequence: number;
}

/**
 * Signs and sends txs for one account on one chain with as few round trips as the chain allows: the account (number
 * and sequence) is read once, by plan(), and reused by the send() that follows; simulation and broadcast add no
 * queries of their own; inclusion is seen on the node's websocket (a Tx event for the tx's hash), with a query by hash
 * only when events may have been missed (websocket down or reconnected). The bytes signed are exactly CosmJS's
 * signAndBroadcast's for the same account, fee and memo.
 */
export class TxSender {
  /** Read by plan() for the send() that follows it; consumed there so that a later send reads it afresh. */
  private account?: SignerAccount;
  /** plan()'s subscription (subscribeEarly), for the send() of that sequence. */
  private early?: { sequence: number; sub: CometSubscription };
  /** prefetch()'s account read, for the plan() that follows it. */
  private prefetched?: Promise<SignerAccount>;
  private closed = false;

  private constructor(
    readonly client: SigningStargateClient,
    readonly profile: ChainProfile,
    readonly address: string,
    private readonly logger: Logger,
    private readonly query: QueryClient,
    private readonly registry: Registry,
    private readonly pubkey: Uint8Array,
    private readonly o: TxSenderOptions,
  ) {}

  /** `registry` knows every message type the caller signs (src/ica/registry.ts). */
  static async connect(profile: ChainProfile, signer: OfflineSigner, logger: Logger, registry: Registry, o: TxSenderOptions = {}): Promise<TxSender> {
    const { SigningStargateClient, QueryClient } = await stargate();
    let client: SigningStargateClient;
    let tm: CometClient;
    try {
      const rpc = await rpcHandle(profile);
      tm = rpc.tm;
      if (rpc.chainId !== profile.chainId) throw new UsageError(`${profile.rpc} serves chain ${rpc.chainId}, not ${profile.chainId}`, { code: 'wrong_chain', hint: 'check --node and --chain' });
      client = SigningStargateClient.createWithSigner(tm, signer, { registry });
    } catch (e) {
      throw mapChainError(e, profile);
    }
    const [acc] = await signer.getAccounts();
    return new TxSender(client, profile, acc.address, logger, new QueryClient(tm), registry, acc.pubkey, o);
  }

  /**
   * Reads the account (and, with subscribeEarly, opens the subscription for its next tx) now, for the plan() that
   * follows: a caller starts it while its own checks are in flight, so that plan() begins with the simulation. Only
   * for a plan() with no other tx of this account in between (a stale sequence would be refused on broadcast).
   */
  prefetch(): Promise<void> {
    if (!this.prefetched) {
      this.closeEarly();
      this.prefetched = this.readAccount();
    }
    // Its failure is reported by the plan() that awaits it; the promise returned says when it is done either way.
    return this.prefetched.then(
      () => undefined,
      () => undefined,
    );
  }

  private async readAccount(): Promise<SignerAccount> {
    const account = await this.client.getSequence(this.address);
    if (this.o.subscribeEarly) {
      const sub = await this.subscribeTx('tx.acc_seq', `${this.address}/${account.sequence}`);
      if (this.closed) {
        sub.close();
        return account;
      }
      this.closeEarly();
      this.early = { sequence: account.sequence, sub };
    }
    return account;
  }

  /** Simulates (or takes --gas) and computes the fee, so the user can confirm it before signing. */
  async plan(msgs: EncodeObject[], opts: BroadcastOptions): Promise<FeePlan> {
    const { GasPrice, calculateFee } = await stargate();
    let gas: number;
    const prefetched = this.prefetched;
    this.prefetched = undefined;
    this.account = undefined;
    if (!prefetched) this.closeEarly();
    if (opts.gas === 'auto') {
      const { simulateGas, simulateWithFee } = await import('./simulate.js');
      try {
        // Simulated with the fee it will carry: a fee-less simulation skips the ante handler's fee deduction
        // (and Terra Classic's tax path), and under-estimates by ~18k gas on terrad.
        const account = await (prefetched ?? this.readAccount());
        const tx = { msgs, memo: opts.memo, signerPubkey: this.pubkey, sequence: account.sequence, gasPrice: opts.gasPrice, gasMultiplier: opts.gasAdjustment };
        const fixed = opts.fees ? parseFees(opts.fees) : undefined;
        const used = fixed
          ? await simulateGas(this.query, tx, this.registry, { amount: fixed, gas: Math.ceil((await simulateGas(this.query, tx, this.registry)) * opts.gasAdjustment) })
          : await simulateWithFee(this.query, tx, this.registry);
        gas = Math.ceil(used * opts.gasAdjustment);
        this.account = account;
      } catch (e) {
        throw mapChainError(e, this.profile);
      }
    } else {
      gas = opts.gas;
      // A prefetched account that cannot be read is read again (and its error reported) by send().
      if (prefetched) this.account = await prefetched.catch(() => undefined);
    }
    if (opts.fees) return { gas, fee: { amount: parseFees(opts.fees), gas: String(gas) } };
    let price: GasPrice;
    try {
      price = GasPrice.fromString(opts.gasPrice);
    } catch {
      throw new UsageError(`--gas-prices "${opts.gasPrice}" is not a price with a denom`, { hint: 'e.g. --gas-prices 28.325uluna' });
    }
    return { gas, fee: calculateFee(gas, price) };
  }

  /** Signs and broadcasts, waits for inclusion; a sequence mismatch refreshes the account and retries once. */
  async send(msgs: EncodeObject[], fee: StdFee, memo = ''): Promise<DeliverTxResponse> {
    for (let attempt = 0; ; attempt++) {
      const known = this.account;
      this.account = undefined;
      try {
        const { accountNumber, sequence } = known ?? (await this.client.getSequence(this.address));
        const raw = await this.client.sign(this.address, msgs, fee, memo, { accountNumber, sequence, chainId: this.profile.chainId });
        const { TxRaw } = await import('cosmjs-types/cosmos/tx/v1beta1/tx');
        const res = await this.broadcastAndWait(TxRaw.encode(raw).finish(), sequence);
        if (res.code !== 0) {
          throw mapChainError({ code: res.code, codespace: res.codespace, log: res.rawLog, txId: res.transactionHash, height: res.height }, this.profile);
        }
        return res;
      } catch (e) {
        const mapped = mapChainError(e, this.profile);
        if (mapped instanceof ChainError && mapped.code === 'sequence_mismatch' && attempt === 0) {
          this.logger.warn('account sequence mismatch; refreshing and retrying once', { chainId: this.profile.chainId });
          continue;
        }
        throw mapped;
      }
    }
  }

  /**
   * broadcast_tx_sync, then the tx's block from a subscription opened before it (so its event cannot slip past).
   * The hash is the SHA-256 of the bytes, as CometBFT computes it, so the subscription can name it up front.
   */
  private async broadcastAndWait(bytes: Uint8Array, sequence: number): Promise<DeliverTxResponse & { codespace?: string }> {
    const [{ sha256 }, { toHex }, { TxMsgData }] = await Promise.all([import('@cosmjs/crypto'), import('@cosmjs/encoding'), import('cosmjs-types/cosmos/base/abci/v1beta1/abci')]);
    const hash = toHex(sha256(bytes)).toUpperCase();
    const early = this.early?.sequence === sequence ? this.early.sub : undefined;
    if (early) this.early = undefined;
    this.closeEarly();
    const stop = new AbortController();
    const sub = early ?? (await this.subscribeTx('tx.hash', hash));
    try {
      const included = this.inclusion(sub, hash, stop.signal, (data) => (data?.length ? TxMsgData.decode(data).msgResponses.map((m) => ({ typeUrl: m.typeUrl, value: new Uint8Array(m.value) })) : []));
      // A refused broadcast ends the wait below (cancelled); that rejection is nobody's to handle.
      included.promise.catch(() => undefined);
      // A subscription not ready in time is caught up by the query its 'connected' resync triggers.
      await Promise.race([sub.ready, sleep(this.o.subscribeWaitMs ?? 2_000, stop.signal)]);
      await this.client.broadcastTxSync(bytes);
      included.broadcast();
      this.logger.debug('broadcast accepted', { chainId: this.profile.chainId, txHash: hash });
      const res = await included.promise;
      this.logger.debug('tx included', { chainId: this.profile.chainId, txHash: hash, height: res.height });
      return res;
    } finally {
      stop.abort();
      sub.close();
    }
  }

  /**
   * Resolves when `hash` is in a block (core/inclusion: its Tx event, or a query when events may have been missed);
   * call `broadcast()` once it is accepted: before that, there is nothing to look up.
   */
  private inclusion(
    sub: CometSubscription,
    hash: string,
    signal: AbortSignal,
    msgResponses: (data: Uint8Array | undefined) => DeliverTxResponse['msgResponses'],
  ): { promise: Promise<DeliverTxResponse & { codespace?: string }>; broadcast: () => void } {
    const timeoutMs = this.o.inclusionTimeoutMs ?? 120_000;
    const wait = waitForInclusion<DeliverTxResponse & { codespace?: string }>({
      hash,
      events: sub,
      signal,
      timeoutMs,
      // Blocks keep coming while the node is up (polled when the websocket is down): only a stuck subscription is quiet.
      quietMs: 5_000,
      fromEvent: ({ height, index, result: r }) => ({
        code: r.code,
        codespace: r.codespace,
        height,
        txIndex: index,
        events: r.events.map((e) => ({ type: e.type, attributes: e.attributes.map((a) => ({ key: a.key, value: a.value })) })),
        rawLog: r.log ?? '',
        transactionHash: hash,
        msgResponses: msgResponses(r.data),
        gasUsed: BigInt(r.gasUsed ?? 0),
        gasWanted: BigInt(r.gasWanted ?? 0),
      }),
      lookUp: async () => {
        try {
          const tx = await this.client.getTx(hash);
          if (!tx) return undefined;
          return {
            code: tx.code,
            height: tx.height,
            txIndex: tx.txIndex,
            events: tx.events,
            rawLog: tx.rawLog,
            transactionHash: hash,
            msgResponses: tx.msgResponses,
            gasUsed: tx.gasUsed,
            gasWanted: tx.gasWanted,
          };
        } catch (e) {
          this.logger.debug('tx lookup failed; waiting for the next block', { chainId: this.profile.chainId, error: (e as Error).message });
          return undefined;
        }
      },
      timeoutError: () =>
        new ChainError('tx_unconfirmed', `the transaction was sent to ${this.profile.chainId} but its inclusion was not seen in ${Math.round(timeoutMs / 1000)} s`, {
          chainId: this.profile.chainId,
          txHash: hash,
          hint: `check \`lunc-ml query tx ${hash}\` before sending again`,
        }),
    });
    return { promise: wait.promise, broadcast: wait.arm };
  }

  /** A subscription to the Tx events whose `key` attribute is `value` (and, as always, to new blocks). */
  private async subscribeTx(key: string, value: string): Promise<CometSubscription> {
    const { subscribe, txQuery } = await import('./subscription.js');
    return (this.o.subscribe ?? subscribe)({ rpc: this.profile.rpc, txQueries: [txQuery({ [key]: value })], logger: this.logger });
  }

  private closeEarly(): void {
    this.early?.sub.close();
    this.early = undefined;
  }

  disconnect(): void {
    this.closed = true;
    this.prefetched = undefined;
    this.closeEarly();
    this.client.disconnect();
  }
}

/** Pulls `type.attr` values out of a DeliverTxResponse's events. */
export function eventAttr(res: Pick<DeliverTxResponse, 'events'>, type: string, key: string): string[] {
  const out: string[] = [];
  for (const ev of res.events) if (ev.type === type) for (const a of ev.attributes) if (a.key === key) out.push(a.value);
  return out;
}
