// Property tests on the msg.json reader: whatever bytes arrive, it either returns a valid message or throws a
// UsageError naming the problem — never another exception, never a half-parsed message.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseMsgJson, msgToSdkJson } from '../../src/ica/sdk-json.js';
import { buildGenerateImage } from '../../src/ica/messages.js';
import { UsageError } from '../../src/core/errors.js';

const ica = 'mlc19rc780mqg264mv46mkf6n6yzgmx386x2awkxqrrsl8cgf8dcq8xqyd72v8';

const imageArb = fc.record({
  prompt: fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim().length > 0 && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(s)),
  negativePrompt: fc.string({ maxLength: 50 }),
  width: fc.integer({ min: 1, max: 128 }).map((n) => n * 8),
  height: fc.integer({ min: 1, max: 128 }).map((n) => n * 8),
  steps: fc.integer({ min: 1, max: 150 }),
  seed: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  numImages: fc.integer({ min: 1, max: 4 }),
  scheduler: fc.constantFrom('euler', 'euler_a', 'ddim', 'lcm'),
  guidanceScale: fc.constantFrom('0', '1', '7.5', '30'),
  amount: fc.bigInt({ min: 1n, max: 10n ** 30n }),
});

describe('msg.json reader', () => {
  it('round-trips every valid image job exactly', () => {
    fc.assert(
      fc.property(imageArb, (o) => {
        const msg = buildGenerateImage({ ...o, creator: ica, model: 'sd-2.1', maxFee: { denom: 'umlc', amount: o.amount.toString() } });
        const text = JSON.stringify(msgToSdkJson(msg), null, 2);
        const [back] = parseMsgJson(text);
        expect(back.typeUrl).toBe(msg.typeUrl);
        expect(msgToSdkJson(back)).toEqual(msgToSdkJson(msg));
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary JSON values are accepted as messages or refused with a UsageError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          parseMsgJson(JSON.stringify(v));
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary field values on a known type never escape as non-UsageErrors', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('creator', 'prompt', 'width', 'seed', 'max_fee', 'sealed_prompt', 'num_images', 'other'), fc.jsonValue()), (fields) => {
        try {
          parseMsgJson(JSON.stringify({ '@type': '/lunc.ml.v1.MsgGenerateImage', ...fields }));
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary text is refused with a UsageError unless it is valid', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseMsgJson(s);
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
        }
      }),
    );
  });
});
