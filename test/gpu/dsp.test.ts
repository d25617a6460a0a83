import { describe, expect, it } from 'vitest';
import { Fft } from '../../src/gpu/dsp/fft.js';
import { griffinLim, hypot2, melFilterbank, melToLinear, Stft, type StftParams } from '../../src/gpu/dsp/audio.js';
import { Rng } from '../../src/gpu/rng.js';

function dft(re: Float64Array, im: Float64Array) {
  const n = re.length;
  const oR = new Float64Array(n);
  const oI = new Float64Array(n);
  for (let k = 0; k < n; k++)
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      oR[k] = oR[k]! + re[t]! * Math.cos(a) - im[t]! * Math.sin(a);
      oI[k] = oI[k]! + re[t]! * Math.sin(a) + im[t]! * Math.cos(a);
    }
  return [oR, oI] as const;
}

describe('fft', () => {
  for (const [n, kind] of [
    [1, 'radix-2'],
    [2, 'radix-2'],
    [4, 'radix-2'],
    [8, 'radix-2'],
    [32, 'radix-2'],
    [64, 'radix-2'],
    [2048, 'radix-2'],
    [5, 'mixed-radix'],
    [12, 'mixed-radix'],
    [100, 'mixed-radix'],
    [441, 'mixed-radix'],
    [3, 'mixed-radix'],
    [6, 'mixed-radix'],
    [7, 'mixed-radix'],
    [49, 'mixed-radix'],
    [1323, 'mixed-radix'],
    [1764, 'mixed-radix'],
    [2 * 11 * 13 * 31, 'mixed-radix'],
    [37, 'bluestein'],
    [2 * 37, 'bluestein'],
    [997, 'bluestein'],
  ] as const) {
    it(`matches a direct DFT and inverts (n=${n}, ${kind})`, () => {
      expect(new Fft(n).kind).toBe(kind);
      const r = new Rng(n);
      const re = Float64Array.from({ length: n }, () => r.normal());
      const im = Float64Array.from({ length: n }, () => r.normal());
      const [eR, eI] = dft(re, im);
      const f = new Fft(n);
      const aR = Float64Array.from(re);
      const aI = Float64Array.from(im);
      f.transform(aR, aI);
      for (let k = 0; k < n; k++) {
        expect(aR[k]).toBeCloseTo(eR[k]!, 8);
        expect(aI[k]).toBeCloseTo(eI[k]!, 8);
      }
      f.transform(aR, aI, true);
      for (let k = 0; k < n; k++) {
        expect(aR[k]! / n).toBeCloseTo(re[k]!, 9);
        expect(aI[k]! / n).toBeCloseTo(im[k]!, 9);
      }
    });
  }
});

describe('stft / mel', () => {
  it('istft(stft(x)) gives x back (centre frames, Hann window, 75% overlap)', () => {
    const p = { nFft: 256, winLength: 128, hopLength: 32 };
    const s = new Stft(p);
    const frames = 40;
    const r = new Rng(1);
    const x = Float64Array.from({ length: (frames - 1) * p.hopLength }, () => r.normal());
    const { re, im } = s.forward(x, frames);
    const y = s.inverse(re, im, frames);
    for (let i = 0; i < x.length; i++) expect(y[i]).toBeCloseTo(x[i]!, 8);
  });

  it('HTK filterbank is triangular, non-negative, and its pseudo-inverse recovers a smooth spectrum', () => {
    const nFreqs = 1025;
    const nMels = 32;
    const fb = melFilterbank(nFreqs, 0, 10000, nMels, 22050);
    expect(Math.min(...fb)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...fb)).toBeLessThanOrEqual(1);
    // mel of a linear spectrum that lies in the filterbank's span comes back exactly
    const lin0 = new Float64Array(nFreqs);
    for (let f = 0; f < nFreqs; f++) for (let m = 0; m < nMels; m++) lin0[f] = lin0[f]! + fb[f * nMels + m]! * (1 + (m % 3));
    const mel = new Float64Array(nMels);
    for (let m = 0; m < nMels; m++) for (let f = 0; f < nFreqs; f++) mel[m] = mel[m]! + fb[f * nMels + m]! * lin0[f]!;
    const lin = melToLinear(mel, nMels, 1, fb, nFreqs);
    for (let f = 0; f < nFreqs; f++) expect(lin[f]).toBeCloseTo(lin0[f]!, 6);
  });
});

describe('griffin-lim', () => {
  it('hypot2 is Math.hypot bit for bit', () => {
    const r = new Rng(11);
    const f = new Float64Array(1);
    const u = new Uint32Array(f.buffer);
    const vals: number[] = [0, -0, 1, -1, Infinity, -Infinity, NaN, 5e-324, 1.7e308, 3, 4];
    for (let i = 0; i < 20000; i++) {
      vals.push(r.normal() * 10 ** Math.floor(r.nextFloat() * 40 - 20));
      u[0] = r.nextU32();
      u[1] = r.nextU32();
      vals.push(f[0]!);
    }
    for (let i = 0; i + 1 < vals.length; i++) expect(Object.is(hypot2(vals[i]!, vals[i + 1]!), Math.hypot(vals[i]!, vals[i + 1]!))).toBe(true);
  });

  // The straightforward algorithm (Stft.inverse / Stft.forward per iteration, Math.hypot): griffinLim must give
  // these samples — its speed-ups (frame-major layout, fused passes, two real frames per complex FFT) change only
  // the rounding.
  function reference(mag: Float64Array, frames: number, p: StftParams, nIter: number, momentum: number, rng: Rng): Float64Array {
    const stft = new Stft(p);
    const size = stft.nFreqs * frames;
    const angRe = new Float64Array(size);
    const angIm = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const a = 2 * Math.PI * rng.nextFloat();
      angRe[i] = Math.cos(a);
      angIm[i] = Math.sin(a);
    }
    const prevRe = new Float64Array(size);
    const prevIm = new Float64Array(size);
    const specRe = new Float64Array(size);
    const specIm = new Float64Array(size);
    const k = momentum / (1 + momentum);
    for (let it = 0; it < nIter; it++) {
      for (let i = 0; i < size; i++) {
        specRe[i] = mag[i]! * angRe[i]!;
        specIm[i] = mag[i]! * angIm[i]!;
      }
      const rebuilt = stft.forward(stft.inverse(specRe, specIm, frames), frames);
      for (let i = 0; i < size; i++) {
        let r = rebuilt.re[i]! - k * prevRe[i]!;
        let m = rebuilt.im[i]! - k * prevIm[i]!;
        const abs = Math.hypot(r, m) + 1e-16;
        r /= abs;
        m /= abs;
        angRe[i] = r;
        angIm[i] = m;
      }
      prevRe.set(rebuilt.re);
      prevIm.set(rebuilt.im);
    }
    for (let i = 0; i < size; i++) {
      specRe[i] = mag[i]! * angRe[i]!;
      specIm[i] = mag[i]! * angIm[i]!;
    }
    return stft.inverse(specRe, specIm, frames);
  }

  for (const [p, frames] of [
    [{ nFft: 256, winLength: 128, hopLength: 32 }, 24],
    [{ nFft: 100, winLength: 60, hopLength: 25 }, 9],
    [{ nFft: 441, winLength: 400, hopLength: 100 }, 7],
  ] as const) {
    it(`gives the reference algorithm's samples to rounding (n_fft ${p.nFft}, ${frames} frames)`, () => {
      const F = Math.floor(p.nFft / 2) + 1;
      const r = new Rng(p.nFft);
      const mag = Float64Array.from({ length: F * frames }, () => Math.abs(r.normal()) * 1000);
      const a = griffinLim(mag, frames, p, 6, 0.99, new Rng(9));
      const b = reference(mag, frames, p, 6, 0.99, new Rng(9));
      expect(a.length).toBe(b.length);
      let max = 0;
      let diff = 0;
      for (let i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(b[i]!));
        diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
      }
      expect(max).toBeGreaterThan(0);
      expect(diff / max).toBeLessThan(1e-10);
    });
  }
});
