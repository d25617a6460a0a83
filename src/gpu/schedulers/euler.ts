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

  scaleModelInput(latents: Float32Array, t: number): Float32Array {
    const sigma = this.sigmas[indexOfTimestep(this.timesteps, t)]!;
    const k = 1 / Math.sqrt(sigma * sigma + 1);
    const out = new Float32Array(latents.length);
    for (let i = 0; i < latents.length; i++) out[i] = latents[i]! * k;
    return out;
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array, rng: Rng): Float32Array {
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
    const out = new Float32Array(sample.length);
    const c = 1 / (sigma * sigma + 1);
    const vScale = -sigma / Math.sqrt(sigma * sigma + 1);
    for (let j = 0; j < sample.length; j++) {
      const x = sample[j]!;
      const m = modelOutput[j]!;
      const x0 = pred === 'epsilon' ? x - sigma * m : pred === 'v_prediction' ? m * vScale + x * c : m;
      const d = (x - x0) / sigma;
      out[j] = x + d * dt;
    }
    if (sigmaUp > 0) for (let j = 0; j < out.length; j++) out[j] = out[j]! + rng.normal() * sigmaUp;
    return out;
  }
}
