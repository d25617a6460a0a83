// DPM-Solver++ (Lu et al. 2022) multistep, order 2 ("DPM++ 2M"; with Karras sigmas "DPM++ 2M Karras"), as
// diffusers' DPMSolverMultistepScheduler computes it: data (x₀) prediction, midpoint or Heun second-order update,
// first order on the first step and (lower_order_final, euler_at_final, final σ = 0) on the last. Also order 1 and
// the noise-prediction variant (algorithm_type "dpmsolver"). Works in σ = √((1−ᾱ)/ᾱ): α_t = 1/√(σ²+1),
// σ_t = σ·α_t, λ = log α_t − log σ_t = −log σ.
import type { Rng } from '../rng.js';
import {
  alphasCumprod,
  arangeDown,
  checkIndex,
  checkSteps,
  exponentialSigmas,
  f32,
  interpIndex,
  karrasSigmas,
  linspace,
  roundHalfEven,
  sigmaToT,
  trainSigmas,
  type Scheduler,
  type Settings,
} from './common.js';

export class DpmSolverScheduler implements Scheduler {
  readonly name = 'dpmpp_2m' as const;
  readonly settings: Settings;
  timesteps: number[] = [];
  /** σ for each step plus the final one. */
  sigmas: number[] = [];
  readonly initNoiseSigma = 1;
  private readonly ac: number[];
  private readonly trainSigmas: number[];
  private readonly logSigmas: number[];
  /** The converted model outputs (x₀ for dpmsolver++, ε for dpmsolver) of the last two steps, by step parity. */
  private readonly history: [Float32Array | null, Float32Array | null] = [null, null];
  private historyStep: [number, number] = [-1, -1];

  constructor(settings: Settings) {
    this.settings = settings;
    this.ac = alphasCumprod(settings, true);
    this.trainSigmas = trainSigmas(this.ac);
    this.logSigmas = this.trainSigmas.map((x) => f32(Math.log(x)));
  }

  setTimesteps(n: number): void {
    const s = this.settings;
    const N = s.numTrainTimesteps;
    checkSteps(n, N);
    // lambda_min_clipped: the schedule ends where λ = log √ᾱ − log √(1−ᾱ) drops below it
    let clipped = 0;
    if (s.lambdaMinClipped > -Infinity) {
      for (const a of this.ac) if (f32(Math.log(f32(Math.sqrt(a)))) - f32(Math.log(f32(Math.sqrt(f32(1 - a))))) < s.lambdaMinClipped) clipped++;
    }
    const last = N - clipped;
    let ts: number[];
    if (s.timestepSpacing === 'linspace') {
      ts = linspace(0, last - 1, n + 1)
        .map(roundHalfEven)
        .reverse()
        .slice(0, -1);
    } else if (s.timestepSpacing === 'leading') {
      const ratio = Math.floor(last / (n + 1));
      ts = [];
      for (let i = n; i >= 1; i--) ts.push(i * ratio + s.stepsOffset);
    } else {
      ts = arangeDown(last, N / n).map((t) => roundHalfEven(t) - 1);
    }
    let sig: number[];
    if (s.useKarrasSigmas || s.useExponentialSigmas) {
      const desc = [...this.trainSigmas].reverse();
      sig = s.useKarrasSigmas ? karrasSigmas(s, desc, n) : exponentialSigmas(s, desc, n);
      ts = sig.map((x) => sigmaToT(x, this.logSigmas));
      if (s.useKarrasSigmas && s.betaSchedule !== 'squaredcos_cap_v2') ts = ts.map(roundHalfEven);
    } else {
      sig = ts.map((t) => interpIndex(t, this.trainSigmas));
    }
    const final = s.finalSigmasType === 'sigma_min' ? f32(Math.sqrt(f32(f32(1 - this.ac[0]!) / this.ac[0]!))) : 0;
    this.sigmas = [...sig, final].map(f32);
    this.timesteps = ts.map(Math.trunc); // int64 in diffusers
    this.history[0] = this.history[1] = null;
    this.historyStep = [-1, -1];
  }

  inputScale(): number {
    return 1;
  }

  scaleModelInput(latents: Float32Array): Float32Array {
    return latents;
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array, _rng: Rng, out = new Float32Array(sample.length)): Float32Array {
    checkIndex(this, i);
    const s = this.settings;
    const n = this.timesteps.length;
    const plus = s.algorithmType === 'dpmsolver++';
    const sigS = this.sigmas[i]!;
    const sigT = this.sigmas[i + 1]!;
    const aS = 1 / Math.sqrt(sigS * sigS + 1);
    const sS = sigS * aS;
    const aT = 1 / Math.sqrt(sigT * sigT + 1);
    const sT = sigT * aT;

    // convert the model output to x₀ (dpmsolver++) or ε (dpmsolver)
    const len = sample.length;
    const slot = i % 2;
    const cur = this.history[slot]?.length === len ? this.history[slot]! : new Float32Array(len);
    const pred = s.predictionType;
    for (let j = 0; j < len; j++) {
      const x = sample[j]!;
      const m = modelOutput[j]!;
      if (plus) cur[j] = pred === 'epsilon' ? (x - sS * m) / aS : pred === 'v_prediction' ? aS * x - sS * m : m;
      else cur[j] = pred === 'epsilon' ? m : pred === 'v_prediction' ? aS * m + sS * x : (x - aS * m) / sS;
    }
    this.history[slot] = cur;
    this.historyStep[slot] = i;

    const lowerOrderFinal = i === n - 1 && (s.eulerAtFinal || (s.lowerOrderFinal && n < 15) || s.finalSigmasType === 'zero');
    const firstOrder = s.solverOrder === 1 || i < 1 || lowerOrderFinal;
    // e^{−h} with h = λ_t − λ_s = log(σ_s/σ_t) in the σ domain (0 when the target σ is 0)
    const emh = sigT / sigS;
    if (firstOrder) {
      if (plus) {
        const ca = sT / sS;
        const cb = aT * (emh - 1);
        for (let j = 0; j < len; j++) out[j] = ca * sample[j]! - cb * cur[j]!;
      } else {
        const ca = aT / aS;
        const cb = sT * (1 / emh - 1);
        for (let j = 0; j < len; j++) out[j] = ca * sample[j]! - cb * cur[j]!;
      }
      return out;
    }
    const prev = this.history[1 - slot];
    if (!prev || this.historyStep[1 - slot] !== i - 1) throw new RangeError(`dpmpp_2m: step ${i} needs step ${i - 1} first`);
    const sigS1 = this.sigmas[i - 1]!;
    const h = Math.log(sigS / sigT);
    const h0 = Math.log(sigS1 / sigS);
    const r0 = h0 / h;
    const heun = s.solverType === 'heun';
    let ca: number;
    let c0: number;
    let c1: number; // out = ca·x − c0·D0 − c1·D1, D1 = (m0 − m1)/r0
    if (plus) {
      ca = sT / sS;
      c0 = aT * (emh - 1);
      c1 = heun ? -aT * ((emh - 1) / h + 1) : 0.5 * c0;
    } else {
      const eh = Math.exp(h);
      ca = aT / aS;
      c0 = sT * (eh - 1);
      c1 = heun ? sT * ((eh - 1) / h - 1) : 0.5 * c0;
    }
    for (let j = 0; j < len; j++) {
      const m0 = cur[j]!;
      const d1 = (m0 - prev[j]!) / r0;
      out[j] = ca * sample[j]! - c0 * m0 - c1 * d1;
    }
    return out;
  }
}
