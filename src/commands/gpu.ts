// `lunc-ml gpu ...`: local model runs and checks. Thin: flags → typed options → src/gpu/* → print.
// onnxruntime-node and the pipelines are imported inside the actions so that `lunc-ml --help` stays fast.
import { Option, type Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandContext, type CommandContext } from './context.js';
import { registerGpuServe } from './gpu-serve.js';
import { ModelError, UsageError } from '../core/errors.js';
import type { JobSpec } from '../gpu/jobs.js';

/** fixtures/models at the package root (dist/commands/gpu.js → ../../fixtures/models). */
export function defaultModelsDir(): string {
  return fileURLToPath(new URL('../../fixtures/models', import.meta.url));
}

export function modelsDirFor(ctx: CommandContext, flag?: string): string {
  return resolve(flag ?? ctx.env.LUNC_ML_MODELS ?? defaultModelsDir());
}

const DEFAULT_MODEL = { image: 'tiny-sd', audio: 'tiny-audio', chat: 'tiny-chat' } as const;

export interface GpuRunOptions {
  kind: 'image' | 'audio' | 'chat';
  prompt: string;
  negative?: string;
  model: string;
  modelsDir: string;
  steps: number;
  width: number;
  height: number;
  seed: number;
  scheduler?: string;
  guidance: number;
  numImages: number;
  maxTokens: number;
  temperature: number;
  device: string;
  allowCpu: boolean;
  out?: string;
}

function intFlag(name: string, v: string | undefined, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name} must be a whole number in ${min}..${max}, got "${v}"`);
  return Number(v);
}

function numFlag(name: string, v: string | undefined, def: number, min: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number ≥ ${min}, got "${v}"`);
  return n;
}

export function parseSize(v: string): { width: number; height: number } {
  const m = v.match(/^(\d+)x(\d+)$/i);
  if (!m) throw new UsageError(`--size must look like 512x512, got "${v}"`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

interface RawRunFlags {
  kind: string;
  prompt?: string;
  negative?: string;
  model?: string;
  models?: string;
  steps?: string;
  size?: string;
  seed?: string;
  scheduler?: string;
  guidance?: string;
  numImages?: string;
  maxTokens?: string;
  temperature?: string;
  device: string;
  allowCpu: boolean;
  out?: string;
}

export function parseRunFlags(f: RawRunFlags, ctx: CommandContext): GpuRunOptions {
  if (f.kind !== 'image' && f.kind !== 'audio' && f.kind !== 'chat') throw new UsageError(`--kind must be image, audio or chat, not "${f.kind}"`);
  if (!f.prompt) throw new UsageError('--prompt is required');
  const kind = f.kind;
  const size = parseSize(f.size ?? (kind === 'chat' ? '8x8' : '512x512'));
  const seed = f.seed !== undefined ? intFlag('seed', f.seed, 0, 0, Number.MAX_SAFE_INTEGER) : Math.floor(Math.random() * 2 ** 32);
  return {
    kind,
    prompt: f.prompt,
    negative: f.negative,
    model: f.model ?? DEFAULT_MODEL[kind],
    modelsDir: modelsDirFor(ctx, f.models),
    steps: intFlag('steps', f.steps, kind === 'chat' ? 1 : 20, 1, 1000),
    ...size,
    seed,
    scheduler: f.scheduler,
    guidance: numFlag('guidance', f.guidance, 7.5, 0),
    numImages: intFlag('num-images', f.numImages, 1, 1, 16),
    maxTokens: intFlag('max-tokens', f.maxTokens, 64, 1, 100000),
    temperature: numFlag('temperature', f.temperature, 0, 0),
    device: f.device,
    allowCpu: f.allowCpu,
    out: f.out,
  };
}

export interface GpuRunResult {
  kind: string;
  model: string;
  device: string;
  provider: string;
  seed: number;
  files: { path: string; sha256: string; bytes: number }[];
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

export async function gpuRun(o: GpuRunOptions, ctx: CommandContext, onProgress?: (s: number, t: number) => void): Promise<GpuRunResult> {
  const { resolveModelPath } = await import('../gpu/model-dir.js');
  const { parseDevices } = await import('../gpu/device-pool.js');
  const { PipelineCache, runJob } = await import('../gpu/jobs.js');
  const { parseSchedulerName } = await import('../gpu/schedulers/index.js');
  const devices = parseDevices(o.device);
  if (devices.length !== 1) throw new UsageError('gpu run uses one device: --device cuda:0 or cpu');
  const modelDir = resolveModelPath(o.modelsDir, o.model);
  const cache = new PipelineCache({ device: devices[0]!, allowCpu: o.allowCpu, logger: ctx.logger });
  try {
    const l0 = performance.now();
    await cache.get(o.kind, modelDir);
    const loadMs = performance.now() - l0;
    const scheduler = o.scheduler ? parseSchedulerName(o.scheduler) : undefined;
    const params = { prompt: o.prompt, negativePrompt: o.negative, steps: o.steps, width: o.width, height: o.height, seed: o.seed, guidance: o.guidance, numImages: o.numImages, scheduler };
    const job =
      o.kind === 'chat'
        ? { kind: 'chat' as const, modelDir, params: { prompt: o.prompt, maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed } }
        : { kind: o.kind, modelDir, params };
    const r = await runJob(job, cache, onProgress, ctx.logger);
    const paths = outPaths(o, r.outputs.map((x) => x.name));
    const files = r.outputs.map((x, i) => {
      writeFileSync(paths[i]!, x.bytes);
      return { path: paths[i]!, sha256: x.sha256, bytes: x.bytes.length };
    });
    return {
      kind: o.kind,
      model: modelDir,
      device: r.device,
      provider: r.provider,
      seed: o.seed,
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

async function progressBar(ctx: CommandContext, label: string): Promise<{ update: (s: number, t: number) => void; done: (text: string) => void; fail: () => void }> {
  if (!ctx.interactive || !process.stderr.isTTY) return { update: () => {}, done: () => {}, fail: () => {} };
  const { default: ora } = await import('ora');
  const sp = ora({ text: label, stream: process.stderr }).start();
  return {
    update: (s, t) => {
      const w = 20;
      const f = Math.round((s / t) * w);
      sp.text = `${label} [${'#'.repeat(f)}${'.'.repeat(w - f)}] ${s}/${t}`;
    },
    done: (text) => sp.succeed(text),
    fail: () => sp.stop(),
  };
}

function renderRun(r: GpuRunResult): string {
  const lines = r.files.map((f) => `${f.path}\n  sha256 ${f.sha256} (${f.bytes} bytes)`);
  if (r.text !== undefined) lines.unshift(`text: ${JSON.stringify(r.text)} (${r.tokenIds?.length ?? 0} tokens, ${String(r.meta.finishReason)})`);
  const t = r.timings;
  lines.push(`device ${r.device} (${r.provider}), seed ${r.seed}`);
  lines.push(`load ${t.loadMs.toFixed(0)} ms, job ${t.wallMs.toFixed(1)} ms, pipeline ${t.pipelineMs.toFixed(1)} ms, ORT ${t.ortMs.toFixed(1)} ms in ${t.ortRuns} runs (pipeline/ORT ${t.pipelineOverOrt.toFixed(3)})`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------- doctor

export interface DoctorReport {
  modelsDir: string;
  backends: { name: string; bundled: boolean }[];
  devices: { device: string; ok: boolean; provider?: string; error?: string }[];
  models: { name: string; kind: string; device: string; ok: boolean; ms?: number; error?: string; hint?: string }[];
  ok: boolean;
}

export async function gpuDoctor(opts: { modelsDir: string; devices: string; allowCpu: boolean }, ctx: CommandContext): Promise<DoctorReport> {
  const { parseDevices } = await import('../gpu/device-pool.js');
  const { detectProviders } = await import('../gpu/providers.js');
  const { listModels } = await import('../gpu/model-dir.js');
  const { PipelineCache, runJob } = await import('../gpu/jobs.js');
  const { checkSelfTest } = await import('../gpu/worker.js');
  const devices = parseDevices(opts.devices);
  const prov = await detectProviders(devices, ctx.logger);
  const report: DoctorReport = { modelsDir: opts.modelsDir, backends: prov.backends, devices: prov.devices, models: [], ok: prov.devices.every((d) => d.ok) };
  const found = listModels(opts.modelsDir);
  for (const [i, d] of devices.entries()) {
    if (!prov.devices[i]!.ok && !opts.allowCpu) continue;
    const cache = new PipelineCache({ device: d, allowCpu: opts.allowCpu, logger: ctx.logger });
    try {
      for (const m of found) {
        const t0 = performance.now();
        const kind = m.kind === 'chat' ? 'chat' : /audio|riffusion/i.test(m.name) ? 'audio' : 'image';
        try {
          const img = { prompt: 'self test', steps: 1, width: 64, height: 64, seed: 1, guidance: 1, griffinLimIters: 1 };
          const job: JobSpec =
            kind === 'chat'
              ? { kind: 'chat', modelDir: m.dir, params: { prompt: 'Hello', maxTokens: 4 } }
              : kind === 'audio'
                ? { kind: 'audio', modelDir: m.dir, params: img }
                : { kind: 'image', modelDir: m.dir, params: img };
          const r = await runJob(job, cache);
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

function renderDoctor(r: DoctorReport): string {
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');
  const lines = [`backends: ${r.backends.map((b) => `${b.name}${b.bundled ? '' : ' (not bundled)'}`).join(', ')}`, 'devices:'];
  for (const d of r.devices) lines.push(`  ${mark(d.ok)} ${d.device}${d.provider ? ` via ${d.provider}` : ''}${d.error ? `: ${d.error}` : ''}`);
  lines.push(`models in ${r.modelsDir}:${r.models.length ? '' : ' none tested'}`);
  for (const m of r.models) lines.push(`  ${mark(m.ok)} ${m.name} (${m.kind}) on ${m.device}${m.ms !== undefined ? ` ${m.ms.toFixed(0)} ms` : ''}${m.error ? `: ${m.error}` : ''}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------- register

export function registerGpu(program: Command): void {
  const gpu = program.command('gpu').description('run models locally: check providers and devices, run one job');

  gpu
    .command('doctor')
    .description('list execution providers, probe each device, and self-test every model found')
    .option('--models <dir>', 'models folder (env LUNC_ML_MODELS, default <package>/fixtures/models)')
    .option('--devices <list>', 'devices to check: 0,1 | cuda:0 | cpu | cpu:2', 'cpu,0')
    .option('--allow-cpu', 'let CUDA devices fall back to CPU for the model self-tests', false)
    .action(async (flags: { models?: string; devices: string; allowCpu: boolean }, c: Command) => {
      const ctx = commandContext(c);
      const modelsDir = modelsDirFor(ctx, flags.models);
      if (flags.models && !existsSync(modelsDir)) throw new UsageError(`--models ${modelsDir} does not exist`);
      const report = await gpuDoctor({ modelsDir, devices: flags.devices, allowCpu: flags.allowCpu }, ctx);
      ctx.print(report, renderDoctor);
      if (!report.ok) {
        const bad = [...report.devices.filter((d) => !d.ok).map((d) => d.device), ...report.models.filter((m) => !m.ok).map((m) => `${m.name}@${m.device}`)];
        throw new ModelError(`gpu doctor: ${bad.length} check(s) failed: ${bad.join(', ')}`, { code: 'doctor_failed', hint: 'see the lines marked FAIL above; CUDA needs the onnxruntime-node CUDA provider: ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install' });
      }
    });

  gpu
    .command('run')
    .description('run one job locally (no chain) and write its output')
    .addOption(new Option('--kind <kind>', 'image | audio | chat').choices(['image', 'audio', 'chat']).makeOptionMandatory())
    .requiredOption('--prompt <text>', 'prompt')
    .option('--negative <text>', 'negative prompt (image/audio)')
    .option('--model <name|path>', 'model folder name under --models, or a path (default tiny-sd / tiny-audio / tiny-chat)')
    .option('--models <dir>', 'models folder (env LUNC_ML_MODELS, default <package>/fixtures/models)')
    .option('--steps <n>', 'denoising steps (image/audio)', undefined)
    .option('--size <WxH>', 'image size, multiples of 8 (default 512x512)')
    .option('--seed <n>', 'seed (default: random, printed)')
    .option('--scheduler <name>', 'euler | euler_a | ddim | lcm (default: from scheduler_config.json)')
    .option('--guidance <x>', 'classifier-free guidance scale; ≤ 1 turns it off', undefined)
    .option('--num-images <n>', 'images per prompt', undefined)
    .option('--max-tokens <n>', 'chat: most tokens to generate', undefined)
    .option('--temperature <x>', 'chat: 0 = greedy', undefined)
    .option('--device <dev>', 'cuda:N or cpu', 'cuda:0')
    .option('--allow-cpu', 'fall back to CPU when the CUDA provider cannot start', false)
    .option('--out <file>', 'output file (default lunc-ml-<kind>-<seed>.<ext> here)')
    .action(async (flags: RawRunFlags, c: Command) => {
      const ctx = commandContext(c);
      const o = parseRunFlags(flags, ctx);
      const bar = await progressBar(ctx, `${o.kind} ${o.model}`);
      try {
        const r = await gpuRun(o, ctx, bar.update);
        bar.done(`${o.kind} done in ${r.timings.wallMs.toFixed(0)} ms`);
        ctx.print(r, renderRun);
      } catch (e) {
        bar.fail();
        throw e;
      }
    });

  registerGpuServe(gpu);
}
