// Devnet core: build the chain binary, bring the two local chains up (the ML chain with one or N validators),
// report status, bring them down.
export { ensureBinary, binaryIsStale, defaultBinary, type BuildResult } from './build.js';
export {
  up,
  down,
  status,
  stopMlNode,
  startMlNode,
  validatorCount,
  nodeProfile,
  writeNodeProfile,
  readProfile,
  readAccounts,
  rpcHeight,
  profilePath,
  defaultHome,
  defaultPorts,
  testPorts,
  multiValidatorTestPorts,
  chainSpecs,
  startArgs,
  keylessAddress,
  recordTransferChannel,
  ACCOUNT_NAMES,
  GENESIS_BALANCE,
  SELF_BOND,
  DEFAULT_JOB_TIMEOUT_BLOCKS,
  DEVNET_TRANSFER_CHANNEL,
  DEVNET_MIN_LUNC_FEE,
  DEVNET_FLOW_INTERVAL,
  type UpResult,
  type DownResult,
  type LuncSinks,
  type NodeListen,
} from './devnet.js';
export { MAX_VALIDATORS, NODE_PORT_STEP, mlNodePorts, mlNodeHome, mlNodeLog, mlNodeMoniker, mlNodeKeys, extraAccountNames, devnetPortList, persistentPeers } from './layout.js';
export { DevnetError, type DevnetErrorCode } from './errors.js';
export type * from './types.js';
