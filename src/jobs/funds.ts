// LUNC as the money of the system: fees are paid in uluna that travelled to the ML chain over ICS-20, where it is
// the IBC denom ibc/<SHA-256 of transfer/<host channel>/uluna>. This file maps the user's denoms, checks a fee the
// way x/ml will, reads balances on both sides, and sends the funding transfer to the interchain account.
import type { EncodeObject } from '@cosmjs/proto-signing';
import { withAbciQuery } from '../core/chain-client.js';
import { ChainError, ConfigError, TimeoutError, UsageError } from '../core/errors.js';
import { waitFor } from '../core/poll.js';
import type { ChainProfile, ProfileSet } from '../core/profiles.js';
import type { Params } from '../proto/lunc/ml/v1/types.js';
import { ibcDenom } from '../ica/ics20.js';
import { sendTx } from './tx.js';
import type { Coin, TxContext, TxReport } from './types.js';

export { ibcDenom };

function transferOf(profile: ProfileSet): { controllerChannel: string; hostChannel: string } {
  if (!profile.transfer) {
    throw new ConfigError(`the chain profile "${profile.name}" names no ICS-20 channel between ${profile.controller.chainId} and the ML chain`, {
      code: 'no_transfer_channel',
      hint: 'run `lunc-ml relay link` (it opens the transfer channel), or add "transfer": {"controllerChannel", "hostChannel"} to the profile',
    });
  }
  return profile.transfer;
}

/** LUNC's denom on the ML chain for this profile. */
export function luncOnHost(profile: ProfileSet): string {
  return ibcDenom(transferOf(profile).hostChannel, profile.controller.denom);
}

/**
 * The fee as x/ml sees it: the user writes LUNC-side denoms (uluna), which become LUNC's IBC denom on the host;
 * denoms of the ML chain itself (umlc, ibc/...) pass through.
 */
export function feeOnHost(fee: Coin, profile: ProfileSet): Coin {
  return fee.denom === profile.controller.denom && profile.host && profile.host.denom !== fee.denom ? { denom: luncOnHost(profile), amount: fee.amount } : fee;
}

function display(denom: string, profile: ProfileSet): string {
  return profile.transfer && denom === luncOnHost(profile) ? `${profile.controller.denom} (${denom} on ${profile.host?.chainId})` : denom;
}

/** The denom as the user writes it: LUNC's IBC denom on the host is uluna to them. */
function userDenom(denom: string, profile: ProfileSet): string {
  return profile.transfer && denom === luncOnHost(profile) ? profile.controller.denom : denom;
}

/** Checks a fee against x/ml's params exactly as MsgGenerate* will on delivery (accepted denom, minimum). */
export function checkFeeAgainst(params: Params, fee: Coin, profile: ProfileSet): void {
  const host = profile.host!;
  const accepted = params.feeMinimums.length ? params.feeMinimums : params.minFee ? [params.minFee] : [];
  const min = accepted.find((c) => c.denom === fee.denom);
  if (!min) {
    throw new UsageError(`${host.chainId} does not accept fees in ${display(fee.denom, profile)}`, {
      code: 'bad_fee_denom',
      hint: `pass --max-fee with one of (minimum shown): ${accepted.map((c) => `${c.amount}${userDenom(c.denom, profile)}`).join(', ')}`,
    });
  }
  if (BigInt(fee.amount) < BigInt(min.amount)) {
    throw new UsageError(`--max-fee ${fee.amount} is under ${host.chainId}'s minimum of ${min.amount} ${display(fee.denom, profile)}`, {
      code: 'fee_too_low',
      hint: `pass --max-fee ${min.amount}${userDenom(fee.denom, profile)} or more`,
    });
  }
}

export async function balanceOf(chain: Pick<ChainProfile, 'chainId' | 'rpc'>, address: string, denom: string): Promise<bigint> {
  const { QueryBalanceRequest, QueryBalanceResponse } = await import('cosmjs-types/cosmos/bank/v1beta1/query');
  return withAbciQuery(chain, async (q) => {
    const res = await q.queryAbci('/cosmos.bank.v1beta1.Query/Balance', QueryBalanceRequest.encode({ address, denom }).finish());
    return BigInt(QueryBalanceResponse.decode(res.value).balance?.amount ?? '0');
  });
}

export interface Balances {
  owner: { chainId: string; address: string; denom: string; amount: string };
  interchainAccount?: { chainId: string; address: string; denom: string; amount: string };
}

/** The user's LUNC on the LUNC chain, and their interchain account's LUNC on the ML chain. */
export async function queryBalances(profile: ProfileSet, owner: string, icaAddress?: string): Promise<Balances> {
  const c = profile.controller;
  const out: Balances = { owner: { chainId: c.chainId, address: owner, denom: c.denom, amount: (await balanceOf(c, owner, c.denom)).toString() } };
  if (icaAddress && profile.host) {
    const denom = profile.transfer ? luncOnHost(profile) : profile.host.denom;
    out.interchainAccount = { chainId: profile.host.chainId, address: icaAddress, denom, amount: (await balanceOf(profile.host, icaAddress, denom)).toString() };
  }
  return out;
}

export interface FundOptions {
  /** LUNC-side coin, e.g. 1000000uluna. */
  amount: Coin;
  /** The interchain account (the receiver on the ML chain). */
  receiver: string;
  /** Absolute ICS-20 timeout from now, in nanoseconds. */
  relativeTimeoutNs: bigint;
}

/** ICS-20 MsgTransfer of LUNC from the signer to their interchain account on the ML chain. */
export async function fundInterchainAccount(ctx: TxContext, o: FundOptions): Promise<TxReport & { receiver: string; denomOnHost: string }> {
  const { profile } = ctx;
  const t = transferOf(profile);
  if (o.amount.denom !== profile.controller.denom)
    throw new UsageError(`fund with ${profile.controller.denom}, not ${o.amount.denom}`, { code: 'bad_value', hint: `e.g. --amount 1000000${profile.controller.denom}` });
  if (BigInt(o.amount.amount) <= 0n) throw new UsageError('--amount must be positive', { code: 'bad_value' });
  // terrad's ante handler refuses IBC transfers with a receiver over 128 characters.
  if (o.receiver.length > 128) throw new UsageError('the receiver address is longer than 128 characters', { code: 'bad_address' });
  const report = await sendTx(ctx, profile.controller, async (sender): Promise<EncodeObject[]> => [
    {
      typeUrl: '/ibc.applications.transfer.v1.MsgTransfer',
      value: {
        sourcePort: 'transfer',
        sourceChannel: t.controllerChannel,
        token: o.amount,
        sender,
        receiver: o.receiver,
        timeoutHeight: { revisionNumber: 0n, revisionHeight: 0n },
        timeoutTimestamp: BigInt(Date.now()) * 1_000_000n + o.relativeTimeoutNs,
        memo: '',
      },
    },
  ]);
  return { ...report, receiver: o.receiver, denomOnHost: luncOnHost(profile) };
}

/** Waits until `address` holds at least `atLeast` of `denom` on `chain` (the funding transfer was relayed). */
export async function waitForBalance(chain: ChainProfile, address: string, denom: string, atLeast: bigint, o: { timeoutMs: number; pollMs?: number }): Promise<bigint> {
  let have = -1n;
  return waitFor(
    async () => {
      have = await balanceOf(chain, address, denom);
      return have >= atLeast ? have : undefined;
    },
    { timeoutMs: o.timeoutMs, intervalMs: o.pollMs ?? 500 },
  ).catch((e) => {
    if (!(e instanceof TimeoutError)) throw e;
    throw new TimeoutError(`${address} holds ${have < 0n ? 'an unknown amount' : have} of ${denom} on ${chain.chainId}, short of ${atLeast}`, {
      hint: 'is a relayer running for the transfer channel? `lunc-ml relay pending`',
    });
  });
}

/** A short balance is a refusal before signing, with what to do. */
export function shortBalance(profile: ProfileSet, have: bigint, need: bigint, denom: string): ChainError {
  return new ChainError('insufficient_funds', `your interchain account holds ${have} ${display(denom, profile)} on ${profile.host?.chainId}, and the job escrows ${need}`, {
    chainId: profile.host?.chainId,
    hint: `add --fund to send the difference first, or run \`lunc-ml tx fund --amount ${need - have}${userDenom(denom, profile)}\``,
  });
}
