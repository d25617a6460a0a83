// JobRunner over the device pool: chain job requests → pipeline job specs, one worker per device.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { DevicePool, parseDevices, type ExecutionProvider } from '../device-pool.js';
import { jobKindOfModel } from '../local-run.js';
import { selfTestJob } from '../worker.js';
import type { JobSpec } from '../jobs.js';
import { detectKind, resolveModelPath } from '../model-dir.js';
import type { SchedulerName } from '../schedulers/common.js';
import type { JobOutput, JobRequest, JobRunner, RunOptions } from './service.js';
import type { ExecutorMetrics } from './metrics.js';
import { oneImageJobs } from './manifest.js';

export interface RunnerOptions {
  modelsDir: string;
  /** Model ids the executor registered; each must resolve to a folder. */
  models: string[];
  devices: string;
  /** EP of bare GPU ids in `devices` (default cuda); entries such as webgpu or cpu:2 name their own. */
  ep?: ExecutionProvider;
  allowCpu: boolean;
  logger: Logger;
  metrics?: ExecutorMetrics;
}

/** Spectrogram height for an audio model: its UNet sample size × 8 when the export says, else Riffusion's 512. */
export function audioHeight(modelDir: string): number {
  const cfg = join(modelDir, 'unet', 'config.json');
  if (existsSync(cfg)) {
    const s = (JSON.parse(readFileSync(cfg, 'utf8')) as { sample_size?: number }).sample_size;
    if (typeof s === 'number' && s > 0) return s * 8;
  }
  return 512;
}

/** Riffusion: 10 ms per spectrogram column; the width is a multiple of 8 and at most 1024 px (about 10 s). */
export function audioWidth(durationMs: number): number {
  return Math.min(1024, Math.max(64, Math.round(durationMs / 10 / 8) * 8));
}

export function specFor(req: JobRequest, modelDir: string): JobSpec {
  // The job's whole uint64 seeds the generator, exactly as `gpu run --seed` does.
  const seed = req.seed;
  if (req.kind === 'image') {
    return {
      kind: 'image',
      modelDir,
      params: {
        prompt: req.prompt,
        negativePrompt: req.negativePrompt,
        steps: req.steps,
        width: req.width,
        height: req.height,
        seed,
        guidance: req.guidanceScale,
        numImages: req.numImages,
        scheduler: req.scheduler as SchedulerName,
      },
    };
  }
  if (req.kind === 'audio') {
    return { kind: 'audio', modelDir, params: { prompt: req.prompt, steps: req.steps, width: audioWidth(req.durationMs), height: audioHeight(modelDir), seed, guidance: 7, numImages: 1 } };
  }
  return { kind: 'chat', modelDir, params: { prompt: req.prompt, maxTokens: req.maxTokens, temperature: req.temperature, seed } };
}

export async function createRunner(o: RunnerOptions): Promise<JobRunner & { devices: string[] }> {
  const dirs = new Map<string, string>();
  for (const m of o.models) {
    let dir: string;
    try {
      dir = resolveModelPath(o.modelsDir, m);
    } catch (e) {
      throw new ModelError(`model "${m}" is registered but not found under ${o.modelsDir}`, {
        code: 'model_missing',
        hint: 'put its ONNX folder there (diffusers/optimum layout), pass --models, or register without it',
        cause: e,
      });
    }
    if (!detectKind(dir))
      throw new ModelError(`${dir} is not a diffusers ONNX folder or a chat model folder`, { code: 'model_invalid', hint: 'expected model_index.json (diffusers) or config.json + model.onnx (chat)' });
    dirs.set(m, dir);
  }
  // Every served model runs a small known job on every device before the executor takes work.
  const selfTests: JobSpec[] = [...dirs.entries()].map(([name, dir]) => selfTestJob(dir, jobKindOfModel(name, detectKind(dir)!)));
  const [selfTest, ...extraSelfTests] = selfTests;
  const pool = await DevicePool.start({ devices: parseDevices(o.devices, o.ep), allowCpu: o.allowCpu, selfTest, extraSelfTests, logger: o.logger });
  // Every device asked for serves, or the executor does not start: a validator told to run on a GPU must not quietly
  // serve on fewer devices (or none of its GPUs) than it registered.
  const failed = pool.workers.filter((w) => w.state === 'failed');
  if (failed.length > 0) {
    await pool.close();
    throw new ModelError(`${failed.map((w) => `${w.device}: ${w.error ?? 'not ready'}`).join('; ')}`, {
      code: 'device_unavailable',
      hint: `check with \`lunc-ml gpu doctor --devices ${o.devices}${o.ep ? ` --ep ${o.ep}` : ''}\`; drop the device from --devices, or pass --allow-cpu to run a GPU device's work on the CPU`,
      data: { devices: failed.map((w) => w.device) },
    });
  }
  const devices = pool.workers.map((w) => `${w.device}${w.provider ? `(${w.provider})` : ''}`);
  return {
    devices,
    async run(req: JobRequest, opts: RunOptions = {}): Promise<JobOutput> {
      const dir = dirs.get(req.model);
      if (!dir) throw new ModelError(`model "${req.model}" is not served by this executor`, { code: 'model_missing' });
      const one = (spec: JobSpec) => {
        let last = performance.now();
        return pool.run(spec, {
          stageIn: opts.stageIn,
          onProgress: () => {
            const now = performance.now();
            o.metrics?.step(String(req.kind), (now - last) / 1000);
            last = now;
          },
        });
      };
      const specs = oneImageJobs(specFor(req, dir));
      if (specs.length > 1) {
        // One one-image job per seed, queued together: the pool hands each to the next free device.
        const parts = await Promise.all(specs.map(one));
        return {
          bytes: new Uint8Array(),
          images: parts.map((p) => p.outputs[0].bytes),
          imageSha256: parts.map((p) => p.outputs[0].sha256),
          imagesStaged: parts.map((p) => p.outputs[0].staged),
          mime: 'image/png',
          device: [...new Set(parts.map((p) => p.device))].join(','),
          ortMs: parts.reduce((t, p) => t + p.timings.ortMs, 0),
          wallMs: Math.max(...parts.map((p) => p.timings.wallMs)),
        };
      }
      const r = await one(specs[0]);
      // The PNG, the WAV or the completion text; the audio job's spectrogram image stays local.
      return { bytes: r.outputs[0].bytes, sha256: r.outputs[0].sha256, staged: r.outputs[0].staged, mime: r.outputs[0].mime, device: r.device, ortMs: r.timings.ortMs, wallMs: r.timings.wallMs };
    },
    close: () => pool.close(),
  };
}
