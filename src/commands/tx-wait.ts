// `tx generate-* --wait [--download FILE]`: follow the job across IBC to its result, with a spinner by stage.
import { QueryClient } from '@cosmjs/stargate';
import { connectRpc } from '../core/chain-client.js';
import type { CommandContext } from './context.js';
import { spinner } from './shared.js';
import { ConfigError, UsageError } from '../core/errors.js';
import type { ProfileSet } from '../core/profiles.js';
import type { TxReport } from '../ica/send.js';
import { waitForJob, waitForJobResult } from '../ica/job-wait.js';
import { ChainError } from '../core/errors.js';
import { JobStatus, type Job } from '../proto/lunc/ml/v1/types.js';
import { jobStory, type JobStory } from './job-story.js';

/** A job that ended without an output is a failed command: say why and that the fee came back. */
function requireCompleted(job: Job): void {
  if (job.status === JobStatus.JOB_STATUS_COMPLETED) return;
  const expired = job.status === JobStatus.JOB_STATUS_EXPIRED;
  throw new ChainError(expired ? 'job_expired' : 'job_failed', expired ? `job ${job.id} expired: no executor reported in time` : `job ${job.id} failed: ${job.result?.error || 'the executor reported an error'}`, {
    hint: 'the escrowed fee was refunded to the requester; send the job again',
  });
}

export async function waitForResult(ctx: CommandContext, profile: ProfileSet, report: TxReport & { jobId?: string }, o: { timeoutMs: number; download?: string; decrypt: boolean }): Promise<JobStory> {
  const host = profile.host;
  if (!host) throw new ConfigError(`--wait needs the ML chain's endpoint, and profile "${profile.name}" has none`, { hint: 'use a profile with chains.ml' });
  const packet = report.packets[0];
  if (!packet && !report.jobId) throw new UsageError('the transaction sent no IBC packet and created no job to follow', { code: 'no_packet' });
  const tm = await connectRpc(host);
  const spin = await spinner(ctx, packet ? `relaying packet #${packet.sequence} to ${host.chainId}` : `job ${report.jobId} executing`);
  try {
    const wait = {
      timeoutMs: o.timeoutMs,
      stage: (s: string, id?: string) => spin.update(s === 'relaying' ? `relaying packet #${packet?.sequence} to ${host.chainId}` : s === 'executing' ? `job ${id} executing` : `job ${id} has a result`),
      retrying: (e: Error) => spin.update(`${host.chainId} did not answer (${e.message.split('\n')[0].slice(0, 80)}); retrying`),
    };
    const q = new QueryClient(tm);
    const job = packet ? await waitForJob(tm, q, packet, wait) : await waitForJobResult(q, report.jobId!, wait);
    requireCompleted(job);
    spin.succeed(`job ${job.id}: result on ${host.chainId}`);
    return await jobStory(ctx, host, job.id, { download: o.download, decrypt: o.decrypt });
  } catch (e) {
    spin.fail('waiting failed');
    throw e;
  } finally {
    tm.disconnect();
  }
}
