import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, parseDuration, packetAllowed, globMatch, revisionOf, configFromDevnet, SAMPLE_CONFIG } from '../../src/relayer/config.js';
import { ConfigError } from '../../src/core/errors.js';

const chain = (id: string, extra = '') => `
[[chains]]
id = "${id}"
rpc_addr = "http://127.0.0.1:26657"
account_prefix = "terra"
gas_price = { price = 0.025, denom = "uluna" }
${extra}
`;

function err(text: string): ConfigError {
  try {
    parseConfig(text, 'test.toml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('relayer config', () => {
  it('parses the sample config and the fixture', () => {
    const c = parseConfig(SAMPLE_CONFIG);
    expect(c.chains.map((x) => x.id)).toEqual(['lunc-1', 'mlchain-1']);
    expect(c.chains[0].gasPrice).toEqual({ price: 28.325, denom: 'uluna' });
    expect(c.chains[0].trustingPeriodS).toBe(14 * 86400);
    expect(c.chains[0].coinType).toBe(330);
    expect(c.packets).toEqual({ enabled: true, clearOnStart: true, clearInterval: 100, clearLimit: 50 });
    expect(c.chains[1].packetFilter).toEqual({
      policy: 'allow',
      list: [
        ['icahost', '*'],
        ['transfer', '*'],
      ],
    });
    const f = parseConfig(readFileSync(join(__dirname, '../../fixtures/relayer/config.toml'), 'utf8'));
    expect(f.chains).toHaveLength(2);
  });

  it('applies defaults', () => {
    const c = parseConfig(chain('a-1') + chain('b-1'));
    expect(c.global.logLevel).toBe('info');
    expect(c.telemetry).toEqual({ enabled: false, host: '127.0.0.1', port: 3001 });
    expect(c.chains[0]).toMatchObject({ keyName: 'relayer', gasMultiplier: 1.3, maxMsgNum: 30, clockDriftS: 10, trustingPeriodS: 0, packetFilter: { policy: 'allow', list: [['*', '*']] } });
  });

  it('names the offending key', () => {
    expect(err(chain('a-1', 'max_msg_num = 0') + chain('b-1')).message).toMatch(/chains\[0\] \(a-1\)\.max_msg_num must be an integer between 1 and 100/);
    expect(err(chain('a-1', 'gas_multiplier = "x"') + chain('b-1')).message).toMatch(/gas_multiplier must be a number/);
    expect(err(chain('a-1', 'trusting_period = "2 fortnights"') + chain('b-1')).message).toMatch(/trusting_period: unknown duration unit "fortnights"/);
    expect(err(chain('a-1', 'typo_key = 1') + chain('b-1')).message).toMatch(/unknown key chains\[0\]\.typo_key/);
    expect(err(chain('a-1', 'packet_filter = { policy = "maybe" }') + chain('b-1')).message).toMatch(/packet_filter\.policy must be allow or deny/);
    expect(err(chain('a-1', 'packet_filter = { list = ["transfer"] }') + chain('b-1')).message).toMatch(/packet_filter\.list\[0\] must be a \[port, channel\] pair/);
    expect(err('[mode.packets]\nclear_interval = -1\n' + chain('a-1') + chain('b-1')).message).toMatch(/mode\.packets\.clear_interval/);
    expect(err('[global]\nlog_level = "loud"\n' + chain('a-1') + chain('b-1')).message).toMatch(/global\.log_level must be debug, info, warn or error/);
    expect(err('[telemetry]\nport = 70000\n' + chain('a-1') + chain('b-1')).message).toMatch(/telemetry\.port/);
    expect(err(chain('a-1')).message).toMatch(/exactly two chains/);
    expect(err(chain('a-1') + chain('a-1')).message).toMatch(/both "a-1"/);
    expect(err('[global]\nlog_level = "info"\n').message).toMatch(/no \[\[chains\]\]/);
    expect(err('[[chains]]\nid = "a-1"\ngas_price = { price = 1, denom = "uluna" }\n' + chain('b-1')).message).toMatch(/rpc_addr is required/);
    expect(err(chain('a-1').replace('http://127.0.0.1:26657', 'localhost') + chain('b-1')).message).toMatch(/rpc_addr must be a URL/);
    expect(err('this is = = not toml').message).toMatch(/test\.toml is not valid TOML/);
    expect(err(chain('a-1').replace('gas_price = { price = 0.025, denom = "uluna" }', '') + chain('b-1')).message).toMatch(/gas_price is required/);
  });

  it('parses durations', () => {
    expect(parseDuration('14days', 'k')).toBe(1209600);
    expect(parseDuration('1m30s', 'k')).toBe(90);
    expect(parseDuration('336h', 'k')).toBe(336 * 3600);
    expect(parseDuration(5, 'k')).toBe(5);
    expect(parseDuration('7', 'k')).toBe(7);
    expect(() => parseDuration('', 'k')).toThrow(ConfigError);
    expect(() => parseDuration(true, 'k')).toThrow(/k must be a duration/);
  });

  it('filters packets with Hermes-style wildcards', () => {
    expect(globMatch('ica*', 'icacontroller-terra1abc')).toBe(true);
    expect(globMatch('ica*', 'transfer')).toBe(false);
    expect(globMatch('channel-1', 'channel-10')).toBe(false);
    expect(packetAllowed({ policy: 'allow', list: [['ica*', '*']] }, 'icahost', 'channel-3')).toBe(true);
    expect(packetAllowed({ policy: 'allow', list: [['ica*', '*']] }, 'transfer', 'channel-3')).toBe(false);
    expect(packetAllowed({ policy: 'deny', list: [['transfer', 'channel-0']] }, 'transfer', 'channel-0')).toBe(false);
    expect(packetAllowed({ policy: 'deny', list: [['transfer', 'channel-0']] }, 'transfer', 'channel-1')).toBe(true);
  });

  it('derives the revision number from the chain id', () => {
    expect(revisionOf('lunc-1')).toBe(1n);
    expect(revisionOf('mlchain-12')).toBe(12n);
    expect(revisionOf('columbus-5')).toBe(5n);
    expect(revisionOf('localterra')).toBe(0n);
  });

  it('builds a config from a devnet profile', () => {
    const c = configFromDevnet(
      {
        chains: {
          lunc: { chainId: 'lunc-1', rpc: 'http://127.0.0.1:26657', prefix: 'terra', denom: 'uluna', gasPrice: '28.325uluna', coinType: 330 },
          ml: { chainId: 'mlchain-1', rpc: 'http://127.0.0.1:26667', prefix: 'mlc', denom: 'umlc' },
        },
      },
      { mnemonic: 'word '.repeat(24).trim() },
    );
    expect(c.chains[0]).toMatchObject({ id: 'lunc-1', gasPrice: { price: 28.325, denom: 'uluna' }, coinType: 330, accountPrefix: 'terra' });
    expect(c.chains[1]).toMatchObject({ id: 'mlchain-1', gasPrice: { price: 0, denom: 'umlc' }, coinType: 118 });
  });
});
