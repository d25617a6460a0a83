// The one wait for a broadcast tx to be in a block, for every sender in this code base (the CLI's TxSender, the
// relayer's endpoints, the executor's results txs). Events first: a Tx event for the hash, or a NewBlock event whose
// txs and results include it, settles the wait the moment the block is committed, without asking the node. The node's
// tx index is asked only when the events may not tell: the tx's block carried no results (CometBFT 0.37), a block
// came from the /status poll (websocket down) or a resync said events may be lost, a second block went by without
// the tx (its block may have come before the caller listened), or nothing arrived for `quietMs`.
import type { CometEvent, CometTxResult } from './subscription.js';

/** Where the events come from: a CometSubscription, or anything with its `on`. */
export interface InclusionEvents {
  on(cb: (ev: CometEvent) => void): () => void;
}

/** A tx's result as an event carries it. */
export interface SeenTxResult {
  height: number;
  index: number;
  result: CometTxResult;
}

export interface InclusionOptions<T> {
  /** Upper-case hex, as CometBFT names txs. */
  hash: string;
  events: InclusionEvents;
  /** The tx's outcome from an event that carries its result. */
  fromEvent: (seen: SeenTxResult) => T;
  /** The tx from the node's index, or undefined while it is not there. Errors count as "not there yet". */
  lookUp: () => Promise<T | undefined>;
  /** A result seen before the wait began (a cache of recent blocks), checked when armed. */
  seen?: () => T | undefined;
  /** Ask the node as soon as armed (the tx was already seen in a block whose results the event lacked). */
  lookUpAtOnce?: () => boolean;
  timeoutMs: number;
  /** The error a wait that timed out rejects with (the tx may still land: it says so). */
  timeoutError: () => Error;
  signal?: AbortSignal;
  /** Ask the node when no event came for this long (default 1 s). */
  quietMs?: number;
  /** While the tx is known to be in a block whose results the event lacked, ask this often (default 50 ms). */
  inBlockPollMs?: number;
}

export interface InclusionWait<T> {
  promise: Promise<T>;
  /**
   * Call once the broadcast was accepted: before that, there is nothing to look up (a wait may be created before the
   * broadcast so that no event slips past). Created with `armed: true`, it is armed from the start.
   */
  arm(): void;
}

/** Waits for `hash` to be in a block (see the top of this file); the caller maps a non-zero code to its error. */
export function waitForInclusion<T>(o: InclusionOptions<T>, start: { armed?: boolean } = {}): InclusionWait<T> {
  let armed = start.armed ?? false;
  let arm = () => {};
  const promise = new Promise<T>((resolve, reject) => {
    let done = false;
    let querying = false;
    let again = false;
    let inBlock = false;
    let blocksWithout = 0;
    let quiet: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(quiet);
      clearTimeout(poll);
      off();
      o.signal?.removeEventListener('abort', onAbort);
      f();
    };
    // One query at a time; a trigger during one runs another right after it.
    const lookUp = async (): Promise<void> => {
      if (!armed || done) return;
      if (querying) {
        again = true;
        return;
      }
      querying = true;
      try {
        const tx = await o.lookUp().catch(() => undefined);
        if (tx !== undefined) finish(() => resolve(tx));
      } finally {
        querying = false;
      }
      if (done) return;
      if (again) {
        again = false;
        return lookUp();
      }
      if (inBlock) {
        // One poll chain, however many triggers led here.
        clearTimeout(poll);
        poll = setTimeout(() => void lookUp(), o.inBlockPollMs ?? 50);
      }
    };
    const hush = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => {
        void lookUp();
        hush();
      }, o.quietMs ?? 1_000);
    };
    const off = o.events.on((ev) => {
      if (done) return;
      hush();
      if (ev.kind === 'tx') {
        if (ev.hash === o.hash) finish(() => resolve(o.fromEvent({ height: ev.height, index: ev.index, result: ev.result })));
        return;
      }
      if (ev.kind === 'resync') return void lookUp();
      const i = ev.txHashes?.indexOf(o.hash) ?? -1;
      const r = i >= 0 ? ev.txResults?.[i] : undefined;
      if (r) return finish(() => resolve(o.fromEvent({ height: ev.height, index: i, result: r })));
      if (i >= 0) {
        inBlock = true;
        return void lookUp();
      }
      if (ev.polled || !ev.txHashes || (armed && ++blocksWithout >= 2)) void lookUp();
    });
    const timer = setTimeout(() => finish(() => reject(o.timeoutError())), o.timeoutMs);
    const onAbort = () => finish(() => reject(new Error('inclusion wait cancelled')));
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    hush();
    arm = () => {
      if (armed || done) return;
      armed = true;
      const seen = o.seen?.();
      if (seen !== undefined) return finish(() => resolve(seen));
      if (o.lookUpAtOnce?.()) void lookUp();
    };
    if (armed) {
      armed = false;
      arm();
    }
  });
  return { promise, arm: () => arm() };
}
