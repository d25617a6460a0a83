// The executor loop against a fake chain boundary (the e2e test drives the real chain): exactly-once results
// across restarts, batching, dropped reassigned jobs, error reports.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutorService, type ExecutorChain, type JobRunner, type ResultMsg, type JobRequest, type RunOptions, type SendResultsOptions } from '../../src/gpu/serve/service.js';
import { OutputStore, sha256Hex } from '../../src/gpu/serve/output-store.js';
import { tempOf } from '../../src/core/atomic-file.js';
import { MANIFEST_MIME, parseManifest } from '../../src/gpu/serve/manifest.js';
import { ExecutorState } from '../../src/gpu/serve/state.js';
import { createLogger, nullLogger } from '../../src/core/logger.js';
import { waitFor } from '../../src/core/poll.js';
import { Job, JobKind, JobStatus } from '../../src/proto/lunc/ml/v1/types.js';

const ME = 'mlc1executor';

/** A mempool and blocks: a sent tx waits for its block (blockGate when set, else the next microtask). */
class FakeChain implements ExecutorChain {
  jobs = new Map<bigint, Job>();
  /** Results of every tx applied in a block, in block order. */
  txs: ResultMsg[][] = [];
  /** Results of every tx broadcast, in order. */
  sent: ResultMsg[][] = [];
  /** The options every tx was broadcast with, index for index with `sent`. */
  sentWith: SendResultsOptions[] = [];
  failNextSubmit = false;
  /** Every submission fails: the executor process dies before any result reaches the chain. */
  diesBeforeSubmit = false;
  submitAttempts = 0;
  /** While set, a tx sent now waits here for its block. */
  blockGate?: Promise<void>;
  /** Txs broadcast whose block has not come. */
  inFlight = 0;
  maxInFlight = 0;
  /** More results than this in one tx are over the gas bound. */
  gasBound = Infinity;
  /** A result x/ml refuses when simulating (the tx is never broadcast). */
  refuse?: bigint;
  /** A result x/ml refuses in the block (the whole tx fails there). */
  refuseInBlock?: bigint;
  /** The first tx with this job runs out of gas in its block (fee paid, nothing applied). */
  outOfGasWith?: bigint;
  /** A result for a job that already had one: the chain refuses it, the executor must never send one. */
  duplicates = 0;
  listings = 0;
  /** Called with every tx's results as it is broadcast. */
  onSend?: (results: ResultMsg[]) => void;
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
    this.listings++;
    return [...this.jobs.values()].filter((j) => j.executor === executor && j.status === JobStatus.JOB_STATUS_PENDING);
  }
  async job(id: bigint) {
    return this.jobs.get(id)!;
  }
  async sendResults(results: ResultMsg[], opts: SendResultsOptions = {}) {
    this.submitAttempts++;
    if (this.diesBeforeSubmit) throw new Error('the executor died before this tx was sent');
    if (this.failNextSubmit) {
      this.failNextSubmit = false;
      throw new Error('rpc down');
    }
    if (results.length > this.gasBound) throw Object.assign(new Error('over the gas bound'), { code: 'batch_too_large' });
    if (results.some((r) => r.jobId === this.refuse)) throw Object.assign(new Error(`job ${this.refuse} refused`), { code: 'tx_failed' });
    // Like x/ml's simulation before a broadcast: a result for a job no longer pending, or not ours, is refused.
    const left = results.find((r) => this.jobs.get(r.jobId)?.status !== JobStatus.JOB_STATUS_PENDING || this.jobs.get(r.jobId)?.executor !== ME);
    if (left) throw Object.assign(new Error(`job ${left.jobId} is not pending for this executor`), { code: 'job_not_pending' });
    this.onSend?.(results);
    this.sent.push(results);
    this.sentWith.push(opts);
    const hash = `TX${this.sent.length}`;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const gate = this.blockGate;
    const included = (async () => {
      await gate;
      this.inFlight--;
      this.include(results);
    })();
    return { txHash: hash, included };
  }
  private include(results: ResultMsg[]) {
    if (results.some((r) => r.jobId === this.outOfGasWith)) {
      this.outOfGasWith = undefined;
      throw Object.assign(new Error('out of gas in location: WriteFlat'), { code: 'out_of_gas' });
    }
    if (results.some((r) => r.jobId === this.refuseInBlock)) throw Object.assign(new Error(`job ${this.refuseInBlock} refused in the block`), { code: 'tx_failed' });
    for (const r of results) {
      const j = this.jobs.get(r.jobId)!;
      // Like x/ml: one result per job, only from the assigned executor, only while pending; a tx applies whole or not at all.
      if (j.status !== JobStatus.JOB_STATUS_PENDING || j.executor !== ME) {
        this.duplicates++;
        throw Object.assign(new Error(`job ${r.jobId} already has a result`), { code: 'tx_failed' });
      }
    }
    for (const r of results) this.jobs.get(r.jobId)!.status = r.error ? JobStatus.JOB_STATUS_FAILED : JobStatus.JOB_STATUS_COMPLETED;
    this.txs.push(results);
  }
  /** The executor's new-block nudge, once it watches. */
  nudge?: () => void;
  async watch(nudge: () => void) {
    this.nudge = nudge;
    return () => (this.nudge = undefined);
  }
}

function deferred() {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

class FakeRunner implements JobRunner {
  runs: JobRequest[] = [];
  /** The folder each run was asked to stage its output in (undefined: return the bytes), index for index with runs. */
  stageIns: Array<string | undefined> = [];
  failPrompt?: string;
  gate?: Promise<void>;
  /** Per job id: the job finishes when its gate opens. */
  gates = new Map<string, Promise<void>>();
  async run(req: JobRequest, opts: RunOptions = {}) {
    this.runs.push(req);
    this.stageIns.push(opts.stageIn);
    if (this.gate) await this.gate;
    await this.gates.get(req.jobId);
    if (req.prompt === this.failPrompt) throw new Error('model exploded');
    const png = (seed: bigint) => new TextEncoder().encode(`png:${req.prompt}:${seed}`);
    // Like a device worker asked to stage: the bytes go to a temp file in that folder, named for their hash.
    const stage = (bytes: Uint8Array) => {
      const sha256 = sha256Hex(bytes);
      if (!opts.stageIn) return { bytes, sha256 };
      const path = tempOf(join(opts.stageIn, sha256));
      writeFileSync(path, bytes);
      return { bytes: new Uint8Array(), sha256, staged: { path, size: bytes.length } };
    };
    if (req.numImages > 1) {
      const images = Array.from({ length: req.numImages }, (_, i) => stage(png(req.seed + BigInt(i))));
      return { bytes: new Uint8Array(), images: images.map((i) => i.bytes), imageSha256: images.map((i) => i.sha256), imagesStaged: images.map((i) => i.staged), mime: 'image/png', device: 'cpu:0' };
    }
    return { ...stage(png(req.seed)), mime: 'image/png', device: 'cpu:0' };
  }
  async close() {}
}

/**
 * Starts `svc` on job 9 (deadline 50) and jobs 1..n (deadline 100): job 9 runs first and its tx holds the block while
 * 1..n finish, so they leave together as the second tx; then blocks come again.
 */
async function batchBehindABlock(chain: FakeChain, runner: FakeRunner, svc: ExecutorService, n: number): Promise<void> {
  const block = deferred();
  chain.blockGate = block.promise;
  const first = deferred();
  const rest = deferred();
  runner.gates.set('9', first.promise);
  chain.add(9n, 'a cat', ME, 9n);
  for (let id = 1n; id <= BigInt(n); id++) {
    runner.gates.set(String(id), rest.promise);
    chain.add(id);
  }
  for (const [id, j] of chain.jobs) j.deadlineHeight = id === 9n ? 50n : 100n;
  await svc.start();
  first.open();
  await waitFor(() => chain.sent.length === 1, { what: "job 9's tx" });
  rest.open();
  await waitFor(() => chain.sent.length === 2, { what: 'the others together' });
  chain.blockGate = undefined;
  block.open();
}

function setup(dir = mkdtempSync(join(tmpdir(), 'exec-')), chain = new FakeChain(), runner = new FakeRunner(), logger = nullLogger, pollMs = 20) {
  const store = new OutputStore(join(dir, 'outputs'));
  const state = new ExecutorState(join(dir, 'state.json'));
  const svc = new ExecutorService({ executor: ME, chain, runner, store, state, publicUrl: 'http://127.0.0.1:9', logger, concurrency: 2, pollMs });
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
  it('keeps the devices busy while a results tx waits for its block; results ready meanwhile leave together once it is in', async () => {
    const { chain, runner, svc, state } = setup();
    const job = [1, 2, 3, 4].map(() => deferred());
    job.forEach((g, i) => runner.gates.set(String(i + 1), g.promise));
    const block1 = deferred();
    chain.blockGate = block1.promise;
    for (let id = 1n; id <= 4n; id++) chain.add(id);
    await svc.start();
    await waitFor(() => runner.runs.length === 4, { what: 'the devices and their queues to fill' });
    job[0].open();
    await waitFor(() => chain.sent.length === 1, { what: 'the first result to leave at once' });
    job[1].open();
    job[2].open();
    await waitFor(() => state.get('2') && state.get('3'), { what: 'two more outputs while the first tx waits' });
    // Compute goes on (job 4 runs): these two wait for the tx in flight rather than costing a tx each.
    expect(chain.sent).toHaveLength(1);
    const block2 = deferred();
    chain.blockGate = block2.promise;
    block1.open();
    await waitFor(() => chain.sent.length === 2, { what: 'the next tx once the first is in its block' });
    expect(chain.sent[1].map((r) => r.jobId).sort()).toEqual([2n, 3n]);
    block2.open();
    job[3].open();
    await svc.whenIdle();
    await svc.stop(1000);
    expect(chain.txs.map((t) => t.map((r) => r.jobId).sort())).toEqual([[1n], [2n, 3n], [4n]]);
    expect(chain.duplicates).toBe(0);
  });

  it('the last results leave at once behind a tx still waiting for its block (compute is idle: nothing to wait for)', async () => {
    const { chain, runner, svc } = setup();
    const job = [1, 2].map(() => deferred());
    job.forEach((g, i) => runner.gates.set(String(i + 1), g.promise));
    const block = deferred();
    chain.blockGate = block.promise;
    chain.add(1n);
    chain.add(2n);
    await svc.start();
    job[0].open();
    await waitFor(() => chain.sent.length === 1, { what: 'the first tx' });
    job[1].open();
    // The second tx goes out with the next sequence while the first still waits: both can make the same block.
    await waitFor(() => chain.sent.length === 2, { what: 'the last result to leave behind the first tx' });
    expect(chain.inFlight).toBe(2);
    block.open();
    await svc.whenIdle();
    await svc.stop(1000);
    expect(chain.txs.flat().map((r) => r.jobId)).toEqual([1n, 2n]);
    expect(chain.maxInFlight).toBe(2);
    expect(chain.duplicates).toBe(0);
  });

  it('a result whose tx waits for its block is never sent again, however many listings see its job still pending', async () => {
    const { chain, runner, svc } = setup();
    const block = deferred();
    chain.blockGate = block.promise;
    chain.add(1n);
    await svc.start();
    await waitFor(() => chain.sent.length === 1, { what: 'the result tx' });
    const seen = chain.listings;
    await waitFor(() => chain.listings >= seen + 5, { what: 'five more listings (the poll timer) while the tx waits' });
    expect(chain.sent).toHaveLength(1);
    expect(runner.runs).toHaveLength(1);
    // Stopping with the tx still out waits for its block: the state file then knows it is on chain.
    const stopped = svc.stop(5000);
    block.open();
    await stopped;
    expect(chain.txs.flat().map((r) => r.jobId)).toEqual([1n]);
    expect(chain.duplicates).toBe(0);
  });

  it('a tx refused in its block puts its results back: each goes alone, the others land once, the refused one never lands', async () => {
    const { chain, runner, svc } = setup();
    chain.refuseInBlock = 3n;
    // Job 9's tx holds the block while 1..4 finish: they leave together in one tx, which the block refuses.
    await batchBehindABlock(chain, runner, svc, 4);
    expect(chain.sent[1].map((r) => r.jobId).sort()).toEqual([1n, 2n, 3n, 4n]);
    await waitFor(() => chain.txs.flat().length === 4, { what: 'every result but the refused one' });
    // After its first refusal, job 3's result only ever goes alone, and never without the chain's check first.
    const with3 = chain.sent.flatMap((t, i) => (t.some((r) => r.jobId === 3n) ? [{ t, opts: chain.sentWith[i] }] : []));
    expect(with3.length).toBeGreaterThan(1);
    expect(with3.slice(1).every(({ t }) => t.length === 1)).toBe(true);
    expect(with3[0].opts.pendingThrough).toBe(100n);
    expect(with3.slice(1).map(({ opts }) => opts.pendingThrough)).toEqual(with3.slice(1).map(() => undefined));
    // Job 9's tx, alone: its own listed deadline.
    expect(chain.sentWith[0].pendingThrough).toBe(50n);
    // The refused result is tried alone until the job is no longer ours (here: reassigned), then dropped.
    chain.jobs.get(3n)!.executor = 'mlc1other';
    await svc.whenIdle();
    await svc.stop(1000);
    expect(
      chain.txs
        .flat()
        .map((r) => r.jobId)
        .sort(),
    ).toEqual([1n, 2n, 4n, 9n]);
    expect(chain.duplicates).toBe(0);
  });

  it('lists on every new block, but not while a long queue keeps the devices busy', async () => {
    const { chain, runner, svc } = setup(undefined, undefined, undefined, nullLogger, 60_000);
    let release!: () => void;
    runner.gate = new Promise((r) => (release = r));
    for (let id = 1n; id <= 20n; id++) chain.add(id);
    await svc.start();
    await waitFor(() => runner.runs.length === 4, { what: 'the devices and their queues to fill' });
    // 16 jobs wait here for 2 devices: ten blocks cost no listing.
    const before = chain.listings;
    for (let i = 0; i < 10; i++) chain.nudge!();
    expect(chain.listings).toBe(before);
    release();
    await svc.whenIdle();
    // A short queue: a new block lists at once, and a job assigned in it runs.
    chain.add(21n);
    chain.nudge!();
    await waitFor(() => chain.txs.flat().some((r) => r.jobId === 21n), { what: 'the job assigned in the new block' });
    await svc.stop(1000);
    expect(chain.txs.flat()).toHaveLength(21);
  });

  it('a tx out of gas in its block sends its results again together, none of them suspected', async () => {
    const { chain, runner, svc } = setup();
    chain.outOfGasWith = 1n;
    // Job 9's tx holds the block while 1..3 finish: they leave together in one tx, which runs out of gas.
    await batchBehindABlock(chain, runner, svc, 3);
    await waitFor(() => chain.txs.flat().length === 4, { what: 'every result' });
    await svc.whenIdle();
    await svc.stop(1000);
    expect(chain.sent[1].map((r) => r.jobId).sort()).toEqual([1n, 2n, 3n]);
    // Sent again as they were: together, and with their deadlines (the chain client simulates after running out).
    expect(chain.sent[2].map((r) => r.jobId).sort()).toEqual([1n, 2n, 3n]);
    expect(chain.sentWith[2].pendingThrough).toBe(100n);
    expect(chain.duplicates).toBe(0);
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

  it('every output a results tx reports, and every image its manifest lists, is on disk under its hash when the tx is broadcast', async () => {
    const { chain, svc, store } = setup();
    for (const id of [1n, 2n, 3n, 4n, 5n]) chain.add(id);
    chain.jobs.get(5n)!.image!.numImages = 2;
    const onDisk = (sha: string) => existsSync(join(store.dir, sha)) && store.intact(sha);
    const missing: string[] = [];
    chain.onSend = (results) => {
      for (const r of results) {
        if (!onDisk(r.outputSha256)) missing.push(r.outputSha256);
        else if (r.mime === MANIFEST_MIME)
          missing.push(
            ...parseManifest(store.get(r.outputSha256)!)
              .images.map((i) => i.sha256)
              .filter((s) => !onDisk(s)),
          );
      }
    };
    await svc.start();
    await svc.whenIdle();
    await svc.stop(1000);
    expect(chain.txs.flat()).toHaveLength(5);
    expect(missing).toEqual([]);
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

  it('a burst of results needs no listing of the pending jobs before each tx (the simulation checks them)', async () => {
    // No poll timer and no new blocks: the only listing is the one at start.
    const { chain, runner, svc } = setup(undefined, undefined, undefined, nullLogger, 60_000);
    const gates = Array.from({ length: 6 }, () => deferred());
    gates.forEach((g, i) => runner.gates.set(String(i + 1), g.promise));
    for (let id = 1n; id <= 6n; id++) chain.add(id);
    await svc.start();
    for (const g of gates) {
      const sent = chain.sent.length;
      g.open();
      await waitFor(() => chain.sent.length > sent, { what: 'a results tx' });
    }
    await svc.whenIdle();
    await svc.stop(1000);
    expect(chain.txs.flat()).toHaveLength(6);
    expect(chain.sent.length).toBeGreaterThan(1);
    expect(chain.listings).toBe(1);
  });

  it('a results tx says how long its jobs stay pending: the earliest of their listed deadlines, as last listed', async () => {
    const { chain, runner, svc } = setup();
    const gate = deferred();
    runner.gate = gate.promise;
    chain.add(1n);
    chain.add(2n);
    chain.jobs.get(1n)!.deadlineHeight = 70n;
    chain.jobs.get(2n)!.deadlineHeight = 60n;
    await svc.start();
    await waitFor(() => runner.runs.length === 2, { what: 'both jobs running' });
    // Reassigned back to this executor at its deadline (no other was eligible): a later listing shows the new one.
    chain.jobs.get(2n)!.deadlineHeight = 160n;
    const listed = chain.listings;
    chain.nudge!();
    await waitFor(() => chain.listings > listed, { what: 'a listing' });
    gate.open();
    await svc.whenIdle();
    await svc.stop(1000);
    expect(
      chain.sent
        .flat()
        .map((r) => r.jobId)
        .sort(),
    ).toEqual([1n, 2n]);
    expect(chain.sentWith.map((o) => o.pendingThrough)).toEqual(chain.sent.length === 1 ? [70n] : chain.sent.map((t) => (t[0].jobId === 1n ? 70n : 160n)));
  });

  it("plain outputs are written by the device into the store's folder; an output to seal comes back as bytes and is stored sealed", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exec-'));
    const chain = new FakeChain();
    const runner = new FakeRunner();
    const store = new OutputStore(join(dir, 'outputs'));
    const sealed = (b: Uint8Array) => new TextEncoder().encode(`sealed:${Buffer.from(b).toString('hex')}`);
    const sealer = { openPrompt: async (e: Uint8Array) => e, sealOutput: async (p: Uint8Array) => sealed(p) };
    const svc = new ExecutorService({
      executor: ME,
      chain,
      runner,
      store,
      state: new ExecutorState(join(dir, 'state.json')),
      sealer,
      publicUrl: 'http://127.0.0.1:9',
      logger: nullLogger,
      concurrency: 2,
      pollMs: 20,
    });
    chain.add(1n, 'plain');
    chain.add(2n, 'sealed');
    chain.jobs.get(2n)!.image!.replyPubkey = Buffer.alloc(32, 3);
    await svc.start();
    await waitFor(() => chain.txs.flat().length === 2, { what: 'both results' });
    await svc.stop(1000);
    const byId = new Map(runner.runs.map((r, i) => [r.jobId, runner.stageIns[i]]));
    expect(byId.get('1')).toBe(store.dir);
    expect(byId.get('2')).toBeUndefined();
    const results = new Map(chain.txs.flat().map((r) => [r.jobId, r]));
    expect(results.get(1n)!.outputSha256).toBe(sha256Hex(new TextEncoder().encode('png:plain:1')));
    expect(results.get(2n)!.sealed).toBe(true);
    expect(Buffer.from(store.get(results.get(2n)!.outputSha256)!)).toEqual(Buffer.from(sealed(new TextEncoder().encode('png:sealed:2'))));
    // Committed under their hashes: no temp file is left.
    expect(readdirSync(store.dir).sort()).toEqual([results.get(1n)!.outputSha256, results.get(2n)!.outputSha256].sort());
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
