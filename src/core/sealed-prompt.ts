// Prompts sealed to every executor that could be assigned the job. The user cannot know in advance which
// executor x/ml will pick, so the prompt is encrypted once under a random content key and that key is
// sealed with HPKE (src/core/sealing.ts) to each candidate executor's X25519 key:
//
//   envelope = 'M' | version 3 | n (1..35)
//              | n × ( key_id(8) = sha256(executor_pub)[0..8] | HPKE seal(content_key, executor_pub) (81) )
//              | nonce(24) | XChaCha20-Poly1305(content_key, nonce, prompt, aad = everything before the nonce)
//
// Version 2 envelopes (content keys wrapped with lunc-ml's pre-HPKE construction) are refused by name.
//
// Outputs are sealed with plain `seal` to the single reply key the requester put in the job.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { open, seal, publicKeyOf, SealError } from './sealing.js';
import { UsageError } from './errors.js';

const MAGIC = 0x4d; // 'M'
const VERSION = 3;
const KEY_INFO = 'lunc-ml/prompt-key/v3';
const KEY_ID = 8;
const WRAPPED = 1 + 32 + 32 + 16;
export const MAX_RECIPIENTS = 35;

export function keyId(pub: Uint8Array): Uint8Array {
  return sha256(pub).subarray(0, KEY_ID);
}

export async function sealPrompt(prompt: string, recipients: Uint8Array[]): Promise<Uint8Array> {
  if (recipients.length === 0)
    throw new UsageError('no executor encryption keys to seal the prompt to', { code: 'no_executors', hint: 'no active executor serves this model; try another --model or later' });
  if (recipients.length > MAX_RECIPIENTS) {
    // Dropping some would let the chain assign the job to an executor that cannot open it.
    throw new UsageError(`${recipients.length} executors serve this model; a sealed prompt can name at most ${MAX_RECIPIENTS}`, {
      code: 'too_many_executors',
      hint: 'send this job without --encrypt, or pick a model fewer executors serve',
    });
  }
  const contentKey = randomBytes(32);
  const head = new Uint8Array(3 + recipients.length * (KEY_ID + WRAPPED));
  head[0] = MAGIC;
  head[1] = VERSION;
  head[2] = recipients.length;
  for (const [i, pub] of recipients.entries()) {
    const off = 3 + i * (KEY_ID + WRAPPED);
    head.set(keyId(pub), off);
    head.set(await seal(contentKey, pub, KEY_INFO), off + KEY_ID);
  }
  const nonce = randomBytes(24);
  const ct = xchacha20poly1305(contentKey, nonce, head).encrypt(new TextEncoder().encode(prompt));
  const out = new Uint8Array(head.length + 24 + ct.length);
  out.set(head, 0);
  out.set(nonce, head.length);
  out.set(ct, head.length + 24);
  return out;
}

export async function openPrompt(envelope: Uint8Array, privateKey: Uint8Array): Promise<Uint8Array> {
  if (envelope.length < 3 || envelope[0] !== MAGIC) throw new SealError('not a lunc-ml sealed prompt (bad magic)');
  if (envelope[1] === 2)
    throw new SealError('the prompt was sealed in the format of lunc-ml before HPKE (version 2), which is no longer accepted', 'the requester must upgrade lunc-ml and send the job again');
  if (envelope[1] !== VERSION) throw new SealError(`sealed prompt version ${envelope[1]} is not supported (expected ${VERSION})`, 'upgrade lunc-ml');
  const n = envelope[2];
  const headLen = 3 + n * (KEY_ID + WRAPPED);
  if (n === 0 || envelope.length < headLen + 24 + 16) throw new SealError('sealed prompt is truncated');
  const myId = keyId(publicKeyOf(privateKey));
  for (let i = 0; i < n; i++) {
    const off = 3 + i * (KEY_ID + WRAPPED);
    if (!envelope.subarray(off, off + KEY_ID).every((b, j) => b === myId[j])) continue;
    const contentKey = await open(envelope.subarray(off + KEY_ID, off + KEY_ID + WRAPPED), privateKey, KEY_INFO);
    try {
      return xchacha20poly1305(contentKey, envelope.subarray(headLen, headLen + 24), envelope.subarray(0, headLen)).decrypt(envelope.subarray(headLen + 24));
    } catch {
      throw new SealError('sealed prompt failed authentication (tampered)');
    }
  }
  throw new SealError("the prompt was not sealed to this executor's key", 'the requester sealed it to other executors; the job will be reported as failed');
}
