// `lunc-ml tx ...`: build ML job messages (msg.json) and send them through an interchain account,
// mirroring `terrad tx intertx register|submit`.
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { commandContext, type CommandContext } from './context.js';
import { addSigningFlags, profileFor, type SigningFlags } from './shared.js';
import { UsageError } from '../core/errors.js';
import type { ProfileSet } from '../core/profiles.js';
import type { AnyMsg } from '../ica/msg-types.js';
import { buildChat, buildGenerateAudio, buildGenerateImage, parseCoin, parseDecimal, parseSeed, parseSize, parseUint } from '../ica/messages.js';
import { msgToSdkJson, parseMsgJson } from '../ica/sdk-json.js';
import { parseEncoding, type PacketEncoding } from '../ica/packet.js';
import { checkConnectionId, parseOrdering } from '../ica/controller.js';
import type { TxReport } from '../ica/send.js';
import { validateHostMsg } from '../ica/validate.js';

type JobKind = 'image' | 'audio' | 'chat';

interface IcaFlags extends SigningFlags {
  connectionId?: string;
  legacyIntertx: boolean;
  encoding?: string;
  timeout: string;
}

function addIcaFlags(cmd: Command): Command {
  return addSigningFlags(cmd)
    .option('--connection-id <id>', 'controller connection to the ML chain (default: the profile\'s, else connection-0)')
    .option('--legacy-intertx', 'use the interchain-accounts-demo intertx module instead of the ibc-go controller', false)
    .option('--encoding <enc>', 'packet encoding, proto3 or proto3json; must match the ICA channel', 'proto3')
    .option('--timeout <duration>', 'relative packet timeout, e.g. 10m, 90s', '10m');
}

export function parseDuration(s: string): bigint {
  const m = /^(\d+)(ms|s|m|h)$/.exec(s);
  if (!m) throw new UsageError(`--timeout "${s}" is not a duration like 90s, 10m or 1h`, { code: 'bad_value' });
  const mult: Record<string, bigint> = { ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
  const ns = BigInt(m[1]) * mult[m[2]];
  if (ns === 0n) throw new UsageError('--timeout must be positive', { code: 'bad_value' });
  return ns;
}

function connectionOf(flags: { connectionId?: string }, profile: ProfileSet): string {
  return checkConnectionId(flags.connectionId ?? profile.connectionId ?? 'connection-0');
}

const randomSeed = () => randomBytes(8).readBigUInt64BE() >> 1n;

interface JobFlags extends IcaFlags {
  prompt?: string;
  promptFile?: string;
  negative: string;
  model?: string;
  steps: string;
  size: string;
  seed?: string;
  scheduler: string;
  guidance: string;
  numImages: string;
  style: string;
  duration: string;
  maxTokens: string;
  temperature: string;
  maxFee?: string;
  creator?: string;
  generateOnly: boolean;
  out?: string;
  encrypt: boolean;
}

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

function addJobCommand(tx: Command, kind: JobKind, name: string, description: string): void {
  const cmd = tx.command(name).description(description);
  cmd.option('--prompt <text>', 'the prompt (UTF-8)').option('--prompt-file <path>', 'read the prompt from a file');
  if (kind === 'image') {
    cmd
      .option('--negative <text>', 'negative prompt', '')
      .option('--steps <n>', 'denoising steps', '20')
      .option('--size <WxH>', 'image size, multiples of 8', '512x512')
      .option('--scheduler <name>', 'euler | euler_a | ddim | lcm', 'euler')
      .option('--guidance <scale>', 'classifier-free guidance scale', '7.5')
      .option('--num-images <n>', 'images in the batch', '1');
  } else if (kind === 'audio') {
    cmd.option('--style <tag>', 'musical style tag', '').option('--duration <ms>', 'clip length in milliseconds', '5000').option('--steps <n>', 'denoising steps', '20');
  } else {
    cmd.option('--max-tokens <n>', 'tokens to generate at most', '128').option('--temperature <t>', 'sampling temperature, 0 is greedy', '0');
  }
  cmd
    .option('--model <id>', 'model id allowed on the ML chain (default: sd-2.1 / riffusion-v1 / llama-3-8b; tiny-* on the local devnet)')
    .option('--seed <n>', 'noise seed (default: random)')
    .option('--max-fee <coin>', 'fee escrowed on the ML chain for the job, e.g. 1000umlc')
    .option('--creator <address>', 'interchain account address on the ML chain (default: queried for --from)')
    .option('--encrypt', 'seal the prompt to the executors\' keys and the output to a reply key', false)
    .option('--generate-only', 'write the msg.json for `terrad tx intertx submit` instead of broadcasting', false)
    .option('--out <file>', 'with --generate-only: write msg.json here instead of stdout');
  addIcaFlags(cmd);
  cmd.action(async (flags: JobFlags, c: Command) => {
    const ctx = commandContext(c);
    if (!flags.prompt && !flags.promptFile) throw new UsageError('--prompt is required', { code: 'bad_prompt', hint: `e.g. lunc-ml tx ${name} --prompt "126 danish homes, village, night"` });
    const profile = profileFor(ctx);
    if (flags.generateOnly) {
      if (flags.encrypt) throw new UsageError('--encrypt needs the chain (executor keys); drop --generate-only', { code: 'bad_value' });
      const creator = flags.creator ?? (await lookupIca(ctx, profile, flags));
      const msg = jobFromFlags(kind, flags, profile, creator);
      writeMsgJson(ctx, msg, flags.out);
      return;
    }
    const { sendJob } = await import('./tx-send.js');
    const report = await sendJob(ctx, profile, kind, flags);
    ctx.print(report, renderReport);
  });
}

export function msgJsonText(msg: AnyMsg): string {
  return JSON.stringify(msgToSdkJson(msg), null, 2) + '\n';
}

function writeMsgJson(ctx: CommandContext, msg: AnyMsg, out?: string): void {
  const text = msgJsonText(msg);
  if (out) {
    writeFileSync(out, text);
    ctx.print({ written: out, typeUrl: msg.typeUrl }, (r) => `wrote ${r.written} (${r.typeUrl})`);
  } else process.stdout.write(text);
}

async function lookupIca(ctx: CommandContext, profile: ProfileSet, flags: IcaFlags): Promise<string> {
  if (!flags.from) {
    throw new UsageError('pass --creator <interchain account address>, or --from <key> to look it up on the chain', { code: 'missing_creator' });
  }
  const { findIcaAddress } = await import('./tx-send.js');
  return findIcaAddress(ctx, profile, flags.from, connectionOf(flags, profile));
}

export function renderReport(r: TxReport & { icaAddress?: string; jobId?: string; connectionId?: string }): string {
  const lines = [`tx ${r.txHash} included at height ${r.height} on ${r.chainId}`, `  fee ${r.fee}, gas ${r.gasUsed}/${r.gasWanted}`];
  for (const p of r.packets) lines.push(`  IBC packet ${p.sourcePort}/${p.sourceChannel} sequence ${p.sequence}`);
  if (r.channel) lines.push(`  channel opening: ${r.channel.portId}/${r.channel.channelId} (a relayer completes the handshake)`);
  if (r.icaAddress) lines.push(`  interchain account: ${r.icaAddress}`);
  if (r.jobId) lines.push(`  job id: ${r.jobId}`);
  return lines.join('\n');
}

export function registerTx(program: Command): void {
  const tx = program.command('tx').description('build and send transactions (mirrors `terrad tx intertx`)');
  addJobCommand(tx, 'image', 'generate-image', 'text-to-image job (Stable Diffusion) on the ML chain');
  addJobCommand(tx, 'audio', 'generate-audio', 'text-to-audio job (Riffusion-style) on the ML chain');
  addJobCommand(tx, 'chat', 'chat', 'chat completion job on the ML chain');

  const reg = tx
    .command('register')
    .description('register an interchain account on the ML chain (ibc-go MsgRegisterInterchainAccount, or intertx MsgRegisterAccount)')
    .option('--version <json>', 'ICS-27 channel version metadata (default: ics27-1, proto3, sdk_multi_msg)')
    .option('--ordering <order>', 'ORDER_UNORDERED or ORDER_ORDERED', 'ORDER_UNORDERED');
  addIcaFlags(reg);
  reg.action(async (flags: IcaFlags & { version?: string; ordering: string }, c: Command) => {
    const ctx = commandContext(c);
    const profile = profileFor(ctx);
    parseOrdering(flags.ordering);
    parseEncoding(flags.encoding);
    connectionOf(flags, profile);
    const { registerAccount } = await import('./tx-send.js');
    const report = await registerAccount(ctx, profile, flags);
    ctx.print(report, renderReport);
  });

  const submit = tx
    .command('submit')
    .description('send the message(s) in msg.json through the interchain account (mirrors `terrad tx intertx submit`)')
    .argument('<msg.json>', 'file with one SDK-JSON message {"@type": ...} or a list of them');
  addIcaFlags(submit);
  submit.action(async (file: string, flags: IcaFlags, c: Command) => {
    const ctx = commandContext(c);
    const profile = profileFor(ctx);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { code: 'bad_msg_json' });
    }
    const msgs = parseMsgJson(text, file);
    for (const m of msgs) validateHostMsg(m, { signerPrefix: profile.host?.prefix });
    const { submitMsgs } = await import('./tx-send.js');
    const report = await submitMsgs(ctx, profile, msgs, flags);
    ctx.print(report, renderReport);
  });
}

export type { IcaFlags, JobFlags, JobKind, PacketEncoding };
export { connectionOf };
