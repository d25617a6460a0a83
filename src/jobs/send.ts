// Sign and send: register an interchain account, send messages through it, send jobs (over ICS-27 or directly).
import type { EncodeObject } from '@cosmjs/proto-signing';
import { TxSender, withQueryClient } from '../core/chain-client.js';
import { ChainError, UsageError } from '../core/errors.js';
import type { ChainProfile, ProfileSet } from '../core/profiles.js';
import type { AnyMsg } from '../ica/msg-types.js';
import { icaVersion, queryCounterpartyConnection, queryIcaAddress, registerMsg, sendMsg } from '../ica/controller.js';
import { buildRegistry } from '../ica/registry.js';
import { signAndSend } from '../ica/send.js';
import { ML_ATTRS, ML_EVENTS } from '../ica/ml-events.js';
import { Order } from 'cosmjs-types/ibc/core/channel/v1/channel';
import { findInterchainAccount } from './accounts.js';
import { buildJobMsg, checkJobRequest, modelOf } from './build.js';
import { sealForJob, type SealedJobParts } from './seal.js';
import type { IcaRoute, JobRequest, JobSubmission, PacketEncoding, TxContext, TxReport } from './types.js';

/** Signs `build`'s messages on `chain` with the context's signer: simulate, confirm, broadcast, report. */
export async function sendTx(ctx: TxContext, chain: ChainProfile, build: (address: string) => Promise<EncodeObject[]>): Promise<TxReport> {
  const signer = await ctx.signer.signer(chain.prefix);
  const sender = await TxSender.connect(chain, signer, ctx.logger, buildRegistry());
  try {
    const msgs = await build(sender.address);
    return await signAndSend(sender, msgs, ctx.broadcast, { stage: (t) => ctx.hooks?.stage?.(t), confirm: async (plan) => ctx.hooks?.confirm?.(plan) }, ctx.logger);
  } finally {
    sender.disconnect();
  }
}

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
      return [registerMsg({ owner: address, connectionId: o.connectionId, version, ordering: o.ordering === 'ORDER_ORDERED' ? Order.ORDER_ORDERED : Order.ORDER_UNORDERED, legacy: o.legacyIntertx ?? false })];
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
export async function submitMessages(ctx: TxContext, msgs: AnyMsg[], route: IcaRoute): Promise<TxReport & { connectionId: string }> {
  const report = await sendTx(ctx, ctx.profile.controller, async (owner) => [
    sendMsg({ owner, connectionId: route.connectionId, msgs, encoding: route.encoding, memo: route.legacyIntertx ? undefined : route.memo || undefined, relativeTimeoutNs: route.relativeTimeoutNs, legacy: route.legacyIntertx ?? false }),
  ]);
  return { ...report, connectionId: route.connectionId };
}

export interface SubmitJobOptions {
  route: IcaRoute;
  /** The interchain account; default: looked up for the signer on route.connectionId. */
  creator?: string;
  /** Seal the prompt to the executors and keep a reply key under this home. */
  encrypt?: { home: string };
}

async function sealed(ctx: TxContext, req: JobRequest, encrypt: SubmitJobOptions['encrypt'], profile: ProfileSet): Promise<Partial<SealedJobParts>> {
  if (!encrypt) return {};
  return sealForJob(profile.host, { model: modelOf(req, profile), prompt: req.prompt, home: encrypt.home, logger: ctx.logger });
}

/** Sends a job through the signer's interchain account. The request is validated before any key is unlocked. */
export async function submitJob(ctx: TxContext, req: JobRequest, o: SubmitJobOptions): Promise<JobSubmission> {
  const { profile } = ctx;
  checkJobRequest(req, profile);
  const icaAddress = o.creator ?? (await findInterchainAccount(profile.controller, await ctx.signer.address(profile.controller.prefix), o.route.connectionId));
  const msg = buildJobMsg(req, { creator: icaAddress, profile, ...(await sealed(ctx, req, o.encrypt, profile)) });
  const report = await submitMessages(ctx, [msg], o.route);
  return { ...report, icaAddress };
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
