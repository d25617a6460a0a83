// One worker_thread per device. It owns its ORT sessions (loaded once, kept in a PipelineCache), proves the device
// works with a self-test before it says "ready", then runs one job at a time for the pool in device-pool.ts.
// ORT's run() blocks the thread it is called on; doing it here keeps the main thread's event loop free.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { tempOf } from '../core/atomic-file.js';
import { isLuncMlError } from '../core/errors.js';
import { PipelineCache, runJob, type JobOutput, type JobResult, type JobSpec } from './jobs.js';
import { probeDevice } from './providers.js';
import type { DeviceSpec } from './session.js';

export interface WorkerInit {
  workerId: number;
  device: DeviceSpec;
  allowCpu: boolean;
  threads?: number;
  /** a job to run before accepting work; its outputs are checked (and compared with selfTestSha256 if given) */
  selfTest?: JobSpec;
  selfTestSha256?: string;
  /** further jobs run once each before accepting work (one per served model), checked for well-formed output */
  extraSelfTests?: JobSpec[];
}

export interface SerializedError {
  code: string;
  message: string;
  hint?: string;
  exitCode?: number;
  data?: Record<string, unknown>;
}

export type ToWorker = { type: 'job'; id: number; job: JobSpec; stageIn?: string } | { type: 'shutdown' };
export type FromWorker =
  | { type: 'ready'; workerId: number; provider: string; probeMs: number; selfTestMs?: number; selfTestSha256?: string }
  | { type: 'init_error'; workerId: number; error: SerializedError }
  | { type: 'progress'; id: number; step: number; total: number }
  | { type: 'result'; id: number; result: JobResult }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'closed'; workerId: number };

/** Writes `o`'s bytes to a temp file for `<dir>/<sha256>` and keeps only its path: the bytes stay in this thread. */
function stageOutput(o: JobOutput, dir: string): void {
  const path = tempOf(join(dir, o.sha256));
  writeFileSync(path, o.bytes, { mode: 0o644 });
  o.staged = { path, size: o.bytes.length };
  o.bytes = new Uint8Array();
}

export function serializeError(e: unknown): SerializedError {
  if (isLuncMlError(e)) return { code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode, data: JSON.parse(JSON.stringify(e.data ?? {})) as Record<string, unknown> };
  const err = e instanceof Error ? e : new Error(String(e));
  return { code: 'worker_error', message: err.message };
}

/** Checks that a self-test result is plausible: outputs present, PNG/WAV headers right, text non-empty. */
/**
 * The small known job a model runs on a device before the device takes work: the executor's workers and `gpu doctor`
 * run this same job, so doctor's verdict per device and EP is the one serving would reach.
 */
export function selfTestJob(modelDir: string, kind: 'image' | 'audio' | 'chat'): JobSpec {
  const img = { prompt: 'self test', steps: 2, width: 64, height: 64, seed: 1, guidance: 1, numImages: 1 };
  if (kind === 'chat') return { kind: 'chat', modelDir, params: { prompt: 'self test', maxTokens: 2, temperature: 0, seed: 1 } };
  return kind === 'audio' ? { kind: 'audio', modelDir, params: { ...img, griffinLimIters: 1 } } : { kind: 'image', modelDir, params: img };
}

export function checkSelfTest(r: JobResult, expectSha?: string): string | undefined {
  const first = r.outputs[0];
  if (!first || first.bytes.length === 0) return 'self-test produced no output';
  if (r.kind === 'image' && !(first.bytes[0] === 0x89 && first.bytes[1] === 0x50)) return 'self-test image is not a PNG';
  if (r.kind === 'audio' && Buffer.from(first.bytes.subarray(0, 4)).toString('latin1') !== 'RIFF') return 'self-test audio is not a WAV';
  if (r.kind === 'chat' && (r.tokenIds?.length ?? 0) === 0 && r.meta.finishReason !== 'eos') return 'self-test chat produced no tokens';
  if (expectSha && first.sha256 !== expectSha) return `self-test output sha256 ${first.sha256} differs from the expected ${expectSha}`;
  return undefined;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const init = workerData as WorkerInit;
  const post = (m: FromWorker) => port.postMessage(m);
  const cache = new PipelineCache({ device: init.device, allowCpu: init.allowCpu, threads: init.threads });
  let provider: string;
  let probeMs: number;
  let selfTestMs: number | undefined;
  let selfTestSha: string | undefined;
  try {
    let probe = await probeDevice(init.device, init.threads);
    if (!probe.ok && init.device.kind === 'cuda' && init.allowCpu) probe = await probeDevice({ kind: 'cpu' }, init.threads);
    if (!probe.ok) throw Object.assign(new Error(`device self-test failed on ${probe.device}: ${probe.error ?? 'wrong output'}`), { code: 'device_self_test' });
    provider = probe.provider!;
    probeMs = probe.ms ?? 0;
    if (init.selfTest) {
      const t0 = performance.now();
      const r = await runJob(init.selfTest, cache);
      const bad = checkSelfTest(r, init.selfTestSha256);
      if (bad) throw new Error(bad);
      selfTestMs = performance.now() - t0;
      selfTestSha = r.outputs[0]!.sha256;
      provider = r.provider;
    }
    // Loading every served model here also means each is loaded once per device, before any job waits on it.
    for (const job of init.extraSelfTests ?? []) {
      const bad = checkSelfTest(await runJob(job, cache));
      if (bad) throw new Error(`${job.modelDir}: ${bad}`);
    }
  } catch (e) {
    post({ type: 'init_error', workerId: init.workerId, error: serializeError(e) });
    await cache.releaseAll();
    // This thread stays until the pool closes: a worker that ends lets onnxruntime's addon be unloaded, and a sibling
    // still starting then fails to load it ("Module did not self-register"), so one failed device took a good one down.
    port.on('message', (msg: ToWorker) => {
      if (msg.type === 'shutdown') port.close();
    });
    return;
  }
  post({ type: 'ready', workerId: init.workerId, provider, probeMs, selfTestMs, selfTestSha256: selfTestSha });

  let chain = Promise.resolve();
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'shutdown') {
      chain = chain.then(async () => {
        await cache.releaseAll();
        post({ type: 'closed', workerId: init.workerId });
        port.close();
      });
      return;
    }
    if (msg.type === 'job') {
      chain = chain.then(async () => {
        try {
          let last = 0;
          const result = await runJob(msg.job, cache, (step, total) => {
            const now = performance.now();
            if (step === total || now - last > 50) {
              last = now;
              post({ type: 'progress', id: msg.id, step, total });
            }
          });
          // Asked to, this thread writes the job's output to a temp file in the output store's folder itself (the store
          // fsyncs and renames it on its next commit): under a burst, 0.5 MB PNGs arriving on the thread that feeds
          // the devices kept its garbage collector busy (~0.2 s of CPU per 200 jobs, taken from the devices).
          if (msg.stageIn && result.outputs[0]) stageOutput(result.outputs[0], msg.stageIn);
          // Otherwise the outputs move to the pool's thread instead of being copied. Only a buffer the output owns
          // whole moves.
          const transfer = result.outputs
            .map((o) => o.bytes.buffer)
            .filter((b, i, all): b is ArrayBuffer => b instanceof ArrayBuffer && b.byteLength === result.outputs[i]!.bytes.byteLength && all.indexOf(b) === i);
          port.postMessage({ type: 'result', id: msg.id, result } satisfies FromWorker, transfer);
        } catch (e) {
          post({ type: 'error', id: msg.id, error: serializeError(e) });
        }
      });
    }
  });
}

void main();
