import { describe, expect, it } from 'vitest';
import { generateKeypair } from '../../src/core/sealing.js';
import { openPrompt, sealPrompt } from '../../src/core/sealed-prompt.js';

describe('multi-recipient sealed prompts', () => {
  const a = generateKeypair();
  const b = generateKeypair();
  const outsider = generateKeypair();
  it('every named executor opens it; others cannot', () => {
    const env = sealPrompt('a secret village at night', [a.publicKey, b.publicKey]);
    expect(new TextDecoder().decode(openPrompt(env, a.privateKey))).toBe('a secret village at night');
    expect(new TextDecoder().decode(openPrompt(env, b.privateKey))).toBe('a secret village at night');
    expect(() => openPrompt(env, outsider.privateKey)).toThrow(/not sealed to this executor/);
  });
  it('a flipped byte anywhere is detected', () => {
    const env = sealPrompt('hello', [a.publicKey]);
    for (const i of [0, 2, 5, 40, env.length - 30, env.length - 1]) {
      const bad = env.slice();
      bad[i] ^= 1;
      expect(() => openPrompt(bad, a.privateKey)).toThrow();
    }
  });
  it('fits the chain limit for 35 executors and a 2048-byte prompt', () => {
    const keys = Array.from({ length: 35 }, () => generateKeypair().publicKey);
    expect(sealPrompt('x'.repeat(2048), keys).length).toBeLessThanOrEqual(2048 + 4096);
  });
  it('refuses to seal to nobody', () => {
    expect(() => sealPrompt('x', [])).toThrow(/no executor/);
  });
});
