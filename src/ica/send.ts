// Sign and broadcast controller messages (register, send) and report what the chain did with them.
import type { EncodeObject } from '@cosmjs/proto-signing';
import type { DeliverTxResponse } from '@cosmjs/stargate';
import { eventAttr, type BroadcastOptions, type FeePlan, type TxSender } from '../core/chain-client.js';
import type { Logger } from '../core/logger.js';

export interface PacketRef {
  sequence: string;
  sourcePort: string;
  sourceChannel: string;
  destPort?: string;
  destChannel?: string;
  timeoutTimestamp?: string;
}

export interface TxReport {
  chainId: string;
  txHash: string;
  height: number;
  gasWanted: number;
  gasUsed: number;
  fee: string;
  signer: string;
  packets: PacketRef[];
  /** Channel opened by a registration (ChanOpenInit). */
  channel?: { portId: string; channelId: string };
  /** x/ml events of the tx (first value of each attribute), e.g. ml_job_created.job_id for a direct job. */
  events?: Record<string, Record<string, string>>;
}

export interface SendHooks {
  /** Called with the fee plan before signing; throw to abort. */
  confirm(plan: FeePlan): Promise<void>;
  stage(text: string): void;
}

export function reportFromTx(res: DeliverTxResponse, chainId: string, signer: string, fee: string): TxReport {
  const seqs = eventAttr(res, 'send_packet', 'packet_sequence');
  const ports = eventAttr(res, 'send_packet', 'packet_src_port');
  const chans = eventAttr(res, 'send_packet', 'packet_src_channel');
  const dports = eventAttr(res, 'send_packet', 'packet_dst_port');
  const dchans = eventAttr(res, 'send_packet', 'packet_dst_channel');
  const touts = eventAttr(res, 'send_packet', 'packet_timeout_timestamp');
  const packets = seqs.map((sequence, i) => ({ sequence, sourcePort: ports[i], sourceChannel: chans[i], destPort: dports[i], destChannel: dchans[i], timeoutTimestamp: touts[i] }));
  const initPort = eventAttr(res, 'channel_open_init', 'port_id')[0];
  const initChan = eventAttr(res, 'channel_open_init', 'channel_id')[0];
  return {
    chainId,
    txHash: res.transactionHash,
    height: res.height,
    gasWanted: Number(res.gasWanted),
    gasUsed: Number(res.gasUsed),
    fee,
    signer,
    packets,
    channel: initPort && initChan ? { portId: initPort, channelId: initChan } : undefined,
    events: mlEvents(res),
  };
}

export async function signAndSend(sender: TxSender, msgs: EncodeObject[], opts: BroadcastOptions, hooks: SendHooks, logger: Logger): Promise<TxReport> {
  hooks.stage(`simulating on ${sender.profile.chainId}`);
  const plan = await sender.plan(msgs, opts);
  const feeText = plan.fee.amount.map((c) => `${c.amount}${c.denom}`).join(',') || '0';
  logger.debug('fee plan', { gas: plan.gas, fee: feeText });
  await hooks.confirm(plan);
  hooks.stage(`broadcasting to ${sender.profile.chainId}`);
  const res = await sender.send(msgs, plan.fee, opts.memo ?? '');
  return reportFromTx(res, sender.profile.chainId, sender.address, feeText);
}

function mlEvents(res: Pick<DeliverTxResponse, 'events'>): Record<string, Record<string, string>> | undefined {
  const out: Record<string, Record<string, string>> = {};
  for (const ev of res.events) {
    if (!ev.type.startsWith('ml_')) continue;
    const o = (out[ev.type] ??= {});
    for (const a of ev.attributes) o[a.key] ??= a.value;
  }
  return Object.keys(out).length ? out : undefined;
}
