#!/usr/bin/env node
// Pipeline overhead and device-pool throughput on the tiny models.
//
//   npm run build && python3 scripts/gen_tiny_models.py && node bench/gpu-pipeline.mjs [--size 512] [--steps 20] [--jobs 8] [--tsize 256]
//   python3 scripts/gen_tiny_models.py --shapes sd15 && node bench/gpu-pipeline.mjs --model-dir bench/out/models/sd15-shape
//
// --model-dir DIR adds an image row for that diffusers folder (same size, steps and guidance): with the sd15-shape
// model (SD 1.5's tensor shapes, UNet tens of ms per run on a CPU) the ratio is not dominated by the tiny UNet's
// ~1 ms steps. --threads N gives the in-process sessions N intra-op threads with spinning off (as DevicePool's CPU
// workers run); default: ORT's own (one per core, spinning). --no-throughput skips part 2.
//
// 1. overhead: pipeline wall time / sum of ORT run() times for the same job (after one warm-up run), in process;
//    target ≤ 1.05 (the JS around the model — scheduler, guidance, tokenizer, tensor copies — costs ≤ 5%).
//    "job" also counts PNG/WAV encoding.
// 2. throughput: jobs/s through DevicePool with 1 and 2 CPU workers (1 intra-op thread each).
import { availableParallelism, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const models = process.env.LUNC_ML_MODELS ?? join(root, 'fixtures', 'models');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const argStr = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const modelDir = argStr('model-dir') ? resolve(argStr('model-dir')) : undefined;
const threads = arg('threads', 0);
const size = arg('size', 512);
const steps = arg('steps', 20);
const nJobs = arg('jobs', 8);
const reps = arg('reps', 3);

const { PipelineCache, runJob } = await import(join(root, 'dist/gpu/jobs.js'));
const { DevicePool } = await import(join(root, 'dist/gpu/device-pool.js'));

const imageJob = (seed, s = size, dir = join(models, 'tiny-sd')) => ({ kind: 'image', modelDir: dir, params: { prompt: 'a photo of a cat', steps, width: s, height: s, seed, guidance: 7.5 } });
const chatJob = { kind: 'chat', modelDir: join(models, 'tiny-chat'), params: { prompt: 'Hello', maxTokens: 64 } };
const audioJob = { kind: 'audio', modelDir: join(models, 'tiny-audio'), params: { prompt: 'jazz', steps, width: 256, height: 256, seed: 1, guidance: 7.5 } };

const rows = [];
const cache = new PipelineCache({ device: { kind: 'cpu' }, ...(threads > 0 ? { threads } : {}) });
const overheadJobs = [
  [`image ${size}x${size} ${steps} steps CFG`, imageJob(1)],
  [`audio 256x256 ${steps} steps`, audioJob],
  ['chat 64 tokens', chatJob],
];
if (modelDir) overheadJobs.push([`${basename(modelDir)} image ${size}x${size} ${steps} steps CFG`, imageJob(1, size, modelDir)]);
for (const [name, job] of overheadJobs) {
  await runJob(job, cache); // warm-up: session init, first-run allocations
  let best;
  for (let i = 0; i < reps; i++) {
    const r = await runJob(job, cache);
    if (!best || r.timings.pipelineMs < best.timings.pipelineMs) best = r;
  }
  const t = best.timings;
  rows.push({
    job: name,
    ortRuns: t.ortRuns,
    ortMs: t.ortMs.toFixed(1),
    pipelineMs: t.pipelineMs.toFixed(1),
    jobMs: t.wallMs.toFixed(1),
    'pipeline/ORT': (t.pipelineMs / t.ortMs).toFixed(3),
    'job/ORT': (t.wallMs / t.ortMs).toFixed(3),
    ...(best.meta.griffinLimMs ? { note: `griffin-lim ${best.meta.griffinLimMs.toFixed(0)} ms` } : {}),
  });
}
await cache.releaseAll();
console.log(
  `overhead (best of ${reps} after warm-up, CPU, ${availableParallelism()} cores, ${threads > 0 ? `${threads} intra-op threads, no spinning` : 'ORT default threads'}; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')})`,
);
console.table(rows);
if (process.argv.includes('--no-throughput')) process.exit(0);

const tput = [];
const tsize = arg('tsize', 256);
for (const n of [1, 2]) {
  const pool = await DevicePool.start({ devices: Array.from({ length: n }, () => ({ kind: 'cpu' })), cpuThreads: 1, selfTest: imageJob(0, 64) });
  await Promise.all(Array.from({ length: n }, (_, i) => pool.run(imageJob(100 + i, tsize)))); // warm each worker
  let maxLag = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxLag = Math.max(maxLag, now - last - 10);
    last = now;
  }, 10);
  const t0 = performance.now();
  const res = await Promise.all(Array.from({ length: nJobs }, (_, i) => pool.run(imageJob(i, tsize))));
  const wall = (performance.now() - t0) / 1000;
  clearInterval(timer);
  await pool.close();
  tput.push({
    workers: n,
    jobs: nJobs,
    job: `image ${tsize}x${tsize} ${steps} steps`,
    wallS: wall.toFixed(2),
    'jobs/s': (nJobs / wall).toFixed(2),
    perWorker: JSON.stringify([...Array(n).keys()].map((w) => res.filter((r) => r.workerId === w).length)),
    mainThreadMaxLagMs: maxLag.toFixed(1),
  });
}
console.log('throughput (DevicePool, CPU workers, 1 intra-op thread each)');
console.table(tput);
console.log(`speed-up 2 workers / 1 worker: ${(Number(tput[1]['jobs/s']) / Number(tput[0]['jobs/s'])).toFixed(2)}x`);
