// The executor's X25519 encryption key: prompts are sealed to its public half (published in MsgRegisterExecutor).
// Stored beside the keyring with mode 0600; the secret never leaves this file and this process.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { KeyError } from '../../core/errors.js';

export interface X25519Key {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function executorKeyPath(home: string, executorKeyName: string): string {
  return join(home, 'executor', `${executorKeyName}.x25519.json`);
}

export function loadOrCreateX25519(path: string, create: boolean): X25519Key {
  if (existsSync(path)) {
    try {
      const j = JSON.parse(readFileSync(path, 'utf8')) as { publicKey: string; secretKey: string };
      const secretKey = Buffer.from(j.secretKey, 'base64');
      const publicKey = x25519.getPublicKey(secretKey);
      if (Buffer.from(publicKey).toString('base64') !== j.publicKey) throw new Error('public key does not match');
      return { publicKey, secretKey };
    } catch {
      // The parse error could quote the file, i.e. the secret: name the file only.
      throw new KeyError(`executor encryption key ${path} is unreadable or corrupt`, { code: 'key_corrupt', hint: 'restore it from backup; a new key needs `lunc-ml gpu register` again' });
    }
  }
  if (!create) throw new KeyError(`no executor encryption key at ${path}`, { code: 'key_not_found', hint: 'run `lunc-ml gpu register` first: it creates the key and publishes its public half' });
  const secretKey = new Uint8Array(randomBytes(32));
  const publicKey = x25519.getPublicKey(secretKey);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ publicKey: Buffer.from(publicKey).toString('base64'), secretKey: Buffer.from(secretKey).toString('base64') }) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
  return { publicKey, secretKey };
}
