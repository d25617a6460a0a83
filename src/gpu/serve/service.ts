// The validator-side executor loop: find jobs the ML chain assigned to this executor (catch-up, then
// a websocket nudge with polling as the floor), run them on the device pool, store outputs by sha256,
// and report results in batched MsgSubmitResult txs. The chain accepts one result per job; this loop
// also checks the job is still pending and ours before it submits, so a restart never double-submits.
import type { Logger } from '../../core/logger.js';
import { waitFor } from '../../core/poll.js';
import type { Job } from '../../proto/lunc/ml/v1/types.js';
import { JobKind, JobStatus } from '../../proto/lunc/ml/v1/types.js';
import type { OutputStore } from './output-store.js';
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
  device?: string;
  ortMs?: number;
  wallMs?: number;
}

/** Runs one job somewhere (a device worker); resolves when the output is ready. */
export interface JobRunner {
  run(req: JobRequest): Promise<JobOutput>;
  close(): Promise<void>;
}

/** Prompt and output sealing with the executor's X25519 key. */
export interface Sealer {
  openPrompt(envelope: Uint8Array): Uint8Array;
  sealOutput(plaintext: Uint8Array, replyPubkey: Uint8Array): Uint8Array;
}

export interface ResultMsg {
  jobId: bigint;
  outputSha256: string;
  outputUri: string;
  mime: string;
  sealed: boolean;
  error: string;
}

/** The chain, as the executor sees it. */
export interface ExecutorChain {
  pendingJobs(executor: string): Promise<Job[]>;
  job(id: bigint): Promise<Job>;
  /** Broadcasts one tx with these results; returns its hash. */
  submitResults(results: ResultMsg[]): Promise<string>;
  /** Calls `nudge` when something may have been assigned; returns an unsubscribe function. */
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
  maxBatch?: number;
}

const kindName = (k: JobKind): JobKindName | undefined => (k === JobKind.JOB_KIND_IMAGE ? 'image' : k === JobKind.JOB_KIND_AUDIO ? 'audio' : k === JobKind.JOB_KIND_CHAT ? 'chat' : undefined);

export function requestOf(job: Job, prompt: string): JobRequest {
  const kind = kindName(job.kind);
  if (!kind) throw new Error(`job ${job.id} has unknown kind ${job.kind}`);
  const base: JobRequest = { jobId: job.id.toString(), kind, model: '', prompt, negativePrompt: '', width: 0, height: 0, steps: 0, guidanceScale: 0, scheduler: '', seed: 0n, numImages: 1, style: '', durationMs: 0, maxTokens: 0, temperature: 0 };
  if (kind === 'image' && job.image) {
    const r = job.image;
    return { ...base, model: r.model, negativePrompt: r.negativePrompt, width: r.width, height: r.height, steps: r.steps, guidanceScale: Number(r.guidanceScale || '0'), scheduler: r.scheduler, seed: r.seed, numImages: r.numImages || 1 };
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
  private readonly running = new Set<string>();
  private readonly waiting: Job[] = [];
  private readonly ready = new Map<string, DoneJob>();
  private submitting = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private unwatch?: () => void;
  private ticking?: Promise<void>;
  private tickAgain = false;
  private failures = new Map<string, number>();
  private idle: Array<() => void> = [];

  constructor(private readonly o: ExecutorServiceOptions) {}

  async start(): Promise<void> {
    const { store, state, logger } = this.o;
    store.logger ??= logger;
    if (state.recovery) logger.error('executor state file was unreadable; set it aside', { ...state.recovery });
    const check = store.verifyAll();
    if (check.removed.length > 0 || check.temps > 0) logger.error('removed damaged outputs at start; jobs still pending for them run again', { removed: check.removed, interruptedWrites: check.temps, intact: check.ok });
    logger.info('catching up on assigned jobs', { executor: this.o.executor });
    await this.tick();
    try {
      this.unwatch = await this.o.chain.watch(() => void this.tick());
    } catch (e) {
      this.o.logger.warn('websocket subscription failed; polling only', { error: (e as Error).message });
    }
    this.timer = setInterval(() => void this.tick(), this.o.pollMs ?? 1000);
  }

  /** Stops taking jobs, lets running ones finish (up to graceMs), submits what is ready. */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unwatch?.();
    this.waiting.length = 0;
    await waitFor(() => this.running.size === 0, { timeoutMs: graceMs, intervalMs: 50 }).catch(() => undefined);
    if (this.running.size > 0) this.o.logger.warn('leaving unfinished jobs to the chain\'s reassignment', { jobs: [...this.running] });
    await this.ticking;
    await this.submitReady();
    await this.o.runner.close();
  }

  /** Resolves once nothing is waiting, running or unsubmitted (tests and `gpu serve --once`). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private isIdle(): boolean {
    return this.running.size === 0 && this.waiting.length === 0 && this.ready.size === 0 && !this.submitting && !this.ticking;
  }

  private tick(): Promise<void> {
    if (this.ticking) {
      // Something changed while a tick was under way: look again right after it.
      this.tickAgain = true;
      return this.ticking;
    }
    this.ticking = this.doTick().finally(() => {
      this.ticking = undefined;
      if (this.tickAgain && !this.stopped) {
        this.tickAgain = false;
        void this.tick();
        return;
      }
      if (this.isIdle()) this.idle.splice(0).forEach((r) => r());
    });
    return this.ticking;
  }

  private async doTick(): Promise<void> {
    if (!this.stopped) {
      let jobs: Job[];
      try {
        jobs = await this.o.chain.pendingJobs(this.o.executor);
      } catch (e) {
        this.o.logger.warn('cannot list assigned jobs; will retry', { error: (e as Error).message });
        return;
      }
      for (const job of jobs) {
        const id = job.id.toString();
        if (this.running.has(id) || this.ready.has(id) || this.waiting.some((w) => w.id === job.id)) continue;
        const done = this.o.state.get(id);
        if (done && this.o.store.has(done.sha256)) {
          // Computed before a restart but not (known to be) on chain: submit again; the chain is still pending.
          this.ready.set(id, done);
          continue;
        }
        if (done?.error) {
          this.ready.set(id, done);
          continue;
        }
        this.waiting.push(job);
      }
      this.o.metrics?.queueDepth(this.waiting.length);
      while (!this.stopped && this.running.size < this.o.concurrency && this.waiting.length > 0) {
        const job = this.waiting.shift()!;
        this.running.add(job.id.toString());
        void this.execute(job);
      }
    }
    await this.submitReady();
  }

  private async execute(job: Job): Promise<void> {
    const id = job.id.toString();
    const log = this.o.logger.child({ job: id });
    const kind = kindName(job.kind) ?? 'unknown';
    const t0 = performance.now();
    try {
      const sealed = sealedPromptOf(job);
      let prompt: string;
      if (sealed) {
        if (!this.o.sealer) throw new PermanentJobError('the prompt is sealed and this executor has no encryption key loaded');
        try {
          prompt = new TextDecoder('utf-8', { fatal: true }).decode(this.o.sealer.openPrompt(sealed));
        } catch {
          throw new PermanentJobError('the sealed prompt could not be opened with this executor\'s key');
        }
      } else prompt = plainPromptOf(job);
      const req = requestOf(job, prompt);
      log.info('running job', { kind, model: req.model, sealed: Boolean(sealed) });
      const out = await this.o.runner.run(req);
      const reply = replyKeyOf(job);
      const bytes = reply && this.o.sealer ? this.o.sealer.sealOutput(out.bytes, reply) : out.bytes;
      const sha256 = this.o.store.put(bytes);
      const done: DoneJob = { jobId: id, sha256, mime: out.mime, sealed: Boolean(reply && this.o.sealer), error: '' };
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
      } else log.warn('job failed; will retry once', { error: (e as Error).message });
    } finally {
      this.running.delete(id);
      void this.tick();
    }
  }

  private async submitReady(): Promise<void> {
    if (this.submitting || this.ready.size === 0) return;
    this.submitting = true;
    try {
      const batch = [...this.ready.values()].slice(0, this.o.maxBatch ?? 10);
      // Only results for jobs still pending and still ours: a reassigned or finished job is dropped here.
      const still: DoneJob[] = [];
      for (const d of batch) {
        if (d.sha256 && !this.o.store.has(d.sha256)) {
          // Never report a hash whose bytes cannot be served: forget the output so the job runs again.
          this.o.logger.error('output missing or damaged before submission; running the job again', { job: d.jobId, sha256: d.sha256 });
          this.ready.delete(d.jobId);
          this.o.state.forget(d.jobId);
          continue;
        }
        try {
          const job = await this.o.chain.job(BigInt(d.jobId));
          if (job.status === JobStatus.JOB_STATUS_PENDING && job.executor === this.o.executor) still.push(d);
          else {
            this.o.logger.info('job no longer pending for this executor; not submitting', { job: d.jobId, status: job.status });
            this.ready.delete(d.jobId);
          }
        } catch (e) {
          this.o.logger.warn('cannot check job before submitting; will retry', { job: d.jobId, error: (e as Error).message });
        }
      }
      if (still.length === 0) return;
      const results: ResultMsg[] = still.map((d) => ({
        jobId: BigInt(d.jobId),
        outputSha256: d.sha256,
        outputUri: d.sha256 ? `${this.o.publicUrl.replace(/\/$/, '')}/outputs/${d.sha256}` : '',
        mime: d.mime,
        sealed: d.sealed,
        error: d.error,
      }));
      try {
        const tx = await this.o.chain.submitResults(results);
        this.o.state.markSubmitted(still.map((d) => d.jobId), tx);
        for (const d of still) this.ready.delete(d.jobId);
        this.o.metrics?.resultsSubmitted(still.length);
        this.o.logger.info('results submitted', { tx, jobs: still.map((d) => d.jobId) });
      } catch (e) {
        this.o.logger.warn('submitting results failed; will retry', { error: (e as Error).message, jobs: still.map((d) => d.jobId) });
        // One bad result must not hold back the others: try them one by one.
        if (still.length > 1) {
          for (let i = 0; i < still.length; i++) {
            const d = still[i];
            try {
              const tx = await this.o.chain.submitResults([results[i]]);
              this.o.state.markSubmitted([d.jobId], tx);
              this.ready.delete(d.jobId);
              this.o.metrics?.resultsSubmitted(1);
            } catch (e2) {
              this.o.logger.warn('result refused; will retry', { job: d.jobId, error: (e2 as Error).message });
            }
          }
        }
      }
    } finally {
      this.submitting = false;
    }
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
