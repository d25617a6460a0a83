// Legacy interchain-accounts-demo `intertx` controller messages, for chains that still run that module
// (`--legacy-intertx`). Types are generated from chain/proto/intertx/tx.proto.
export { MsgRegisterAccount, MsgSubmitTx } from '../proto/intertx/tx.js';

export const INTERTX_REGISTER_TYPE_URL = '/intertx.MsgRegisterAccount';
export const INTERTX_SUBMIT_TYPE_URL = '/intertx.MsgSubmitTx';
