// Pre-flight checks for lunc.ml.v1 job messages, so that bad input is refused before anything is signed.
// The limits mirror x/ml's default Params; the chain enforces its live Params again on delivery.
import { fromBech32 } from '@cosmjs/encoding';
import { UsageError } from '../core/errors.js';
import { ML_TYPE_URLS, signerField, type AnyMsg } from './msg-types.js';

/** x/ml's default Params limits; chain/x/ml/types/limits.json is the contract (a test keeps them equal). */
export const defaultLimits = {
  maxPromptBytes: 2048,
  maxSteps: 150,
  maxImageSize: 1024,
  maxNumImages: 4,
  maxDurationMs: 30000,
  maxTokens: 1024,
  sealedEnvelopeBytes: 4096,
};

/** Limits that are not params (validate.go constants). */
export const STATELESS_LIMITS = { maxModelIdBytes: 64, maxStyleBytes: 256, x25519KeyBytes: 32, decimalPlaces: 18 } as const;
export const DECIMAL_RANGES = { guidanceScale: { min: 0, max: 30 }, temperature: { min: 0, max: 2 } } as const;

export const SCHEDULERS = ['euler', 'euler_a', 'ddim', 'lcm', 'dpmpp_2m', 'pndm'] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

/** False for a string with a lone UTF-16 surrogate, which UTF-8 cannot carry. */
export function wellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/**
 * A decimal in [lo, hi] exactly as the chain's LegacyDec reads it: at most 18 decimal places, compared without
 * floating point (30.0000000000000000001 is refused, as on chain, not rounded to 30).
 */
export function decimalInRange(s: unknown, lo: number, hi: number): boolean {
  if (typeof s !== 'string') return false;
  const m = /^(\d+)(?:\.(\d{1,18}))?$/.exec(s);
  if (!m) return false;
  const scale = 10n ** BigInt(STATELESS_LIMITS.decimalPlaces);
  const v = BigInt(m[1]!) * scale + BigInt((m[2] ?? '').padEnd(STATELESS_LIMITS.decimalPlaces, '0'));
  return v >= BigInt(lo) * scale && v <= BigInt(hi) * scale;
}

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
  if (bytes > limits.maxPromptBytes) throw new UsageError(`the ${what} is ${bytes} bytes; the limit is ${limits.maxPromptBytes}`, { code: 'bad_prompt', hint: 'shorten it' });
  // A lone surrogate cannot be encoded as UTF-8: it would reach the chain as U+FFFD instead of what was typed.
  if (!wellFormed(prompt)) throw new UsageError(`the ${what} is not valid Unicode (a lone surrogate)`, { code: 'bad_prompt' });
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(prompt)) throw new UsageError(`the ${what} contains control characters`, { code: 'bad_prompt' });
}

function range(name: string, v: number, lo: number, hi: number, hint?: string): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new UsageError(`${name} must be an integer from ${lo} to ${hi}, got ${v}`, { code: 'bad_value', hint });
}

function replyKey(k: Uint8Array | undefined): void {
  if (k && k.length !== 0 && k.length !== 32) throw new UsageError(`reply_pubkey must be 32 bytes (X25519), got ${k.length}`, { code: 'bad_value' });
}

/** sdk.Coin.Validate: a denom per the SDK's regex, an amount that fits the SDK's 256-bit Int. */
function feeCheck(fee: { denom: string; amount: string } | undefined): void {
  if (!fee || !fee.denom || !/^\d+$/.test(fee.amount) || BigInt(fee.amount) === 0n)
    throw new UsageError('max_fee must be a positive amount with a denom, e.g. 50000uluna', { code: 'bad_fee', hint: 'pass --max-fee <amount><denom>' });
  if (!/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(fee.denom)) throw new UsageError(`max_fee denom "${fee.denom}" is not a valid denom`, { code: 'bad_fee', hint: 'e.g. --max-fee 50000uluna' });
  if (BigInt(fee.amount) >= 2n ** 256n) throw new UsageError(`max_fee ${fee.amount} is larger than the chain can represent`, { code: 'bad_fee' });
}

function modelCheck(model: unknown): void {
  if (!model) throw new UsageError('model is empty', { code: 'bad_value', hint: 'pass --model, e.g. sd-2.1' });
  const n = Buffer.byteLength(String(model), 'utf8');
  if (n > STATELESS_LIMITS.maxModelIdBytes) throw new UsageError(`model id is ${n} bytes; the chain allows ${STATELESS_LIMITS.maxModelIdBytes}`, { code: 'bad_value' });
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
        throw new UsageError('a negative prompt cannot be sent with a sealed prompt: it would travel in clear', {
          code: 'bad_prompt',
          hint: 'drop --negative, or put what to avoid into the (sealed) prompt',
        });
      if (Buffer.byteLength(v.negativePrompt ?? '', 'utf8') > limits.maxPromptBytes) throw new UsageError('the negative prompt is too long', { code: 'bad_prompt' });
      modelCheck(v.model);
      for (const [k, n] of [
        ['width', v.width],
        ['height', v.height],
      ] as const) {
        if (!Number.isInteger(n) || n < 8 || n > limits.maxImageSize || n % 8 !== 0)
          throw new UsageError(`${k} ${n} must be a multiple of 8 from 8 to ${limits.maxImageSize}`, { code: 'bad_size', hint: 'e.g. --size 512x512' });
      }
      range('steps', v.steps, 1, limits.maxSteps);
      range('num_images', v.numImages, 1, limits.maxNumImages);
      if (!decimalInRange(v.guidanceScale, DECIMAL_RANGES.guidanceScale.min, DECIMAL_RANGES.guidanceScale.max))
        throw new UsageError(`guidance_scale must be a decimal from 0 to 30 with at most 18 decimals, got "${v.guidanceScale}"`, { code: 'bad_value' });
      if (!(SCHEDULERS as readonly string[]).includes(v.scheduler)) throw new UsageError(`unknown scheduler "${v.scheduler}"`, { code: 'bad_scheduler', hint: `use one of ${SCHEDULERS.join(', ')}` });
      replyKey(v.replyPubkey);
      feeCheck(v.maxFee);
      return;
    }
    case ML_TYPE_URLS.generateAudio:
      promptCheck(v.prompt, v.sealedPrompt, limits);
      modelCheck(v.model);
      if (Buffer.byteLength(v.style ?? '', 'utf8') > STATELESS_LIMITS.maxStyleBytes || !wellFormed(String(v.style ?? '')))
        throw new UsageError(`style must be valid Unicode of at most ${STATELESS_LIMITS.maxStyleBytes} bytes`, { code: 'bad_value' });
      range('duration_ms', v.durationMs, 1, limits.maxDurationMs);
      range('steps', v.steps, 1, limits.maxSteps);
      replyKey(v.replyPubkey);
      feeCheck(v.maxFee);
      return;
    case ML_TYPE_URLS.chat:
      promptCheck(v.prompt, v.sealedPrompt, limits);
      modelCheck(v.model);
      range('max_tokens', v.maxTokens, 1, limits.maxTokens);
      if (!decimalInRange(v.temperature, DECIMAL_RANGES.temperature.min, DECIMAL_RANGES.temperature.max))
        throw new UsageError(`temperature must be a decimal from 0 to 2, got "${v.temperature}"`, { code: 'bad_value' });
      replyKey(v.replyPubkey);
      feeCheck(v.maxFee);
      return;
    default:
      return;
  }
}
