// Devices on execution providers: each --devices entry names its EP (cuda:0, webgpu, cpu:2), --ep sets the EP of bare
// GPU ids, and an EP that is unknown or cannot start here stops the executor with one line before it serves. This
// machine has no GPU: CPU runs for real, and CUDA/WebGPU go through their real start-up paths to their real failures.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cli, repoRoot } from '../helpers/cli.js';
import { nullLogger } from '../../src/core/logger.js';
import { parseDevices, parseEp } from '../../src/gpu/device-pool.js';

const models = join(repoRoot, 'fixtures', 'models');
// Compiled: the device workers are dist/gpu/worker.js (needs `npm run build`).
const { createRunner } = (await import(join(repoRoot, 'dist', 'gpu', 'serve', 'runner.js'))) as typeof import('../../src/gpu/serve/runner.js');

describe('devices on execution providers', () => {
  it('each entry names its EP; --ep sets the EP of bare GPU ids', () => {
    expect(parseDevices('cuda:0,webgpu,cpu')).toEqual([{ kind: 'cuda', id: 0 }, { kind: 'webgpu' }, { kind: 'cpu' }]);
    expect(parseDevices('cpu,webgpu:0')).toEqual([{ kind: 'cpu' }, { kind: 'webgpu' }]);
    expect(parseDevices('gpu:1,cpu:2')).toEqual([{ kind: 'cuda', id: 1 }, { kind: 'cpu' }, { kind: 'cpu' }]);
    expect(parseDevices('0,1')).toEqual([
      { kind: 'cuda', id: 0 },
      { kind: 'cuda', id: 1 },
    ]);
    expect(parseDevices('0', 'webgpu')).toEqual([{ kind: 'webgpu' }]);
    expect(parseDevices('0,1', 'cpu')).toEqual([{ kind: 'cpu' }, { kind: 'cpu' }]);
    expect(parseEp('WebGPU')).toBe('webgpu');
  });

  it('an unknown EP, or a WebGPU adapter ORT cannot choose, is a one-line usage error', () => {
    const oneLine = (f: () => unknown, re: RegExp) => {
      let err: (Error & { code?: string }) | undefined;
      try {
        f();
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).toMatch(re);
      expect(err?.message).not.toContain('\n');
      expect(err?.code).toBe('bad_value');
    };
    oneLine(() => parseDevices('rocm:0'), /unknown execution provider "rocm" in device "rocm:0": use cuda, webgpu, cpu/);
    oneLine(() => parseEp('tensorrt'), /--ep "tensorrt" is not an execution provider this build runs: use cuda, webgpu, cpu/);
    oneLine(() => parseDevices('webgpu:1'), /webgpu:0; another adapter cannot be chosen/);
    oneLine(() => parseDevices('0,1', 'webgpu'), /"1": WebGPU runs on the adapter Dawn ranks first/);
  });

  it('gpu serve and gpu doctor refuse an unknown EP in one line, before unlocking a key or loading a model', async () => {
    for (const args of [
      ['gpu', 'serve', '--executor-key', 'nobody', '--devices', 'cpu,rocm:0'],
      ['gpu', 'serve', '--executor-key', 'nobody', '--devices', '0', '--ep', 'tpu'],
      ['gpu', 'doctor', '--devices', 'cpu', '--ep', 'tpu'],
    ]) {
      const r = await cli(['--chain', 'local', ...args]);
      expect(r.exitCode, r.stderr).not.toBe(0);
      const first = r.stderr.split('\n')[0]!;
      expect(first).toMatch(/execution provider/);
      expect(r.stderr).not.toMatch(/keyring|password|onnxruntime|at .*\.js:\d+/i);
    }
  });

  it('a device whose EP cannot start stops the executor with one line naming it, before it serves', async () => {
    // CUDA device 7: no CUDA provider in the npm package here, and no 8th GPU on a GPU machine either.
    const err = await createRunner({ modelsDir: models, models: ['tiny-sd'], devices: 'cpu,cuda:7', allowCpu: false, logger: nullLogger }).then(
      async (r) => {
        await r.close();
        return undefined;
      },
      (e: unknown) => e as Error & { code?: string; hint?: string },
    );
    expect(err?.code).toBe('device_unavailable');
    expect(err?.message).toMatch(/^cuda:7: /);
    expect(err?.message).not.toContain('\n');
    expect(err?.hint).toContain('gpu doctor --devices cpu,cuda:7');
  });
});
