// Devnet core: build the chain binary, bring the two local chains up, report status, bring them down.
export { ensureBinary, binaryIsStale, defaultBinary, type BuildResult } from './build.js';
export {
  up,
  down,
  status,
  readProfile,
  readAccounts,
  rpcHeight,
  profilePath,
  defaultHome,
  defaultPorts,
  testPorts,
  chainSpecs,
  startArgs,
  keylessAddress,
  recordTransferChannel,
  ACCOUNT_NAMES,
  GENESIS_BALANCE,
  DEFAULT_JOB_TIMEOUT_BLOCKS,
  DEVNET_TRANSFER_CHANNEL,
  DEVNET_MIN_LUNC_FEE,
  DEVNET_FLOW_INTERVAL,
  type UpResult,
  type DownResult,
  type LuncSinks,
} from './devnet.js';
export { DevnetError, type DevnetErrorCode } from './errors.js';
export type * from './types.js';
