// Latent consistency multistep sampling (Luo et al. 2023, Algorithm 3), as diffusers' LCMScheduler computes it:
// timesteps picked from the `original_inference_steps` distillation schedule, boundary-condition scalings
// c_skip/c_out with σ_data = 0.5 and timestep_scaling, x₀ clamped when clip_sample, fresh noise between steps
// (not after the last).
import type { Rng } from '../rng.js';
import { UsageError } from '../../core/errors.js';
import { alphasCumprod, checkIndex, clampRange, type Scheduler, type Settings } from './common.js';

export class LcmScheduler implements Scheduler {
  readonly name = 'lcm' as const;
  readonly settings: Settings;
  timesteps: number[] = [];
  readonly initNoiseSigma = 1;
  private readonly ac: number[];
  private readonly finalAlpha: number;

  constructor(settings: Settings) {
    this.settings = settings;
    this.ac = alphasCumprod(settings);
    this.finalAlpha = settings.setAlphaToOne ? 1 : this.ac[0]!;
  }

  setTimesteps(n: number): void {
    const orig = this.settings.originalInferenceSteps;
    if (!Number.isInteger(n) || n < 1 || n > orig) throw new UsageError(`lcm: steps must be an integer in 1..${orig} (original_inference_steps), got ${n}`);
    const k = Math.floor(this.settings.numTrainTimesteps / orig);
    const origin: number[] = [];
    for (let i = orig; i >= 1; i--) origin.push(i * k - 1); // descending
    const ts: number[] = [];
    for (let i = 0; i < n; i++) ts.push(origin[Math.floor((i * origin.length) / n)]!);
    this.timesteps = ts;
  }

  scaleModelInput(latents: Float32Array): Float32Array {
    return latents;
  }

  inputScale(): number {
    return 1;
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array, rng: Rng, out = new Float32Array(sample.length)): Float32Array {
    checkIndex(this, i);
    const t = this.timesteps[i]!;
    const last = i === this.timesteps.length - 1;
    const prevT = last ? t : this.timesteps[i + 1]!;
    const aT = this.ac[t]!;
    const aPrev = prevT >= 0 ? this.ac[prevT]! : this.finalAlpha;
    const sd = 0.5;
    const st = t * this.settings.timestepScaling;
    const cSkip = (sd * sd) / (st * st + sd * sd);
    const cOut = st / Math.sqrt(st * st + sd * sd);
    const sa = Math.sqrt(aT);
    const sb = Math.sqrt(1 - aT);
    const pred = this.settings.predictionType;
    const clip = this.settings.clipSample;
    const range = this.settings.clipSampleRange;
    for (let j = 0; j < sample.length; j++) {
      const x = sample[j]!;
      const m = modelOutput[j]!;
      let x0 = pred === 'epsilon' ? (x - sb * m) / sa : pred === 'v_prediction' ? sa * x - sb * m : m;
      if (clip) x0 = clampRange(x0, range);
      out[j] = cOut * x0 + cSkip * x;
    }
    if (!last) {
      const a = Math.sqrt(aPrev);
      const b = Math.sqrt(1 - aPrev);
      for (let j = 0; j < out.length; j++) out[j] = a * out[j]! + b * rng.normal();
    }
    return out;
  }
}
