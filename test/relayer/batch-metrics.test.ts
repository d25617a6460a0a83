import { describe, expect, it } from 'vitest';
import { batchMessages, scanEvents, isTimedOut, parseHeight, keys, packetKey } from '../../src/relayer/events.js';
import { RelayerMetrics } from '../../src/relayer/metrics.js';
import { merkleProofBytes, toTimestamp, toNanos, buildClientState, iavlSpec } from '../../src/relayer/lightclient.js';
import { MerkleProof } from 'cosmjs-types/ibc/core/commitment/v1/commitment';
import { CommitmentProof } from 'cosmjs-types/cosmos/ics23/v1/proofs';

const msg = (n: number) => ({ typeUrl: `/m.${n}`, value: n });
const upd = { typeUrl: '/ibc.core.client.v1.MsgUpdateClient', value: 'u' };

describe('batching', () => {
  it('puts the client update first and respects max_msg_num', () => {
    const b = batchMessages(
      [upd],
      Array.from({ length: 7 }, (_, i) => msg(i)),
      3,
    );
    expect(b.map((x) => x.map((m) => m.typeUrl))).toEqual([
      ['/ibc.core.client.v1.MsgUpdateClient', '/m.0', '/m.1'],
      ['/m.2', '/m.3', '/m.4'],
      ['/m.5', '/m.6'],
    ]);
    expect(b.every((x) => x.length <= 3)).toBe(true);
  });
  it('handles no update, a single slot and nothing to send', () => {
    expect(batchMessages([], [msg(1), msg(2)], 30)).toEqual([[msg(1), msg(2)]]);
    expect(batchMessages([upd], [msg(1), msg(2)], 1)).toEqual([[upd, msg(1)], [msg(2)]]);
    expect(batchMessages([upd], [], 5)).toEqual([[upd]]);
    expect(batchMessages([], [], 5)).toEqual([]);
    expect(() => batchMessages([], [msg(1)], 0)).toThrow();
  });
  it('keeps every message exactly once, in order', () => {
    for (let n = 0; n < 40; n++) {
      for (const max of [1, 2, 5, 30]) {
        const msgs = Array.from({ length: n }, (_, i) => msg(i));
        const flat = batchMessages([upd], msgs, max).flat();
        expect(flat.filter((m) => m !== upd)).toEqual(msgs);
      }
    }
  });
});

// Recorded from an ibc-go v10 chain (finalize_block_events / tx events as CometBFT 0.38 returns them).
const sendEvent = {
  type: 'send_packet',
  attributes: [
    { key: 'packet_data_hex', value: '7b7d' },
    { key: 'packet_timeout_height', value: '0-0' },
    { key: 'packet_timeout_timestamp', value: '1764000000000000000' },
    { key: 'packet_sequence', value: '7' },
    { key: 'packet_src_port', value: 'icacontroller-terra1abc' },
    { key: 'packet_src_channel', value: 'channel-0' },
    { key: 'packet_dst_port', value: 'icahost' },
    { key: 'packet_dst_channel', value: 'channel-1' },
    { key: 'packet_channel_ordering', value: 'ORDER_UNORDERED' },
    { key: 'packet_connection', value: 'connection-0' },
    { key: 'connection_id', value: 'connection-0' },
    { key: 'msg_index', value: '0' },
  ],
};

describe('events', () => {
  it('parses send_packet, write_acknowledgement and channel events', () => {
    const ack = { type: 'write_acknowledgement', attributes: [...sendEvent.attributes, { key: 'packet_ack_hex', value: '7b22726573756c74223a22227d' }] };
    const init = {
      type: 'channel_open_init',
      attributes: [
        { key: 'port_id', value: 'icacontroller-x' },
        { key: 'channel_id', value: 'channel-2' },
        { key: 'counterparty_port_id', value: 'icahost' },
        { key: 'connection_id', value: 'connection-0' },
      ],
    };
    const r = scanEvents([{ type: 'message', attributes: [] }, sendEvent, ack, init], 55);
    expect(r.sends).toHaveLength(1);
    expect(r.sends[0]).toMatchObject({ height: 55, ordering: 'ORDER_UNORDERED', connectionId: 'connection-0' });
    expect(r.sends[0].packet).toEqual({
      sequence: 7n,
      sourcePort: 'icacontroller-terra1abc',
      sourceChannel: 'channel-0',
      destinationPort: 'icahost',
      destinationChannel: 'channel-1',
      data: Uint8Array.from([0x7b, 0x7d]),
      timeoutHeight: { revisionNumber: 0n, revisionHeight: 0n },
      timeoutTimestamp: 1764000000000000000n,
    });
    expect(new TextDecoder().decode(r.acks[0].ack)).toBe('{"result":""}');
    expect(r.channels[0]).toMatchObject({ type: 'channel_open_init', portId: 'icacontroller-x', channelId: 'channel-2', connectionId: 'connection-0' });
    expect(packetKey(r.sends[0].packet)).toBe('icacontroller-terra1abc/channel-0/7');
  });
  it('builds ICS-24 keys', () => {
    expect(keys.commitment('icahost', 'channel-1', 3n)).toBe('commitments/ports/icahost/channels/channel-1/sequences/3');
    expect(keys.nextSequenceRecv('p', 'channel-0')).toBe('nextSequenceRecv/ports/p/channels/channel-0');
    expect(keys.channel('p', 'channel-0')).toBe('channelEnds/ports/p/channels/channel-0');
  });
  it('decides timeouts by height and by time', () => {
    const p = { timeoutHeight: parseHeight('1-100'), timeoutTimestamp: 0n };
    expect(isTimedOut(p, { revision: 1n, height: 99, timeNs: 0n })).toBe(false);
    expect(isTimedOut(p, { revision: 1n, height: 100, timeNs: 0n })).toBe(true);
    expect(isTimedOut(p, { revision: 2n, height: 1, timeNs: 0n })).toBe(true);
    const t = { timeoutHeight: parseHeight('0-0'), timeoutTimestamp: 1000n };
    expect(isTimedOut(t, { revision: 1n, height: 10 ** 6, timeNs: 999n })).toBe(false);
    expect(isTimedOut(t, { revision: 1n, height: 1, timeNs: 1000n })).toBe(true);
  });
});

describe('light client helpers', () => {
  it('keeps nanoseconds in timestamps', () => {
    const d = Object.assign(new Date(1_700_000_000_123), { nanoseconds: 456_789 });
    expect(toTimestamp(d)).toEqual({ seconds: 1_700_000_000n, nanos: 123_456_789 });
    expect(toNanos(d)).toBe(1_700_000_000_123_456_789n);
  });
  it('wraps the two ics23 ops of an abci_query proof as a MerkleProof', () => {
    const op = (k: string) => ({
      type: 'ics23:iavl',
      data: CommitmentProof.encode(CommitmentProof.fromPartial({ exist: { key: new TextEncoder().encode(k), value: Uint8Array.from([1]) } })).finish(),
    });
    const mp = MerkleProof.decode(merkleProofBytes([op('a'), op('ibc')]));
    expect(mp.proofs).toHaveLength(2);
    expect(new TextDecoder().decode(mp.proofs[1].exist!.key)).toBe('ibc');
    expect(() => merkleProofBytes([op('a')])).toThrow(/2 proof ops/);
  });
  it('builds a 07-tendermint client state with SDK proof specs', () => {
    const cs = buildClientState({ chainId: 'lunc-1', revision: 1n, latestHeight: 10, trustingPeriodS: 1209600, unbondingPeriodS: 1814400, clockDriftS: 10 });
    expect(cs.trustLevel).toEqual({ numerator: 1n, denominator: 3n });
    expect(cs.latestHeight).toEqual({ revisionNumber: 1n, revisionHeight: 10n });
    expect(cs.proofSpecs[0]).toEqual(iavlSpec);
    expect(cs.upgradePath).toEqual(['upgrade', 'upgradedIBCState']);
  });
});

describe('metrics', () => {
  it('renders Prometheus text exposition', async () => {
    const m = new RelayerMetrics();
    m.packetsRelayed.inc({ src_chain: 'lunc-1', dst_chain: 'mlchain-1', src_channel: 'channel-0' });
    m.packetsRelayed.inc({ src_chain: 'lunc-1', dst_chain: 'mlchain-1', src_channel: 'channel-0' }, 2);
    m.walletBalance.set({ chain: 'lunc-1', denom: 'uluna' }, 1234);
    m.submitToReceive.observe({ src_chain: 'a', dst_chain: 'b' }, 2.5);
    m.submitToReceive.observe({ src_chain: 'a', dst_chain: 'b' }, 100);
    m.txErrors.inc({ chain: 'we"ird\\' });
    const t = m.render();
    expect(t).toContain('# TYPE packets_relayed_total counter');
    expect(t).toContain('packets_relayed_total{dst_chain="mlchain-1",src_chain="lunc-1",src_channel="channel-0"} 3');
    expect(t).toContain('# TYPE wallet_balance gauge\nwallet_balance{chain="lunc-1",denom="uluna"} 1234');
    expect(t).toContain('submit_to_receive_seconds_bucket{dst_chain="b",le="2",src_chain="a"} 0');
    expect(t).toContain('submit_to_receive_seconds_bucket{dst_chain="b",le="3",src_chain="a"} 1');
    expect(t).toContain('submit_to_receive_seconds_bucket{dst_chain="b",le="+Inf",src_chain="a"} 2');
    expect(t).toContain('submit_to_receive_seconds_sum{dst_chain="b",src_chain="a"} 102.5');
    expect(t).toContain('submit_to_receive_seconds_count{dst_chain="b",src_chain="a"} 2');
    expect(t).toContain('tx_errors_total{chain="we\\"ird\\\\"} 1');
    for (const name of ['acks_relayed_total', 'timeouts_relayed_total', 'client_updates_total', 'backlog_size']) expect(t).toContain(`# TYPE ${name} `);
    expect(() => m.txErrors.inc({}, -1)).toThrow();

    const server = await m.serve('127.0.0.1', 0);
    try {
      const addr = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${addr.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await res.text()).toContain('packets_relayed_total');
      expect((await fetch(`http://127.0.0.1:${addr.port}/other`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});
