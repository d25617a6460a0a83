// Euler (Karras et al. 2022, Algorithm 2 with s_churn = 0) and Euler ancestral, as diffusers'
// EulerDiscreteScheduler / EulerAncestralDiscreteScheduler compute them, with Euler's σ-schedule options
// (Karras, exponential, log-linear interpolation, final σ_min, continuous timesteps).
import type { Rng } from '../rng.js';
import {
  alphasCumprod,
  checkIndex,
  checkSteps,
  exponentialSigmas,
  f32,
  interpIndex,
  karrasSigmas,
  linspace,
  scaleBy,
  sigmaToT,
  spacedTimesteps,
  trainSigmas,
  type Scheduler,
  type Settings,
} from './common.js';

export class EulerScheduler implements Scheduler {
  readonly name: 'euler' | 'euler_a';
  readonly settings: Settings;
  timesteps: number[] = [];
  /** σ for each step plus the final one (0, or σ_min with final_sigmas_type "sigma_min"). */
  sigmas: number[] = [];
  initNoiseSigma = 1;
  private readonly ac: number[];
  private readonly trainSigmas: number[];
  private readonly logSigmas: number[];

  constructor(settings: Settings, ancestral = false) {
    this.settings = settings;
    this.name = ancestral ? 'euler_a' : 'euler';
    this.ac = alphasCumprod(settings, true);
    this.trainSigmas = trainSigmas(this.ac);
    this.logSigmas = this.trainSigmas.map((x) => f32(Math.log(x)));
  }

  setTimesteps(n: number): void {
    const s = this.settings;
    checkSteps(n, s.numTrainTimesteps);
    const full = this.name === 'euler'; // the ancestral class has none of the σ-schedule options
    let ts = spacedTimesteps(s, n, false);
    let sig: number[];
    if (full && s.interpolationType === 'log_linear') {
      // diffusers uses n + 1 σs here (one more than timesteps), and so steps to σ_min before the final σ
      const ends = [Math.log(this.trainSigmas[this.trainSigmas.length - 1]!), Math.log(this.trainSigmas[0]!)];
      sig = linspace(f32(ends[0]!), f32(ends[1]!), n + 1).map((x) => f32(Math.exp(f32(x))));
    } else {
      sig = ts.map((t) => interpIndex(t, this.trainSigmas));
    }
    if (full && (s.useKarrasSigmas || s.useExponentialSigmas)) {
      sig = s.useKarrasSigmas ? karrasSigmas(s, sig, n) : exponentialSigmas(s, sig, n);
      ts = sig.map((x) => sigmaToT(x, this.logSigmas));
    }
    const last = full && s.finalSigmasType === 'sigma_min' ? f32(Math.sqrt(f32(f32(1 - this.ac[0]!) / this.ac[0]!))) : 0;
    this.sigmas = [...sig, last].map(f32);
    if (full && s.timestepType === 'continuous' && s.predictionType === 'v_prediction') {
      ts = this.sigmas.slice(0, -1).map((x) => 0.25 * Math.log(x));
    }
    this.timesteps = ts.map(f32);
    const max = Math.max(...this.sigmas);
    this.initNoiseSigma = s.timestepSpacing === 'leading' ? f32(Math.sqrt(f32(max * max + 1))) : max;
  }

  inputScale(i: number): number {
    checkIndex(this, i);
    const sigma = this.sigmas[i]!;
    return 1 / Math.sqrt(sigma * sigma + 1);
  }

  scaleModelInput(latents: Float32Array, i: number): Float32Array {
    return scaleBy(latents, this.inputScale(i));
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array, rng: Rng, out = new Float32Array(sample.length)): Float32Array {
    checkIndex(this, i);
    const sigma = this.sigmas[i]!;
    const sigmaNext = this.sigmas[i + 1]!;
    const pred = this.settings.predictionType;
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
