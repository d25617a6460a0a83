// A job's whole story as x/ml stores it, the IBC packet that created it and, on request, its verified output.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueryClient } from '@cosmjs/stargate';
import { UsageError } from '../core/errors.js';
import type { ChainProfile } from '../core/profiles.js';
import { connectRpc, mapChainError } from '../core/chain-client.js';
import { queryJob } from '../ica/ml-query.js';
import { ML_EVENTS, ML_ATTRS } from '../ica/ml-events.js';
import { jobKindToJSON, jobStatusToJSON, type Job } from '../proto/lunc/ml/v1/types.js';
import { attrOf, eventsOfMsg } from './follow.js';
import { fetchOutputs, type DownloadOptions } from './download.js';

export interface JobStory {
  id: string;
  kind: string;
  status: string;
  requester: string;
  executor: string;
  model: string;
  createdHeight: number;
  deadlineHeight: number;
  reassignments: number;
  fee: string;
  /** The ML-chain tx that created the job, and the IBC packet it arrived in (absent for direct submissions). */
  origin?: { txHash: string; height: number; packet?: { sequence: string; sourcePort: string; sourceChannel: string; destChannel: string } };
  result?: { outputSha256: string; outputUri: string; mime: string; sealed: boolean; error: string; height: number };
  /** `path` is the file, or for a k-image job the folder holding image-<i>.png, one entry per image in `files`. */
  download?: { path: string; bytes: number; verified: true; decrypted: boolean; files?: { path: string; bytes: number; sha256: string; seed?: string }[] };
}

function modelOf(j: Job): string {
  return j.image?.model ?? j.audio?.model ?? j.chat?.model ?? '';
}

export function storyOf(j: Job): JobStory {
  return {
    id: j.id.toString(),
    kind: jobKindToJSON(j.kind).replace('JOB_KIND_', '').toLowerCase(),
    status: jobStatusToJSON(j.status).replace('JOB_STATUS_', '').toLowerCase(),
    requester: j.requester,
    executor: j.executor,
    model: modelOf(j),
    createdHeight: Number(j.createdHeight),
    deadlineHeight: Number(j.deadlineHeight),
    reassignments: j.reassignments,
    fee: j.fee ? `${j.fee.amount}${j.fee.denom}` : '',
    result: j.result && (j.result.outputSha256 || j.result.error) ? { ...j.result, height: Number(j.result.height) } : undefined,
  };
}

export interface JobStoryOptions {
  /** Write the verified output here. */
  download?: string;
  /** Open a sealed output with the reply key kept under `home`. */
  decrypt?: { home: string };
  /** Limits for the download: the executor chooses the URI, so it is treated as hostile. */
  limits?: DownloadOptions;
  /** The job as the caller just read it (waitForJob's result): not queried again. */
  job?: Job;
}

export async function getJobStory(host: ChainProfile, id: bigint, opts: JobStoryOptions = {}): Promise<JobStory> {
  const tm = await connectRpc(host);
  let story: JobStory;
  let job: Job;
  let outputs: ReturnType<typeof fetchOutputs> | undefined;
  try {
    job = opts.job?.id === id ? opts.job : await queryJob(new QueryClient(tm), id);
    story = storyOf(job);
    // The output is fetched while the job's origin is looked up: the user waits for the later of the two.
    if (opts.download) {
      const r = story.result;
      if (!r || !r.outputSha256) throw new UsageError(`job ${id} has no output yet (status ${story.status})`, { code: 'no_output', hint: 'wait for the executor, then retry' });
      if (r.sealed && !opts.decrypt) throw new UsageError('the output is sealed to your reply key', { code: 'sealed_output', hint: 'add --decrypt' });
      outputs = fetchOutputs(r.outputUri, r.outputSha256, r.mime, opts.limits);
      outputs.catch(() => undefined); // reported where it is awaited, after the lookup's own failure
    }
    const found = await tm.txSearch({ query: `${ML_EVENTS.jobCreated}.${ML_ATTRS.jobId}='${id}'`, per_page: 1 });
    const tx = found.txs[0];
    if (tx) {
      const created = tx.result.events.find((e) => e.type === ML_EVENTS.jobCreated && attrOf(e, ML_ATTRS.jobId) === String(id));
      const recv = created ? eventsOfMsg(tx.result.events, attrOf(created, 'msg_index')).find((e) => e.type === 'recv_packet') : undefined;
      story.origin = {
        txHash: Buffer.from(tx.hash).toString('hex').toUpperCase(),
        height: tx.height,
        packet: recv
          ? {
              sequence: attrOf(recv, 'packet_sequence') ?? '',
              sourcePort: attrOf(recv, 'packet_src_port') ?? '',
              sourceChannel: attrOf(recv, 'packet_src_channel') ?? '',
              destChannel: attrOf(recv, 'packet_dst_channel') ?? '',
            }
          : undefined,
      };
    }
  } catch (e) {
    throw mapChainError(e, host);
  } finally {
    tm.disconnect();
  }
  if (opts.download && outputs) {
    const r = story.result!;
    const { manifest, outputs: fetched } = await outputs;
    // HPKE loads only for a sealed output.
    const open = async (b: Uint8Array) => (r.sealed ? (await import('./seal.js')).openJobOutput(opts.decrypt!.home, job, b) : b);
    if (!manifest) {
      const bytes = await open(fetched[0]!.bytes);
      writeFileSync(opts.download, bytes);
      story.download = { path: opts.download, bytes: bytes.length, verified: true, decrypted: r.sealed };
    } else {
      // A k-image job: the manifest (its sha256 on chain) lists each image's sha256; every image was checked.
      mkdirSync(opts.download, { recursive: true });
      const files = [];
      for (const o of fetched) {
        const bytes = await open(o.bytes);
        const path = join(opts.download, `image-${o.index}${o.mime === 'image/png' ? '.png' : ''}`);
        writeFileSync(path, bytes);
        files.push({ path, bytes: bytes.length, sha256: o.sha256, seed: o.seed });
      }
      story.download = { path: opts.download, bytes: files.reduce((n, f) => n + f.bytes, 0), verified: true, decrypted: r.sealed, files };
    }
  }
  return story;
}
