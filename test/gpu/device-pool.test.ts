// Runs against the compiled workers in dist/ (worker_threads cannot load .ts): `npm test` builds first;
// alone, run `npm run build` before `npx vitest run test/gpu/device-pool.test.ts`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, model } from './helpers.js';
import type * as PoolModule from '../../src/gpu/device-pool.js';
import type { JobSpec } from '../../src/gpu/jobs.js';

const distPool = join(ROOT, 'dist', 'gpu', 'device-pool.js');
let mod: typeof PoolModule;
let pool: PoolModule.DevicePool;

const selfTest: JobSpec = { kind: 'image', modelDir: model('tiny-sd'), params: { prompt: 'self test', steps: 1, width: 64, height: 64, seed: 1, guidance: 1 } };
const job = (seed: number): JobSpec => ({ kind: 'image', modelDir: model('tiny-sd'), params: { prompt: 'a photo of a cat', steps: 12, width: 192, height: 192, seed, guidance: 7.5 } });

describe('device pool', () => {
  beforeAll(async () => {
    if (!existsSync(distPool)) throw new Error(`${distPool} is missing: run \`npm run build\` first`);
    mod = (await import(pathToFileURL(distPool).href)) as typeof PoolModule;
    pool = await mod.DevicePool.start({ devices: mod.parseDevices('cpu:2'), selfTest, cpuThreads: 1 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('parses device lists', async () => {
    const m = mod ?? ((await import(pathToFileURL(distPool).href)) as typeof PoolModule);
    expect(m.parseDevices('0,1')).toEqual([
      { kind: 'cuda', id: 0 },
      { kind: 'cuda', id: 1 },
    ]);
    expect(m.parseDevices('cpu:2')).toEqual([{ kind: 'cpu' }, { kind: 'cpu' }]);
    expect(m.parseDevices('cuda:3')).toEqual([{ kind: 'cuda', id: 3 }]);
    expect(() => m.parseDevices('gpu0')).toThrow(/bad device/);
    expect(() => m.parseDevices('0,0')).toThrow(/twice/);
  });

  it('starts one self-tested worker per device', () => {
    expect(pool.workers.map((w) => [w.device, w.state, w.provider])).toEqual([
      ['cpu', 'idle', 'cpu'],
      ['cpu', 'idle', 'cpu'],
    ]);
    expect(pool.workers.every((w) => (w.selfTestMs ?? 0) > 0)).toBe(true);
  });

  it('runs jobs on both workers at once while the main thread stays responsive', async () => {
    let maxLag = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxLag = Math.max(maxLag, now - last - 5);
      last = now;
    }, 5);
    const spans: { worker: number; start: number; end: number }[] = [];
    const t0 = performance.now();
    const results = await Promise.all(
      [1, 2, 3, 4].map(async (seed) => {
        let start = 0;
        const r = await pool.run(job(seed), { onProgress: (s) => (s === 1 && !start ? (start = performance.now()) : undefined) });
        spans.push({ worker: r.workerId, start: start || t0, end: performance.now() });
        return r;
      }),
    );
    clearInterval(timer);
    expect(new Set(results.map((r) => r.workerId))).toEqual(new Set([0, 1]));
    // some job on worker 0 overlaps in time with some job on worker 1
    const overlap = spans.some((a) => spans.some((b) => a.worker !== b.worker && a.start < b.end && b.start < a.end));
    expect(overlap).toBe(true);
    expect(maxLag).toBeLessThan(150);
    // same seed, same bytes, whichever worker ran it
    const again = await pool.run(job(1));
    expect(again.outputs[0]!.sha256).toBe(results[0]!.outputs[0]!.sha256);
  });

  it('reports a job error with its code and keeps the worker', async () => {
    const bad: JobSpec = { kind: 'image', modelDir: model('tiny-sd'), params: { prompt: 'x', steps: 1, width: 60, height: 64, seed: 1, guidance: 1 } };
    await expect(pool.run(bad)).rejects.toMatchObject({ code: 'usage' });
    const ok = await pool.run(job(9));
    expect(ok.outputs[0]!.bytes.length).toBeGreaterThan(0);
  });

  it('fails to start when no device passes its self-test', async () => {
    const broken: JobSpec = { kind: 'image', modelDir: join(ROOT, 'no-such-model'), params: selfTest.params as never };
    await expect(mod.DevicePool.start({ devices: [{ kind: 'cpu' }], selfTest: broken })).rejects.toMatchObject({ code: 'no_device' });
  });
});
