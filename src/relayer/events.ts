// Pure helpers: IBC packets from block/tx events, ICS-24 store keys, batching. No I/O here (unit-tested).
import type { EncodeObject } from '@cosmjs/proto-signing';
import type { Packet } from 'cosmjs-types/ibc/core/channel/v1/channel';
import type { Height } from 'cosmjs-types/ibc/core/client/v1/client';

export interface RawEvent {
  readonly type: string;
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: string }>;
}

export interface SentPacket {
  packet: Packet;
  /** Height of the block whose state holds the commitment (the send_packet block). */
  height: number;
  ordering: string;
  connectionId: string;
  /** Block time of the send, ms since epoch, when known. */
  sentAtMs?: number;
}

export interface WrittenAck {
  packet: Packet;
  ack: Uint8Array;
  /** Height on the receiving chain where the ack was written. */
  height: number;
  connectionId: string;
}

export interface ChannelEvent {
  type: string;
  portId: string;
  channelId: string;
  counterpartyPortId: string;
  counterpartyChannelId: string;
  connectionId: string;
  height: number;
}

export function attrs(ev: RawEvent): Record<string, string> {
  const o: Record<string, string> = {};
  for (const a of ev.attributes) o[a.key] = a.value;
  return o;
}

export function parseHeight(s: string | undefined): Height {
  const m = /^(\d+)-(\d+)$/.exec(s ?? '');
  return m ? { revisionNumber: BigInt(m[1]), revisionHeight: BigInt(m[2]) } : { revisionNumber: 0n, revisionHeight: 0n };
}

function hexBytes(s: string | undefined): Uint8Array {
  return s ? Uint8Array.from(Buffer.from(s, 'hex')) : new Uint8Array();
}

export function packetFromAttrs(a: Record<string, string>): Packet | undefined {
  if (!a.packet_sequence || !a.packet_src_port || !a.packet_src_channel) return undefined;
  return {
    sequence: BigInt(a.packet_sequence),
    sourcePort: a.packet_src_port,
    sourceChannel: a.packet_src_channel,
    destinationPort: a.packet_dst_port ?? '',
    destinationChannel: a.packet_dst_channel ?? '',
    data: hexBytes(a.packet_data_hex),
    timeoutHeight: parseHeight(a.packet_timeout_height),
    timeoutTimestamp: BigInt(a.packet_timeout_timestamp || '0'),
  };
}

export interface ScannedEvents {
  sends: SentPacket[];
  acks: WrittenAck[];
  channels: ChannelEvent[];
}

const channelEventTypes = new Set([
  'channel_open_init',
  'channel_open_try',
  'channel_open_ack',
  'channel_open_confirm',
  'channel_close_init',
  'channel_close_confirm',
  'channel_close',
  'timeout_packet',
]);

/** IBC events in one block: pass tx events and `finalize_block_events` together. */
export function scanEvents(events: readonly RawEvent[], height: number): ScannedEvents {
  const out: ScannedEvents = { sends: [], acks: [], channels: [] };
  for (const ev of events) {
    if (ev.type === 'send_packet') {
      const a = attrs(ev);
      const packet = packetFromAttrs(a);
      if (packet) out.sends.push({ packet, height, ordering: a.packet_channel_ordering ?? '', connectionId: a.connection_id ?? a.packet_connection ?? '' });
    } else if (ev.type === 'write_acknowledgement') {
      const a = attrs(ev);
      const packet = packetFromAttrs(a);
      if (packet) out.acks.push({ packet, ack: hexBytes(a.packet_ack_hex), height, connectionId: a.connection_id ?? a.packet_connection ?? '' });
    } else if (channelEventTypes.has(ev.type)) {
      const a = attrs(ev);
      out.channels.push({
        type: ev.type,
        portId: a.port_id ?? a.packet_src_port ?? '',
        channelId: a.channel_id ?? a.packet_src_channel ?? '',
        counterpartyPortId: a.counterparty_port_id ?? a.packet_dst_port ?? '',
        counterpartyChannelId: a.counterparty_channel_id ?? a.packet_dst_channel ?? '',
        connectionId: a.connection_id ?? a.packet_connection ?? '',
        height,
      });
    }
  }
  return out;
}

export function packetKey(p: Pick<Packet, 'sourcePort' | 'sourceChannel' | 'sequence'>): string {
  return `${p.sourcePort}/${p.sourceChannel}/${p.sequence}`;
}

// ICS-24 store keys under the "ibc" store.
export const keys = {
  connection: (id: string) => `connections/${id}`,
  channel: (port: string, chan: string) => `channelEnds/ports/${port}/channels/${chan}`,
  commitment: (port: string, chan: string, seq: bigint) => `commitments/ports/${port}/channels/${chan}/sequences/${seq}`,
  ack: (port: string, chan: string, seq: bigint) => `acks/ports/${port}/channels/${chan}/sequences/${seq}`,
  receipt: (port: string, chan: string, seq: bigint) => `receipts/ports/${port}/channels/${chan}/sequences/${seq}`,
  nextSequenceRecv: (port: string, chan: string) => `nextSequenceRecv/ports/${port}/channels/${chan}`,
};

/**
 * Splits messages into transactions of at most `maxMsgNum` messages; the client updates go first in the first
 * transaction (later ones reuse the consensus state it created).
 */
export function batchMessages(updates: EncodeObject[], msgs: EncodeObject[], maxMsgNum: number): EncodeObject[][] {
  if (maxMsgNum < 1) throw new Error('maxMsgNum must be at least 1');
  if (msgs.length === 0) return updates.length ? [updates] : [];
  const out: EncodeObject[][] = [];
  let i = 0;
  const firstRoom = Math.max(1, maxMsgNum - updates.length);
  out.push([...updates, ...msgs.slice(0, firstRoom)]);
  i = firstRoom;
  while (i < msgs.length) {
    out.push(msgs.slice(i, i + maxMsgNum));
    i += maxMsgNum;
  }
  return out;
}

/** Is this packet past its timeout on a chain whose latest header has this height and time? */
export function isTimedOut(p: Pick<Packet, 'timeoutHeight' | 'timeoutTimestamp'>, dst: { revision: bigint; height: number; timeNs: bigint }): boolean {
  const th = p.timeoutHeight;
  if (th && th.revisionHeight > 0n) {
    if (dst.revision > th.revisionNumber || (dst.revision === th.revisionNumber && BigInt(dst.height) >= th.revisionHeight)) return true;
  }
  return p.timeoutTimestamp > 0n && dst.timeNs >= p.timeoutTimestamp;
}
