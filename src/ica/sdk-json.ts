// The Cosmos SDK's JSON for messages (codec.ProtoMarshalJSON: proto field names, defaults emitted,
// 64-bit integers as strings, bytes as base64, Any as {"@type": url, ...fields}). msg.json files,
// proto3json packet data and `terrad tx interchain-accounts controller send-tx` (via `lunc-ml ica packet-data`) all use it.
import { UsageError } from '../core/errors.js';
import { hostMsgTypes, type AnyMsg, type MsgCodec } from './msg-types.js';

const toSnake = (k: string) => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
const toCamel = (k: string) => k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) out[toSnake(k)] = snakeKeys(val);
    return out;
  }
  return v;
}

function codecFor(typeUrl: string, types: ReadonlyMap<string, MsgCodec>): MsgCodec {
  const codec = types.get(typeUrl);
  if (!codec) {
    throw new UsageError(`unsupported message type "${typeUrl}"`, {
      code: 'unknown_msg_type',
      hint: `the ML chain's interchain-account host accepts: ${[...types.keys()].join(', ')}`,
    });
  }
  return codec;
}

/** One message as the SDK prints it: {"@type": ..., field: ...} in field-number order. */
export function msgToSdkJson(msg: AnyMsg, types: ReadonlyMap<string, MsgCodec> = hostMsgTypes): Record<string, unknown> {
  const codec = codecFor(msg.typeUrl, types);
  const body = snakeKeys(codec.toJSON(codec.fromPartial(msg.value))) as Record<string, unknown>;
  return { '@type': msg.typeUrl, ...body };
}

type Shape = 'string' | 'number' | 'bigint' | 'bytes' | 'array' | 'object' | 'boolean';

function shapeOf(defaultValue: unknown): Shape {
  if (typeof defaultValue === 'string') return 'string';
  if (typeof defaultValue === 'number') return 'number';
  if (typeof defaultValue === 'bigint') return 'bigint';
  if (typeof defaultValue === 'boolean') return 'boolean';
  if (defaultValue instanceof Uint8Array) return 'bytes';
  if (Array.isArray(defaultValue)) return 'array';
  return 'object';
}

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

function checkField(where: string, key: string, shape: Shape, v: unknown): void {
  const bad = (want: string) => new UsageError(`${where}: field "${key}" must be ${want}, got ${JSON.stringify(v)}`, { code: 'bad_msg_json' });
  switch (shape) {
    case 'string':
      if (typeof v !== 'string') throw bad('a string');
      return;
    case 'boolean':
      if (typeof v !== 'boolean') throw bad('true or false');
      return;
    case 'number':
      if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) && !(typeof v === 'string' && /^\d+$/.test(v) && Number(v) <= 0xffffffff))
        throw bad('a non-negative 32-bit integer');
      return;
    case 'bigint':
      if (!(typeof v === 'string' && /^\d{1,20}$/.test(v) && BigInt(v) <= 0xffffffffffffffffn) && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0))
        throw bad('a non-negative 64-bit integer (as a string)');
      return;
    case 'bytes':
      if (typeof v !== 'string' || !base64.test(v) || v.length % 4 !== 0) throw bad('base64 bytes');
      return;
    case 'array':
      if (!Array.isArray(v)) throw bad('an array');
      return;
    case 'object':
      if (v !== null && (typeof v !== 'object' || Array.isArray(v))) throw bad('an object');
      return;
  }
}

/**
 * Field names as the SDK CLI and amino JSON write them (snake_case) or as protojson does (camelCase), at any depth:
 * both are accepted, as Go's protojson accepts both; the same field twice is refused.
 */
function camelKeys(v: unknown, where: string): unknown {
  if (Array.isArray(v)) return v.map((x) => camelKeys(x, where));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) {
      const c = toCamel(k);
      if (c in out) throw new UsageError(`${where}: field "${k}" is given twice (as snake_case and camelCase)`, { code: 'bad_msg_json' });
      out[c] = camelKeys(val, where);
    }
    return out;
  }
  return v;
}

/** Parses one SDK-JSON message; strict: unknown fields and wrong shapes are errors naming the field. */
export function msgFromSdkJson(obj: unknown, where = 'message', types: ReadonlyMap<string, MsgCodec> = hostMsgTypes): AnyMsg {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new UsageError(`${where}: expected a JSON object with an "@type" field`, { code: 'bad_msg_json' });
  }
  const { '@type': typeUrl, ...rest } = obj as Record<string, unknown>;
  if (typeof typeUrl !== 'string' || !typeUrl.startsWith('/')) {
    throw new UsageError(`${where}: missing or malformed "@type" (expected e.g. "/lunc.ml.v1.MsgGenerateImage")`, { code: 'bad_msg_json' });
  }
  const codec = codecFor(typeUrl, types);
  const defaults = codec.fromPartial({}) as Record<string, unknown>;
  const fields = camelKeys(rest, where) as Record<string, unknown>;
  for (const [k, v] of Object.entries(rest)) {
    const camel = toCamel(k);
    if (!(camel in defaults)) {
      const known = Object.keys(defaults).map(toSnake).join(', ');
      throw new UsageError(`${where}: unknown field "${k}" for ${typeUrl}`, { code: 'bad_msg_json', hint: `known fields: ${known}` });
    }
    if (v === null) continue;
    const d = defaults[camel];
    checkField(where, k, d === undefined ? 'object' : shapeOf(d), v);
  }
  return { typeUrl, value: codec.fromJSON(fields) };
}

/** Reads msg.json text: one message object, or an array of them (ibc-go's generate-packet-data takes both). */
export function parseMsgJson(text: string, source = 'msg.json', types: ReadonlyMap<string, MsgCodec> = hostMsgTypes): AnyMsg[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${source} is not valid JSON: ${(e as Error).message}`, {
      code: 'bad_msg_json',
      hint: 'write one message as {"@type": "/lunc.ml.v1.MsgGenerateImage", ...} or create it with `lunc-ml tx generate-image --generate-only`',
    });
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0) throw new UsageError(`${source} holds an empty list: nothing to send`, { code: 'bad_msg_json' });
  return list.map((m, i) => msgFromSdkJson(m, list.length > 1 ? `${source}[${i}]` : source, types));
}

export function encodeMsg(msg: AnyMsg, types: ReadonlyMap<string, MsgCodec> = hostMsgTypes): Uint8Array {
  const codec = codecFor(msg.typeUrl, types);
  return codec.encode(codec.fromPartial(msg.value)).finish();
}

export function decodeMsg(typeUrl: string, bytes: Uint8Array, types: ReadonlyMap<string, MsgCodec> = hostMsgTypes): AnyMsg {
  return { typeUrl, value: codecFor(typeUrl, types).decode(bytes) };
}
