// Builds lunc.ml.v1 job messages from typed options; every builder validates before returning.
import { MsgChat, MsgGenerateAudio, MsgGenerateImage } from '../proto/lunc/ml/v1/tx.js';
import { ML_TYPE_URLS, type AnyMsg } from './msg-types.js';
import { validateHostMsg, type SchedulerName } from './validate.js';

export interface Coin {
  denom: string;
  amount: string;
}

export interface CommonJobOptions {
  /** Interchain account address on the ML chain (the job's requester). */
  creator: string;
  model: string;
  seed: bigint;
  maxFee: Coin;
  /** Sealed prompt envelope; when set, prompt is sent empty. */
  sealedPrompt?: Uint8Array;
  replyPubkey?: Uint8Array;
  /** Bech32 prefix the creator must have, when known. */
  signerPrefix?: string;
}

export interface ImageJobOptions extends CommonJobOptions {
  prompt: string;
  negativePrompt: string;
  width: number;
  height: number;
  steps: number;
  guidanceScale: string;
  scheduler: SchedulerName | string;
  numImages: number;
}

export interface AudioJobOptions extends CommonJobOptions {
  prompt: string;
  style: string;
  durationMs: number;
  steps: number;
}

export interface ChatJobOptions extends CommonJobOptions {
  prompt: string;
  maxTokens: number;
  temperature: string;
}

const bytes = (b?: Uint8Array) => Buffer.from(b ?? new Uint8Array());

export function buildGenerateImage(o: ImageJobOptions): AnyMsg<MsgGenerateImage> {
  const sealed = o.sealedPrompt && o.sealedPrompt.length > 0;
  const msg: AnyMsg<MsgGenerateImage> = {
    typeUrl: ML_TYPE_URLS.generateImage,
    value: MsgGenerateImage.fromPartial({
      creator: o.creator,
      prompt: sealed ? '' : o.prompt,
      negativePrompt: o.negativePrompt,
      model: o.model,
      width: o.width,
      height: o.height,
      steps: o.steps,
      guidanceScale: o.guidanceScale,
      scheduler: o.scheduler,
      seed: o.seed,
      numImages: o.numImages,
      maxFee: o.maxFee,
      sealedPrompt: bytes(o.sealedPrompt),
      replyPubkey: bytes(o.replyPubkey),
    }),
  };
  validateHostMsg(msg, { signerPrefix: o.signerPrefix });
  return msg;
}

export function buildGenerateAudio(o: AudioJobOptions): AnyMsg<MsgGenerateAudio> {
  const sealed = o.sealedPrompt && o.sealedPrompt.length > 0;
  const msg: AnyMsg<MsgGenerateAudio> = {
    typeUrl: ML_TYPE_URLS.generateAudio,
    value: MsgGenerateAudio.fromPartial({
      creator: o.creator,
      prompt: sealed ? '' : o.prompt,
      style: o.style,
      durationMs: o.durationMs,
      model: o.model,
      seed: o.seed,
      steps: o.steps,
      maxFee: o.maxFee,
      sealedPrompt: bytes(o.sealedPrompt),
      replyPubkey: bytes(o.replyPubkey),
    }),
  };
  validateHostMsg(msg, { signerPrefix: o.signerPrefix });
  return msg;
}

export function buildChat(o: ChatJobOptions): AnyMsg<MsgChat> {
  const sealed = o.sealedPrompt && o.sealedPrompt.length > 0;
  const msg: AnyMsg<MsgChat> = {
    typeUrl: ML_TYPE_URLS.chat,
    value: MsgChat.fromPartial({
      creator: o.creator,
      prompt: sealed ? '' : o.prompt,
      sealedPrompt: bytes(o.sealedPrompt),
      model: o.model,
      maxTokens: o.maxTokens,
      temperature: o.temperature,
      seed: o.seed,
      replyPubkey: bytes(o.replyPubkey),
      maxFee: o.maxFee,
    }),
  };
  validateHostMsg(msg, { signerPrefix: o.signerPrefix });
  return msg;
}
