// The one way this code base waits: for a condition (waitFor) or for time to pass (sleep), both cancellable.
// Waiting on a condition instead of a fixed delay keeps tests fast on a quiet machine and correct on a busy one.
import { TimeoutError } from './errors.js';

export interface WaitOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Time between checks (default 20 ms). */
  intervalMs?: number;
  signal?: AbortSignal;
  /** What is being waited for, for the timeout message. */
  what?: string;
  /** Errors from `cond` that end the wait at once (a refusal), instead of being retried (a node restarting). */
  isFatal?: (e: unknown) => boolean;
  /** Told of each retried error, e.g. to show why the wait is slow. */
  onRetry?: (e: unknown) => void;
}

/** Resolves after `ms`, or at once when `signal` aborts (callers check `signal.aborted` if they care). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Checks `cond` until it returns a value other than undefined, null or false, and resolves with that value.
 * An error thrown by `cond` is remembered and retried (a node that is still starting); the last one is named when
 * the wait times out with a TimeoutError. An abort rejects with the signal's reason.
 */
export async function waitFor<T>(cond: () => T | undefined | null | false | Promise<T | undefined | null | false>, o: WaitOptions = {}): Promise<T> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const intervalMs = o.intervalMs ?? 20;
  const until = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
    try {
      const v = await cond();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (e) {
      if (o.isFatal?.(e)) throw e;
      lastErr = e;
      o.onRetry?.(e);
    }
    if (Date.now() >= until) {
      const why = lastErr instanceof Error ? ` (last error: ${lastErr.message})` : '';
      throw new TimeoutError(`timed out after ${(timeoutMs / 1000).toFixed(1)} s waiting for ${o.what ?? 'a condition'}${why}`, { data: { timeoutMs } });
    }
    await sleep(Math.min(intervalMs, Math.max(0, until - Date.now())), o.signal);
  }
}
