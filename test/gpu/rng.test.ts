import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/gpu/rng.js';

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
});
