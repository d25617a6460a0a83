// What the chain refuses comes back typed, with the chain's codespace/code and a hint, and a non-zero exit.
import { describe, it, expect, beforeAll, inject } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { lastJson } from '../helpers/last-json.js';

const profilePath = inject('devnetProfile');
const profile = JSON.parse(readFileSync(profilePath, 'utf8'));
const accounts: { name: string; mnemonic: string }[] = JSON.parse(readFileSync(profile.accountsFile, 'utf8')).accounts;
const home = mkdtempSync(join(tmpdir(), 'lunc-ml-txerr-'));
const base = ['--home', home, '--keyring-backend', 'test', '--chain', profilePath, '-o', 'json'];
const msg = 'fixtures/ica/generate-image.msg.json';
// A valid phrase that no devnet account uses: its address has never received tokens.
const pauper = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

beforeAll(async () => {
  await cli([...base, 'keys', 'import', 'user', '--coin-type', '330'], { input: accounts.find((a) => a.name === 'user')!.mnemonic });
  await cli([...base, 'keys', 'import', 'pauper', '--coin-type', '330'], { input: pauper });
});

describe('chain refusals are typed', () => {
  it('an account that does not exist yet', async () => {
    const r = await cli([...base, 'tx', 'submit', msg, '--from', 'pauper', '--yes']);
    expect(r.exitCode).toBe(4);
    const e = lastJson(r.stderr);
    expect(e.error).toBe('account_not_found');
    expect(e.hint).toMatch(/send it some funds/);
  });

  it('out of gas', async () => {
    const r = await cli([...base, 'tx', 'submit', msg, '--from', 'user', '--gas', '1000', '--yes']);
    expect(r.exitCode).toBe(4);
    const e = lastJson(r.stderr);
    expect(e.error).toBe('out_of_gas');
    expect(e.codespace).toBe('sdk');
    expect(e.chainCode).toBe(11);
    expect(e.chainId).toBe('lunc-1');
  });

  it('a fee the account cannot pay', async () => {
    const r = await cli([...base, 'tx', 'submit', msg, '--from', 'user', '--gas', '300000', '--fees', '999999999999999999uluna', '--yes']);
    expect(r.exitCode).toBe(4);
    expect(lastJson(r.stderr).error).toBe('insufficient_funds');
  });

  it('a refusal at inclusion shows the chain\'s raw log, code and tx hash, never "[object Object]"', async () => {
    // A fixed gas limit skips simulation: the tx passes CheckTx and fails in DeliverTx (the connection does not exist).
    const r = await cli([...base, 'tx', 'submit', msg, '--from', 'user', '--connection-id', 'connection-99', '--gas', '300000', '--yes']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).not.toContain('[object Object]');
    const e = lastJson(r.stderr);
    expect(e.txHash).toMatch(/^[0-9A-F]{64}$/);
    expect(e.message).toContain(e.txHash);
    expect(e.log).toMatch(/connection/);
    expect(typeof e.chainCode).toBe('number');
  });

  it('a key that is not in the keyring', async () => {
    const r = await cli([...base, 'tx', 'submit', msg, '--from', 'nobody', '--yes']);
    expect(r.exitCode).toBe(3);
    expect(lastJson(r.stderr).error).toBe('key_not_found');
  });

  it('no interchain account yet on an unknown connection', async () => {
    const r = await cli([...base, 'tx', 'generate-image', '--from', 'user', '--connection-id', 'connection-99', '--prompt', 'x', '--max-fee', '1000umlc', '--yes']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/interchain account|connection/);
  });
});
