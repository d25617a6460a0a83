// The pure half of `tx`: flags → validated messages, msg.json text. Loaded lazily by src/commands/tx.ts.
import { writeFileSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { CommandContext } from './context.js';
import { UsageError } from '../core/errors.js';
import type { ProfileSet } from '../core/profiles.js';
import type { AnyMsg } from '../ica/msg-types.js';
import { buildChat, buildGenerateAudio, buildGenerateImage, parseCoin, parseDecimal, parseSeed, parseSize, parseUint } from '../ica/messages.js';
import { msgToSdkJson } from '../ica/sdk-json.js';
import { checkConnectionId } from '../ica/controller.js';
import type { IcaFlags, JobFlags, JobKind } from './tx.js';

export type { IcaFlags, JobFlags, JobKind };

/** "90s", "10m", "1h", "500ms" → nanoseconds. */
export function parseDurationNs(s: string, flag = '--timeout'): bigint {
  const m = /^(\d+)(ms|s|m|h)$/.exec(s);
  if (!m) throw new UsageError(`${flag} "${s}" is not a duration like 90s, 10m or 1h`, { code: 'bad_value' });
  const mult: Record<string, bigint> = { ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
  const ns = BigInt(m[1]) * mult[m[2]];
  if (ns === 0n) throw new UsageError(`${flag} must be positive`, { code: 'bad_value' });
  return ns;
}

/** The packet's relative timeout. */
export function parseDuration(s: string): bigint {
  const ns = parseDurationNs(s, '--timeout');
  // cosmjs-types 0.11's BinaryWriter.uint64 garbles values in [2^31, 2^32): MsgSendTx would not decode on chain.
  if (ns >= 2n ** 31n && ns < 2n ** 32n) throw new UsageError(`--timeout ${s} falls in a range (2.15 s to 4.29 s) that cosmjs-types cannot encode`, { code: 'bad_value', hint: 'use 5s or more' });
  return ns;
}

export function connectionOf(flags: { connectionId?: string }, profile: ProfileSet): string {
  return checkConnectionId(flags.connectionId ?? profile.connectionId ?? 'connection-0');
}

const randomSeed = () => randomBytes(8).readBigUInt64BE() >> 1n;


/** argv → typed job options; exported for the parse-layer tests. */
export function jobFromFlags(kind: JobKind, f: JobFlags, profile: ProfileSet, creator: string, extra: { sealedPrompt?: Uint8Array; replyPubkey?: Uint8Array } = {}): AnyMsg {
  const prompt = f.promptFile ? readFileSync(f.promptFile, 'utf8').replace(/\n$/, '') : (f.prompt ?? '');
  const maxFeeText = f.maxFee ?? profile.defaultMaxFee;
  if (!maxFeeText) throw new UsageError('--max-fee is required for this chain profile (e.g. --max-fee 1000umlc)', { code: 'bad_fee' });
  const local = profile.name.startsWith('local');
  const common = {
    creator,
    seed: parseSeed(f.seed, randomSeed),
    maxFee: parseCoin(maxFeeText),
    signerPrefix: profile.host?.prefix,
    sealedPrompt: extra.sealedPrompt,
    replyPubkey: extra.replyPubkey,
  };
  const promptText = extra.sealedPrompt ? '' : prompt;
  if (kind === 'image') {
    const { width, height } = parseSize(f.size);
    return buildGenerateImage({
      ...common,
      prompt: promptText,
      negativePrompt: f.negative,
      model: f.model ?? (local ? 'tiny-sd' : 'sd-2.1'),
      width,
      height,
      steps: parseUint('--steps', f.steps, 1e6),
      guidanceScale: parseDecimal('--guidance', f.guidance, 1e6),
      scheduler: f.scheduler,
      numImages: parseUint('--num-images', f.numImages, 1e6),
    });
  }
  if (kind === 'audio') {
    return buildGenerateAudio({
      ...common,
      prompt: promptText,
      style: f.style,
      durationMs: parseUint('--duration', f.duration, 1e9),
      steps: parseUint('--steps', f.steps, 1e6),
      model: f.model ?? (local ? 'tiny-audio' : 'riffusion-v1'),
    });
  }
  return buildChat({
    ...common,
    prompt: promptText,
    model: f.model ?? (local ? 'tiny-chat' : 'llama-3-8b'),
    maxTokens: parseUint('--max-tokens', f.maxTokens, 1e9),
    temperature: parseDecimal('--temperature', f.temperature, 1e6),
  });
}

export function msgJsonText(msg: AnyMsg): string {
  return JSON.stringify(msgToSdkJson(msg), null, 2) + '\n';
}

export function writeMsgJson(ctx: CommandContext, msg: AnyMsg, out?: string): void {
  const text = msgJsonText(msg);
  if (out) {
    writeFileSync(out, text);
    ctx.print({ written: out, typeUrl: msg.typeUrl }, (r) => `wrote ${r.written} (${r.typeUrl})`);
  } else process.stdout.write(text);
}

export async function lookupIca(ctx: CommandContext, profile: ProfileSet, flags: IcaFlags): Promise<string> {
  if (!flags.from) {
    throw new UsageError('pass --creator <interchain account address>, or --from <key> to look it up on the chain', { code: 'missing_creator' });
  }
  const { findIcaAddress } = await import('./tx-send.js');
  return findIcaAddress(ctx, profile, flags.from, connectionOf(flags, profile));
}

