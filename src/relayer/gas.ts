// Remembered gas: a relayer sends the same few transaction shapes over and over (client update + receipt, client
// update + ack), so the gas of the last ones sizes the next without a simulation. A simulation is an ABCI query that
// the node serialises with block execution (CometBFT's local client holds one lock for all ABCI connections); on the
// devnet it takes 5-40 ms, and a receipt that reaches the proposer after it reaped its mempool waits a whole block.
//
// Hermes simulates every transaction unless `default_gas` is forced; ts-relayer uses fixed gas per message type.
// This sits between the two: the first transaction of a shape is simulated, later ones reuse the gas that shape
// really used, and running out of gas forgets the shape, simulates and sends once more.
import type { EncodeObject } from '@cosmjs/proto-signing';

/**
 * Extra room, on top of the gas multiplier, for shapes whose gas depends on what the receiving application does with
 * the packet (an ICA host executes the messages inside it): receipts. Fees are charged on the gas limit, so this
 * costs the operator this share more on those transactions' fees; client updates and acks, whose gas does not vary
 * with the packet's contents, get none.
 */
export const APP_GAS_MARGIN = 1.1;

/** Gas used by the last few transactions of a shape; the largest sizes the next one. */
const WINDOW = 4;

/** Message types whose gas does not depend on the packet's application logic. */
const STABLE = new Set(['/ibc.core.client.v1.MsgUpdateClient', '/ibc.core.channel.v1.MsgAcknowledgement', '/ibc.core.channel.v1.MsgTimeout']);

/** Size class of a byte length: steps of √2, so 300 and 400 bytes differ but 300 and 320 do not. */
function sizeClass(len: number): number {
  return Math.ceil(Math.log2(len + 1) * 2);
}

function bytesLength(v: unknown): number {
  return v instanceof Uint8Array ? v.length : 0;
}

/** One message's part of a shape: its type, and for packet messages the port and the size class of what gas depends on. */
function msgShape(m: EncodeObject): string {
  const name = m.typeUrl.slice(m.typeUrl.lastIndexOf('.') + 1);
  const v = m.value as Record<string, any> | undefined;
  switch (m.typeUrl) {
    case '/ibc.core.channel.v1.MsgRecvPacket':
      // The receiving application's work follows its port and, roughly, the packet data it is given.
      return `${name}:${v?.packet?.destinationPort}:${sizeClass(bytesLength(v?.packet?.data))}`;
    case '/ibc.core.channel.v1.MsgAcknowledgement':
      return `${name}:${v?.packet?.sourcePort}:${sizeClass(bytesLength(v?.acknowledgement))}`;
    case '/ibc.core.channel.v1.MsgTimeout':
      return `${name}:${v?.packet?.sourcePort}:${sizeClass(bytesLength(v?.packet?.data))}`;
    case '/ibc.core.client.v1.MsgUpdateClient':
      // A header's verification cost follows its validator sets and signatures, hence its size.
      return `${name}:${sizeClass(bytesLength(v?.clientMessage?.value))}`;
    default:
      return m.typeUrl;
  }
}

/** The shape of a transaction: its messages' shapes with their counts, in a fixed order. */
export function gasShape(msgs: readonly EncodeObject[]): string {
  const counts = new Map<string, number>();
  for (const m of msgs) {
    const s = msgShape(m);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([s, n]) => `${s}×${n}`)
    .join(',');
}

/** Whether a shape carries a message whose gas depends on the receiving application (see APP_GAS_MARGIN). */
export function hasAppGas(msgs: readonly EncodeObject[]): boolean {
  return msgs.some((m) => !STABLE.has(m.typeUrl));
}

export interface GasMemoryOptions {
  /** The chain's gas multiplier (gas_multiplier), applied to remembered gas as to simulated gas. */
  multiplier: number;
  /** The chain's max_gas: no limit goes above it. */
  maxGas: number;
}

/** Gas used per transaction shape, learnt from simulations and included transactions. */
export class GasMemory {
  private readonly used = new Map<string, number[]>();

  constructor(private readonly opts: GasMemoryOptions) {}

  /** The gas limit for `msgs` from what their shape used before, or undefined when it must be simulated. */
  limitFor(msgs: readonly EncodeObject[]): number | undefined {
    const seen = this.used.get(gasShape(msgs));
    if (!seen?.length) return undefined;
    return this.limit(Math.max(...seen), hasAppGas(msgs));
  }

  /** The gas limit for a simulated or remembered `used`: × the multiplier (and the app margin), capped at max_gas. */
  limit(used: number, appGas: boolean): number {
    return Math.min(Math.ceil(used * this.opts.multiplier * (appGas ? APP_GAS_MARGIN : 1)), this.opts.maxGas);
  }

  /** Records the gas a transaction of this shape used (simulated, or from its result). */
  record(msgs: readonly EncodeObject[], gasUsed: number): void {
    if (!(gasUsed > 0)) return;
    const key = gasShape(msgs);
    const seen = this.used.get(key) ?? [];
    seen.push(gasUsed);
    if (seen.length > WINDOW) seen.shift();
    this.used.set(key, seen);
  }

  /** Drops what this shape used: its next transaction is simulated. */
  forget(msgs: readonly EncodeObject[]): void {
    this.used.delete(gasShape(msgs));
  }
}

/** What one send attempt reports: the transaction's outcome, or that it ran out of gas (in CheckTx or in its block). */
export type SendOutcome<T> = { outOfGas: false; result: T; gasUsed?: number } | { outOfGas: true; error: Error };

/**
 * Sends `msgs` with a gas limit from `memory` when their shape is known, else from `simulate` (gas used, before the
 * multiplier). A remembered limit that runs out of gas is forgotten: the transaction is simulated and sent once
 * more. A transaction that ran out of gas applied nothing, so the resend cannot deliver a packet twice; a second
 * out-of-gas is thrown (as `send`'s error). Successful sends record their gas used.
 */
export async function sendWithGas<T>(
  memory: GasMemory,
  msgs: readonly EncodeObject[],
  simulate: () => Promise<number>,
  send: (gasLimit: number, remembered: boolean) => Promise<SendOutcome<T>>,
): Promise<T> {
  const remembered = memory.limitFor(msgs);
  let outcome: SendOutcome<T>;
  if (remembered !== undefined) {
    outcome = await send(remembered, true);
    if (!outcome.outOfGas) return finish(outcome);
    memory.forget(msgs);
  }
  const used = await simulate();
  memory.record(msgs, used);
  // A simulation is this transaction's own figure: no margin beyond the multiplier.
  outcome = await send(memory.limit(used, false), false);
  if (outcome.outOfGas) {
    memory.forget(msgs);
    throw outcome.error;
  }
  return finish(outcome);

  function finish(o: { result: T; gasUsed?: number }): T {
    if (o.gasUsed !== undefined) memory.record(msgs, o.gasUsed);
    return o.result;
  }
}
