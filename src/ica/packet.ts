// InterchainAccountPacketData, byte for byte as ibc-go builds it (27-interchain-accounts/types):
// data = CosmosTx encoded per the channel's encoding; the IBC packet carries the proto3 JSON of the whole thing.
import { Any } from 'cosmjs-types/google/protobuf/any';
import { CosmosTx, InterchainAccountPacketData, Type } from 'cosmjs-types/ibc/applications/interchain_accounts/v1/packet';
import { UsageError } from '../core/errors.js';
import { type AnyMsg } from './msg-types.js';
import { encodeMsg, msgToSdkJson, msgFromSdkJson, decodeMsg } from './sdk-json.js';

export type PacketEncoding = 'proto3' | 'proto3json';
export const MAX_MEMO_CHARS = 32768;

export function cosmosTxBytes(msgs: AnyMsg[], encoding: PacketEncoding): Uint8Array {
  if (encoding === 'proto3') {
    const tx = CosmosTx.fromPartial({ messages: msgs.map((m) => Any.fromPartial({ typeUrl: m.typeUrl, value: encodeMsg(m) })) });
    return CosmosTx.encode(tx).finish();
  }
  return Buffer.from(JSON.stringify({ messages: msgs.map((m) => msgToSdkJson(m)) }), 'utf8');
}

export function buildPacketData(msgs: AnyMsg[], opts: { memo?: string; encoding?: PacketEncoding } = {}): InterchainAccountPacketData {
  if (msgs.length === 0) throw new UsageError('no messages to pack', { code: 'bad_msg_json' });
  const memo = opts.memo ?? '';
  if (memo.length > MAX_MEMO_CHARS) throw new UsageError(`--memo is ${memo.length} characters; ICS-27 allows ${MAX_MEMO_CHARS}`, { code: 'bad_value' });
  return InterchainAccountPacketData.fromPartial({ type: Type.TYPE_EXECUTE_TX, data: cosmosTxBytes(msgs, opts.encoding ?? 'proto3'), memo });
}

/** The JSON that `interchain-accounts host generate-packet-data` prints and that goes on the wire as packet data. */
export function packetDataJson(pd: InterchainAccountPacketData): string {
  const type = pd.type === Type.TYPE_EXECUTE_TX ? 'TYPE_EXECUTE_TX' : 'TYPE_UNSPECIFIED';
  return JSON.stringify({ type, data: Buffer.from(pd.data).toString('base64'), memo: pd.memo });
}

export function packetDataProto(pd: InterchainAccountPacketData): Uint8Array {
  return InterchainAccountPacketData.encode(pd).finish();
}

/** Reverses buildPacketData: reads packet data JSON (as relayed) back into messages. */
export function decodePacketData(json: string, encoding: PacketEncoding): { memo: string; msgs: AnyMsg[] } {
  const o = JSON.parse(json) as { type: string; data: string; memo?: string };
  if (o.type !== 'TYPE_EXECUTE_TX') throw new UsageError(`packet type ${o.type} is not TYPE_EXECUTE_TX`, { code: 'bad_packet' });
  const data = Buffer.from(o.data, 'base64');
  if (encoding === 'proto3') {
    const tx = CosmosTx.decode(data);
    return { memo: o.memo ?? '', msgs: tx.messages.map((a) => decodeMsg(a.typeUrl, a.value)) };
  }
  const tx = JSON.parse(data.toString('utf8')) as { messages: unknown[] };
  return { memo: o.memo ?? '', msgs: tx.messages.map((m, i) => msgFromSdkJson(m, `messages[${i}]`)) };
}
