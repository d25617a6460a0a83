import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelError } from '../../src/core/errors.js';
import { listModels, loadChatDir, loadDiffusersDir, resolveModelPath } from '../../src/gpu/model-dir.js';
import { Txt2ImgPipeline } from '../../src/gpu/pipelines/txt2img.js';
import { createModel } from '../../src/gpu/session.js';
import { MODELS, model } from './helpers.js';

function copyOf(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lunc-ml-model-'));
  cpSync(model(name), join(dir, name), { recursive: true });
  return join(dir, name);
}

describe('model folders', () => {
  it('reads the diffusers layout and the chat layout', () => {
    const sd = loadDiffusersDir(model('tiny-sd'));
    expect(sd.unet.endsWith('unet/model.onnx')).toBe(true);
    expect(sd.scheduler.className).toBe('EulerDiscreteScheduler');
    expect(sd.vaeScalingFactor).toBe(0.18215);
    const chat = loadChatDir(model('tiny-chat'));
    expect(chat.modelPath.endsWith('onnx/model.onnx')).toBe(true);
    expect(chat.eosTokenIds).toEqual([336]);
    expect(listModels(MODELS).map((m) => `${m.name}:${m.kind}`)).toEqual([
      'tiny-audio:diffusers',
      'tiny-chat:chat',
      'tiny-chat-llama3:chat',
      'tiny-sd:diffusers',
      'tiny-sd-fp16:diffusers',
      'tiny-sd-legacy:diffusers',
      'tiny-sd-optimum:diffusers',
    ]);
  });

  it('a missing component file is a ModelError naming the file and what to do', () => {
    const dir = copyOf('tiny-sd');
    try {
      rmSync(join(dir, 'unet', 'model.onnx'));
      let err: unknown;
      try {
        loadDiffusersDir(dir);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ModelError);
      const me = err as ModelError;
      expect(me.code).toBe('model_file_missing');
      expect(me.message).toContain(join(dir, 'unet', 'model.onnx'));
      expect(me.hint).toMatch(/gen_tiny_models\.py|export/);
      rmSync(join(dir, 'tokenizer', 'merges.txt'));
      writeFileSync(join(dir, 'unet', 'model.onnx'), 'x');
      expect(() => loadDiffusersDir(dir)).toThrow(/merges\.txt/);
    } finally {
      rmSync(dirname2(dir), { recursive: true, force: true });
    }
  });

  it('an unknown model name lists the models that exist', () => {
    expect(() => resolveModelPath(MODELS, 'no-such-model')).toThrow(ModelError);
    try {
      resolveModelPath(MODELS, 'no-such-model');
    } catch (e) {
      expect((e as ModelError).hint).toContain('tiny-sd');
    }
  });

  it('a model file that fails to load gives a ModelError with a hint', async () => {
    const dir = copyOf('tiny-sd');
    try {
      writeFileSync(join(dir, 'vae_decoder', 'model.onnx'), 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n');
      const err = await Txt2ImgPipeline.load(dir, { device: { kind: 'cpu' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelError);
      expect((err as ModelError).code).toBe('model_load_failed');
      expect((err as ModelError).message).toContain('vae_decoder');
      expect((err as ModelError).hint).toMatch(/export or generate it again/);
    } finally {
      rmSync(dirname2(dir), { recursive: true, force: true });
    }
  });

  it('CUDA that cannot start is a ModelError unless CPU fallback is allowed', async () => {
    const path = join(model('tiny-sd'), 'vae_decoder', 'model.onnx');
    const cuda = await createModel(path, { device: { kind: 'cuda', id: 0 } }).catch((e: unknown) => e);
    if (cuda instanceof ModelError) {
      expect(cuda.code).toBe('provider_unavailable');
      expect(cuda.hint).toMatch(/--allow-cpu/);
      const m = await createModel(path, { device: { kind: 'cuda', id: 0 }, allowCpu: true });
      expect(m.provider).toBe('cpu');
      expect(m.fallbackReason).toBeTruthy();
      await m.release();
    } else {
      // a machine with a working CUDA provider
      expect((cuda as { provider: string }).provider).toBe('cuda');
    }
  });
});

function dirname2(p: string): string {
  return join(p, '..');
}
