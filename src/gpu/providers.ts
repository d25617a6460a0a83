// Which execution providers work here: the backends onnxruntime-node lists, then a real session on each
// requested device (a provider library, Vulkan driver or device that is missing only shows up then).
import { execFile, type ExecFileException } from 'node:child_process';
import { createRequire } from 'node:module';
import { nullLogger, type Logger } from '../core/logger.js';
import { createModel, deviceLabel, loadOrt, ortReason, ORT_LOG_SEVERITY, type DeviceSpec, type ProviderName } from './session.js';

// ---- a one-op ONNX model (y = -x, x: float[4]) encoded by hand, so probes need no file on disk

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const field = (no: number, wire: number) => varint((no << 3) | wire);
const vInt = (no: number, v: number) => [...field(no, 0), ...varint(v)];
const vBytes = (no: number, b: number[]) => [...field(no, 2), ...varint(b.length), ...b];
const vStr = (no: number, s: string) => vBytes(no, [...Buffer.from(s, 'utf8')]);

function valueInfo(name: string): number[] {
  const dim = vBytes(1, vInt(1, 4)); // Dimension{dim_value: 4}
  const shape = vBytes(2, dim); // TensorShapeProto{dim}
  const tensorType = vBytes(1, [...vInt(1, 1), ...shape]); // Tensor{elem_type: FLOAT, shape}
  return [...vStr(1, name), ...vBytes(2, tensorType)];
}

/** ModelProto bytes for y = Neg(x) with x, y float[4], opset 14, IR 8. */
export function probeModelBytes(): Uint8Array {
  const node = [...vStr(1, 'x'), ...vStr(2, 'y'), ...vStr(3, 'neg'), ...vStr(4, 'Neg')];
  const graph = [...vBytes(1, node), ...vStr(2, 'probe'), ...vBytes(11, valueInfo('x')), ...vBytes(12, valueInfo('y'))];
  const opset = [...vStr(1, ''), ...vInt(2, 14)];
  return Uint8Array.from([...vInt(1, 8), ...vStr(2, 'lunc-ml-probe'), ...vBytes(7, graph), ...vBytes(8, opset)]);
}

export const PROBE_INPUT = [1, -2, 3, 0.5];
export const PROBE_EXPECTED = [-1, 2, -3, -0.5];

export interface ProbeResult {
  device: string;
  ok: boolean;
  provider?: ProviderName;
  ms?: number;
  error?: string;
}

/** Creates a session on the device (no CPU fallback) and checks y = -x on a known input. */
export async function probeDevice(device: DeviceSpec, threads?: number): Promise<ProbeResult> {
  const t0 = performance.now();
  if (device.kind === 'webgpu') {
    const isolated = await probeWebGpuInChild();
    if (isolated) return { device: deviceLabel(device), ok: false, ms: performance.now() - t0, error: isolated };
  }
  try {
    const m = await createModel(probeModelBytes(), { device, allowCpu: false, threads });
    try {
      const out = await m.run({ x: m.floatTensor('x', Float32Array.from(PROBE_INPUT), [4]) });
      const y = Array.from(out.y!.data as Float32Array);
      const ok = y.length === 4 && y.every((v, i) => v === PROBE_EXPECTED[i]);
      return { device: deviceLabel(device), ok, provider: m.provider, ms: performance.now() - t0, ...(ok ? {} : { error: `probe returned ${JSON.stringify(y)}` }) };
    } finally {
      await m.release();
    }
  } catch (e) {
    return { device: deviceLabel(device), ok: false, ms: performance.now() - t0, error: (e instanceof Error ? e.message : String(e)).split('\n')[0] };
  }
}

export interface ProviderReport {
  /** listSupportedBackends(): name and whether it ships in the npm package */
  backends: { name: string; bundled: boolean }[];
  devices: ProbeResult[];
}

export async function detectProviders(devices: DeviceSpec[], logger: Logger = nullLogger): Promise<ProviderReport> {
  const ort = await loadOrt();
  const backends = (ort.listSupportedBackends?.() ?? []).map((b) => ({ name: b.name, bundled: b.bundled }));
  const results: ProbeResult[] = [];
  for (const d of devices) {
    const r = await probeDevice(d);
    logger.debug('provider probe', { ...r });
    results.push(r);
  }
  return { backends, devices: results };
}

// ---- WebGPU in a child process first

/**
 * The WebGPU provider's engine (Dawn) writes its warnings straight to stderr ("Warning: Couldn't load Vulkan. Searched
 * …libvulkan.so.1 … at operator() (…/BackendVk.cpp:358)"), whatever ORT's log level. So the first WebGPU session
 * is made in a child process whose stderr is kept: where WebGPU cannot start, the user reads why in the project's
 * report and this process never creates the session that would print those lines. Returns the reason it failed, or
 * undefined when the child ran the probe model correctly on WebGPU.
 */
export async function probeWebGpuInChild(timeoutMs = 60_000): Promise<string | undefined> {
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  // The child ends by itself: process.exit() after a WebGPU session was made crashes onnxruntime-node 1.23 (SIGSEGV in
  // its exit-time teardown); the verdict reads stdout, so a crash after the answer changes nothing.
  const script = `
const ort = require(process.argv[1]);
ort.env.logLevel = 'fatal';
const say = (o) => process.stdout.write(JSON.stringify(o));
ort.InferenceSession.create(Buffer.from(process.argv[2], 'base64'), { executionProviders: ['webgpu'], logSeverityLevel: ${ORT_LOG_SEVERITY} })
  .then((s) => s.run({ x: new ort.Tensor('float32', Float32Array.from(${JSON.stringify(PROBE_INPUT)}), [4]) }))
  .then((out) => say({ y: Array.from(out.y.data) }), (e) => say({ error: String((e && e.message) || e) }));
`;
  const child = await new Promise<{ stdout: string; stderr: string; error?: ExecFileException }>((resolve) => {
    execFile(process.execPath, ['-e', script, ortPath, Buffer.from(probeModelBytes()).toString('base64')], { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
      resolve({ stdout: String(stdout), stderr: String(stderr), ...(error ? { error } : {}) }),
    );
  });
  return webGpuChildVerdict(child.stdout, child.stderr, child.error);
}

/** The reason a WebGPU child probe failed (ORT's message, then what Dawn printed), or undefined if it passed. */
export function webGpuChildVerdict(stdout: string, stderr: string, error?: ExecFileException): string | undefined {
  let parsed: { y?: number[]; error?: string } | undefined;
  try {
    parsed = JSON.parse(stdout) as { y?: number[]; error?: string };
  } catch {
    parsed = undefined;
  }
  if (parsed?.y && parsed.y.length === 4 && parsed.y.every((v, i) => v === PROBE_EXPECTED[i])) return undefined;
  const dawn = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('at '))
    .map((l) => l.replace(/^Warning: /, ''))
    .join(' ');
  const what = parsed?.error ? ortReason(parsed.error) : parsed?.y ? `probe returned ${JSON.stringify(parsed.y)}` : `the probe process ended without a result (${childEnd(error)})`;
  return dawn ? `${what} (Dawn: ${dawn.length > 300 ? `${dawn.slice(0, 300)}…` : dawn})` : what;
}

function childEnd(error: ExecFileException | undefined): string {
  if (!error) return 'no output';
  if (error.killed) return 'killed: it outran its time limit';
  return error.signal ? `signal ${error.signal}` : `exit code ${String(error.code)}`;
}
