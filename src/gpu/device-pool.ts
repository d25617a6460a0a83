// A pool of device workers (worker.ts): one per device, each loading its sessions once and self-testing before it
// takes work. Jobs wait in a FIFO queue and go to the first free worker; the main thread only passes messages.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { LuncMlError, ModelError, UsageError } from '../core/errors.js';
import { nullLogger, type Logger } from '../core/logger.js';
import type { JobResult, JobSpec, ProgressFn } from './jobs.js';
import { deviceLabel, type DeviceSpec } from './session.js';
import type { FromWorker, SerializedError, ToWorker, WorkerInit } from './worker.js';

/** The execution providers a device can run on. */
export const EXECUTION_PROVIDERS = ['cuda', 'webgpu', 'cpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** `--ep`: one of EXECUTION_PROVIDERS, else a one-line usage error. */
export function parseEp(s: string, flag = '--ep'): ExecutionProvider {
  const ep = s.trim().toLowerCase();
  if ((EXECUTION_PROVIDERS as readonly string[]).includes(ep)) return ep as ExecutionProvider;
  throw new UsageError(`${flag} "${s}" is not an execution provider this build runs: use ${EXECUTION_PROVIDERS.join(', ')}`, { code: 'bad_value' });
}

/**
 * A device list, each entry on its own execution provider: "cuda:0", "webgpu" (= "webgpu:0"), "cpu", "cpu:N" (N CPU
 * workers), or a bare GPU id ("0,1") on `ep` (default cuda). So `--devices cuda:0,webgpu,cpu` runs one worker on each
 * EP. WebGPU takes the adapter Dawn ranks first (ORT offers no choice): only id 0, once.
 */
export function parseDevices(spec: string, ep: ExecutionProvider = 'cuda'): DeviceSpec[] {
  const out: DeviceSpec[] = [];
  const onEp = (kind: ExecutionProvider, id: number, raw: string): DeviceSpec[] => {
    if (kind === 'cuda') return [{ kind: 'cuda', id }];
    if (kind === 'webgpu') {
      if (id !== 0) throw new UsageError(`"${raw}": WebGPU runs on the adapter Dawn ranks first, webgpu:0; another adapter cannot be chosen`, { code: 'bad_value' });
      return [{ kind: 'webgpu' }];
    }
    if (id < 1 || id > 64) throw new UsageError(`"${raw}": CPU worker count must be 1..64`, { code: 'bad_value' });
    return Array.from({ length: id }, () => ({ kind: 'cpu' }) as const);
  };
  for (const raw of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    let m: RegExpMatchArray | null;
    if (raw === 'cpu' || raw === 'webgpu') out.push(...onEp(raw, raw === 'cpu' ? 1 : 0, raw));
    else if ((m = raw.match(/^(\d+)$/))) out.push(...onEp(ep, ep === 'cpu' ? 1 : Number(m[1]), raw));
    else if ((m = raw.match(/^([a-z][a-z0-9_-]*):(\d+)$/i))) {
      const name = m[1]!.toLowerCase() === 'gpu' ? 'cuda' : m[1]!.toLowerCase();
      if (!(EXECUTION_PROVIDERS as readonly string[]).includes(name))
        throw new UsageError(`unknown execution provider "${m[1]}" in device "${raw}": use ${EXECUTION_PROVIDERS.join(', ')} (e.g. cuda:0, webgpu, cpu:2)`, { code: 'bad_value' });
      out.push(...onEp(name as ExecutionProvider, Number(m[2]), raw));
    } else throw new UsageError(`bad device "${raw}"`, { hint: 'use GPU ids (0,1), cuda:0, webgpu, cpu or cpu:N; several EPs side by side: cuda:0,webgpu,cpu' });
  }
  if (out.length === 0) throw new UsageError('no devices given', { hint: 'use --devices 0 | 0,1 | cuda:0,webgpu | cpu | cpu:2' });
  const ids = out.filter((d) => d.kind === 'cuda').map((d) => (d as { id: number }).id);
  if (new Set(ids).size !== ids.length) throw new UsageError(`device list "${spec}" names a GPU twice`);
  if (out.filter((d) => d.kind === 'webgpu').length > 1) throw new UsageError(`device list "${spec}" names webgpu twice`, { hint: 'the WebGPU provider uses one adapter' });
  return out;
}

export interface DevicePoolOptions {
  devices: DeviceSpec[];
  allowCpu?: boolean;
  selfTest?: JobSpec;
  selfTestSha256?: string;
  /** one small job per further model: each worker loads and checks every model before taking work */
  extraSelfTests?: JobSpec[];
  /** intra-op threads per CPU worker; default: cores / CPU workers (at least 1) */
  cpuThreads?: number;
  /** compiled worker module; default ./worker.js next to this file */
  workerUrl?: URL;
  logger?: Logger;
  startTimeoutMs?: number;
}

export interface WorkerInfo {
  id: number;
  device: string;
  provider?: string;
  state: 'starting' | 'idle' | 'busy' | 'failed' | 'closed';
  jobsDone: number;
  error?: string;
  selfTestMs?: number;
}

export interface PoolJobResult extends JobResult {
  workerId: number;
  queuedMs: number;
}

interface Pending {
  id: number;
  job: JobSpec;
  stageIn?: string;
  onProgress?: ProgressFn;
  resolve: (r: PoolJobResult) => void;
  reject: (e: unknown) => void;
  enqueuedAt: number;
}

interface Slot {
  info: WorkerInfo;
  worker: Worker;
  current?: Pending;
}

export function deserializeError(e: SerializedError): LuncMlError {
  return new LuncMlError(e.code, e.message, { hint: e.hint, exitCode: e.exitCode, data: e.data });
}

export class DevicePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closing = false;
  private readonly logger: Logger;

  private constructor(logger: Logger) {
    this.logger = logger;
  }

  /** Starts one worker per device and waits until each is ready or failed; throws if none is ready. */
  static async start(opts: DevicePoolOptions): Promise<DevicePool> {
    const pool = new DevicePool(opts.logger ?? nullLogger);
    const url = opts.workerUrl ?? new URL('./worker.js', import.meta.url);
    const nCpu = opts.devices.filter((d) => d.kind === 'cpu').length;
    const cpuThreads = opts.cpuThreads ?? Math.max(1, Math.floor(availableParallelism() / Math.max(1, nCpu)));
    const starts = opts.devices.map((device, i) =>
      pool.spawn(
        url,
        {
          workerId: i,
          device,
          allowCpu: opts.allowCpu ?? false,
          threads: device.kind === 'cpu' ? cpuThreads : undefined,
          selfTest: opts.selfTest,
          selfTestSha256: opts.selfTestSha256,
          extraSelfTests: opts.extraSelfTests,
        },
        opts.startTimeoutMs ?? 120_000,
      ),
    );
    await Promise.all(starts);
    const ready = pool.slots.filter((s) => s.info.state === 'idle');
    if (ready.length === 0) {
      const why = pool.slots.map((s) => `${s.info.device}: ${s.info.error ?? 'not ready'}`).join('; ');
      await pool.close();
      throw new ModelError(`no device passed its self-test (${why})`, {
        code: 'no_device',
        hint: 'run `lunc-ml gpu doctor` to see which providers and models work; --allow-cpu lets CUDA devices fall back to CPU',
      });
    }
    return pool;
  }

  private spawn(url: URL, init: WorkerInit, timeoutMs: number): Promise<void> {
    const worker = new Worker(url, { workerData: init });
    const slot: Slot = { worker, info: { id: init.workerId, device: deviceLabel(init.device), state: 'starting', jobsDone: 0 } };
    this.slots.push(slot);
    return new Promise<void>((resolveStart) => {
      const timer = setTimeout(() => {
        if (slot.info.state === 'starting') {
          slot.info.state = 'failed';
          slot.info.error = `not ready after ${timeoutMs} ms`;
          void worker.terminate();
          resolveStart();
        }
      }, timeoutMs);
      timer.unref();
      worker.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'ready':
            clearTimeout(timer);
            slot.info.state = 'idle';
            slot.info.provider = m.provider;
            slot.info.selfTestMs = m.selfTestMs;
            this.logger.info('device ready', { worker: slot.info.id, device: slot.info.device, provider: m.provider, selfTestMs: m.selfTestMs });
            resolveStart();
            this.dispatch();
            break;
          case 'init_error':
            clearTimeout(timer);
            slot.info.state = 'failed';
            slot.info.error = m.error.message;
            this.logger.warn('device failed its self-test', { worker: slot.info.id, device: slot.info.device, error: m.error.message });
            resolveStart();
            break;
          case 'progress':
            slot.current?.onProgress?.(m.step, m.total);
            break;
          case 'result':
          case 'error': {
            const p = slot.current;
            slot.current = undefined;
            if (slot.info.state === 'busy') slot.info.state = 'idle';
            if (p && p.id === m.id) {
              if (m.type === 'result') {
                slot.info.jobsDone++;
                p.resolve({ ...m.result, workerId: slot.info.id, queuedMs: 0 });
              } else p.reject(deserializeError(m.error));
            }
            this.dispatch();
            break;
          }
          case 'closed':
            slot.info.state = 'closed';
            break;
        }
      });
      worker.on('error', (e) => {
        clearTimeout(timer);
        this.logger.error('device worker crashed', { worker: slot.info.id, device: slot.info.device, error: e.message });
        slot.info.state = 'failed';
        slot.info.error = e.message;
        slot.current?.reject(new ModelError(`worker for ${slot.info.device} crashed: ${e.message}`, { code: 'worker_crashed' }));
        slot.current = undefined;
        resolveStart();
        this.failIfNoWorkers();
      });
      worker.on('exit', () => {
        clearTimeout(timer);
        if (slot.info.state !== 'failed') slot.info.state = 'closed';
        if (slot.current) {
          slot.current.reject(new ModelError(`worker for ${slot.info.device} exited during a job`, { code: 'worker_exited' }));
          slot.current = undefined;
        }
        resolveStart();
        this.failIfNoWorkers();
      });
    });
  }

  private failIfNoWorkers(): void {
    if (this.slots.some((s) => s.info.state === 'idle' || s.info.state === 'busy' || s.info.state === 'starting')) return;
    for (const p of this.queue.splice(0)) p.reject(new ModelError('no device worker is left to run the job', { code: 'no_device' }));
  }

  get workers(): WorkerInfo[] {
    return this.slots.map((s) => ({ ...s.info }));
  }

  get queueLength(): number {
    return this.queue.length;
  }

  /**
   * Queues a job; resolves with its result and the worker that ran it. `stageIn`: a folder where the worker writes the
   * job's output (outputs[0]; an audio job's spectrogram comes back as bytes) to a temp file named for its sha256 (see
   * tempOf), returning the path and size in place of the bytes, which then never cross threads.
   */
  run(job: JobSpec, opts: { onProgress?: ProgressFn; stageIn?: string } = {}): Promise<PoolJobResult> {
    if (this.closing) return Promise.reject(new UsageError('device pool is closed'));
    return new Promise<PoolJobResult>((resolve, reject) => {
      const enqueuedAt = performance.now();
      const p: Pending = {
        id: this.nextId++,
        job,
        stageIn: opts.stageIn,
        onProgress: opts.onProgress,
        enqueuedAt,
        reject,
        resolve: (r) => resolve({ ...r, queuedMs: r.queuedMs }),
      };
      this.queue.push(p);
      this.dispatch();
      this.failIfNoWorkers();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.info.state !== 'idle' || slot.current) continue;
      const p = this.queue.shift()!;
      const queuedMs = performance.now() - p.enqueuedAt;
      const resolve = p.resolve;
      p.resolve = (r) => resolve({ ...r, queuedMs });
      slot.current = p;
      slot.info.state = 'busy';
      slot.worker.postMessage({ type: 'job', id: p.id, job: p.job, stageIn: p.stageIn } satisfies ToWorker);
    }
  }

  /** Stops taking jobs, rejects queued ones, lets running jobs finish, then shuts workers down. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closing = true;
    for (const p of this.queue.splice(0)) p.reject(new UsageError('device pool closed before the job started', { code: 'pool_closed' }));
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.info.state === 'closed' || s.info.state === 'failed') {
              void s.worker.terminate().then(() => resolve());
              return;
            }
            const t = setTimeout(() => void s.worker.terminate().then(() => resolve()), timeoutMs);
            s.worker.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            s.worker.postMessage({ type: 'shutdown' } satisfies ToWorker);
          }),
      ),
    );
  }
}
