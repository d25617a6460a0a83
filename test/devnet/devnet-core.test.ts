// Unit tests of the devnet core pieces that need no chain: TOML edits, accounts fixture, ports, profile shape.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { stringToPath } from '@cosmjs/crypto';
import { setTomlKey, setTomlKeys } from '../../src/devnet/toml.js';
import { readAccounts, defaultPorts, testPorts, chainSpecs, ACCOUNT_NAMES, DevnetError, status } from '../../src/devnet/index.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('setTomlKey', () => {
  const toml = ['proxy_app = "tcp://127.0.0.1:26658"', '', '[rpc]', '# comment', 'laddr = "tcp://127.0.0.1:26657"', 'pprof_laddr = "localhost:6060"', '', '[p2p]', 'laddr = "tcp://0.0.0.0:26656"', 'pex = true'].join('\n');

  it('edits the key of the right section and keeps comments', () => {
    const out = setTomlKeys(toml, [
      ['rpc', 'laddr', 'tcp://127.0.0.1:1'],
      ['p2p', 'laddr', 'tcp://127.0.0.1:2'],
      ['p2p', 'pex', false],
      ['', 'proxy_app', 'tcp://127.0.0.1:3'],
      ['rpc', 'pprof_laddr', ''],
    ]);
    expect(out).toContain('[rpc]\n# comment\nladdr = "tcp://127.0.0.1:1"');
    expect(out).toContain('[p2p]\nladdr = "tcp://127.0.0.1:2"\npex = false');
    expect(out).toContain('proxy_app = "tcp://127.0.0.1:3"');
    expect(out).toContain('pprof_laddr = ""');
  });

  it('throws on a missing key', () => {
    expect(() => setTomlKey(toml, 'rpc', 'nope', 1)).toThrow(/not found/);
  });
});

describe('devnet accounts fixture', () => {
  const file = join(repoRoot, 'fixtures', 'devnet', 'accounts.json');

  it('has a 24-word mnemonic for every devnet account, and the listed addresses derive from it', async () => {
    const accounts = readAccounts(file);
    expect(accounts.map((a) => a.name)).toEqual([...ACCOUNT_NAMES]);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    for (const a of accounts) {
      expect(a.mnemonic.split(' ')).toHaveLength(24);
      const listed = doc.accounts.find((x: any) => x.name === a.name).addresses;
      const terra = await DirectSecp256k1HdWallet.fromMnemonic(a.mnemonic, { prefix: 'terra', hdPaths: [stringToPath("m/44'/330'/0'/0/0")] });
      const mlc = await DirectSecp256k1HdWallet.fromMnemonic(a.mnemonic, { prefix: 'mlc', hdPaths: [stringToPath("m/44'/118'/0'/0/0")] });
      expect((await terra.getAccounts())[0]!.address).toBe(listed.lunc);
      expect((await mlc.getAccounts())[0]!.address).toBe(listed.ml);
    }
    expect(new Set(accounts.map((a) => a.mnemonic)).size).toBe(accounts.length);
  });

  it('refuses a file without a relayer mnemonic', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devnet-acc-'));
    const f = join(dir, 'accounts.json');
    writeFileSync(f, JSON.stringify({ accounts: [{ name: 'validator', mnemonic: 'a b c' }] }));
    expect(() => readAccounts(f)).toThrow(DevnetError);
  });
});

describe('devnet layout', () => {
  it('uses distinct ports for the two chains and for the test devnet', () => {
    const all = [defaultPorts.lunc, defaultPorts.ml, testPorts.lunc, testPorts.ml].flatMap((p) => [p.rpc, p.p2p, p.grpc, p.api, p.rpc + 1]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('describes lunc-1 as Terra-like and mlchain-1 as the ML host', () => {
    const s = chainSpecs(defaultPorts, 40);
    expect(s.lunc).toMatchObject({ chainId: 'lunc-1', prefix: 'terra', denom: 'uluna', coinType: 330 });
    expect(s.ml).toMatchObject({ chainId: 'mlchain-1', prefix: 'mlc', denom: 'umlc', coinType: 118 });
    const appState: any = { ml: { params: { job_timeout_blocks: '100' } } };
    s.ml.genesisPatch!(appState);
    expect(appState.ml.params.job_timeout_blocks).toBe('40');
  });

  it('reports no devnet for an empty home', async () => {
    const s = await status({ home: mkdtempSync(join(tmpdir(), 'devnet-none-')) });
    expect(s).toMatchObject({ running: false, chains: [] });
  });
});
