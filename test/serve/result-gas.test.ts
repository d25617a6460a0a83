// Results-tx gas sized from earlier txs: never below what a tx of b + m·n gas uses, and nothing for a tx smaller
// than any recorded.
import { describe, expect, it } from 'vitest';
import { ResultGas } from '../../src/gpu/serve/result-gas.js';

describe('results tx gas estimate', () => {
  it('knows nothing until a tx is recorded, and nothing for fewer results than any recorded tx', () => {
    const g = new ResultGas();
    expect(g.estimate(5)).toBeUndefined();
    g.record(4, 400_000);
    expect(g.estimate(3)).toBeUndefined();
    expect(g.estimate(4)).toBe(400_000);
    expect(g.estimate(8)).toBe(800_000);
  });

  it('never estimates below the gas of a tx whose ante handler costs b and each result m', () => {
    const b = 70_000;
    const m = 31_000;
    const used = (n: number) => b + m * n;
    const g = new ResultGas();
    for (const n of [2, 17, 9, 40]) g.record(n, used(n));
    for (let n = 2; n <= 100; n++) expect(g.estimate(n)!).toBeGreaterThanOrEqual(used(n));
    // From the closest smaller size recorded: 20 results are sized from 17, not from 2 (which would be 2.1× the need).
    expect(g.estimate(20)! / used(20)).toBeLessThan(1.1);
    expect(g.estimate(1)).toBeUndefined();
  });

  it('keeps the largest gas per result seen for a size', () => {
    const g = new ResultGas();
    g.record(3, 300_000);
    g.record(3, 240_000);
    expect(g.estimate(3)).toBe(300_000);
    expect(g.lastPerResult).toBe(100_000);
  });

  it('forgets everything when a tx ran out of gas', () => {
    const g = new ResultGas();
    g.record(3, 300_000);
    g.forget();
    expect(g.estimate(10)).toBeUndefined();
    expect(g.lastPerResult).toBeUndefined();
  });

  it('remembers a bounded number of sizes, dropping the one used longest ago', () => {
    const g = new ResultGas();
    for (let n = 1; n <= 17; n++) g.record(n, n * 1000);
    // Size 1 went first: a 1-result tx has no bound any more.
    expect(g.estimate(1)).toBeUndefined();
    expect(g.estimate(2)).toBe(2000);
  });

  it('ignores what cannot be a tx: no results, no gas', () => {
    const g = new ResultGas();
    g.record(0, 1000);
    g.record(3, 0);
    expect(g.estimate(50)).toBeUndefined();
  });
});
