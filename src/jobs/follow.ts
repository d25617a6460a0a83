// Follow a job from its IBC packet: find the ML-chain tx that received the packet, read the job id it created
// (or the host's error), then wait for the executor's result.
//
// With a subscription to the ML chain (src/core/subscription.ts) the wait reads the events each block carries: the
// relayer's recv tx names the job it created, and the result's ml_job_completed (or an EndBlock ml_job_expired) says
// when to read the job, so the user learns of each step as its block commits instead of up to a poll interval later.
// Queries remain the source of truth when events may have been missed (a resync, the websocket down) and, every
// few seconds, as a safety net. Without a subscription it polls.
import type { CometClient } from '@cosmjs/tendermint-rpc';
import type { QueryClient } from '@cosmjs/stargate';
import { ChainError, TimeoutError } from '../core/errors.js';
import { sleep, waitFor } from '../core/poll.js';
import type { CometEvent, CometSubscription } from '../core/subscription.js';
import { JobStatus, type Job } from '../proto/lunc/ml/v1/types.js';
import { ML_ATTRS, ML_EVENTS } from '../ica/ml-events.js';
import { queryJob } from '../ica/ml-query.js';
import type { PacketRef } from '../ica/send.js';

export interface WaitOptions {
  timeoutMs: number;
  /** Time between queries when there is no subscription (default 500 ms). */
  pollMs?: number;
  stage?: (s: 'relaying' | 'executing' | 'done', jobId?: string) => void;
  /** A query failed (node down, restarting): the wait goes on; this lets the user see why it is slow. */
  retrying?: (error: Error) => void;
  /** Events of the ML chain: each block (and Tx event) is read for the packet's receipt and the job's end. */
  events?: CometSubscription;
  /** With `events`: a query this often even when no event asked for one (default 5 s). */
  safetyMs?: number;
}

type TmEvent = { type: string; attributes: readonly { key: string; value: string }[] };

export function attrOf(e: TmEvent, key: string): string | undefined {
  return e.attributes.find((a) => a.key === key)?.value;
}

/** A relayer may batch several packets into one tx: events of one message share its msg_index. */
export function eventsOfMsg(events: readonly TmEvent[], msgIndex: string | undefined): TmEvent[] {
  return events.filter((e) => attrOf(e, 'msg_index') === msgIndex);
}

/**
 * The job id the packet created, read from one tx's events; throws the host's refusal; undefined when this tx did
 * not receive the packet.
 */
export function jobIdFromTxEvents(events: readonly TmEvent[], p: PacketRef, txHash?: string): string | undefined {
  const recv = events.find((e) => e.type === 'recv_packet' && attrOf(e, 'packet_sequence') === p.sequence && attrOf(e, 'packet_src_channel') === p.sourceChannel);
  if (!recv) return undefined;
  const mine = eventsOfMsg(events, attrOf(recv, 'msg_index'));
  const created = mine.find((e) => e.type === ML_EVENTS.jobCreated);
  if (created) return attrOf(created, ML_ATTRS.jobId);
  // The host's callback failed: ibc-go keeps its events under an "ibccallbackerror-" prefix.
  const failed = mine.find((e) => e.type === 'ibccallbackerror-ics27_packet' || (e.type === 'ics27_packet' && attrOf(e, 'success') === 'false'));
  if (failed) {
    const why = attrOf(failed, 'ibccallbackerror-error') ?? attrOf(failed, 'error') ?? 'see the host tx events';
    throw new ChainError('ica_tx_failed', `the ML chain received the packet but refused the job: ${why}`, {
      txHash: txHash || undefined,
      hint: 'nothing was escrowed; fix the request (or fund the interchain account) and send again',
    });
  }
  return undefined;
}

/** The job id the packet created on the host, or throws the host's refusal; undefined while not relayed. */
export async function jobIdFromPacket(tm: CometClient, p: PacketRef): Promise<string | undefined> {
  const found = await tm.txSearch({ query: `recv_packet.packet_sequence='${p.sequence}' AND recv_packet.packet_src_channel='${p.sourceChannel}'`, per_page: 5 });
  for (const tx of found.txs) {
    const id = jobIdFromTxEvents(tx.result.events, p, Buffer.from(tx.hash).toString('hex').toUpperCase());
    if (id) return id;
  }
  return undefined;
}

/** Every tx's events in an event: a Tx event's own, or all of a NewBlock's (its txs' and its begin/end-block events). */
function txEventsOf(ev: CometEvent): { hash: string; events: readonly TmEvent[] }[] {
  if (ev.kind === 'tx') return [{ hash: ev.hash, events: ev.result.events }];
  if (ev.kind !== 'block') return [];
  return [...(ev.txResults ?? []).map((r) => ({ hash: '', events: r.events })), { hash: '', events: ev.finalizeBlockEvents ?? [] }];
}

/** Whether an event says the job left PENDING (completed, failed or expired). */
function jobEnded(ev: CometEvent, id: string): boolean {
  const ends: string[] = [ML_EVENTS.jobCompleted, ML_EVENTS.jobFailed, ML_EVENTS.jobExpired];
  return txEventsOf(ev).some((t) => t.events.some((e) => ends.includes(e.type) && attrOf(e, ML_ATTRS.jobId) === id));
}

/**
 * Resolves with the first value `look` finds. Without a subscription `look(undefined)` is a query, run every pollMs.
 * With one, `look` runs at once (a query, so nothing from before the subscription is missed), then on every event
 * (it reads the event, or queries when the event is a resync or a polled block), and as a query every safetyMs.
 * Errors are retried (and reported) unless `isFatal`.
 */
async function watch<T>(o: WaitOptions, what: string, look: (ev: CometEvent | undefined) => Promise<T | undefined>, isFatal: (e: unknown) => boolean = () => false): Promise<T> {
  const events = o.events;
  if (!events) {
    return waitFor(() => look(undefined), { timeoutMs: o.timeoutMs, intervalMs: o.pollMs ?? 500, what, isFatal, onRetry: (e) => o.retrying?.(e as Error) });
  }
  const stop = new AbortController();
  const deadline = setTimeout(() => stop.abort(new TimeoutError(`timed out after ${(o.timeoutMs / 1000).toFixed(1)} s waiting for ${what}`)), o.timeoutMs);
  // Events queue from here on, while the first look queries.
  const it = events[Symbol.asyncIterator]();
  const safetyMs = o.safetyMs ?? 5_000;
  const attempt = async (ev: CometEvent | undefined): Promise<T | undefined> => {
    try {
      return await look(ev);
    } catch (e) {
      if (isFatal(e)) throw e;
      o.retrying?.(e as Error);
      return undefined;
    }
  };
  const started = Date.now();
  // One pending read of the subscription and one safety timer at a time, carried across turns of the loop.
  let pending: Promise<IteratorResult<CometEvent>> | undefined;
  let tick: Promise<'tick'> | undefined;
  try {
    let found = await attempt(undefined);
    while (found === undefined) {
      pending ??= it.next();
      tick ??= sleep(safetyMs, stop.signal).then(() => 'tick' as const);
      const next = await Promise.race([pending, tick]);
      if (stop.signal.aborted) throw stop.signal.reason;
      if (next === 'tick') {
        tick = undefined;
        found = await attempt(undefined);
        continue;
      }
      pending = undefined;
      if (next.done) {
        // The subscription was closed under us: go on polling.
        return await watch({ ...o, events: undefined, timeoutMs: Math.max(0, o.timeoutMs - (Date.now() - started)) }, what, look, isFatal);
      }
      const ev = next.value;
      found = await attempt(ev.kind === 'resync' || (ev.kind === 'block' && ev.polled) ? undefined : ev);
    }
    return found;
  } finally {
    clearTimeout(deadline);
    stop.abort();
    await it.return?.();
  }
}

export async function followPacket(tm: CometClient, q: QueryClient, packet: PacketRef, o: WaitOptions): Promise<Job> {
  const until = Date.now() + o.timeoutMs;
  o.stage?.('relaying');
  const id = await watch(
    o,
    `packet ${packet.sourceChannel}#${packet.sequence} to be received on the ML chain`,
    async (ev) => {
      if (!ev) return jobIdFromPacket(tm, packet);
      for (const t of txEventsOf(ev)) {
        let found: string | undefined;
        try {
          found = jobIdFromTxEvents(t.events, packet, t.hash);
        } catch (e) {
          // A NewBlock event does not name its txs: the query does, for the refusal to name the tx.
          if (t.hash || !(e instanceof ChainError)) throw e;
          return (await jobIdFromPacket(tm, packet)) ?? Promise.reject(e);
        }
        if (found) return found;
      }
      return undefined;
    },
    (e) => e instanceof ChainError,
  ).catch((e) => {
    if (e instanceof TimeoutError)
      throw new TimeoutError(`packet ${packet.sourceChannel}#${packet.sequence} was not received on the ML chain in time`, {
        hint: 'is a relayer running? `lunc-ml relay pending` shows what is stuck',
      });
    throw e;
  });
  return waitForJobResult(q, id, { ...o, timeoutMs: Math.max(0, until - Date.now()) });
}

/** Waits for a known job to leave PENDING: reads it when an event says it ended (or polls without events). */
export async function waitForJobResult(q: QueryClient, id: string, o: WaitOptions): Promise<Job> {
  o.stage?.('executing', id);
  const read = async () => {
    const j = await queryJob(q, BigInt(id));
    return j.status !== JobStatus.JOB_STATUS_PENDING ? j : undefined;
  };
  const job = await watch(o, `job ${id}'s result`, async (ev) => (!ev || jobEnded(ev, id) ? read() : undefined)).catch((e) => {
    if (e instanceof TimeoutError) throw new TimeoutError(`job ${id} has no result yet`, { hint: `check later with \`lunc-ml query job ${id}\`` });
    throw e;
  });
  o.stage?.('done', id);
  return job;
}
