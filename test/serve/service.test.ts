// The executor loop against a fake chain boundary (the e2e test drives the real chain): exactly-once results
// across restarts, batching, dropped reassigned jobs, error reports.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutorService, type ExecutorChain, type JobRunner, type ResultMsg, type JobRequest } from '../../src/gpu/serve/service.js';
import { OutputStore } from '../../src/gpu/serve/output-store.js';
import { ExecutorState } from '../../src/gpu/serve/state.js';
import { nullLogger } from '../../src/core/logger.js';
import { Job, JobKind, JobStatus } from '../../src/proto/lunc/ml/v1/types.js';

const ME = 'mlc1executor';

class FakeChain implements ExecutorChain {
  jobs = new Map<bigint, Job>();
  txs: ResultMsg[][] = [];
  failNextSubmit = false;
  add(id: bigint, prompt = 'a cat', executor = ME): void {
    this.jobs.set(id, Job.fromPartial({ id, kind: JobKind.JOB_KIND_IMAGE, executor, status: JobStatus.JOB_STATUS_PENDING, image: { prompt, model: 'tiny-sd', width: 64, height: 64, steps: 2, guidanceScale: '1', scheduler: 'euler', seed: id, numImages: 1 } }));
  }
  async pendingJobs(executor: string) {
    return [...this.jobs.values()].filter((j) => j.executor === executor && j.status === JobStatus.JOB_STATUS_PENDING);
  }
  async job(id: bigint) {
    return this.jobs.get(id)!;
  }
  async submitResults(results: ResultMsg[]) {
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
    return { bytes: new TextEncoder().encode(`png:${req.prompt}:${req.seed}`), mime: 'image/png', device: 'cpu:0' };
  }
  async close() {}
}

function setup(dir = mkdtempSync(join(tmpdir(), 'exec-')), chain = new FakeChain(), runner = new FakeRunner()) {
  const svc = new ExecutorService({ executor: ME, chain, runner, store: new OutputStore(join(dir, 'outputs')), state: new ExecutorState(join(dir, 'state.json')), publicUrl: 'http://127.0.0.1:9', logger: nullLogger, concurrency: 2, pollMs: 20 });
  return { dir, chain, runner, svc };
}

describe('executor service', () => {
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
    const first = setup();
    first.chain.add(7n);
    first.chain.failNextSubmit = true;
    await first.svc.start();
    // The output is computed and recorded, the submit failed: simulate the process dying right here.
    await new Promise((r) => setTimeout(r, 100));
    expect(first.runner.runs).toHaveLength(1);
    await first.svc.stop(0).catch(() => undefined);
    const txsBefore = first.chain.txs.length;
    const second = setup(first.dir, first.chain);
    await second.svc.start();
    await second.svc.whenIdle();
    await second.svc.stop(1000);
    expect(second.runner.runs).toHaveLength(0);
    expect(first.chain.txs.flat().filter((r) => r.jobId === 7n)).toHaveLength(1);
    expect(first.chain.txs.length).toBeGreaterThanOrEqual(txsBefore);
  });

  it('a job reassigned away while running is not submitted', async () => {
    const { chain, runner, svc } = setup();
    chain.add(9n);
    let release!: () => void;
    runner.gate = new Promise((r) => (release = r));
    await svc.start();
    await new Promise((r) => setTimeout(r, 50));
    chain.jobs.get(9n)!.executor = 'mlc1other';
    release();
    await svc.whenIdle();
    await svc.stop(1000);
    expect(chain.txs.flat()).toHaveLength(0);
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
