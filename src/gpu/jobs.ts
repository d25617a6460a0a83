// One job = one pipeline run with plain-data parameters (structured-cloneable, so workers can take them).
// Pipelines are loaded once per (kind, model dir) and kept in a cache owned by the caller (a worker or the CLI).
import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { AudioPipeline } from './pipelines/audio.js';
import { ChatPipeline } from './pipelines/chat.js';
import { encodePng, Txt2ImgPipeline, type Txt2ImgOptions } from './pipelines/txt2img.js';
import { deviceLabel, type DeviceSpec, type SessionOptions } from './session.js';
import type { Seed } from './rng.js';

export type JobKind = 'image' | 'audio' | 'chat';
export const JOB_KINDS: readonly JobKind[] = ['image', 'audio', 'chat'];

/** What an image job asks of txt2img: its options minus the progress callback (plain data for workers). */
export type ImageParams = Omit<Txt2ImgOptions, 'onStep'>;

export interface ChatParams {
  prompt: string;
  maxTokens: number;
  temperature?: number;
  seed?: Seed;
}

export type JobSpec =
  | { kind: 'image'; modelDir: string; params: ImageParams }
  | { kind: 'audio'; modelDir: string; params: ImageParams & { griffinLimIters?: number } }
  | { kind: 'chat'; modelDir: string; params: ChatParams };

export interface JobOutput {
  name: string;
  mime: string;
  /** Empty when the worker wrote the bytes to `staged` instead. */
  bytes: Uint8Array;
  sha256: string;
  /** Where the worker wrote the bytes, when the job asked it to (DevicePool.run's stageIn), and their length. */
  staged?: { path: string; size: number };
}

export interface JobTimings {
  /** whole job, including PNG/WAV encoding */
  wallMs: number;
  /** the pipeline call alone */
  pipelineMs: number;
  /** sum of ORT run() calls */
  ortMs: number;
  ortRuns: number;
}

export interface JobResult {
  kind: JobKind;
  modelDir: string;
  provider: string;
  device: string;
  outputs: JobOutput[];
  text?: string;
  tokenIds?: number[];
  meta: Record<string, unknown>;
  timings: JobTimings;
}

export type ProgressFn = (step: number, total: number) => void;

type AnyPipeline = Txt2ImgPipeline | AudioPipeline | ChatPipeline;

export class PipelineCache {
  private readonly pipelines = new Map<string, Promise<AnyPipeline>>();
  constructor(readonly sessionOptions: SessionOptions) {}

  get device(): DeviceSpec {
    return this.sessionOptions.device;
  }

  get<K extends JobKind>(kind: K, modelDir: string): Promise<K extends 'chat' ? ChatPipeline : K extends 'audio' ? AudioPipeline : Txt2ImgPipeline> {
    const key = `${kind}\u0000${modelDir}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p =
        kind === 'chat' ? ChatPipeline.load(modelDir, this.sessionOptions) : kind === 'audio' ? AudioPipeline.load(modelDir, this.sessionOptions) : Txt2ImgPipeline.load(modelDir, this.sessionOptions);
      this.pipelines.set(key, p);
      p.catch(() => this.pipelines.delete(key));
    }
    return p as Promise<never>;
  }

  async releaseAll(): Promise<void> {
    const all = [...this.pipelines.values()];
    this.pipelines.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.release()));
  }
}

export function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function output(name: string, mime: string, bytes: Uint8Array): JobOutput {
  return { name, mime, bytes, sha256: sha256Hex(bytes) };
}

export async function runJob(job: JobSpec, cache: PipelineCache, onProgress?: ProgressFn, logger?: Logger): Promise<JobResult> {
  const t0 = performance.now();
  const device = deviceLabel(cache.device);
  switch (job.kind) {
    case 'image': {
      const p = await cache.get('image', job.modelDir);
      const r = await p.run({ ...job.params, onStep: onProgress });
      const outputs = r.images.map((img, i) => output(`image-${i}.png`, 'image/png', encodePng(img)));
      return {
        kind: 'image',
        modelDir: job.modelDir,
        provider: r.provider,
        device,
        outputs,
        meta: { width: r.images[0]!.width, height: r.images[0]!.height, scheduler: r.scheduler, timesteps: r.timesteps, promptTruncated: r.promptTruncated },
        timings: { wallMs: performance.now() - t0, pipelineMs: r.timings.wallMs, ortMs: r.timings.ortMs, ortRuns: r.timings.ortRuns },
      };
    }
    case 'audio': {
      const p = await cache.get('audio', job.modelDir);
      const r = await p.run({ ...job.params, onStep: onProgress });
      return {
        kind: 'audio',
        modelDir: job.modelDir,
        provider: r.provider,
        device,
        outputs: [output('audio.wav', 'audio/wav', r.wav), output('spectrogram.png', 'image/png', encodePng(r.image))],
        meta: {
          sampleRate: r.sampleRate,
          durationS: r.durationS,
          griffinLimIters: r.params.numGriffinLimIters,
          nFft: r.params.nFft,
          hopLength: r.params.hopLength,
          griffinLimMs: r.timings.griffinLimMs,
        },
        timings: { wallMs: performance.now() - t0, pipelineMs: r.timings.wallMs, ortMs: r.timings.ortMs, ortRuns: r.timings.ortRuns },
      };
    }
    case 'chat': {
      const p = await cache.get('chat', job.modelDir);
      const r = await p.run({ ...job.params, onToken: onProgress });
      const bytes = new TextEncoder().encode(r.text);
      return {
        kind: 'chat',
        modelDir: job.modelDir,
        provider: r.provider,
        device,
        outputs: [output('completion.txt', 'text/plain; charset=utf-8', bytes)],
        text: r.text,
        tokenIds: r.tokenIds,
        meta: { finishReason: r.finishReason, promptTokens: r.promptTokenIds.length, completionTokens: r.tokenIds.length },
        timings: { wallMs: performance.now() - t0, pipelineMs: r.timings.wallMs, ortMs: r.timings.ortMs, ortRuns: r.timings.ortRuns },
      };
    }
    default: {
      logger?.error('unknown job kind', { kind: (job as { kind: unknown }).kind });
      throw new UsageError(`unknown job kind "${String((job as { kind: unknown }).kind)}"`, { hint: `use one of ${JOB_KINDS.join(', ')}` });
    }
  }
}
