#!/usr/bin/env node
// A k-image job across devices: the executor runs `num_images` k as k one-image jobs, image i from seed + i, one per
// free device. This times the same k-image jobs (one at a time, as a user's jobs arrive) on 1 CPU device and on
// `--devices` CPU devices, each in its own process (a second device pool in one process cannot load onnxruntime's
// addon again), and prints the speed-up: mean job time on 1 device ÷ mean job time on N. It also checks that both
// give the same images, byte for byte (the seeds, not the devices, make an image).
// Usage: npm run build && node bench/num-images.mjs [--images 2] [--devices 2] [--jobs 8] [--steps 20] [--size 512]
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '2' },
    devices: { type: 'string', default: '2' },
    jobs: { type: 'string', default: '8' },
    steps: { type: 'string', default: '20' },
    size: { type: 'string', default: '512' },
    child: { type: 'string' },
  },
});
const k = Number(args.images);
const jobs = Number(args.jobs);
const size = Number(args.size);

if (args.child) {
  const { createRunner } = await import(join(root, 'dist', 'gpu', 'serve', 'runner.js'));
  const { createLogger } = await import(join(root, 'dist', 'core', 'logger.js'));
  const { createHash } = await import('node:crypto');
  const runner = await createRunner({ modelsDir: join(root, 'fixtures', 'models'), models: ['tiny-sd'], devices: `cpu:${args.child}`, allowCpu: false, logger: createLogger({ level: 'error' }) });
  const request = (i) => ({
    jobId: String(i),
    kind: 'image',
    model: 'tiny-sd',
    prompt: `images ${i}`,
    negativePrompt: '',
    width: size,
    height: size,
    steps: Number(args.steps),
    guidanceScale: 7.5,
    scheduler: 'euler',
    seed: BigInt(1000 * i),
    numImages: k,
    style: '',
    durationMs: 0,
    maxTokens: 0,
    temperature: 0,
  });
  // One warm-up job: the first run of a session is slower on every device.
  await runner.run(request(jobs));
  const ms = [];
  const hashes = [];
  for (let i = 0; i < jobs; i++) {
    const t0 = performance.now();
    const out = await runner.run(request(i));
    ms.push(performance.now() - t0);
    hashes.push(...out.images.map((b) => createHash('sha256').update(b).digest('hex')));
  }
  await runner.close();
  console.log(JSON.stringify({ devices: Number(args.child), meanMs: ms.reduce((a, b) => a + b, 0) / ms.length, hashes }));
  process.exit(0);
}

const child = async (devices) => {
  const r = await execa(process.execPath, [fileURLToPath(import.meta.url), '--child', String(devices), '--images', String(k), '--jobs', String(jobs), '--steps', args.steps, '--size', String(size)], {
    stderr: 'inherit',
  });
  return JSON.parse(r.stdout.trim().split('\n').pop());
};
const one = await child(1);
const many = await child(Number(args.devices));
const same = one.hashes.length === many.hashes.length && one.hashes.every((h, i) => h === many.hashes[i]);
console.log(`${jobs} jobs of ${k} images (tiny-sd ${size}x${size}, ${args.steps} steps), one job at a time; CPU devices`);
console.log(`1 device: ${one.meanMs.toFixed(0)} ms per job; ${many.devices} devices: ${many.meanMs.toFixed(0)} ms per job; speed-up ${(one.meanMs / many.meanMs).toFixed(2)}×`);
console.log(same ? 'images: the same bytes on both' : 'IMAGES DIFFER between 1 and N devices');
process.exitCode = same ? 0 : 1;
