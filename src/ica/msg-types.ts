// The sdk.Msg types lunc-ml can put inside an interchain-account packet, keyed by type URL.
// The lunc.ml.v1 codecs are generated from chain/proto (npm run proto:gen).
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';
import { MsgAcceptExecutor, MsgChat, MsgGenerateAudio, MsgGenerateImage, MsgRegisterExecutor, MsgRetireExecutor, MsgSubmitResult } from '../proto/lunc/ml/v1/tx.js';

export interface MsgCodec<T = any> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromJSON(object: unknown): T;
  toJSON(message: T): unknown;
  fromPartial(object: any): T;
}

export const ML_TYPE_URLS = {
  generateImage: '/lunc.ml.v1.MsgGenerateImage',
  generateAudio: '/lunc.ml.v1.MsgGenerateAudio',
  chat: '/lunc.ml.v1.MsgChat',
  registerExecutor: '/lunc.ml.v1.MsgRegisterExecutor',
  acceptExecutor: '/lunc.ml.v1.MsgAcceptExecutor',
  retireExecutor: '/lunc.ml.v1.MsgRetireExecutor',
  submitResult: '/lunc.ml.v1.MsgSubmitResult',
} as const;

export const BANK_SEND_TYPE_URL = '/cosmos.bank.v1beta1.MsgSend';

/** Messages the ML chain's ICA host allows (its allow_messages list): the only ones worth packing. */
export const hostMsgTypes: ReadonlyMap<string, MsgCodec> = new Map<string, MsgCodec>([
  [ML_TYPE_URLS.generateImage, MsgGenerateImage],
  [ML_TYPE_URLS.generateAudio, MsgGenerateAudio],
  [ML_TYPE_URLS.chat, MsgChat],
  [ML_TYPE_URLS.registerExecutor, MsgRegisterExecutor],
  [ML_TYPE_URLS.acceptExecutor, MsgAcceptExecutor],
  [ML_TYPE_URLS.retireExecutor, MsgRetireExecutor],
  [ML_TYPE_URLS.submitResult, MsgSubmitResult],
  [BANK_SEND_TYPE_URL, MsgSend as unknown as MsgCodec],
]);

/** Field that names the signer of each message: over ICA it must be the interchain account address. */
export const signerField: Readonly<Record<string, string>> = {
  [ML_TYPE_URLS.generateImage]: 'creator',
  [ML_TYPE_URLS.generateAudio]: 'creator',
  [ML_TYPE_URLS.chat]: 'creator',
  [ML_TYPE_URLS.registerExecutor]: 'operator',
  [ML_TYPE_URLS.acceptExecutor]: 'executor',
  [ML_TYPE_URLS.retireExecutor]: 'operator',
  [ML_TYPE_URLS.submitResult]: 'executor',
  [BANK_SEND_TYPE_URL]: 'fromAddress',
};

export interface AnyMsg<T = any> {
  typeUrl: string;
  value: T;
}
