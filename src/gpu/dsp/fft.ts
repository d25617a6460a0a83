// Complex FFT: iterative radix-2 for powers of two, Bluestein's chirp-z for other sizes (riffusion's n_fft is
// 17640). Split real/imaginary Float64Arrays, forward sign e^{-2πi kn/N}; inverse is unnormalised (divide by N).

export class Fft {
  readonly n: number;
  private readonly pow2: boolean;
  private readonly m: number; // radix-2 size used (n itself, or the Bluestein convolution size)
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly rev: Uint32Array;
  // Bluestein
  private readonly wRe?: Float64Array;
  private readonly wIm?: Float64Array;
  private readonly bRe?: Float64Array;
  private readonly bIm?: Float64Array;
  private readonly aRe?: Float64Array;
  private readonly aIm?: Float64Array;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`fft size must be a positive integer, got ${n}`);
    this.n = n;
    this.pow2 = (n & (n - 1)) === 0;
    let m = n;
    if (!this.pow2) {
      m = 1;
      while (m < 2 * n - 1) m <<= 1;
    }
    this.m = m;
    this.cos = new Float64Array(m / 2);
    this.sin = new Float64Array(m / 2);
    for (let i = 0; i < m / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / m);
      this.sin[i] = Math.sin((2 * Math.PI * i) / m);
    }
    this.rev = new Uint32Array(m);
    const bits = Math.round(Math.log2(m));
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
      this.rev[i] = r >>> 0;
    }
    if (!this.pow2) {
      // chirp w_k = e^{-iπ k²/n}; k² taken mod 2n to keep the angle exact
      this.wRe = new Float64Array(n);
      this.wIm = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const k2 = (k * k) % (2 * n);
        this.wRe[k] = Math.cos((Math.PI * k2) / n);
        this.wIm[k] = -Math.sin((Math.PI * k2) / n);
      }
      this.bRe = new Float64Array(m);
      this.bIm = new Float64Array(m);
      this.bRe[0] = this.wRe[0]!;
      this.bIm[0] = -this.wIm[0]!;
      for (let k = 1; k < n; k++) {
        this.bRe[k] = this.bRe[m - k] = this.wRe[k]!;
        this.bIm[k] = this.bIm[m - k] = -this.wIm[k]!;
      }
      this.radix2(this.bRe, this.bIm, false);
      this.aRe = new Float64Array(m);
      this.aIm = new Float64Array(m);
    }
  }

  /** In-place transform of (re, im), length n. */
  transform(re: Float64Array, im: Float64Array, inverse = false): void {
    if (this.pow2) {
      this.radix2(re, im, inverse);
      return;
    }
    const n = this.n;
    const m = this.m;
    const wRe = this.wRe!;
    const wIm = this.wIm!;
    const aRe = this.aRe!;
    const aIm = this.aIm!;
    // inverse DFT = conj(DFT(conj(x)))
    const s = inverse ? -1 : 1;
    aRe.fill(0);
    aIm.fill(0);
    for (let k = 0; k < n; k++) {
      const xr = re[k]!;
      const xi = s * im[k]!;
      aRe[k] = xr * wRe[k]! - xi * wIm[k]!;
      aIm[k] = xr * wIm[k]! + xi * wRe[k]!;
    }
    this.radix2(aRe, aIm, false);
    const bRe = this.bRe!;
    const bIm = this.bIm!;
    for (let k = 0; k < m; k++) {
      const r = aRe[k]! * bRe[k]! - aIm[k]! * bIm[k]!;
      const i = aRe[k]! * bIm[k]! + aIm[k]! * bRe[k]!;
      aRe[k] = r;
      aIm[k] = i;
    }
    this.radix2(aRe, aIm, true);
    for (let k = 0; k < n; k++) {
      const cr = aRe[k]! / m;
      const ci = aIm[k]! / m;
      re[k] = cr * wRe[k]! - ci * wIm[k]!;
      im[k] = s * (cr * wIm[k]! + ci * wRe[k]!);
    }
  }

  private radix2(re: Float64Array, im: Float64Array, inverse: boolean): void {
    const m = this.m;
    const rev = this.rev;
    for (let i = 0; i < m; i++) {
      const j = rev[i]!;
      if (j > i) {
        let t = re[i]!;
        re[i] = re[j]!;
        re[j] = t;
        t = im[i]!;
        im[i] = im[j]!;
        im[j] = t;
      }
    }
    const sgn = inverse ? 1 : -1;
    for (let size = 2; size <= m; size <<= 1) {
      const half = size >>> 1;
      const step = m / size;
      for (let start = 0; start < m; start += size) {
        for (let k = 0; k < half; k++) {
          const c = this.cos[k * step]!;
          const s = sgn * this.sin[k * step]!;
          const a = start + k;
          const b = a + half;
          const tr = re[b]! * c - im[b]! * s;
          const ti = re[b]! * s + im[b]! * c;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a] = re[a]! + tr;
          im[a] = im[a]! + ti;
        }
      }
    }
  }
}
