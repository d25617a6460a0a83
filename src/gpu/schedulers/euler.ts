// Euler (Karras et al. 2022, Algorithm 2 with s_churn = 0) and Euler ancestral, as diffusers'
// EulerDiscreteScheduler / EulerAncestralDiscreteScheduler compute them.
import type { Rng } from '../rng.js';
import { alphasCumprod, indexOfTimestep, interpIndex, spacedTimesteps, type Scheduler, type SchedulerConfig } from './common.js';

export class EulerScheduler implements Scheduler {
  readonly name: 'euler' | 'euler_a';
  readonly config: SchedulerConfig;
  timesteps: number[] = [];
  /** σ for each timestep plus a final 0. */
  sigmas: number[] = [];
  initNoiseSigma = 1;
  private readonly trainSigmas: number[];

  constructor(config: SchedulerConfig, ancestral = false) {
    this.config = config;
    this.name = ancestral ? 'euler_a' : 'euler';
    this.trainSigmas = alphasCumprod(config).map((a) => Math.sqrt((1 - a) / a));
  }

  setTimesteps(n: number): void {
    this.timesteps = spacedTimesteps(this.config, n, false);
    this.sigmas = [...this.timesteps.map((t) => interpIndex(t, this.trainSigmas)), 0];
    const max = Math.max(...this.sigmas);
    this.initNoiseSigma = this.config.timestepSpacing === 'leading' ? Math.sqrt(max * max + 1) : max;
  }

  inputScale(t: number): number {
    const sigma = this.sigmas[indexOfTimestep(this.timesteps, t)]!;
    return 1 / Math.sqrt(sigma * sigma + 1);
  }

  scaleModelInput(latents: Float32Array, t: number): Float32Array {
    const k = this.inputScale(t);
    const out = new Float32Array(latents.length);
    for (let i = 0; i < latents.length; i++) out[i] = latents[i]! * k;
    return out;
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, rng: Rng, out = new Float32Array(sample.length)): Float32Array {
    const i = indexOfTimestep(this.timesteps, t);
    const sigma = this.sigmas[i]!;
    const sigmaNext = this.sigmas[i + 1]!;
    const pred = this.config.predictionType;
    let sigmaTarget = sigmaNext;
    let sigmaUp = 0;
    if (this.name === 'euler_a') {
      sigmaUp = Math.sqrt((sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext)) / (sigma * sigma));
      sigmaTarget = Math.sqrt(sigmaNext * sigmaNext - sigmaUp * sigmaUp);
    }
    const dt = sigmaTarget - sigma;
    const c = 1 / (sigma * sigma + 1);
    const vScale = -sigma / Math.sqrt(sigma * sigma + 1);
    const n = sample.length;
    // one loop per prediction type (same arithmetic as the combined expression, without a branch per element)
    if (pred === 'epsilon') {
      for (let j = 0; j < n; j++) {
        const x = sample[j]!;
        const d = (x - (x - sigma * modelOutput[j]!)) / sigma;
        out[j] = x + d * dt;
      }
    } else if (pred === 'v_prediction') {
      for (let j = 0; j < n; j++) {
        const x = sample[j]!;
        const d = (x - (modelOutput[j]! * vScale + x * c)) / sigma;
        out[j] = x + d * dt;
      }
    } else {
      for (let j = 0; j < n; j++) {
        const x = sample[j]!;
        const d = (x - modelOutput[j]!) / sigma;
        out[j] = x + d * dt;
      }
    }
    if (sigmaUp > 0) for (let j = 0; j < n; j++) out[j] = out[j]! + rng.normal() * sigmaUp;
    return out;
  }
}
