import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipelineCache, runJob, type ImageParams } from '../../src/gpu/jobs.js';
import { ChatPipeline } from '../../src/gpu/pipelines/chat.js';
import { encodePng, toRgbImages, Txt2ImgPipeline } from '../../src/gpu/pipelines/txt2img.js';
import { createLogger } from '../../src/core/logger.js';
import { Rng } from '../../src/gpu/rng.js';
import { model } from './helpers.js';

const cache = new PipelineCache({ device: { kind: 'cpu' }, threads: 1 });
afterAll(() => cache.releaseAll());

const img = (over: Partial<ImageParams> = {}): ImageParams => ({ prompt: 'a photo of a cat', steps: 3, width: 64, height: 48, seed: 7, guidance: 7.5, ...over });

describe('txt2img on tiny-sd', () => {
  it('writes a valid PNG of the requested size', async () => {
    const steps: number[] = [];
    const r = await runJob({ kind: 'image', modelDir: model('tiny-sd'), params: img() }, cache, (s) => steps.push(s));
    const png = PNG.sync.read(Buffer.from(r.outputs[0]!.bytes));
    expect([png.width, png.height]).toEqual([64, 48]);
    expect(steps).toEqual([1, 2, 3]);
    expect(r.meta.scheduler).toBe('euler');
    // 1 text-encoder run + 3 UNet runs + 1 VAE run
    expect(r.timings.ortRuns).toBe(5);
  });

  it('gives the same bytes for the same seed and different bytes for another seed, prompt or scheduler', async () => {
    const run = async (p: Partial<ImageParams>) => (await runJob({ kind: 'image', modelDir: model('tiny-sd'), params: img(p) }, cache)).outputs[0]!.sha256;
    const a = await run({});
    expect(await run({})).toBe(a);
    expect(await run({ seed: 8 })).not.toBe(a);
    expect(await run({ prompt: 'a photo of a dog' })).not.toBe(a);
    expect(await run({ scheduler: 'ddim' })).not.toBe(a);
    expect(await run({ scheduler: 'euler_a' })).not.toBe(a);
    expect(await run({ scheduler: 'lcm', guidance: 0 })).not.toBe(a);
    expect(await run({ scheduler: 'dpmpp_2m' })).not.toBe(a);
  });

  it('runs a PNDM config (SD 1.x) with pndm: n steps, n + 1 UNet runs, the second timestep twice', async () => {
    const r = await runJob({ kind: 'image', modelDir: model('tiny-sd-optimum'), params: img({ steps: 4 }) }, cache);
    expect(r.meta.scheduler).toBe('pndm');
    expect(r.meta.timesteps).toEqual([751, 501, 501, 251, 1]);
    expect(r.timings.ortRuns).toBe(1 + 5 + 1);
  });

  it('says at warn level, once per loaded model, that a scheduler class it lacks runs with euler', async () => {
    // tiny-sd with a UniPC config, which is not implemented
    const dir = mkdtempSync(join(tmpdir(), 'lunc-unipc-'));
    cpSync(model('tiny-sd'), dir, { recursive: true });
    const cfgPath = join(dir, 'scheduler', 'scheduler_config.json');
    writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(readFileSync(cfgPath, 'utf8')), _class_name: 'UniPCMultistepScheduler' }));
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (l) => lines.push(l) });
    const p = await Txt2ImgPipeline.load(dir, { device: { kind: 'cpu' }, threads: 1, logger });
    try {
      const r = await p.run({ prompt: 'a cat', steps: 2, width: 16, height: 16, seed: 1, guidance: 1 });
      await p.run({ prompt: 'a cat', steps: 2, width: 16, height: 16, seed: 1, guidance: 1 });
      expect(r).toMatchObject({ scheduler: 'euler', schedulerSubstituted: true });
      const warned = lines.filter((l) => /UniPCMultistepScheduler is not implemented; using euler/.test(l));
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatch(/warn/i);
    } finally {
      await p.release();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads the optimum variant (int64 input_ids, scalar timestep) from its metadata and gets the same image', async () => {
    // the same scheduler for both (tiny-sd-optimum's config is PNDM, tiny-sd's Euler)
    const a = await runJob({ kind: 'image', modelDir: model('tiny-sd'), params: img({ scheduler: 'euler' }) }, cache);
    const b = await runJob({ kind: 'image', modelDir: model('tiny-sd-optimum'), params: img({ scheduler: 'euler' }) }, cache);
    const p = await cache.get('image', model('tiny-sd-optimum'));
    expect(p.textEncoder.input('input_ids').type).toBe('int64');
    expect(p.unet.input('timestep').shape).toEqual([]);
    expect(b.outputs[0]!.sha256).toBe(a.outputs[0]!.sha256); // same weights: only the I/O types differ
  });

  it('feeds an int64 timestep input the truncated timestep, as diffusers does, on fractional (linspace) timesteps', async () => {
    const p = await cache.get('image', model('tiny-sd-legacy'));
    expect(p.unet.input('timestep').type).toBe('int64');
    const fed: bigint[] = [];
    const run = p.unet.run.bind(p.unet);
    p.unet.run = async (feeds) => {
      fed.push(...(feeds.timestep!.data as BigInt64Array));
      return run(feeds);
    };
    try {
      const r = await runJob({ kind: 'image', modelDir: model('tiny-sd-legacy'), params: img() }, cache);
      const ts = r.meta.timesteps as number[];
      expect(ts.some((t) => !Number.isInteger(t))).toBe(true); // 999, 499.5, 0
      expect(fed).toEqual(ts.map((t) => BigInt(Math.trunc(t))));
    } finally {
      p.unet.run = run;
    }
  });

  it('refuses sizes that are not multiples of 8', async () => {
    await expect(runJob({ kind: 'image', modelDir: model('tiny-sd'), params: img({ width: 60 }) }, cache)).rejects.toThrow(/multiple of 8/);
  });
});

/** Mean and max |a − b| over the RGB bytes of two images of the same size. */
function pixelDiff(a: Uint8Array, b: Uint8Array): { mean: number; max: number } {
  expect(a.length).toBe(b.length);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { mean: sum / a.length, max };
}

const rgbOf = (bytes: Uint8Array): Uint8Array => {
  const png = PNG.sync.read(Buffer.from(bytes));
  const rgb = new Uint8Array(png.width * png.height * 3);
  for (let p = 0; p < png.width * png.height; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = png.data[p * 4 + c]!;
  return rgb;
};

describe('txt2img on tiny-sd-fp16 (float16 I/O, tiny-sd weights)', () => {
  // Tolerance. tiny-sd-fp16 computes in float32 inside and only rounds its I/O to float16 (11 significant bits,
  // relative error ≤ 2⁻¹¹): the text embeddings, the UNet input and output at every step and the VAE input and
  // output. The final VAE rounding alone moves a pixel by ≤ 127.5·2⁻¹¹ ≈ 0.06 levels; the per-step rounding,
  // amplified by classifier-free guidance (u + 7.5·(c − u)), flips a few percent of the bytes by 1–2 levels.
  // Measured: mean 0.07 / max 2 here, ≤ 0.08 / ≤ 5 over euler/ddim/euler_a/lcm, 1–20 steps, up to 128×96.
  // MEAN_TOL = 0.25 leaves 3× headroom and is still well below what a real fault costs: another prompt moves
  // tiny-sd's mean by ≈ 1.4 levels (checked below), another seed by ≈ 120, misread float16 bits by far more.
  const MEAN_TOL = 0.25;
  const MAX_TOL = 8;

  it('reads float16 inputs and outputs from the session metadata', async () => {
    const p = await cache.get('image', model('tiny-sd-fp16'));
    expect(p.textEncoder.input('input_ids').type).toBe('int32');
    expect(p.textEncoder.outputs.get('last_hidden_state')?.type).toBe('float16');
    expect(p.unet.input('sample').type).toBe('float16');
    expect(p.unet.input('encoder_hidden_states').type).toBe('float16');
    expect(p.unet.input('timestep')).toMatchObject({ type: 'float16', shape: ['batch'] });
    expect(p.unet.outputs.get('out_sample')?.type).toBe('float16');
    expect(p.vae.input('latent_sample').type).toBe('float16');
    expect(p.vae.outputs.get('sample')?.type).toBe('float16');
  });

  it('writes a valid PNG of the requested size, the same bytes for the same seed', async () => {
    const steps: number[] = [];
    const r = await runJob({ kind: 'image', modelDir: model('tiny-sd-fp16'), params: img() }, cache, (s) => steps.push(s));
    const png = PNG.sync.read(Buffer.from(r.outputs[0]!.bytes));
    expect([png.width, png.height]).toEqual([64, 48]);
    expect(steps).toEqual([1, 2, 3]);
    expect(r.timings.ortRuns).toBe(5);
    const again = await runJob({ kind: 'image', modelDir: model('tiny-sd-fp16'), params: img() }, cache);
    expect(again.outputs[0]!.sha256).toBe(r.outputs[0]!.sha256);
    const other = await runJob({ kind: 'image', modelDir: model('tiny-sd-fp16'), params: img({ seed: 8 }) }, cache);
    expect(other.outputs[0]!.sha256).not.toBe(r.outputs[0]!.sha256);
  });

  it.each([
    ['euler, CFG 7.5', {}],
    ['no guidance, 1 step, 64×64', { guidance: 1, steps: 1, width: 64, height: 64, prompt: 'a photo of a dog' }],
    ['ddim', { scheduler: 'ddim' as const }],
    ['euler_a, 10 steps, 2 images', { scheduler: 'euler_a' as const, steps: 10, numImages: 2 }],
  ])('its pixels are close to tiny-sd for the same seed and prompt (%s)', async (_label, over: Partial<ImageParams>) => {
    const a = await runJob({ kind: 'image', modelDir: model('tiny-sd'), params: img(over) }, cache);
    const b = await runJob({ kind: 'image', modelDir: model('tiny-sd-fp16'), params: img(over) }, cache);
    expect(b.outputs).toHaveLength(a.outputs.length);
    for (let k = 0; k < a.outputs.length; k++) {
      const d = pixelDiff(rgbOf(a.outputs[k]!.bytes), rgbOf(b.outputs[k]!.bytes));
      expect(d.mean).toBeLessThan(MEAN_TOL);
      expect(d.max).toBeLessThanOrEqual(MAX_TOL);
    }
  });

  it('the tolerance is tight enough to see a change of prompt', async () => {
    const a = await runJob({ kind: 'image', modelDir: model('tiny-sd'), params: img() }, cache);
    const b = await runJob({ kind: 'image', modelDir: model('tiny-sd'), params: img({ prompt: 'a photo of a dog' }) }, cache);
    expect(pixelDiff(rgbOf(a.outputs[0]!.bytes), rgbOf(b.outputs[0]!.bytes)).mean).toBeGreaterThan(2 * MEAN_TOL);
  });
});

describe('image encoding', () => {
  it('toRgbImages is round(clamp(x/2 + 0.5, 0, 1)·255) per channel, interleaved', () => {
    const r = new Rng(1);
    const [B, H, W] = [2, 5, 7];
    const x = Float32Array.from({ length: B * 3 * H * W }, (_, i) => (i % 17 === 0 ? [NaN, -3, 3, -1, 1, 0, 0.5 / 127.5 - 1][i % 7]! : r.normal() * 0.7));
    const imgs = toRgbImages(x, B, H, W);
    expect(imgs).toHaveLength(B);
    for (let b = 0; b < B; b++) {
      expect([imgs[b]!.width, imgs[b]!.height]).toEqual([W, H]);
      for (let p = 0; p < H * W; p++) {
        for (let c = 0; c < 3; c++) {
          const v = x[(b * 3 + c) * H * W + p]! / 2 + 0.5;
          expect(imgs[b]!.rgb[p * 3 + c]).toBe(Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255) || 0);
        }
      }
    }
  });

  it('encodePng writes a PNG that decodes to the same pixels', () => {
    const r = new Rng(2);
    for (const [W, H] of [
      [1, 1],
      [1, 4],
      [5, 1],
      [7, 3],
      [64, 48],
    ] as const) {
      const rgb = Uint8Array.from({ length: W * H * 3 }, (_, i) => (i % 5 === 0 ? r.nextU32() & 255 : (i * 3) & 255));
      const png = PNG.sync.read(Buffer.from(encodePng({ width: W, height: H, rgb })));
      expect([png.width, png.height]).toEqual([W, H]);
      const back = new Uint8Array(W * H * 3);
      for (let p = 0; p < W * H; p++) for (let c = 0; c < 3; c++) back[p * 3 + c] = png.data[p * 4 + c]!;
      expect(Buffer.from(back).equals(Buffer.from(rgb))).toBe(true);
    }
  });
});

describe('audio on tiny-audio', () => {
  it('writes a valid 16-bit mono WAV whose length follows the image width', async () => {
    const r = await runJob({ kind: 'audio', modelDir: model('tiny-audio'), params: { ...img({ width: 64, height: 64, prompt: 'jazz piano' }), griffinLimIters: 8 } }, cache);
    const wav = Buffer.from(r.outputs[0]!.bytes);
    expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
    expect(wav.toString('latin1', 8, 12)).toBe('WAVE');
    expect(wav.readUInt16LE(20)).toBe(1); // PCM
    expect(wav.readUInt16LE(22)).toBe(1); // mono
    expect(wav.readUInt32LE(24)).toBe(22050);
    expect(wav.readUInt16LE(34)).toBe(16);
    const samples = wav.readUInt32LE(40) / 2;
    expect(samples).toBe(63 * 256); // (frames − 1) · hop
    let peak = 0;
    for (let i = 0; i < samples; i++) peak = Math.max(peak, Math.abs(wav.readInt16LE(44 + 2 * i)));
    expect(peak).toBeGreaterThan(1000); // not silent
    const again = await runJob({ kind: 'audio', modelDir: model('tiny-audio'), params: { ...img({ width: 64, height: 64, prompt: 'jazz piano' }), griffinLimIters: 8 } }, cache);
    expect(again.outputs[0]!.sha256).toBe(r.outputs[0]!.sha256);
  });
});

describe('chat on tiny-chat', () => {
  let chat: ChatPipeline;
  beforeAll(async () => {
    chat = await cache.get('chat', model('tiny-chat'));
  });

  it('greedy decoding is deterministic and stops at EOS', async () => {
    const a = await chat.run({ prompt: 'Hello', maxTokens: 120 });
    const b = await chat.run({ prompt: 'Hello', maxTokens: 120 });
    expect(a.tokenIds).toEqual(b.tokenIds);
    expect(a.finishReason).toBe('eos');
    expect(a.tokenIds.length).toBeGreaterThan(3);
    expect(new Set(a.tokenIds).size).toBeGreaterThan(3); // not one token repeated
    expect(a.text).toBe(chat.tokenizer.decode(a.tokenIds));
  });

  it('the KV cache gives the same tokens as re-running the whole sequence', async () => {
    const cached = await chat.run({ prompt: 'a photo of a cat', maxTokens: 40 });
    const full = await chat.run({ prompt: 'a photo of a cat', maxTokens: 40, noCache: true });
    expect(cached.tokenIds).toEqual(full.tokenIds);
    expect(cached.timings.ortRuns).toBe(cached.tokenIds.length + (cached.finishReason === 'eos' ? 1 : 0));
  });

  it('stops at max_tokens', async () => {
    const r = await chat.run({ prompt: 'Hello', maxTokens: 5 });
    expect(r.tokenIds).toHaveLength(5);
    expect(r.finishReason).toBe('max_tokens');
  });

  it('samples reproducibly with a seed at temperature > 0', async () => {
    const a = await chat.run({ prompt: 'Hello', maxTokens: 10, temperature: 1.0, seed: 3 });
    const b = await chat.run({ prompt: 'Hello', maxTokens: 10, temperature: 1.0, seed: 3 });
    const c = await chat.run({ prompt: 'Hello', maxTokens: 10, temperature: 1.0, seed: 4 });
    expect(a.tokenIds).toEqual(b.tokenIds);
    expect(a.tokenIds).not.toEqual(c.tokenIds);
  });
});

describe('chat on tiny-chat-llama3 (chat template, BOS from the post-processor, several EOS ids)', () => {
  let chat: ChatPipeline;
  beforeAll(async () => {
    chat = await cache.get('chat', model('tiny-chat-llama3'));
  });

  it('formats the prompt as the user turn of the chat template, with BOS once', async () => {
    const r = await chat.run({ prompt: 'Hello', maxTokens: 3 });
    const bos = chat.tokenizer.idOf('<|begin_of_text|>')!;
    const rendered =
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>' +
      '<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';
    expect(r.promptTokenIds).toEqual(chat.tokenizer.encode(rendered, { addSpecialTokens: false }));
    expect(r.promptTokenIds.filter((x) => x === bos)).toHaveLength(1);
    const raw = await chat.run({ prompt: 'Hello', maxTokens: 3, rawPrompt: true });
    expect(raw.promptTokenIds).toEqual([bos, ...chat.tokenizer.encode('Hello', { addSpecialTokens: false })]);
  });

  it('stops on any EOS id of generation_config.json', async () => {
    expect(chat.eosIds).toEqual([chat.tokenizer.idOf('<|end_of_text|>'), chat.tokenizer.idOf('<|eot_id|>')]);
    const r = await chat.run({ prompt: 'Hello', maxTokens: 120 });
    expect(r.finishReason).toBe('eos');
  });
});
