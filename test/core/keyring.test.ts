// Keys: encrypted at rest, the mnemonic never reaches stdout, stderr or the key file in clear.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';

const mnemonic = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

describe('keys', () => {
  it('imports from stdin into the file keyring without leaking the mnemonic', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lunc-ml-keys-'));
    const env = { LUNC_ML_KEYRING_PASSWORD: 'correct horse battery' };
    const r = await cli(['--home', home, 'keys', 'import', 'alice', '-o', 'json'], { input: mnemonic + '\n', env });
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    // Terra Classic coin type 330: the well-known address of this test mnemonic.
    expect(out.address).toBe('terra1amdttz2937a3dytmxmkany53pp6ma6dy4vsllv');
    for (const s of [r.stdout, r.stderr]) expect(s).not.toContain('abandon');
    const file = readFileSync(join(home, 'keyring-file', 'alice.json'), 'utf8');
    expect(file).not.toContain('abandon');
    const list = await cli(['--home', home, 'keys', 'list', '-o', 'json'], { env });
    expect(JSON.parse(list.stdout).map((k: { name: string }) => k.name)).toEqual(['alice']);
    expect(readdirSync(join(home, 'keyring-file'))).toEqual(['alice.json']);
  });

  it('refuses an invalid mnemonic without echoing it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lunc-ml-keys-'));
    const r = await cli(['--home', home, '--keyring-backend', 'test', 'keys', 'import', 'bob'], { input: 'abandon zebra secretword\n' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/not a valid BIP39/);
    expect(r.stderr).not.toContain('secretword');
  });

  it('a missing key is a clear error', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lunc-ml-keys-'));
    const r = await cli(['--home', home, 'keys', 'show', 'nobody']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/no key named "nobody"/);
    expect(r.stderr).toMatch(/keys add/);
  });

  it('a wrong password is refused', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lunc-ml-keys-'));
    await cli(['--home', home, 'keys', 'import', 'carol'], { input: mnemonic, env: { LUNC_ML_KEYRING_PASSWORD: 'right password' } });
    const { Keyring } = await import('../../src/core/keyring.js');
    const kr = new Keyring({ home, backend: 'file' });
    await expect(kr.mnemonic('carol', 'wrong password')).rejects.toThrow(/wrong password/);
    expect(await kr.mnemonic('carol', 'right password')).toBe(mnemonic);
  });

  it('opens a key file sealed with scrypt and XChaCha20-Poly1305 computed by @noble (the format as written before)', async () => {
    const { scrypt } = await import('@noble/hashes/scrypt.js');
    const { xchacha20poly1305 } = await import('@noble/ciphers/chacha.js');
    const { Keyring } = await import('../../src/core/keyring.js');
    const home = mkdtempSync(join(tmpdir(), 'lunc-ml-keys-'));
    const salt = new Uint8Array(16).fill(3);
    const nonce = new Uint8Array(24).fill(5);
    const key = scrypt(new TextEncoder().encode('old password'), salt, { N: 1 << 15, r: 8, p: 1, dkLen: 32 });
    const ciphertext = xchacha20poly1305(key, nonce, new TextEncoder().encode('erin')).encrypt(new TextEncoder().encode(mnemonic));
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
    mkdirSync(join(home, 'keyring-file'));
    const rec = { version: 1, backend: 'file', name: 'erin', coinType: 330, pubkey: '', addressHex: '00'.repeat(20), createdAt: new Date(0).toISOString() };
    const crypto = { kdf: 'scrypt', n: 1 << 15, r: 8, p: 1, salt: b64(salt), cipher: 'xchacha20-poly1305', nonce: b64(nonce), ciphertext: b64(ciphertext) };
    writeFileSync(join(home, 'keyring-file', 'erin.json'), JSON.stringify({ ...rec, crypto }));
    expect(await new Keyring({ home, backend: 'file' }).mnemonic('erin', 'old password')).toBe(mnemonic);
  });
});

describe('a chain that is down', () => {
  it('tx submit names the endpoint and exits 5', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lunc-ml-keys-'));
    await cli(['--home', home, '--keyring-backend', 'test', 'keys', 'import', 'dave'], { input: mnemonic });
    const r = await cli(['--home', home, '--keyring-backend', 'test', '--node', 'http://127.0.0.1:1', 'tx', 'submit', 'fixtures/ica/generate-image.msg.json', '--from', 'dave', '--yes']);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(/cannot reach http:\/\/127.0.0.1:1/);
  });
});
