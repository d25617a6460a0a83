// Scheduler configuration (diffusers scheduler_config.json) and the pieces the schedulers share.
// Formulas follow diffusers' scheduling_*.py; computed in float64.
import type { Rng } from '../rng.js';
import { UsageError } from '../../core/errors.js';

export type BetaSchedule = 'scaled_linear' | 'linear';
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';

export interface SchedulerConfig {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
  timestepSpacing: TimestepSpacing;
  stepsOffset: number;
  predictionType: PredictionType;
  setAlphaToOne: boolean;
  originalInferenceSteps: number;
  timestepScaling: number;
  className?: string;
}

export const DEFAULT_CONFIG: SchedulerConfig = {
  numTrainTimesteps: 1000,
  betaStart: 0.00085,
  betaEnd: 0.012,
  betaSchedule: 'scaled_linear',
  timestepSpacing: 'leading',
  stepsOffset: 1,
  predictionType: 'epsilon',
  setAlphaToOne: false,
  originalInferenceSteps: 50,
  timestepScaling: 10,
};

/** Reads the fields we use from a diffusers scheduler_config.json object; unknown values are refused. */
export function parseSchedulerConfig(raw: Record<string, unknown>): SchedulerConfig {
  const num = (k: string, d: number) => (typeof raw[k] === 'number' ? (raw[k] as number) : d);
  const oneOf = <T extends string>(k: string, allowed: readonly T[], d: T): T => {
    const v = raw[k];
    if (v === undefined || v === null) return d;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    throw new UsageError(`scheduler_config.json: ${k}="${String(v)}" is not supported (supported: ${allowed.join(', ')})`, { code: 'scheduler_config' });
  };
  if (raw.trained_betas !== undefined && raw.trained_betas !== null) {
    throw new UsageError('scheduler_config.json: trained_betas is not supported', { code: 'scheduler_config' });
  }
  return {
    numTrainTimesteps: num('num_train_timesteps', DEFAULT_CONFIG.numTrainTimesteps),
    betaStart: num('beta_start', DEFAULT_CONFIG.betaStart),
    betaEnd: num('beta_end', DEFAULT_CONFIG.betaEnd),
    betaSchedule: oneOf('beta_schedule', ['scaled_linear', 'linear'] as const, 'linear'),
    timestepSpacing: oneOf('timestep_spacing', ['leading', 'trailing', 'linspace'] as const, 'leading'),
    stepsOffset: num('steps_offset', 0),
    predictionType: oneOf('prediction_type', ['epsilon', 'v_prediction', 'sample'] as const, 'epsilon'),
    setAlphaToOne: typeof raw.set_alpha_to_one === 'boolean' ? raw.set_alpha_to_one : true,
    originalInferenceSteps: num('original_inference_steps', DEFAULT_CONFIG.originalInferenceSteps),
    timestepScaling: num('timestep_scaling', DEFAULT_CONFIG.timestepScaling),
    className: typeof raw._class_name === 'string' ? raw._class_name : undefined,
  };
}

export function linspace(start: number, end: number, n: number): number[] {
  if (n === 1) return [start];
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = start + ((end - start) * i) / (n - 1);
  return out;
}

export function betas(cfg: SchedulerConfig): number[] {
  const n = cfg.numTrainTimesteps;
  if (cfg.betaSchedule === 'linear') return linspace(cfg.betaStart, cfg.betaEnd, n);
  return linspace(Math.sqrt(cfg.betaStart), Math.sqrt(cfg.betaEnd), n).map((x) => x * x);
}

export function alphasCumprod(cfg: SchedulerConfig): number[] {
  const out: number[] = [];
  let p = 1;
  for (const b of betas(cfg)) {
    p *= 1 - b;
    out.push(p);
  }
  return out;
}

/** numpy.round: half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Discrete timesteps (descending) as diffusers' DDIM/Euler set_timesteps compute them.
 * leading: arange(n)·(N//n) + offset; trailing: round(arange(N, 0, −N/n)) − 1; linspace: linspace(0, N−1, n)
 * (kept fractional when `integer` is false, as Euler does).
 */
export function spacedTimesteps(cfg: SchedulerConfig, n: number, integer: boolean): number[] {
  const N = cfg.numTrainTimesteps;
  if (!Number.isInteger(n) || n < 1 || n > N) throw new UsageError(`steps must be an integer in 1..${N}, got ${n}`);
  let ts: number[];
  if (cfg.timestepSpacing === 'linspace') {
    ts = linspace(0, N - 1, n).reverse();
    if (integer) ts = ts.map(roundHalfEven);
  } else if (cfg.timestepSpacing === 'leading') {
    const ratio = Math.floor(N / n);
    ts = [];
    for (let i = n - 1; i >= 0; i--) ts.push(i * ratio + cfg.stepsOffset);
  } else {
    const ratio = N / n;
    ts = [];
    for (let i = 0; i < n; i++) ts.push(roundHalfEven(N - i * ratio) - 1);
  }
  return ts;
}

/** numpy.interp over xp = 0..len-1. */
export function interpIndex(x: number, fp: readonly number[]): number {
  if (x <= 0) return fp[0]!;
  if (x >= fp.length - 1) return fp[fp.length - 1]!;
  const i = Math.floor(x);
  const f = x - i;
  return fp[i]! * (1 - f) + fp[i + 1]! * f;
}

export type SchedulerName = 'euler' | 'euler_a' | 'ddim' | 'lcm';
export const SCHEDULER_NAMES: readonly SchedulerName[] = ['euler', 'euler_a', 'ddim', 'lcm'];

export interface Scheduler {
  readonly name: SchedulerName;
  readonly config: SchedulerConfig;
  /** Descending timesteps for the current schedule (what the UNet receives). */
  readonly timesteps: readonly number[];
  /** Scale of the initial noise: latents = N(0,1) · initNoiseSigma. */
  readonly initNoiseSigma: number;
  setTimesteps(n: number): void;
  /** Input scaling before the UNet (Euler divides by √(σ²+1); DDIM/LCM return the input). */
  scaleModelInput(latents: Float32Array, t: number): Float32Array;
  /** The factor scaleModelInput multiplies by at timestep t (1 for DDIM/LCM), for callers that scale in place. */
  inputScale(t: number): number;
  /**
   * One denoising step: returns the sample for the next timestep, written into `out` when given (which may be
   * `sample` itself: the update is elementwise), else into a new array.
   */
  step(modelOutput: Float32Array, t: number, sample: Float32Array, rng: Rng, out?: Float32Array): Float32Array;
}

export function indexOfTimestep(timesteps: readonly number[], t: number): number {
  const i = timesteps.indexOf(t);
  if (i < 0) throw new RangeError(`timestep ${t} is not in the schedule`);
  return i;
}
