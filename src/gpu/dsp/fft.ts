// Complex FFT: iterative radix-2 for powers of two, Bluestein's chirp-z for other sizes (riffusion's n_fft is
// 17640). Split real/imaginary Float64Arrays, forward sign e^{-2πi kn/N}; inverse is unnormalised (divide by N).

export class Fft {
  readonly n: number;
  private readonly pow2: boolean;
  private readonly m: number; // radix-2 size used (n itself, or the Bluestein convolution size)
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly rev: Uint32Array;
  /** Twiddles per butterfly stage, contiguous: for half-size h, entries h−1 … 2h−2 are cos/sin(2πk/(2h)), k < h. */
  private readonly twCos: Float64Array;
  private readonly twSin: Float64Array;
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
    // the same values as cos/sin[k·m/(2h)], laid out so that each stage reads them sequentially
    this.twCos = new Float64Array(Math.max(1, m - 1));
    this.twSin = new Float64Array(Math.max(1, m - 1));
    for (let h = 1; h < m; h <<= 1) {
      const step = m / (2 * h);
      for (let k = 0; k < h; k++) {
        this.twCos[h - 1 + k] = this.cos[k * step]!;
        this.twSin[h - 1 + k] = this.sin[k * step]!;
      }
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
    // Decimation in time, two stages per pass (a radix-4 pass of radix-2 butterflies). Every element goes through
    // exactly the operations of the one-stage-per-pass loop, in the same order, so results are bit-identical to
    // it; the fusion halves the passes over memory.
    const sgn = inverse ? 1 : -1;
    const twCos = this.twCos;
    const twSin = this.twSin;
    let h = 1;
    if (Math.round(Math.log2(m)) % 2 === 1) {
      // odd number of stages: one plain radix-2 stage (half-size 1) first
      const c = twCos[0]!;
      const s = sgn * twSin[0]!;
      for (let a = 0; a < m; a += 2) {
        const b = a + 1;
        const tr = re[b]! * c - im[b]! * s;
        const ti = re[b]! * s + im[b]! * c;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
      h = 2;
    }
    for (; h < m; h <<= 2) {
      // stage A: half-size h (pairs i0,i1 and i2,i3); stage B: half-size 2h (pairs i0,i2 and i1,i3)
      const oa = h - 1;
      const ob = 2 * h - 1;
      for (let start = 0; start < m; start += 4 * h) {
        for (let k = 0; k < h; k++) {
          const i0 = start + k;
          const i1 = i0 + h;
          const i2 = i1 + h;
          const i3 = i2 + h;
          const ca = twCos[oa + k]!;
          const sa = sgn * twSin[oa + k]!;
          let r0 = re[i0]!;
          let m0 = im[i0]!;
          let r1 = re[i1]!;
          let m1 = im[i1]!;
          let tr = r1 * ca - m1 * sa;
          let ti = r1 * sa + m1 * ca;
          r1 = r0 - tr;
          m1 = m0 - ti;
          r0 = r0 + tr;
          m0 = m0 + ti;
          let r2 = re[i2]!;
          let m2 = im[i2]!;
          let r3 = re[i3]!;
          let m3 = im[i3]!;
          tr = r3 * ca - m3 * sa;
          ti = r3 * sa + m3 * ca;
          r3 = r2 - tr;
          m3 = m2 - ti;
          r2 = r2 + tr;
          m2 = m2 + ti;
          let cb = twCos[ob + k]!;
          let sb = sgn * twSin[ob + k]!;
          tr = r2 * cb - m2 * sb;
          ti = r2 * sb + m2 * cb;
          re[i2] = r0 - tr;
          im[i2] = m0 - ti;
          re[i0] = r0 + tr;
          im[i0] = m0 + ti;
          cb = twCos[ob + k + h]!;
          sb = sgn * twSin[ob + k + h]!;
          tr = r3 * cb - m3 * sb;
          ti = r3 * sb + m3 * cb;
          re[i3] = r1 - tr;
          im[i3] = m1 - ti;
          re[i1] = r1 + tr;
          im[i1] = m1 + ti;
        }
      }
    }
  }
}
