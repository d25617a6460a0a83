// The executor's runner over real device workers and the tiny models (compiled workers: needs `npm run build`).
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, repoRoot } from '../helpers/cli.js';
import { nullLogger } from '../../src/core/logger.js';
import type { JobRequest } from '../../src/gpu/serve/service.js';

const models = join(repoRoot, 'fixtures', 'models');
const { createRunner } = (await import(join(repoRoot, 'dist', 'gpu', 'serve', 'runner.js'))) as typeof import('../../src/gpu/serve/runner.js');

const image = (seed: bigint): JobRequest => ({
  jobId: '1',
  kind: 'image',
  model: 'tiny-sd',
  prompt: 'a red house',
  negativePrompt: '',
  width: 64,
  height: 64,
  steps: 3,
  guidanceScale: 7.5,
  scheduler: 'euler',
  seed,
  numImages: 1,
  style: '',
  durationMs: 0,
  maxTokens: 0,
  temperature: 0,
});

describe('executor runner', () => {
  it('runs image and chat jobs on CPU workers; the same seed gives the same bytes; outputs staged by the devices when asked; gpu run --num-images k reproduces a k-image job', async () => {
    const r = await createRunner({ modelsDir: models, models: ['tiny-sd', 'tiny-chat'], devices: 'cpu:2', allowCpu: false, logger: nullLogger });
    try {
      expect(r.devices).toHaveLength(2);
      const [a, b, c] = await Promise.all([r.run(image(7n)), r.run(image(7n)), r.run(image(8n))]);
      expect(a.mime).toBe('image/png');
      expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
      expect(Buffer.from(a.bytes).equals(Buffer.from(c.bytes))).toBe(false);
      const chat = await r.run({ ...image(3n), kind: 'chat', model: 'tiny-chat', maxTokens: 5, temperature: 0 });
      expect(chat.mime).toMatch(/^text\/plain/);
      // Two images: one per device, image i from seed + i, each the same bytes as a one-image job with that seed.
      const two = await r.run({ ...image(9n), numImages: 2 });
      expect(two.images).toHaveLength(2);
      const [s9, s10] = await Promise.all([r.run(image(9n)), r.run(image(10n))]);
      expect(Buffer.from(two.images![0]).equals(Buffer.from(s9.bytes))).toBe(true);
      expect(Buffer.from(two.images![1]).equals(Buffer.from(s10.bytes))).toBe(true);
      // Asked to stage, a device writes the output into the store's folder itself and hands back its path, not its bytes.
      const dir = mkdtempSync(join(tmpdir(), 'stage-in-'));
      const [staged, stagedTwo] = await Promise.all([r.run(image(9n), { stageIn: dir }), r.run({ ...image(9n), numImages: 2 }, { stageIn: dir })]);
      expect(staged.bytes).toHaveLength(0);
      expect(staged.sha256).toBe(s9.sha256);
      expect(staged.staged!.size).toBe(s9.bytes.length);
      expect(staged.staged!.path.startsWith(join(dir, `.${s9.sha256}.tmp-`))).toBe(true);
      expect(readFileSync(staged.staged!.path).equals(Buffer.from(s9.bytes))).toBe(true);
      // Each image of a k-image job too, from its own device.
      expect(stagedTwo.images!.map((b) => b.length)).toEqual([0, 0]);
      expect(stagedTwo.imagesStaged![0]!.path).not.toBe(staged.staged!.path);
      expect(readFileSync(stagedTwo.imagesStaged![0]!.path).equals(Buffer.from(s9.bytes))).toBe(true);
      expect(readFileSync(stagedTwo.imagesStaged![1]!.path).equals(Buffer.from(s10.bytes))).toBe(true);
      expect(createHash('sha256').update(readFileSync(stagedTwo.imagesStaged![1]!.path)).digest('hex')).toBe(stagedTwo.imageSha256![1]);
      // `gpu run --num-images 2` with the job's parameters writes those images byte for byte, in order, naming each seed.
      const out = mkdtempSync(join(tmpdir(), 'gpu-run-k-'));
      const run = await cli([
        '-o',
        'json',
        'gpu',
        'run',
        '--models',
        models,
        '--device',
        'cpu',
        '--prompt',
        'a red house',
        '--size',
        '64x64',
        '--steps',
        '3',
        '--guidance',
        '7.5',
        '--scheduler',
        'euler',
        '--seed',
        '9',
        '--num-images',
        '2',
        '--out',
        join(out, 'house.png'),
      ]);
      expect(run.exitCode, run.stderr).toBe(0);
      const files = (JSON.parse(run.stdout) as { files: { path: string; seed: string }[] }).files;
      expect(files.map((f) => f.seed)).toEqual(['9', '10']);
      expect(files.map((f) => readFileSync(f.path).equals(Buffer.from(two.images![files.indexOf(f)])))).toEqual([true, true]);
    } finally {
      await r.close();
    }
  });

  it('a registered model that is missing fails fast with what to do', async () => {
    await expect(createRunner({ modelsDir: models, models: ['sd-9000'], devices: 'cpu', allowCpu: false, logger: nullLogger })).rejects.toMatchObject({ code: 'model_missing' });
  });

  it('a model that does not load fails the self-test before any job is taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    cpSync(join(models, 'tiny-sd'), join(dir, 'tiny-sd'), { recursive: true });
    cpSync(join(models, 'tiny-chat'), join(dir, 'tiny-chat'), { recursive: true });
    writeFileSync(join(dir, 'tiny-chat', 'onnx', 'model.onnx'), 'not an onnx model');
    await expect(createRunner({ modelsDir: dir, models: ['tiny-sd', 'tiny-chat'], devices: 'cpu', allowCpu: false, logger: nullLogger })).rejects.toMatchObject({ code: 'no_device' });
  });
});
