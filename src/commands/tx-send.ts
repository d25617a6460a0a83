// The signing half of `tx`: loaded only when a command broadcasts (it pulls in CosmJS).
import type { CommandContext } from './context.js';
import { confirm, gasOption, keyringFor, keyringPassword, requireFrom, spinner } from './shared.js';
import { connectionOf, jobFromFlags, parseDuration, type IcaFlags, type JobFlags, type JobKind } from './tx-build.js';
import { ChainError, UsageError } from '../core/errors.js';
import type { ProfileSet } from '../core/profiles.js';
import { TxSender, withQueryClient, type BroadcastOptions } from '../core/chain-client.js';
import { addressOf, loadSigner } from '../core/signer.js';
import type { AnyMsg } from '../ica/msg-types.js';
import { icaVersion, parseOrdering, queryCounterpartyConnection, queryIcaAddress, registerMsg, sendMsg } from '../ica/controller.js';
import { parseEncoding } from '../ica/packet.js';
import { signAndSend, type TxReport } from '../ica/send.js';
import { ML_ATTRS, ML_EVENTS } from '../ica/ml-events.js';


async function ownerAddress(ctx: CommandContext, profile: ProfileSet, from: string): Promise<string> {
  return addressOf((await keyringFor(ctx)).show(from), profile.controller.prefix);
}

export async function findIcaAddress(ctx: CommandContext, profile: ProfileSet, from: string, connectionId: string): Promise<string> {
  const owner = await ownerAddress(ctx, profile, from);
  return withQueryClient(profile.controller, async (q) => {
    const addr = await queryIcaAddress(q, owner, connectionId);
    if (!addr) {
      throw new ChainError('no_interchain_account', `${owner} has no interchain account on ${connectionId} yet`, {
        chainId: profile.controller.chainId,
        hint: `register one with \`lunc-ml tx register --from ${from} --connection-id ${connectionId}\` and keep a relayer running`,
      });
    }
    return addr;
  });
}

async function sender(ctx: CommandContext, profile: ProfileSet, from: string): Promise<TxSender> {
  const password = await keyringPassword(ctx, 'unlock');
  const { wallet } = await loadSigner(await keyringFor(ctx), from, profile.controller.prefix, password);
  return TxSender.connect(profile.controller, wallet, ctx.logger);
}

function broadcastOptions(ctx: CommandContext, profile: ProfileSet, flags: IcaFlags): BroadcastOptions {
  return { gas: gasOption(flags.gas), gasAdjustment: ctx.config.gasAdjustment, gasPrice: ctx.config.gasPrices ?? profile.controller.gasPrice, fees: flags.fees, memo: flags.memo };
}

async function run(ctx: CommandContext, profile: ProfileSet, flags: IcaFlags, build: (s: TxSender) => Promise<import('@cosmjs/proto-signing').EncodeObject[]>): Promise<TxReport> {
  const from = requireFrom(flags.from);
  const s = await sender(ctx, profile, from);
  const spin = await spinner(ctx, `preparing on ${profile.controller.chainId}`);
  try {
    const msgs = await build(s);
    const report = await signAndSend(
      s,
      msgs,
      broadcastOptions(ctx, profile, flags),
      {
        stage: (t) => spin.update(t),
        confirm: async (plan) => {
          spin.stop();
          const fee = plan.fee.amount.map((c) => `${c.amount}${c.denom}`).join(',');
          await confirm(ctx, `Sign and broadcast on ${profile.controller.chainId}: gas ${plan.gas}, fee ${fee}?`, flags.yes);
        },
      },
      ctx.logger,
    );
    spin.succeed(`included at height ${report.height}`);
    return report;
  } catch (e) {
    spin.fail('failed');
    throw e;
  } finally {
    s.disconnect();
  }
}

export async function registerAccount(ctx: CommandContext, profile: ProfileSet, flags: IcaFlags & { icaVersion?: string; ordering: string }): Promise<TxReport & { connectionId: string }> {
  const connectionId = connectionOf(flags, profile);
  const encoding = parseEncoding(flags.encoding);
  const ordering = parseOrdering(flags.ordering);
  const report = await run(ctx, profile, flags, async (s) => {
    let version = flags.icaVersion;
    if (version === undefined) {
      const host = await withQueryClient(profile.controller, (q) => queryCounterpartyConnection(q, connectionId));
      version = icaVersion(connectionId, host, encoding);
    } else {
      try {
        JSON.parse(version);
      } catch {
        throw new UsageError('--ica-version must be the ICS-27 metadata JSON', { code: 'bad_value' });
      }
    }
    return [registerMsg({ owner: s.address, connectionId, version, ordering, legacy: flags.legacyIntertx })];
  });
  return { ...report, connectionId };
}

export async function submitMsgs(ctx: CommandContext, profile: ProfileSet, msgs: AnyMsg[], flags: IcaFlags): Promise<TxReport & { connectionId: string; icaAddress?: string }> {
  const connectionId = connectionOf(flags, profile);
  const encoding = parseEncoding(flags.encoding);
  const timeout = parseDuration(flags.timeout);
  const report = await run(ctx, profile, flags, async (s) => [
    sendMsg({ owner: s.address, connectionId, msgs, encoding, memo: flags.legacyIntertx ? undefined : flags.memo || undefined, relativeTimeoutNs: timeout, legacy: flags.legacyIntertx }),
  ]);
  return { ...report, connectionId };
}

export async function sendJob(ctx: CommandContext, profile: ProfileSet, kind: JobKind, flags: JobFlags): Promise<TxReport & { connectionId: string; icaAddress: string }> {
  const from = requireFrom(flags.from);
  const connectionId = connectionOf(flags, profile);
  const icaAddress = flags.creator ?? (await findIcaAddress(ctx, profile, from, connectionId));
  let extra: { sealedPrompt?: Uint8Array; replyPubkey?: Uint8Array } = {};
  if (flags.encrypt) {
    const { sealForJob } = await import('./encrypt.js');
    extra = await sealForJob(ctx, profile, kind, flags, from);
  }
  // Validation happens here, before any key is unlocked or anything is signed.
  const msg = jobFromFlags(kind, flags, profile, icaAddress, extra);
  const report = await submitMsgs(ctx, profile, [msg], { ...flags, memo: flags.memo });
  return { ...report, icaAddress };
}

/**
 * `--direct`: send the job message straight to the ML chain, signed by --from there (no IBC). For users and
 * scripts that hold ML-chain tokens, and for checking x/ml without a relayer.
 */
export async function sendJobDirect(ctx: CommandContext, profile: ProfileSet, kind: JobKind, flags: JobFlags): Promise<TxReport & { jobId?: string }> {
  const from = requireFrom(flags.from);
  const host = profile.host ?? profile.controller;
  const direct: ProfileSet = { ...profile, controller: host, host };
  const creator = addressOf((await keyringFor(ctx)).show(from), host.prefix);
  let extra: { sealedPrompt?: Uint8Array; replyPubkey?: Uint8Array } = {};
  if (flags.encrypt) {
    const { sealForJob } = await import('./encrypt.js');
    extra = await sealForJob(ctx, direct, kind, flags, from);
  }
  const msg = jobFromFlags(kind, flags, direct, creator, extra);
  const report = await run(ctx, direct, flags, async () => [msg]);
  return { ...report, jobId: report.events?.[ML_EVENTS.jobCreated]?.[ML_ATTRS.jobId] };
}
