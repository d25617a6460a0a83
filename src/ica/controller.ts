// Controller-side ICA operations: register an interchain account, send messages through it, find its address.
// Native ibc-go messages by default; the legacy intertx module's messages with `legacy: true`.
import { MsgRegisterInterchainAccount, MsgSendTx } from 'cosmjs-types/ibc/applications/interchain_accounts/controller/v1/tx';
import { QueryInterchainAccountRequest, QueryInterchainAccountResponse } from 'cosmjs-types/ibc/applications/interchain_accounts/controller/v1/query';
import { QueryConnectionRequest, QueryConnectionResponse } from 'cosmjs-types/ibc/core/connection/v1/query';
import { Order } from 'cosmjs-types/ibc/core/channel/v1/channel';
import { Any } from '../proto/google/protobuf/any.js';
import type { EncodeObject } from '@cosmjs/proto-signing';
import { UsageError, ChainError } from '../core/errors.js';
import { MsgRegisterAccount, MsgSubmitTx, INTERTX_REGISTER_TYPE_URL, INTERTX_SUBMIT_TYPE_URL } from './intertx.js';
import { buildPacketData, type PacketEncoding } from './packet.js';
import { encodeMsg } from './sdk-json.js';
import type { AnyMsg } from './msg-types.js';

export const ICS27_VERSION = 'ics27-1';
/** Ten minutes: long enough for a relayer restart on a devnet, short enough that a stuck packet times out the same day. */
export const DEFAULT_RELATIVE_TIMEOUT_NS = 10n * 60n * 1_000_000_000n;

export function icaVersion(controllerConnectionId: string, hostConnectionId: string, encoding: PacketEncoding = 'proto3'): string {
  // Explicit metadata: an empty version makes a fee-middleware controller (Terra Classic) propose a fee-wrapped version.
  return JSON.stringify({
    version: ICS27_VERSION,
    controller_connection_id: controllerConnectionId,
    host_connection_id: hostConnectionId,
    address: '',
    encoding,
    tx_type: 'sdk_multi_msg',
  });
}

export function registerMsg(o: { owner: string; connectionId: string; version: string; ordering: Order; legacy: boolean }): EncodeObject {
  if (o.legacy) {
    return { typeUrl: INTERTX_REGISTER_TYPE_URL, value: MsgRegisterAccount.fromPartial({ owner: o.owner, connectionId: o.connectionId, version: o.version }) };
  }
  return {
    typeUrl: '/ibc.applications.interchain_accounts.controller.v1.MsgRegisterInterchainAccount',
    value: MsgRegisterInterchainAccount.fromPartial({ owner: o.owner, connectionId: o.connectionId, version: o.version, ordering: o.ordering }),
  };
}

export function sendMsg(o: { owner: string; connectionId: string; msgs: AnyMsg[]; encoding: PacketEncoding; memo?: string; relativeTimeoutNs?: bigint; legacy: boolean }): EncodeObject {
  if (o.legacy) {
    // intertx carries exactly one Any and packs it itself (proto3, fixed 1-minute timeout in that module).
    if (o.msgs.length !== 1) throw new UsageError(`--legacy-intertx sends exactly one message, got ${o.msgs.length}`, { code: 'bad_msg_json' });
    if (o.memo) throw new UsageError('--legacy-intertx cannot carry a memo', { code: 'bad_value' });
    const m = o.msgs[0];
    return {
      typeUrl: INTERTX_SUBMIT_TYPE_URL,
      value: MsgSubmitTx.fromPartial({ owner: o.owner, connectionId: o.connectionId, msg: Any.fromPartial({ typeUrl: m.typeUrl, value: Buffer.from(encodeMsg(m)) }) }),
    };
  }
  const timeout = o.relativeTimeoutNs ?? DEFAULT_RELATIVE_TIMEOUT_NS;
  if (timeout <= 0n) throw new UsageError('the packet timeout must be positive', { code: 'bad_value' });
  return {
    typeUrl: '/ibc.applications.interchain_accounts.controller.v1.MsgSendTx',
    value: MsgSendTx.fromPartial({
      owner: o.owner,
      connectionId: o.connectionId,
      packetData: buildPacketData(o.msgs, { memo: o.memo, encoding: o.encoding }),
      relativeTimeout: timeout,
    }),
  };
}

/** Minimal ABCI query surface, so this module works with any CosmJS client. */
export interface AbciQuerier {
  queryAbci(path: string, request: Uint8Array, height?: number): Promise<{ value: Uint8Array }>;
}

/** The interchain account of `owner` on `connectionId`, or undefined when none is registered (yet). */
export async function queryIcaAddress(q: AbciQuerier, owner: string, connectionId: string): Promise<string | undefined> {
  try {
    const res = await q.queryAbci(
      '/ibc.applications.interchain_accounts.controller.v1.Query/InterchainAccount',
      QueryInterchainAccountRequest.encode(QueryInterchainAccountRequest.fromPartial({ owner, connectionId })).finish(),
    );
    return QueryInterchainAccountResponse.decode(res.value).address || undefined;
  } catch (e) {
    const msg = (e as Error).message ?? '';
    if (/not found|no interchain account|does not exist|failed to retrieve/i.test(msg)) return undefined;
    throw e;
  }
}

export async function queryCounterpartyConnection(q: AbciQuerier, connectionId: string): Promise<string> {
  const res = await q.queryAbci('/ibc.core.connection.v1.Query/Connection', QueryConnectionRequest.encode({ connectionId }).finish());
  const conn = QueryConnectionResponse.decode(res.value).connection;
  const cp = conn?.counterparty?.connectionId;
  if (!cp) throw new ChainError('connection_not_open', `${connectionId} has no counterparty connection yet`, { hint: 'link the chains first: `lunc-ml relay link`' });
  return cp;
}
