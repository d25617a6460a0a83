// The lunc-ml library: what the CLI does, for a dApp, a bot or a script. `import { submitJob } from 'lunc-ml'`.
// Every function takes plain options and a logger, never prints, never reads process.env and never exits; failures
// are typed errors (LuncMlError and subclasses) that carry a code, the chain's reason and a hint.
export { submitJob, submitJobDirect, submitMessages, registerInterchainAccount, type RegisterOptions, type SubmitJobOptions } from './jobs/send.js';
export { waitForJob, requireCompleted, type WaitForJobOptions, type WaitStage } from './jobs/wait.js';
export { getJobStory, storyOf, type JobStory, type JobStoryOptions } from './jobs/story.js';
export { fetchVerified, DOWNLOAD_DEFAULTS, type DownloadOptions } from './jobs/download.js';
export { findInterchainAccount } from './jobs/accounts.js';
export { sendTx } from './jobs/tx.js';
export { ibcDenom, luncOnHost, feeOnHost, checkFeeAgainst, queryBalances, fundInterchainAccount, waitForBalance, type Balances, type FundOptions } from './jobs/funds.js';
export { buildJobMsg, checkJobRequest, msgJsonText } from './jobs/build.js';
export { sealForJob, openJobOutput } from './jobs/seal.js';
export { JOB_DEFAULTS, DEFAULT_CONNECTION_ID, defaultModel, randomSeed } from './jobs/defaults.js';
export { mnemonicSigner, offlineSigner } from './jobs/signers.js';
export type * from './jobs/types.js';
export { resolveProfile, readProfileFile, COLUMBUS_5, type ChainProfile, type ProfileSet } from './core/profiles.js';
export { createLogger, nullLogger, type Logger } from './core/logger.js';
export { LuncMlError, UsageError, ConfigError, KeyError, ChainError, RpcUnreachableError, ModelError, TimeoutError, DownloadError, ExitCode } from './core/errors.js';
