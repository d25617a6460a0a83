// Follow a submitted job across IBC to its result on the ML chain, on the ML chain's events (polling without them).
import { connectRpc } from '../core/chain-client.js';
import { ChainError, ConfigError, UsageError } from '../core/errors.js';
import { nullLogger, type Logger } from '../core/logger.js';
import type { ProfileSet } from '../core/profiles.js';
import { subscribe, txQuery, type CometSubscription } from '../core/subscription.js';
import { JobStatus, type Job } from '../proto/lunc/ml/v1/types.js';
import { followPacket, waitForJobResult, type WaitOptions } from './follow.js';
import type { JobSubmission } from './types.js';

export type WaitStage = 'relaying' | 'executing' | 'done';

export interface WaitForJobOptions {
  timeoutMs: number;
  pollMs?: number;
  onStage?: (stage: WaitStage, detail: { packetSequence?: string; jobId?: string }) => void;
  /** A query failed (node down, restarting): the wait goes on. */
  onRetry?: (error: Error) => void;
  /** false: poll every pollMs instead of subscribing to the ML chain's events. */
  subscribe?: boolean;
  /** Where the subscription says that its websocket dropped (it polls meanwhile). */
  logger?: Logger;
}

/** A job that ended without an output is a failure: say why and that the fee came back. */
export function requireCompleted(job: Job): Job {
  if (job.status === JobStatus.JOB_STATUS_COMPLETED) return job;
  const expired = job.status === JobStatus.JOB_STATUS_EXPIRED;
  throw new ChainError(
    expired ? 'job_expired' : 'job_failed',
    expired ? `job ${job.id} expired: no executor reported in time` : `job ${job.id} failed: ${job.result?.error || 'the executor reported an error'}`,
    {
      hint: 'the escrowed fee was refunded to the requester; send the job again',
    },
  );
}

/** Waits until the job a submission created has a result; throws when it failed or expired. */
export async function waitForJob(profile: ProfileSet, submission: Pick<JobSubmission, 'packets' | 'jobId'>, o: WaitForJobOptions): Promise<Job> {
  const host = profile.host;
  if (!host) throw new ConfigError(`waiting for a job needs the ML chain's endpoint, and profile "${profile.name}" has none`, { hint: 'use a profile with chains.ml' });
  const packet = submission.packets[0];
  if (!packet && !submission.jobId) throw new UsageError('the transaction sent no IBC packet and created no job to follow', { code: 'no_packet' });
  // Subscribed before the first query, so that no block between them goes unread; the packet's receipt comes as a Tx
  // event of its own, the job's end in the block events.
  let events: CometSubscription | undefined;
  if (o.subscribe !== false) {
    const recv = packet ? [txQuery({ 'recv_packet.packet_sequence': packet.sequence, 'recv_packet.packet_src_channel': packet.sourceChannel })] : [];
    events = subscribe({ rpc: host.rpc, txQueries: recv, logger: o.logger ?? nullLogger });
  }
  const [{ QueryClient }, tm] = await Promise.all([import('@cosmjs/stargate'), connectRpc(host)]).catch((e) => {
    events?.close();
    throw e;
  });
  try {
    const wait: WaitOptions = {
      timeoutMs: o.timeoutMs,
      pollMs: o.pollMs,
      stage: (s, jobId) => o.onStage?.(s, { packetSequence: packet?.sequence, jobId }),
      retrying: o.onRetry,
      events,
    };
    const q = new QueryClient(tm);
    const job = packet ? await followPacket(tm, q, packet, wait) : await waitForJobResult(q, submission.jobId!, wait);
    return requireCompleted(job);
  } finally {
    events?.close();
    tm.disconnect();
  }
}
