// `gpu run` and `gpu doctor` as a library: one job on one local device with no chain, and the self-test of every
// model on every device. Plain options and a logger; onnxruntime is loaded inside, on first use.
import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { JobResult, JobSpec } from './jobs.js';
import type { ExecutionProvider } from './device-pool.js';
import type { Seed } from './rng.js';

export type LocalJobKind = 'image' | 'audio' | 'chat';

/** Tiny generated models by default: `gpu run` without --model is a smoke test of the install. */
export const DEFAULT_LOCAL_MODEL: Record<LocalJobKind, string> = { image: 'tiny-sd', audio: 'tiny-audio', chat: 'tiny-chat' };

/** The model folder and what it runs; `kind`, when given, must agree with the folder. */
export async function resolveLocalModel(modelsDir: string, model: string | undefined, kind: LocalJobKind | undefined): Promise<{ modelDir: string; kind: LocalJobKind; model: string }> {
  const { resolveModelPath, detectKind } = await import('./model-dir.js');
  const name = model ?? DEFAULT_LOCAL_MODEL[kind ?? 'image'];
  const modelDir = resolveModelPath(modelsDir, name);
  const detected = detectKind(modelDir);
  const found = detected ? jobKindOfModel(name, detected) : undefined;
  if (kind && found && (kind === 'chat') !== (found === 'chat'))
    throw new UsageError(`model ${name} is a ${found} model, not ${kind}`, { code: 'bad_value', hint: 'drop --kind: the model folder says what it runs' });
  return { modelDir, kind: kind ?? found ?? 'image', model: name };
}

/** What a model folder runs: chat folders say so; a diffusers folder is audio when it is a Riffusion-style model. */
export function jobKindOfModel(name: string, kind: 'diffusers' | 'chat'): LocalJobKind {
  return kind === 'chat' ? 'chat' : /audio|riffusion/i.test(name) ? 'audio' : 'image';
}

export interface GpuRunOptions {
  kind: 'image' | 'audio' | 'chat';
  prompt: string;
  negative?: string;
  model: string;
  modelsDir: string;
  steps: number;
  width: number;
  height: number;
  seed: Seed;
  scheduler?: string;
  guidance: number;
  numImages: number;
  maxTokens: number;
  temperature: number;
  device: string;
  /** EP of a bare GPU id in `device` (default cuda). */
  ep?: ExecutionProvider;
  allowCpu: boolean;
  out?: string;
}

export interface GpuRunResult {
  kind: string;
  model: string;
  device: string;
  provider: string;
  seed: string;
  /** One per output; a k-image run's files also name the seed each image was made with (seed + i). */
  files: { path: string; sha256: string; bytes: number; seed?: string }[];
  text?: string;
  tokenIds?: number[];
  meta: Record<string, unknown>;
  timings: { wallMs: number; pipelineMs: number; ortMs: number; ortRuns: number; loadMs: number; pipelineOverOrt: number };
}

function outPaths(o: GpuRunOptions, names: string[]): string[] {
  const ext = (n: string) => extname(n);
  if (!o.out) return names.map((n, i) => resolve(`lunc-ml-${o.kind}-${o.seed}${names.length > 1 && o.kind === 'image' ? `-${i}` : ''}${ext(n)}`));
  if (names.length === 1) return [resolve(o.out)];
  const base = o.out.slice(0, o.out.length - extname(o.out).length);
  return names.map((n, i) => resolve(i === 0 && ext(n) === extname(o.out!) ? o.out! : `${base}-${o.kind === 'image' ? i : n.replace(/\.[^.]+$/, '')}${ext(n)}`));
}

export async function gpuRun(o: GpuRunOptions, logger: Logger, onProgress?: (s: number, t: number) => void): Promise<GpuRunResult> {
  const { resolveModelPath } = await import('./model-dir.js');
  const { parseDevices } = await import('./device-pool.js');
  const { PipelineCache, runJob } = await import('./jobs.js');
  const { parseSchedulerName } = await import('./schedulers/index.js');
  const devices = parseDevices(o.device, o.ep);
  if (devices.length !== 1) throw new UsageError('gpu run uses one device: --device cuda:0 or cpu');
  const modelDir = resolveModelPath(o.modelsDir, o.model);
  const cache = new PipelineCache({ device: devices[0]!, allowCpu: o.allowCpu, logger });
  try {
    const l0 = performance.now();
    await cache.get(o.kind, modelDir);
    const loadMs = performance.now() - l0;
    const scheduler = o.scheduler ? parseSchedulerName(o.scheduler) : undefined;
    const params = { prompt: o.prompt, negativePrompt: o.negative, steps: o.steps, width: o.width, height: o.height, seed: o.seed, guidance: o.guidance, numImages: o.numImages, scheduler };
    const job: JobSpec =
      o.kind === 'chat' ? { kind: 'chat', modelDir, params: { prompt: o.prompt, maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed } } : { kind: o.kind, modelDir, params };
    // A k-image job runs as the executor runs it: k one-image jobs, image i from seed + i (oneImageJobs), so the files
    // are the executor's images byte for byte.
    const { oneImageJobs } = await import('./serve/manifest.js');
    const parts = oneImageJobs(job);
    const runs = [];
    for (const [i, part] of parts.entries()) runs.push(await runJob(part, cache, parts.length > 1 ? (s, t) => onProgress?.(i * t + s, parts.length * t) : onProgress, logger));
    const r = runs.length === 1 ? runs[0]! : mergeImageRuns(runs);
    const paths = outPaths(
      o,
      r.outputs.map((x) => x.name),
    );
    const files = r.outputs.map((x, i) => {
      writeFileSync(paths[i]!, x.bytes);
      return { path: paths[i]!, sha256: x.sha256, bytes: x.bytes.length, ...(parts.length > 1 ? { seed: String(parts[i]!.params.seed) } : {}) };
    });
    return {
      kind: o.kind,
      model: modelDir,
      device: r.device,
      provider: r.provider,
      seed: o.seed.toString(),
      files,
      text: r.text,
      tokenIds: r.tokenIds,
      meta: r.meta,
      timings: { ...r.timings, loadMs, pipelineOverOrt: r.timings.ortMs > 0 ? r.timings.pipelineMs / r.timings.ortMs : 0 },
    };
  } finally {
    await cache.releaseAll();
  }
}

/** The k one-image runs of a k-image job as one result: image i's output i, times summed. */
function mergeImageRuns(runs: JobResult[]): JobResult {
  const sum = (f: (t: JobResult['timings']) => number) => runs.reduce((a, r) => a + f(r.timings), 0);
  return {
    ...runs[0]!,
    outputs: runs.map((r, i) => ({ ...r.outputs[0]!, name: `image-${i}.png` })),
    timings: { wallMs: sum((t) => t.wallMs), pipelineMs: sum((t) => t.pipelineMs), ortMs: sum((t) => t.ortMs), ortRuns: sum((t) => t.ortRuns) },
  };
}

export interface DoctorReport {
  modelsDir: string;
  backends: { name: string; bundled: boolean }[];
  devices: { device: string; ok: boolean; provider?: string; error?: string }[];
  models: { name: string; kind: string; device: string; ok: boolean; ms?: number; error?: string; hint?: string }[];
  ok: boolean;
}

export async function gpuDoctor(opts: { modelsDir: string; devices: string; ep?: ExecutionProvider; allowCpu: boolean }, logger: Logger): Promise<DoctorReport> {
  const { parseDevices } = await import('./device-pool.js');
  const { detectProviders } = await import('./providers.js');
  const { listModels } = await import('./model-dir.js');
  const { PipelineCache, runJob } = await import('./jobs.js');
  const { checkSelfTest, selfTestJob } = await import('./worker.js');
  const devices = parseDevices(opts.devices, opts.ep);
  const prov = await detectProviders(devices, logger);
  const report: DoctorReport = { modelsDir: opts.modelsDir, backends: prov.backends, devices: prov.devices, models: [], ok: prov.devices.every((d) => d.ok) };
  const found = listModels(opts.modelsDir);
  for (const [i, d] of devices.entries()) {
    if (!prov.devices[i]!.ok && !opts.allowCpu) continue;
    const cache = new PipelineCache({ device: d, allowCpu: opts.allowCpu, logger });
    try {
      for (const m of found) {
        const t0 = performance.now();
        const kind = jobKindOfModel(m.name, m.kind);
        try {
          const r = await runJob(selfTestJob(m.dir, kind), cache);
          const bad = checkSelfTest(r);
          report.models.push({ name: m.name, kind, device: r.device, ok: !bad, ms: performance.now() - t0, ...(bad ? { error: bad } : {}) });
        } catch (e) {
          const err = e as { message?: string; hint?: string };
          report.models.push({ name: m.name, kind, device: prov.devices[i]!.device, ok: false, ms: performance.now() - t0, error: err.message ?? String(e), hint: err.hint });
        }
      }
    } finally {
      await cache.releaseAll();
    }
  }
  if (report.models.some((m) => !m.ok)) report.ok = false;
  return report;
}
