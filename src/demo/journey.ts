// One job as a user lives it: send from the LUNC side, watch it cross IBC, get executed, download and verify.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { followPacket } from '../jobs/follow.js';
import type { PacketRef } from '../ica/send.js';
import { JobStatus } from '../proto/lunc/ml/v1/types.js';
import { LuncMlError } from '../core/errors.js';
import { runJson } from './cli-runner.js';
import type { Stack } from './stack.js';

export type Kind = 'image' | 'audio' | 'chat';

export interface JourneyOptions {
  kind: Kind;
  prompt: string;
  outDir: string;
  encrypt?: boolean;
  /** Extra flags for `tx generate-*`. */
  flags?: string[];
  /** Through `tx generate-* --generate-only` + `tx submit msg.json --legacy-intertx` instead of MsgSendTx. */
  legacy?: boolean;
  timeoutMs?: number;
  stage?: (s: string) => void;
}

export interface JourneyResult {
  kind: Kind;
  jobId: string;
  txHash: string;
  packetSequence?: string;
  executor: string;
  status: string;
  file: string;
  sha256: string;
  bytes: number;
  /** The fee the job escrowed and paid, as the chain recorded it (LUNC's IBC denom on the ML chain). */
  fee: string;
  decrypted: boolean;
  /** Milliseconds from the start: tx included, job on the ML chain, result on chain, verified file. */
  timings: { broadcastMs: number; relayedMs: number; resultMs: number; verifiedMs: number };
}

const commands: Record<Kind, string> = { image: 'generate-image', audio: 'generate-audio', chat: 'chat' };
const ext: Record<Kind, string> = { image: 'png', audio: 'wav', chat: 'txt' };

export async function runJourney(stack: Stack, o: JourneyOptions): Promise<JourneyResult> {
  const t0 = performance.now();
  const stage = (s: string) => o.stage?.(s);
  const ml = stack.mlQuery();
  stage(`broadcasting ${commands[o.kind]} on ${stack.profile.chains.lunc.chainId}`);
  const base = ['--from', 'user', '--connection-id', stack.connectionId, '--yes', '--prompt', o.prompt, ...(o.flags ?? [])];
  let report: { txHash: string; packets?: PacketRef[] };
  if (o.legacy) {
    const msgFile = join(o.outDir, `${o.kind}-${Date.now()}.msg.json`);
    await runJson(stack.cli, ['tx', commands[o.kind], '--generate-only', '--creator', stack.icaAddress, '--out', msgFile, '--prompt', o.prompt, ...(o.flags ?? [])]);
    report = await runJson(stack.cli, ['tx', 'submit', msgFile, '--from', 'user', '--connection-id', stack.connectionId, '--legacy-intertx', '--yes']);
  } else {
    report = await runJson(stack.cli, ['tx', commands[o.kind], ...base, ...(o.encrypt ? ['--encrypt'] : [])]);
  }
  const broadcastMs = performance.now() - t0;
  const seq = report.packets?.[0]?.sequence;
  stage(`relaying IBC packet${seq ? ` #${seq}` : ''} to ${stack.profile.chains.ml.chainId}`);
  const timeout = o.timeoutMs ?? 240_000;
  if (!report.packets?.[0]) throw new LuncMlError('no_packet', 'the transaction sent no IBC packet');
  let relayedMs = 0;
  const done = await followPacket(stack.mlTm, ml, report.packets[0], {
    timeoutMs: timeout,
    stage: (s: string, id?: string) => {
      if (s === 'executing') {
        relayedMs = performance.now() - t0;
        stage(`job ${id} executing`);
      }
    },
  });
  const job = done;
  const resultMs = performance.now() - t0;
  if (done.status !== JobStatus.JOB_STATUS_COMPLETED) {
    throw new LuncMlError('job_failed', `job ${job.id} ended ${JobStatus[done.status]}${done.result?.error ? `: ${done.result.error}` : ''}`);
  }
  stage(`result on chain; downloading and verifying sha256 ${done.result!.outputSha256.slice(0, 12)}…`);
  const file = join(o.outDir, `job-${job.id}.${ext[o.kind]}`);
  const story = await runJson(stack.cli, ['query', 'job', job.id.toString(), '--download', file, ...(done.result!.sealed ? ['--decrypt'] : [])]);
  // `query job --download` wrote the file only after checking it against the on-chain sha256.
  const bytes = readFileSync(file);
  return {
    kind: o.kind,
    jobId: job.id.toString(),
    txHash: report.txHash,
    packetSequence: seq,
    executor: done.executor,
    status: 'completed',
    file,
    sha256: done.result!.outputSha256,
    bytes: bytes.length,
    fee: done.fee ? `${done.fee.amount}${done.fee.denom}` : '',
    decrypted: Boolean(story?.download?.decrypted),
    timings: { broadcastMs, relayedMs, resultMs, verifiedMs: performance.now() - t0 },
  };
}
