import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/gpu/rng.js';

// Straightforward reference implementation (the original, plain-number version of src/gpu/rng.ts). The optimised
// module must reproduce every u32, uniform and normal of it bit for bit, for every seed.
class RefRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  constructor(seed: number) {
    const splitmix32 = (state: { s: number }): number => {
      state.s = (state.s + 0x9e3779b9) >>> 0;
      let z = state.s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    const st = { s: (lo ^ Math.imul(hi ^ 0x5bd1e995, 0x27d4eb2d)) >>> 0 };
    splitmix32(st);
    st.s = (st.s ^ hi) >>> 0;
    this.s0 = splitmix32(st);
    this.s1 = splitmix32(st);
    this.s2 = splitmix32(st);
    this.s3 = splitmix32(st);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextU32(): number {
    const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  nextFloat(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  normal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    const u1 = 1 - this.nextFloat();
    const u2 = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

const N = 100_000;
const SEEDS = [0, 1, 2, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER, 42, 1234567, 3_141_592_653, 2_718_281_828_459, 0x5bd1e995, 987654321012345];

/** Index of the first element where a and b differ (Object.is, so -0 ≠ 0), or -1. */
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
function draw<T extends Float32Array | Float64Array = Float64Array>(n: number, f: () => number, out: T = new Float64Array(n) as T): T {
  for (let i = 0; i < n; i++) out[i] = f();
  return out;
}

describe('seeded rng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = new Rng(42).normals(1000);
    const b = new Rng(42).normals(1000);
    const c = new Rng(43).normals(1000);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('pins the first outputs so the stream never changes silently across versions or platforms', () => {
    const r = new Rng(0);
    const u = [r.nextU32(), r.nextU32(), r.nextU32()];
    // Recorded from this implementation (xoshiro128** seeded by splitmix32); a change here changes every image.
    expect(u).toEqual([3800524788, 2337695437, 3984913453]);
  });

  it('seeds that differ only above 2^32 give different streams', () => {
    expect(new Rng(1).nextU32()).not.toBe(new Rng(1 + 2 ** 32).nextU32());
  });

  it('normals have mean ≈ 0 and variance ≈ 1', () => {
    const x = new Rng(7).normals(200_000);
    let s = 0;
    let s2 = 0;
    for (const v of x) {
      s += v;
      s2 += v * v;
    }
    const mean = s / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(s2 / x.length - mean * mean - 1)).toBeLessThan(0.02);
  });

  it('uniforms stay in [0, 1) for any seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (seed) => {
        const r = new Rng(seed);
        for (let i = 0; i < 50; i++) {
          const f = r.nextFloat();
          if (!(f >= 0 && f < 1)) return false;
        }
        return true;
      }),
    );
  });

  it('refuses seeds that are not safe non-negative integers', () => {
    expect(() => new Rng(-1)).toThrow(RangeError);
    expect(() => new Rng(1.5)).toThrow(RangeError);
  });

  describe.each(SEEDS)('is bit-identical to the reference implementation for seed %d', (seed) => {
    it('nextU32', () => {
      const a = new Rng(seed);
      const b = new RefRng(seed);
      expect(
        firstDiff(
          draw(N, () => a.nextU32()),
          draw(N, () => b.nextU32()),
        ),
      ).toBe(-1);
    });

    it('nextFloat', () => {
      const a = new Rng(seed);
      const b = new RefRng(seed);
      expect(
        firstDiff(
          draw(N, () => a.nextFloat()),
          draw(N, () => b.nextFloat()),
        ),
      ).toBe(-1);
    });

    it('normal (unrounded doubles, including the kept spare)', () => {
      const a = new Rng(seed);
      const b = new RefRng(seed);
      expect(
        firstDiff(
          draw(N, () => a.normal()),
          draw(N, () => b.normal()),
        ),
      ).toBe(-1);
    });

    it('normals(n), in one call and in odd-sized chunks that split Box–Muller pairs', () => {
      const b = new RefRng(seed);
      const expected = draw(N, () => b.normal(), new Float32Array(N));
      expect(firstDiff(new Rng(seed).normals(N), expected)).toBe(-1);
      const a = new Rng(seed);
      const got = new Float32Array(N);
      const sizes = [1, 0, 3, 2, 7, 1, 1, 4096, 5, 999];
      for (let off = 0, k = 0; off < N; k++) {
        const m = Math.min(sizes[k % sizes.length]!, N - off);
        got.set(a.normals(m), off);
        off += m;
      }
      expect(firstDiff(got, expected)).toBe(-1);
    });

    it('fillNormals, in chunks, and returns its argument', () => {
      const b = new RefRng(seed);
      const expected = draw(N, () => b.normal(), new Float32Array(N));
      const a = new Rng(seed);
      const got = new Float32Array(N);
      for (let off = 0, k = 1; off < N; k = (k * 7 + 3) % 1001) {
        const part = got.subarray(off, Math.min(N, off + k));
        expect(a.fillNormals(part)).toBe(part);
        off += part.length;
      }
      expect(firstDiff(got, expected)).toBe(-1);
    });

    it('every method interleaved (state and the kept spare are shared exactly as in the reference)', () => {
      const a = new Rng(seed);
      const b = new RefRng(seed);
      const got: number[] = [];
      const want: number[] = [];
      let x = (seed % 1000) + 1; // deterministic op choice per seed
      while (want.length < N) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        const op = (x >>> 16) % 5;
        if (op === 0) {
          got.push(a.nextU32());
          want.push(b.nextU32());
        } else if (op === 1) {
          got.push(a.nextFloat());
          want.push(b.nextFloat());
        } else if (op === 2) {
          got.push(a.normal());
          want.push(b.normal());
        } else {
          const m = (x >>> 8) % 9; // 0..8, odd sizes leave a spare
          const arr = op === 3 ? a.normals(m) : a.fillNormals(new Float32Array(m));
          got.push(...arr);
          want.push(...draw(m, () => b.normal(), new Float32Array(m)));
        }
      }
      expect(firstDiff(got, want)).toBe(-1);
    });
  });

  it('matches the reference for random seeds (first outputs of every stream)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (seed) => {
        const a = new Rng(seed);
        const b = new RefRng(seed);
        for (let i = 0; i < 64; i++) {
          if (a.nextU32() !== b.nextU32() || a.nextFloat() !== b.nextFloat() || !Object.is(a.normal(), b.normal())) return false;
        }
        const got = a.normals(33);
        const want = draw(33, () => b.normal(), new Float32Array(33));
        return firstDiff(got, want) === -1 && Object.is(a.normal(), b.normal());
      }),
      { numRuns: 300 },
    );
  });
});
