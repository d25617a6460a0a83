// Every flag parser in one place: strings from argv → typed values, or a UsageError (exit 2) naming the flag.
// Light on purpose (no chain or ML imports): command modules load at `lunc-ml --help`.
import { UsageError } from '../core/errors.js';

export interface Coin {
  denom: string;
  amount: string;
}

export function parseSize(s: string, flag = '--size'): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/i.exec(s.trim());
  if (!m) throw new UsageError(`${flag} "${s}" is not WIDTHxHEIGHT`, { code: 'bad_size', hint: `e.g. ${flag} 512x512` });
  return { width: Number(m[1]), height: Number(m[2]) };
}

export function parseCoin(s: string, flag = '--max-fee'): Coin {
  // "1e3uluna" would read as 1 of the denom "e3uluna": refuse exponent notation rather than guess.
  if (/^\s*\d+(\.\d+)?[eE][+-]?\d/.test(s)) throw new UsageError(`${flag} "${s}" uses exponent notation`, { code: 'bad_fee', hint: `write the whole amount, e.g. ${flag} 1000uluna` });
  const m = /^(\d+)([a-zA-Z][a-zA-Z0-9/:._-]{1,127})$/.exec(s.trim());
  if (!m) throw new UsageError(`${flag} "${s}" is not an amount with a denom`, { code: 'bad_fee', hint: `e.g. ${flag} 1000umlc` });
  return { amount: BigInt(m[1]).toString(), denom: m[2] };
}

export function parseUint(name: string, s: string, max = Number.MAX_SAFE_INTEGER, min = 0): number {
  if (!/^\d+$/.test(s.trim()) || Number(s) > max || Number(s) < min) {
    throw new UsageError(`${name} must be a whole number${max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > 0 ? ` of at least ${min}` : ''}, got "${s}"`, { code: 'bad_value' });
  }
  return Number(s);
}

export function optionalUint(name: string, s: string | undefined, max?: number, min?: number): number | undefined {
  return s === undefined ? undefined : parseUint(name, s, max, min);
}

/** A job seed: the chain's uint64, the same domain for `tx` and `gpu run`. */
export function parseSeed(s: string | undefined, flag = '--seed'): bigint | undefined {
  if (s === undefined) return undefined;
  if (!/^\d{1,20}$/.test(s) || BigInt(s) > 0xffffffffffffffffn) throw new UsageError(`${flag} must be a whole number below 2^64, got "${s}"`, { code: 'bad_value' });
  return BigInt(s);
}

export function parseDecimal(name: string, s: string, max: number): string {
  if (!/^\d+(\.\d+)?$/.test(s) || Number(s) > max) throw new UsageError(`${name} must be a decimal from 0 to ${max}, got "${s}"`, { code: 'bad_value' });
  return s;
}

/** A plain number (onnx-side knobs such as guidance for `gpu run`). */
export function parseNumber(name: string, s: string | undefined, def: number, min: number): number {
  if (s === undefined) return def;
  const n = Number(s);
  if (!/^\d+(\.\d+)?$/.test(s) || !Number.isFinite(n) || n < min) throw new UsageError(`${name} must be a number ≥ ${min}, got "${s}"`, { code: 'bad_value' });
  return n;
}

/** "90s", "10m", "1h", "500ms" → nanoseconds. */
export function parseDurationNs(s: string, flag = '--timeout'): bigint {
  const m = /^(\d+)(ms|s|m|h)$/.exec(s);
  if (!m) throw new UsageError(`${flag} "${s}" is not a duration like 90s, 10m or 1h`, { code: 'bad_value' });
  const mult: Record<string, bigint> = { ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
  const ns = BigInt(m[1]) * mult[m[2]];
  if (ns === 0n) throw new UsageError(`${flag} must be positive`, { code: 'bad_value' });
  return ns;
}

export function parseDurationMs(s: string, flag: string): number {
  return Number(parseDurationNs(s, flag) / 1_000_000n);
}

/** The packet's relative timeout. */
export function parsePacketTimeout(s: string): bigint {
  const ns = parseDurationNs(s, '--timeout');
  // cosmjs-types 0.11's BinaryWriter.uint64 garbles values in [2^31, 2^32): MsgSendTx would not decode on chain.
  if (ns >= 2n ** 31n && ns < 2n ** 32n) throw new UsageError(`--timeout ${s} falls in a range (2.15 s to 4.29 s) that cosmjs-types cannot encode`, { code: 'bad_value', hint: 'use 5s or more' });
  return ns;
}

export function parseGas(v: string): 'auto' | number {
  if (v === 'auto') return 'auto';
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`--gas must be auto or a positive whole number, got "${v}"`);
  return Number(v);
}

export function parseConnectionId(id: string): string {
  if (!/^connection-\d+$/.test(id)) throw new UsageError(`--connection-id "${id}" is not like connection-0`, { code: 'bad_value' });
  return id;
}

export function parseEncoding(s: string | undefined): 'proto3' | 'proto3json' {
  const v = s ?? 'proto3';
  if (v !== 'proto3' && v !== 'proto3json')
    throw new UsageError(`--encoding must be proto3 or proto3json, got "${v}"`, { code: 'bad_value', hint: 'it must match the encoding in the ICA channel version' });
  return v;
}

export type Ordering = 'ORDER_UNORDERED' | 'ORDER_ORDERED';

export function parseOrdering(s: string | undefined): Ordering {
  const v = s ?? 'ORDER_UNORDERED';
  if (v === 'ORDER_UNORDERED' || v === 'unordered') return 'ORDER_UNORDERED';
  if (v === 'ORDER_ORDERED' || v === 'ordered') return 'ORDER_ORDERED';
  throw new UsageError(`--ordering must be ORDER_UNORDERED or ORDER_ORDERED, got "${s}"`, { code: 'bad_value' });
}

export function parseJobId(s: string): bigint {
  if (!/^\d{1,20}$/.test(s) || BigInt(s) > 0xffffffffffffffffn) throw new UsageError(`job id must be a whole number, got "${s}"`, { code: 'bad_value' });
  return BigInt(s);
}

export function requireFrom(from: string | undefined): string {
  if (!from) throw new UsageError('--from <key> is required to sign', { code: 'missing_from', hint: 'list keys with `lunc-ml keys list`' });
  return from;
}

export function oneOf<T extends string>(flag: string, v: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`${flag} must be one of ${choices.join(', ')}, not "${v}"`, { code: 'bad_value' });
  return v as T;
}
