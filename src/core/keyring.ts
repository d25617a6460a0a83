// Keyring: one JSON file per key under <home>/keyring-<backend>/.
// "file" encrypts the mnemonic with scrypt + XChaCha20-Poly1305; "test" stores it in clear (devnets only).
// The public part (pubkey, address bytes) is stored in clear so `keys list` needs no password.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, scrypt, scryptSync } from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { KeyError, UsageError } from './errors.js';

export type KeyringBackend = 'file' | 'test';

export interface KeyRecord {
  name: string;
  /** BIP44 coin type the key derives with. */
  coinType: number;
  /** Compressed secp256k1 pubkey, base64. */
  pubkey: string;
  /** 20-byte address, hex; encode with any bech32 prefix. */
  addressHex: string;
  createdAt: string;
}

interface KeyFile extends KeyRecord {
  version: 1;
  backend: KeyringBackend;
  mnemonic?: string;
  crypto?: { kdf: 'scrypt'; n: number; r: number; p: number; salt: string; cipher: 'xchacha20-poly1305'; nonce: string; ciphertext: string };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// N=2^15 keeps unlocking under a second on a laptop while costing an attacker 32 MiB per guess.
const SCRYPT = { n: 1 << 15, r: 8, p: 1 };
// OpenSSL's scrypt (node:crypto) refuses to use more than maxmem; 128·N·r is 32 MiB at the parameters above.
const scryptOptions = (c: { n: number; r: number; p: number }) => ({ N: c.n, r: c.r, p: c.p, maxmem: 256 * c.n * c.r + (1 << 20) });

export interface KeyringOptions {
  home: string;
  backend: KeyringBackend;
}

export function parseBackend(s: string): KeyringBackend {
  if (s !== 'file' && s !== 'test') throw new UsageError(`--keyring-backend must be file or test, not "${s}"`);
  return s;
}

export class Keyring {
  readonly dir: string;
  constructor(readonly opts: KeyringOptions) {
    this.dir = join(opts.home, `keyring-${opts.backend}`);
  }

  private path(name: string): string {
    if (!NAME.test(name)) throw new UsageError(`key name "${name}" may hold letters, digits, '.', '_' and '-' only`, { code: 'bad_key_name' });
    return join(this.dir, `${name}.json`);
  }

  has(name: string): boolean {
    return existsSync(this.path(name));
  }

  list(): KeyRecord[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => this.readFile(f.slice(0, -5)))
      .map(publicPart)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  show(name: string): KeyRecord {
    return publicPart(this.readFile(name));
  }

  private readFile(name: string): KeyFile {
    const p = this.path(name);
    if (!existsSync(p)) {
      throw new KeyError(`no key named "${name}" in ${this.dir}`, {
        code: 'key_not_found',
        hint: 'create it with `lunc-ml keys add <name>` or import one with `lunc-ml keys import <name>`; check --home and --keyring-backend',
      });
    }
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as KeyFile;
    } catch {
      throw new KeyError(`key file ${p} is corrupt`, { code: 'key_corrupt' });
    }
  }

  /** Stores a key; `derive` turns the mnemonic into the public part (done by the caller, which owns CosmJS). */
  add(name: string, mnemonic: string, pub: { pubkey: Uint8Array; address: Uint8Array }, opts: { coinType: number; password?: string; overwrite?: boolean }): KeyRecord {
    const p = this.path(name);
    if (existsSync(p) && !opts.overwrite) throw new KeyError(`a key named "${name}" already exists`, { code: 'key_exists', hint: 'pick another name or delete it first' });
    const rec: KeyFile = {
      version: 1,
      backend: this.opts.backend,
      name,
      coinType: opts.coinType,
      pubkey: Buffer.from(pub.pubkey).toString('base64'),
      addressHex: Buffer.from(pub.address).toString('hex'),
      createdAt: new Date().toISOString(),
    };
    if (this.opts.backend === 'test') rec.mnemonic = mnemonic;
    else {
      if (!opts.password || opts.password.length < 8) throw new KeyError('the keyring password must be at least 8 characters', { code: 'weak_password' });
      const salt = randomBytes(16);
      const nonce = randomBytes(24);
      const key = scryptSync(opts.password, salt, 32, scryptOptions(SCRYPT));
      const ct = xchacha20poly1305(key, nonce, new TextEncoder().encode(name)).encrypt(new TextEncoder().encode(mnemonic));
      rec.crypto = { kdf: 'scrypt', ...SCRYPT, salt: b64(salt), cipher: 'xchacha20-poly1305', nonce: b64(nonce), ciphertext: b64(ct) };
    }
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${p}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(rec, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, p);
    return publicPart(rec);
  }

  /**
   * Returns the mnemonic; never log or print it. The file backend's key is derived on libuv's thread pool, so that
   * a command's queries go on while it unlocks.
   */
  async mnemonic(name: string, password?: string): Promise<string> {
    const f = this.readFile(name);
    if (f.backend === 'test' || f.mnemonic) return f.mnemonic!;
    if (!f.crypto) throw new KeyError(`key file for "${name}" has no secret`, { code: 'key_corrupt' });
    if (password === undefined)
      throw new KeyError(`key "${name}" is encrypted and no password was given`, { code: 'password_required', hint: 'run on a terminal to be asked, or set LUNC_ML_KEYRING_PASSWORD (CI)' });
    const c = f.crypto;
    const key = await new Promise<Buffer>((resolve, reject) =>
      scrypt(password, Buffer.from(c.salt, 'base64'), 32, scryptOptions(c), (e, k) => (e ? reject(new KeyError(`cannot unlock key "${name}": ${e.message}`, { code: 'key_corrupt' })) : resolve(k))),
    );
    try {
      const pt = xchacha20poly1305(key, Buffer.from(c.nonce, 'base64'), new TextEncoder().encode(name)).decrypt(Buffer.from(c.ciphertext, 'base64'));
      return new TextDecoder().decode(pt);
    } catch {
      throw new KeyError(`wrong password for key "${name}"`, { code: 'bad_password' });
    }
  }

  delete(name: string): void {
    this.readFile(name);
    rmSync(this.path(name));
  }
}

function b64(b: Uint8Array): string {
  return Buffer.from(b).toString('base64');
}

function publicPart(f: KeyFile | KeyRecord): KeyRecord {
  return { name: f.name, coinType: f.coinType, pubkey: f.pubkey, addressHex: f.addressHex, createdAt: f.createdAt };
}
