// Golden values: test/gpu/goldens/schedulers.json, made by diffusers itself with
//   python3 scripts/goldens/schedulers.py
// (see its docstring for the grid, the stand-in model and the fixed noise sequence replayed here).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScheduler, defaultSchedulerName, parseSchedulerConfig, parseSchedulerName, resolveSettings, type SchedulerName } from '../../src/gpu/schedulers/index.js';
import { Rng } from '../../src/gpu/rng.js';
import { ROOT } from './helpers.js';

interface Case {
  name: string;
  class: string;
  config: Record<string, unknown>;
  steps: number;
  timesteps: number[];
  sigmas?: number[];
  init_noise_sigma: number;
  input_scales: number[];
  first_step: number[];
  final: number[];
}
const golden = JSON.parse(readFileSync(join(ROOT, 'test/gpu/goldens/schedulers.json'), 'utf8')) as { diffusers: string; cases: Case[] };
const byClass: Record<string, SchedulerName> = {
  EulerDiscreteScheduler: 'euler',
  EulerAncestralDiscreteScheduler: 'euler_a',
  DDIMScheduler: 'ddim',
  LCMScheduler: 'lcm',
  DPMSolverMultistepScheduler: 'dpmpp_2m',
  PNDMScheduler: 'pndm',
};

/** The generator's noise: sin(1.3·k + 0.5) for k = 0, 1, 2, … */
function fixedNoise(): Rng {
  let k = 0;
  return { normal: () => Math.sin(1.3 * k++ + 0.5) } as unknown as Rng;
}

/**
 * |a − e| ≤ tol·max(scale, |e|) elementwise, with the first offending index in the message. diffusers steps in
 * float32, so its own rounding error follows the size of the operands (x − σ·ε at σ up to 4096 under
 * rescale_betas_zero_snr), not of the result: samples are compared at the scale of the initial noise.
 */
function close(actual: ArrayLike<number>, expected: readonly number[], tol: number, what: string, scale = 1) {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (!(Math.abs(a - e) <= tol * Math.max(scale, Math.abs(e)))) expect.fail(`${what}[${i}]: ${a} vs diffusers ${e}`);
  }
}

describe(`schedulers agree with diffusers ${golden.diffusers} over ${golden.cases.length} configs`, () => {
  for (const c of golden.cases) {
    it(c.name, () => {
      // the config as a scheduler_config.json of that class would carry it
      const cfg = parseSchedulerConfig({ _class_name: c.class, ...c.config });
      const name = defaultSchedulerName(cfg).name;
      expect(name).toBe(byClass[c.class]);
      const s = createScheduler(name, cfg);
      s.setTimesteps(c.steps);
      close(s.timesteps, c.timesteps, 1e-5, 'timesteps');
      if (c.sigmas) close((s as unknown as { sigmas: number[] }).sigmas, c.sigmas, 1e-5, 'sigmas');
      expect(Math.abs(s.initNoiseSigma - c.init_noise_sigma)).toBeLessThanOrEqual(1e-5 * Math.max(1, c.init_noise_sigma));
      const rng = fixedNoise();
      const x = new Float32Array(16);
      for (let j = 0; j < 16; j++) x[j] = Math.cos(0.9 * j) * c.init_noise_sigma;
      const scales: number[] = [];
      let first: Float32Array | undefined;
      for (let i = 0; i < s.timesteps.length; i++) {
        const xin = s.scaleModelInput(x, i);
        scales.push(s.inputScale(i));
        const m = new Float32Array(16);
        for (let j = 0; j < 16; j++) m[j] = 0.3 * xin[j]! + 0.2 * Math.sin(0.7 * j + i);
        s.step(m, i, x, rng, x);
        if (i === 0) first = Float32Array.from(x);
      }
      close(scales, c.input_scales, 1e-5, 'input scale');
      const scale = Math.max(1, c.init_noise_sigma);
      close(first!, c.first_step, 1e-5, 'first step', scale);
      close(x, c.final, 1e-5, 'final sample', scale);
    });
  }
});

describe('scheduler config', () => {
  it('gives absent keys the defaults of the class being created, as from_config does', () => {
    const bare = parseSchedulerConfig({ _class_name: 'EulerDiscreteScheduler' });
    expect(resolveSettings('euler', bare)).toMatchObject({ timestepSpacing: 'linspace', betaSchedule: 'linear', betaStart: 0.0001, stepsOffset: 0 });
    expect(resolveSettings('ddim', bare)).toMatchObject({ timestepSpacing: 'leading', clipSample: true, setAlphaToOne: true });
    expect(resolveSettings('lcm', bare)).toMatchObject({ betaSchedule: 'scaled_linear', betaStart: 0.00085, clipSample: false });
    const sd15 = parseSchedulerConfig({ _class_name: 'PNDMScheduler', beta_schedule: 'scaled_linear', clip_sample: false, set_alpha_to_one: false, timestep_spacing: 'leading', steps_offset: 1 });
    expect(resolveSettings('ddim', sd15)).toMatchObject({ clipSample: false, setAlphaToOne: false, timestepSpacing: 'leading', stepsOffset: 1 });
  });

  it("dpmpp_2m picked for another class's config uses Karras sigmas unless the config says otherwise", () => {
    const pndm = parseSchedulerConfig({ _class_name: 'PNDMScheduler', beta_schedule: 'scaled_linear' });
    expect(resolveSettings('dpmpp_2m', pndm).useKarrasSigmas).toBe(true);
    expect(resolveSettings('dpmpp_2m', parseSchedulerConfig({ _class_name: 'PNDMScheduler', use_karras_sigmas: false })).useKarrasSigmas).toBe(false);
    expect(resolveSettings('dpmpp_2m', parseSchedulerConfig({ _class_name: 'DPMSolverMultistepScheduler' })).useKarrasSigmas).toBe(false);
  });

  for (const [name, raw, key] of [
    ['ddim', { thresholding: true }, 'thresholding'],
    ['lcm', { thresholding: true }, 'thresholding'],
    ['euler', { use_beta_sigmas: true }, 'use_beta_sigmas'],
    ['dpmpp_2m', { use_beta_sigmas: true }, 'use_beta_sigmas'],
    ['dpmpp_2m', { use_lu_lambdas: true }, 'use_lu_lambdas'],
    ['dpmpp_2m', { algorithm_type: 'sde-dpmsolver++' }, 'algorithm_type'],
    ['dpmpp_2m', { solver_order: 3 }, 'solver_order'],
    ['dpmpp_2m', { variance_type: 'learned_range' }, 'variance_type'],
    ['euler', { timestep_spacing: 'karras' }, 'timestep_spacing'],
    ['euler', { interpolation_type: 'cubic' }, 'interpolation_type'],
    ['euler_a', { prediction_type: 'sample' }, 'prediction_type'],
    ['euler', { trained_betas: [0.1, 0.2] }, 'trained_betas'],
    ['pndm', {}, 'skip_prk_steps'],
    ['pndm', { skip_prk_steps: false }, 'skip_prk_steps'],
    ['pndm', { skip_prk_steps: true, prediction_type: 'sample' }, 'prediction_type'],
  ] as const) {
    it(`${name} refuses ${JSON.stringify(raw)}, naming ${key}`, () => {
      expect(() => createScheduler(name, { raw })).toThrow(new RegExp(`scheduler_config\\.json: ${key}\\b`));
    });
  }

  it('ignores keys the created class does not take (as diffusers does): thresholding means nothing to Euler', () => {
    expect(() => createScheduler('euler', parseSchedulerConfig({ thresholding: true, clip_sample: true }))).not.toThrow();
  });

  it('refuses values of the wrong type when the config is read', () => {
    expect(() => parseSchedulerConfig({ beta_schedule: 'sigmoid' })).toThrow(/beta_schedule/);
    expect(() => parseSchedulerConfig({ clip_sample: 'yes' })).toThrow(/clip_sample/);
  });

  it('names dpmpp_2m, pndm and their usual aliases', () => {
    expect(parseSchedulerName('PLMS')).toBe('pndm');
    for (const s of ['dpmpp_2m', 'DPM++-2M', 'dpmpp-2m-karras']) expect(parseSchedulerName(s)).toBe('dpmpp_2m');
    expect(defaultSchedulerName(parseSchedulerConfig({ _class_name: 'DPMSolverMultistepScheduler' }))).toEqual({ name: 'dpmpp_2m', substituted: false });
    expect(defaultSchedulerName(parseSchedulerConfig({ _class_name: 'PNDMScheduler' }))).toEqual({ name: 'pndm', substituted: false });
    expect(defaultSchedulerName(parseSchedulerConfig({ _class_name: 'UniPCMultistepScheduler' }))).toEqual({ name: 'euler', substituted: true });
  });
});

describe('lcm scheduler', () => {
  it('refuses more steps than original_inference_steps', () => {
    expect(() => createScheduler('lcm', { raw: {} }).setTimesteps(51)).toThrow(/original_inference_steps/);
  });
});

describe('dpmpp_2m', () => {
  it('refuses a second-order step whose previous step was not taken', () => {
    const s = createScheduler('dpmpp_2m', { raw: {} });
    s.setTimesteps(10);
    const x = new Float32Array(4).fill(1);
    expect(() => s.step(x, 3, x, new Rng(1))).toThrow(/needs step 2/);
  });
});

describe('in-place stepping (the pipeline reuses one latents buffer)', () => {
  const SD = { beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, steps_offset: 1 };
  for (const [name, pred] of [
    ['euler', 'epsilon'],
    ['euler', 'v_prediction'],
    ['euler', 'sample'],
    ['euler_a', 'epsilon'],
    ['ddim', 'epsilon'],
    ['ddim', 'v_prediction'],
    ['lcm', 'epsilon'],
    ['lcm', 'sample'],
    ['dpmpp_2m', 'epsilon'],
    ['dpmpp_2m', 'v_prediction'],
    ['pndm', 'epsilon'],
    ['pndm', 'v_prediction'],
  ] as const) {
    it(`${name} (${pred}): step(…, out = sample) and inputScale match step() and scaleModelInput() exactly`, () => {
      const s = createScheduler(name, parseSchedulerConfig({ ...SD, skip_prk_steps: true, prediction_type: pred }));
      s.setTimesteps(6);
      const r = new Rng(5);
      const sample = r.normals(257);
      const out = r.normals(257);
      for (let i = 0; i < s.timesteps.length; i++) {
        const k = s.inputScale(i);
        const scaled = s.scaleModelInput(sample, i);
        for (let j = 0; j < sample.length; j++) expect(Math.fround(sample[j]! * k)).toBe(scaled[j]);
        const a = s.step(out, i, sample, new Rng(i));
        const inPlace = Float32Array.from(sample);
        const b = s.step(out, i, inPlace, new Rng(i), inPlace);
        expect(b).toBe(inPlace);
        expect(Array.from(b)).toEqual(Array.from(a));
        sample.set(a);
      }
    });
  }
});
