// The one CometBFT event subscription of this code base: a JSON-RPC websocket on `<rpc>/websocket` subscribed to
// NewBlock and Tx queries, re-subscribed after every drop (with backoff), and polling `/status` while the websocket
// is unavailable, so that a caller always sees new blocks. Callers treat events as nudges to look at chain state,
// never as the source of truth: after a `resync` event anything may have been missed.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Logger } from './logger.js';
import { sleep } from './poll.js';

/** An ABCI event as CometBFT 0.38 writes it in JSON (attribute keys and values are plain strings). */
export interface CometRawEvent {
  type: string;
  attributes: Array<{ key: string; value: string; index?: boolean }>;
}

export interface CometTxResult {
  code: number;
  codespace?: string;
  log?: string;
  gasWanted?: string;
  gasUsed?: string;
  /** The tx's TxMsgData (its messages' responses), as the node returned it. */
  data?: Uint8Array;
  events: CometRawEvent[];
}

export type CometEvent =
  | {
      kind: 'block';
      height: number;
      /** Header time (ms since epoch); absent for polled blocks. */
      timeMs?: number;
      /** From the `/status` poll (websocket down): no block contents, and heights may have been skipped. */
      polled: boolean;
      /** `result_finalize_block.tx_results` (websocket from CometBFT 0.38 only; undefined from 0.37), in block order. */
      txResults?: CometTxResult[];
      /** Hashes (upper-case hex) of the block's transactions, index for index with `txResults` (websocket only). */
      txHashes?: string[];
      /** `result_finalize_block.events` (websocket only): begin/end-block events in CometBFT 0.38. */
      finalizeBlockEvents?: CometRawEvent[];
    }
  | {
      kind: 'tx';
      /** The query this event matched, as passed in `queries`. */
      query: string;
      height: number;
      index: number;
      /** Upper-case hex, as `tx.hash` is indexed. */
      hash: string;
      result: CometTxResult;
      /** The composite-key event map CometBFT sends along (`send_packet.packet_sequence` → values). */
      events: Record<string, string[]>;
    }
  | {
      /**
       * Events may have been missed: the subscription (re)connected, fell back to polling, or a slow consumer's
       * queue overflowed. Callers re-read what they care about from chain state.
       */
      kind: 'resync';
      reason: 'connected' | 'reconnected' | 'polling' | 'overflow';
    };

export type SubscriptionMode = 'connecting' | 'websocket' | 'polling' | 'closed';

export interface SubscribeOptions {
  /** The node's RPC address (`http://host:26657`, with or without a trailing `/websocket`; `tcp://` and `ws://` too). */
  rpc: string;
  /** Tx queries (e.g. `tm.event='Tx' AND tx.hash='…'`); NewBlock is always subscribed. */
  txQueries?: string[];
  logger: Logger;
  signal?: AbortSignal;
  /** `/status` poll interval while the websocket is down (default 250 ms). */
  pollMs?: number;
  /** Reconnect backoff: first wait and cap (default 250 ms → 5 s, doubling). */
  backoffMs?: { initial?: number; max?: number };
  /** Websocket ping interval; a connection with no pong by the next ping is dropped (default 10 s). */
  pingMs?: number;
  /** false: never open a websocket, poll only (a node behind a proxy that refuses upgrades). */
  websocket?: boolean;
  /** Events kept for a slow async-iterator consumer before the oldest are dropped (then a `resync`). Default 10 000. */
  maxQueue?: number;
}

export const NEW_BLOCK_QUERY = "tm.event='NewBlock'";

/** `tm.event='Tx' AND <conditions>`: e.g. txQuery({ 'send_packet.packet_src_channel': 'channel-1' }). */
export function txQuery(conditions: Record<string, string | number> = {}): string {
  const parts = ["tm.event='Tx'"];
  for (const [k, v] of Object.entries(conditions)) {
    if (!/^[\w.-]+$/.test(k)) throw new Error(`bad event key in query: ${k}`);
    parts.push(typeof v === 'number' ? `${k}=${v}` : `${k}='${String(v).replace(/'/g, '')}'`);
  }
  return parts.join(' AND ');
}

/**
 * The websocket and `/status` URLs of a node. The websocket path is appended here exactly once: an RPC address given
 * with `/websocket` already must not become `/websocket/websocket` (a 404 retried forever).
 */
export function cometUrls(rpc: string): { http: string; ws: string; status: string } {
  let base = rpc.trim();
  if (!/^[a-z]+:\/\//i.test(base)) base = `http://${base}`;
  base = base.replace(/^tcp:/i, 'http:').replace(/^ws:/i, 'http:').replace(/^wss:/i, 'https:');
  base = base
    .replace(/\/+$/, '')
    .replace(/\/websocket$/i, '')
    .replace(/\/+$/, '');
  return { http: base, ws: `${base.replace(/^http/i, 'ws')}/websocket`, status: `${base}/status` };
}

// `ws` comes with @cosmjs/socket (CosmJS' own websocket transport); Node 20 has no WebSocket client without a flag.
interface WsSocket {
  readonly readyState: number;
  on(ev: 'open', cb: () => void): void;
  on(ev: 'message', cb: (data: unknown) => void): void;
  on(ev: 'close', cb: (code: number, reason: unknown) => void): void;
  on(ev: 'error', cb: (err: Error) => void): void;
  on(ev: 'pong', cb: () => void): void;
  on(ev: 'unexpected-response', cb: (req: unknown, res: { statusCode?: number }) => void): void;
  send(data: string): void;
  ping(): void;
  terminate(): void;
  removeAllListeners(): void;
}
type WsCtor = new (url: string, opts?: { handshakeTimeout?: number; perMessageDeflate?: boolean }) => WsSocket;
let wsCtor: WsCtor | undefined;
function loadWs(): WsCtor {
  wsCtor ??= createRequire(import.meta.url)('ws') as WsCtor;
  return wsCtor;
}

type Listener = (ev: CometEvent) => void;

/**
 * A live subscription. Use `on(cb)` (synchronous callback, no queue) or `for await (const ev of sub)` (queued per
 * iterator from the moment it is created); both end when `close()` is called or the signal aborts.
 */
export class CometSubscription implements AsyncIterable<CometEvent> {
  readonly urls: { http: string; ws: string; status: string };
  private readonly listeners = new Set<Listener>();
  private readonly ends = new Set<() => void>();
  private readonly queries: string[];
  private _mode: SubscriptionMode = 'connecting';
  private socket?: WsSocket;
  private everSubscribed = false;
  private lastHeight = 0;
  private backoff: number;
  private pollAbort?: AbortController;
  private reconnectTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private readonly abort = new AbortController();
  private readyResolve!: () => void;
  /** Resolves once events flow: subscribed on the websocket, or polling started. Subscribe before you broadcast. */
  readonly ready: Promise<void>;

  constructor(private readonly opts: SubscribeOptions) {
    this.urls = cometUrls(opts.rpc);
    this.queries = [NEW_BLOCK_QUERY, ...(opts.txQueries ?? []).filter((q) => q !== NEW_BLOCK_QUERY)];
    this.backoff = opts.backoffMs?.initial ?? 250;
    this.ready = new Promise((r) => (this.readyResolve = r));
    if (opts.signal?.aborted) {
      this.close();
      return;
    }
    opts.signal?.addEventListener('abort', () => this.close(), { once: true });
    if (opts.websocket === false) this.startPolling();
    else this.connect();
  }

  get mode(): SubscriptionMode {
    return this._mode;
  }

  /** Latest block height seen (0 before the first). */
  get height(): number {
    return this.lastHeight;
  }

  /** Calls `cb` for every event until the returned function is called or the subscription closes. */
  on(cb: Listener): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /**
   * Resolves with the first event for which `pred` holds, or undefined when the subscription closes or `signal`
   * aborts first. Register before doing what causes the event.
   */
  next<T extends CometEvent>(pred: (ev: CometEvent) => ev is T, signal?: AbortSignal): Promise<T | undefined>;
  next(pred?: (ev: CometEvent) => boolean, signal?: AbortSignal): Promise<CometEvent | undefined>;
  next(pred: (ev: CometEvent) => boolean = () => true, signal?: AbortSignal): Promise<CometEvent | undefined> {
    return new Promise((resolve) => {
      if (this._mode === 'closed' || signal?.aborted) return resolve(undefined);
      const done = (v: CometEvent | undefined) => {
        off();
        this.ends.delete(onEnd);
        signal?.removeEventListener('abort', onEnd);
        resolve(v);
      };
      const onEnd = () => done(undefined);
      const off = this.on((ev) => {
        if (pred(ev)) done(ev);
      });
      this.ends.add(onEnd);
      signal?.addEventListener('abort', onEnd, { once: true });
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<CometEvent> {
    const queue: CometEvent[] = [];
    const max = this.opts.maxQueue ?? 10_000;
    let wake: (() => void) | undefined;
    let ended = this._mode === 'closed';
    const off = this.on((ev) => {
      if (queue.length >= max) {
        queue.splice(0, queue.length, { kind: 'resync', reason: 'overflow' });
      }
      queue.push(ev);
      wake?.();
    });
    const onEnd = () => {
      ended = true;
      wake?.();
    };
    this.ends.add(onEnd);
    const finish = () => {
      off();
      this.ends.delete(onEnd);
    };
    return {
      next: async (): Promise<IteratorResult<CometEvent>> => {
        for (;;) {
          if (queue.length) return { value: queue.shift()!, done: false };
          if (ended) {
            finish();
            return { value: undefined, done: true };
          }
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      },
      return: async (): Promise<IteratorResult<CometEvent>> => {
        finish();
        return { value: undefined, done: true };
      },
    };
  }

  close(): void {
    if (this._mode === 'closed') return;
    this._mode = 'closed';
    this.abort.abort();
    this.stopPolling();
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    this.dropSocket();
    this.readyResolve();
    for (const end of [...this.ends]) end();
    this.listeners.clear();
  }

  private emit(ev: CometEvent): void {
    if (this._mode === 'closed') return;
    if (ev.kind === 'block') this.lastHeight = Math.max(this.lastHeight, ev.height);
    for (const l of [...this.listeners]) {
      try {
        l(ev);
      } catch (e) {
        this.opts.logger.warn('subscription listener failed', { error: (e as Error).message });
      }
    }
  }

  private dropSocket(): void {
    const s = this.socket;
    this.socket = undefined;
    clearInterval(this.pingTimer);
    if (!s) return;
    s.removeAllListeners();
    // A late 'error' from a socket we no longer listen to must not become an uncaught exception.
    s.on('error', () => undefined);
    try {
      s.terminate();
    } catch {
      /* already closed */
    }
  }

  private connect(): void {
    if (this._mode === 'closed') return;
    const log = this.opts.logger;
    let socket: WsSocket;
    try {
      socket = new (loadWs())(this.urls.ws, { handshakeTimeout: 5_000, perMessageDeflate: false });
    } catch (e) {
      this.lost(`cannot open ${this.urls.ws}: ${(e as Error).message}`);
      return;
    }
    this.socket = socket;
    const pending = new Map<number, string>();
    let subscribed = 0;
    let alive = true;
    socket.on('open', () => {
      this.queries.forEach((query, i) => {
        pending.set(i + 1, query);
        socket.send(JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'subscribe', params: { query } }));
      });
      const pingMs = this.opts.pingMs ?? 10_000;
      const openedAt = Date.now();
      this.pingTimer = setInterval(() => {
        // A node that accepts the socket but never confirms the subscriptions is as good as none.
        if (!alive || (subscribed < this.queries.length && Date.now() - openedAt >= pingMs)) {
          this.lost(alive ? 'subscriptions not confirmed' : 'no pong from the node');
          return;
        }
        alive = false;
        try {
          socket.ping();
        } catch {
          /* the close handler reconnects */
        }
      }, pingMs);
      this.pingTimer.unref();
    });
    socket.on('pong', () => (alive = true));
    socket.on('message', (data) => {
      alive = true;
      let msg: { id?: number | string; result?: { query?: string; data?: { type?: string; value?: any }; events?: Record<string, string[]> }; error?: { message?: string; data?: string } };
      try {
        msg = JSON.parse(String(data));
      } catch {
        log.debug('ignoring a websocket message that is not JSON');
        return;
      }
      if (msg.error) {
        // A refused subscribe, or CometBFT cancelling one (a slow client): start over rather than run half-subscribed.
        this.lost(`subscription error: ${msg.error.message ?? ''} ${msg.error.data ?? ''}`.trim());
        return;
      }
      const r = msg.result;
      if (r && !r.data && typeof msg.id === 'number' && pending.has(msg.id)) {
        pending.delete(msg.id);
        if (++subscribed === this.queries.length) this.subscribed();
        return;
      }
      if (r?.data) this.onData(r.query ?? '', r.data, r.events ?? {});
    });
    socket.on('unexpected-response', (_req, res) => this.lost(`${this.urls.ws} answered HTTP ${res.statusCode ?? '?'}`));
    socket.on('error', (e) => this.lost(e.message));
    socket.on('close', (code) => this.lost(`websocket closed (${code})`));
  }

  private subscribed(): void {
    const again = this.everSubscribed;
    this.everSubscribed = true;
    this.backoff = this.opts.backoffMs?.initial ?? 250;
    this.stopPolling();
    this._mode = 'websocket';
    this.opts.logger.debug('subscribed', { url: this.urls.ws, queries: this.queries.length });
    this.readyResolve();
    this.emit({ kind: 'resync', reason: again ? 'reconnected' : 'connected' });
  }

  private onData(query: string, data: { type?: string; value?: any }, events: Record<string, string[]>): void {
    const v = data.value ?? {};
    if (data.type === 'tendermint/event/NewBlock') {
      const header = v.block?.header ?? {};
      // CometBFT 0.38 puts the block's tx results in NewBlock (result_finalize_block); 0.37 (terrad, columbus-5) has
      // only result_begin_block/result_end_block there, so its tx results stay unknown (undefined, never "no txs")
      // and whoever needs them reads block_results.
      const fb = v.result_finalize_block;
      const time = Date.parse(header.time ?? '');
      this.emit({
        kind: 'block',
        height: Number(header.height ?? 0),
        timeMs: Number.isNaN(time) ? undefined : time,
        polled: false,
        txResults: fb ? (fb.tx_results ?? []).map(txResult) : undefined,
        txHashes: (v.block?.data?.txs ?? []).map((t: string) => createHash('sha256').update(Buffer.from(t, 'base64')).digest('hex').toUpperCase()),
        finalizeBlockEvents: fb ? (fb.events ?? []).map(rawEvent) : undefined,
      });
    } else if (data.type === 'tendermint/event/Tx') {
      const t = v.TxResult ?? {};
      this.emit({
        kind: 'tx',
        query,
        height: Number(t.height ?? events['tx.height']?.[0] ?? 0),
        index: Number(t.index ?? 0),
        hash: (events['tx.hash']?.[0] ?? '').toUpperCase(),
        result: txResult(t.result ?? {}),
        events,
      });
    }
  }

  /** The websocket is gone (or never came): poll meanwhile, reconnect after the backoff. */
  private lost(why: string): void {
    if (this._mode === 'closed' || (!this.socket && this.reconnectTimer)) return;
    this.dropSocket();
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.backoffMs?.max ?? 5_000);
    if (this._mode !== 'polling') {
      this.opts.logger.warn(this.everSubscribed ? 'websocket dropped; polling until it reconnects' : 'websocket unavailable; polling', { url: this.urls.ws, error: why });
      this.startPolling();
    } else this.opts.logger.debug('websocket still unavailable', { url: this.urls.ws, error: why, retryMs: wait });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, wait);
    this.reconnectTimer.unref();
  }

  private startPolling(): void {
    if (this._mode === 'closed' || this._mode === 'polling') return;
    this._mode = 'polling';
    const ac = new AbortController();
    this.pollAbort = ac;
    this.emit({ kind: 'resync', reason: 'polling' });
    this.readyResolve();
    const every = this.opts.pollMs ?? 250;
    void (async () => {
      while (!ac.signal.aborted) {
        try {
          const res = await fetch(this.urls.status, { signal: AbortSignal.any([ac.signal, AbortSignal.timeout(Math.max(2_000, every * 4))]) });
          const body = (await res.json()) as { result?: { sync_info?: { latest_block_height?: string; latest_block_time?: string } } };
          const si = body.result?.sync_info;
          const h = Number(si?.latest_block_height ?? 0);
          if (!ac.signal.aborted && h > this.lastHeight) {
            const t = Date.parse(si?.latest_block_time ?? '');
            this.emit({ kind: 'block', height: h, timeMs: Number.isNaN(t) ? undefined : t, polled: true });
          }
        } catch (e) {
          if (!ac.signal.aborted) this.opts.logger.debug('status poll failed', { url: this.urls.status, error: (e as Error).message });
        }
        await sleep(every, ac.signal);
      }
    })();
  }

  private stopPolling(): void {
    this.pollAbort?.abort();
    this.pollAbort = undefined;
  }
}

function rawEvent(e: any): CometRawEvent {
  return { type: String(e?.type ?? ''), attributes: (e?.attributes ?? []).map((a: any) => ({ key: String(a?.key ?? ''), value: String(a?.value ?? ''), index: a?.index })) };
}

function txResult(r: any): CometTxResult {
  return {
    code: Number(r?.code ?? 0),
    codespace: r?.codespace || undefined,
    log: r?.log,
    gasWanted: r?.gas_wanted,
    gasUsed: r?.gas_used,
    data: r?.data ? new Uint8Array(Buffer.from(r.data, 'base64')) : undefined,
    events: (r?.events ?? []).map(rawEvent),
  };
}

/** Subscribes to NewBlock (always) and `txQueries` on the node at `rpc`; see CometSubscription. */
export function subscribe(opts: SubscribeOptions): CometSubscription {
  return new CometSubscription(opts);
}
