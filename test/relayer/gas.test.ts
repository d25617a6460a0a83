import { describe, expect, it } from 'vitest';
import type { EncodeObject } from '@cosmjs/proto-signing';
import { MsgRecvPacket, MsgAcknowledgement } from 'cosmjs-types/ibc/core/channel/v1/tx';
import { MsgUpdateClient } from 'cosmjs-types/ibc/core/client/v1/tx';
import { APP_GAS_MARGIN, GasMemory, gasShape, sendWithGas, type SendOutcome } from '../../src/relayer/gas.js';

const packet = (seq: number, dataLen: number, port = 'icahost') => ({
  sequence: BigInt(seq),
  sourcePort: 'icacontroller-terra1owner',
  sourceChannel: 'channel-1',
  destinationPort: port,
  destinationChannel: 'channel-2',
  data: new Uint8Array(dataLen).fill(7),
  timeoutHeight: { revisionNumber: 0n, revisionHeight: 0n },
  timeoutTimestamp: 1n,
});
const recv = (seq: number, dataLen = 300, port?: string): EncodeObject => ({
  typeUrl: '/ibc.core.channel.v1.MsgRecvPacket',
  value: MsgRecvPacket.fromPartial({ packet: packet(seq, dataLen, port), proofCommitment: new Uint8Array(500), signer: 'ml1relayer' }),
});
const ack = (seq: number): EncodeObject => ({
  typeUrl: '/ibc.core.channel.v1.MsgAcknowledgement',
  value: MsgAcknowledgement.fromPartial({ packet: packet(seq, 300), acknowledgement: new Uint8Array(40), signer: 'terra1relayer' }),
});
const update = (headerLen = 1200): EncodeObject => ({
  typeUrl: '/ibc.core.client.v1.MsgUpdateClient',
  value: MsgUpdateClient.fromPartial({ clientId: '07-tendermint-0', clientMessage: { typeUrl: '/ibc.lightclients.tendermint.v1.Header', value: new Uint8Array(headerLen) }, signer: 'x' }),
});

/** A chain stand-in that records what was simulated and sent; a send runs out of gas below `needs`. */
function chain(needs: number, simulated = needs) {
  const log: string[] = [];
  return {
    log,
    needs,
    simulate: async () => {
      log.push('simulate');
      return simulated;
    },
    send: async (gas: number, remembered: boolean): Promise<SendOutcome<string>> => {
      log.push(`send ${gas}${remembered ? ' remembered' : ''}`);
      if (gas < needs) return { outOfGas: true, error: new Error(`out of gas: ${gas} < ${needs}`) };
      return { outOfGas: false, result: `ok ${gas}`, gasUsed: needs };
    },
  };
}

describe('gas shape of a transaction', () => {
  it('is the same for receipts of one port and packet size class, whatever their sequence, proofs or order', () => {
    expect(gasShape([update(), recv(1, 300)])).toBe(gasShape([update(), recv(9, 310)]));
    expect(gasShape([update(), recv(1), recv(2)])).toBe(gasShape([recv(3), update(), recv(4)]));
  });
  it('differs with message counts, the receiving port, packet size class and header size class', () => {
    const base = gasShape([update(), recv(1, 300)]);
    expect(gasShape([update(), recv(1, 300), recv(2, 300)])).not.toBe(base);
    expect(gasShape([recv(1, 300)])).not.toBe(base);
    expect(gasShape([update(), recv(1, 300, 'transfer')])).not.toBe(base);
    expect(gasShape([update(), recv(1, 600)])).not.toBe(base);
    expect(gasShape([update(3000), recv(1, 300)])).not.toBe(base);
    expect(gasShape([update(), ack(1)])).not.toBe(base);
  });
});

describe('remembered gas', () => {
  const opts = { multiplier: 1.3, maxGas: 4_000_000 };

  it('simulates the first transaction of a shape and sends the next ones at its gas used × multiplier × margin, without simulating', async () => {
    const mem = new GasMemory(opts);
    const c = chain(180_000);
    expect(await sendWithGas(mem, [update(), recv(1)], c.simulate, c.send)).toBe('ok 234000');
    const remembered = Math.ceil(180_000 * 1.3 * APP_GAS_MARGIN);
    expect(await sendWithGas(mem, [update(), recv(2)], c.simulate, c.send)).toBe(`ok ${remembered}`);
    expect(c.log).toEqual(['simulate', 'send 234000', `send ${remembered} remembered`]);
  });

  it('adds no margin to client updates and acks, and never exceeds max_gas', () => {
    const mem = new GasMemory(opts);
    mem.record([update(), ack(1)], 130_000);
    expect(mem.limitFor([update(), ack(2)])).toBe(Math.ceil(130_000 * 1.3));
    mem.record([update(), recv(1)], 130_000);
    expect(mem.limitFor([update(), recv(2)])).toBe(Math.ceil(130_000 * 1.3 * APP_GAS_MARGIN));
    const small = new GasMemory({ multiplier: 1.3, maxGas: 150_000 });
    small.record([update(), recv(1)], 130_000);
    expect(small.limitFor([update(), recv(2)])).toBe(150_000);
  });

  it('sizes from the largest of the last few transactions of the shape, refreshed from their gas used', () => {
    const mem = new GasMemory(opts);
    const shape = [update(), ack(1)];
    for (const used of [100_000, 120_000, 110_000]) mem.record(shape, used);
    expect(mem.limitFor(shape)).toBe(Math.ceil(120_000 * 1.3));
    for (const used of [100_000, 100_000, 100_000, 100_000]) mem.record(shape, used);
    expect(mem.limitFor(shape)).toBe(Math.ceil(100_000 * 1.3));
  });

  it('out of gas at the remembered limit: forgets the shape, simulates and sends exactly once more', async () => {
    const mem = new GasMemory(opts);
    mem.record([update(), recv(1)], 100_000);
    // This packet's host execution costs far more than the last one of its shape.
    const c = chain(300_000);
    expect(await sendWithGas(mem, [update(), recv(2)], c.simulate, c.send)).toBe(`ok ${Math.ceil(300_000 * 1.3)}`);
    expect(c.log).toEqual([`send ${Math.ceil(100_000 * 1.3 * APP_GAS_MARGIN)} remembered`, 'simulate', `send ${Math.ceil(300_000 * 1.3)}`]);
    // What the resend used is what the shape remembers now.
    expect(mem.limitFor([update(), recv(3)])).toBe(Math.ceil(300_000 * 1.3 * APP_GAS_MARGIN));
  });

  it('a second out of gas is thrown, not retried again, and the shape is simulated next time', async () => {
    const mem = new GasMemory(opts);
    mem.record([update(), recv(1)], 100_000);
    // The simulation underestimates: even the simulated limit runs out.
    const c = chain(500_000, 200_000);
    await expect(sendWithGas(mem, [update(), recv(2)], c.simulate, c.send)).rejects.toThrow(/out of gas/);
    expect(c.log.filter((l) => l.startsWith('send'))).toHaveLength(2);
    expect(mem.limitFor([update(), recv(3)])).toBeUndefined();
  });

  it('out of gas on a simulated limit is thrown without a resend', async () => {
    const mem = new GasMemory(opts);
    const c = chain(500_000, 200_000);
    await expect(sendWithGas(mem, [update(), recv(1)], c.simulate, c.send)).rejects.toThrow(/out of gas/);
    expect(c.log).toEqual(['simulate', `send ${Math.ceil(200_000 * 1.3)}`]);
  });
});
