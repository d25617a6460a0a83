// The one message registry: every type URL lunc-ml signs (controller messages, x/ml messages, bank) with its codec.
// Signing clients (CLI, relayer, executor) take it from here, so a type is never known to one and not the other.
import { Registry } from '@cosmjs/proto-signing';
import { defaultRegistryTypes } from '@cosmjs/stargate';
import { MsgRegisterInterchainAccount, MsgSendTx } from 'cosmjs-types/ibc/applications/interchain_accounts/controller/v1/tx';
import { hostMsgTypes } from './msg-types.js';
import { MsgRegisterAccount, MsgSubmitTx, INTERTX_REGISTER_TYPE_URL, INTERTX_SUBMIT_TYPE_URL } from './intertx.js';
import { MsgUpdateParams } from '../proto/lunc/ml/v1/tx.js';

export function buildRegistry(): Registry {
  const reg = new Registry(defaultRegistryTypes);
  for (const [url, codec] of hostMsgTypes) if (!reg.lookupType(url)) reg.register(url, codec as any);
  reg.register('/lunc.ml.v1.MsgUpdateParams', MsgUpdateParams as any);
  reg.register('/ibc.applications.interchain_accounts.controller.v1.MsgRegisterInterchainAccount', MsgRegisterInterchainAccount as any);
  reg.register('/ibc.applications.interchain_accounts.controller.v1.MsgSendTx', MsgSendTx as any);
  reg.register(INTERTX_REGISTER_TYPE_URL, MsgRegisterAccount as any);
  reg.register(INTERTX_SUBMIT_TYPE_URL, MsgSubmitTx as any);
  return reg;
}
