// Sign and send: register an interchain account, send messages through it, send jobs (over ICS-27 or directly).
import { withQueryClient } from '../core/chain-client.js';
import { prepareTx, sendTx, type PreparedTx } from './tx.js';
import { ChainError, UsageError } from '../core/errors.js';
import type { ProfileSet } from '../core/profiles.js';
import type { AnyMsg } from '../ica/msg-types.js';
import { icaVersion, queryCounterpartyConnection, queryIcaAddress, registerMsg, sendMsg } from '../ica/controller.js';
import { ML_ATTRS, ML_EVENTS } from '../ica/ml-events.js';
import { Order } from 'cosmjs-types/ibc/core/channel/v1/channel';
import { findInterchainAccount } from './accounts.js';
import { buildJobMsg, checkJobRequest, maxFeeOf, modelOf } from './build.js';
import { preflight, readHostView } from './preflight.js';
import { balanceOf, fundInterchainAccount, luncOnHost, shortBalance, waitForBalance } from './funds.js';
import type { SealedJobParts } from './seal.js';
import type { IcaRoute, JobRequest, JobSubmission, PacketEncoding, TxContext, TxReport } from './types.js';

export interface RegisterOptions {
  connectionId: string;
  encoding: PacketEncoding;
  ordering: 'ORDER_UNORDERED' | 'ORDER_ORDERED';
  /** ICS-27 metadata JSON; default: ics27-1 with the counterparty connection and the encoding. */
  version?: string;
  legacyIntertx?: boolean;
}

/** Opens the owner's interchain account channel (MsgRegisterInterchainAccount); a relayer completes the handshake. */
export async function registerInterchainAccount(ctx: TxContext, o: RegisterOptions): Promise<TxReport & { connectionId: string }> {
  const { controller } = ctx.profile;
  if (o.version !== undefined) {
    try {
      JSON.parse(o.version);
    } catch {
      throw new UsageError('the ICS-27 version must be the metadata JSON', { code: 'bad_value' });
    }
  }
  const owner = await ctx.signer.address(controller.prefix);
  try {
    const report = await sendTx(ctx, controller, async (address) => {
      const version = o.version ?? icaVersion(o.connectionId, await withQueryClient(controller, (q) => queryCounterpartyConnection(q, o.connectionId)), o.encoding);
      return [
        registerMsg({
          owner: address,
          connectionId: o.connectionId,
          version,
          ordering: o.ordering === 'ORDER_ORDERED' ? Order.ORDER_ORDERED : Order.ORDER_UNORDERED,
          legacy: o.legacyIntertx ?? false,
        }),
      ];
    });
    return { ...report, connectionId: o.connectionId };
  } catch (e) {
    // ibc-go refuses a second registration while the first channel is open: say so, and name the account.
    if (/active channel already set/i.test(String((e as Error)?.message) + String((e as { log?: string })?.log))) {
      const address = await withQueryClient(controller, (q) => queryIcaAddress(q, owner, o.connectionId)).catch(() => undefined);
      throw new ChainError('ica_already_registered', `${owner} already has an open interchain account channel on ${o.connectionId}${address ? `: ${address}` : ''}`, {
        chainId: controller.chainId,
        hint: 'nothing was sent; use the account you have (`lunc-ml query ica-address --owner ...`)',
      });
    }
    throw e;
  }
}

/** Sends `msgs` to the ML chain inside one ICS-27 packet (MsgSendTx). */
export async function submitMessages(ctx: TxContext, msgs: AnyMsg[], route: IcaRoute, prepared?: PreparedTx): Promise<TxReport & { connectionId: string }> {
  const report = await sendTx(
    ctx,
    ctx.profile.controller,
    async (owner) => [
      sendMsg({
        owner,
        connectionId: route.connectionId,
        msgs,
        encoding: route.encoding,
        memo: route.legacyIntertx ? undefined : route.memo || undefined,
        relativeTimeoutNs: route.relativeTimeoutNs,
        legacy: route.legacyIntertx ?? false,
      }),
    ],
    prepared,
  );
  return { ...report, connectionId: route.connectionId };
}

export interface SubmitJobOptions {
  route: IcaRoute;
  /**
   * Checks before sending: `check` (default) validates the job against the ML chain's live params and executors and
   * refuses a job the account cannot pay for; `fund` also first sends the missing LUNC over ICS-20 and waits for it;
   * `skip` sends regardless (the host judges it on delivery).
   */
  funding?: 'check' | 'fund' | 'skip';
  /** How long `fund` waits for the transfer to arrive (default 5 min). */
  fundTimeoutMs?: number;
  /** The interchain account; default: looked up for the signer on route.connectionId. */
  creator?: string;
  /** Seal the prompt to the executors and keep a reply key under this home. */
  encrypt?: { home: string };
}

async function sealed(ctx: TxContext, req: JobRequest, encrypt: SubmitJobOptions['encrypt'], profile: ProfileSet): Promise<Partial<SealedJobParts>> {
  if (!encrypt) return {};
  // HPKE and its curves load only for --encrypt.
  const { sealForJob } = await import('./seal.js');
  return sealForJob(profile.host, { model: modelOf(req, profile), prompt: req.prompt, home: encrypt.home, logger: ctx.logger });
}

/**
 * Sends a job through the signer's interchain account. The request is validated offline before any key is unlocked;
 * a signer that asks nobody (`unlocksSilently`) is unlocked while the live checks run, one that prompts after them.
 * Nothing is signed before every check has passed.
 */
export async function submitJob(ctx: TxContext, req: JobRequest, o: SubmitJobOptions): Promise<JobSubmission> {
  const { profile } = ctx;
  checkJobRequest(req, profile);
  // The signing stack, the key, the account's sequence and the inclusion subscription do not depend on the checks'
  // answers: they are made ready while the checks' queries are in flight.
  const prepared = ctx.signer.unlocksSilently ? prepareTx(ctx, profile.controller) : undefined;
  try {
    // The host's params and executors do not depend on the account: read them while the ICA is looked up on LUNC.
    const view = o.funding !== 'skip' ? readHostView(profile) : undefined;
    view?.catch(() => undefined); // a failure is reported where it is awaited, after the ICA lookup's own
    const icaAddress = o.creator ?? (await findInterchainAccount(profile.controller, await ctx.signer.address(profile.controller.prefix), o.route.connectionId));
    const maxFee = maxFeeOf(req, profile);
    const balance = o.funding !== 'skip' && profile.host ? balanceOf(profile.host, icaAddress, maxFee.denom) : undefined;
    balance?.catch(() => undefined);
    const msg = buildJobMsg(req, { creator: icaAddress, profile, ...(await sealed(ctx, req, o.encrypt, profile)) });
    if (view) await preflight(msg, profile, await view);
    const funding = await ensureFunds(ctx, { ...req, maxFee }, icaAddress, o, balance);
    // A funding transfer used the account's sequence: the job's tx reads it afresh.
    const report = await submitMessages(ctx, [msg], o.route, funding ? undefined : prepared);
    return { ...report, icaAddress, ...(funding ? { funding } : {}) };
  } finally {
    prepared?.close();
  }
}

/** Sends a job straight to the ML chain, signed there (no IBC): for ML-chain token holders and x/ml checks. */
export async function submitJobDirect(ctx: TxContext, req: JobRequest, o: { encrypt?: { home: string } } = {}): Promise<JobSubmission> {
  const host = ctx.profile.host ?? ctx.profile.controller;
  const profile: ProfileSet = { ...ctx.profile, controller: host, host };
  const creator = await ctx.signer.address(host.prefix);
  const msg = buildJobMsg(req, { creator, profile, ...(await sealed(ctx, req, o.encrypt, profile)) });
  const report = await sendTx({ ...ctx, profile }, host, async () => [msg]);
  return { ...report, jobId: report.events?.[ML_EVENTS.jobCreated]?.[ML_ATTRS.jobId] };
}

/**
 * The fee is checked against x/ml's params and the account's balance before the job is signed; with `fund`, the
 * missing LUNC travels first and the job only after it has arrived (the two packets use different channels, so
 * their order on the host is not otherwise guaranteed).
 */
async function ensureFunds(
  ctx: TxContext,
  req: JobRequest & { maxFee: NonNullable<JobRequest['maxFee']> },
  icaAddress: string,
  o: SubmitJobOptions,
  balance?: Promise<bigint>,
): Promise<TxReport | undefined> {
  const { profile } = ctx;
  const host = profile.host;
  const mode = o.funding ?? 'check';
  if (!host || mode === 'skip') return undefined;
  const fee = req.maxFee;
  const need = BigInt(fee.amount);
  const have = await (balance ?? balanceOf(host, icaAddress, fee.denom));
  if (have >= need) return undefined;
  const isLunc = Boolean(profile.transfer) && fee.denom === luncOnHost(profile);
  if (mode !== 'fund' || !isLunc) throw shortBalance(profile, have, need, fee.denom);
  ctx.hooks?.stage?.(`funding the interchain account with ${need - have}${profile.controller.denom}`);
  const sent = await fundInterchainAccount(ctx, { amount: { denom: profile.controller.denom, amount: (need - have).toString() }, receiver: icaAddress, relativeTimeoutNs: 600_000_000_000n });
  ctx.hooks?.stage?.(`waiting for the transfer to reach ${host.chainId}`);
  await waitForBalance(host, icaAddress, fee.denom, need, { timeoutMs: o.fundTimeoutMs ?? 300_000 });
  return sent;
}
