import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateKeypair, open, openText, seal, SealError } from '../../src/core/sealing.js';

describe('sealed messages (HPKE: DHKEM-X25519, HKDF-SHA256, ChaCha20-Poly1305)', () => {
  it('round-trips text and bytes to the recipient key', async () => {
    const kp = generateKeypair();
    expect(await openText(await seal('a photo of a cat', kp.publicKey), kp.privateKey)).toBe('a photo of a cat');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (msg) => {
        const env = await seal(msg, kp.publicKey);
        expect(env.length).toBe(1 + 32 + msg.length + 16);
        expect(env[0]).toBe(2);
        expect(Array.from(await open(env, kp.privateKey))).toEqual(Array.from(msg));
      }),
      { numRuns: 50 },
    );
  });

  it('opens with keys held in Node Buffers (views on a shared pool), as the executor loads them', async () => {
    const kp = generateKeypair();
    const priv = Buffer.from(Buffer.from(kp.privateKey).toString('base64'), 'base64');
    const pub = Buffer.from(Buffer.from(kp.publicKey).toString('base64'), 'base64');
    expect(priv.buffer.byteLength).toBeGreaterThan(32);
    const env = Buffer.from(await seal('pooled', pub));
    expect(await openText(env, priv)).toBe('pooled');
  });

  it('uses a fresh encapsulated key each time', async () => {
    const kp = generateKeypair();
    expect(Buffer.from(await seal('x', kp.publicKey))).not.toEqual(Buffer.from(await seal('x', kp.publicKey)));
  });

  it('rejects any flipped bit in the encapsulated key, ciphertext or tag', async () => {
    const kp = generateKeypair();
    const env = await seal('secret prompt', kp.publicKey);
    for (const i of [1, 20, 33, 40, env.length - 1]) {
      const bad = Uint8Array.from(env);
      bad[i]! ^= 1;
      await expect(open(bad, kp.privateKey)).rejects.toThrow(SealError);
    }
  });

  it('rejects the wrong key, another purpose, an unknown version and a truncated envelope', async () => {
    const a = generateKeypair();
    const b = generateKeypair();
    const env = await seal('hi', a.publicKey);
    await expect(open(env, b.privateKey)).rejects.toThrow(/authentication/);
    await expect(open(env, a.privateKey, 'another purpose')).rejects.toThrow(/authentication/);
    const v3 = Uint8Array.from(env);
    v3[0] = 3;
    await expect(open(v3, a.privateKey)).rejects.toThrow(/version 3 is not supported/);
    await expect(open(env.subarray(0, 40), a.privateKey)).rejects.toThrow(/too short/);
  });

  it('refuses an envelope of the pre-HPKE format by name', async () => {
    const a = generateKeypair();
    const old = new Uint8Array(1 + 32 + 24 + 5 + 16);
    old[0] = 1;
    await expect(open(old, a.privateKey)).rejects.toThrow(/before HPKE \(version 1\)/);
  });
});
