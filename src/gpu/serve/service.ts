// The validator-side executor: find jobs the ML chain assigned to this executor (catch-up, then a websocket nudge
// with polling as the floor), run them on the device pool, store outputs by sha256, and report results in
// MsgSubmitResult txs. Three things run side by side so that compute never waits on the chain:
//  - listing: pending jobs → a queue, earliest deadline first;
//  - compute: the queue → the devices, each kept one job ahead so a device never waits for this thread;
//  - submission: a results tx leaves with every result ready (bounded by maxBatch and the chain's gas bound) and the
//    next one waits for its block, so a burst costs one tx per block; but once compute is idle (the burst's last
//    results) or a full batch is ready, the next tx goes out at once behind the one in flight (the next account
//    sequence), so the last results never wait a block for an earlier tx.
// The chain accepts one result per job; a job is in exactly one of waiting, running, ready, checking or awaiting its
// block, each tx is checked before it is broadcast (x/ml refuses a result for a job no longer pending and ours, and
// a listing then says which to drop), and a job whose tx is waiting for its block is never put in another tx, so a
// burst or a restart never double-submits. The check is the tx's simulation, skipped (chain.ts) when every job's
// listed deadline is far enough ahead that x/ml cannot have moved it and the tx's gas is known from earlier ones.
import type { Logger } from '../../core/logger.js';
import { waitFor } from '../../core/poll.js';
import type { Job } from '../../proto/lunc/ml/v1/types.js';
import { JobKind } from '../../proto/lunc/ml/v1/types.js';
import type { OutputStore } from './output-store.js';
import { MANIFEST_MIME, encodeManifest, imageSeeds, parseManifest } from './manifest.js';
import type { ExecutorState, DoneJob } from './state.js';

export type JobKindName = 'image' | 'audio' | 'chat';

export interface JobRequest {
  jobId: string;
  kind: JobKindName;
  model: string;
  prompt: string;
  negativePrompt: string;
  width: number;
  height: number;
  steps: number;
  guidanceScale: number;
  scheduler: string;
  seed: bigint;
  numImages: number;
  style: string;
  durationMs: number;
  maxTokens: number;
  temperature: number;
}

export interface JobOutput {
  bytes: Uint8Array;
  mime: string;
  /** sha256 (hex) of `bytes` where the runner already hashed them (the device worker does): not hashed again here. */
  sha256?: string;
  /** Where the runner wrote the output (a temp file in RunOptions.stageIn, named for `sha256`); `bytes` is then empty. */
  staged?: StagedFile;
  /** A k-image job's PNGs, image i from seed + i; reported through a manifest (see manifest.ts) instead of `bytes`. */
  images?: Uint8Array[];
  /** sha256 (hex) of each of `images`, when the runner has them. */
  imageSha256?: string[];
  /** Each of `images` written by the runner, index for index (those images' bytes are then empty). */
  imagesStaged?: Array<StagedFile | undefined>;
  device?: string;
  ortMs?: number;
  wallMs?: number;
}

/** A temp file a runner wrote an output to, for the output store to commit (OutputStore.adopt). */
export interface StagedFile {
  path: string;
  size: number;
}

export interface RunOptions {
  /**
   * A folder (the output store's) where the runner may write the outputs itself, to temp files named for their
   * sha256, instead of returning the bytes: they then never reach the thread that feeds the devices. Not given for
   * outputs that are sealed first.
   */
  stageIn?: string;
}

/** Runs one job somewhere (a device worker); resolves when the output is ready. */
export interface JobRunner {
  run(req: JobRequest, opts?: RunOptions): Promise<JobOutput>;
  close(): Promise<void>;
}

/** Prompt and output sealing with the executor's X25519 key. */
export interface Sealer {
  openPrompt(envelope: Uint8Array): Promise<Uint8Array>;
  sealOutput(plaintext: Uint8Array, replyPubkey: Uint8Array): Promise<Uint8Array>;
}

export interface ResultMsg {
  jobId: bigint;
  outputSha256: string;
  outputUri: string;
  mime: string;
  sealed: boolean;
  error: string;
}

/** A results tx the node took into its mempool. */
export interface SentTx {
  txHash: string;
  /** Settles once the tx is in a block: resolves if the chain applied it, rejects (typed) if it was refused there or not seen in time. */
  included: Promise<void>;
}

export interface SendResultsOptions {
  /**
   * Every job in the tx is known to stay pending for this executor through this height: a listing showed it so with
   * this deadline, and x/ml moves or ends a job only after its deadline (or on its result). The chain may then skip
   * the simulation that would check them, when the tx will have landed by then.
   */
  pendingThrough?: bigint;
}

/** The chain, as the executor sees it. */
export interface ExecutorChain {
  pendingJobs(executor: string): Promise<Job[]>;
  job(id: bigint): Promise<Job>;
  /**
   * Signs and broadcasts one tx with these results without waiting for its block: resolves once the node accepted it
   * (CheckTx), so another tx can follow with the next sequence. Throws (typed) when it is refused before the mempool.
   */
  sendResults(results: ResultMsg[], opts?: SendResultsOptions): Promise<SentTx>;
  /** Calls `nudge` on each new block (something may have been assigned); returns an unsubscribe function. */
  watch(nudge: () => void): Promise<() => void>;
}

export interface ServiceMetrics {
  jobDone(kind: string, device: string, seconds: number): void;
  jobFailed(kind: string): void;
  queueDepth(n: number): void;
  resultsSubmitted(n: number): void;
}

export interface ExecutorServiceOptions {
  executor: string;
  chain: ExecutorChain;
  runner: JobRunner;
  store: OutputStore;
  state: ExecutorState;
  sealer?: Sealer;
  /** Base URL outputs are served from, e.g. http://10.0.0.5:8787 */
  publicUrl: string;
  logger: Logger;
  metrics?: ServiceMetrics;
  pollMs?: number;
  /** Jobs running at once (normally the number of devices). */
  concurrency: number;
  /** Jobs handed to the devices beyond those running, queued there (default: concurrency). */
  prefetch?: number;
  /** Most results in one tx (default 100); a batch the chain finds over its gas bound is halved. */
  maxBatch?: number;
  /** Most results txs waiting for their block at once (default 4). */
  maxTxsInFlight?: number;
}

/** Least time between listings while a long queue waits (see maybeList). */
const BUSY_LIST_MS = 2500;

/** Thrown by ExecutorChain.sendResults when a batch would exceed the gas one tx may use. */
export const BATCH_TOO_LARGE = 'batch_too_large';
/** Refusals that depend on the results in the tx (not on the connection): worth splitting the batch to find the bad one. */
const REFUSED = new Set(['tx_failed', 'out_of_gas', 'chain_error']);
/** x/ml's refusals of a result for a job that left this executor (finished, expired, reassigned): a listing says which. */
const GONE = new Set(['job_not_pending', 'not_assigned_executor', 'job_not_found']);

const kindName = (k: JobKind): JobKindName | undefined => (k === JobKind.JOB_KIND_IMAGE ? 'image' : k === JobKind.JOB_KIND_AUDIO ? 'audio' : k === JobKind.JOB_KIND_CHAT ? 'chat' : undefined);

export function requestOf(job: Job, prompt: string): JobRequest {
  const kind = kindName(job.kind);
  if (!kind) throw new Error(`job ${job.id} has unknown kind ${job.kind}`);
  const base: JobRequest = {
    jobId: job.id.toString(),
    kind,
    model: '',
    prompt,
    negativePrompt: '',
    width: 0,
    height: 0,
    steps: 0,
    guidanceScale: 0,
    scheduler: '',
    seed: 0n,
    numImages: 1,
    style: '',
    durationMs: 0,
    maxTokens: 0,
    temperature: 0,
  };
  if (kind === 'image' && job.image) {
    const r = job.image;
    return {
      ...base,
      model: r.model,
      negativePrompt: r.negativePrompt,
      width: r.width,
      height: r.height,
      steps: r.steps,
      guidanceScale: Number(r.guidanceScale || '0'),
      scheduler: r.scheduler,
      seed: r.seed,
      numImages: r.numImages || 1,
    };
  }
  if (kind === 'audio' && job.audio) {
    const r = job.audio;
    return { ...base, model: r.model, style: r.style, durationMs: r.durationMs, steps: r.steps, seed: r.seed };
  }
  if (kind === 'chat' && job.chat) {
    const r = job.chat;
    return { ...base, model: r.model, maxTokens: r.maxTokens, temperature: Number(r.temperature || '0'), seed: r.seed };
  }
  throw new Error(`job ${job.id} carries no ${kind} request`);
}

function sealedPromptOf(job: Job): Uint8Array | undefined {
  const s = job.image?.sealedPrompt ?? job.audio?.sealedPrompt ?? job.chat?.sealedPrompt;
  return s && s.length > 0 ? s : undefined;
}

function plainPromptOf(job: Job): string {
  const r = job.image ?? job.audio ?? job.chat;
  if (!r) return '';
  return job.audio ? `${job.audio.prompt}${job.audio.style ? `, ${job.audio.style}` : ''}` : r.prompt;
}

function replyKeyOf(job: Job): Uint8Array | undefined {
  const k = job.image?.replyPubkey ?? job.audio?.replyPubkey ?? job.chat?.replyPubkey;
  return k && k.length === 32 ? k : undefined;
}

export class ExecutorService {
  /** Listed and not yet handed to a device. */
  private readonly waiting = new Map<string, Job>();
  /** Handed to the runner (running or queued at a device). */
  private readonly running = new Set<string>();
  /** Computed; its output is being sealed and written. */
  private readonly storing = new Set<string>();
  /** Output stored, result not yet in a tx. */
  private readonly ready = new Map<string, DoneJob>();
  /** In the batch being checked and broadcast. */
  private readonly inflight = new Set<string>();
  /** In a broadcast tx whose block has not been seen: never put in another tx meanwhile. */
  private readonly awaitingBlock = new Set<string>();
  /**
   * Results of a tx the chain refused in its block: each goes alone next time, so one bad result holds back none, and
   * is checked by the chain (simulated) first, so a result the chain refuses is not broadcast again.
   */
  private readonly suspects = new Set<string>();
  /** Each listed job's deadline as last listed: it stays pending for this executor through that height. */
  private readonly deadlines = new Map<string, bigint>();
  /** Broadcast results txs whose block has not been seen. */
  private txsInFlight = 0;
  private readonly failures = new Map<string, number>();
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private unwatch?: () => void;
  private listing?: Promise<void>;
  private lastListAt = 0;
  private listAgain = false;
  private submitting?: Promise<void>;
  private submitAgain = false;
  /** After a failed submission, the next try waits for the poll timer rather than spinning. */
  private submitPausedUntil = 0;
  private batchLimit: number;
  private idle: Array<() => void> = [];

  constructor(private readonly o: ExecutorServiceOptions) {
    this.batchLimit = Math.max(1, o.maxBatch ?? 100);
  }

  async start(): Promise<void> {
    const { store, state, logger } = this.o;
    store.logger ??= logger;
    if (state.recovery) logger.error('executor state file was unreadable; set it aside', { ...state.recovery });
    const check = store.verifyAll();
    if (check.removed.length > 0 || check.temps > 0)
      logger.error('removed damaged outputs at start; jobs still pending for them run again', { removed: check.removed, interruptedWrites: check.temps, intact: check.ok });
    logger.info('catching up on assigned jobs', { executor: this.o.executor });
    await this.list();
    try {
      this.unwatch = await this.o.chain.watch(() => this.maybeList(true));
    } catch (e) {
      logger.warn('websocket subscription failed; polling only', { error: (e as Error).message });
    }
    this.timer = setInterval(() => {
      this.maybeList(false);
      this.kickSubmit();
    }, this.o.pollMs ?? 1000);
  }

  /**
   * Lists on every new block, and on the timer when no block came for pollMs (websocket down). While a long queue
   * waits here the devices have work for a while: a listing per block (in a burst, one carrying every queued job)
   * would only cost the node and this thread on the cores the devices use, so it is taken every BUSY_LIST_MS; new and
   * reassigned jobs are still seen within a few blocks, and a result is checked against the chain before it is sent.
   */
  private maybeList(newBlock: boolean): void {
    const since = Date.now() - this.lastListAt;
    const busy = this.waiting.size >= 4 * Math.max(1, this.o.concurrency);
    if (busy ? since < BUSY_LIST_MS : !newBlock && since < (this.o.pollMs ?? 1000)) return;
    void this.list();
  }

  /** Stops taking jobs, lets running ones finish (up to graceMs), submits what is ready. */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unwatch?.();
    this.waiting.clear();
    await waitFor(() => this.running.size === 0 && this.storing.size === 0, { timeoutMs: graceMs, intervalMs: 50 }).catch(() => undefined);
    if (this.running.size > 0) this.o.logger.warn("leaving unfinished jobs to the chain's reassignment", { jobs: [...this.running] });
    await this.listing;
    await this.submitting;
    this.submitPausedUntil = 0;
    if (this.ready.size > 0) await this.submitLoop();
    // Results already broadcast: see them into their blocks (or back to ready) before the process may end.
    await waitFor(() => this.txsInFlight === 0, { timeoutMs: graceMs, intervalMs: 50 }).catch(() => undefined);
    this.submitPausedUntil = 0;
    if (this.ready.size > 0) await this.submitLoop();
    await waitFor(() => this.txsInFlight === 0, { timeoutMs: graceMs, intervalMs: 50 }).catch(() => undefined);
    await this.o.state.flushed().catch((e: Error) => this.o.logger.error('could not write the executor state file', { path: this.o.state.path, error: e.message }));
    await this.o.runner.close();
  }

  /** Resolves once nothing is waiting, running or unsubmitted (tests and `gpu serve --once`). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private isIdle(): boolean {
    return (
      this.running.size === 0 && this.storing.size === 0 && this.waiting.size === 0 && this.ready.size === 0 && this.inflight.size === 0 && this.txsInFlight === 0 && !this.submitting && !this.listing
    );
  }

  private checkIdle(): void {
    if (this.isIdle()) this.idle.splice(0).forEach((r) => r());
  }

  /** Lists pending jobs (one listing at a time; a request during one is served right after it). */
  private list(): Promise<void> {
    if (this.listing) {
      this.listAgain = true;
      return this.listing;
    }
    this.listing = this.doList().finally(() => {
      this.listing = undefined;
      if (this.listAgain && !this.stopped) {
        this.listAgain = false;
        void this.list();
      } else this.checkIdle();
    });
    return this.listing;
  }

  private async doList(): Promise<void> {
    if (this.stopped) return;
    this.lastListAt = Date.now();
    let jobs: Job[];
    try {
      jobs = await this.o.chain.pendingJobs(this.o.executor);
    } catch (e) {
      this.o.logger.warn('cannot list assigned jobs; will retry', { error: (e as Error).message });
      return;
    }
    if (this.stopped) return;
    const listed = new Set(jobs.map((j) => j.id.toString()));
    // Not pending for us any more (reassigned away, expired): not worth a device.
    for (const id of this.waiting.keys()) if (!listed.has(id)) this.waiting.delete(id);
    for (const id of this.deadlines.keys()) if (!listed.has(id)) this.deadlines.delete(id);
    for (const job of jobs) {
      const id = job.id.toString();
      this.deadlines.set(id, job.deadlineHeight);
      if (this.running.has(id) || this.storing.has(id) || this.ready.has(id) || this.inflight.has(id) || this.awaitingBlock.has(id) || this.waiting.has(id)) continue;
      const done = this.o.state.get(id);
      // Our result is on chain; a listing taken before that block still shows the job.
      if (done?.submittedTx) continue;
      if (done && (done.error || this.servable(done))) {
        // Computed before a restart but not (known to be) on chain: submit it; the pre-submit check asks the chain again.
        this.ready.set(id, done);
        continue;
      }
      this.waiting.set(id, job);
    }
    this.dispatch();
    this.kickSubmit();
  }

  /** Hands waiting jobs to the devices, earliest deadline first, keeping each device one job ahead. */
  private dispatch(): void {
    const limit = this.o.concurrency + (this.o.prefetch ?? this.o.concurrency);
    while (!this.stopped && this.running.size < limit && this.waiting.size > 0) {
      let next: Job | undefined;
      for (const j of this.waiting.values()) if (!next || j.deadlineHeight < next.deadlineHeight || (j.deadlineHeight === next.deadlineHeight && j.id < next.id)) next = j;
      const id = next!.id.toString();
      this.waiting.delete(id);
      this.running.add(id);
      void this.execute(next!);
    }
    this.o.metrics?.queueDepth(this.waiting.size);
  }

  private async execute(job: Job): Promise<void> {
    const id = job.id.toString();
    const log = this.o.logger.child({ job: id });
    const kind = kindName(job.kind) ?? 'unknown';
    const t0 = performance.now();
    try {
      const reply = replyKeyOf(job);
      const sealer = reply && this.o.sealer;
      let out: JobOutput;
      try {
        const req = requestOf(job, await this.promptOf(job));
        log.info('running job', { kind, model: req.model, sealed: Boolean(sealedPromptOf(job)) });
        // Plain outputs go from the device straight to the store's folder; an output to seal comes here first.
        out = await this.o.runner.run(req, sealer ? {} : { stageIn: this.o.store.dir });
      } finally {
        // The device is free: give it the next job before this thread seals, hashes and writes to disk.
        this.running.delete(id);
        this.storing.add(id);
        this.dispatch();
      }
      // Sealed bytes are new bytes: only plain ones keep the hash the runner computed.
      const store = async (plain: Uint8Array, sha?: string, staged?: StagedFile) => {
        if (staged && sha && !sealer) return { sha256: this.o.store.adopt(staged.path, sha, staged.size), size: staged.size };
        const bytes = sealer ? await sealer.sealOutput(plain, reply) : plain;
        return { sha256: await this.o.store.stage(bytes, sealer ? undefined : sha), size: bytes.length };
      };
      let done: DoneJob;
      if (out.images) {
        const seeds = imageSeeds(job.image?.seed ?? 0n, out.images.length);
        const images = [];
        for (const [index, png] of out.images.entries()) {
          const { sha256, size } = await store(png, out.imageSha256?.[index], out.imagesStaged?.[index]);
          images.push({ index, seed: seeds[index].toString(), sha256, size, uri: this.uriOf(sha256), mime: out.mime });
        }
        const sha256 = await this.o.store.stage(encodeManifest({ version: 1, kind: 'lunc-ml/images', sealed: Boolean(sealer), images }));
        done = { jobId: id, sha256, mime: MANIFEST_MIME, sealed: Boolean(sealer), error: '' };
      } else {
        done = { jobId: id, sha256: (await store(out.bytes, out.sha256, out.staged)).sha256, mime: out.mime, sealed: Boolean(sealer), error: '' };
      }
      const sha256 = done.sha256;
      this.o.state.record(done);
      this.ready.set(id, done);
      const secs = (performance.now() - t0) / 1000;
      this.o.metrics?.jobDone(kind, out.device ?? 'unknown', secs);
      log.info('job output ready', { sha256, mime: out.mime, seconds: secs.toFixed(2), device: out.device });
    } catch (e) {
      const permanent = e instanceof PermanentJobError;
      const n = (this.failures.get(id) ?? 0) + 1;
      this.failures.set(id, n);
      this.o.metrics?.jobFailed(kind);
      if (permanent || n >= 2) {
        const msg = truncateUtf8((e as Error).message, 500);
        log.warn('job failed; reporting the error (the requester is refunded)', { error: msg });
        const done: DoneJob = { jobId: id, sha256: '', mime: '', sealed: false, error: msg };
        this.o.state.record(done);
        this.ready.set(id, done);
      } else {
        log.warn('job failed; will retry once', { error: (e as Error).message });
        // The next listing finds it pending and queues it again.
        void this.list();
      }
    } finally {
      this.storing.delete(id);
      this.kickSubmit();
      this.checkIdle();
    }
  }

  private uriOf(sha256: string): string {
    return `${this.o.publicUrl.replace(/\/$/, '')}/outputs/${sha256}`;
  }

  /** The output and, for a manifest, every image it lists are stored intact: only then may the hash be reported. */
  private servable(d: DoneJob): boolean {
    if (d.mime !== MANIFEST_MIME) return this.o.store.intact(d.sha256);
    const bytes = this.o.store.get(d.sha256);
    if (!bytes) return false;
    try {
      return parseManifest(bytes).images.every((i) => this.o.store.intact(i.sha256));
    } catch {
      return false;
    }
  }

  private async promptOf(job: Job): Promise<string> {
    const sealed = sealedPromptOf(job);
    if (!sealed) return plainPromptOf(job);
    if (!this.o.sealer) throw new PermanentJobError('the prompt is sealed and this executor has no encryption key loaded');
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(await this.o.sealer.openPrompt(sealed));
    } catch {
      throw new PermanentJobError("the sealed prompt could not be opened with this executor's key");
    }
  }

  /** Starts the submission loop unless it runs (it then picks up new results itself) or a failure paused it. */
  private kickSubmit(): void {
    if (this.submitting) {
      this.submitAgain = true;
      return;
    }
    if (this.ready.size === 0 || Date.now() < this.submitPausedUntil || !this.mayBroadcast()) return;
    this.submitting = this.submitLoop().finally(() => {
      this.submitting = undefined;
      if (this.submitAgain) {
        this.submitAgain = false;
        this.kickSubmit();
      }
      this.checkIdle();
    });
  }

  /**
   * Whether another results tx may leave now. With none waiting for a block, always. Behind one that waits, only when
   * waiting for its block would hold results back for nothing: compute is idle (nothing more is coming soon, e.g. a
   * burst's last results), a full batch is ready, or the executor is stopping.
   */
  private mayBroadcast(): boolean {
    if (this.txsInFlight === 0) return true;
    if (this.txsInFlight >= Math.max(1, this.o.maxTxsInFlight ?? 4)) return false;
    return (this.running.size === 0 && this.storing.size === 0 && this.waiting.size === 0) || this.ready.size >= this.batchLimit || this.stopped;
  }

  /** Broadcasts txs, each with every ready result (up to the batch limit), while one may leave and until a send fails. */
  private async submitLoop(): Promise<void> {
    // A refusal seen meanwhile (a tx failed in its block) pauses the loop too.
    while (this.ready.size > 0 && this.mayBroadcast() && Date.now() >= this.submitPausedUntil) {
      this.submitAgain = false;
      if (!(await this.submitBatch())) {
        this.submitPausedUntil = Date.now() + (this.o.pollMs ?? 1000);
        return;
      }
    }
  }

  private async submitBatch(): Promise<boolean> {
    const batch: DoneJob[] = [];
    for (const d of this.ready.values()) {
      if (batch.length >= this.batchLimit) break;
      // A result refused in a block goes alone, and nothing joins it.
      if (this.suspects.has(d.jobId) ? batch.length > 0 : batch.some((b) => this.suspects.has(b.jobId))) continue;
      batch.push(d);
    }
    for (const d of batch) {
      this.ready.delete(d.jobId);
      this.inflight.add(d.jobId);
    }
    try {
      // The outputs staged since the last tx become durable together, before any of them is reported (one that
      // cannot be is not intact below, and its job runs again).
      await this.o.store.commit().catch((e: Error) => this.o.logger.error('could not commit the staged outputs', { error: e.message }));
      const still: DoneJob[] = [];
      for (const d of batch) {
        if (d.sha256 && !this.servable(d)) {
          // Never report a hash whose bytes cannot be served: forget the output so the job runs again.
          this.o.logger.error('output missing or damaged before submission; running the job again', { job: d.jobId, sha256: d.sha256 });
          this.o.state.forget(d.jobId);
        } else still.push(d);
      }
      // Whether each job is still pending and ours is checked by the tx's simulation, against the node's latest state.
      // Listing every pending job before each tx (as this once did) cost the node and this thread a query and the
      // decoding of the whole queue per block under a burst; a listing is taken only when the simulation refuses.
      if (still.length === 0) return true;
      return await this.send(still);
    } finally {
      for (const d of batch) this.inflight.delete(d.jobId);
    }
  }

  /** Ids of the jobs pending for this executor now; undefined (logged) when the chain cannot be asked. */
  private async pendingIds(): Promise<Set<string> | undefined> {
    try {
      return new Set((await this.o.chain.pendingJobs(this.o.executor)).map((j) => j.id.toString()));
    } catch (e) {
      this.o.logger.warn('cannot check which jobs are still pending; will retry', { error: (e as Error).message });
      return undefined;
    }
  }

  /**
   * Broadcasts one tx. A refused batch is first checked against the chain's pending jobs (`checked` once done): jobs no
   * longer ours are dropped and the rest sent again. A batch over the gas bound or refused for another result is split,
   * so one bad result holds back none.
   */
  private async send(list: DoneJob[], checked = false): Promise<boolean> {
    const results: ResultMsg[] = list.map((d) => ({
      jobId: BigInt(d.jobId),
      outputSha256: d.sha256,
      outputUri: d.sha256 ? this.uriOf(d.sha256) : '',
      mime: d.mime,
      sealed: d.sealed,
      error: d.error,
    }));
    const jobs = list.map((d) => d.jobId);
    const back = () => {
      for (const d of list) this.ready.set(d.jobId, d);
      return false;
    };
    // After a refusal, and for a result once refused in a block, the chain's check is wanted whatever the deadlines say.
    const deadlines = checked || jobs.some((id) => this.suspects.has(id)) ? [] : jobs.map((id) => this.deadlines.get(id));
    const pendingThrough = deadlines.length > 0 && deadlines.every((d) => d !== undefined) ? deadlines.reduce((a, b) => (b! < a! ? b : a)) : undefined;
    let sent: SentTx;
    try {
      sent = await this.o.chain.sendResults(results, { pendingThrough });
    } catch (e) {
      const code = (e as { code?: string }).code;
      const refused = code !== undefined && (REFUSED.has(code) || GONE.has(code));
      if (refused && !checked) {
        const pending = await this.pendingIds();
        if (!pending) return back();
        const gone = jobs.filter((id) => !pending.has(id));
        if (gone.length > 0) {
          this.o.logger.info('jobs no longer pending for this executor; not submitting', { jobs: gone });
          for (const id of gone) this.suspects.delete(id);
          const rest = list.filter((d) => pending.has(d.jobId));
          return rest.length === 0 || (await this.send(rest, true));
        }
      }
      if (list.length > 1 && code === BATCH_TOO_LARGE) {
        this.batchLimit = Math.max(1, Math.floor(list.length / 2));
        this.o.logger.info('batch over the gas bound; sending fewer results per tx', { batch: list.length, limit: this.batchLimit });
      } else if (list.length > 1 && refused) {
        this.o.logger.warn('batch refused; splitting it to find the refused result', { error: (e as Error).message, jobs });
      } else {
        this.o.logger.warn('submitting results failed; will retry', { error: (e as Error).message, jobs });
        return back();
      }
      const half = Math.ceil(list.length / 2);
      const a = await this.send(list.slice(0, half), checked || refused);
      const b = await this.send(list.slice(half), checked || refused);
      return a && b;
    }
    this.txsInFlight++;
    for (const id of jobs) this.awaitingBlock.add(id);
    this.o.logger.debug('results tx sent', { tx: sent.txHash, jobs });
    void sent.included
      .then(
        () => {
          this.o.state.markSubmitted(jobs, sent.txHash);
          this.o.metrics?.resultsSubmitted(list.length);
          for (const id of jobs) {
            this.suspects.delete(id);
            this.deadlines.delete(id);
          }
          this.o.logger.info('results submitted', { tx: sent.txHash, jobs });
        },
        (e: unknown) => {
          const code = (e as { code?: string }).code;
          // Nothing of a tx refused in its block was applied: its results go back, each to go alone and be checked by
          // the chain first if one may be the cause (running out of gas is the whole tx's: the next tx is simulated).
          if (code && REFUSED.has(code) && code !== 'out_of_gas') for (const id of jobs) this.suspects.add(id);
          this.o.logger.warn('results tx not applied; its results go back to be checked and sent again', { tx: sent.txHash, error: (e as Error).message, jobs });
          for (const d of list) this.ready.set(d.jobId, d);
          this.submitPausedUntil = Date.now() + (this.o.pollMs ?? 1000);
        },
      )
      .finally(() => {
        for (const id of jobs) this.awaitingBlock.delete(id);
        this.txsInFlight--;
        this.kickSubmit();
        this.checkIdle();
      });
    return true;
  }
}

export class PermanentJobError extends Error {}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character (x/ml limits are in bytes). */
export function truncateUtf8(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (n + b > max - 3) break;
    out += ch;
    n += b;
  }
  return out + '...';
}
