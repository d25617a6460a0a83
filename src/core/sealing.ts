// Sealed messages: anyone can encrypt to an X25519 public key; only the holder of the private key can open.
// HPKE (RFC 9180), base mode, DHKEM(X25519, HKDF-SHA256) + HKDF-SHA256 + ChaCha20-Poly1305, from @hpke/core:
//
//   envelope = version(1) = 2 | enc(32) | HPKE ciphertext (plaintext + 16-byte tag)
//
// The version byte comes first so that an envelope in an older format (version 1: lunc-ml's own X25519 + HKDF +
// XChaCha20 construction) is refused with a clear message instead of failing as "tampered".
import { CipherSuite, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { x25519 } from '@noble/curves/ed25519.js';
import { LuncMlError, UsageError } from './errors.js';

export const SEAL_VERSION = 2;
const ENC = 32;
const TAG = 16;

let suite: CipherSuite | undefined;
const hpke = () => (suite ??= new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() }));

export interface SealKeypair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export class SealError extends LuncMlError {
  constructor(message: string, hint?: string) {
    super('seal_open_failed', message, { hint });
  }
}

export function generateKeypair(): SealKeypair {
  const privateKey = x25519.utils.randomSecretKey();
  return { privateKey, publicKey: x25519.getPublicKey(privateKey) };
}

export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  checkLen(privateKey, 32, 'private key');
  return x25519.getPublicKey(privateKey);
}

function checkLen(b: Uint8Array, n: number, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== n) throw new UsageError(`${what} must be ${n} bytes, got ${b instanceof Uint8Array ? b.length : typeof b}`);
}

// A copy with its own exact-size ArrayBuffer: a Buffer's `.buffer` (even after `.slice()`) is Node's shared pool.
const buf = (b: Uint8Array): ArrayBuffer => Uint8Array.from(b).buffer;

/** Encrypts `plaintext` (bytes or UTF-8 text) to `recipientPub`; `info` binds the envelope to its purpose. */
export async function seal(plaintext: Uint8Array | string, recipientPub: Uint8Array, info = 'lunc-ml/seal/v2'): Promise<Uint8Array> {
  checkLen(recipientPub, 32, 'recipient public key');
  const msg = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext;
  let key: Awaited<ReturnType<CipherSuite['kem']['importKey']>>;
  try {
    key = await hpke().kem.importKey('raw', buf(recipientPub), true);
  } catch (e) {
    throw new UsageError(`recipient public key is not a usable X25519 key: ${(e as Error).message}`);
  }
  const { ct, enc } = await hpke().seal({ recipientPublicKey: key, info: new TextEncoder().encode(info) }, buf(msg));
  const out = new Uint8Array(1 + ENC + ct.byteLength);
  out[0] = SEAL_VERSION;
  out.set(new Uint8Array(enc), 1);
  out.set(new Uint8Array(ct), 1 + ENC);
  return out;
}

/** Decrypts an envelope with the recipient's private key; throws SealError when it is not authentic. */
export async function open(envelope: Uint8Array, recipientPriv: Uint8Array, info = 'lunc-ml/seal/v2'): Promise<Uint8Array> {
  checkLen(recipientPriv, 32, 'private key');
  if (!(envelope instanceof Uint8Array) || envelope.length < 1 + ENC + TAG) throw new SealError(`sealed envelope too short (${envelope?.length ?? 0} bytes, need at least ${1 + ENC + TAG})`);
  if (envelope[0] === 1) throw new SealError('sealed envelope is in the format of lunc-ml before HPKE (version 1), which is no longer accepted', 'the sender must upgrade lunc-ml and seal again');
  if (envelope[0] !== SEAL_VERSION) throw new SealError(`sealed envelope version ${envelope[0]} is not supported (expected ${SEAL_VERSION})`, 'the sender uses a newer lunc-ml; upgrade');
  try {
    const key = await hpke().kem.importKey('raw', buf(recipientPriv), false);
    const pt = await hpke().open({ recipientKey: key, enc: buf(envelope.subarray(1, 1 + ENC)), info: new TextEncoder().encode(info) }, buf(envelope.subarray(1 + ENC)));
    return new Uint8Array(pt);
  } catch {
    throw new SealError('sealed envelope failed authentication (tampered, or sealed to another key)', 'check that it was encrypted to this key');
  }
}

export async function openText(envelope: Uint8Array, recipientPriv: Uint8Array): Promise<string> {
  return new TextDecoder('utf-8', { fatal: false }).decode(await open(envelope, recipientPriv));
}
