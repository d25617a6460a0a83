// Follow a job from its IBC packet: find the ML-chain tx that received the packet, read the job id it created
// (or the host's error), then wait for the executor's result.
import type { CometClient } from '@cosmjs/tendermint-rpc';
import type { QueryClient } from '@cosmjs/stargate';
import { ChainError, TimeoutError } from '../core/errors.js';
import { waitFor } from '../core/poll.js';
import { JobStatus, type Job } from '../proto/lunc/ml/v1/types.js';
import { ML_ATTRS, ML_EVENTS } from '../ica/ml-events.js';
import { queryJob } from '../ica/ml-query.js';
import type { PacketRef } from '../ica/send.js';

export interface WaitOptions {
  timeoutMs: number;
  pollMs?: number;
  stage?: (s: 'relaying' | 'executing' | 'done', jobId?: string) => void;
  /** A query failed (node down, restarting): the wait goes on; this lets the user see why it is slow. */
  retrying?: (error: Error) => void;
}

type TmEvent = { type: string; attributes: readonly { key: string; value: string }[] };

export function attrOf(e: TmEvent, key: string): string | undefined {
  return e.attributes.find((a) => a.key === key)?.value;
}

/** A relayer may batch several packets into one tx: events of one message share its msg_index. */
export function eventsOfMsg(events: readonly TmEvent[], msgIndex: string | undefined): TmEvent[] {
  return events.filter((e) => attrOf(e, 'msg_index') === msgIndex);
}

/** The job id the packet created on the host, or throws the host's refusal; undefined while not relayed. */
export async function jobIdFromPacket(tm: CometClient, p: PacketRef): Promise<string | undefined> {
  const found = await tm.txSearch({ query: `recv_packet.packet_sequence='${p.sequence}' AND recv_packet.packet_src_channel='${p.sourceChannel}'`, per_page: 5 });
  for (const tx of found.txs) {
    const recv = tx.result.events.find((e) => e.type === 'recv_packet' && attrOf(e, 'packet_sequence') === p.sequence && attrOf(e, 'packet_src_channel') === p.sourceChannel);
    if (!recv) continue;
    const mine = eventsOfMsg(tx.result.events, attrOf(recv, 'msg_index'));
    const created = mine.find((e) => e.type === ML_EVENTS.jobCreated);
    if (created) return attrOf(created, ML_ATTRS.jobId);
    // The host's callback failed: ibc-go keeps its events under an "ibccallbackerror-" prefix.
    const failed = mine.find((e) => e.type === 'ibccallbackerror-ics27_packet' || (e.type === 'ics27_packet' && attrOf(e, 'success') === 'false'));
    if (failed) {
      const why = attrOf(failed, 'ibccallbackerror-error') ?? attrOf(failed, 'error') ?? 'see the host tx events';
      throw new ChainError('ica_tx_failed', `the ML chain received the packet but refused the job: ${why}`, {
        txHash: Buffer.from(tx.hash).toString('hex').toUpperCase(),
        hint: 'nothing was escrowed; fix the request (or fund the interchain account) and send again',
      });
    }
  }
  return undefined;
}

export async function followPacket(tm: CometClient, q: QueryClient, packet: PacketRef, o: WaitOptions): Promise<Job> {
  const until = Date.now() + o.timeoutMs;
  o.stage?.('relaying');
  const id = await waitFor(() => jobIdFromPacket(tm, packet), {
    timeoutMs: o.timeoutMs,
    intervalMs: o.pollMs ?? 500,
    what: `packet ${packet.sourceChannel}#${packet.sequence} to be received on the ML chain`,
    isFatal: (e) => e instanceof ChainError,
    onRetry: (e) => o.retrying?.(e as Error),
  }).catch((e) => {
    if (e instanceof TimeoutError)
      throw new TimeoutError(`packet ${packet.sourceChannel}#${packet.sequence} was not received on the ML chain in time`, {
        hint: 'is a relayer running? `lunc-ml relay pending` shows what is stuck',
      });
    throw e;
  });
  return waitForJobResult(q, id, { ...o, timeoutMs: Math.max(0, until - Date.now()) });
}

/** Polls a known job until it leaves PENDING. */
export async function waitForJobResult(q: QueryClient, id: string, o: WaitOptions): Promise<Job> {
  o.stage?.('executing', id);
  const job = await waitFor(
    async () => {
      const j = await queryJob(q, BigInt(id));
      return j.status !== JobStatus.JOB_STATUS_PENDING ? j : undefined;
    },
    { timeoutMs: o.timeoutMs, intervalMs: o.pollMs ?? 500, what: `job ${id}'s result`, onRetry: (e) => o.retrying?.(e as Error) },
  ).catch((e) => {
    if (e instanceof TimeoutError) throw new TimeoutError(`job ${id} has no result yet`, { hint: `check later with \`lunc-ml query job ${id}\`` });
    throw e;
  });
  o.stage?.('done', id);
  return job;
}
