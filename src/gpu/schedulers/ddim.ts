// DDIM (Song et al. 2020) with η = 0, as diffusers' DDIMScheduler computes it, clip_sample included (its default:
// x₀ clamped to ±clip_sample_range before the update; ε is not recomputed from the clamped x₀).
import type { Rng } from '../rng.js';
import { alphasCumprod, checkIndex, clampRange, spacedTimesteps, type Scheduler, type Settings } from './common.js';

export class DdimScheduler implements Scheduler {
  readonly name = 'ddim' as const;
  readonly settings: Settings;
  timesteps: number[] = [];
  readonly initNoiseSigma = 1;
  private readonly ac: number[];
  private readonly finalAlpha: number;
  private n = 0;

  constructor(settings: Settings) {
    this.settings = settings;
    this.ac = alphasCumprod(settings);
    this.finalAlpha = settings.setAlphaToOne ? 1 : this.ac[0]!;
  }

  setTimesteps(n: number): void {
    this.n = n;
    this.timesteps = spacedTimesteps(this.settings, n, true);
  }

  scaleModelInput(latents: Float32Array): Float32Array {
    return latents;
  }

  inputScale(): number {
    return 1;
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array, _rng: Rng, out = new Float32Array(sample.length)): Float32Array {
    checkIndex(this, i);
    const t = this.timesteps[i]!;
    // diffusers steps back by N // n whatever the spacing
    const prevT = t - Math.floor(this.settings.numTrainTimesteps / this.n);
    const aT = this.ac[t]!;
    const aPrev = prevT >= 0 ? this.ac[prevT]! : this.finalAlpha;
    const sa = Math.sqrt(aT);
    const sb = Math.sqrt(1 - aT);
    const sap = Math.sqrt(aPrev);
    const sbp = Math.sqrt(1 - aPrev);
    const pred = this.settings.predictionType;
    const clip = this.settings.clipSample;
    const range = this.settings.clipSampleRange;
    for (let j = 0; j < sample.length; j++) {
      const x = sample[j]!;
      const m = modelOutput[j]!;
      let x0: number;
      let eps: number;
      if (pred === 'epsilon') {
        x0 = (x - sb * m) / sa;
        eps = m;
      } else if (pred === 'v_prediction') {
        x0 = sa * x - sb * m;
        eps = sa * m + sb * x;
      } else {
        x0 = m;
        eps = (x - sa * m) / sb;
      }
      if (clip) x0 = clampRange(x0, range);
      out[j] = sap * x0 + sbp * eps;
    }
    return out;
  }
}
