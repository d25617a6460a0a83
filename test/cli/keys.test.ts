// keys list / show encode each key for the chain its coin type belongs to.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, repoRoot } from '../helpers/cli.js';

describe('keys list', () => {
  it("shows a coin-type-118 key with the ML chain's prefix and a 330 key with terra", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lunc-ml-keys-'));
    const profile = join(dir, 'profile.json');
    writeFileSync(
      profile,
      JSON.stringify({
        chains: {
          lunc: { chainId: 'lunc-1', rpc: 'http://127.0.0.1:1', prefix: 'terra', denom: 'uluna', coinType: 330 },
          ml: { chainId: 'mlchain-1', rpc: 'http://127.0.0.1:2', prefix: 'mlc', denom: 'umlc', coinType: 118 },
        },
      }),
    );
    const m = (JSON.parse(readFileSync(join(repoRoot, 'fixtures', 'devnet', 'accounts.json'), 'utf8')).accounts as { name: string; mnemonic: string }[])[0]!.mnemonic;
    const base = ['--home', dir, '--keyring-backend', 'test', '--chain', profile];
    expect((await cli([...base, 'keys', 'import', 'lunc', '--coin-type', '330'], { input: m + '\n' })).exitCode).toBe(0);
    expect((await cli([...base, 'keys', 'import', 'ml', '--coin-type', '118'], { input: m + '\n' })).exitCode).toBe(0);
    const r = await cli([...base, 'keys', 'list', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const byName = Object.fromEntries((JSON.parse(r.stdout) as { name: string; address: string }[]).map((k) => [k.name, k.address]));
    expect(byName.lunc).toMatch(/^terra1/);
    expect(byName.ml).toMatch(/^mlc1/);
  });
});
