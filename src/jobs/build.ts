// Typed request → validated lunc.ml.v1 message. Validation is the same rule set the CLI applies before signing.
import { toBech32 } from '@cosmjs/encoding';
import { UsageError } from '../core/errors.js';
import type { ProfileSet } from '../core/profiles.js';
import type { AnyMsg } from '../ica/msg-types.js';
import { buildChat, buildGenerateAudio, buildGenerateImage } from '../ica/messages.js';
import { msgToSdkJson } from '../ica/sdk-json.js';
import { JOB_DEFAULTS, defaultModel, randomSeed } from './defaults.js';
import { feeOnHost } from './funds.js';
import type { Coin, JobRequest } from './types.js';

export interface BuildOptions {
  /** The job's requester on the ML chain: the interchain account, or the signer for direct jobs. */
  creator: string;
  profile: ProfileSet;
  sealedPrompt?: Uint8Array;
  replyPubkey?: Uint8Array;
}

/** The job's fee as the ML chain escrows it (uluna written by the user becomes LUNC's IBC denom there). */
export function maxFeeOf(req: JobRequest, profile: ProfileSet): Coin {
  return feeOnHost(userFeeOf(req, profile), profile);
}

function userFeeOf(req: JobRequest, profile: ProfileSet): Coin {
  if (req.maxFee) return req.maxFee;
  const m = profile.defaultMaxFee ? /^(\d+)([a-zA-Z][\w/:.-]*)$/.exec(profile.defaultMaxFee) : null;
  if (!m) throw new UsageError(`a max fee is required on ${profile.controller.chainId} (e.g. --max-fee 1000umlc)`, { code: 'bad_fee' });
  return { amount: m[1], denom: m[2] };
}

export function modelOf(req: JobRequest, profile: ProfileSet): string {
  return req.model ?? defaultModel(req.kind, profile);
}

/** Builds and validates the job message; throws a UsageError naming the bad field before anything is signed. */
export function buildJobMsg(req: JobRequest, o: BuildOptions): AnyMsg {
  const common = {
    creator: o.creator,
    model: modelOf(req, o.profile),
    seed: req.seed ?? randomSeed(),
    maxFee: maxFeeOf(req, o.profile),
    signerPrefix: o.profile.host?.prefix,
    sealedPrompt: o.sealedPrompt,
    replyPubkey: o.replyPubkey,
  };
  const prompt = o.sealedPrompt ? '' : req.prompt;
  if (req.kind === 'image') {
    const d = JOB_DEFAULTS.image;
    return buildGenerateImage({
      ...common,
      prompt,
      negativePrompt: req.negativePrompt ?? d.negativePrompt,
      width: req.width ?? d.width,
      height: req.height ?? d.height,
      steps: req.steps ?? d.steps,
      guidanceScale: req.guidanceScale ?? d.guidanceScale,
      scheduler: req.scheduler ?? d.scheduler,
      numImages: req.numImages ?? d.numImages,
    });
  }
  if (req.kind === 'audio') {
    const d = JOB_DEFAULTS.audio;
    return buildGenerateAudio({ ...common, prompt, style: req.style ?? d.style, durationMs: req.durationMs ?? d.durationMs, steps: req.steps ?? d.steps });
  }
  const d = JOB_DEFAULTS.chat;
  return buildChat({ ...common, prompt, maxTokens: req.maxTokens ?? d.maxTokens, temperature: req.temperature ?? d.temperature });
}

/** The msg.json text (SDK JSON) that `tx submit` and `ica packet-data` read. */
export function msgJsonText(msg: AnyMsg): string {
  return JSON.stringify(msgToSdkJson(msg), null, 2) + '\n';
}

/**
 * Validates a request offline before anything is looked up or signed, with a placeholder creator of the ML chain's
 * prefix (the real one, the interchain account, needs a query).
 */
export function checkJobRequest(req: JobRequest, profile: ProfileSet): void {
  const prefix = profile.host?.prefix ?? profile.controller.prefix;
  buildJobMsg({ ...req, seed: req.seed ?? 0n }, { creator: toBech32(prefix, new Uint8Array(32)), profile });
}
