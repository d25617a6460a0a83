import { describe, expect, it } from 'vitest';
import { buildGenerateImage } from '../../src/ica/messages.js';
import { sealPrompt } from '../../src/core/sealed-prompt.js';
import { generateKeypair } from '../../src/core/sealing.js';
import { truncateUtf8 } from '../../src/gpu/serve/service.js';
import { mapChainError } from '../../src/core/chain-client.js';

const ica = 'mlc19rc780mqg264mv46mkf6n6yzgmx386x2awkxqrrsl8cgf8dcq8xqyd72v8';
const base = {
  creator: ica,
  prompt: '',
  negativePrompt: '',
  model: 'sd-2.1',
  width: 512,
  height: 512,
  steps: 20,
  guidanceScale: '7.5',
  scheduler: 'euler',
  seed: 1n,
  numImages: 1,
  maxFee: { denom: 'umlc', amount: '1000' },
};

describe('privacy rules before signing', () => {
  it('a sealed prompt with a clear negative prompt is refused', async () => {
    const sealed = await sealPrompt('secret', [generateKeypair().publicKey]);
    expect(() => buildGenerateImage({ ...base, sealedPrompt: sealed, negativePrompt: 'blurry' })).toThrow(/would travel in clear/);
    expect(() => buildGenerateImage({ ...base, sealedPrompt: sealed })).not.toThrow();
  });
  it('more executors than an envelope can name is an error, not a silent drop', async () => {
    const keys = Array.from({ length: 36 }, () => generateKeypair().publicKey);
    await expect(sealPrompt('x', keys)).rejects.toThrow(/at most 35/);
  });
});

describe('limits in bytes', () => {
  it('truncateUtf8 never splits a character and respects the byte limit', () => {
    const s = 'é'.repeat(400);
    const t = truncateUtf8(s, 500);
    expect(Buffer.byteLength(t)).toBeLessThanOrEqual(500);
    expect(t.endsWith('...')).toBe(true);
    expect(truncateUtf8('short', 500)).toBe('short');
  });
});

describe('a broadcast whose inclusion was not seen', () => {
  it('becomes tx_unconfirmed with the hash, so nobody resends blindly', () => {
    const e = Object.assign(new Error('Transaction with ID ABC was submitted but was not yet found on the chain. You might want to check later.'), { name: 'TimeoutError', txId: 'ABC' });
    const m = mapChainError(e, { chainId: 'columbus-5', rpc: 'http://x' }) as any;
    expect(m.code).toBe('tx_unconfirmed');
    expect(m.hint).toMatch(/query tx ABC/);
  });
});
