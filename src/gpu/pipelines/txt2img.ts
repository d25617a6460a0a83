// Text → image with a diffusers ONNX Stable Diffusion folder: CLIP tokenizer → text encoder → UNet loop with a
// scheduler (classifier-free guidance when guidance > 1) → latents / scaling factor → VAE decoder → PNG.
import { PNG } from 'pngjs';
import { UsageError } from '../../core/errors.js';
import { nullLogger, type Logger } from '../../core/logger.js';
import { loadDiffusersDir, type DiffusersModelDir } from '../model-dir.js';
import { Rng } from '../rng.js';
import { createScheduler, defaultSchedulerName, type SchedulerName } from '../schedulers/index.js';
import { createModel, floatData, type OrtModel, type SessionOptions } from '../session.js';
import { ClipTokenizer } from '../tokenizer/clip.js';

export interface Txt2ImgOptions {
  prompt: string;
  negativePrompt?: string;
  steps: number;
  width: number;
  height: number;
  seed: number;
  guidance: number;
  numImages?: number;
  scheduler?: SchedulerName;
  onStep?: (step: number, total: number) => void;
}

export interface Timings {
  wallMs: number;
  /** Sum of ORT session.run() times in this job. */
  ortMs: number;
  ortRuns: number;
}

export interface RawImage {
  width: number;
  height: number;
  /** RGB, row-major, values 0..255 */
  rgb: Uint8Array;
}

export interface Txt2ImgResult {
  images: RawImage[];
  scheduler: SchedulerName;
  schedulerSubstituted: boolean;
  timesteps: number[];
  promptTruncated: boolean;
  provider: string;
  timings: Timings;
}

export class Txt2ImgPipeline {
  private constructor(
    readonly model: DiffusersModelDir,
    readonly tokenizer: ClipTokenizer,
    readonly textEncoder: OrtModel,
    readonly unet: OrtModel,
    readonly vae: OrtModel,
    private readonly logger: Logger,
  ) {}

  static async load(dir: string, opts: SessionOptions): Promise<Txt2ImgPipeline> {
    const model = loadDiffusersDir(dir);
    const tokenizer = ClipTokenizer.fromDir(model.tokenizerDir);
    const textEncoder = await createModel(model.textEncoder, opts);
    const unet = await createModel(model.unet, opts);
    const vae = await createModel(model.vaeDecoder, opts);
    return new Txt2ImgPipeline(model, tokenizer, textEncoder, unet, vae, opts.logger ?? nullLogger);
  }

  get provider(): string {
    return this.unet.provider;
  }

  private ortMs(): number {
    return this.textEncoder.ortMs + this.unet.ortMs + this.vae.ortMs;
  }

  private ortRuns(): number {
    return this.textEncoder.runs + this.unet.runs + this.vae.runs;
  }

  async release(): Promise<void> {
    await Promise.all([this.textEncoder.release(), this.unet.release(), this.vae.release()]);
  }

  async run(o: Txt2ImgOptions): Promise<Txt2ImgResult> {
    const t0 = performance.now();
    const ort0 = this.ortMs();
    const runs0 = this.ortRuns();
    const B = o.numImages ?? 1;
    if (!Number.isInteger(B) || B < 1 || B > 16) throw new UsageError(`num_images must be 1..16, got ${o.numImages}`);
    for (const [k, v] of [['width', o.width], ['height', o.height]] as const) {
      if (!Number.isInteger(v) || v < 8 || v % 8 !== 0 || v > 2048) throw new UsageError(`${k} must be a multiple of 8 in 8..2048, got ${v}`, { hint: 'e.g. --size 512x512 (SD 1.5) or 64x64 for the tiny test models' });
    }
    if (!(o.guidance >= 0) || !Number.isFinite(o.guidance)) throw new UsageError(`guidance must be ≥ 0, got ${o.guidance}`);
    const cfg = o.guidance > 1;
    const def = defaultSchedulerName(this.model.scheduler);
    const schedName = o.scheduler ?? def.name;
    if (!o.scheduler && def.substituted) this.logger.debug('scheduler class not implemented, using euler', { class: this.model.scheduler.className });
    const scheduler = createScheduler(schedName, this.model.scheduler);
    scheduler.setTimesteps(o.steps);
    const rng = new Rng(o.seed);

    // 1. text embeddings: one encoder run for [negative, prompt], then tiled to the batch
    const pos = this.tokenizer.encode(o.prompt);
    const seqLen = this.tokenizer.maxLength;
    const prompts = cfg ? [this.tokenizer.encode(o.negativePrompt ?? '').ids, pos.ids] : [pos.ids];
    const idsName = this.textEncoder.inputs.has('input_ids') ? 'input_ids' : [...this.textEncoder.inputs.keys()][0]!;
    const encOut = await this.textEncoder.run({ [idsName]: this.textEncoder.intTensor(idsName, prompts.flat(), [prompts.length, seqLen]) });
    const hiddenT = encOut.last_hidden_state ?? Object.values(encOut)[0]!;
    const hidden = floatData(hiddenT);
    const rowLen = hidden.length / prompts.length;
    const rows = cfg ? 2 * B : B;
    const embeds = new Float32Array(rows * rowLen);
    for (let r = 0; r < rows; r++) {
      const src = cfg && r >= B ? 1 : 0; // [negative × B, prompt × B]
      embeds.set(hidden.subarray(src * rowLen, (src + 1) * rowLen), r * rowLen);
    }
    const embDims = [rows, ...hiddenT.dims.slice(1)];

    // 2. latents
    const lh = o.height / 8;
    const lw = o.width / 8;
    const per = 4 * lh * lw;
    const n = B * per;
    const latents = rng.normals(n);
    const sigma0 = scheduler.initNoiseSigma;
    for (let i = 0; i < n; i++) latents[i] = latents[i]! * sigma0;

    // 3. denoising loop. Buffers are allocated once per job: the UNet input (the scaled latents, twice for CFG) is
    // written in place, the guidance combine reuses the UNet output, and the scheduler steps the latents in place.
    const tsMeta = this.unet.input('timestep');
    const tsScalar = tsMeta.shape.length === 0;
    const encName = 'encoder_hidden_states';
    const embTensor = this.unet.floatTensor(encName, embeds, embDims);
    const sampleIn = new Float32Array(rows * per);
    const sampleDims = [rows, 4, lh, lw];
    // float32 inputs wrap the buffer, so one tensor serves every step; float16 exports need a fresh conversion
    const sampleF32 = (this.unet.inputs.get('sample')?.type ?? 'float32') === 'float32';
    const sampleTensor = sampleF32 ? this.unet.floatTensor('sample', sampleIn, sampleDims) : undefined;
    const g = o.guidance;
    const total = scheduler.timesteps.length;
    let i = 0;
    for (const t of scheduler.timesteps) {
      const k = scheduler.inputScale(t);
      if (k === 1) {
        sampleIn.set(latents, 0);
        if (cfg) sampleIn.set(latents, n);
      } else {
        for (let j = 0; j < n; j++) sampleIn[j] = latents[j]! * k;
        if (cfg) sampleIn.copyWithin(n, 0, n);
      }
      const out = await this.unet.run({
        sample: sampleTensor ?? this.unet.floatTensor('sample', sampleIn, sampleDims),
        timestep: this.unet.intTensor('timestep', [t], tsScalar ? [] : [1]),
        [encName]: embTensor,
      });
      const pred = floatData(out.out_sample ?? Object.values(out)[0]!);
      if (cfg) {
        // uncond + g·(cond − uncond), into the uncond half of the output
        for (let j = 0; j < n; j++) {
          const u = pred[j]!;
          pred[j] = u + g * (pred[j + n]! - u);
        }
      }
      scheduler.step(pred.length === n ? pred : pred.subarray(0, n), t, latents, rng, latents);
      i++;
      o.onStep?.(i, total);
    }

    // 4. VAE
    const inv = 1 / this.model.vaeScalingFactor;
    for (let j = 0; j < n; j++) latents[j] = latents[j]! * inv;
    const vaeIn = this.vae.inputs.has('latent_sample') ? 'latent_sample' : [...this.vae.inputs.keys()][0]!;
    const dec = await this.vae.run({ [vaeIn]: this.vae.floatTensor(vaeIn, latents, [B, 4, lh, lw]) });
    const decT = dec.sample ?? Object.values(dec)[0]!;
    const [, , H, W] = decT.dims as number[];
    const images = toRgbImages(floatData(decT), B, H!, W!);
    return {
      images,
      scheduler: schedName,
      schedulerSubstituted: !o.scheduler && def.substituted,
      timesteps: [...scheduler.timesteps],
      promptTruncated: pos.truncated,
      provider: this.provider,
      timings: { wallMs: performance.now() - t0, ortMs: this.ortMs() - ort0, ortRuns: this.ortRuns() - runs0 },
    };
  }
}

/** [B,3,H,W] floats in −1..1 → B interleaved RGB8 images: (x/2 + 0.5) clamped to 0..1, × 255, rounded. */
export function toRgbImages(img: Float32Array, B: number, H: number, W: number): RawImage[] {
  const images: RawImage[] = [];
  const plane = H * W;
  for (let b = 0; b < B; b++) {
    const rgb = new Uint8Array(plane * 3);
    for (let c = 0; c < 3; c++) {
      const base = (b * 3 + c) * plane;
      // one sequential pass over each channel plane; x*0.5 is exactly x/2
      for (let p = 0, q = c; p < plane; p++, q += 3) {
        const v = img[base + p]! * 0.5 + 0.5;
        rgb[q] = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
      }
    }
    images.push({ width: W, height: H, rgb });
  }
  return images;
}

/** RGB → PNG bytes (8-bit, no alpha). */
export function encodePng(img: RawImage): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height, colorType: 2, inputColorType: 2, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(img.rgb.buffer, img.rgb.byteOffset, img.rgb.byteLength);
  return new Uint8Array(PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false }));
}
