// Mel filterbank, STFT/ISTFT and Griffin-Lim phase reconstruction, following torchaudio's definitions
// (melscale_fbanks with mel_scale="htk", norm=None; stft/istft with center=True, reflect padding and a periodic
// Hann window; GriffinLim with momentum) as riffusion uses them.
import { Fft } from './fft.js';
import type { Rng } from '../rng.js';

export const hzToMelHtk = (f: number) => 2595 * Math.log10(1 + f / 700);
export const melToHzHtk = (m: number) => 700 * (10 ** (m / 2595) - 1);

/** [nFreqs × nMels] filterbank, row-major (torchaudio layout). */
export function melFilterbank(nFreqs: number, fMin: number, fMax: number, nMels: number, sampleRate: number): Float64Array {
  const allFreqs = new Float64Array(nFreqs);
  for (let i = 0; i < nFreqs; i++) allFreqs[i] = ((sampleRate / 2) * i) / (nFreqs - 1);
  const mMin = hzToMelHtk(fMin);
  const mMax = hzToMelHtk(fMax);
  const fPts = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) fPts[i] = melToHzHtk(mMin + ((mMax - mMin) * i) / (nMels + 1));
  const fb = new Float64Array(nFreqs * nMels);
  for (let f = 0; f < nFreqs; f++) {
    for (let m = 0; m < nMels; m++) {
      const down = (allFreqs[f]! - fPts[m]!) / (fPts[m + 1]! - fPts[m]!);
      const up = (fPts[m + 2]! - allFreqs[f]!) / (fPts[m + 2]! - fPts[m + 1]!);
      fb[f * nMels + m] = Math.max(0, Math.min(down, up));
    }
  }
  return fb;
}

/**
 * Least-squares inverse of the mel projection: linear = pinv(Fbᵀ) · mel, computed as Fb (FbᵀFb + λI)⁻¹ · mel
 * (FbᵀFb is nMels × nMels), clamped at 0. Returns [nFreqs × frames].
 */
export function melToLinear(mel: Float64Array, nMels: number, frames: number, fb: Float64Array, nFreqs: number): Float64Array {
  // G = Fbᵀ Fb  (nMels × nMels)
  const G = new Float64Array(nMels * nMels);
  for (let f = 0; f < nFreqs; f++) {
    for (let a = 0; a < nMels; a++) {
      const va = fb[f * nMels + a]!;
      if (va === 0) continue;
      for (let b = 0; b < nMels; b++) G[a * nMels + b] = G[a * nMels + b]! + va * fb[f * nMels + b]!;
    }
  }
  let trace = 0;
  for (let a = 0; a < nMels; a++) trace += G[a * nMels + a]!;
  const ridge = 1e-10 * (trace / nMels) + 1e-12;
  for (let a = 0; a < nMels; a++) G[a * nMels + a] = G[a * nMels + a]! + ridge;
  // solve G Y = mel (nMels × frames) by Gaussian elimination with partial pivoting
  const Y = Float64Array.from(mel);
  const A = G;
  for (let c = 0; c < nMels; c++) {
    let p = c;
    for (let r = c + 1; r < nMels; r++) if (Math.abs(A[r * nMels + c]!) > Math.abs(A[p * nMels + c]!)) p = r;
    if (p !== c) {
      for (let k = 0; k < nMels; k++) [A[c * nMels + k], A[p * nMels + k]] = [A[p * nMels + k]!, A[c * nMels + k]!];
      for (let k = 0; k < frames; k++) [Y[c * frames + k], Y[p * frames + k]] = [Y[p * frames + k]!, Y[c * frames + k]!];
    }
    const piv = A[c * nMels + c]!;
    for (let r = c + 1; r < nMels; r++) {
      const f = A[r * nMels + c]! / piv;
      if (f === 0) continue;
      for (let k = c; k < nMels; k++) A[r * nMels + k] = A[r * nMels + k]! - f * A[c * nMels + k]!;
      for (let k = 0; k < frames; k++) Y[r * frames + k] = Y[r * frames + k]! - f * Y[c * frames + k]!;
    }
  }
  for (let c = nMels - 1; c >= 0; c--) {
    for (let k = c + 1; k < nMels; k++) {
      const a = A[c * nMels + k]!;
      if (a === 0) continue;
      for (let t = 0; t < frames; t++) Y[c * frames + t] = Y[c * frames + t]! - a * Y[k * frames + t]!;
    }
    const piv = A[c * nMels + c]!;
    for (let t = 0; t < frames; t++) Y[c * frames + t] = Y[c * frames + t]! / piv;
  }
  const lin = new Float64Array(nFreqs * frames);
  for (let f = 0; f < nFreqs; f++) {
    for (let m = 0; m < nMels; m++) {
      const w = fb[f * nMels + m]!;
      if (w === 0) continue;
      for (let t = 0; t < frames; t++) lin[f * frames + t] = lin[f * frames + t]! + w * Y[m * frames + t]!;
    }
  }
  for (let i = 0; i < lin.length; i++) if (lin[i]! < 0) lin[i] = 0;
  return lin;
}

export interface StftParams {
  nFft: number;
  winLength: number;
  hopLength: number;
}

/** Periodic Hann window of winLength, zero-padded (centred) to nFft. */
export function hannWindow(p: StftParams): Float64Array {
  const w = new Float64Array(p.nFft);
  const off = Math.floor((p.nFft - p.winLength) / 2);
  for (let i = 0; i < p.winLength; i++) w[off + i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / p.winLength);
  return w;
}

export class Stft {
  readonly fft: Fft;
  readonly window: Float64Array;
  readonly nFreqs: number;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  constructor(readonly p: StftParams) {
    this.fft = new Fft(p.nFft);
    this.window = hannWindow(p);
    this.nFreqs = Math.floor(p.nFft / 2) + 1;
    this.re = new Float64Array(p.nFft);
    this.im = new Float64Array(p.nFft);
  }

  /** Complex spectrogram [nFreqs × frames] (re, im) of a signal; center=True with reflect padding. */
  forward(x: Float64Array, frames: number): { re: Float64Array; im: Float64Array } {
    const { nFft, hopLength } = this.p;
    const pad = Math.floor(nFft / 2);
    const n = x.length;
    const at = (i: number): number => {
      let j = i - pad;
      // reflect (no edge repeat), folding until in range
      while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
      return x[j]!;
    };
    const F = this.nFreqs;
    const outRe = new Float64Array(F * frames);
    const outIm = new Float64Array(F * frames);
    for (let t = 0; t < frames; t++) {
      const start = t * hopLength;
      for (let i = 0; i < nFft; i++) {
        this.re[i] = at(start + i) * this.window[i]!;
        this.im[i] = 0;
      }
      this.fft.transform(this.re, this.im, false);
      for (let f = 0; f < F; f++) {
        outRe[f * frames + t] = this.re[f]!;
        outIm[f * frames + t] = this.im[f]!;
      }
    }
    return { re: outRe, im: outIm };
  }

  /** Inverse with window-square normalisation (torch.istft, center=True); output length (frames−1)·hop. */
  inverse(re: Float64Array, im: Float64Array, frames: number): Float64Array {
    const { nFft, hopLength } = this.p;
    const F = this.nFreqs;
    const total = nFft + hopLength * (frames - 1);
    const y = new Float64Array(total);
    const env = new Float64Array(total);
    for (let t = 0; t < frames; t++) {
      for (let f = 0; f < F; f++) {
        this.re[f] = re[f * frames + t]!;
        this.im[f] = im[f * frames + t]!;
      }
      // Hermitian completion for a real signal; DC and Nyquist imaginary parts are dropped (irfft)
      this.im[0] = 0;
      if (nFft % 2 === 0) this.im[F - 1] = 0;
      for (let f = F; f < nFft; f++) {
        this.re[f] = this.re[nFft - f]!;
        this.im[f] = -this.im[nFft - f]!;
      }
      this.fft.transform(this.re, this.im, true);
      const start = t * hopLength;
      for (let i = 0; i < nFft; i++) {
        const w = this.window[i]!;
        y[start + i] = y[start + i]! + (this.re[i]! / nFft) * w;
        env[start + i] = env[start + i]! + w * w;
      }
    }
    const pad = Math.floor(nFft / 2);
    const len = hopLength * (frames - 1);
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      const e = env[pad + i]!;
      out[i] = e > 1e-11 ? y[pad + i]! / e : 0;
    }
    return out;
  }
}

/**
 * Griffin-Lim (fast variant with momentum, Perraudin et al. 2013) from a magnitude spectrogram [nFreqs × frames].
 * Initial phases are e^{2πi·u} with u uniform from `rng` (librosa's init="random"), so output is reproducible for
 * a seed. torchaudio's rand_init (which riffusion uses) starts instead from complex numbers uniform in the unit
 * square, [0, 1) + i·[0, 1), not of modulus 1; the first iteration normalises either to unit phases.
 *
 * The algorithm of Stft.inverse / Stft.forward in a loop, but frame-major internally (each frame's bins contiguous
 * instead of a stride of `frames`), with the window envelope computed once, the buffers allocated once, the spectrum
 * product and the phase update fused into the STFT passes, and two real frames per complex FFT (half the FFTs; the
 * samples differ from separate transforms by rounding only).
 */
export function griffinLim(mag: Float64Array, frames: number, p: StftParams, nIter: number, momentum: number, rng: Rng): Float64Array {
  // one frame means an empty signal, which reflect padding cannot fold into
  if (!Number.isInteger(frames) || frames < 2) throw new RangeError(`griffinLim: needs at least 2 frames, got ${frames}`);
  const gl = new GriffinLimState(p, frames);
  const F = gl.nFreqs;
  const size = F * frames;
  if (mag.length < size) throw new RangeError(`griffinLim: magnitudes need ${F}×${frames} values, got ${mag.length}`);
  // frame-major: [t·F + f]
  const magT = new Float64Array(size);
  const angRe = new Float64Array(size);
  const angIm = new Float64Array(size);
  for (let f = 0, i = 0; f < F; f++) {
    for (let t = 0; t < frames; t++, i++) {
      const a = 2 * Math.PI * rng.nextFloat(); // drawn in the [nFreqs × frames] order
      const j = t * F + f;
      magT[j] = mag[i]!;
      angRe[j] = Math.cos(a);
      angIm[j] = Math.sin(a);
    }
  }
  const prevRe = new Float64Array(size);
  const prevIm = new Float64Array(size);
  const k = momentum / (1 + momentum);
  const sig = new Float64Array(gl.length);
  for (let it = 0; it < nIter; it++) {
    gl.inverse(magT, angRe, angIm, sig);
    gl.forwardUpdate(sig, angRe, angIm, prevRe, prevIm, k);
  }
  gl.inverse(magT, angRe, angIm, sig);
  return sig;
}

/**
 * Math.hypot(x, y), bit for bit, without the call: V8 scales both by the larger magnitude and sums the squares with
 * Kahan compensation, which for two values reduces to √((|x|/M)² + (|y|/M)²)·M. Zero, infinite and NaN inputs go
 * to Math.hypot itself. (Math.hypot was a quarter of Griffin-Lim's time; test/gpu/dsp.test.ts checks the equality.)
 */
export function hypot2(x: number, y: number): number {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  const max = ax > ay ? ax : ay;
  if (!(max > 0 && max < Infinity)) return Math.hypot(x, y);
  const a = ax / max;
  const b = ay / max;
  return Math.sqrt(a * a + b * b) * max;
}

/** Frame-major STFT / ISTFT passes for griffinLim. */
class GriffinLimState {
  readonly nFreqs: number;
  /** output length of the inverse: (frames − 1)·hop */
  readonly length: number;
  private readonly fft: Fft;
  private readonly window: Float64Array;
  private readonly env: Float64Array;
  private readonly y: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(
    readonly p: StftParams,
    readonly frames: number,
  ) {
    const { nFft, hopLength } = p;
    this.fft = new Fft(nFft);
    this.window = hannWindow(p);
    this.nFreqs = Math.floor(nFft / 2) + 1;
    this.length = hopLength * (frames - 1);
    const total = nFft + hopLength * (frames - 1);
    this.y = new Float64Array(total);
    this.env = new Float64Array(total);
    for (let t = 0; t < frames; t++) {
      const start = t * hopLength;
      for (let i = 0; i < nFft; i++) {
        const w = this.window[i]!;
        this.env[start + i] = this.env[start + i]! + w * w;
      }
    }
    this.re = new Float64Array(nFft);
    this.im = new Float64Array(nFft);
  }

  /**
   * ISTFT of mag·(angRe + i·angIm) (frame-major) into out, as Stft.inverse computes it, two frames per complex
   * inverse FFT: with X, Y the Hermitian spectra of frames t and t + 1, IFFT(X + iY) = x + iy.
   */
  inverse(mag: Float64Array, angRe: Float64Array, angIm: Float64Array, out: Float64Array): void {
    const { nFft, hopLength } = this.p;
    const F = this.nFreqs;
    const { re, im, y, env, window } = this;
    y.fill(0);
    const even = nFft % 2 === 0;
    for (let t = 0; t < this.frames; t += 2) {
      const pair = t + 1 < this.frames;
      const rx = t * F;
      const ry = (t + 1) * F;
      for (let f = 0; f < F; f++) {
        const mx = mag[rx + f]!;
        const xr = mx * angRe[rx + f]!;
        const xi = f === 0 || (even && f === F - 1) ? 0 : mx * angIm[rx + f]!;
        let yr = 0;
        let yi = 0;
        if (pair) {
          const my = mag[ry + f]!;
          yr = my * angRe[ry + f]!;
          yi = f === 0 || (even && f === F - 1) ? 0 : my * angIm[ry + f]!;
        }
        // Z[f] = X[f] + i·Y[f]; Z[n − f] = conj(X[f]) + i·conj(Y[f])
        re[f] = xr - yi;
        im[f] = xi + yr;
        if (f > 0 && nFft - f >= F) {
          re[nFft - f] = xr + yi;
          im[nFft - f] = yr - xi;
        }
      }
      this.fft.transform(re, im, true);
      const start = t * hopLength;
      for (let i = 0; i < nFft; i++) y[start + i] = y[start + i]! + (re[i]! / nFft) * window[i]!;
      if (pair) {
        const s1 = start + hopLength;
        for (let i = 0; i < nFft; i++) y[s1 + i] = y[s1 + i]! + (im[i]! / nFft) * window[i]!;
      }
    }
    const pad = Math.floor(nFft / 2);
    for (let i = 0; i < this.length; i++) {
      const e = env[pad + i]!;
      out[i] = e > 1e-11 ? y[pad + i]! / e : 0;
    }
  }

  /** Frame t of x (center, reflect padding), windowed, into dst. */
  private frame(x: Float64Array, t: number, dst: Float64Array): void {
    const { nFft, hopLength } = this.p;
    const window = this.window;
    const n = x.length;
    const s0 = t * hopLength - Math.floor(nFft / 2);
    if (s0 >= 0 && s0 + nFft <= n) {
      for (let i = 0; i < nFft; i++) dst[i] = x[s0 + i]! * window[i]!;
    } else {
      for (let i = 0; i < nFft; i++) {
        let j = s0 + i;
        // reflect (no edge repeat), folding until in range
        while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
        dst[i] = x[j]! * window[i]!;
      }
    }
  }

  /**
   * STFT of x (center, reflect padding) and the Griffin-Lim phase update per bin: a = (X − k·prev) / (|X − k·prev| +
   * 1e-16), prev = X. Two real frames per complex FFT: Z = FFT(x_t + i·x_{t+1}), X = (Z[f] + conj Z[n−f]) / 2,
   * Y = (Z[f] − conj Z[n−f]) / 2i.
   */
  forwardUpdate(x: Float64Array, angRe: Float64Array, angIm: Float64Array, prevRe: Float64Array, prevIm: Float64Array, k: number): void {
    const { nFft } = this.p;
    const F = this.nFreqs;
    const { re, im } = this;
    for (let t = 0; t < this.frames; t += 2) {
      const pair = t + 1 < this.frames;
      this.frame(x, t, re);
      if (pair) this.frame(x, t + 1, im);
      else im.fill(0);
      this.fft.transform(re, im, false);
      for (let f = 0; f < F; f++) {
        const g = f === 0 ? 0 : nFft - f;
        const ar = re[f]!;
        const ai = im[f]!;
        const br = re[g]!;
        const bi = im[g]!;
        update(t * F + f, 0.5 * (ar + br), 0.5 * (ai - bi));
        if (pair) update((t + 1) * F + f, 0.5 * (ai + bi), 0.5 * (br - ar));
      }
    }
    function update(j: number, xr: number, xi: number): void {
      let r = xr - k * prevRe[j]!;
      let m = xi - k * prevIm[j]!;
      const abs = hypot2(r, m) + 1e-16;
      r /= abs;
      m /= abs;
      angRe[j] = r;
      angIm[j] = m;
      prevRe[j] = xr;
      prevIm[j] = xi;
    }
  }
}

/** Mono 16-bit PCM WAV; peak-normalised to `peak` (0..1) when the signal is not silent. */
export function encodeWav(samples: Float64Array, sampleRate: number, peak = 0.9): Uint8Array {
  let max = 0;
  for (const s of samples) if (Math.abs(s) > max) max = Math.abs(s);
  const gain = max > 0 ? peak / max : 0;
  const dataBytes = samples.length * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]! * gain));
    buf.writeInt16LE(Math.round(v * 32767), 44 + 2 * i);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
