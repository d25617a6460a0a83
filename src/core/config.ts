// Config precedence lives here and only here: flag > env > file > default.
// Core code receives the resolved object; it never reads process.env itself.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.js';

type Kind = 'string' | 'number' | 'boolean';

interface KeySpec {
  kind: Kind;
  env: string;
  doc: string;
  default?: string | number | boolean;
}

/** Every configurable key, its environment variable and what it means. `lunc-ml config schema` prints this. */
export const configSchema = {
  home: { kind: 'string', env: 'LUNC_ML_HOME', doc: 'Directory for the keyring, config.json, chain profiles and state.', default: join(homedir(), '.lunc-ml') },
  chain: { kind: 'string', env: 'LUNC_ML_CHAIN', doc: 'Chain profile: columbus-5, local (the devnet, LUNC side), local-ml (the devnet ML chain), or a profile file path.', default: 'columbus-5' },
  node: { kind: 'string', env: 'LUNC_ML_NODE', doc: "CometBFT RPC endpoint; overrides the profile's." },
  output: { kind: 'string', env: 'LUNC_ML_OUTPUT', doc: 'text or json.', default: 'text' },
  logFormat: { kind: 'string', env: 'LUNC_ML_LOG_FORMAT', doc: 'text or json log lines on stderr.', default: 'text' },
  logLevel: { kind: 'string', env: 'LUNC_ML_LOG_LEVEL', doc: 'debug, info, warn or error.', default: 'info' },
  keyringBackend: { kind: 'string', env: 'LUNC_ML_KEYRING_BACKEND', doc: 'file (scrypt-encrypted, asks for a password) or test (unencrypted, devnets only).', default: 'file' },
  gasPrices: { kind: 'string', env: 'LUNC_ML_GAS_PRICES', doc: "Gas price with denom, e.g. 28.325uluna; defaults to the profile's." },
  gasAdjustment: { kind: 'number', env: 'LUNC_ML_GAS_ADJUSTMENT', doc: 'Multiplier on simulated gas.', default: 1.4 },
  models: {
    kind: 'string',
    env: 'LUNC_ML_MODELS',
    doc: "Folder of ONNX model folders that `gpu run|doctor|serve` load (default: the package's generated tiny models).",
    default: fileURLToPath(new URL('../../fixtures/models', import.meta.url)),
  },
  devnetHome: { kind: 'string', env: 'LUNC_ML_DEVNET_HOME', doc: 'Where `devnet up` keeps chain homes, logs and profile.json.' },
} satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof configSchema;
export type ResolvedConfig = {
  [K in ConfigKey]: (typeof configSchema)[K] extends { kind: 'number' } ? number : (typeof configSchema)[K] extends { kind: 'boolean' } ? boolean : string;
} & { sources: Record<ConfigKey, 'flag' | 'env' | 'file' | 'default' | 'unset'> };

function coerce(key: string, spec: KeySpec, raw: unknown, from: string): string | number | boolean {
  if (spec.kind === 'number') {
    const n = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isFinite(n)) throw new ConfigError(`${key} from ${from} must be a number, got "${String(raw)}"`);
    return n;
  }
  if (spec.kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ConfigError(`${key} from ${from} must be true or false, got "${String(raw)}"`);
  }
  return String(raw);
}

export function readConfigFile(home: string): Record<string, unknown> {
  const path = join(home, 'config.json');
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    for (const k of Object.keys(parsed)) {
      if (!(k in configSchema)) throw new ConfigError(`unknown key "${k}" in ${path}`, { hint: `known keys: ${Object.keys(configSchema).join(', ')}` });
    }
    return parsed;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`cannot read ${path}: ${(e as Error).message}`, { hint: 'fix or delete the file' });
  }
}

/**
 * Resolve every key. `flags` holds only what the user typed (undefined for untyped flags),
 * `env` is the environment, `file` is read from `<home>/config.json` unless passed.
 */
export function resolveConfig(flags: Partial<Record<ConfigKey, unknown>>, env: Record<string, string | undefined>, file?: Record<string, unknown>): ResolvedConfig {
  const out: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  const pick = (key: ConfigKey, fileObj: Record<string, unknown>) => {
    const spec: KeySpec = configSchema[key];
    if (flags[key] !== undefined) {
      out[key] = coerce(key, spec, flags[key], 'flag');
      sources[key] = 'flag';
    } else if (env[spec.env] !== undefined && env[spec.env] !== '') {
      out[key] = coerce(key, spec, env[spec.env], spec.env);
      sources[key] = 'env';
    } else if (fileObj[key] !== undefined) {
      out[key] = coerce(key, spec, fileObj[key], 'config.json');
      sources[key] = 'file';
    } else if (spec.default !== undefined) {
      out[key] = spec.default;
      sources[key] = 'default';
    } else sources[key] = 'unset';
  };
  // home decides where the file is, so it is resolved from flag/env/default alone first.
  pick('home', {});
  const fileObj = file ?? readConfigFile(out.home as string);
  for (const key of Object.keys(configSchema) as ConfigKey[]) if (key !== 'home') pick(key, fileObj);
  return { ...(out as Omit<ResolvedConfig, 'sources'>), sources } as ResolvedConfig;
}
