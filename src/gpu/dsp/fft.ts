// Complex FFT: iterative radix-2 for powers of two; mixed radix (2, 3, 4, 5 and any prime up to 31) for other sizes
// with only small prime factors, such as riffusion's n_fft 17640 = 2³·3²·5·7²; Bluestein's chirp-z for the rest.
// Split real/imaginary Float64Arrays, forward sign e^{-2πi kn/N}; inverse is unnormalised (divide by N).

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
  private readonly mixed?: MixedRadix;
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
    const radices = this.pow2 ? undefined : smallRadices(n);
    if (radices) {
      // the radix-2 tables below are unused
      this.mixed = new MixedRadix(n, radices);
      this.m = n;
      this.cos = this.sin = this.twCos = this.twSin = new Float64Array(0);
      this.rev = new Uint32Array(0);
      return;
    }
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

  /** Which algorithm this size uses. */
  get kind(): 'radix-2' | 'mixed-radix' | 'bluestein' {
    return this.pow2 ? 'radix-2' : this.mixed ? 'mixed-radix' : 'bluestein';
  }

  /** In-place transform of (re, im), length n. */
  transform(re: Float64Array, im: Float64Array, inverse = false): void {
    if (this.mixed) {
      this.mixed.transform(re, im, inverse);
      return;
    }
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

/** The stage radices for n (4s first, then 2, 3, 5 and other primes ≤ 31), or undefined if n has a larger factor. */
function smallRadices(n: number): number[] | undefined {
  const out: number[] = [];
  let r = n;
  while (r % 4 === 0) {
    out.push(4);
    r /= 4;
  }
  for (const p of [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31]) {
    while (r % p === 0) {
      out.push(p);
      r /= p;
    }
  }
  return r === 1 && out.length > 0 ? out : undefined;
}

/**
 * Mixed-radix decimation-in-time FFT: the input is gathered in digit-reversed order, then each stage s of radix p
 * combines p DFTs of length `span` (the product of the earlier radices) into DFTs of length span·p, in place:
 * for each block and k < span, the p values at k + q·span are multiplied by the twiddles e^{∓2πi qk/(span·p)} and
 * replaced by their p-point DFT.
 */
class MixedRadix {
  private readonly perm: Uint32Array;
  private readonly stages: { p: number; span: number; twRe: Float64Array; twIm: Float64Array }[] = [];
  private readonly xr: Float64Array;
  private readonly xi: Float64Array;
  /** cos/sin(2π j/p) for the generic odd-prime butterfly, per radix */
  private readonly rootRe = new Map<number, Float64Array>();
  private readonly rootIm = new Map<number, Float64Array>();
  private readonly ar = new Float64Array(32);
  private readonly ai = new Float64Array(32);

  constructor(
    readonly n: number,
    radices: readonly number[],
  ) {
    this.perm = new Uint32Array(n);
    // position block q of the last stage holds x[q + p·m]; recursively for the earlier radices
    const fill = (pos: number, base: number, stride: number, s: number): void => {
      if (s < 0) {
        this.perm[pos] = base;
        return;
      }
      const p = radices[s]!;
      const sub = this.lengthBefore(radices, s);
      for (let q = 0; q < p; q++) fill(pos + q * sub, base + q * stride, stride * p, s - 1);
    };
    fill(0, 0, 1, radices.length - 1);
    let span = 1;
    for (const p of radices) {
      const L = span * p;
      const twRe = new Float64Array((p - 1) * span);
      const twIm = new Float64Array((p - 1) * span);
      for (let q = 1; q < p; q++) {
        for (let k = 0; k < span; k++) {
          // q·k < L·p is exact; reduce mod L for the most accurate angle
          const a = (2 * Math.PI * ((q * k) % L)) / L;
          twRe[(q - 1) * span + k] = Math.cos(a);
          twIm[(q - 1) * span + k] = Math.sin(a);
        }
      }
      this.stages.push({ p, span, twRe, twIm });
      if (p > 7 && !this.rootRe.has(p)) {
        const c = new Float64Array(p);
        const si = new Float64Array(p);
        for (let j = 0; j < p; j++) {
          c[j] = Math.cos((2 * Math.PI * j) / p);
          si[j] = Math.sin((2 * Math.PI * j) / p);
        }
        this.rootRe.set(p, c);
        this.rootIm.set(p, si);
      }
      span = L;
    }
    this.xr = new Float64Array(n);
    this.xi = new Float64Array(n);
  }

  private lengthBefore(radices: readonly number[], s: number): number {
    let l = 1;
    for (let i = 0; i < s; i++) l *= radices[i]!;
    return l;
  }

  transform(re: Float64Array, im: Float64Array, inverse: boolean): void {
    const { n, perm, xr, xi } = this;
    for (let i = 0; i < n; i++) {
      const j = perm[i]!;
      xr[i] = re[j]!;
      xi[i] = im[j]!;
    }
    const sg = inverse ? 1 : -1; // e^{sg·2πi/N}
    for (const st of this.stages) {
      if (st.p === 4) this.radix4(st.span, st.twRe, st.twIm, sg);
      else if (st.p === 2) this.radix2(st.span, st.twRe, st.twIm, sg);
      else if (st.p === 3) this.radix3(st.span, st.twRe, st.twIm, sg);
      else if (st.p === 5) this.radix5(st.span, st.twRe, st.twIm, sg);
      else if (st.p === 7) this.radix7(st.span, st.twRe, st.twIm, sg);
      else this.radixP(st.p, st.span, st.twRe, st.twIm, sg);
    }
    re.set(xr);
    im.set(xi);
  }

  private radix2(span: number, twRe: Float64Array, twIm: Float64Array, sg: number): void {
    const { n, xr, xi } = this;
    const L = 2 * span;
    for (let b = 0; b < n; b += L) {
      for (let k = 0; k < span; k++) {
        const i0 = b + k;
        const i1 = i0 + span;
        const c = twRe[k]!;
        const s = sg * twIm[k]!;
        const r1 = xr[i1]! * c - xi[i1]! * s;
        const m1 = xr[i1]! * s + xi[i1]! * c;
        const r0 = xr[i0]!;
        const m0 = xi[i0]!;
        xr[i0] = r0 + r1;
        xi[i0] = m0 + m1;
        xr[i1] = r0 - r1;
        xi[i1] = m0 - m1;
      }
    }
  }

  private radix4(span: number, twRe: Float64Array, twIm: Float64Array, sg: number): void {
    const { n, xr, xi } = this;
    const L = 4 * span;
    for (let b = 0; b < n; b += L) {
      for (let k = 0; k < span; k++) {
        const i0 = b + k;
        const i1 = i0 + span;
        const i2 = i1 + span;
        const i3 = i2 + span;
        const r0 = xr[i0]!;
        const m0 = xi[i0]!;
        let c = twRe[k]!;
        let s = sg * twIm[k]!;
        const r1 = xr[i1]! * c - xi[i1]! * s;
        const m1 = xr[i1]! * s + xi[i1]! * c;
        c = twRe[span + k]!;
        s = sg * twIm[span + k]!;
        const r2 = xr[i2]! * c - xi[i2]! * s;
        const m2 = xr[i2]! * s + xi[i2]! * c;
        c = twRe[2 * span + k]!;
        s = sg * twIm[2 * span + k]!;
        const r3 = xr[i3]! * c - xi[i3]! * s;
        const m3 = xr[i3]! * s + xi[i3]! * c;
        // y_q = Σ_j a_j·w4^{qj}, w4 = e^{sg·iπ/2} = sg·i
        const ar = r0 + r2;
        const ai = m0 + m2;
        const br = r0 - r2;
        const bi = m0 - m2;
        const cr = r1 + r3;
        const ci = m1 + m3;
        const dr = r1 - r3;
        const di = m1 - m3;
        xr[i0] = ar + cr;
        xi[i0] = ai + ci;
        xr[i2] = ar - cr;
        xi[i2] = ai - ci;
        // (sg·i)·d = (−sg·di, sg·dr)
        xr[i1] = br - sg * di;
        xi[i1] = bi + sg * dr;
        xr[i3] = br + sg * di;
        xi[i3] = bi - sg * dr;
      }
    }
  }

  private radix3(span: number, twRe: Float64Array, twIm: Float64Array, sg: number): void {
    const { n, xr, xi } = this;
    const L = 3 * span;
    const c3 = -0.5;
    const s3 = sg * (Math.sqrt(3) / 2);
    for (let b = 0; b < n; b += L) {
      for (let k = 0; k < span; k++) {
        const i0 = b + k;
        const i1 = i0 + span;
        const i2 = i1 + span;
        let c = twRe[k]!;
        let s = sg * twIm[k]!;
        const r1 = xr[i1]! * c - xi[i1]! * s;
        const m1 = xr[i1]! * s + xi[i1]! * c;
        c = twRe[span + k]!;
        s = sg * twIm[span + k]!;
        const r2 = xr[i2]! * c - xi[i2]! * s;
        const m2 = xr[i2]! * s + xi[i2]! * c;
        const r0 = xr[i0]!;
        const m0 = xi[i0]!;
        const tr = r1 + r2;
        const ti = m1 + m2;
        const ur = r0 + c3 * tr;
        const ui = m0 + c3 * ti;
        // s3·i·(a1 − a2)
        const vr = -s3 * (m1 - m2);
        const vi = s3 * (r1 - r2);
        xr[i0] = r0 + tr;
        xi[i0] = m0 + ti;
        xr[i1] = ur + vr;
        xi[i1] = ui + vi;
        xr[i2] = ur - vr;
        xi[i2] = ui - vi;
      }
    }
  }

  private radix5(span: number, twRe: Float64Array, twIm: Float64Array, sg: number): void {
    const { n, xr, xi } = this;
    const L = 5 * span;
    const c1 = Math.cos((2 * Math.PI) / 5);
    const c2 = Math.cos((4 * Math.PI) / 5);
    const s1 = sg * Math.sin((2 * Math.PI) / 5);
    const s2 = sg * Math.sin((4 * Math.PI) / 5);
    for (let b = 0; b < n; b += L) {
      for (let k = 0; k < span; k++) {
        const i0 = b + k;
        const i1 = i0 + span;
        const i2 = i1 + span;
        const i3 = i2 + span;
        const i4 = i3 + span;
        let c = twRe[k]!;
        let s = sg * twIm[k]!;
        const r1 = xr[i1]! * c - xi[i1]! * s;
        const m1 = xr[i1]! * s + xi[i1]! * c;
        c = twRe[span + k]!;
        s = sg * twIm[span + k]!;
        const r2 = xr[i2]! * c - xi[i2]! * s;
        const m2 = xr[i2]! * s + xi[i2]! * c;
        c = twRe[2 * span + k]!;
        s = sg * twIm[2 * span + k]!;
        const r3 = xr[i3]! * c - xi[i3]! * s;
        const m3 = xr[i3]! * s + xi[i3]! * c;
        c = twRe[3 * span + k]!;
        s = sg * twIm[3 * span + k]!;
        const r4 = xr[i4]! * c - xi[i4]! * s;
        const m4 = xr[i4]! * s + xi[i4]! * c;
        const r0 = xr[i0]!;
        const m0 = xi[i0]!;
        const ar = r1 + r4;
        const ai = m1 + m4;
        const br = r1 - r4;
        const bi = m1 - m4;
        const cr = r2 + r3;
        const ci = m2 + m3;
        const dr = r2 - r3;
        const di = m2 - m3;
        const e1r = r0 + c1 * ar + c2 * cr;
        const e1i = m0 + c1 * ai + c2 * ci;
        const e2r = r0 + c2 * ar + c1 * cr;
        const e2i = m0 + c2 * ai + c1 * ci;
        // i·(s1·b + s2·d) and i·(s2·b − s1·d)
        const f1r = -(s1 * bi + s2 * di);
        const f1i = s1 * br + s2 * dr;
        const f2r = -(s2 * bi - s1 * di);
        const f2i = s2 * br - s1 * dr;
        xr[i0] = r0 + ar + cr;
        xi[i0] = m0 + ai + ci;
        xr[i1] = e1r + f1r;
        xi[i1] = e1i + f1i;
        xr[i4] = e1r - f1r;
        xi[i4] = e1i - f1i;
        xr[i2] = e2r + f2r;
        xi[i2] = e2i + f2i;
        xr[i3] = e2r - f2r;
        xi[i3] = e2i - f2i;
      }
    }
  }

  /** Radix 7 (riffusion's 17640 has 7²): the generic odd-prime butterfly below, unrolled with its constants. */
  private radix7(span: number, twRe: Float64Array, twIm: Float64Array, sg: number): void {
    const { n, xr, xi } = this;
    const L = 7 * span;
    const c1 = Math.cos((2 * Math.PI) / 7);
    const c2 = Math.cos((4 * Math.PI) / 7);
    const c3 = Math.cos((6 * Math.PI) / 7);
    const s1 = sg * Math.sin((2 * Math.PI) / 7);
    const s2 = sg * Math.sin((4 * Math.PI) / 7);
    const s3 = sg * Math.sin((6 * Math.PI) / 7);
    for (let b = 0; b < n; b += L) {
      for (let k = 0; k < span; k++) {
        const i0 = b + k;
        const i1 = i0 + span;
        const i2 = i1 + span;
        const i3 = i2 + span;
        const i4 = i3 + span;
        const i5 = i4 + span;
        const i6 = i5 + span;
        let c = twRe[k]!;
        let s = sg * twIm[k]!;
        const r1 = xr[i1]! * c - xi[i1]! * s;
        const m1 = xr[i1]! * s + xi[i1]! * c;
        c = twRe[span + k]!;
        s = sg * twIm[span + k]!;
        const r2 = xr[i2]! * c - xi[i2]! * s;
        const m2 = xr[i2]! * s + xi[i2]! * c;
        c = twRe[2 * span + k]!;
        s = sg * twIm[2 * span + k]!;
        const r3 = xr[i3]! * c - xi[i3]! * s;
        const m3 = xr[i3]! * s + xi[i3]! * c;
        c = twRe[3 * span + k]!;
        s = sg * twIm[3 * span + k]!;
        const r4 = xr[i4]! * c - xi[i4]! * s;
        const m4 = xr[i4]! * s + xi[i4]! * c;
        c = twRe[4 * span + k]!;
        s = sg * twIm[4 * span + k]!;
        const r5 = xr[i5]! * c - xi[i5]! * s;
        const m5 = xr[i5]! * s + xi[i5]! * c;
        c = twRe[5 * span + k]!;
        s = sg * twIm[5 * span + k]!;
        const r6 = xr[i6]! * c - xi[i6]! * s;
        const m6 = xr[i6]! * s + xi[i6]! * c;
        const r0 = xr[i0]!;
        const m0 = xi[i0]!;
        const t1r = r1 + r6;
        const t1i = m1 + m6;
        const t2r = r2 + r5;
        const t2i = m2 + m5;
        const t3r = r3 + r4;
        const t3i = m3 + m4;
        const d1r = r1 - r6;
        const d1i = m1 - m6;
        const d2r = r2 - r5;
        const d2i = m2 - m5;
        const d3r = r3 - r4;
        const d3i = m3 - m4;
        xr[i0] = r0 + t1r + t2r + t3r;
        xi[i0] = m0 + t1i + t2i + t3i;
        // u = 1, 2, 3: e = a0 + Σ cos(2π uj/7)·t_j, f = i·Σ sg·sin(2π uj/7)·d_j; y_u = e + f, y_{7−u} = e − f
        let er = r0 + c1 * t1r + c2 * t2r + c3 * t3r;
        let ei = m0 + c1 * t1i + c2 * t2i + c3 * t3i;
        let fr = -(s1 * d1i + s2 * d2i + s3 * d3i);
        let fi = s1 * d1r + s2 * d2r + s3 * d3r;
        xr[i1] = er + fr;
        xi[i1] = ei + fi;
        xr[i6] = er - fr;
        xi[i6] = ei - fi;
        er = r0 + c2 * t1r + c3 * t2r + c1 * t3r;
        ei = m0 + c2 * t1i + c3 * t2i + c1 * t3i;
        fr = -(s2 * d1i - s3 * d2i - s1 * d3i);
        fi = s2 * d1r - s3 * d2r - s1 * d3r;
        xr[i2] = er + fr;
        xi[i2] = ei + fi;
        xr[i5] = er - fr;
        xi[i5] = ei - fi;
        er = r0 + c3 * t1r + c1 * t2r + c2 * t3r;
        ei = m0 + c3 * t1i + c1 * t2i + c2 * t3i;
        fr = -(s3 * d1i - s1 * d2i + s2 * d3i);
        fi = s3 * d1r - s1 * d2r + s2 * d3r;
        xr[i3] = er + fr;
        xi[i3] = ei + fi;
        xr[i4] = er - fr;
        xi[i4] = ei - fi;
      }
    }
  }

  /** Any odd prime p: twiddle, then a direct p-point DFT using conjugate symmetry (pairs j, p − j). */
  private radixP(p: number, span: number, twRe: Float64Array, twIm: Float64Array, sg: number): void {
    const { n, xr, xi, ar, ai } = this;
    const cr = this.rootRe.get(p)!;
    const ci = this.rootIm.get(p)!;
    const L = p * span;
    const h = (p - 1) / 2;
    for (let b = 0; b < n; b += L) {
      for (let k = 0; k < span; k++) {
        const i0 = b + k;
        ar[0] = xr[i0]!;
        ai[0] = xi[i0]!;
        for (let q = 1; q < p; q++) {
          const i = i0 + q * span;
          const c = twRe[(q - 1) * span + k]!;
          const s = sg * twIm[(q - 1) * span + k]!;
          ar[q] = xr[i]! * c - xi[i]! * s;
          ai[q] = xr[i]! * s + xi[i]! * c;
        }
        let sr = ar[0]!;
        let si = ai[0]!;
        for (let q = 1; q < p; q++) {
          sr += ar[q]!;
          si += ai[q]!;
        }
        xr[i0] = sr;
        xi[i0] = si;
        for (let u = 1; u <= h; u++) {
          // y_u and y_{p−u}: Σ_j a_j·(cos ± sg·i·sin)(2π uj/p); with a_j + a_{p−j} and a_j − a_{p−j}
          let er = ar[0]!;
          let ei = ai[0]!;
          let fr = 0;
          let fi = 0;
          for (let j = 1; j <= h; j++) {
            const idx = (u * j) % p;
            const c = cr[idx]!;
            const s = sg * ci[idx]!;
            er += c * (ar[j]! + ar[p - j]!);
            ei += c * (ai[j]! + ai[p - j]!);
            // i·s·(a_j − a_{p−j})
            fr -= s * (ai[j]! - ai[p - j]!);
            fi += s * (ar[j]! - ar[p - j]!);
          }
          xr[i0 + u * span] = er + fr;
          xi[i0 + u * span] = ei + fi;
          xr[i0 + (p - u) * span] = er - fr;
          xi[i0 + (p - u) * span] = ei - fi;
        }
      }
    }
  }
}
