// `tx generate-* --wait [--download FILE]`: follow the job across IBC to its result, with a spinner by stage.
import { QueryClient } from '@cosmjs/stargate';
import { connectComet } from '@cosmjs/tendermint-rpc';
import type { CommandContext } from './context.js';
import { spinner } from './shared.js';
import { ConfigError, RpcUnreachableError, UsageError } from '../core/errors.js';
import type { ProfileSet } from '../core/profiles.js';
import type { TxReport } from '../ica/send.js';
import { waitForJob } from '../ica/job-wait.js';
import { jobStory, type JobStory } from './job-story.js';

export async function waitForResult(ctx: CommandContext, profile: ProfileSet, report: TxReport, o: { timeoutMs: number; download?: string; decrypt: boolean }): Promise<JobStory> {
  const host = profile.host;
  if (!host) throw new ConfigError(`--wait needs the ML chain's endpoint, and profile "${profile.name}" has none`, { hint: 'use a profile with chains.ml' });
  const packet = report.packets[0];
  if (!packet) throw new UsageError('the transaction sent no IBC packet to follow', { code: 'no_packet' });
  let tm;
  try {
    tm = await connectComet(host.rpc);
  } catch (e) {
    throw new RpcUnreachableError(host.rpc, { chainId: host.chainId, cause: e });
  }
  const spin = await spinner(ctx, `relaying packet #${packet.sequence} to ${host.chainId}`);
  try {
    const job = await waitForJob(tm, new QueryClient(tm), packet, {
      timeoutMs: o.timeoutMs,
      stage: (s, id) => spin.update(s === 'relaying' ? `relaying packet #${packet.sequence} to ${host.chainId}` : s === 'executing' ? `job ${id} executing` : `job ${id} has a result`),
    });
    spin.succeed(`job ${job.id}: result on ${host.chainId}`);
    return await jobStory(ctx, host, job.id, { download: o.download, decrypt: o.decrypt });
  } catch (e) {
    spin.fail('waiting failed');
    throw e;
  } finally {
    tm.disconnect();
  }
}
