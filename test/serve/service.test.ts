// The executor loop against a fake chain boundary (the e2e test drives the real chain): exactly-once results
// across restarts, batching, dropped reassigned jobs, error reports.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutorService, type ExecutorChain, type JobRunner, type ResultMsg, type JobRequest } from '../../src/gpu/serve/service.js';
import { OutputStore } from '../../src/gpu/serve/output-store.js';
import { MANIFEST_MIME, parseManifest } from '../../src/gpu/serve/manifest.js';
import { ExecutorState } from '../../src/gpu/serve/state.js';
import { createLogger, nullLogger } from '../../src/core/logger.js';
import { waitFor } from '../../src/core/poll.js';
import { Job, JobKind, JobStatus } from '../../src/proto/lunc/ml/v1/types.js';

const ME = 'mlc1executor';

class FakeChain implements ExecutorChain {
  jobs = new Map<bigint, Job>();
  txs: ResultMsg[][] = [];
  failNextSubmit = false;
  /** Every submission fails: the executor process dies before any result reaches the chain. */
  diesBeforeSubmit = false;
  submitAttempts = 0;
  /** While set, a tx waits here for its block. */
  blockGate?: Promise<void>;
  inFlight = 0;
  maxInFlight = 0;
  /** More results than this in one tx are over the gas bound. */
  gasBound = Infinity;
  /** A result x/ml refuses (the whole tx fails). */
  refuse?: bigint;
  add(id: bigint, prompt = 'a cat', executor = ME, seed = id): void {
    this.jobs.set(
      id,
      Job.fromPartial({
        id,
        kind: JobKind.JOB_KIND_IMAGE,
        executor,
        status: JobStatus.JOB_STATUS_PENDING,
        image: { prompt, model: 'tiny-sd', width: 64, height: 64, steps: 2, guidanceScale: '1', scheduler: 'euler', seed, numImages: 1 },
      }),
    );
  }
  async pendingJobs(executor: string) {
    return [...this.jobs.values()].filter((j) => j.executor === executor && j.status === JobStatus.JOB_STATUS_PENDING);
  }
  async job(id: bigint) {
    return this.jobs.get(id)!;
  }
  async submitResults(results: ResultMsg[]) {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (results.length > this.gasBound) throw Object.assign(new Error('over the gas bound'), { code: 'batch_too_large' });
      if (results.some((r) => r.jobId === this.refuse)) throw Object.assign(new Error(`job ${this.refuse} refused`), { code: 'tx_failed' });
      await this.blockGate;
      return this.include(results);
    } finally {
      this.inFlight--;
    }
  }
  private include(results: ResultMsg[]) {
    this.submitAttempts++;
    if (this.diesBeforeSubmit) throw new Error('the executor died before this tx was sent');
    if (this.failNextSubmit) {
      this.failNextSubmit = false;
      throw new Error('rpc down');
    }
    for (const r of results) {
      const j = this.jobs.get(r.jobId)!;
      // Like x/ml: one result per job, only from the assigned executor, only while pending.
      if (j.status !== JobStatus.JOB_STATUS_PENDING || j.executor !== ME) throw new Error(`job ${r.jobId} already has a result`);
      j.status = r.error ? JobStatus.JOB_STATUS_FAILED : JobStatus.JOB_STATUS_COMPLETED;
    }
    this.txs.push(results);
    return `TX${this.txs.length}`;
  }
  async watch() {
    return () => undefined;
  }
}

class FakeRunner implements JobRunner {
  runs: JobRequest[] = [];
  failPrompt?: string;
  gate?: Promise<void>;
  async run(req: JobRequest) {
    this.runs.push(req);
    if (this.gate) await this.gate;
    if (req.prompt === this.failPrompt) throw new Error('model exploded');
    const png = (seed: bigint) => new TextEncoder().encode(`png:${req.prompt}:${seed}`);
    if (req.numImages > 1) return { bytes: new Uint8Array(), images: Array.from({ length: req.numImages }, (_, i) => png(req.seed + BigInt(i))), mime: 'image/png', device: 'cpu:0' };
    return { bytes: png(req.seed), mime: 'image/png', device: 'cpu:0' };
  }
  async close() {}
}

function setup(dir = mkdtempSync(join(tmpdir(), 'exec-')), chain = new FakeChain(), runner = new FakeRunner(), logger = nullLogger) {
  const store = new OutputStore(join(dir, 'outputs'));
  const state = new ExecutorState(join(dir, 'state.json'));
  const svc = new ExecutorService({ executor: ME, chain, runner, store, state, publicUrl: 'http://127.0.0.1:9', logger, concurrency: 2, pollMs: 20 });
  return { dir, chain, runner, svc, store, state };
}

/** A first executor computes job `id`, then dies before its result reaches the chain. */
async function crashBeforeSubmit(id: bigint, numImages = 1) {
  const first = setup();
  first.chain.add(id);
  first.chain.jobs.get(id)!.image!.numImages = numImages;
  first.chain.diesBeforeSubmit = true;
  await first.svc.start();
  await waitFor(() => first.state.get(String(id)) && first.chain.submitAttempts > 0, { what: 'the output to be stored and a submission tried' });
  await first.svc.stop(0);
  expect(first.runner.runs).toHaveLength(1);
  expect(first.chain.txs).toHaveLength(0);
  first.chain.diesBeforeSubmit = false;
  return first;
}

describe('executor service', () => {
  it('keeps the devices busy while a result tx waits for its block, then sends what is ready in one tx', async () => {
    const { chain, runner, svc, state } = setup();
    let includeBlock!: () => void;
    chain.blockGate = new Promise((r) => (includeBlock = r));
    for (let id = 1n; id <= 6n; id++) chain.add(id);
    await svc.start();
    // All six computed although the first tx is still waiting for its block.
    await waitFor(() => runner.runs.length === 6 && chain.inFlight === 1, { what: 'every job to run while the first tx is in flight' });
    await waitFor(() => state.get('6'), { what: 'the last output to be stored' });
    chain.blockGate = undefined;
    includeBlock();
    await svc.whenIdle();
    await svc.stop(1000);
    expect(chain.maxInFlight).toBe(1);
    expect(
      chain.txs
        .flat()
        .map((r) => r.jobId)
        .sort(),
    ).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    // The first tx carried what was ready when it left; everything that became ready while it waited went in the next.
    expect(chain.txs.length).toBe(2);
  });

  it('a batch over the gas bound is split and later txs stay under it', async () => {
    const { chain, runner, svc } = setup();
    chain.gasBound = 2;
    let release!: () => void;
    runner.gate = new Promise((r) => (release = r));
    for (let id = 1n; id <= 7n; id++) chain.add(id);
    await svc.start();
    await waitFor(() => runner.runs.length === 4, { what: 'the devices and their queues to fill' });
    release();
    await svc.whenIdle();
    await svc.stop(1000);
    expect(chain.txs.flat()).toHaveLength(7);
    expect(Math.max(...chain.txs.map((t) => t.length))).toBeLessThanOrEqual(2);
  });

  it('a result the chain refuses holds back none of the others', async () => {
    const { chain, runner, svc } = setup();
    chain.refuse = 3n;
    let release!: () => void;
    runner.gate = new Promise((r) => (release = r));
    for (let id = 1n; id <= 4n; id++) chain.add(id);
    await svc.start();
    await waitFor(() => runner.runs.length === 4, { what: 'all jobs to start' });
    release();
    await waitFor(() => chain.txs.flat().length === 3, { what: 'the other results' });
    await svc.stop(0);
    expect(
      chain.txs
        .flat()
        .map((r) => r.jobId)
        .sort(),
    ).toEqual([1n, 2n, 4n]);
  });

  it('runs every assigned job once and batches results', async () => {
    const { chain, runner, svc } = setup();
    for (const id of [1n, 2n, 3n]) chain.add(id);
    chain.add(4n, 'not mine', 'mlc1other');
    await svc.start();
    await svc.whenIdle();
    await svc.stop(1000);
    expect(runner.runs.map((r) => r.jobId).sort()).toEqual(['1', '2', '3']);
    expect(chain.txs.flat().map((r) => r.jobId)).toHaveLength(3);
    expect(chain.txs.flat().every((r) => /^http:\/\/127.0.0.1:9\/outputs\/[0-9a-f]{64}$/.test(r.outputUri))).toBe(true);
  });

  it('after a crash between compute and submit, a restart submits the stored output without recomputing', async () => {
    const first = await crashBeforeSubmit(7n);
    const second = setup(first.dir, first.chain);
    await second.svc.start();
    await second.svc.whenIdle();
    await second.svc.stop(1000);
    expect(second.runner.runs).toHaveLength(0);
    const [r] = first.chain.txs.flat();
    expect(first.chain.txs.flat()).toHaveLength(1);
    expect(r.jobId).toBe(7n);
    expect(Buffer.from(second.store.get(r.outputSha256)!)).toEqual(Buffer.from('png:a cat:7'));
  });

  it('an output damaged while the executor was down is computed again, never reported as it is', async () => {
    const first = await crashBeforeSubmit(8n);
    const sha = first.state.get('8')!.sha256;
    truncateSync(join(first.dir, 'outputs', sha), 2);
    const second = setup(first.dir, first.chain);
    await second.svc.start();
    await second.svc.whenIdle();
    await second.svc.stop(1000);
    expect(second.runner.runs).toHaveLength(1);
    const [r] = first.chain.txs.flat();
    expect(r.outputSha256).toBe(sha);
    expect(Buffer.from(second.store.get(sha)!)).toEqual(Buffer.from('png:a cat:8'));
  });

  it('an identical later job rewrites a damaged output before its hash is reported again', async () => {
    const { dir, chain, svc } = setup();
    chain.add(1n, 'a dog', ME, 42n);
    await svc.start();
    await svc.whenIdle();
    const sha = chain.txs.flat()[0].outputSha256;
    truncateSync(join(dir, 'outputs', sha), 2);
    chain.add(2n, 'a dog', ME, 42n);
    await waitFor(() => chain.txs.flat().some((r) => r.jobId === 2n), { what: 'the second result' });
    await svc.whenIdle();
    await svc.stop(1000);
    expect(chain.txs.flat().find((r) => r.jobId === 2n)?.outputSha256).toBe(sha);
    expect(readFileSync(join(dir, 'outputs', sha))).toEqual(Buffer.from('png:a dog:42'));
  });

  it('a corrupt state file is reported as an error at start and the executor rebuilds from the chain', async () => {
    const first = await crashBeforeSubmit(3n);
    const statePath = join(first.dir, 'state.json');
    const text = readFileSync(statePath, 'utf8');
    truncateSync(statePath, Math.floor(text.length / 2));
    const lines: string[] = [];
    const second = setup(first.dir, first.chain, new FakeRunner(), createLogger({ level: 'error', format: 'json', write: (l) => lines.push(l) }));
    await second.svc.start();
    await second.svc.whenIdle();
    await second.svc.stop(1000);
    const err = lines.map((l) => JSON.parse(l)).find((l) => /state file/.test(l.msg));
    expect(err).toMatchObject({ level: 'error', path: statePath, action: expect.stringMatching(/rebuilding from chain state/) });
    // Rebuilt from the chain: job 3 was still pending, so it ran again and its result went in once.
    expect(second.runner.runs).toHaveLength(1);
    expect(first.chain.txs.flat().map((r) => r.jobId)).toEqual([3n]);
  });

  it('a job reassigned away while running is not submitted', async () => {
    const { chain, runner, svc } = setup();
    chain.add(9n);
    let release!: () => void;
    runner.gate = new Promise((r) => (release = r));
    await svc.start();
    await waitFor(() => runner.runs.length === 1, { what: 'the job to start running' });
    chain.jobs.get(9n)!.executor = 'mlc1other';
    release();
    await svc.whenIdle();
    await svc.stop(1000);
    expect(chain.txs.flat()).toHaveLength(0);
  });

  it('a k-image job reports a manifest of its images, image i from seed + i, each stored and served', async () => {
    const { chain, svc, store } = setup();
    chain.add(11n, 'a cat', ME, 100n);
    chain.jobs.get(11n)!.image!.numImages = 3;
    await svc.start();
    await svc.whenIdle();
    await svc.stop(1000);
    const [r] = chain.txs.flat();
    expect(r.mime).toBe(MANIFEST_MIME);
    expect(r.outputUri).toBe(`http://127.0.0.1:9/outputs/${r.outputSha256}`);
    const m = parseManifest(store.get(r.outputSha256)!);
    expect(m.sealed).toBe(false);
    expect(m.images.map((i) => i.seed)).toEqual(['100', '101', '102']);
    for (const img of m.images) {
      expect(Buffer.from(store.get(img.sha256)!).toString()).toBe(`png:a cat:${img.seed}`);
      expect(img).toMatchObject({ size: `png:a cat:${img.seed}`.length, uri: `http://127.0.0.1:9/outputs/${img.sha256}`, mime: 'image/png' });
    }
  });

  it('a manifest is not reported while one of its images is damaged: the job runs again', async () => {
    const first = await crashBeforeSubmit(12n, 2);
    const m = parseManifest(first.store.get(first.state.get('12')!.sha256)!);
    truncateSync(join(first.dir, 'outputs', m.images[1].sha256), 1);
    const second = setup(first.dir, first.chain);
    await second.svc.start();
    await second.svc.whenIdle();
    await second.svc.stop(1000);
    expect(second.runner.runs).toHaveLength(1);
    expect(Buffer.from(second.store.get(m.images[1].sha256)!).toString()).toBe('png:a cat:13');
    expect(first.chain.txs.flat().map((r) => r.outputSha256)).toEqual([first.state.get('12')!.sha256]);
  });

  it('a job that fails twice is reported as an error so the requester is refunded', async () => {
    const { chain, runner, svc } = setup();
    runner.failPrompt = 'boom';
    chain.add(5n, 'boom');
    await svc.start();
    await svc.whenIdle();
    await svc.stop(1000);
    const [r] = chain.txs.flat();
    expect(r.error).toMatch(/model exploded/);
    expect(r.outputSha256).toBe('');
    expect(chain.jobs.get(5n)!.status).toBe(JobStatus.JOB_STATUS_FAILED);
  });
});
