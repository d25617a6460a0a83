import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateKeypair, open, openText, seal, SealError } from '../../src/core/sealing.js';

describe('sealed prompts', () => {
  it('round-trips text and bytes to the recipient key', () => {
    const kp = generateKeypair();
    expect(openText(seal('a photo of a cat', kp.publicKey), kp.privateKey)).toBe('a photo of a cat');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (msg) => {
        const env = seal(msg, kp.publicKey);
        expect(env.length).toBe(1 + 32 + 24 + msg.length + 16);
        expect(env[0]).toBe(1);
        expect(Array.from(open(env, kp.privateKey))).toEqual(Array.from(msg));
      }),
      { numRuns: 50 },
    );
  });

  it('uses a fresh ephemeral key and nonce each time', () => {
    const kp = generateKeypair();
    expect(Buffer.from(seal('x', kp.publicKey))).not.toEqual(Buffer.from(seal('x', kp.publicKey)));
  });

  it('rejects any flipped bit in header, ciphertext or tag', () => {
    const kp = generateKeypair();
    const env = seal('secret prompt', kp.publicKey);
    for (const i of [1, 20, 40, 57, env.length - 1]) {
      const bad = Uint8Array.from(env);
      bad[i]! ^= 1;
      expect(() => open(bad, kp.privateKey)).toThrow(SealError);
    }
  });

  it('rejects the wrong key, a wrong version and a truncated envelope', () => {
    const a = generateKeypair();
    const b = generateKeypair();
    const env = seal('hi', a.publicKey);
    expect(() => open(env, b.privateKey)).toThrow(/authentication/);
    const v2 = Uint8Array.from(env);
    v2[0] = 2;
    expect(() => open(v2, a.privateKey)).toThrow(/version 2/);
    expect(() => open(env.subarray(0, 60), a.privateKey)).toThrow(/too short/);
  });
});
