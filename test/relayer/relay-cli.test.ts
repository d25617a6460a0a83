// `lunc-ml relay` without chains: config init, config errors that name the key, missing devnet/link hints.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, repoRoot } from '../helpers/cli.js';
import { parseConfig } from '../../src/relayer/config.js';
import { relayerMnemonicFromAccounts } from '../../src/commands/relay.js';

describe('lunc-ml relay (offline)', () => {
  it('config init writes a sample that parses, and refuses to overwrite without --force', async () => {
    const home = mkdtempSync(join(tmpdir(), 'relay-cli-'));
    const r = await cli(['--home', home, 'relay', 'config', 'init', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const path = JSON.parse(r.stdout).written;
    expect(path).toBe(join(home, 'relayer', 'config.toml'));
    expect(parseConfig(readFileSync(path, 'utf8')).chains).toHaveLength(2);
    const again = await cli(['--home', home, 'relay', 'config', 'init']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    expect((await cli(['--home', home, 'relay', 'config', 'init', '--force'])).exitCode).toBe(0);
    const stdout = await cli(['relay', 'config', 'init', '--out', '-']);
    expect(stdout.stdout).toContain('[[chains]]');
  });

  it('a bad config fails with exit code 3 and names the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-cli-'));
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, readFileSync(join(__dirname, '../../fixtures/relayer/config.toml'), 'utf8').replace('max_msg_num = 30', 'max_msg_num = "lots"'));
    const r = await cli(['--home', dir, 'relay', 'start', '--config', bad]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/chains\[0\] \(lunc-1\)\.max_msg_num must be an integer/);
    const j = await cli(['--home', dir, '-o', 'json', 'relay', 'pending', '--config', bad]);
    expect(JSON.parse(j.stderr).error).toBe('config');
  });

  it('without a config it says how to get one', async () => {
    const home = mkdtempSync(join(tmpdir(), 'relay-cli-'));
    const r = await cli(['--home', home, 'relay', 'link']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/no relayer config/);
    expect(r.stderr).toMatch(/relay config init/);
    const local = await cli(['--home', home, '--chain', 'local', 'relay', 'link'], { env: { LUNC_ML_DEVNET_HOME: join(home, 'nodevnet') } });
    expect(local.exitCode).toBe(3);
    expect(local.stderr).toMatch(/no devnet profile/);
  });

  it('an unreachable chain is exit code 5', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-cli-'));
    const cfg = join(dir, 'c.toml');
    const mn = join(dir, 'm');
    writeFileSync(mn, 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about\n');
    writeFileSync(cfg, readFileSync(join(__dirname, '../../fixtures/relayer/config.toml'), 'utf8').replace(/127\.0\.0\.1:266\d7/g, '127.0.0.1:1'));
    const r = await cli(['--home', dir, 'relay', 'pending', '--config', cfg, '--mnemonic-file', mn]);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1/);
  });

  it("reads the relayer mnemonic with the devnet's accounts reader, and names a file that lacks it", async () => {
    const fixture = join(repoRoot, 'fixtures', 'devnet', 'accounts.json');
    const want = (JSON.parse(readFileSync(fixture, 'utf8')).accounts as { name: string; mnemonic: string }[]).find((a) => a.name === 'relayer')!.mnemonic;
    expect(await relayerMnemonicFromAccounts(fixture)).toBe(want);
    const dir = mkdtempSync(join(tmpdir(), 'relay-cli-'));
    const a = join(dir, 'a.json');
    writeFileSync(a, JSON.stringify({ accounts: [] }));
    await expect(relayerMnemonicFromAccounts(a)).rejects.toThrow(/a.json has no valid "validator" mnemonic/);
  });
});
