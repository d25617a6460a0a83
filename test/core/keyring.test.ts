// Keys: encrypted at rest, the mnemonic never reaches stdout, stderr or the key file in clear.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
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
    expect(() => kr.mnemonic('carol', 'wrong password')).toThrow(/wrong password/);
    expect(kr.mnemonic('carol', 'right password')).toBe(mnemonic);
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
