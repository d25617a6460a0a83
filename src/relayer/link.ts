// A link between two chains: the pair of 07-tendermint clients, the connection over them, and the work
// that crosses it (client updates, connection and channel handshakes, packets, acks, timeouts).
import type { EncodeObject } from '@cosmjs/proto-signing';
import type { DeliverTxResponse } from '@cosmjs/stargate';
import { MsgCreateClient } from 'cosmjs-types/ibc/core/client/v1/tx';
import { Any } from 'cosmjs-types/google/protobuf/any';
import { ClientState, ConsensusState } from 'cosmjs-types/ibc/lightclients/tendermint/v1/tendermint';
import { MsgConnectionOpenInit, MsgConnectionOpenTry, MsgConnectionOpenAck, MsgConnectionOpenConfirm } from 'cosmjs-types/ibc/core/connection/v1/tx';
import { State as ConnState } from 'cosmjs-types/ibc/core/connection/v1/connection';
import {
  MsgChannelOpenInit,
  MsgChannelOpenTry,
  MsgChannelOpenAck,
  MsgChannelOpenConfirm,
  MsgChannelCloseConfirm,
  MsgRecvPacket,
  MsgAcknowledgement,
  MsgTimeout,
} from 'cosmjs-types/ibc/core/channel/v1/tx';
import { State as ChanState, Order, type IdentifiedChannel, type Packet } from 'cosmjs-types/ibc/core/channel/v1/channel';
import type { Height } from 'cosmjs-types/ibc/core/client/v1/client';
import { ChainError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ChainEndpoint } from './endpoint.js';
import { buildClientState, buildConsensusState } from './lightclient.js';
import { batchMessages, keys, type SentPacket, type WrittenAck } from './events.js';
import type { RelayerMetrics } from './metrics.js';

export const CONNECTION_VERSION = { identifier: '1', features: ['ORDER_ORDERED', 'ORDER_UNORDERED'] };
const PREFIX = { keyPrefix: new TextEncoder().encode('ibc') };

export function eventValue(res: Pick<DeliverTxResponse, 'events'>, type: string, key: string): string | undefined {
  for (const ev of res.events) if (ev.type === type) for (const a of ev.attributes) if (a.key === key) return a.value;
  return undefined;
}

/** Creates on `host` a 07-tendermint client that tracks `target`. Returns the client id. */
export async function createClient(host: ChainEndpoint, target: ChainEndpoint, logger: Logger): Promise<string> {
  const latest = await target.latest();
  const h = latest.height;
  const [commit, unbonding] = await Promise.all([target.commit(h), target.unbondingPeriodS()]);
  const trusting = target.config.trustingPeriodS > 0 ? target.config.trustingPeriodS : Math.floor((unbonding * 2) / 3);
  if (trusting >= unbonding)
    throw new ChainError('bad_trusting_period', `trusting_period of ${target.chainId} (${trusting}s) must be shorter than its unbonding period (${unbonding}s)`, { chainId: target.chainId });
  const clientState = buildClientState({
    chainId: target.chainId,
    revision: target.revision,
    latestHeight: h,
    trustingPeriodS: trusting,
    unbondingPeriodS: unbonding,
    clockDriftS: target.config.clockDriftS,
  });
  const consensusState = buildConsensusState(commit.header);
  const msg: EncodeObject = {
    typeUrl: '/ibc.core.client.v1.MsgCreateClient',
    value: MsgCreateClient.fromPartial({
      clientState: { typeUrl: '/ibc.lightclients.tendermint.v1.ClientState', value: ClientState.encode(clientState).finish() },
      consensusState: { typeUrl: '/ibc.lightclients.tendermint.v1.ConsensusState', value: ConsensusState.encode(consensusState).finish() },
      signer: host.address,
    }),
  };
  const res = await host.submit([msg]);
  const clientId = eventValue(res, 'create_client', 'client_id');
  if (!clientId) throw new ChainError('no_client_id', `${host.chainId}: MsgCreateClient succeeded but emitted no client_id`, { chainId: host.chainId, txHash: res.transactionHash });
  logger.info('client created', { host: host.chainId, tracks: target.chainId, clientId, height: h, trustingPeriodS: trusting });
  return clientId;
}

export interface Side {
  ep: ChainEndpoint;
  /** Client on this chain that tracks the other chain. */
  clientId: string;
  connectionId?: string;
  /** This chain's end of the ICS-20 transfer channel, when known. */
  transferChannel?: string;
}

export interface Candidates {
  /** Packets sent by the keyed chain, not yet known to be received or timed out. */
  sends: Map<string, SentPacket>;
  /** Acks written on the keyed chain for packets from the other chain. */
  acks: Map<string, WrittenAck>;
}

export class Link {
  /** Handshake steps that failed: key → {next retry time, delay}. A refused Try (e.g. a duplicate ICA
   *  registration) is retried with a growing delay rather than on every pass. */
  private readonly backoff = new Map<string, { at: number; delayMs: number }>();

  constructor(
    readonly a: Side,
    readonly b: Side,
    private readonly logger: Logger,
    private readonly metrics?: RelayerMetrics,
  ) {}

  other(s: Side): Side {
    return s === this.a ? this.b : this.a;
  }

  side(chainId: string): Side {
    if (this.a.ep.chainId === chainId) return this.a;
    if (this.b.ep.chainId === chainId) return this.b;
    throw new Error(`chain ${chainId} is not on this link`);
  }

  /** The client on `dst` of `src`, at a height ≥ minHeight; returns the update messages (maybe none) and the proof height to use. */
  async prepareUpdate(src: Side, minHeight: number, opts: { fresh?: boolean } = {}): Promise<{ updates: EncodeObject[]; proofHeight: number }> {
    const plan = await this.planUpdate(src, minHeight, opts);
    return { updates: await plan.updates, proofHeight: plan.proofHeight };
  }

  /**
   * Picks the proof height now and builds the client update in the background: the header of that height may not
   * exist yet (it is awaited), but the state it proves does, so callers query their proofs meanwhile.
   */
  async planUpdate(src: Side, minHeight: number, opts: { fresh?: boolean } = {}): Promise<{ updates: Promise<EncodeObject[]>; proofHeight: number }> {
    const dst = this.other(src);
    const cs = await dst.ep.query.ibc.client.stateTm(dst.clientId);
    const trusted: Height = cs.latestHeight ?? { revisionNumber: src.ep.revision, revisionHeight: 0n };
    const trustedH = Number(trusted.revisionHeight);
    if (!opts.fresh && trustedH >= minHeight) return { updates: Promise.resolve([]), proofHeight: trustedH };
    const latest = await src.ep.latestFast();
    const h = Math.max(latest.height, minHeight, trustedH + 1);
    const updates = src.ep.updateClientMsg(dst.clientId, trusted, h, dst.ep.address).then((m) => [m]);
    // Rejections surface where `updates` is awaited; a caller that fails first must not leave one unhandled.
    updates.catch(() => undefined);
    return { updates, proofHeight: h };
  }

  /** Updates the client on `dst` of `src` to src's latest height now. */
  async updateClient(src: Side): Promise<number> {
    const dst = this.other(src);
    const { updates, proofHeight } = await this.prepareUpdate(src, 0, { fresh: true });
    if (updates.length) {
      await dst.ep.submit(updates);
      this.metrics?.clientUpdates.inc({ chain: dst.ep.chainId, client: dst.clientId });
      this.logger.debug('client updated', { host: dst.ep.chainId, clientId: dst.clientId, height: proofHeight });
    }
    return proofHeight;
  }

  private async submitWithUpdate(dst: Side, updates: EncodeObject[], msgs: EncodeObject[]): Promise<DeliverTxResponse[]> {
    const out: DeliverTxResponse[] = [];
    const batches = batchMessages(updates, msgs, dst.ep.config.maxMsgNum);
    for (const b of batches) {
      out.push(await dst.ep.submit(b));
      if (b === batches[0] && updates.length) this.metrics?.clientUpdates.inc({ chain: dst.ep.chainId, client: dst.clientId }, updates.length);
    }
    return out;
  }

  // ---------------------------------------------------------------- connection handshake

  /**
   * The fields ibc-go ≤ v8 verifies in ConnOpenTry/Ack: the client state `s` holds of the other chain, its
   * latest consensus state, and proofs of both at `proofHeight`. ibc-go v10 ignores them (deprecated), so they
   * are best effort: a failure leaves them out. (Not yet exercised against a v7/v8 chain.)
   */
  private async clientProofs(s: Side, proofHeight: number): Promise<Partial<Pick<MsgConnectionOpenTry, 'clientState' | 'proofClient' | 'proofConsensus' | 'consensusHeight'>>> {
    try {
      const cs = await s.ep.proveAt(`clients/${s.clientId}/clientState`, proofHeight);
      const any = Any.decode(cs.value);
      const h = ClientState.decode(any.value).latestHeight;
      if (!h) return {};
      const cons = await s.ep.proveAt(`clients/${s.clientId}/consensusStates/${h.revisionNumber}-${h.revisionHeight}`, proofHeight);
      return { clientState: any, proofClient: cs.proof, proofConsensus: cons.proof, consensusHeight: h };
    } catch (e) {
      this.logger.debug('client state proofs unavailable; sending the connection handshake without them', { chain: s.ep.chainId, error: (e as Error).message });
      return {};
    }
  }

  /** Init on a, Try on b, Ack on a, Confirm on b. Returns both connection ids. */
  async createConnection(): Promise<{ a: string; b: string }> {
    const { a, b } = this;
    const init = await a.ep.submit([
      {
        typeUrl: '/ibc.core.connection.v1.MsgConnectionOpenInit',
        value: MsgConnectionOpenInit.fromPartial({
          clientId: a.clientId,
          counterparty: { clientId: b.clientId, connectionId: '', prefix: PREFIX },
          version: CONNECTION_VERSION,
          delayPeriod: 0n,
          signer: a.ep.address,
        }),
      },
    ]);
    const connA = eventValue(init, 'connection_open_init', 'connection_id');
    if (!connA) throw new ChainError('no_connection_id', `${a.ep.chainId}: ConnectionOpenInit emitted no connection_id`, { chainId: a.ep.chainId });
    this.logger.info('connection init', { chain: a.ep.chainId, connectionId: connA });
    a.connectionId = connA;

    let u = await this.prepareUpdate(a, init.height + 1, { fresh: true });
    let p = await a.ep.proveAt(keys.connection(connA), u.proofHeight);
    const tryProofs = await this.clientProofs(a, u.proofHeight);
    const tryRes = await this.submitWithUpdate(b, u.updates, [
      {
        typeUrl: '/ibc.core.connection.v1.MsgConnectionOpenTry',
        value: MsgConnectionOpenTry.fromPartial({
          clientId: b.clientId,
          counterparty: { clientId: a.clientId, connectionId: connA, prefix: PREFIX },
          delayPeriod: 0n,
          counterpartyVersions: [CONNECTION_VERSION],
          proofHeight: p.proofHeight,
          proofInit: p.proof,
          ...tryProofs,
          signer: b.ep.address,
        }),
      },
    ]);
    const tryTx = tryRes[tryRes.length - 1];
    const connB = eventValue(tryTx, 'connection_open_try', 'connection_id');
    if (!connB) throw new ChainError('no_connection_id', `${b.ep.chainId}: ConnectionOpenTry emitted no connection_id`, { chainId: b.ep.chainId });
    this.logger.info('connection try', { chain: b.ep.chainId, connectionId: connB });
    b.connectionId = connB;

    u = await this.prepareUpdate(b, tryTx.height + 1, { fresh: true });
    p = await b.ep.proveAt(keys.connection(connB), u.proofHeight);
    const ackProofs = await this.clientProofs(b, u.proofHeight);
    const ackRes = await this.submitWithUpdate(a, u.updates, [
      {
        typeUrl: '/ibc.core.connection.v1.MsgConnectionOpenAck',
        value: MsgConnectionOpenAck.fromPartial({
          connectionId: connA,
          counterpartyConnectionId: connB,
          version: CONNECTION_VERSION,
          proofHeight: p.proofHeight,
          proofTry: p.proof,
          ...ackProofs,
          signer: a.ep.address,
        }),
      },
    ]);
    this.logger.info('connection ack', { chain: a.ep.chainId, connectionId: connA });

    u = await this.prepareUpdate(a, ackRes[ackRes.length - 1].height + 1, { fresh: true });
    p = await a.ep.proveAt(keys.connection(connA), u.proofHeight);
    await this.submitWithUpdate(b, u.updates, [
      {
        typeUrl: '/ibc.core.connection.v1.MsgConnectionOpenConfirm',
        value: MsgConnectionOpenConfirm.fromPartial({ connectionId: connB, proofAck: p.proof, proofHeight: p.proofHeight, signer: b.ep.address }),
      },
    ]);
    this.logger.info('connection open', { [a.ep.chainId]: connA, [b.ep.chainId]: connB });
    return { a: connA, b: connB };
  }

  /** True when both ends are OPEN and point at each other over these clients. */
  async connectionOpen(): Promise<boolean> {
    if (!this.a.connectionId || !this.b.connectionId) return false;
    try {
      const [ca, cb] = await Promise.all([this.a.ep.query.ibc.connection.connection(this.a.connectionId), this.b.ep.query.ibc.connection.connection(this.b.connectionId)]);
      return (
        ca.connection?.state === ConnState.STATE_OPEN &&
        cb.connection?.state === ConnState.STATE_OPEN &&
        ca.connection.clientId === this.a.clientId &&
        cb.connection.clientId === this.b.clientId &&
        ca.connection.counterparty?.connectionId === this.b.connectionId &&
        cb.connection.counterparty?.connectionId === this.a.connectionId
      );
    } catch {
      return false;
    }
  }

  // ---------------------------------------------------------------- channel handshakes

  async channels(s: Side): Promise<IdentifiedChannel[]> {
    if (!s.connectionId) return [];
    return (await s.ep.query.ibc.channel.allConnectionChannels(s.connectionId)).channels;
  }

  /**
   * Moves every channel handshake on this connection one step forward, whichever side started it:
   * INIT→Try, TRYOPEN→Ack, OPEN(after ack)→Confirm, and CLOSED→CloseConfirm on the other end.
   * Returns the number of steps taken.
   */
  async stepChannels(): Promise<number> {
    const [chA, chB] = await Promise.all([this.channels(this.a), this.channels(this.b)]);
    let steps = 0;
    steps += await this.stepChannelsFrom(this.a, chA, chB);
    steps += await this.stepChannelsFrom(this.b, chB, chA);
    return steps;
  }

  private async stepChannelsFrom(src: Side, mine: IdentifiedChannel[], theirs: IdentifiedChannel[]): Promise<number> {
    let steps = 0;
    // The other end: named by our counterparty when we know it, else the one that names us (a Try already done).
    const findPeer = (c: IdentifiedChannel) =>
      c.counterparty.channelId
        ? theirs.find((t) => t.portId === c.counterparty.portId && t.channelId === c.counterparty.channelId)
        : theirs.find((t) => t.counterparty.portId === c.portId && t.counterparty.channelId === c.channelId && t.portId === c.counterparty.portId);
    // Channel states were read at or below the current height: proofs must come from a later block.
    const observed = mine.length ? (await src.ep.latest()).height : 0;
    for (const c of mine) {
      const peer = findPeer(c);
      const bkey = `${src.ep.chainId}/${c.portId}/${c.channelId}/${c.state}`;
      const b = this.backoff.get(bkey);
      if (b && Date.now() < b.at) continue;
      try {
        if (c.state === ChanState.STATE_INIT && !c.counterparty.channelId && !peer) {
          // Started here (e.g. MsgRegisterInterchainAccount): open the other end.
          await this.chanTry(src, c, observed + 1);
          steps++;
        } else if (c.state === ChanState.STATE_TRYOPEN && peer && peer.state === ChanState.STATE_INIT) {
          await this.chanAck(src, c, peer, observed + 1);
          steps++;
        } else if (c.state === ChanState.STATE_OPEN && peer && peer.state === ChanState.STATE_TRYOPEN && c.counterparty.channelId === peer.channelId) {
          await this.chanConfirm(src, c, peer, observed + 1);
          steps++;
        } else if (c.state === ChanState.STATE_CLOSED && peer && peer.state === ChanState.STATE_OPEN && c.counterparty.channelId === peer.channelId) {
          // Closed here (e.g. an ORDERED ICA channel after a timeout): close the other end too.
          await this.chanCloseConfirm(src, c, peer, observed + 1);
          steps++;
        }
      } catch (e) {
        const delayMs = Math.min((b?.delayMs ?? 1000) * 2, 120_000);
        this.backoff.set(bkey, { at: Date.now() + delayMs, delayMs });
        this.logger.warn('channel handshake step failed; will retry', { chain: src.ep.chainId, portId: c.portId, channelId: c.channelId, retryInS: delayMs / 1000, error: (e as Error).message });
      }
    }
    return steps;
  }

  /** Proof of src's channel end `c` at a height ≥ minHeight, with the client update that makes it checkable on the other chain. */
  private async channelProof(src: Side, c: IdentifiedChannel, minHeight: number) {
    const { updates, proofHeight } = await this.prepareUpdate(src, minHeight, { fresh: true });
    const p = await src.ep.proveAt(keys.channel(c.portId, c.channelId), proofHeight);
    return { updates, p };
  }

  /** ChanOpenTry on the other chain for src's INIT end `c`. Returns the new channel id there. */
  private async chanTry(src: Side, c: IdentifiedChannel, minHeight: number): Promise<{ channelId: string; height: number }> {
    const dst = this.other(src);
    const { updates, p } = await this.channelProof(src, c, minHeight);
    const res = await this.submitWithUpdate(dst, updates, [
      {
        typeUrl: '/ibc.core.channel.v1.MsgChannelOpenTry',
        value: MsgChannelOpenTry.fromPartial({
          portId: c.counterparty.portId,
          channel: { state: ChanState.STATE_TRYOPEN, ordering: c.ordering, counterparty: { portId: c.portId, channelId: c.channelId }, connectionHops: [dst.connectionId!], version: c.version },
          counterpartyVersion: c.version,
          proofInit: p.proof,
          proofHeight: p.proofHeight,
          signer: dst.ep.address,
        }),
      },
    ]);
    const last = res[res.length - 1];
    const channelId = eventValue(last, 'channel_open_try', 'channel_id');
    if (!channelId) throw new ChainError('no_channel_id', `${dst.ep.chainId}: ChannelOpenTry emitted no channel_id`, { chainId: dst.ep.chainId, txHash: last.transactionHash });
    this.logger.info('channel try', { chain: dst.ep.chainId, portId: c.counterparty.portId, channelId, counterparty: `${c.portId}/${c.channelId}` });
    return { channelId, height: last.height };
  }

  /** ChanOpenAck on the other chain's INIT end `peer`, with src's TRYOPEN end's (possibly host-modified) version. */
  private async chanAck(src: Side, c: IdentifiedChannel, peer: IdentifiedChannel, minHeight: number): Promise<number> {
    const dst = this.other(src);
    const { updates, p } = await this.channelProof(src, c, minHeight);
    const res = await this.submitWithUpdate(dst, updates, [
      {
        typeUrl: '/ibc.core.channel.v1.MsgChannelOpenAck',
        value: MsgChannelOpenAck.fromPartial({
          portId: peer.portId,
          channelId: peer.channelId,
          counterpartyChannelId: c.channelId,
          counterpartyVersion: c.version,
          proofTry: p.proof,
          proofHeight: p.proofHeight,
          signer: dst.ep.address,
        }),
      },
    ]);
    this.logger.info('channel ack', { chain: dst.ep.chainId, portId: peer.portId, channelId: peer.channelId, version: c.version });
    return res[res.length - 1].height;
  }

  /** ChanOpenConfirm on the other chain's TRYOPEN end `peer`, once src's end `c` is OPEN. */
  private async chanConfirm(src: Side, c: IdentifiedChannel, peer: IdentifiedChannel, minHeight: number): Promise<void> {
    const dst = this.other(src);
    const { updates, p } = await this.channelProof(src, c, minHeight);
    await this.submitWithUpdate(dst, updates, [
      {
        typeUrl: '/ibc.core.channel.v1.MsgChannelOpenConfirm',
        value: MsgChannelOpenConfirm.fromPartial({ portId: peer.portId, channelId: peer.channelId, proofAck: p.proof, proofHeight: p.proofHeight, signer: dst.ep.address }),
      },
    ]);
    this.logger.info('channel open', { [src.ep.chainId]: `${c.portId}/${c.channelId}`, [dst.ep.chainId]: `${peer.portId}/${peer.channelId}` });
  }

  private async chanCloseConfirm(src: Side, c: IdentifiedChannel, peer: IdentifiedChannel, minHeight: number): Promise<void> {
    const dst = this.other(src);
    const { updates, p } = await this.channelProof(src, c, minHeight);
    await this.submitWithUpdate(dst, updates, [
      {
        typeUrl: '/ibc.core.channel.v1.MsgChannelCloseConfirm',
        value: MsgChannelCloseConfirm.fromPartial({ portId: peer.portId, channelId: peer.channelId, proofInit: p.proof, proofHeight: p.proofHeight, signer: dst.ep.address }),
      },
    ]);
    this.logger.info('channel close confirm', { chain: dst.ep.chainId, portId: peer.portId, channelId: peer.channelId });
  }

  private async channelEnd(s: Side, portId: string, channelId: string): Promise<IdentifiedChannel> {
    const ch = (await s.ep.query.ibc.channel.channel(portId, channelId)).channel;
    if (!ch) throw new ChainError('no_channel', `${s.ep.chainId} has no channel ${portId}/${channelId}`, { chainId: s.ep.chainId });
    return { ...ch, portId, channelId };
  }

  /**
   * Opens a channel over this link's connection, started on `a` (Init on a, Try on b, Ack on a, Confirm on b),
   * e.g. the ICS-20 transfer channel. Returns both channel ids as the chains assigned them.
   */
  async createChannel(opts: { port: string; counterpartyPort: string; ordering: Order; version: string }): Promise<{ a: string; b: string }> {
    const { a, b } = this;
    if (!a.connectionId || !b.connectionId) throw new ChainError('no_connection', 'the link has no connection yet', { chainId: a.ep.chainId });
    const init = await a.ep.submit([
      {
        typeUrl: '/ibc.core.channel.v1.MsgChannelOpenInit',
        value: MsgChannelOpenInit.fromPartial({
          portId: opts.port,
          channel: { state: ChanState.STATE_INIT, ordering: opts.ordering, counterparty: { portId: opts.counterpartyPort, channelId: '' }, connectionHops: [a.connectionId], version: opts.version },
          signer: a.ep.address,
        }),
      },
    ]);
    const chA = eventValue(init, 'channel_open_init', 'channel_id');
    if (!chA) throw new ChainError('no_channel_id', `${a.ep.chainId}: ChannelOpenInit emitted no channel_id`, { chainId: a.ep.chainId, txHash: init.transactionHash });
    this.logger.info('channel init', { chain: a.ep.chainId, portId: opts.port, channelId: chA });
    const tried = await this.chanTry(a, await this.channelEnd(a, opts.port, chA), init.height + 1);
    const ackHeight = await this.chanAck(b, await this.channelEnd(b, opts.counterpartyPort, tried.channelId), await this.channelEnd(a, opts.port, chA), tried.height + 1);
    await this.chanConfirm(a, await this.channelEnd(a, opts.port, chA), await this.channelEnd(b, opts.counterpartyPort, tried.channelId), ackHeight + 1);
    return { a: chA, b: tried.channelId };
  }

  /** The lowest-numbered channel between `port` on a and `counterpartyPort` on b that is OPEN on both ends. */
  async findOpenChannel(port: string, counterpartyPort: string): Promise<{ a: string; b: string } | undefined> {
    const [chA, chB] = await Promise.all([this.channels(this.a), this.channels(this.b)]);
    const open = chA
      .filter((c) => c.portId === port && c.state === ChanState.STATE_OPEN && c.counterparty.portId === counterpartyPort)
      .filter((c) => chB.some((t) => t.portId === counterpartyPort && t.channelId === c.counterparty.channelId && t.state === ChanState.STATE_OPEN && t.counterparty.channelId === c.channelId))
      .sort((x, y) => Number(x.channelId.split('-')[1]) - Number(y.channelId.split('-')[1]));
    return open[0] ? { a: open[0].channelId, b: open[0].counterparty.channelId } : undefined;
  }

  // ---------------------------------------------------------------- packets

  /** Of these sequences sent on (port, channel) of `src`, those whose commitment is still on src. */
  async stillCommitted(src: Side, port: string, channel: string, seqs: bigint[]): Promise<Set<bigint>> {
    if (seqs.length === 0) return new Set();
    const r = await src.ep.query.ibc.channel.unreceivedAcks(port, channel, seqs.map(Number));
    return new Set(r.sequences.map((s) => BigInt(s)));
  }

  /** Of these sequences, those not yet received on `dst` (port/channel of the receiving end). */
  async unreceived(dst: Side, port: string, channel: string, seqs: bigint[]): Promise<Set<bigint>> {
    if (seqs.length === 0) return new Set();
    const r = await dst.ep.query.ibc.channel.unreceivedPackets(port, channel, seqs.map(Number));
    return new Set(r.sequences.map((s) => BigInt(s)));
  }

  /** Delivers packets (all from `src`, checked unreceived by the caller) to the other chain. */
  async relayRecvs(src: Side, packets: SentPacket[]): Promise<number> {
    return (await this.relayToOther(src, packets, [])).packets;
  }

  /** Relays acks written on `ackSide` back to the packets' source chain. */
  async relayAcks(ackSide: Side, acks: WrittenAck[]): Promise<number> {
    return (await this.relayToOther(ackSide, [], acks)).acks;
  }

  /**
   * Everything `src` has for the other chain in one submission behind one client update: its packets (checked
   * unreceived by the caller) and the acks written on it (checked still committed there). Proofs are queried while
   * the header they need is awaited. Returns the included transactions (their events hold the acks the receipts
   * wrote, for the caller to relay back at once).
   */
  async relayToOther(src: Side, packets: SentPacket[], acks: WrittenAck[]): Promise<{ packets: number; acks: number; txs: DeliverTxResponse[] }> {
    if (packets.length === 0 && acks.length === 0) return { packets: 0, acks: 0, txs: [] };
    const dst = this.other(src);
    const bySeq = <T extends { packet: Packet }>(x: T, y: T) =>
      x.packet.sourceChannel === y.packet.sourceChannel ? (x.packet.sequence < y.packet.sequence ? -1 : 1) : x.packet.sourceChannel < y.packet.sourceChannel ? -1 : 1;
    const recvs = [...packets].sort(bySeq);
    const ackList = [...acks].sort(bySeq);
    const minHeight = Math.max(...recvs.map((p) => p.height), ...ackList.map((a) => a.height)) + 1;
    const plan = await this.planUpdate(src, minHeight);
    const recvMsgs = recvs.map(async (sp): Promise<EncodeObject> => {
      const p = sp.packet;
      const pr = await src.ep.proveAt(keys.commitment(p.sourcePort, p.sourceChannel, p.sequence), plan.proofHeight);
      return { typeUrl: '/ibc.core.channel.v1.MsgRecvPacket', value: MsgRecvPacket.fromPartial({ packet: p, proofCommitment: pr.proof, proofHeight: pr.proofHeight, signer: dst.ep.address }) };
    });
    const ackMsgs = ackList.map(async (wa): Promise<EncodeObject> => {
      const p = wa.packet;
      const pr = await src.ep.proveAt(keys.ack(p.destinationPort, p.destinationChannel, p.sequence), plan.proofHeight);
      return {
        typeUrl: '/ibc.core.channel.v1.MsgAcknowledgement',
        value: MsgAcknowledgement.fromPartial({ packet: p, acknowledgement: wa.ack, proofAcked: pr.proof, proofHeight: pr.proofHeight, signer: dst.ep.address }),
      };
    });
    const [msgs, updates] = await Promise.all([Promise.all([...recvMsgs, ...ackMsgs]), plan.updates]);
    this.logger.debug('proofs and header ready', { from: src.ep.chainId, proofHeight: plan.proofHeight, packets: recvs.length, acks: ackList.length });
    const txs = await this.submitResilient(
      dst,
      updates,
      msgs,
      [...recvs.map((s) => s.packet), ...ackList.map((a) => a.packet)],
      recvs.length && ackList.length ? 'recv+ack' : recvs.length ? 'recv' : 'ack',
    );
    const now = Date.now();
    for (const sp of recvs) {
      this.metrics?.packetsRelayed.inc({ src_chain: src.ep.chainId, dst_chain: dst.ep.chainId, src_channel: sp.packet.sourceChannel });
      if (sp.sentAtMs) this.metrics?.submitToReceive.observe({ src_chain: src.ep.chainId, dst_chain: dst.ep.chainId }, Math.max(0, (now - sp.sentAtMs) / 1000));
    }
    for (const wa of ackList) this.metrics?.acksRelayed.inc({ src_chain: src.ep.chainId, dst_chain: dst.ep.chainId, dst_channel: wa.packet.sourceChannel });
    const seqs = (l: Array<{ packet: Packet }>) => l.map((s) => `${s.packet.sourceChannel}/${s.packet.sequence}`).join(',');
    if (recvs.length) this.logger.info('packets received', { from: src.ep.chainId, to: dst.ep.chainId, sequences: seqs(recvs) });
    if (ackList.length) this.logger.info('acks relayed', { from: src.ep.chainId, to: dst.ep.chainId, sequences: seqs(ackList) });
    return { packets: recvs.length, acks: ackList.length, txs };
  }

  /** Times out packets sent from `src` that the other chain never received and can no longer receive. */
  async relayTimeouts(src: Side, packets: SentPacket[], ordering: (p: Packet) => Order): Promise<number> {
    if (packets.length === 0) return 0;
    const dst = this.other(src);
    const sorted = [...packets].sort((x, y) => (x.packet.sequence < y.packet.sequence ? -1 : 1));
    // The proof must come from a dst header past every timeout: update src's client of dst to dst's latest.
    const { updates, proofHeight } = await this.prepareUpdate(dst, 0, { fresh: true });
    const msgs: EncodeObject[] = [];
    for (const sp of sorted) {
      const p = sp.packet;
      let proof;
      let nextSequenceRecv = p.sequence;
      if (ordering(p) === Order.ORDER_ORDERED) {
        proof = await dst.ep.proveAt(keys.nextSequenceRecv(p.destinationPort, p.destinationChannel), proofHeight);
        nextSequenceRecv = proof.value.length === 8 ? Buffer.from(proof.value).readBigUInt64BE(0) : p.sequence;
      } else {
        proof = await dst.ep.proveAt(keys.receipt(p.destinationPort, p.destinationChannel, p.sequence), proofHeight);
        if (proof.value.length > 0) {
          this.logger.warn('packet was received after all; not timing it out', { chain: dst.ep.chainId, sequence: p.sequence });
          continue;
        }
      }
      msgs.push({
        typeUrl: '/ibc.core.channel.v1.MsgTimeout',
        value: MsgTimeout.fromPartial({ packet: p, proofUnreceived: proof.proof, proofHeight: proof.proofHeight, nextSequenceRecv, signer: src.ep.address }),
      });
    }
    if (msgs.length === 0) return 0;
    await this.submitResilient(
      src,
      updates,
      msgs,
      sorted.map((s) => s.packet),
      'timeout',
    );
    for (const sp of sorted) this.metrics?.timeoutsRelayed.inc({ src_chain: src.ep.chainId, dst_chain: dst.ep.chainId, src_channel: sp.packet.sourceChannel });
    this.logger.info('timeouts relayed', { chain: src.ep.chainId, sequences: sorted.map((s) => `${s.packet.sourceChannel}/${s.packet.sequence}`).join(',') });
    return msgs.length;
  }

  /**
   * Submits in batches, pipelined (see ChainEndpoint.submitPipelined). A failed transaction applies nothing,
   * so only the messages of failed batches are retried, one per transaction (one bad packet must not block
   * the rest); with the client update again only when the first batch, which carried it, failed.
   */
  private async submitResilient(dst: Side, updates: EncodeObject[], msgs: EncodeObject[], packets: Packet[], what: string): Promise<DeliverTxResponse[]> {
    const batches = batchMessages(updates, msgs, dst.ep.config.maxMsgNum);
    const results = await dst.ep.submitPipelined(batches);
    const txs = results.flatMap((r) => (r.ok ? [r.res] : []));
    const updateApplied = updates.length === 0 || results[0]?.ok === true;
    if (updates.length && updateApplied) this.metrics?.clientUpdates.inc({ chain: dst.ep.chainId, client: dst.clientId }, updates.length);
    const retry: number[] = [];
    let offset = 0;
    results.forEach((r, i) => {
      const n = batches[i].length - (i === 0 ? updates.length : 0);
      if (!r.ok) for (let k = 0; k < n; k++) retry.push(offset + k);
      offset += n;
    });
    if (retry.length === 0) return txs;
    const firstFailure = results.find((r) => !r.ok) as { ok: false; error: Error };
    if (msgs.length <= 1) throw firstFailure.error;
    this.logger.warn(`batched ${what} failed; retrying those messages one by one`, { chain: dst.ep.chainId, messages: retry.length, error: firstFailure.error.message });
    let firstError: unknown;
    for (const i of retry) {
      try {
        txs.push(await dst.ep.submit([...(updateApplied ? [] : updates), msgs[i]]));
      } catch (e2) {
        firstError ??= e2;
        this.logger.warn(`${what} failed`, { chain: dst.ep.chainId, sequence: packets[i]?.sequence, error: (e2 as Error).message });
      }
    }
    if (firstError) throw firstError;
    return txs;
  }
}
