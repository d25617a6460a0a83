import { describe, expect, it } from 'vitest';
import { generateKeypair } from '../../src/core/sealing.js';
import { openPrompt, sealPrompt } from '../../src/core/sealed-prompt.js';

describe('multi-recipient sealed prompts', () => {
  const a = generateKeypair();
  const b = generateKeypair();
  const outsider = generateKeypair();
  it('every named executor opens it; others cannot', async () => {
    const env = await sealPrompt('a secret village at night', [a.publicKey, b.publicKey]);
    expect(new TextDecoder().decode(await openPrompt(env, a.privateKey))).toBe('a secret village at night');
    expect(new TextDecoder().decode(await openPrompt(env, b.privateKey))).toBe('a secret village at night');
    await expect(openPrompt(env, outsider.privateKey)).rejects.toThrow(/not sealed to this executor/);
  });
  it('a flipped byte anywhere is detected', async () => {
    const env = await sealPrompt('hello', [a.publicKey]);
    for (const i of [0, 2, 5, 40, env.length - 30, env.length - 1]) {
      const bad = env.slice();
      bad[i]! ^= 1;
      await expect(openPrompt(bad, a.privateKey)).rejects.toThrow();
    }
  });
  it('an envelope of the pre-HPKE format (version 2) is refused by name', async () => {
    const env = await sealPrompt('hello', [a.publicKey]);
    const old = env.slice();
    old[1] = 2;
    await expect(openPrompt(old, a.privateKey)).rejects.toThrow(/before HPKE \(version 2\)/);
  });
  it('fits the chain limit for 35 executors and a 2048-byte prompt', async () => {
    const keys = Array.from({ length: 35 }, () => generateKeypair().publicKey);
    expect((await sealPrompt('x'.repeat(2048), keys)).length).toBeLessThanOrEqual(2048 + 4096);
  });
  it('refuses to seal to nobody', async () => {
    await expect(sealPrompt('x', [])).rejects.toThrow(/no executor/);
  });
});
