// `lunc-ml gpu ...`: flags → typed options → src/gpu/local-run.ts → print.
// onnxruntime-node and the pipelines are imported inside the actions so that `lunc-ml --help` stays fast.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { commandContext, type CommandContext } from './context.js';
import { modelsDirFor } from './shared.js';
import { registerGpuExecutor } from './gpu-executor.js';
import { oneOf, parseNumber, parseSeed, parseSize, parseUint } from './flags.js';
import { ModelError, UsageError } from '../core/errors.js';
import type { DoctorReport, GpuRunOptions, GpuRunResult, LocalJobKind } from '../gpu/local-run.js';

interface RawRunFlags {
  kind?: string;
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
  ep?: string;
  allowCpu: boolean;
  out?: string;
}

export async function parseRunFlags(f: RawRunFlags, ctx: CommandContext): Promise<GpuRunOptions> {
  const wanted = f.kind === undefined ? undefined : oneOf<LocalJobKind>('--kind', f.kind, ['image', 'audio', 'chat']);
  if (!f.prompt) throw new UsageError('--prompt is required');
  const { parseDevices, parseEp } = await import('../gpu/device-pool.js');
  const ep = parseEp(f.ep ?? 'cuda');
  parseDevices(f.device, ep);
  const modelsDir = modelsDirFor(ctx, f.models);
  const { resolveLocalModel } = await import('../gpu/local-run.js');
  const { kind, model } = await resolveLocalModel(modelsDir, f.model, wanted);
  const size = parseSize(f.size ?? (kind === 'chat' ? '8x8' : '512x512'));
  const { randomSeed } = await import('../jobs/defaults.js');
  return {
    kind,
    prompt: f.prompt,
    negative: f.negative,
    model,
    modelsDir,
    steps: f.steps === undefined ? (kind === 'chat' ? 1 : 20) : parseUint('--steps', f.steps, 1000, 1),
    ...size,
    seed: parseSeed(f.seed) ?? randomSeed(),
    scheduler: f.scheduler,
    guidance: parseNumber('--guidance', f.guidance, 7.5, 0),
    numImages: f.numImages === undefined ? 1 : parseUint('--num-images', f.numImages, 16, 1),
    maxTokens: f.maxTokens === undefined ? 64 : parseUint('--max-tokens', f.maxTokens, 100000, 1),
    temperature: parseNumber('--temperature', f.temperature, 0, 0),
    device: f.device,
    ep,
    allowCpu: f.allowCpu,
    out: f.out,
  };
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
  const lines = r.files.map((f) => `${f.path}\n  sha256 ${f.sha256} (${f.bytes} bytes)${f.seed !== undefined ? `, seed ${f.seed}` : ''}`);
  if (r.text !== undefined) lines.unshift(`text: ${JSON.stringify(r.text)} (${r.tokenIds?.length ?? 0} tokens, ${String(r.meta.finishReason)})`);
  const t = r.timings;
  lines.push(`device ${r.device} (${r.provider}), seed ${r.seed}`);
  lines.push(
    `load ${t.loadMs.toFixed(0)} ms, job ${t.wallMs.toFixed(1)} ms, pipeline ${t.pipelineMs.toFixed(1)} ms, ORT ${t.ortMs.toFixed(1)} ms in ${t.ortRuns} runs (pipeline/ORT ${t.pipelineOverOrt.toFixed(3)})`,
  );
  return lines.join('\n');
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
    .option('--devices <list>', 'devices to check, each on its EP: 0,1 | cuda:0 | webgpu | cpu | cpu:2 | cuda:0,webgpu,cpu', 'cpu,0')
    .option('--ep <name>', 'execution provider of bare GPU ids in --devices: cuda | webgpu | cpu', 'cuda')
    .option('--allow-cpu', 'let GPU devices fall back to CPU for the model self-tests', false)
    .action(async (flags: { models?: string; devices: string; ep: string; allowCpu: boolean }, c: Command) => {
      const ctx = commandContext(c);
      const { parseDevices, parseEp } = await import('../gpu/device-pool.js');
      const ep = parseEp(flags.ep);
      parseDevices(flags.devices, ep);
      const modelsDir = modelsDirFor(ctx, flags.models);
      if (flags.models && !existsSync(modelsDir)) throw new UsageError(`--models ${modelsDir} does not exist`);
      const { gpuDoctor } = await import('../gpu/local-run.js');
      const report = await gpuDoctor({ modelsDir, devices: flags.devices, ep, allowCpu: flags.allowCpu }, ctx.logger);
      ctx.print(report, renderDoctor);
      if (!report.ok) {
        const bad = [...report.devices.filter((d) => !d.ok).map((d) => d.device), ...report.models.filter((m) => !m.ok).map((m) => `${m.name}@${m.device}`)];
        throw new ModelError(`gpu doctor: ${bad.length} check(s) failed: ${bad.join(', ')}`, {
          code: 'doctor_failed',
          hint: 'see the lines marked FAIL above; CUDA needs the onnxruntime-node CUDA provider (ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install); WebGPU (--devices webgpu) needs a GPU with a Vulkan driver (libvulkan1)',
        });
      }
    });

  gpu
    .command('run')
    .description('run one job locally (no chain) and write its output')
    .option('--kind <kind>', 'image | audio | chat (default: what the model folder runs)')
    .requiredOption('--prompt <text>', 'prompt')
    .option('--negative <text>', 'negative prompt (image/audio)')
    .option('--model <name|path>', 'model folder name under --models, or a path (default tiny-sd / tiny-audio / tiny-chat)')
    .option('--models <dir>', 'models folder (env LUNC_ML_MODELS, default <package>/fixtures/models)')
    .option('--steps <n>', 'denoising steps (image/audio)', undefined)
    .option('--size <WxH>', 'image size, multiples of 8 (default 512x512)')
    .option('--seed <n>', "seed, a uint64; a job's on-chain seed reproduces its output (default: random, printed)")
    .option('--scheduler <name>', 'euler | euler_a | ddim | lcm | dpmpp_2m | pndm (default: from scheduler_config.json)')
    .option('--guidance <x>', 'classifier-free guidance scale; ≤ 1 turns it off', undefined)
    .option('--num-images <n>', "images per prompt: image i uses seed + i, as the executor runs a job's images", undefined)
    .option('--max-tokens <n>', 'chat: most tokens to generate', undefined)
    .option('--temperature <x>', 'chat: 0 = greedy', undefined)
    .option('--device <dev>', 'cuda:N, webgpu or cpu', 'cuda:0')
    .option('--ep <name>', 'execution provider of a bare GPU id in --device: cuda | webgpu | cpu', 'cuda')
    .option('--allow-cpu', 'fall back to CPU when the GPU provider cannot start', false)
    .option('--out <file>', 'output file (default lunc-ml-<kind>-<seed>.<ext> here)')
    .action(async (flags: RawRunFlags, c: Command) => {
      const ctx = commandContext(c);
      const o = await parseRunFlags(flags, ctx);
      const bar = await progressBar(ctx, `${o.kind} ${o.model}`);
      try {
        const { gpuRun } = await import('../gpu/local-run.js');
        const r = await gpuRun(o, ctx.logger, bar.update);
        bar.done(`${o.kind} done in ${r.timings.wallMs.toFixed(0)} ms`);
        ctx.print(r, renderRun);
      } catch (e) {
        bar.fail();
        throw e;
      }
    });

  registerGpuExecutor(gpu);
}
