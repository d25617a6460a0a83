// onnxruntime-node sessions: loaded lazily (so the CLI starts fast), created on CUDA, WebGPU or CPU as asked, with
// the model's input names, dtypes and shapes read from the session's metadata, and ORT run() time accumulated.
import type * as Ort from 'onnxruntime-node';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { ModelError } from '../core/errors.js';
import { nullLogger, type Logger } from '../core/logger.js';
import { toHalfArray, fromHalfArray } from './half.js';

export type OrtModule = typeof Ort;
/** WebGPU has no device id: ORT's WebGPU provider takes the adapter Dawn ranks first. */
export type DeviceSpec = { kind: 'cpu' } | { kind: 'cuda'; id: number } | { kind: 'webgpu' };
export type ProviderName = DeviceSpec['kind'];

/**
 * ORT's log severities (0 verbose … 4 fatal). Every ORT failure the project acts on comes back as an exception whose
 * message the project's own error carries, so ORT's C++ log lines (written straight to stderr, e.g. "[E:onnxruntime:…
 * provider_bridge_ort.cc …] Failed to load library libonnxruntime_providers_shared.so" when the CUDA provider is
 * absent) only repeat it, in a format the user cannot act on. Fatal keeps them off the terminal.
 */
export const ORT_LOG_SEVERITY = 4;
const ORT_ENV_LOG_LEVEL = 'fatal';

let ortPromise: Promise<OrtModule> | undefined;

/** Loads onnxruntime-node on first use, with its process-wide logger at ORT_LOG_SEVERITY. */
export function loadOrt(): Promise<OrtModule> {
  ortPromise ??= import('onnxruntime-node').then((m) => {
    const ort = (m as unknown as { default?: OrtModule }).default && !(m as OrtModule).InferenceSession ? (m as unknown as { default: OrtModule }).default : (m as OrtModule);
    // read once, when the first session initialises ORT's environment (its default logger): set it before any
    ort.env.logLevel = ORT_ENV_LOG_LEVEL;
    return ort;
  });
  return ortPromise;
}

export function deviceLabel(d: DeviceSpec): string {
  return d.kind === 'cuda' ? `cuda:${d.id}` : d.kind;
}

export interface SessionOptions {
  device: DeviceSpec;
  /** Fall back to CPU when the GPU provider (CUDA or WebGPU) cannot be created. */
  allowCpu?: boolean;
  /** intra-op threads for CPU runs (default: ORT's choice). */
  threads?: number;
  logger?: Logger;
}

export interface IoMeta {
  name: string;
  type: string;
  /** dims: numbers, or symbolic names; [] is a scalar. */
  shape: (number | string)[];
}

export type FeedValue = Ort.Tensor;

export class OrtModel {
  ortMs = 0;
  runs = 0;
  constructor(
    readonly ort: OrtModule,
    readonly session: Ort.InferenceSession,
    readonly path: string,
    readonly provider: ProviderName,
    readonly inputs: Map<string, IoMeta>,
    readonly outputs: Map<string, IoMeta>,
    readonly fallbackReason?: string,
  ) {}

  get label(): string {
    return `${basename(dirname(this.path))}/${basename(this.path)}`;
  }

  input(name: string): IoMeta {
    const m = this.inputs.get(name);
    if (!m)
      throw new ModelError(`${this.label} has no input "${name}" (inputs: ${[...this.inputs.keys()].join(', ')})`, {
        code: 'model_io',
        hint: 'the model was exported with different input names than this pipeline expects',
      });
    return m;
  }

  /** Float tensor in the dtype the input wants (float32 or float16). */
  floatTensor(name: string, data: Float32Array, dims: readonly number[]): Ort.Tensor {
    const t = this.inputs.get(name)?.type ?? 'float32';
    if (t === 'float16') return new this.ort.Tensor('float16', toHalfArray(data), dims);
    if (t !== 'float32') throw new ModelError(`${this.label}: input "${name}" has type ${t}, expected float32 or float16`, { code: 'model_io' });
    return new this.ort.Tensor('float32', data, dims);
  }

  /** Integer tensor in the dtype the input wants (int32, int64; float for odd timestep exports). */
  intTensor(name: string, data: readonly number[], dims: readonly number[]): Ort.Tensor {
    const t = this.inputs.get(name)?.type ?? 'int64';
    switch (t) {
      case 'int64':
        return new this.ort.Tensor(
          'int64',
          BigInt64Array.from(data, (x) => BigInt(x)),
          dims,
        );
      case 'int32':
        return new this.ort.Tensor('int32', Int32Array.from(data), dims);
      case 'float32':
        return new this.ort.Tensor('float32', Float32Array.from(data), dims);
      case 'float16':
        return new this.ort.Tensor('float16', toHalfArray(Float32Array.from(data)), dims);
      default:
        throw new ModelError(`${this.label}: input "${name}" has unsupported type ${t}`, { code: 'model_io' });
    }
  }

  async run(feeds: Record<string, Ort.Tensor>): Promise<Record<string, Ort.Tensor>> {
    const t0 = performance.now();
    const out = (await this.session.run(feeds)) as Record<string, Ort.Tensor>;
    this.ortMs += performance.now() - t0;
    this.runs++;
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Float32 view of an output tensor (converting float16). */
export function floatData(t: Ort.Tensor): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16') {
    // Node 20 has no Float16Array, so ORT hands out the raw bits; where the runtime has one, ORT returns it instead
    const d = t.data as Uint16Array | ArrayLike<number>;
    return d instanceof Uint16Array ? fromHalfArray(d) : Float32Array.from(d);
  }
  throw new ModelError(`output has type ${t.type}, expected float32 or float16`, { code: 'model_io' });
}

function metaOf(list: readonly Ort.InferenceSession.ValueMetadata[]): Map<string, IoMeta> {
  const m = new Map<string, IoMeta>();
  for (const v of list) {
    if (v.isTensor) m.set(v.name, { name: v.name, type: v.type, shape: [...v.shape] });
    else m.set(v.name, { name: v.name, type: 'non-tensor', shape: [] });
  }
  return m;
}

export function providerOptions(device: DeviceSpec): Ort.InferenceSession.ExecutionProviderConfig[] {
  switch (device.kind) {
    case 'cuda':
      return [{ name: 'cuda', deviceId: device.id } as Ort.InferenceSession.ExecutionProviderConfig];
    case 'webgpu':
      // ops WebGPU lacks run on the CPU provider, which ORT appends by itself
      return ['webgpu'];
    default:
      return ['cpu'];
  }
}

/** What makes a provider that failed to start work, for the user. */
export function providerHint(kind: Exclude<ProviderName, 'cpu'>): string {
  return kind === 'cuda'
    ? 'install the CUDA provider (ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install; needs CUDA 12 + cuDNN 9), check the device id (lunc-ml gpu doctor), or pass --allow-cpu'
    : "WebGPU runs through Vulkan: install the Vulkan loader (libvulkan1) and the GPU vendor's Vulkan driver (NVIDIA's, libGLX_nvidia.so.0, also needs GLVND: libglvnd0 libglx0 libegl1), check with `lunc-ml gpu doctor --devices webgpu`, or pass --allow-cpu";
}

/**
 * ORT's exception text without its source location: "/onnxruntime_src/…/webgpu_context.cc:87 onnxruntime::…<lambda…>
 * status == … was false. Failed to get a WebGPU adapter: No supported adapters" → "Failed to get a WebGPU adapter: No
 * supported adapters"; the first line only.
 */
export function ortReason(message: string): string {
  let line = message.split('\n').find((l) => l.trim() !== '') ?? message;
  const enforce = line.match(/ was false\. (.+)$/);
  if (enforce) line = enforce[1]!;
  line = line.replace(/^.*\[ONNXRuntimeError\] : \d+ : [A-Z_]+ : /, '');
  return line.trim();
}

/** Where onnxruntime-node's native libraries are; provider libraries are loaded from beside them. */
export function ortBinaryDir(): string {
  const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  return join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * The CUDA provider's libraries that are not beside onnxruntime-node's own. ORT's exception then says only "Failed to
 * load shared library"; the file it could not open was in the log line that ORT_LOG_SEVERITY keeps quiet.
 */
export function missingCudaProviderFiles(dir = ortBinaryDir()): string[] {
  if (process.platform !== 'linux') return [];
  return ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'].filter((f) => !existsSync(join(dir, f)));
}

/** Creates a session for a model file (or bytes). GPU provider failures fall back to CPU only when allowCpu is set. */
export async function createModel(model: string | Uint8Array, opts: SessionOptions): Promise<OrtModel> {
  const ort = await loadOrt();
  const logger = opts.logger ?? nullLogger;
  const path = typeof model === 'string' ? model : '<memory>/model.onnx';
  const base: Ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', logSeverityLevel: ORT_LOG_SEVERITY };
  if (opts.threads && opts.threads > 0) {
    base.intraOpNumThreads = opts.threads;
    base.interOpNumThreads = 1;
    // several workers share the cores: idle ORT threads must sleep, not spin
    base.extra = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };
  }
  const create = (o: Ort.InferenceSession.SessionOptions) => (typeof model === 'string' ? ort.InferenceSession.create(model, o) : ort.InferenceSession.create(model, o));
  let session: Ort.InferenceSession;
  let provider: ProviderName = 'cpu';
  let fallbackReason: string | undefined;
  if (opts.device.kind !== 'cpu') {
    const gpu = opts.device.kind;
    const name = gpu === 'cuda' ? 'CUDA' : 'WebGPU';
    try {
      session = await create({ ...base, executionProviders: providerOptions(opts.device) });
      provider = gpu;
    } catch (e) {
      let why = ortReason(e instanceof Error ? e.message : String(e));
      if (gpu === 'cuda') {
        const missing = missingCudaProviderFiles();
        if (missing.length) why += ` (${missing.join(', ')} not in ${ortBinaryDir()})`;
      }
      if (!opts.allowCpu) {
        throw new ModelError(`cannot create a ${name} session on ${deviceLabel(opts.device)} for ${path}: ${why}`, {
          code: 'provider_unavailable',
          hint: providerHint(gpu),
          data: { device: deviceLabel(opts.device), path },
          cause: e,
        });
      }
      logger.warn(`${name} provider unavailable, running on CPU`, { device: deviceLabel(opts.device), reason: why });
      fallbackReason = why;
      session = await createCpu();
    }
  } else {
    session = await createCpu();
  }
  return new OrtModel(ort, session, path, provider, metaOf(session.inputMetadata), metaOf(session.outputMetadata), fallbackReason);

  async function createCpu(): Promise<Ort.InferenceSession> {
    try {
      return await create({ ...base, executionProviders: ['cpu'] });
    } catch (e) {
      throw new ModelError(`cannot load ${path}: ${ortReason(e instanceof Error ? e.message : String(e))}`, {
        code: 'model_load_failed',
        hint: 'the file is not a valid ONNX model for this onnxruntime (damaged download, Git LFS pointer, or a newer opset): export or generate it again',
        data: { path },
        cause: e,
      });
    }
  }
}
