// Which execution providers work here: the backends onnxruntime-node lists, then a real session on each
// requested CUDA device (a provider library that is absent or a device that is missing only shows up then).
import { nullLogger, type Logger } from '../core/logger.js';
import { createModel, deviceLabel, loadOrt, type DeviceSpec } from './session.js';

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
  provider?: 'cpu' | 'cuda';
  ms?: number;
  error?: string;
}

/** Creates a session on the device (no CPU fallback) and checks y = -x on a known input. */
export async function probeDevice(device: DeviceSpec, threads?: number): Promise<ProbeResult> {
  const t0 = performance.now();
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
