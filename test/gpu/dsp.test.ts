import { describe, expect, it } from 'vitest';
import { Fft } from '../../src/gpu/dsp/fft.js';
import { melFilterbank, melToLinear, Stft } from '../../src/gpu/dsp/audio.js';
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
  for (const n of [1, 2, 8, 64, 5, 12, 100, 441]) {
    it(`matches a direct DFT and inverts (n=${n}, ${(n & (n - 1)) === 0 ? 'radix-2' : 'Bluestein'})`, () => {
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
