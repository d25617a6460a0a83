// Relayer configuration: a TOML file in Hermes' spirit, parsed with smol-toml and validated key by key.
// Every error names the offending key so that the user can fix the file without reading code.
import { parse as parseToml } from 'smol-toml';
import { ConfigError } from '../core/errors.js';

export type FilterPolicy = 'allow' | 'deny';

export interface GasPriceConfig {
  price: number;
  denom: string;
}

export interface ChainConfig {
  id: string;
  rpcAddr: string;
  grpcAddr?: string;
  accountPrefix: string;
  keyName: string;
  gasPrice: GasPriceConfig;
  gasMultiplier: number;
  maxMsgNum: number;
  maxGas: number;
  /** Seconds; 0 = two thirds of the counterparty's unbonding period. */
  trustingPeriodS: number;
  clockDriftS: number;
  packetFilter: { policy: FilterPolicy; list: Array<[string, string]> };
  /** BIP44 coin type of the relayer key (330 on Terra Classic). */
  coinType: number;
  /** Only for `--chain local` and tests: the mnemonic comes straight from the devnet fixture. */
  mnemonic?: string;
}

export interface RelayerConfig {
  global: { logLevel: 'debug' | 'info' | 'warn' | 'error' };
  packets: { enabled: boolean; clearOnStart: boolean; clearInterval: number; clearLimit: number };
  clients: { refresh: boolean };
  telemetry: { enabled: boolean; host: string; port: number };
  chains: ChainConfig[];
}

const durationUnits: Record<string, number> = { s: 1, sec: 1, secs: 1, m: 60, min: 60, mins: 60, h: 3600, hr: 3600, hrs: 3600, d: 86400, day: 86400, days: 86400 };

/** "14days", "336h", "10s", "1m30s" or a number of seconds. */
export function parseDuration(v: unknown, key: string): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new ConfigError(`${key} must be a non-negative duration, got ${v}`);
    return v;
  }
  if (typeof v !== 'string') throw new ConfigError(`${key} must be a duration like "14days" or "10s", got ${describe(v)}`);
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)\s*([a-z]+)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(s)) !== null) {
    const unit = durationUnits[m[2]];
    if (unit === undefined) throw new ConfigError(`${key}: unknown duration unit "${m[2]}" in "${v}"`, { hint: 'use s, m, h or days, e.g. "14days" or "10s"' });
    total += Number(m[1]) * unit;
    consumed = re.lastIndex;
  }
  if (consumed !== s.length || consumed === 0) throw new ConfigError(`${key} must be a duration like "14days" or "10s", got "${v}"`);
  return total;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  return `${typeof v} ${JSON.stringify(v)}`;
}

type Obj = Record<string, unknown>;

function table(v: unknown, key: string): Obj {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${key} must be a table, got ${describe(v)}`);
  return v as Obj;
}

function checkKeys(o: Obj, key: string, allowed: string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new ConfigError(`unknown key ${key ? key + '.' : ''}${k}`, { hint: `known keys${key ? ' in ' + key : ''}: ${allowed.join(', ')}` });
  }
}

function bool(o: Obj, k: string, key: string, dflt: boolean): boolean {
  const v = o[k];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ConfigError(`${key}.${k} must be true or false, got ${describe(v)}`);
  return v;
}

function int(o: Obj, k: string, key: string, dflt: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[k];
  if (v === undefined) {
    if (dflt === undefined) throw new ConfigError(`${key}.${k} is required`);
    return dflt;
  }
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${key}.${k} must be an integer between ${min} and ${max}, got ${describe(v)}`);
  return n;
}

function num(o: Obj, k: string, key: string, dflt: number | undefined, min: number): number {
  const v = o[k];
  if (v === undefined) {
    if (dflt === undefined) throw new ConfigError(`${key}.${k} is required`);
    return dflt;
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new ConfigError(`${key}.${k} must be a number ≥ ${min}, got ${describe(v)}`);
  return v;
}

function str(o: Obj, k: string, key: string, dflt?: string, re?: RegExp, what?: string): string {
  const v = o[k];
  if (v === undefined) {
    if (dflt === undefined) throw new ConfigError(`${key}.${k} is required`);
    return dflt;
  }
  if (typeof v !== 'string' || v === '') throw new ConfigError(`${key}.${k} must be a non-empty string, got ${describe(v)}`);
  if (re && !re.test(v)) throw new ConfigError(`${key}.${k} must be ${what ?? re.source}, got "${v}"`);
  return v;
}

const URL_RE = /^(https?|wss?|tcp):\/\/[^\s/]+/;
const CHAIN_ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,49}$/;
const DENOM_RE = /^[a-zA-Z][a-zA-Z0-9/:._-]{1,127}$/;

function chainConfig(raw: unknown, i: number): ChainConfig {
  const key = `chains[${i}]`;
  const o = table(raw, key);
  checkKeys(o, key, [
    'id',
    'rpc_addr',
    'grpc_addr',
    'account_prefix',
    'key_name',
    'gas_price',
    'gas_multiplier',
    'max_msg_num',
    'max_gas',
    'trusting_period',
    'clock_drift',
    'packet_filter',
    'coin_type',
    'mnemonic',
  ]);
  const id = str(o, 'id', key, undefined, CHAIN_ID_RE, 'a chain id like lunc-1');
  const k = `chains[${i}] (${id})`;
  const gp = table(o.gas_price, `${k}.gas_price`);
  if (o.gas_price === undefined) throw new ConfigError(`${k}.gas_price is required`, { hint: 'e.g. gas_price = { price = 28.325, denom = "uluna" }' });
  checkKeys(gp, `${k}.gas_price`, ['price', 'denom']);
  const pf = table(o.packet_filter, `${k}.packet_filter`);
  checkKeys(pf, `${k}.packet_filter`, ['policy', 'list']);
  const policy = str(pf, 'policy', `${k}.packet_filter`, 'allow', /^(allow|deny)$/, 'allow or deny') as FilterPolicy;
  let list: Array<[string, string]>;
  if (pf.list === undefined) list = policy === 'allow' ? [['*', '*']] : [];
  else {
    if (!Array.isArray(pf.list)) throw new ConfigError(`${k}.packet_filter.list must be an array of [port, channel] pairs`);
    list = pf.list.map((e, j) => {
      if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'string') {
        throw new ConfigError(`${k}.packet_filter.list[${j}] must be a [port, channel] pair of strings, got ${describe(e)}`, { hint: `e.g. list = [['ica*', '*'], ['transfer', 'channel-0']]` });
      }
      return [e[0], e[1]] as [string, string];
    });
  }
  // Never echo a mnemonic back in an error, whatever shape it has.
  if (o.mnemonic !== undefined && typeof o.mnemonic !== 'string') throw new ConfigError(`${k}.mnemonic must be a string (value not shown)`);
  const mnemonic = o.mnemonic === undefined ? undefined : str(o, 'mnemonic', k);
  return {
    id,
    rpcAddr: str(o, 'rpc_addr', k, undefined, URL_RE, 'a URL like http://127.0.0.1:26657'),
    grpcAddr: o.grpc_addr === undefined ? undefined : str(o, 'grpc_addr', k),
    accountPrefix: str(o, 'account_prefix', k, undefined, /^[a-z][a-z0-9]*$/, 'a lowercase bech32 prefix'),
    keyName: str(o, 'key_name', k, 'relayer'),
    gasPrice: { price: num(gp, 'price', `${k}.gas_price`, undefined, 0), denom: str(gp, 'denom', `${k}.gas_price`, undefined, DENOM_RE, 'a denom like uluna') },
    gasMultiplier: num(o, 'gas_multiplier', k, 1.3, 1),
    maxMsgNum: int(o, 'max_msg_num', k, 30, 1, 100),
    maxGas: int(o, 'max_gas', k, 4_000_000, 50_000),
    trustingPeriodS: o.trusting_period === undefined ? 0 : parseDuration(o.trusting_period, `${k}.trusting_period`),
    clockDriftS: o.clock_drift === undefined ? 10 : parseDuration(o.clock_drift, `${k}.clock_drift`),
    packetFilter: { policy, list },
    coinType: int(o, 'coin_type', k, 118, 0, 0x7fffffff),
    mnemonic,
  };
}

/** Validates an already-parsed TOML document. */
export function validateConfig(doc: unknown): RelayerConfig {
  const root = table(doc, '(top level)');
  checkKeys(root, '', ['global', 'mode', 'telemetry', 'chains']);
  const g = table(root.global, 'global');
  checkKeys(g, 'global', ['log_level']);
  const mode = table(root.mode, 'mode');
  checkKeys(mode, 'mode', ['packets', 'clients']);
  const p = table(mode.packets, 'mode.packets');
  checkKeys(p, 'mode.packets', ['enabled', 'clear_on_start', 'clear_interval', 'clear_limit']);
  const c = table(mode.clients, 'mode.clients');
  checkKeys(c, 'mode.clients', ['refresh']);
  const t = table(root.telemetry, 'telemetry');
  checkKeys(t, 'telemetry', ['enabled', 'host', 'port']);
  if (root.chains === undefined) throw new ConfigError('the config has no [[chains]]', { hint: 'add two [[chains]] tables, or run `lunc-ml relay config init`' });
  if (!Array.isArray(root.chains)) throw new ConfigError('chains must be an array of tables ([[chains]])');
  const chains = root.chains.map(chainConfig);
  if (chains.length !== 2) throw new ConfigError(`the relayer links exactly two chains; [[chains]] has ${chains.length}`);
  if (chains[0].id === chains[1].id) throw new ConfigError(`chains[0].id and chains[1].id are both "${chains[0].id}"`);
  return {
    global: { logLevel: str(g, 'log_level', 'global', 'info', /^(debug|info|warn|error)$/, 'debug, info, warn or error') as RelayerConfig['global']['logLevel'] },
    packets: {
      enabled: bool(p, 'enabled', 'mode.packets', true),
      clearOnStart: bool(p, 'clear_on_start', 'mode.packets', true),
      clearInterval: int(p, 'clear_interval', 'mode.packets', 100, 0),
      clearLimit: int(p, 'clear_limit', 'mode.packets', 50, 1),
    },
    clients: { refresh: bool(c, 'refresh', 'mode.clients', true) },
    telemetry: {
      enabled: bool(t, 'enabled', 'telemetry', false),
      host: str(t, 'host', 'telemetry', '127.0.0.1'),
      port: int(t, 'port', 'telemetry', 3001, 0, 65535),
    },
    chains,
  };
}

export function parseConfig(text: string, source = 'relayer config'): RelayerConfig {
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch (e) {
    throw new ConfigError(`${source} is not valid TOML: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
  try {
    return validateConfig(doc);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${source}: ${e.message}`, { hint: e.hint });
    throw e;
  }
}

/** Hermes-style wildcard match: `*` matches any run of characters. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
  return re.test(value);
}

export function packetAllowed(filter: ChainConfig['packetFilter'], port: string, channel: string): boolean {
  const hit = filter.list.some(([p, c]) => globMatch(p, port) && globMatch(c, channel));
  return filter.policy === 'allow' ? hit : !hit;
}

/** The revision number in a chain id like `lunc-1`; 0 when the id has no `-N` suffix. */
export function revisionOf(chainId: string): bigint {
  const m = /-(\d+)$/.exec(chainId);
  return m ? BigInt(m[1]) : 0n;
}

export interface DevnetChainProfile {
  chainId: string;
  rpc: string;
  grpc?: string;
  prefix: string;
  denom: string;
  gasPrice?: string;
  coinType?: number;
}

/** Builds a config for the local devnet from its profile.json and the relayer mnemonic. */
export function configFromDevnet(profile: { chains: { lunc: DevnetChainProfile; ml: DevnetChainProfile } }, relayer: { mnemonic: string; coinTypes?: Record<string, number> }): RelayerConfig {
  const chain = (c: DevnetChainProfile): ChainConfig => {
    const gp = /^(\d+(?:\.\d+)?)([a-zA-Z][\w/:.-]*)$/.exec(c.gasPrice ?? `0${c.denom}`);
    return {
      id: c.chainId,
      rpcAddr: c.rpc,
      grpcAddr: c.grpc,
      accountPrefix: c.prefix,
      keyName: 'relayer',
      gasPrice: gp ? { price: Number(gp[1]), denom: gp[2] } : { price: 0, denom: c.denom },
      gasMultiplier: 1.4,
      maxMsgNum: 30,
      maxGas: 10_000_000,
      trustingPeriodS: 0,
      clockDriftS: 10,
      packetFilter: { policy: 'allow', list: [['*', '*']] },
      coinType: relayer.coinTypes?.[c.chainId] ?? c.coinType ?? 118,
      mnemonic: relayer.mnemonic,
    };
  };
  return {
    global: { logLevel: 'info' },
    packets: { enabled: true, clearOnStart: true, clearInterval: 20, clearLimit: 50 },
    clients: { refresh: true },
    telemetry: { enabled: false, host: '127.0.0.1', port: 3001 },
    chains: [chain(profile.chains.lunc), chain(profile.chains.ml)],
  };
}

export const SAMPLE_CONFIG = `# lunc-ml relayer configuration (Hermes-like). \`lunc-ml relay start --config <this file>\`.

[global]
log_level = "info"            # debug | info | warn | error

[mode.packets]
enabled = true
clear_on_start = true         # relay everything pending when the relayer starts
clear_interval = 100          # blocks between full scans of pending packets (0 = never)
clear_limit = 50              # most packets cleared per channel per pass

[mode.clients]
refresh = true                # update clients before two thirds of the trusting period has passed

[telemetry]
enabled = false
host = "127.0.0.1"
port = 3001                   # Prometheus text exposition on /metrics

# The ICA controller side (Terra Classic-like).
[[chains]]
id = "lunc-1"
rpc_addr = "http://127.0.0.1:26657"
grpc_addr = "http://127.0.0.1:9090"
account_prefix = "terra"
key_name = "relayer"          # a key in the lunc-ml keyring (\`lunc-ml keys add relayer\`)
coin_type = 330
gas_price = { price = 28.325, denom = "uluna" }
gas_multiplier = 1.4
max_msg_num = 30
max_gas = 4000000
trusting_period = "14days"    # of the client of this chain hosted on the other one; 0 = 2/3 of unbonding
clock_drift = "10s"
# ICA channels, and the ICS-20 channel that carries LUNC job fees to the ML chain and its shares back.
packet_filter = { policy = "allow", list = [["ica*", "*"], ["transfer", "*"]] }

# The ML app chain (ICA host).
[[chains]]
id = "mlchain-1"
rpc_addr = "http://127.0.0.1:26757"
grpc_addr = "http://127.0.0.1:9190"
account_prefix = "mlc"
key_name = "relayer"
coin_type = 118
gas_price = { price = 0.025, denom = "umlc" }
gas_multiplier = 1.4
max_msg_num = 30
max_gas = 4000000
trusting_period = "14days"
clock_drift = "10s"
packet_filter = { policy = "allow", list = [["icahost", "*"], ["transfer", "*"]] }
`;
