// Pre-flight checks for lunc.ml.v1 job messages, so that bad input is refused before anything is signed.
// The limits mirror x/ml's default Params; the chain enforces its live Params again on delivery.
import { fromBech32 } from '@cosmjs/encoding';
import { UsageError } from '../core/errors.js';
import { ML_TYPE_URLS, signerField, type AnyMsg } from './msg-types.js';

export const defaultLimits = {
  maxPromptBytes: 2048,
  maxSteps: 150,
  maxImageSize: 1024,
  maxNumImages: 4,
  maxDurationMs: 30000,
  maxTokens: 1024,
  sealedEnvelopeBytes: 4096,
};

export const SCHEDULERS = ['euler', 'euler_a', 'ddim', 'lcm'] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

const decimal = /^\d+(\.\d+)?$/;

export function checkAddress(field: string, addr: string, prefix?: string): void {
  let decoded: { prefix: string };
  try {
    decoded = fromBech32(addr, 128);
  } catch {
    throw new UsageError(`${field} "${addr}" is not a bech32 address`, { code: 'bad_address' });
  }
  if (prefix && decoded.prefix !== prefix) {
    throw new UsageError(`${field} "${addr}" has prefix "${decoded.prefix}", expected "${prefix}"`, {
      code: 'wrong_prefix',
      hint: `use the address on the chain whose prefix is ${prefix}`,
    });
  }
}

function promptCheck(prompt: string, sealed: Uint8Array | undefined, limits: typeof defaultLimits, what = 'prompt'): void {
  const hasSealed = sealed !== undefined && sealed.length > 0;
  if (hasSealed && prompt) throw new UsageError(`give either a plain ${what} or a sealed one, not both`, { code: 'bad_prompt' });
  if (hasSealed) {
    if (sealed!.length > limits.maxPromptBytes + limits.sealedEnvelopeBytes)
      throw new UsageError(`sealed ${what} is ${sealed!.length} bytes; the limit is ${limits.maxPromptBytes + limits.sealedEnvelopeBytes}`, { code: 'bad_prompt' });
    return;
  }
  if (!prompt || !prompt.trim()) throw new UsageError(`the ${what} is empty`, { code: 'bad_prompt', hint: `pass --${what} "..."` });
  const bytes = Buffer.byteLength(prompt, 'utf8');
  if (bytes > limits.maxPromptBytes)
    throw new UsageError(`the ${what} is ${bytes} bytes; the limit is ${limits.maxPromptBytes}`, { code: 'bad_prompt', hint: 'shorten it' });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(prompt)) throw new UsageError(`the ${what} contains control characters`, { code: 'bad_prompt' });
}

function range(name: string, v: number, lo: number, hi: number, hint?: string): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new UsageError(`${name} must be an integer from ${lo} to ${hi}, got ${v}`, { code: 'bad_value', hint });
}

function replyKey(k: Uint8Array | undefined): void {
  if (k && k.length !== 0 && k.length !== 32) throw new UsageError(`reply_pubkey must be 32 bytes (X25519), got ${k.length}`, { code: 'bad_value' });
}

function feeCheck(fee: { denom: string; amount: string } | undefined): void {
  if (!fee || !fee.denom || !/^\d+$/.test(fee.amount) || BigInt(fee.amount) === 0n)
    throw new UsageError('max_fee must be a positive amount with a denom, e.g. 1000umlc', { code: 'bad_fee', hint: 'pass --max-fee <amount><denom>' });
}

/** Throws a UsageError naming the first problem; `signerPrefix` checks the signer's bech32 prefix. */
export function validateHostMsg(msg: AnyMsg, opts: { signerPrefix?: string; limits?: typeof defaultLimits } = {}): void {
  const limits = opts.limits ?? defaultLimits;
  const v = msg.value as Record<string, any>;
  const sf = signerField[msg.typeUrl];
  if (sf) {
    if (!v[sf]) throw new UsageError(`${msg.typeUrl}: the signer field is empty`, { code: 'bad_msg_json', hint: 'it must be the interchain account address on the ML chain' });
    if (msg.typeUrl === ML_TYPE_URLS.registerExecutor || msg.typeUrl === ML_TYPE_URLS.retireExecutor) checkAddress(sf, v[sf]);
    else checkAddress(sf, v[sf], opts.signerPrefix);
  }
  switch (msg.typeUrl) {
    case ML_TYPE_URLS.generateImage: {
      promptCheck(v.prompt, v.sealedPrompt, limits);
      if (v.sealedPrompt?.length > 0 && v.negativePrompt)
        throw new UsageError('a negative prompt cannot be sent with a sealed prompt: it would travel in clear', { code: 'bad_prompt', hint: 'drop --negative, or put what to avoid into the (sealed) prompt' });
      if (Buffer.byteLength(v.negativePrompt ?? '', 'utf8') > limits.maxPromptBytes) throw new UsageError('the negative prompt is too long', { code: 'bad_prompt' });
      if (!v.model) throw new UsageError('model is empty', { code: 'bad_value', hint: 'pass --model, e.g. sd-2.1' });
      for (const [k, n] of [['width', v.width], ['height', v.height]] as const) {
        if (!Number.isInteger(n) || n < 8 || n > limits.maxImageSize || n % 8 !== 0)
          throw new UsageError(`${k} ${n} must be a multiple of 8 from 8 to ${limits.maxImageSize}`, { code: 'bad_size', hint: 'e.g. --size 512x512' });
      }
      range('steps', v.steps, 1, limits.maxSteps);
      range('num_images', v.numImages, 1, limits.maxNumImages);
      if (!decimal.test(v.guidanceScale) || Number(v.guidanceScale) > 30) throw new UsageError(`guidance_scale must be a decimal from 0 to 30, got "${v.guidanceScale}"`, { code: 'bad_value' });
      if (!(SCHEDULERS as readonly string[]).includes(v.scheduler))
        throw new UsageError(`unknown scheduler "${v.scheduler}"`, { code: 'bad_scheduler', hint: `use one of ${SCHEDULERS.join(', ')}` });
      replyKey(v.replyPubkey);
      feeCheck(v.maxFee);
      return;
    }
    case ML_TYPE_URLS.generateAudio:
      promptCheck(v.prompt, v.sealedPrompt, limits);
      if (!v.model) throw new UsageError('model is empty', { code: 'bad_value' });
      range('duration_ms', v.durationMs, 1, limits.maxDurationMs);
      range('steps', v.steps, 1, limits.maxSteps);
      replyKey(v.replyPubkey);
      feeCheck(v.maxFee);
      return;
    case ML_TYPE_URLS.chat:
      promptCheck(v.prompt, v.sealedPrompt, limits);
      if (!v.model) throw new UsageError('model is empty', { code: 'bad_value' });
      range('max_tokens', v.maxTokens, 1, limits.maxTokens);
      if (!decimal.test(v.temperature) || Number(v.temperature) > 2) throw new UsageError(`temperature must be a decimal from 0 to 2, got "${v.temperature}"`, { code: 'bad_value' });
      replyKey(v.replyPubkey);
      feeCheck(v.maxFee);
      return;
    default:
      return;
  }
}
