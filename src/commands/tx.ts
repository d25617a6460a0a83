// `lunc-ml tx ...`: build ML job messages (msg.json) and send them through an interchain account,
// mirroring `terrad tx intertx register|submit`.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { commandContext } from './context.js';
import { addSigningFlags, profileFor, type SigningFlags } from './shared.js';
import { UsageError } from '../core/errors.js';
import type { TxReport } from '../ica/send.js';
import type { PacketEncoding } from '../ica/packet.js';

type JobKind = 'image' | 'audio' | 'chat';

interface IcaFlags extends SigningFlags {
  connectionId?: string;
  legacyIntertx: boolean;
  encoding?: string;
  timeout: string;
}

export interface JobFlags extends IcaFlags {
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
  direct: boolean;
  wait: boolean;
  waitTimeout: string;
  download?: string;
  out?: string;
  encrypt: boolean;
}

function addIcaFlags(cmd: Command): Command {
  return addSigningFlags(cmd)
    .option('--connection-id <id>', 'controller connection to the ML chain (default: the profile\'s, else connection-0)')
    .option('--legacy-intertx', 'use the interchain-accounts-demo intertx module instead of the ibc-go controller', false)
    .option('--encoding <enc>', 'packet encoding, proto3 or proto3json; must match the ICA channel', 'proto3')
    .option('--timeout <duration>', 'relative packet timeout, e.g. 10m, 90s', '10m');
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
    .option('--direct', 'send the job straight to the ML chain, signed there by --from (no IBC)', false)
    .option('--wait', 'follow the job across IBC until the executor\'s result is on chain', false)
    .option('--wait-timeout <duration>', 'how long --wait waits, e.g. 5m', '5m')
    .option('--download <file>', 'with --wait: fetch the output, verify its sha256 (and decrypt with --encrypt) and write it here')
    .option('--out <file>', 'with --generate-only: write msg.json here instead of stdout');
  addIcaFlags(cmd);
  cmd.action(async (flags: JobFlags, c: Command) => {
    const ctx = commandContext(c);
    if (!flags.prompt && !flags.promptFile) throw new UsageError('--prompt is required', { code: 'bad_prompt', hint: `e.g. lunc-ml tx ${name} --prompt "126 danish homes, village, night"` });
    const profile = profileFor(ctx);
    if (flags.generateOnly) {
      if (flags.encrypt) throw new UsageError('--encrypt needs the chain (executor keys); drop --generate-only', { code: 'bad_value' });
      const b = await import('./tx-build.js');
      const creator = flags.creator ?? (await b.lookupIca(ctx, profile, flags));
      b.writeMsgJson(ctx, b.jobFromFlags(kind, flags, profile, creator), flags.out);
      return;
    }
    if (flags.download && !flags.wait) throw new UsageError('--download needs --wait', { code: 'bad_value' });
    const { sendJob, sendJobDirect } = await import('./tx-send.js');
    const { parseDurationNs } = await import('./tx-build.js');
    const waitMs = flags.wait ? Number(parseDurationNs(flags.waitTimeout, '--wait-timeout') / 1_000_000n) : 0;
    const report = flags.direct ? await sendJobDirect(ctx, profile, kind, flags) : await sendJob(ctx, profile, kind, flags);
    if (!flags.wait) {
      ctx.print(report, renderReport);
      return;
    }
    const { waitForResult } = await import('./tx-wait.js');
    const { renderJobStory } = await import('./job-story.js');
    const job = await waitForResult(ctx, profile, report, { timeoutMs: waitMs, download: flags.download, decrypt: flags.encrypt });
    ctx.print({ ...report, job }, (r) => `${renderReport(r)}\n${renderJobStory(r.job)}`);
  });
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
    .option('--ica-version <json>', 'ICS-27 channel version metadata, terrad\'s --version (default: ics27-1, proto3, sdk_multi_msg)')
    .option('--ordering <order>', 'ORDER_UNORDERED or ORDER_ORDERED', 'ORDER_UNORDERED');
  addIcaFlags(reg);
  reg.action(async (flags: IcaFlags & { icaVersion?: string; ordering: string }, c: Command) => {
    const ctx = commandContext(c);
    const profile = profileFor(ctx);
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
    const { parseMsgJson } = await import('../ica/sdk-json.js');
    const { validateHostMsg } = await import('../ica/validate.js');
    const msgs = parseMsgJson(text, file);
    for (const m of msgs) validateHostMsg(m, { signerPrefix: profile.host?.prefix });
    const { submitMsgs } = await import('./tx-send.js');
    const report = await submitMsgs(ctx, profile, msgs, flags);
    ctx.print(report, renderReport);
  });
}

export type { IcaFlags, JobKind, PacketEncoding };
