// `lunc-ml tx ...`: flags → typed job requests → the job library (src/jobs) → printed result.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { commandContext, type CommandContext } from './context.js';
import { addSigningFlags, keyringSigner, profileFor, spinner, txContextFor, withSpinner, type SigningFlags } from './shared.js';
import { optionalUint, parseCoin, parseConnectionId, parseDecimal, parseDurationMs, parseEncoding, parseOrdering, parsePacketTimeout, parseSeed, parseSize, parseUint, requireFrom } from './flags.js';
import { readUserFile } from './io.js';
import { renderJobStory, renderReport } from './render.js';
import { UsageError } from '../core/errors.js';
import type { ProfileSet } from '../core/profiles.js';
import { DEFAULT_CONNECTION_ID, JOB_DEFAULTS } from '../jobs/defaults.js';
import type { IcaRoute, JobKind, JobRequest } from '../jobs/types.js';

interface IcaFlags extends SigningFlags {
  connectionId?: string;
  legacyIntertx: boolean;
  encoding?: string;
  timeout: string;
}

export interface JobFlags extends IcaFlags {
  prompt?: string;
  promptFile?: string;
  negative?: string;
  model?: string;
  steps?: string;
  size?: string;
  seed?: string;
  scheduler?: string;
  guidance?: string;
  numImages?: string;
  style?: string;
  duration?: string;
  maxTokens?: string;
  temperature?: string;
  maxFee?: string;
  creator?: string;
  generateOnly: boolean;
  direct: boolean;
  wait: boolean;
  waitTimeout: string;
  download?: string;
  maxDownloadMb: string;
  out?: string;
  encrypt: boolean;
  fund: boolean;
}

function addIcaFlags(cmd: Command): Command {
  return addSigningFlags(cmd)
    .option('--connection-id <id>', `controller connection to the ML chain (default: the profile's, else ${DEFAULT_CONNECTION_ID})`)
    .option('--legacy-intertx', 'use the interchain-accounts-demo intertx module instead of the ibc-go controller', false)
    .option('--encoding <enc>', 'packet encoding, proto3 or proto3json; must match the ICA channel', 'proto3')
    .option('--timeout <duration>', 'relative packet timeout, e.g. 10m, 90s', '10m');
}

function routeOf(flags: IcaFlags, profile: ProfileSet): IcaRoute {
  return {
    connectionId: parseConnectionId(flags.connectionId ?? profile.connectionId ?? DEFAULT_CONNECTION_ID),
    encoding: parseEncoding(flags.encoding),
    relativeTimeoutNs: parsePacketTimeout(flags.timeout),
    legacyIntertx: flags.legacyIntertx,
    memo: flags.memo,
  };
}

/** argv → a typed job request; every value is checked here or by the library's validation before signing. */
export function jobRequestFromFlags(kind: JobKind, f: JobFlags): JobRequest {
  if (!f.prompt && !f.promptFile) throw new UsageError('--prompt is required', { code: 'bad_prompt', hint: `e.g. --prompt "126 danish homes, village, night"` });
  const prompt = f.promptFile ? readUserFile(f.promptFile, 'bad_prompt').replace(/\n$/, '') : (f.prompt ?? '');
  const common = { prompt, model: f.model, seed: parseSeed(f.seed), maxFee: f.maxFee === undefined ? undefined : parseCoin(f.maxFee) };
  if (kind === 'image') {
    const size = f.size === undefined ? undefined : parseSize(f.size);
    return {
      kind,
      ...common,
      negativePrompt: f.negative,
      width: size?.width,
      height: size?.height,
      steps: optionalUint('--steps', f.steps, 1e6),
      scheduler: f.scheduler,
      guidanceScale: f.guidance === undefined ? undefined : parseDecimal('--guidance', f.guidance, 1e6),
      numImages: optionalUint('--num-images', f.numImages, 1e6),
    };
  }
  if (kind === 'audio') return { kind, ...common, style: f.style, durationMs: optionalUint('--duration', f.duration, 1e9), steps: optionalUint('--steps', f.steps, 1e6) };
  return { kind, ...common, maxTokens: optionalUint('--max-tokens', f.maxTokens, 1e9), temperature: f.temperature === undefined ? undefined : parseDecimal('--temperature', f.temperature, 1e6) };
}

async function generateOnly(ctx: CommandContext, profile: ProfileSet, req: JobRequest, flags: JobFlags): Promise<void> {
  if (flags.encrypt) throw new UsageError('--encrypt needs the chain (executor keys); drop --generate-only', { code: 'bad_value' });
  const { buildJobMsg, checkJobRequest, msgJsonText } = await import('../jobs/build.js');
  const route = routeOf(flags, profile);
  checkJobRequest(req, profile);
  let creator = flags.creator;
  if (!creator) {
    if (!flags.from) throw new UsageError('pass --creator <interchain account address>, or --from <key> to look it up on the chain', { code: 'missing_creator' });
    const { findInterchainAccount } = await import('../jobs/accounts.js');
    creator = await findInterchainAccount(profile.controller, await keyringSigner(ctx, flags.from).address(profile.controller.prefix), route.connectionId);
  }
  const text = msgJsonText(buildJobMsg(req, { creator, profile }));
  if (flags.out) {
    writeFileSync(flags.out, text);
    ctx.print({ written: flags.out, typeUrl: JSON.parse(text)['@type'] as string }, (r) => `wrote ${r.written} (${r.typeUrl})`);
  } else process.stdout.write(text);
}

function addJobCommand(tx: Command, kind: JobKind, name: string, description: string): void {
  const cmd = tx.command(name).description(description);
  cmd.option('--prompt <text>', 'the prompt (UTF-8)').option('--prompt-file <path>', 'read the prompt from a file');
  if (kind === 'image') {
    const d = JOB_DEFAULTS.image;
    cmd
      .option('--negative <text>', 'negative prompt')
      .option('--steps <n>', `denoising steps (default ${d.steps})`)
      .option('--size <WxH>', `image size, multiples of 8 (default ${d.width}x${d.height})`)
      .option('--scheduler <name>', `euler | euler_a | ddim | lcm | dpmpp_2m | pndm (default ${d.scheduler})`)
      .option('--guidance <scale>', `classifier-free guidance scale (default ${d.guidanceScale})`)
      .option('--num-images <n>', `images in the batch (default ${d.numImages})`);
  } else if (kind === 'audio') {
    const d = JOB_DEFAULTS.audio;
    cmd.option('--style <tag>', 'musical style tag').option('--duration <ms>', `clip length in milliseconds (default ${d.durationMs})`).option('--steps <n>', `denoising steps (default ${d.steps})`);
  } else {
    const d = JOB_DEFAULTS.chat;
    cmd.option('--max-tokens <n>', `tokens to generate at most (default ${d.maxTokens})`).option('--temperature <t>', `sampling temperature, 0 is greedy (default ${d.temperature})`);
  }
  cmd
    .option('--model <id>', 'model id allowed on the ML chain (default: sd-2.1 / riffusion-v1 / llama-3-8b; tiny-* on the local devnet)')
    .option('--seed <n>', 'noise seed, a uint64 (default: random); `gpu run --seed` with the same value reproduces the output')
    .option('--max-fee <coin>', "fee escrowed on the ML chain for the job, in LUNC: e.g. 50000uluna (sent as LUNC's IBC denom there)")
    .option('--creator <address>', 'interchain account address on the ML chain (default: queried for --from)')
    .option('--encrypt', "seal the prompt to the executors' keys and the output to a reply key", false)
    .option('--fund', 'when the interchain account holds less than --max-fee, send the difference in LUNC over ICS-20 first and wait for it', false)
    .option('--generate-only', 'write the msg.json (for `lunc-ml ica packet-data` → `terrad tx interchain-accounts controller send-tx`) instead of broadcasting', false)
    .option('--direct', 'send the job straight to the ML chain, signed there by --from (no IBC)', false)
    .option('--wait', "follow the job across IBC until the executor's result is on chain", false)
    .option('--wait-timeout <duration>', 'how long --wait waits, e.g. 5m', '5m')
    .option('--download <file>', 'with --wait: fetch the output, verify its sha256 (and decrypt with --encrypt) and write it here (a folder for --num-images > 1)')
    .option('--max-download-mb <n>', 'with --download: refuse outputs larger than this many MiB', '256')
    .option('--out <file>', 'with --generate-only: write msg.json here instead of stdout');
  addIcaFlags(cmd);
  cmd.action(async (flags: JobFlags, c: Command) => {
    const ctx = commandContext(c);
    const req = jobRequestFromFlags(kind, flags);
    const profile = profileFor(ctx);
    if (flags.generateOnly) return generateOnly(ctx, profile, req, flags);
    if (flags.download && !flags.wait) throw new UsageError('--download needs --wait', { code: 'bad_value' });
    const waitMs = flags.wait ? parseDurationMs(flags.waitTimeout, '--wait-timeout') : 0;
    const route = flags.direct ? undefined : routeOf(flags, profile);
    requireFrom(flags.from);
    const { submitJob, submitJobDirect } = await import('../jobs/send.js');
    const encrypt = flags.encrypt ? { home: ctx.config.home } : undefined;
    const { tx, spin } = await txContextFor(ctx, profile, flags, flags.direct ? (profile.host ?? profile.controller) : profile.controller);
    const report = await withSpinner(spin, () =>
      route ? submitJob(tx, req, { route, creator: flags.creator, encrypt, funding: flags.fund ? 'fund' : 'check' }) : submitJobDirect(tx, req, { encrypt }),
    );
    if (!flags.wait) return ctx.print(report, renderReport);
    const job = await followToResult(ctx, profile, report, {
      timeoutMs: waitMs,
      download: flags.download,
      decrypt: flags.encrypt,
      maxBytes: parseUint('--max-download-mb', flags.maxDownloadMb, 1 << 20, 1) * 1024 * 1024,
    });
    ctx.print({ ...report, job }, (r) => `${renderReport(r)}\n${renderJobStory(r.job)}`);
  });
}

async function followToResult(
  ctx: CommandContext,
  profile: ProfileSet,
  report: import('../jobs/types.js').JobSubmission,
  o: { timeoutMs: number; download?: string; decrypt: boolean; maxBytes: number },
) {
  const { waitForJob } = await import('../jobs/wait.js');
  const { getJobStory } = await import('../jobs/story.js');
  const host = profile.host!;
  const packet = report.packets[0];
  const spin = await spinner(ctx, packet ? `relaying packet #${packet.sequence} to ${host?.chainId}` : `job ${report.jobId} executing`);
  try {
    const job = await waitForJob(profile, report, {
      timeoutMs: o.timeoutMs,
      onStage: (s, d) => spin.update(s === 'relaying' ? `relaying packet #${d.packetSequence} to ${host.chainId}` : s === 'executing' ? `job ${d.jobId} executing` : `job ${d.jobId} has a result`),
      onRetry: (e) => spin.update(`${host.chainId} did not answer (${e.message.split('\n')[0].slice(0, 80)}); retrying`),
      logger: ctx.logger,
    });
    spin.succeed(`job ${job.id}: result on ${host.chainId}`);
    return await getJobStory(host, job.id, { job, download: o.download, decrypt: o.decrypt ? { home: ctx.config.home } : undefined, limits: { maxBytes: o.maxBytes } });
  } catch (e) {
    spin.fail('waiting failed');
    throw e;
  }
}

export function registerTx(program: Command): void {
  const tx = program.command('tx').description('build and send transactions through an interchain account');
  addJobCommand(tx, 'image', 'generate-image', 'text-to-image job (Stable Diffusion) on the ML chain');
  addJobCommand(tx, 'audio', 'generate-audio', 'text-to-audio job (Riffusion-style) on the ML chain');
  addJobCommand(tx, 'chat', 'chat', 'chat completion job on the ML chain');

  const fund = tx
    .command('fund')
    .description('send LUNC to your interchain account on the ML chain over ICS-20 (job fees are escrowed from it)')
    .requiredOption('--amount <coin>', 'LUNC to send, e.g. 1000000uluna')
    .option('--to <address>', 'receiver on the ML chain (default: the interchain account of --from)')
    .option('--wait', "return when the interchain account's balance shows the transfer", false)
    .option('--wait-timeout <duration>', 'how long --wait waits, e.g. 5m', '5m');
  addIcaFlags(fund);
  fund.action(async (flags: IcaFlags & { amount: string; to?: string; wait: boolean; waitTimeout: string }, c: Command) => {
    const ctx = commandContext(c);
    const profile = profileFor(ctx);
    const amount = parseCoin(flags.amount, '--amount');
    const route = routeOf(flags, profile);
    const waitMs = flags.wait ? parseDurationMs(flags.waitTimeout, '--wait-timeout') : 0;
    const from = requireFrom(flags.from);
    const { fundInterchainAccount, waitForBalance, balanceOf, luncOnHost } = await import('../jobs/funds.js');
    const { findInterchainAccount } = await import('../jobs/accounts.js');
    const receiver = flags.to ?? (await findInterchainAccount(profile.controller, await keyringSigner(ctx, from).address(profile.controller.prefix), route.connectionId));
    const host = profile.host;
    const denom = luncOnHost(profile);
    const before = flags.wait && host ? await balanceOf(host, receiver, denom) : 0n;
    const { tx: t, spin } = await txContextFor(ctx, profile, flags);
    const report = await withSpinner(spin, () => fundInterchainAccount(t, { amount, receiver, relativeTimeoutNs: route.relativeTimeoutNs }));
    let balance: string | undefined;
    if (flags.wait && host) {
      const s2 = await spinner(ctx, `waiting for ${amount.amount}${amount.denom} to reach ${receiver} on ${host.chainId}`);
      try {
        balance = (await waitForBalance(host, receiver, denom, before + BigInt(amount.amount), { timeoutMs: waitMs })).toString();
        s2.succeed(`arrived: ${receiver} holds ${balance} ${denom}`);
      } catch (e) {
        s2.fail('the transfer did not arrive in time');
        throw e;
      }
    }
    ctx.print(
      { ...report, amount: `${amount.amount}${amount.denom}`, ...(balance !== undefined ? { balanceOnHost: balance } : {}) },
      (r) =>
        `${renderReport(r)}\n  sent ${r.amount} to ${r.receiver} (${r.denomOnHost} on ${host?.chainId ?? 'the ML chain'})${r.balanceOnHost !== undefined ? `\n  balance there: ${r.balanceOnHost}` : ''}`,
    );
  });

  const reg = tx
    .command('register')
    .description('register an interchain account on the ML chain (ibc-go MsgRegisterInterchainAccount, or intertx MsgRegisterAccount)')
    .option('--ica-version <json>', "ICS-27 channel version metadata, terrad's --version (default: ics27-1, proto3, sdk_multi_msg)")
    .option('--ordering <order>', 'ORDER_UNORDERED or ORDER_ORDERED', 'ORDER_UNORDERED');
  addIcaFlags(reg);
  reg.action(async (flags: IcaFlags & { icaVersion?: string; ordering: string }, c: Command) => {
    const ctx = commandContext(c);
    const profile = profileFor(ctx);
    const route = routeOf(flags, profile);
    const ordering = parseOrdering(flags.ordering);
    const { registerInterchainAccount } = await import('../jobs/send.js');
    const { tx: t, spin } = await txContextFor(ctx, profile, flags);
    const report = await withSpinner(spin, () =>
      registerInterchainAccount(t, { connectionId: route.connectionId, encoding: route.encoding, ordering, version: flags.icaVersion, legacyIntertx: flags.legacyIntertx }),
    );
    ctx.print(report, renderReport);
  });

  const submit = tx
    .command('submit')
    .description('send the message(s) in msg.json through the interchain account (with --legacy-intertx: as `tx intertx submit` does on chains that run that module)')
    .argument('<msg.json>', 'file with one SDK-JSON message {"@type": ...} or a list of them');
  addIcaFlags(submit);
  submit.action(async (file: string, flags: IcaFlags, c: Command) => {
    const ctx = commandContext(c);
    const profile = profileFor(ctx);
    const text = readUserFile(file, 'bad_msg_json');
    const route = routeOf(flags, profile);
    const { parseMsgJson } = await import('../ica/sdk-json.js');
    const { validateHostMsg } = await import('../ica/validate.js');
    const msgs = parseMsgJson(text, file);
    for (const m of msgs) validateHostMsg(m, { signerPrefix: profile.host?.prefix });
    const { submitMessages } = await import('../jobs/send.js');
    const { tx: t, spin } = await txContextFor(ctx, profile, flags);
    const report = await withSpinner(spin, () => submitMessages(t, msgs, route));
    ctx.print(report, renderReport);
  });
}
