// Text → audio the Riffusion way: a Stable Diffusion model draws a mel spectrogram image; the image is decoded
// back to mel magnitudes (riffusion util/image_util.py, reversed: red channel, flip, invert, power 4, × max_value),
// mapped to linear frequency with the least-squares inverse of an HTK mel filterbank, and phased by Griffin-Lim.
import { UsageError } from '../../core/errors.js';
import { Rng } from '../rng.js';
import { encodeWav, griffinLim, melFilterbank, melToLinear } from '../dsp/audio.js';
import type { SessionOptions } from '../session.js';
import { Txt2ImgPipeline, type RawImage, type Timings, type Txt2ImgOptions } from './txt2img.js';

export interface SpectrogramParams {
  sampleRate: number;
  nFft: number;
  winLength: number;
  hopLength: number;
  minFrequency: number;
  maxFrequency: number;
  numGriffinLimIters: number;
  momentum: number;
  powerForImage: number;
  maxValue: number;
}

/** riffusion/spectrogram_params.py defaults (512 mel bins, 10 ms hop at 44.1 kHz). */
export const RIFFUSION_PARAMS: SpectrogramParams = {
  sampleRate: 44100,
  nFft: 17640,
  winLength: 4410,
  hopLength: 441,
  minFrequency: 0,
  maxFrequency: 10000,
  numGriffinLimIters: 32,
  momentum: 0.99,
  powerForImage: 0.25,
  maxValue: 30e6,
};

/**
 * Parameters for an image of the given height (mel bins). 512 rows: riffusion's own. Smaller images (tests,
 * tiny models) keep the 10 kHz band and the image mapping but use 22.05 kHz, a 2048-point FFT and 256-sample hop
 * so that the filterbank still has one or more FFT bins per mel band and Griffin-Lim stays cheap.
 */
export function spectrogramParamsFor(height: number): SpectrogramParams {
  if (height >= 512) return RIFFUSION_PARAMS;
  return { ...RIFFUSION_PARAMS, sampleRate: 22050, nFft: 2048, winLength: 1024, hopLength: 256 };
}

/** Mel magnitudes [nMels × frames] (row 0 = lowest band) from a spectrogram image. */
export function spectrogramFromImage(img: RawImage, p: SpectrogramParams): Float64Array {
  const { width: W, height: H } = img;
  const out = new Float64Array(H * W);
  const inv = 1 / p.powerForImage;
  for (let y = 0; y < H; y++) {
    const mel = H - 1 - y; // flip: the image's top row is the highest band
    for (let x = 0; x < W; x++) {
      const v = img.rgb[(y * W + x) * 3]!; // red channel
      out[mel * W + x] = ((255 - v) / 255) ** inv * p.maxValue;
    }
  }
  return out;
}

export interface AudioOptions extends Txt2ImgOptions {
  griffinLimIters?: number;
}

export interface AudioResult {
  wav: Uint8Array;
  image: RawImage;
  sampleRate: number;
  durationS: number;
  params: SpectrogramParams;
  provider: string;
  timings: Timings & { griffinLimMs: number };
}

export class AudioPipeline {
  private constructor(readonly image: Txt2ImgPipeline) {}

  static async load(dir: string, opts: SessionOptions): Promise<AudioPipeline> {
    return new AudioPipeline(await Txt2ImgPipeline.load(dir, opts));
  }

  async release(): Promise<void> {
    await this.image.release();
  }

  async run(o: AudioOptions): Promise<AudioResult> {
    const t0 = performance.now();
    if ((o.numImages ?? 1) !== 1) throw new UsageError('audio jobs make one clip: --num-images must be 1');
    const r = await this.image.run(o);
    const img = r.images[0]!;
    if (img.width < 2) throw new UsageError('audio needs an image at least 16 px wide');
    const p = spectrogramParamsFor(img.height);
    if (o.griffinLimIters !== undefined) p.numGriffinLimIters = o.griffinLimIters;
    const g0 = performance.now();
    const mel = spectrogramFromImage(img, p);
    const nFreqs = Math.floor(p.nFft / 2) + 1;
    const fb = melFilterbank(nFreqs, p.minFrequency, p.maxFrequency, img.height, p.sampleRate);
    const lin = melToLinear(mel, img.height, img.width, fb, nFreqs);
    const rng = new Rng(o.seed);
    const samples = griffinLim(lin, img.width, { nFft: p.nFft, winLength: p.winLength, hopLength: p.hopLength }, p.numGriffinLimIters, p.momentum, rng);
    const wav = encodeWav(samples, p.sampleRate);
    const griffinLimMs = performance.now() - g0;
    return {
      wav,
      image: img,
      sampleRate: p.sampleRate,
      durationS: samples.length / p.sampleRate,
      params: p,
      provider: r.provider,
      timings: { wallMs: performance.now() - t0, ortMs: r.timings.ortMs, ortRuns: r.timings.ortRuns, griffinLimMs },
    };
  }
}
