// Latent consistency multistep sampling (Luo et al. 2023, Algorithm 3), as diffusers' LCMScheduler computes it:
// timesteps picked from the `original_inference_steps` distillation schedule, boundary-condition scalings
// c_skip/c_out with σ_data = 0.5 and timestep_scaling, fresh noise between steps (not after the last).
import type { Rng } from '../rng.js';
import { UsageError } from '../../core/errors.js';
import { alphasCumprod, indexOfTimestep, type Scheduler, type SchedulerConfig } from './common.js';

export class LcmScheduler implements Scheduler {
  readonly name = 'lcm' as const;
  readonly config: SchedulerConfig;
  timesteps: number[] = [];
  readonly initNoiseSigma = 1;
  private readonly ac: number[];
  private readonly finalAlpha: number;

  constructor(config: SchedulerConfig) {
    this.config = config;
    this.ac = alphasCumprod(config);
    this.finalAlpha = config.setAlphaToOne ? 1 : this.ac[0]!;
  }

  setTimesteps(n: number): void {
    const orig = this.config.originalInferenceSteps;
    if (!Number.isInteger(n) || n < 1 || n > orig) throw new UsageError(`lcm: steps must be an integer in 1..${orig} (original_inference_steps), got ${n}`);
    const k = Math.floor(this.config.numTrainTimesteps / orig);
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

  step(modelOutput: Float32Array, t: number, sample: Float32Array, rng: Rng, out = new Float32Array(sample.length)): Float32Array {
    const i = indexOfTimestep(this.timesteps, t);
    const last = i === this.timesteps.length - 1;
    const prevT = last ? t : this.timesteps[i + 1]!;
    const aT = this.ac[t]!;
    const aPrev = prevT >= 0 ? this.ac[prevT]! : this.finalAlpha;
    const sd = 0.5;
    const st = t * this.config.timestepScaling;
    const cSkip = (sd * sd) / (st * st + sd * sd);
    const cOut = st / Math.sqrt(st * st + sd * sd);
    const sa = Math.sqrt(aT);
    const sb = Math.sqrt(1 - aT);
    const pred = this.config.predictionType;
    for (let j = 0; j < sample.length; j++) {
      const x = sample[j]!;
      const m = modelOutput[j]!;
      const x0 = pred === 'epsilon' ? (x - sb * m) / sa : pred === 'v_prediction' ? sa * x - sb * m : m;
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
