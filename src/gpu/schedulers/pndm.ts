// PNDM with skip_prk_steps (pseudo linear multistep, Liu et al. 2022), as diffusers' PNDMScheduler computes it:
// Stable Diffusion 1.x's own scheduler. n steps take n + 1 UNet runs: the second timestep is evaluated twice, the
// repeat redoing the first step from the same sample with the mean of both model outputs; later steps use the
// Adams–Bashforth combinations of the last 2–4 model outputs.
import type { Rng } from '../rng.js';
import { alphasCumprod, checkIndex, checkSteps, roundHalfEven, arangeDown, linspace, type Scheduler, type Settings } from './common.js';

export class PndmScheduler implements Scheduler {
  readonly name = 'pndm' as const;
  readonly settings: Settings;
  timesteps: number[] = [];
  readonly initNoiseSigma = 1;
  private readonly ac: number[];
  private readonly finalAlpha: number;
  private n = 0;
  /** model outputs by step index (the repeat at step 1 is not kept, as diffusers keeps it out of its ets list) */
  private readonly outputs = new Map<number, Float32Array>();
  private firstSample: Float32Array | undefined;

  constructor(settings: Settings) {
    this.settings = settings;
    this.ac = alphasCumprod(settings);
    this.finalAlpha = settings.setAlphaToOne ? 1 : this.ac[0]!;
  }

  setTimesteps(n: number): void {
    const s = this.settings;
    const N = s.numTrainTimesteps;
    checkSteps(n, N);
    this.n = n;
    let asc: number[];
    if (s.timestepSpacing === 'linspace') asc = linspace(0, N - 1, n).map(roundHalfEven);
    else if (s.timestepSpacing === 'leading') asc = Array.from({ length: n }, (_, i) => i * Math.floor(N / n) + s.stepsOffset);
    else
      asc = arangeDown(N, N / n)
        .map(roundHalfEven)
        .reverse()
        .map((t) => t - 1);
    // _timesteps[:-1] + _timesteps[-2:-1] + _timesteps[-1:], reversed
    const plms = n > 1 ? [...asc.slice(0, -1), asc[n - 2]!, asc[n - 1]!] : [asc[0]!];
    this.timesteps = plms.reverse();
    this.outputs.clear();
    this.firstSample = undefined;
  }

  scaleModelInput(latents: Float32Array): Float32Array {
    return latents;
  }

  inputScale(): number {
    return 1;
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array, _rng: Rng, out = new Float32Array(sample.length)): Float32Array {
    checkIndex(this, i);
    const ratio = Math.floor(this.settings.numTrainTimesteps / this.n);
    let t = this.timesteps[i]!;
    let prevT = t - ratio;
    const len = sample.length;
    let mo: Float32Array;
    let x = sample;
    if (i === 1) {
      // the repeat: from the first step's sample, with the mean of both outputs
      const e0 = this.outputs.get(0);
      if (!e0 || !this.firstSample) throw new RangeError('pndm: step 1 needs step 0 first');
      prevT = t;
      t = t + ratio;
      mo = new Float32Array(len);
      for (let j = 0; j < len; j++) mo[j] = (modelOutput[j]! + e0[j]!) / 2;
      x = this.firstSample;
    } else {
      this.outputs.set(i, Float32Array.from(modelOutput));
      this.outputs.delete(i - 5);
      if (i === 0) {
        this.firstSample = Float32Array.from(sample);
        mo = modelOutput;
      } else {
        // the outputs diffusers holds now: steps 0, 2, 3, …, i (the last four)
        const idx = [0, ...Array.from({ length: i - 1 }, (_, k) => k + 2)].slice(-4);
        const e = idx.map((k) => {
          const v = this.outputs.get(k);
          if (!v) throw new RangeError(`pndm: step ${i} needs step ${k} first`);
          return v;
        });
        mo = new Float32Array(len);
        const m = e.length;
        for (let j = 0; j < len; j++) {
          const a = e[m - 1]![j]!;
          if (m === 2) mo[j] = (3 * a - e[0]![j]!) / 2;
          else if (m === 3) mo[j] = (23 * a - 16 * e[1]![j]! + 5 * e[0]![j]!) / 12;
          else mo[j] = (55 * a - 59 * e[2]![j]! + 37 * e[1]![j]! - 9 * e[0]![j]!) / 24;
        }
      }
    }
    const aT = this.ac[t]!;
    const aPrev = prevT >= 0 ? this.ac[prevT]! : this.finalAlpha;
    const bT = 1 - aT;
    const sampleCoeff = Math.sqrt(aPrev / aT);
    const denom = aT * Math.sqrt(1 - aPrev) + Math.sqrt(aT * bT * aPrev);
    const c = (aPrev - aT) / denom;
    const v = this.settings.predictionType === 'v_prediction';
    const sa = Math.sqrt(aT);
    const sb = Math.sqrt(bT);
    for (let j = 0; j < len; j++) {
      const xj = x[j]!;
      const eps = v ? sa * mo[j]! + sb * xj : mo[j]!;
      out[j] = sampleCoeff * xj - c * eps;
    }
    return out;
  }
}
