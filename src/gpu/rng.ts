// Seeded random numbers for latents and sampling: the same seed gives the same stream on every platform.
//
// Generator: xoshiro128** (Blackman & Vigna, 2018), 32-bit state words, all arithmetic in Math.imul and 32-bit
// shifts, so results do not depend on the CPU or on float rounding. The four state words come from splitmix32 over
// the seed. Normals: Box–Muller on 53-bit uniforms; V8's Math.log/sin/cos are its own fdlibm port (same results on
// every platform for one Node version), so the normal stream is reproducible too.
//
// Performance: the state lives in an Int32Array (signed 32-bit words; the bits are what xoshiro defines, only
// nextU32's return value is reinterpreted as unsigned with `>>> 0`), so V8 keeps it in untagged int32 registers
// instead of boxing values ≥ 2^31 as heap numbers. normals(n) runs the generator and Box–Muller in one loop over
// local variables. Every output is bit-identical to the plain implementation (test/gpu/rng.test.ts checks this
// against a reference copy).

const TWO_POW_32 = 4294967296;
/** 2^-53: multiplying by it is exact, and equal to dividing by 2^53. */
const TWO_POW_M53 = 1 / 9007199254740992;
const TWO_PI = 2 * Math.PI;

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) >>> 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** A noise seed: the chain's uint64 as a bigint, or a safe integer. */
export type Seed = number | bigint;

export class Rng {
  /** xoshiro128** state s0..s3, as signed 32-bit words. */
  private readonly st: Int32Array;
  /** Second value of the last Box–Muller pair (a double, not rounded), valid while hasSpare. */
  private spare: number;
  private hasSpare: boolean;

  /**
   * `seed`: a job's uint64 seed as a bigint (all 64 bits count), or a number in [0, 2^53) which gives the same
   * stream as the equal bigint. The executor and `gpu run` both seed this way, so a job's seed reproduces it.
   */
  constructor(seed: Seed) {
    let lo: number;
    let hi: number;
    if (typeof seed === 'bigint') {
      if (seed < 0n || seed > 0xffffffffffffffffn) throw new RangeError(`seed must be a uint64, got ${seed}`);
      lo = Number(seed & 0xffffffffn);
      hi = Number(seed >> 32n);
    } else {
      if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer in [0, 2^53), got ${seed}`);
      lo = seed >>> 0;
      hi = Math.floor(seed / TWO_POW_32) >>> 0;
    }
    const sm = { s: (lo ^ Math.imul(hi ^ 0x5bd1e995, 0x27d4eb2d)) >>> 0 };
    // Mix hi in twice so that seeds differing only in the high word still diverge from the first output.
    splitmix32(sm);
    sm.s = (sm.s ^ hi) >>> 0;
    const st = new Int32Array(4);
    st[0] = splitmix32(sm);
    st[1] = splitmix32(sm);
    st[2] = splitmix32(sm);
    st[3] = splitmix32(sm);
    if ((st[0]! | st[1]! | st[2]! | st[3]!) === 0) st[0] = 1; // all-zero state is a fixed point
    this.st = st;
    this.spare = 0;
    this.hasSpare = false;
  }

  /** Next 32-bit unsigned integer (xoshiro128**). */
  nextU32(): number {
    const st = this.st;
    const s0 = st[0]!;
    const s1 = st[1]!;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9);
    const s2 = st[2]! ^ s0;
    const s3 = st[3]! ^ s1;
    st[1] = s1 ^ s2;
    st[0] = s0 ^ s3;
    st[2] = s2 ^ (s1 << 9);
    st[3] = (s3 << 11) | (s3 >>> 21);
    return result >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const st = this.st;
    let s0 = st[0]!;
    let s1 = st[1]!;
    let s2 = st[2]!;
    let s3 = st[3]!;
    // First word: 27 bits.
    let x = Math.imul(s1, 5);
    const a = Math.imul((x << 7) | (x >>> 25), 9) >>> 5;
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    // Second word: 26 bits.
    x = Math.imul(s1, 5);
    const b = Math.imul((x << 7) | (x >>> 25), 9) >>> 6;
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = (s3 << 11) | (s3 >>> 21);
    return (a * 67108864 + b) * TWO_POW_M53;
  }

  /** Standard normal N(0, 1) by Box–Muller; values come in pairs, the second is kept for the next call. */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    // u1 = 1 - nextFloat(), u2 = nextFloat(), with the four xoshiro128** steps inlined.
    const st = this.st;
    let s0 = st[0]!;
    let s1 = st[1]!;
    let s2 = st[2]!;
    let s3 = st[3]!;
    let x = Math.imul(s1, 5);
    const w0 = Math.imul((x << 7) | (x >>> 25), 9);
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);

    x = Math.imul(s1, 5);
    const w1 = Math.imul((x << 7) | (x >>> 25), 9);
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);

    x = Math.imul(s1, 5);
    const w2 = Math.imul((x << 7) | (x >>> 25), 9);
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);

    x = Math.imul(s1, 5);
    const w3 = Math.imul((x << 7) | (x >>> 25), 9);
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = (s3 << 11) | (s3 >>> 21);

    const u1 = 1 - ((w0 >>> 5) * 67108864 + (w1 >>> 6)) * TWO_POW_M53; // (0, 1]: log is finite
    const u2 = ((w2 >>> 5) * 67108864 + (w3 >>> 6)) * TWO_POW_M53;
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = TWO_PI * u2;
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }

  /** A Float32Array of n standard normals (the same values, in order, as n calls of normal()). */
  normals(n: number): Float32Array {
    const out = new Float32Array(n);
    this.fillNormals(out);
    return out;
  }

  /** Fills `out` with standard normals: the same values, in order, as out.length calls of normal(). */
  fillNormals(out: Float32Array): Float32Array {
    const n = out.length;
    let i = 0;
    if (n === 0) return out;
    if (this.hasSpare) {
      this.hasSpare = false;
      out[i++] = this.spare;
    }
    const st = this.st;
    let s0 = st[0]!;
    let s1 = st[1]!;
    let s2 = st[2]!;
    let s3 = st[3]!;
    let x = 0;
    let t = 0;
    let w0 = 0;
    let w1 = 0;
    let w2 = 0;
    let w3 = 0;
    for (; i < n; i += 2) {
      // Four xoshiro128** outputs, unrolled.
      x = Math.imul(s1, 5);
      w0 = Math.imul((x << 7) | (x >>> 25), 9);
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);

      x = Math.imul(s1, 5);
      w1 = Math.imul((x << 7) | (x >>> 25), 9);
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);

      x = Math.imul(s1, 5);
      w2 = Math.imul((x << 7) | (x >>> 25), 9);
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);

      x = Math.imul(s1, 5);
      w3 = Math.imul((x << 7) | (x >>> 25), 9);
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);

      const u1 = 1 - ((w0 >>> 5) * 67108864 + (w1 >>> 6)) * TWO_POW_M53; // (0, 1]: log is finite
      const u2 = ((w2 >>> 5) * 67108864 + (w3 >>> 6)) * TWO_POW_M53;
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = TWO_PI * u2;
      out[i] = r * Math.cos(theta);
      if (i + 1 < n) {
        out[i + 1] = r * Math.sin(theta);
      } else {
        // Odd tail: keep the second value of the pair (unrounded) for the next normal() call.
        this.spare = r * Math.sin(theta);
        this.hasSpare = true;
      }
    }
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = s3;
    return out;
  }
}
