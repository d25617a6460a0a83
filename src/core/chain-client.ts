// CosmJS clients with the project's error mapping.
// Importing this file is cheap: CosmJS (stargate, tendermint-rpc, ~200 ms to load) is imported only when a client is
// made, so commands that never talk to a chain (--generate-only, --help) do not pay for it.
import type { EncodeObject, OfflineSigner, Registry } from '@cosmjs/proto-signing';
import type { DeliverTxResponse, GasPrice, QueryClient, SigningStargateClient, StdFee } from '@cosmjs/stargate';
import type { CometClient } from '@cosmjs/tendermint-rpc';
import { ChainError, RpcUnreachableError, UsageError } from './errors.js';
import { ML_ERRORS, SDK_ERRORS } from './chain-errors.js';
import type { Logger } from './logger.js';
import type { ChainProfile } from './profiles.js';

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

export class TxSender {
  private constructor(
    readonly client: SigningStargateClient,
    readonly profile: ChainProfile,
    readonly address: string,
    private readonly logger: Logger,
    private readonly query: QueryClient,
    private readonly registry: Registry,
    private readonly pubkey: Uint8Array,
  ) {}

  /** `registry` knows every message type the caller signs (src/ica/registry.ts). */
  static async connect(profile: ChainProfile, signer: OfflineSigner, logger: Logger, registry: Registry): Promise<TxSender> {
    const { SigningStargateClient, QueryClient } = await stargate();
    let client: SigningStargateClient;
    let tm: CometClient;
    try {
      const rpc = await rpcHandle(profile);
      tm = rpc.tm;
      if (rpc.chainId !== profile.chainId) throw new UsageError(`${profile.rpc} serves chain ${rpc.chainId}, not ${profile.chainId}`, { code: 'wrong_chain', hint: 'check --node and --chain' });
      client = SigningStargateClient.createWithSigner(tm, signer, { registry, broadcastPollIntervalMs: 300, broadcastTimeoutMs: 120_000 });
    } catch (e) {
      throw mapChainError(e, profile);
    }
    const [acc] = await signer.getAccounts();
    return new TxSender(client, profile, acc.address, logger, new QueryClient(tm), registry, acc.pubkey);
  }

  /** Simulates (or takes --gas) and computes the fee, so the user can confirm it before signing. */
  async plan(msgs: EncodeObject[], opts: BroadcastOptions): Promise<FeePlan> {
    const { GasPrice, calculateFee } = await stargate();
    let gas: number;
    if (opts.gas === 'auto') {
      const { simulateGas, simulateWithFee } = await import('./simulate.js');
      try {
        // Simulated with the fee it will carry: a fee-less simulation skips the ante handler's fee deduction
        // (and Terra Classic's tax path), and under-estimates by ~18k gas on terrad.
        const { sequence } = await this.client.getSequence(this.address);
        const tx = { msgs, memo: opts.memo, signerPubkey: this.pubkey, sequence, gasPrice: opts.gasPrice, gasMultiplier: opts.gasAdjustment };
        const fixed = opts.fees ? parseFees(opts.fees) : undefined;
        const used = fixed
          ? await simulateGas(this.query, tx, this.registry, { amount: fixed, gas: Math.ceil((await simulateGas(this.query, tx, this.registry)) * opts.gasAdjustment) })
          : await simulateWithFee(this.query, tx, this.registry);
        gas = Math.ceil(used * opts.gasAdjustment);
      } catch (e) {
        throw mapChainError(e, this.profile);
      }
    } else gas = opts.gas;
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
      try {
        const res = await this.client.signAndBroadcast(this.address, msgs, fee, memo);
        if (res.code !== 0) {
          throw mapChainError({ code: res.code, codespace: (res as { codespace?: string }).codespace, log: res.rawLog, txId: res.transactionHash, height: res.height }, this.profile);
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

  disconnect(): void {
    this.client.disconnect();
  }
}

/** Pulls `type.attr` values out of a DeliverTxResponse's events. */
export function eventAttr(res: Pick<DeliverTxResponse, 'events'>, type: string, key: string): string[] {
  const out: string[] = [];
  for (const ev of res.events) if (ev.type === type) for (const a of ev.attributes) if (a.key === key) out.push(a.value);
  return out;
}
