// `--wait` on the ML chain's events: the packet's receipt and the job's end are read from the events each block
// carries, and the chain is queried only at the start, after a resync, and for the job once it ended. The node is a
// stand-in that counts queries; the subscription a stand-in fed by the test (events as src/core/subscription.ts
// delivers them). Poll and safety intervals are set to a minute, so only events can end these waits in time.
import { describe, expect, it } from 'vitest';
import type { CometClient } from '@cosmjs/tendermint-rpc';
import type { QueryClient } from '@cosmjs/stargate';
import { followPacket, waitForJobResult, type WaitOptions } from '../../src/jobs/follow.js';
import type { CometEvent, CometSubscription, CometRawEvent } from '../../src/core/subscription.js';
import { ChainError } from '../../src/core/errors.js';
import { QueryJobResponse } from '../../src/proto/lunc/ml/v1/query.js';
import { Job, JobStatus } from '../../src/proto/lunc/ml/v1/types.js';
import type { PacketRef } from '../../src/ica/send.js';

const packet: PacketRef = { sequence: '4', sourcePort: 'icacontroller-x', sourceChannel: 'channel-1' };
const HASH = 'AB'.repeat(32);

/** A subscription stand-in: every iterator sees what `push` sends after it was made. */
function events() {
  const iterators = new Set<{ queue: CometEvent[]; wake?: () => void }>();
  const sub = {
    [Symbol.asyncIterator](): AsyncIterator<CometEvent> {
      const me: { queue: CometEvent[]; wake?: () => void } = { queue: [] };
      iterators.add(me);
      return {
        next: async () => {
          while (!me.queue.length) await new Promise<void>((r) => (me.wake = r));
          return { value: me.queue.shift()!, done: false };
        },
        return: async () => {
          iterators.delete(me);
          return { value: undefined, done: true };
        },
      };
    },
  } as unknown as CometSubscription;
  const push = (ev: CometEvent) => {
    for (const it of iterators) {
      it.queue.push(ev);
      it.wake?.();
    }
  };
  return { sub, push, listening: () => iterators.size > 0 };
}

const ev = (type: string, attrs: Record<string, string>): CometRawEvent => ({ type, attributes: Object.entries(attrs).map(([key, value]) => ({ key, value })) });
const recvEvents = (created: boolean): CometRawEvent[] => [
  ev('recv_packet', { packet_sequence: packet.sequence, packet_src_channel: packet.sourceChannel, msg_index: '1' }),
  created ? ev('ml_job_created', { job_id: '9', msg_index: '1' }) : ev('ics27_packet', { success: 'false', error: 'model not allowed', msg_index: '1' }),
];
const block = (height: number, txEvents: CometRawEvent[][], finalize: CometRawEvent[] = []): CometEvent => ({
  kind: 'block',
  height,
  polled: false,
  txResults: txEvents.map((events) => ({ code: 0, events })),
  finalizeBlockEvents: finalize,
});

/** A node stand-in: txSearch finds the recv tx once `relayed`; the job has `status`. */
function node() {
  const state = { relayed: false, created: true, status: JobStatus.JOB_STATUS_PENDING, txSearches: 0, jobReads: 0 };
  const tm = {
    txSearch: async () => {
      state.txSearches++;
      return { txs: state.relayed ? [{ hash: Buffer.from(HASH, 'hex'), result: { events: recvEvents(state.created) } }] : [], totalCount: state.relayed ? 1 : 0 };
    },
  } as unknown as CometClient;
  const q = {
    queryAbci: async () => {
      state.jobReads++;
      return { value: QueryJobResponse.encode({ job: Job.fromPartial({ id: 9n, status: state.status }) }).finish() };
    },
  } as unknown as QueryClient;
  return { state, tm, q };
}

const slow = (sub: CometSubscription): WaitOptions => ({ timeoutMs: 20_000, pollMs: 60_000, safetyMs: 60_000, events: sub });

async function until(cond: () => boolean): Promise<void> {
  const { waitFor } = await import('../../src/core/poll.js');
  await waitFor(cond, { timeoutMs: 5_000, intervalMs: 2 });
}

describe('--wait on events', () => {
  it("reads the job id from the relayer's recv tx event and the result from the block that completes it", async () => {
    const { state, tm, q } = node();
    const e = events();
    const stages: string[] = [];
    const done = followPacket(tm, q, packet, { ...slow(e.sub), stage: (s) => stages.push(s) });
    await until(() => state.txSearches === 1 && e.listening());
    e.push({ kind: 'tx', query: 'recv', height: 5, index: 0, hash: HASH, result: { code: 0, events: recvEvents(true) }, events: {} });
    await until(() => state.jobReads === 1);
    e.push(block(6, [[ev('transfer', { amount: '1uluna' })]])); // another tx: no query
    e.push(block(7, [[ev('ml_job_completed', { job_id: '8' })]])); // another job: no query
    state.status = JobStatus.JOB_STATUS_COMPLETED;
    e.push(block(8, [[ev('ml_job_completed', { job_id: '9', executor: 'mlc1x' })]]));
    const job = await done;
    expect(job.status).toBe(JobStatus.JOB_STATUS_COMPLETED);
    expect(stages).toEqual(['relaying', 'executing', 'done']);
    expect({ txSearches: state.txSearches, jobReads: state.jobReads }).toEqual({ txSearches: 1, jobReads: 2 });
  });

  it('queries again after a resync, when events may have been missed', async () => {
    const { state, tm, q } = node();
    const e = events();
    const done = followPacket(tm, q, packet, slow(e.sub));
    await until(() => state.txSearches === 1 && e.listening());
    state.relayed = true;
    state.status = JobStatus.JOB_STATUS_COMPLETED;
    e.push({ kind: 'resync', reason: 'reconnected' });
    expect((await done).status).toBe(JobStatus.JOB_STATUS_COMPLETED);
    expect(state.txSearches).toBe(2);
  });

  it('an expiry in the end-block events ends the wait', async () => {
    const { state, q } = node();
    const e = events();
    const done = waitForJobResult(q, '9', slow(e.sub));
    await until(() => state.jobReads === 1 && e.listening());
    state.status = JobStatus.JOB_STATUS_EXPIRED;
    e.push(block(30, [], [ev('ml_job_expired', { job_id: '9' })]));
    expect((await done).status).toBe(JobStatus.JOB_STATUS_EXPIRED);
    expect(state.jobReads).toBe(2);
  });

  it("a refusal seen in a block's events is reported with the host's reason and the tx hash", async () => {
    const { state, tm, q } = node();
    state.created = false;
    const e = events();
    const done = followPacket(tm, q, packet, slow(e.sub));
    await until(() => state.txSearches === 1 && e.listening());
    state.relayed = true;
    e.push(block(5, [recvEvents(false)]));
    const err = await done.catch((x) => x);
    expect(err).toBeInstanceOf(ChainError);
    expect(err).toMatchObject({ code: 'ica_tx_failed', txHash: HASH });
    expect((err as Error).message).toMatch(/refused the job: model not allowed/);
  });

  it('without a subscription it polls', async () => {
    const { state, tm, q } = node();
    const done = followPacket(tm, q, packet, { timeoutMs: 10_000, pollMs: 5 });
    await until(() => state.txSearches >= 3);
    state.relayed = true;
    await until(() => state.jobReads >= 2);
    state.status = JobStatus.JOB_STATUS_COMPLETED;
    expect((await done).status).toBe(JobStatus.JOB_STATUS_COMPLETED);
  });
});
