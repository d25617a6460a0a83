// Reference values: test/gpu/reference/schedulers.json, produced by
//   python3 test/gpu/reference/schedulers.py > test/gpu/reference/schedulers.json
// (an independent numpy transcription of diffusers' formulas; see the script's docstring).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScheduler, parseSchedulerConfig, DEFAULT_CONFIG, type SchedulerConfig, EulerScheduler } from '../../src/gpu/schedulers/index.js';
import { Rng } from '../../src/gpu/rng.js';
import { ROOT } from './helpers.js';

const ref = JSON.parse(readFileSync(join(ROOT, 'test/gpu/reference/schedulers.json'), 'utf8')) as Record<string, any>;
const sd15 = (over: Partial<SchedulerConfig> = {}): SchedulerConfig => ({ ...DEFAULT_CONFIG, ...over });
const zeroRng = { normal: () => 0, nextFloat: () => 0 } as unknown as Rng;
const x = Float32Array.from([0.5, -1.0, 2.0]);
const m = Float32Array.from([0.1, 0.2, -0.3]);

function close(actual: ArrayLike<number>, expected: number[], tol = 1e-6) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]!)));
}

describe('euler scheduler', () => {
  for (const [key, n, spacing] of [['euler_leading10', 10, 'leading'], ['euler_linspace7', 7, 'linspace'], ['euler_trailing4', 4, 'trailing']] as const) {
    it(`matches diffusers timesteps, sigmas and init_noise_sigma (${spacing}, ${n} steps)`, () => {
      const s = new EulerScheduler(sd15({ timestepSpacing: spacing }));
      s.setTimesteps(n);
      close(s.timesteps, ref[key].timesteps, 1e-12);
      close(s.sigmas, ref[key].sigmas, 1e-10);
      expect(s.initNoiseSigma).toBeCloseTo(ref[key].init_noise_sigma, 10);
    });
  }

  it('scales the model input by 1/√(σ²+1) and steps with epsilon and v prediction', () => {
    const s = createScheduler('euler', sd15());
    s.setTimesteps(10);
    const t = s.timesteps[0]!;
    close(s.scaleModelInput(x, t), ref.euler_scale_input);
    close(s.step(m, t, x, zeroRng), ref.euler_step_eps);
    const v = createScheduler('euler', sd15({ predictionType: 'v_prediction' }));
    v.setTimesteps(10);
    close(v.step(m, t, x, zeroRng), ref.euler_step_v);
  });

  it('ancestral: steps to σ_down and adds σ_up-scaled noise', () => {
    const s = createScheduler('euler_a', sd15());
    s.setTimesteps(10);
    const t = s.timesteps[3]!;
    close(s.step(m, t, x, zeroRng), ref.euler_a_step3_zero_noise);
    const one = { normal: () => 1 } as unknown as Rng;
    const withNoise = s.step(m, t, x, one);
    const base = ref.euler_a_step3_zero_noise as number[];
    close(withNoise, base.map((b) => b + ref.euler_a_step3_sigma_up), 1e-6);
  });
});

describe('ddim scheduler', () => {
  for (const [key, n, spacing] of [['ddim_leading10', 10, 'leading'], ['ddim_linspace6', 6, 'linspace'], ['ddim_trailing4', 4, 'trailing']] as const) {
    it(`matches diffusers timesteps (${spacing}, ${n} steps)`, () => {
      const s = createScheduler('ddim', sd15({ timestepSpacing: spacing }));
      s.setTimesteps(n);
      expect(s.timesteps).toEqual(ref[key].timesteps);
      expect(s.initNoiseSigma).toBe(1);
    });
  }

  it('steps with η = 0 for epsilon and v prediction, using alphas_cumprod[0] past the end', () => {
    const s = createScheduler('ddim', sd15());
    s.setTimesteps(10);
    close(s.step(m, 901, x, zeroRng), ref.ddim_step_eps_t901);
    close(s.step(m, 1, x, zeroRng), ref.ddim_step_eps_t1);
    const v = createScheduler('ddim', sd15({ predictionType: 'v_prediction' }));
    v.setTimesteps(10);
    close(v.step(m, 901, x, zeroRng), ref.ddim_step_v_t901);
    const lin = createScheduler('ddim', sd15({ betaSchedule: 'linear', betaStart: 0.0001, betaEnd: 0.02 }));
    lin.setTimesteps(10);
    close(lin.step(m, 901, x, zeroRng), ref.ddim_linear_step_eps_t901);
  });
});

describe('lcm scheduler', () => {
  for (const n of [1, 4, 8]) {
    it(`picks ${n} timesteps from the 50-step distillation schedule like diffusers`, () => {
      const s = createScheduler('lcm', sd15());
      s.setTimesteps(n);
      expect(s.timesteps).toEqual(ref[`lcm_${n}`].timesteps);
    });
  }

  it('applies the boundary-condition scalings and adds no noise on the last step', () => {
    const s = createScheduler('lcm', sd15());
    s.setTimesteps(1);
    close(s.step(m, 999, x, { normal: () => 5 } as unknown as Rng), ref.lcm_1_step);
  });

  it('refuses more steps than original_inference_steps', () => {
    expect(() => createScheduler('lcm', sd15()).setTimesteps(51)).toThrow(/original_inference_steps/);
  });
});

describe('scheduler config', () => {
  it('reads a diffusers scheduler_config.json and refuses unknown values', () => {
    const c = parseSchedulerConfig({ _class_name: 'EulerDiscreteScheduler', beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, steps_offset: 1, timestep_spacing: 'trailing', prediction_type: 'v_prediction' });
    expect(c).toMatchObject({ betaSchedule: 'scaled_linear', timestepSpacing: 'trailing', predictionType: 'v_prediction', stepsOffset: 1, className: 'EulerDiscreteScheduler' });
    expect(() => parseSchedulerConfig({ beta_schedule: 'squaredcos_cap_v2' })).toThrow(/beta_schedule/);
  });
});

describe('in-place stepping (the pipeline reuses one latents buffer)', () => {
  for (const [name, pred] of [['euler', 'epsilon'], ['euler', 'v_prediction'], ['euler', 'sample'], ['euler_a', 'epsilon'], ['ddim', 'epsilon'], ['ddim', 'v_prediction'], ['lcm', 'epsilon'], ['lcm', 'sample']] as const) {
    it(`${name} (${pred}): step(…, out = sample) and inputScale match step() and scaleModelInput() exactly`, () => {
      const s = createScheduler(name, sd15({ predictionType: pred }));
      s.setTimesteps(6);
      const r = new Rng(5);
      const sample = r.normals(257);
      const out = r.normals(257);
      for (const t of s.timesteps) {
        const k = s.inputScale(t);
        const scaled = s.scaleModelInput(sample, t);
        for (let i = 0; i < sample.length; i++) expect(Math.fround(sample[i]! * k)).toBe(scaled[i]);
        const a = s.step(out, t, sample, new Rng(t));
        const inPlace = Float32Array.from(sample);
        const b = s.step(out, t, inPlace, new Rng(t), inPlace);
        expect(b).toBe(inPlace);
        expect(Array.from(b)).toEqual(Array.from(a));
        sample.set(a);
      }
    });
  }
});

