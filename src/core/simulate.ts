// Gas simulation of a transaction as it will be sent: with its fee attached.
//
// CosmJS simulates with an empty fee. The ante handler skips fee deduction for a zero fee (and on Terra
// Classic the tax path too), so the estimate misses that gas: 48,663 simulated vs 66,149 used for the same
// MsgConnectionOpenInit on a terrad localnet. A first fee-less simulation gives the gas that sizes the fee;
// the second one, with that fee, is the figure to multiply.
import { encodeSecp256k1Pubkey } from '@cosmjs/amino';
import { encodePubkey, type EncodeObject, type Registry } from '@cosmjs/proto-signing';
import { calculateFee, createProtobufRpcClient, GasPrice, type QueryClient } from '@cosmjs/stargate';
import { SignMode } from 'cosmjs-types/cosmos/tx/signing/v1beta1/signing';
import { ServiceClientImpl } from 'cosmjs-types/cosmos/tx/v1beta1/service';
import { AuthInfo, Fee, Tx, TxBody } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import type { Coin } from 'cosmjs-types/cosmos/base/v1beta1/coin';

export interface SimulateTx {
  msgs: readonly EncodeObject[];
  memo?: string;
  /** Compressed secp256k1 public key of the signer (AccountData.pubkey). */
  signerPubkey: Uint8Array;
  /** The signer's account sequence for this transaction. */
  sequence: number | bigint;
  /** e.g. "28.325uluna"; a zero price means no fee, so one simulation is enough. */
  gasPrice: string | GasPrice;
  /**
   * Multiplier the caller will apply to the result: it sizes the fee attached to the second simulation,
   * so that the fee simulated is the fee sent (default 1).
   */
  gasMultiplier?: number;
}

/** One Simulate call through ABCI; `fee` undefined simulates with an empty fee. Returns gas used. */
export async function simulateGas(client: QueryClient, tx: Omit<SimulateTx, 'gasPrice' | 'gasMultiplier'>, registry: Registry, fee?: { amount: readonly Coin[]; gas: number }): Promise<number> {
  const service = new ServiceClientImpl(createProtobufRpcClient(client));
  const raw = Tx.fromPartial({
    body: TxBody.fromPartial({ messages: tx.msgs.map((m) => registry.encodeAsAny(m)), memo: tx.memo ?? '' }),
    authInfo: AuthInfo.fromPartial({
      fee: fee ? Fee.fromPartial({ amount: [...fee.amount], gasLimit: BigInt(fee.gas) }) : Fee.fromPartial({}),
      signerInfos: [{ publicKey: encodePubkey(encodeSecp256k1Pubkey(tx.signerPubkey)), sequence: BigInt(tx.sequence), modeInfo: { single: { mode: SignMode.SIGN_MODE_UNSPECIFIED } } }],
    }),
    // Simulation skips signature verification but still counts an (empty) signature per signer.
    signatures: [new Uint8Array()],
  });
  const res = await service.Simulate({ txBytes: Tx.encode(raw).finish() });
  if (!res.gasInfo) throw new Error('Simulate returned no gas info');
  return Number(res.gasInfo.gasUsed);
}

/**
 * Gas used by `tx` when it carries the fee it will be sent with, for the caller to multiply by its gas
 * multiplier. Throws what CosmJS throws (callers map it with mapChainError).
 */
export async function simulateWithFee(client: QueryClient, tx: SimulateTx, registry: Registry): Promise<number> {
  const price = typeof tx.gasPrice === 'string' ? GasPrice.fromString(tx.gasPrice) : tx.gasPrice;
  const first = await simulateGas(client, tx, registry);
  const gas = Math.ceil(first * (tx.gasMultiplier ?? 1));
  const fee = calculateFee(gas, price);
  if (fee.amount.every((c) => c.amount === '0')) return first;
  return simulateGas(client, tx, registry, { amount: fee.amount, gas });
}
