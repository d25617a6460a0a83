// Plain typed inputs and outputs of the job library. Nothing here parses flags or prints.
import type { OfflineSigner } from '@cosmjs/proto-signing';
import type { FeePlan, BroadcastOptions } from '../core/chain-client.js';
import type { Logger } from '../core/logger.js';
import type { ProfileSet } from '../core/profiles.js';
import type { PacketEncoding } from '../ica/packet.js';
import type { Coin } from '../ica/messages.js';
import type { TxReport } from '../ica/send.js';

export type JobKind = 'image' | 'audio' | 'chat';
export type { Coin, TxReport, BroadcastOptions, FeePlan, PacketEncoding };

interface JobRequestBase {
  /** The prompt in clear; sealed to the executors' keys when `encrypt` is set. */
  prompt: string;
  /** A model id in x/ml's allowed_models; default: {@link defaultModel} for the profile. */
  model?: string;
  /** Noise seed (uint64); default: random. The same seed, model and parameters give the same output. */
  seed?: bigint;
  /** Fee escrowed on the ML chain; default: the profile's defaultMaxFee. */
  maxFee?: Coin;
}

export interface ImageJobRequest extends JobRequestBase {
  kind: 'image';
  negativePrompt?: string;
  width?: number;
  height?: number;
  steps?: number;
  scheduler?: string;
  /** Decimal string, e.g. "7.5": the chain stores it as text so that every node reads the same value. */
  guidanceScale?: string;
  numImages?: number;
}

export interface AudioJobRequest extends JobRequestBase {
  kind: 'audio';
  style?: string;
  durationMs?: number;
  steps?: number;
}

export interface ChatJobRequest extends JobRequestBase {
  kind: 'chat';
  maxTokens?: number;
  /** Decimal string; "0" is greedy. */
  temperature?: string;
}

export type JobRequest = ImageJobRequest | AudioJobRequest | ChatJobRequest;

/**
 * Where a signature comes from. `address` must not need a secret (it is called before validation), `signer`
 * may unlock one: the library calls it only after the request was validated, so bad input never asks for a key.
 */
export interface SignerSource {
  address(prefix: string): Promise<string>;
  signer(prefix: string): Promise<OfflineSigner>;
  /**
   * true when `signer` asks nobody anything (a mnemonic in memory, a keyring with its password at hand): the library
   * may then derive the key while its live checks are in flight. A signer that prompts is called after them.
   */
  unlocksSilently?: boolean;
}

/** Progress and consent callbacks: a CLI shows a spinner and asks; a bot can leave them out. */
export interface SendHooks {
  stage?(text: string): void;
  /** Called with the fee plan before signing; throw to abort. */
  confirm?(plan: FeePlan): Promise<void>;
}

export interface TxContext {
  profile: ProfileSet;
  signer: SignerSource;
  logger: Logger;
  broadcast: BroadcastOptions;
  hooks?: SendHooks;
}

/** How a message travels over ICS-27 from the controller. */
export interface IcaRoute {
  connectionId: string;
  encoding: PacketEncoding;
  /** Relative packet timeout in nanoseconds. */
  relativeTimeoutNs: bigint;
  /** Use the interchain-accounts-demo intertx module instead of the ibc-go controller. */
  legacyIntertx?: boolean;
  memo?: string;
}

export interface JobSubmission extends TxReport {
  connectionId?: string;
  icaAddress?: string;
  /** Known at once for direct submissions; over IBC it is known once the packet is received. */
  jobId?: string;
  /** The ICS-20 transfer that funded the interchain account first (`funding: 'fund'`). */
  funding?: TxReport;
}
