import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { PipelineCache, runJob, type ImageParams } from '../../src/gpu/jobs.js';
import { ChatPipeline } from '../../src/gpu/pipelines/chat.js';
import { encodePng, toRgbImages } from '../../src/gpu/pipelines/txt2img.js';
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
  });

  it('makes num_images images in one batch', async () => {
    const r = await runJob({ kind: 'image', modelDir: model('tiny-sd'), params: img({ numImages: 2 }) }, cache);
    expect(r.outputs).toHaveLength(2);
    expect(r.outputs[0]!.sha256).not.toBe(r.outputs[1]!.sha256);
  });

  it('loads the optimum variant (int64 input_ids, scalar timestep) from its metadata and gets the same image', async () => {
    const a = await runJob({ kind: 'image', modelDir: model('tiny-sd'), params: img() }, cache);
    const b = await runJob({ kind: 'image', modelDir: model('tiny-sd-optimum'), params: img() }, cache);
    const p = await cache.get('image', model('tiny-sd-optimum'));
    expect(p.textEncoder.input('input_ids').type).toBe('int64');
    expect(p.unet.input('timestep').shape).toEqual([]);
    expect(b.outputs[0]!.sha256).toBe(a.outputs[0]!.sha256); // same weights: only the I/O types differ
  });

  it('refuses sizes that are not multiples of 8', async () => {
    await expect(runJob({ kind: 'image', modelDir: model('tiny-sd'), params: img({ width: 60 }) }, cache)).rejects.toThrow(/multiple of 8/);
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
    for (const [W, H] of [[1, 1], [1, 4], [5, 1], [7, 3], [64, 48]] as const) {
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
