import { describe, expect, it } from 'vitest';
import { gpuDoctor } from '../../src/gpu/local-run.js';
import { nullLogger } from '../../src/core/logger.js';
import { MODELS } from './helpers.js';

// `lunc-ml gpu doctor --devices cpu`: every model folder in fixtures/models (the float16 one included) is listed
// and passes its self-test.
describe('gpu doctor on the tiny models', () => {
  it('finds and self-tests every model, tiny-sd-fp16 included', async () => {
    const r = await gpuDoctor({ modelsDir: MODELS, devices: 'cpu', allowCpu: false }, nullLogger);
    expect(r.models.map((m) => `${m.name}:${m.kind}`)).toEqual([
      'tiny-audio:audio',
      'tiny-chat:chat',
      'tiny-chat-llama3:chat',
      'tiny-sd:image',
      'tiny-sd-fp16:image',
      'tiny-sd-legacy:image',
      'tiny-sd-optimum:image',
    ]);
    for (const m of r.models) expect(m, m.name).toMatchObject({ ok: true, device: 'cpu' });
    expect(r.ok).toBe(true);
  });
});
