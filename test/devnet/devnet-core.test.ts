// Unit tests of the devnet core pieces that need no chain: node start flags, accounts fixture, ports, profile shape.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { stringToPath } from '@cosmjs/crypto';
import { readAccounts, defaultPorts, testPorts, chainSpecs, startArgs, startFailure, ACCOUNT_NAMES, DevnetError, status } from '../../src/devnet/index.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('devnet node start flags', () => {
  const chain = {
    chainId: 'lunc-1',
    rpc: 'http://127.0.0.1:36657',
    grpc: '127.0.0.1:9490',
    p2p: 'tcp://127.0.0.1:36656',
    prefix: 'terra',
    denom: 'uluna',
    coinType: 330,
    gasPrice: '28.325uluna',
    home: '/h/lunc',
    logFile: '/h/lunc.log',
    validatorOperator: 'terravaloper1x',
  };

  it('demands the profile gas price and listens only where the profile says', () => {
    const args = startArgs(chain);
    expect(args.slice(0, 3)).toEqual(['start', '--home', '/h/lunc']);
    expect(args).toContain('--minimum-gas-prices=28.325uluna');
    expect(args).toContain('--rpc.laddr=tcp://127.0.0.1:36657');
    expect(args).toContain('--proxy_app=tcp://127.0.0.1:36658');
    expect(args).toContain('--p2p.laddr=tcp://127.0.0.1:36656');
    expect(args).toContain('--grpc.address=127.0.0.1:9490');
    expect(args).toContain('--api.enable=false');
    expect(args.some((a) => a.startsWith('--api.address'))).toBe(false);
  });

  it('opens the REST API only when the profile has one', () => {
    expect(startArgs({ ...chain, api: 'http://127.0.0.1:1517' })).toEqual(expect.arrayContaining(['--api.enable=true', '--api.address=tcp://127.0.0.1:1517']));
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
    expect(s.lunc).toMatchObject({ chainId: 'lunc-1', prefix: 'terra', denom: 'uluna', coinType: 330, gasPrice: '28.325uluna' });
    expect(s.ml).toMatchObject({ chainId: 'mlchain-1', prefix: 'mlc', denom: 'umlc', coinType: 118 });
    const appState: any = { ml: { params: { job_timeout_blocks: '100' } } };
    s.ml.genesisPatch!(appState);
    expect(appState.ml.params.job_timeout_blocks).toBe('40');
  });

  it('shortens gov voting on the ML devnet so a proposal is decided in a minute, expedited voting shorter still', () => {
    const appState: any = { ml: { params: {} }, gov: { params: { voting_period: '172800s', expedited_voting_period: '86400s' } } };
    chainSpecs(defaultPorts, 40).ml.genesisPatch!(appState);
    const secs = (d: string) => Number(d.replace(/s$/, ''));
    expect(secs(appState.gov.params.voting_period)).toBeLessThanOrEqual(60);
    expect(secs(appState.gov.params.expedited_voting_period)).toBeLessThan(secs(appState.gov.params.voting_period));
  });

  it("keeps the SDK's downtime rule unless one is asked for, and then jails after half the window missed", () => {
    const sdk = { signed_blocks_window: '100', min_signed_per_window: '0.500000000000000000', downtime_jail_duration: '600s', slash_fraction_downtime: '0.010000000000000000' };
    const plain: any = { ml: { params: {} }, slashing: { params: { ...sdk } } };
    chainSpecs(defaultPorts, 40).ml.genesisPatch!(plain);
    expect(plain.slashing.params).toEqual(sdk);
    const quick: any = { ml: { params: {} }, slashing: { params: { ...sdk } } };
    chainSpecs(defaultPorts, 40, undefined, { signedBlocksWindow: 20, jailSeconds: 60 }).ml.genesisPatch!(quick);
    expect(quick.slashing.params).toEqual({ ...sdk, signed_blocks_window: '20', downtime_jail_duration: '60s' });
  });

  it('reports no devnet for an empty home', async () => {
    const s = await status({ home: mkdtempSync(join(tmpdir(), 'devnet-none-')) });
    expect(s).toMatchObject({ running: false, chains: [] });
  });
});

describe('lunc-mld build', () => {
  it('links the package version into `lunc-mld version`', async () => {
    const { versionLdflags } = await import('../../src/devnet/build.js');
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(versionLdflags(repoRoot)).toContain(`-X github.com/cosmos/cosmos-sdk/version.Version=${pkg.version}`);
  });
});

describe('a node that exits while starting', () => {
  const trace = ['main.main()', '\t/work/main/chain/cmd/lunc-mld/main.go:23 +0x176'].join('\n');
  it('chain data from another build of lunc-mld is one line that says to start over with --reset', () => {
    const log = [
      '\x1b[90m3:29PM\x1b[0m \x1b[31mERR\x1b[0m Error serving server err="accept tcp: use of closed network connection"',
      "panic: error loading last version: failed to load latest version: version of store gov mismatch root store's version; expected 68 got 0; new stores should be added using StoreUpgrades",
      '',
      'goroutine 1 [running]:',
      trace,
    ].join('\n');
    const e = startFailure('lunc-1', log, '/d/lunc.log');
    expect(e.code).toBe('devnet_start_failed');
    expect(e.message).toBe('lunc-1 cannot start on its chain data: it was written by another build of lunc-mld (store gov is new to it)');
    expect(e.hint).toMatch(/devnet up --reset/);
    expect(e.message).not.toMatch(/goroutine|main\.go/);
  });

  it('any other panic is its own line, not the stack trace under it', () => {
    const e = startFailure('mlchain-1 node 2', ['some info line', 'panic: listen tcp 127.0.0.1:26757: bind: address already in use', '', 'goroutine 1 [running]:', trace].join('\n'), '/d/ml-2.log');
    expect(e.message).toBe('mlchain-1 node 2 exited while starting: listen tcp 127.0.0.1:26757: bind: address already in use');
    expect(e.hint).toBe('see /d/ml-2.log');
  });
});
