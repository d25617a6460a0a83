// onnxruntime's own C++ log lines (and those of Dawn, its WebGPU engine) stay off the user's terminal: a provider
// that cannot start is reported by the project, with ORT's reason cleaned of source locations.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDevices } from '../../src/gpu/device-pool.js';
import { webGpuChildVerdict } from '../../src/gpu/providers.js';
import { missingCudaProviderFiles, ortReason } from '../../src/gpu/session.js';
import { cli } from '../helpers/cli.js';

// what ORT and Dawn print themselves: "[E:onnxruntime:…]", "file.cc:87", Dawn's "Warning: … at operator() (…)"
const foreignLine = /\[[VIWEF]:onnxruntime|\.(cc|cpp|h):\d+|^Warning: |^\s+at operator\(\)/m;

describe('ORT log lines stay off the terminal', () => {
  it("gpu doctor on CUDA and WebGPU that cannot start prints only the project's report and message", async () => {
    const empty = mkdtempSync(join(tmpdir(), 'lunc-ml-nomodels-'));
    try {
      const r = await cli(['gpu', 'doctor', '--devices', 'cpu,0,webgpu', '--models', empty, '-o', 'json']);
      expect(r.stderr).not.toMatch(foreignLine);
      expect(r.stdout).not.toMatch(foreignLine);
      const report = JSON.parse(r.stdout) as { devices: { device: string; ok: boolean; error?: string }[] };
      expect(report.devices.map((d) => d.device)).toEqual(['cpu', 'cuda:0', 'webgpu']);
      expect(report.devices[0]).toMatchObject({ ok: true });
      // on a machine where a GPU provider starts it passes; where it cannot, the reason is ORT's, cleaned
      for (const d of report.devices.filter((x) => !x.ok)) {
        expect(d.error, d.device).toBeTruthy();
        expect(d.error!, d.device).not.toMatch(/onnxruntime_src|\.cc:\d+/);
      }
      if (report.devices.some((d) => !d.ok)) expect(r.stderr).toMatch(/gpu doctor: \d check\(s\) failed/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('ortReason', () => {
  it('keeps the message of an ORT_ENFORCE failure, not its source location', () => {
    const msg =
      '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:87 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuBufferCacheConfig&, int, bool)::<lambda()> status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters';
    expect(ortReason(msg)).toBe('Failed to get a WebGPU adapter: No supported adapters');
  });

  it('drops the [ONNXRuntimeError] code prefix and keeps the first line', () => {
    expect(ortReason('[ONNXRuntimeError] : 1 : FAIL : Load model from m.onnx failed:Protobuf parsing failed.\nmore')).toBe('Load model from m.onnx failed:Protobuf parsing failed.');
    expect(ortReason('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library')).toBe('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library');
  });
});

describe('WebGPU child probe verdict', () => {
  it('passes when the child computed y = -x', () => {
    expect(webGpuChildVerdict(JSON.stringify({ y: [-1, 2, -3, -0.5] }), '')).toBeUndefined();
  });

  it("joins ORT's reason with what Dawn printed, without Dawn's stack line", () => {
    const stderr = "Warning: Couldn't load Vulkan. Searched /x/libvulkan.so.1, libvulkan.so.1.\n    at operator() (/build/Release/_deps/dawn-src/src/dawn/native/vulkan/BackendVk.cpp:358)\n\n";
    const out = JSON.stringify({ error: '/onnxruntime_src/a.cc:87 f() s was false. Failed to get a WebGPU adapter: No supported adapters' });
    expect(webGpuChildVerdict(out, stderr)).toBe("Failed to get a WebGPU adapter: No supported adapters (Dawn: Couldn't load Vulkan. Searched /x/libvulkan.so.1, libvulkan.so.1.)");
  });

  it('says how a child that printed no result ended', () => {
    expect(webGpuChildVerdict('', '', Object.assign(new Error('Command failed'), { killed: true }))).toMatch(/outran its time limit/);
    expect(webGpuChildVerdict('', '', Object.assign(new Error('Command failed'), { code: 134 }))).toMatch(/exit code 134/);
    expect(webGpuChildVerdict(JSON.stringify({ y: [0, 0, 0, 0] }), '')).toMatch(/probe returned \[0,0,0,0\]/);
  });
});

describe('devices and provider files', () => {
  it('names the CUDA provider libraries missing from a folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lunc-ml-ortbin-'));
    try {
      expect(missingCudaProviderFiles(dir)).toEqual(process.platform === 'linux' ? ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'] : []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('webgpu is a device, once', () => {
    expect(parseDevices('cpu,webgpu,0')).toEqual([{ kind: 'cpu' }, { kind: 'webgpu' }, { kind: 'cuda', id: 0 }]);
    expect(() => parseDevices('webgpu,webgpu')).toThrow(/names webgpu twice/);
  });
});
