// Sealed prompts: anyone can encrypt to an executor's X25519 public key; only the executor can open.
//
// envelope = version(1) | ephemeral_pub(32) | nonce(24) | ciphertext+tag(16)
//   shared = X25519(ephemeral_priv, recipient_pub)
//   key    = HKDF-SHA256(ikm = shared, salt = ephemeral_pub | recipient_pub, info = "lunc-ml/seal/v1", 32 bytes)
//   ct     = XChaCha20-Poly1305(key, nonce, plaintext, aad = version | ephemeral_pub | nonce)
// A fresh ephemeral key per message gives forward secrecy for the sender; the AAD binds the header.
import { x25519 } from '@noble/curves/ed25519.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { LuncMlError, UsageError } from './errors.js';

export const SEAL_VERSION = 1;
const INFO = new TextEncoder().encode('lunc-ml/seal/v1');
const HEADER = 1 + 32 + 24;
const TAG = 16;

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

function deriveKey(shared: Uint8Array, ephPub: Uint8Array, recipientPub: Uint8Array): Uint8Array {
  const salt = new Uint8Array(64);
  salt.set(ephPub, 0);
  salt.set(recipientPub, 32);
  return hkdf(sha256, shared, salt, INFO, 32);
}

/** Encrypts `plaintext` (bytes or UTF-8 text) to `recipientPub`. */
export function seal(plaintext: Uint8Array | string, recipientPub: Uint8Array, opts: { ephemeralPrivateKey?: Uint8Array; nonce?: Uint8Array } = {}): Uint8Array {
  checkLen(recipientPub, 32, 'recipient public key');
  const msg = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext;
  const ephPriv = opts.ephemeralPrivateKey ?? x25519.utils.randomSecretKey();
  const ephPub = x25519.getPublicKey(ephPriv);
  const nonce = opts.nonce ?? randomBytes(24);
  checkLen(nonce, 24, 'nonce');
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(ephPriv, recipientPub);
  } catch (e) {
    throw new UsageError(`recipient public key is not a usable X25519 key: ${(e as Error).message}`);
  }
  const key = deriveKey(shared, ephPub, recipientPub);
  const out = new Uint8Array(HEADER + msg.length + TAG);
  out[0] = SEAL_VERSION;
  out.set(ephPub, 1);
  out.set(nonce, 33);
  const ct = xchacha20poly1305(key, nonce, out.subarray(0, HEADER)).encrypt(msg);
  out.set(ct, HEADER);
  return out;
}

/** Decrypts an envelope with the recipient's private key; throws SealError when it is not authentic. */
export function open(envelope: Uint8Array, recipientPriv: Uint8Array): Uint8Array {
  checkLen(recipientPriv, 32, 'private key');
  if (!(envelope instanceof Uint8Array) || envelope.length < HEADER + TAG) throw new SealError(`sealed envelope too short (${envelope?.length ?? 0} bytes, need at least ${HEADER + TAG})`);
  if (envelope[0] !== SEAL_VERSION) throw new SealError(`sealed envelope version ${envelope[0]} is not supported (expected ${SEAL_VERSION})`, 'the sender uses a newer lunc-ml; upgrade');
  const ephPub = envelope.subarray(1, 33);
  const nonce = envelope.subarray(33, HEADER);
  const recipientPub = x25519.getPublicKey(recipientPriv);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(recipientPriv, ephPub);
  } catch {
    throw new SealError('sealed envelope has an invalid ephemeral key');
  }
  const key = deriveKey(shared, ephPub, recipientPub);
  try {
    return xchacha20poly1305(key, nonce, envelope.subarray(0, HEADER)).decrypt(envelope.subarray(HEADER));
  } catch {
    throw new SealError('sealed envelope failed authentication (tampered, or sealed to another key)', 'check that the prompt was encrypted to this executor\'s public key');
  }
}

export function openText(envelope: Uint8Array, recipientPriv: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(open(envelope, recipientPriv));
}
