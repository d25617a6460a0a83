// Scheduler configuration (diffusers scheduler_config.json) and the pieces the schedulers share.
// Formulas follow diffusers' scheduling_*.py. diffusers keeps betas, alphas_cumprod and sigmas in float32; so do we
// (Math.fround at the same points), because Karras/DPM timesteps are rounded and must land on the same integers.
import type { Rng } from '../rng.js';
import { UsageError } from '../../core/errors.js';

export type BetaSchedule = 'scaled_linear' | 'linear' | 'squaredcos_cap_v2';
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';

export type SchedulerName = 'euler' | 'euler_a' | 'ddim' | 'lcm' | 'dpmpp_2m' | 'pndm';
export const SCHEDULER_NAMES: readonly SchedulerName[] = ['euler', 'euler_a', 'ddim', 'lcm', 'dpmpp_2m', 'pndm'];

/** The diffusers class each scheduler reproduces. */
export const SCHEDULER_CLASSES: Record<SchedulerName, string> = {
  euler: 'EulerDiscreteScheduler',
  euler_a: 'EulerAncestralDiscreteScheduler',
  ddim: 'DDIMScheduler',
  lcm: 'LCMScheduler',
  dpmpp_2m: 'DPMSolverMultistepScheduler',
  pndm: 'PNDMScheduler',
};

/**
 * A scheduler_config.json as written: the keys it has (absent keys take the defaults of whichever scheduler class
 * is created from it, as diffusers' `Class.from_config(config)` does).
 */
export interface SchedulerConfig {
  className?: string;
  raw: Readonly<Record<string, unknown>>;
}

/** Every setting a scheduler here reads, resolved for one class. */
export interface Settings {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
  trainedBetas: number[] | null;
  rescaleBetasZeroSnr: boolean;
  predictionType: PredictionType;
  timestepSpacing: TimestepSpacing;
  stepsOffset: number;
  // DDIM, LCM
  setAlphaToOne: boolean;
  clipSample: boolean;
  clipSampleRange: number;
  // LCM
  originalInferenceSteps: number;
  timestepScaling: number;
  // Euler, DPM-Solver
  useKarrasSigmas: boolean;
  useExponentialSigmas: boolean;
  sigmaMin: number | null;
  sigmaMax: number | null;
  finalSigmasType: 'zero' | 'sigma_min';
  // Euler
  interpolationType: 'linear' | 'log_linear';
  timestepType: 'discrete' | 'continuous';
  // DPM-Solver
  solverOrder: 1 | 2;
  algorithmType: 'dpmsolver++' | 'dpmsolver';
  solverType: 'midpoint' | 'heun';
  lowerOrderFinal: boolean;
  eulerAtFinal: boolean;
  lambdaMinClipped: number;
}

const BASE: Settings = {
  numTrainTimesteps: 1000,
  betaStart: 0.0001,
  betaEnd: 0.02,
  betaSchedule: 'linear',
  trainedBetas: null,
  rescaleBetasZeroSnr: false,
  predictionType: 'epsilon',
  timestepSpacing: 'leading',
  stepsOffset: 0,
  setAlphaToOne: true,
  clipSample: false,
  clipSampleRange: 1,
  originalInferenceSteps: 50,
  timestepScaling: 10,
  useKarrasSigmas: false,
  useExponentialSigmas: false,
  sigmaMin: null,
  sigmaMax: null,
  finalSigmasType: 'zero',
  interpolationType: 'linear',
  timestepType: 'discrete',
  solverOrder: 2,
  algorithmType: 'dpmsolver++',
  solverType: 'midpoint',
  lowerOrderFinal: true,
  eulerAtFinal: false,
  lambdaMinClipped: -Infinity,
};

/** Each class's __init__ defaults where they differ from BASE (diffusers 0.3x–0.4x). */
const CLASS_DEFAULTS: Record<SchedulerName, Partial<Settings>> = {
  euler: { timestepSpacing: 'linspace' },
  euler_a: { timestepSpacing: 'linspace' },
  ddim: { clipSample: true },
  lcm: { betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear' },
  dpmpp_2m: { timestepSpacing: 'linspace' },
  pndm: { setAlphaToOne: false },
};

type Kind = 'number' | 'boolean' | readonly string[];
interface KeyRule {
  field: keyof Settings;
  kind: Kind;
}

const COMMON_KEYS: Record<string, KeyRule> = {
  num_train_timesteps: { field: 'numTrainTimesteps', kind: 'number' },
  beta_start: { field: 'betaStart', kind: 'number' },
  beta_end: { field: 'betaEnd', kind: 'number' },
  beta_schedule: { field: 'betaSchedule', kind: ['linear', 'scaled_linear', 'squaredcos_cap_v2'] },
  rescale_betas_zero_snr: { field: 'rescaleBetasZeroSnr', kind: 'boolean' },
  prediction_type: { field: 'predictionType', kind: ['epsilon', 'v_prediction', 'sample'] },
  steps_offset: { field: 'stepsOffset', kind: 'number' },
};
const SPACING: Record<string, KeyRule> = { timestep_spacing: { field: 'timestepSpacing', kind: ['leading', 'trailing', 'linspace'] } };
const CLIP: Record<string, KeyRule> = {
  clip_sample: { field: 'clipSample', kind: 'boolean' },
  clip_sample_range: { field: 'clipSampleRange', kind: 'number' },
  set_alpha_to_one: { field: 'setAlphaToOne', kind: 'boolean' },
};
const SIGMAS: Record<string, KeyRule> = {
  use_karras_sigmas: { field: 'useKarrasSigmas', kind: 'boolean' },
  use_exponential_sigmas: { field: 'useExponentialSigmas', kind: 'boolean' },
  final_sigmas_type: { field: 'finalSigmasType', kind: ['zero', 'sigma_min'] },
};

/** The keys each class honours (what its diffusers __init__ takes and uses), with their types. */
const CLASS_KEYS: Record<SchedulerName, Record<string, KeyRule>> = {
  euler: {
    ...COMMON_KEYS,
    ...SPACING,
    ...SIGMAS,
    interpolation_type: { field: 'interpolationType', kind: ['linear', 'log_linear'] },
    timestep_type: { field: 'timestepType', kind: ['discrete', 'continuous'] },
  },
  euler_a: { ...COMMON_KEYS, ...SPACING },
  ddim: { ...COMMON_KEYS, ...SPACING, ...CLIP },
  lcm: {
    ...COMMON_KEYS,
    ...CLIP,
    original_inference_steps: { field: 'originalInferenceSteps', kind: 'number' },
    timestep_scaling: { field: 'timestepScaling', kind: 'number' },
  },
  pndm: {
    ...Object.fromEntries(Object.entries(COMMON_KEYS).filter(([k]) => k !== 'rescale_betas_zero_snr')),
    ...SPACING,
    set_alpha_to_one: { field: 'setAlphaToOne', kind: 'boolean' },
  },
  dpmpp_2m: {
    ...COMMON_KEYS,
    ...SPACING,
    ...SIGMAS,
    solver_order: { field: 'solverOrder', kind: 'number' },
    algorithm_type: { field: 'algorithmType', kind: ['dpmsolver++', 'dpmsolver'] },
    solver_type: { field: 'solverType', kind: ['midpoint', 'heun'] },
    lower_order_final: { field: 'lowerOrderFinal', kind: 'boolean' },
    euler_at_final: { field: 'eulerAtFinal', kind: 'boolean' },
    lambda_min_clipped: { field: 'lambdaMinClipped', kind: 'number' },
  },
};

/**
 * Keys whose non-default values change the result in a way not implemented here: refused by name (a key a class
 * does not take is ignored, as diffusers ignores it). The value is the only one accepted.
 */
const REFUSED: Record<SchedulerName, Record<string, unknown>> = {
  euler: { use_beta_sigmas: false },
  euler_a: {},
  ddim: { thresholding: false },
  lcm: { thresholding: false },
  pndm: {},
  dpmpp_2m: { thresholding: false, use_beta_sigmas: false, use_lu_lambdas: false, use_flow_sigmas: false, use_dynamic_shifting: false, variance_type: null },
};

const refuse = (key: string, msg: string): never => {
  throw new UsageError(`scheduler_config.json: ${key} ${msg}`, { code: 'scheduler_config', hint: 'pick another scheduler with --scheduler, or edit the config' });
};

/** Reads a diffusers scheduler_config.json object; values of the wrong type are refused here, per class later. */
export function parseSchedulerConfig(raw: Record<string, unknown>): SchedulerConfig {
  const all: Record<string, KeyRule> = Object.assign({}, ...Object.values(CLASS_KEYS));
  for (const [k, rule] of Object.entries(all)) checkValue(k, raw[k], rule.kind);
  const tb = raw.trained_betas;
  if (tb !== undefined && tb !== null && !(Array.isArray(tb) && tb.every((b) => typeof b === 'number'))) refuse('trained_betas', 'must be a list of numbers or null');
  return { className: typeof raw._class_name === 'string' ? raw._class_name : undefined, raw: { ...raw } };
}

function checkValue(key: string, v: unknown, kind: Kind): void {
  if (v === undefined || v === null) return;
  if (kind === 'number' ? typeof v === 'number' : kind === 'boolean' ? typeof v === 'boolean' : typeof v === 'string' && kind.includes(v)) return;
  if (typeof kind === 'object') refuse(key, `"${String(v)}" is not supported (supported: ${kind.join(', ')})`);
  refuse(key, `must be a ${kind}, got ${JSON.stringify(v)}`);
}

/**
 * The settings scheduler `name` runs with for this config: the config's keys over the class's defaults (diffusers'
 * from_config). Picking dpmpp_2m for another class's config (e.g. SD 1.5's PNDM) gives "DPM++ 2M Karras", the
 * usual choice: Karras sigmas unless the config says use_karras_sigmas. Throws UsageError naming a key it cannot honour.
 */
export function resolveSettings(name: SchedulerName, cfg: SchedulerConfig): Settings {
  const raw = cfg.raw;
  const s: Settings = { ...BASE, ...CLASS_DEFAULTS[name] };
  if (name === 'dpmpp_2m' && cfg.className !== SCHEDULER_CLASSES.dpmpp_2m) s.useKarrasSigmas = true;
  const out = s as unknown as Record<string, unknown>;
  for (const [k, rule] of Object.entries(CLASS_KEYS[name])) {
    const v = raw[k];
    if (v === undefined || v === null) continue;
    checkValue(k, v, rule.kind);
    out[rule.field] = v;
  }
  for (const [k, ok] of Object.entries(REFUSED[name])) {
    const v = raw[k];
    if (v !== undefined && v !== ok && !(ok === null && v === null) && !(ok === false && v === null)) {
      refuse(k, `= ${JSON.stringify(v)} is not supported by ${name} (${SCHEDULER_CLASSES[name]})`);
    }
  }
  // the Runge–Kutta warm-up (skip_prk_steps false, the class default) is not implemented; SD configs skip it
  if (name === 'pndm' && raw.skip_prk_steps !== true) refuse('skip_prk_steps', 'must be true for pndm (the Runge–Kutta warm-up steps are not implemented)');
  if (name === 'pndm' && s.predictionType === 'sample') refuse('prediction_type', '= "sample" is not supported by PNDMScheduler (nor by diffusers)');
  if (Array.isArray(raw.trained_betas)) s.trainedBetas = raw.trained_betas as number[];
  if (s.trainedBetas && s.trainedBetas.length !== s.numTrainTimesteps) refuse('trained_betas', `has ${s.trainedBetas.length} values, num_train_timesteps is ${s.numTrainTimesteps}`);
  if (!Number.isInteger(s.numTrainTimesteps) || s.numTrainTimesteps < 2) refuse('num_train_timesteps', `must be an integer ≥ 2, got ${s.numTrainTimesteps}`);
  if (name === 'euler_a' && s.predictionType === 'sample') refuse('prediction_type', '= "sample" is not supported by EulerAncestralDiscreteScheduler (nor by diffusers)');
  if (name === 'euler' || name === 'dpmpp_2m') {
    // diffusers' own check: only one sigma schedule
    if (s.useKarrasSigmas && s.useExponentialSigmas) refuse('use_exponential_sigmas', 'cannot be combined with use_karras_sigmas');
    // sigma_min / sigma_max are read when present (diffusers reads them with hasattr(config, …))
    const num = (k: string) => (typeof raw[k] === 'number' ? (raw[k] as number) : null);
    s.sigmaMin = num('sigma_min');
    s.sigmaMax = num('sigma_max');
  }
  if (name === 'dpmpp_2m') {
    if (s.solverOrder !== 1 && s.solverOrder !== 2) refuse('solver_order', `= ${s.solverOrder} is not supported (1 or 2)`);
    if (s.algorithmType === 'dpmsolver' && s.finalSigmasType === 'zero') refuse('final_sigmas_type', '"zero" needs algorithm_type dpmsolver++ (diffusers refuses it too)');
  }
  if (name === 'lcm' && (!Number.isInteger(s.originalInferenceSteps) || s.originalInferenceSteps < 1 || s.originalInferenceSteps > s.numTrainTimesteps)) {
    refuse('original_inference_steps', `must be an integer in 1..num_train_timesteps, got ${s.originalInferenceSteps}`);
  }
  return s;
}

export const f32 = Math.fround;

export function linspace(start: number, end: number, n: number): number[] {
  if (n === 1) return [start];
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = start + ((end - start) * i) / (n - 1);
  return out;
}

/**
 * torch.linspace(start, end, n, dtype=float32) bit for bit: float32 step, the first half counted up from start and
 * the second half down from end (ATen's RangeFactoriesKernel).
 */
export function torchLinspaceF32(start: number, end: number, n: number): number[] {
  const a = f32(start);
  const b = f32(end);
  if (n === 1) return [a];
  const step = f32(f32(b - a) / (n - 1));
  const half = Math.floor(n / 2);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i < half ? f32(a + f32(step * i)) : f32(b - f32(step * (n - i - 1)));
  return out;
}

/** torch.cumprod on float32: the running product is kept in float64 (ATen's accumulate type), each output rounded. */
function cumprodF32(xs: readonly number[]): number[] {
  let p = 1;
  return xs.map((x) => f32((p *= x)));
}

/** Glide's cosine schedule (diffusers' betas_for_alpha_bar, max_beta 0.999). */
function cosineBetas(n: number): number[] {
  const abar = (t: number) => Math.cos((((t + 0.008) / 1.008) * Math.PI) / 2) ** 2;
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.min(1 - abar((i + 1) / n) / abar(i / n), 0.999));
  return out;
}

/** Lin et al. 2023, Algorithm 1 (diffusers' rescale_zero_terminal_snr): zero terminal SNR by shifting √ᾱ. */
function rescaleZeroTerminalSnr(betas: number[]): number[] {
  const sq = cumprodF32(betas.map((b) => f32(1 - b))).map((p) => f32(Math.sqrt(p)));
  const a0 = sq[0]!;
  const aT = sq[sq.length - 1]!;
  const bar = sq.map((x) => f32(f32(f32(x - aT) * f32(a0 / (a0 - aT))) ** 2));
  return bar.map((x, i) => f32(1 - (i === 0 ? x : f32(x / bar[i - 1]!))));
}

export function betas(s: Settings): number[] {
  const n = s.numTrainTimesteps;
  let b: number[];
  if (s.trainedBetas) b = s.trainedBetas.map(f32);
  else if (s.betaSchedule === 'linear') b = torchLinspaceF32(s.betaStart, s.betaEnd, n);
  else if (s.betaSchedule === 'scaled_linear') b = torchLinspaceF32(Math.sqrt(s.betaStart), Math.sqrt(s.betaEnd), n).map((x) => f32(x * x));
  else b = cosineBetas(n).map(f32);
  return s.rescaleBetasZeroSnr ? rescaleZeroTerminalSnr(b) : b;
}

/**
 * ᾱ_t in float32. `terminalFix`: Euler and DPM-Solver set ᾱ_T = 2⁻²⁴ under rescale_betas_zero_snr so that σ_T is
 * finite; DDIM and LCM keep 0.
 */
export function alphasCumprod(s: Settings, terminalFix = false): number[] {
  const out = cumprodF32(betas(s).map((b) => f32(1 - b)));
  if (s.rescaleBetasZeroSnr && terminalFix) out[out.length - 1] = 2 ** -24;
  return out;
}

/** σ_t = √((1 − ᾱ_t)/ᾱ_t) in float32, as diffusers' EDM-style schedulers derive them. */
export function trainSigmas(ac: readonly number[]): number[] {
  return ac.map((a) => f32(Math.sqrt(f32(f32(1 - a) / a))));
}

/** numpy.round: half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** numpy.arange(start, 0, −step) for a positive float step. */
export function arangeDown(start: number, step: number): number[] {
  const n = Math.ceil(start / step);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(start - i * step);
  return out;
}

/**
 * Timesteps (descending) as DDIM/Euler set_timesteps compute them (DPM-Solver has its own variant).
 * leading: arange(n)·(N//n) + offset; trailing: round(arange(N, 0, −N/n)) − 1; linspace: linspace(0, N−1, n)
 * (kept fractional when `integer` is false, as Euler does).
 */
export function spacedTimesteps(s: Settings, n: number, integer: boolean): number[] {
  const N = s.numTrainTimesteps;
  checkSteps(n, N);
  if (s.timestepSpacing === 'linspace') {
    const ts = linspace(0, N - 1, n).reverse();
    return integer ? ts.map(roundHalfEven) : ts.map(f32);
  }
  if (s.timestepSpacing === 'leading') {
    const ratio = Math.floor(N / n);
    const ts: number[] = [];
    for (let i = n - 1; i >= 0; i--) ts.push(i * ratio + s.stepsOffset);
    return ts;
  }
  return arangeDown(N, N / n).map((t) => roundHalfEven(t) - 1);
}

export function checkSteps(n: number, N: number): void {
  if (!Number.isInteger(n) || n < 1 || n > N) throw new UsageError(`steps must be an integer in 1..${N}, got ${n}`);
}

/** numpy.interp over xp = 0..len-1. */
export function interpIndex(x: number, fp: readonly number[]): number {
  if (x <= 0) return fp[0]!;
  if (x >= fp.length - 1) return fp[fp.length - 1]!;
  const i = Math.floor(x);
  const f = x - i;
  return fp[i]! * (1 - f) + fp[i + 1]! * f;
}

/** diffusers' _sigma_to_t: the fractional training timestep whose σ is `sigma`, interpolated in log σ. */
export function sigmaToT(sigma: number, logSigmas: readonly number[]): number {
  const ls = Math.log(Math.max(sigma, 1e-10));
  // low = the last index with log σ_k ≤ log σ (0 when there is none), at most len − 2
  let low = 0;
  for (let k = 0; k < logSigmas.length; k++) if (ls - logSigmas[k]! >= 0) low = k;
  low = Math.min(low, logSigmas.length - 2);
  const lo = logSigmas[low]!;
  const hi = logSigmas[low + 1]!;
  const w = Math.min(1, Math.max(0, (lo - ls) / (lo - hi)));
  return (1 - w) * low + w * (low + 1);
}

/** Karras et al. 2022 (eq. 5) σ schedule with ρ = 7 between the ends of `inSigmas` (descending) or the config's. */
export function karrasSigmas(s: Settings, inSigmas: readonly number[], n: number): number[] {
  const lo = s.sigmaMin ?? inSigmas[inSigmas.length - 1]!;
  const hi = s.sigmaMax ?? inSigmas[0]!;
  const rho = 7;
  const a = hi ** (1 / rho);
  const b = lo ** (1 / rho);
  return linspace(0, 1, n).map((r) => (a + r * (b - a)) ** rho);
}

/** σ schedule evenly spaced in log σ (diffusers' _convert_to_exponential). */
export function exponentialSigmas(s: Settings, inSigmas: readonly number[], n: number): number[] {
  const lo = s.sigmaMin ?? inSigmas[inSigmas.length - 1]!;
  const hi = s.sigmaMax ?? inSigmas[0]!;
  return linspace(Math.log(hi), Math.log(lo), n).map(Math.exp);
}

export interface Scheduler {
  readonly name: SchedulerName;
  readonly settings: Settings;
  /** Descending timesteps for the current schedule (what the UNet receives). */
  readonly timesteps: readonly number[];
  /** Scale of the initial noise: latents = N(0,1) · initNoiseSigma. */
  readonly initNoiseSigma: number;
  setTimesteps(n: number): void;
  /** The factor the UNet input is multiplied by at step i (Euler: 1/√(σ²+1); 1 for the others). */
  inputScale(i: number): number;
  /** latents · inputScale(i), as a new array. */
  scaleModelInput(latents: Float32Array, i: number): Float32Array;
  /**
   * Step i (0-based, in order: multistep solvers keep the previous step's prediction): returns the sample for the
   * next timestep, written into `out` when given (which may be `sample` itself: the update is elementwise), else
   * into a new array.
   */
  step(modelOutput: Float32Array, i: number, sample: Float32Array, rng: Rng, out?: Float32Array): Float32Array;
}

export function checkIndex(s: { timesteps: readonly number[] }, i: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= s.timesteps.length) throw new RangeError(`step ${i} is outside the schedule of ${s.timesteps.length} steps`);
}

/** scaleModelInput for schedulers whose factor is inputScale(i). */
export function scaleBy(latents: Float32Array, k: number): Float32Array {
  const out = new Float32Array(latents.length);
  for (let j = 0; j < latents.length; j++) out[j] = latents[j]! * k;
  return out;
}

/** clamp(x, −r, r): DDIM's and LCM's clip_sample. */
export function clampRange(x: number, r: number): number {
  return x < -r ? -r : x > r ? r : x;
}
