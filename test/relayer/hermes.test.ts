// The Hermes config operators can run instead of ours: generated from the same relayer config, so it must parse as
// TOML and carry the devnet profile's ids, endpoints, prefixes, gas prices and trusting periods. (No Hermes binary
// here: what Hermes itself accepts is checked against its 1.13 config schema by hand, not run.)
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { chainSpecs, defaultPorts } from '../../src/devnet/index.js';
import { configFromDevnet, parseConfig } from '../../src/relayer/config.js';
import { hermesConfig } from '../../src/relayer/hermes.js';
import { cli, repoRoot } from '../helpers/cli.js';

/** The chains of profile.json as `devnet up` writes them on the default ports. */
function devnetProfile() {
  const specs = chainSpecs(defaultPorts, 40);
  const chain = (k: 'lunc' | 'ml') => {
    const s = specs[k];
    return { chainId: s.chainId, rpc: `http://127.0.0.1:${s.ports.rpc}`, grpc: `127.0.0.1:${s.ports.grpc}`, prefix: s.prefix, denom: s.denom, gasPrice: s.gasPrice, coinType: s.coinType };
  };
  return { chains: { lunc: chain('lunc'), ml: chain('ml') } };
}

const fixture = join(repoRoot, 'fixtures', 'hermes', 'config.toml');

describe('Hermes config for the two chains', () => {
  it('generated from the devnet profile, it is fixtures/hermes/config.toml byte for byte', () => {
    const text = hermesConfig(configFromDevnet(devnetProfile(), { mnemonic: 'unused' }));
    expect(text).toBe(readFileSync(fixture, 'utf8'));
    expect(text).not.toContain('unused');
  });

  it("parses as TOML and carries the profile's chains, gas prices and trusting periods, with misbehaviour off", () => {
    const doc = parse(readFileSync(fixture, 'utf8')) as any;
    expect(doc.mode.clients).toEqual({ enabled: true, refresh: true, misbehaviour: false });
    expect(doc.mode.channels.enabled).toBe(true);
    expect(doc.mode.packets.enabled).toBe(true);
    const p = devnetProfile();
    expect(doc.chains).toHaveLength(2);
    for (const [i, c] of [p.chains.lunc, p.chains.ml].entries()) {
      const h = doc.chains[i];
      const [, price, denom] = /^([\d.]+)(\w+)$/.exec(c.gasPrice)!;
      expect(h).toMatchObject({
        id: c.chainId,
        type: 'CosmosSdk',
        rpc_addr: c.rpc,
        grpc_addr: `http://${c.grpc}`,
        event_source: { mode: 'push', url: `${c.rpc.replace('http', 'ws')}/websocket` },
        account_prefix: c.prefix,
        key_name: 'relayer',
        store_prefix: 'ibc',
        gas_price: { price: Number(price), denom },
        // 2/3 of the devnet's (and columbus-5's) 21-day unbonding period.
        trusting_period: '14days',
        trust_threshold: { numerator: '1', denominator: '3' },
        packet_filter: { policy: 'allow', list: [['*', '*']] },
      });
    }
    expect(doc.chains.map((c: any) => c.account_prefix)).toEqual(['terra', 'mlc']);
    expect(doc.chains[0].gas_price).toEqual({ price: 28.325, denom: 'uluna' });
    // Terra Classic keys derive with coin type 330: the key commands in the header say so.
    expect(readFileSync(fixture, 'utf8')).toContain(`--chain lunc-1 --key-name relayer --mnemonic-file relayer.mnemonic --hd-path "m/44'/330'/0'/0/0"`);
  });

  it("keeps a config's own trusting period, filters and endpoints", () => {
    const cfg = parseConfig(readFileSync(join(repoRoot, 'fixtures', 'relayer', 'config.toml'), 'utf8'));
    cfg.chains[1].trustingPeriodS = 7 * 3600;
    const doc = parse(hermesConfig(cfg)) as any;
    expect(doc.chains[0].trusting_period).toBe('14days');
    expect(doc.chains[1].trusting_period).toBe('7h');
    expect(doc.chains[0].packet_filter).toEqual({
      policy: 'allow',
      list: [
        ['ica*', '*'],
        ['transfer', '*'],
      ],
    });
    expect(doc.chains[1].packet_filter.list).toEqual([
      ['icahost', '*'],
      ['transfer', '*'],
    ]);
    expect(doc.chains[1].event_source.url).toBe('ws://127.0.0.1:26757/websocket');
    expect(doc.chains[1].grpc_addr).toBe('http://127.0.0.1:9190');
  });

  it('`relay config hermes --config` prints the same config', async () => {
    const r = await cli(['relay', 'config', 'hermes', '--config', join(repoRoot, 'fixtures', 'relayer', 'config.toml')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((parse(r.stdout) as any).mode.clients.misbehaviour).toBe(false);
    expect(r.stdout.trimEnd()).toBe(hermesConfig(parseConfig(readFileSync(join(repoRoot, 'fixtures', 'relayer', 'config.toml'), 'utf8'))).trimEnd());
  });
});
