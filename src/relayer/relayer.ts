// The relay loop over every open connection between two chains (one Link each): scan both chains' blocks (tx results and finalize_block_events), finish channel handshakes,
// relay packets, acks and timeouts, clear what is pending on start and every clear_interval blocks, persist
// the scanned heights. Never relays a packet the counterparty already has: every submission is preceded by
// an unreceived-packets / unreceived-acks query, which is what makes a restart after a kill exactly-once.
import { Order, State as ChanState, type IdentifiedChannel, type Packet } from 'cosmjs-types/ibc/core/channel/v1/channel';
import type { Logger } from '../core/logger.js';
import { packetAllowed, type RelayerConfig } from './config.js';
import type { ChainEndpoint } from './endpoint.js';
import { sleep } from '../core/poll.js';
import { isTimedOut, packetFromAttrs, packetKey, attrs, scanEvents, type SentPacket, type WrittenAck } from './events.js';
import { Link, type Side } from './link.js';
import type { RelayerMetrics } from './metrics.js';
import type { StateStore } from './state.js';

export interface ChannelPair {
  /** Chain id of the side that owns `port`/`channel`. */
  chainId: string;
  port: string;
  channel: string;
  cpPort: string;
  cpChannel: string;
  ordering: Order;
  state: ChanState;
  /** Connection of this end (on chainId): says which link carries the channel. */
  connectionId: string;
}

export interface PendingReport {
  chain: string;
  port: string;
  channel: string;
  counterpartyChain: string;
  counterpartyPort: string;
  counterpartyChannel: string;
  /** Sent here, not received there. */
  unreceivedPackets: string[];
  /** Received there (ack written), ack not relayed back here. */
  unreceivedAcks: string[];
}

interface SideState {
  ep: ChainEndpoint;
  scanned: number;
  sends: Map<string, SentPacket>;
  /** Acks written on this chain for packets from the other chain. */
  acks: Map<string, WrittenAck>;
  /** Acks taken from our own delivery transactions (and relayed) before their block was scanned: key → height. */
  early: Map<string, number>;
}

export interface RelayerOptions {
  pollMs?: number;
  /** Most blocks scanned per chain per iteration. */
  maxBlocksPerStep?: number;
  /** Further behind than this, skip to the tip and clear instead of scanning every block. */
  maxCatchUpBlocks?: number;
  /**
   * Finds the connections to relay now (e.g. every OPEN one between the chains); called every
   * `discoverEvery` iterations so that a connection opened after the start is served too.
   */
  discover?: () => Promise<Link[]>;
  /** Iterations between two discover calls (default 20). */
  discoverEvery?: number;
}

export class Relayer {
  private readonly sides: [SideState, SideState];
  /** One per connection relayed; all between the same two endpoints. */
  readonly links: Link[];
  private lastClearHeight = -Infinity;
  private iteration = 0;
  private lastRefreshCheck = 0;
  /** Between refresh checks: 60 s, or a tenth of the shortest trusting period seen (a short one expires sooner). */
  private refreshCheckMs = 60_000;
  private clearRequested = false;
  /** Clients found expired (chain/client), reported once. */
  private readonly expiredClients = new Set<string>();

  constructor(
    links: Link | Link[],
    readonly config: RelayerConfig,
    private readonly store: StateStore,
    private readonly logger: Logger,
    private readonly metrics?: RelayerMetrics,
    private readonly opts: RelayerOptions = {},
  ) {
    this.links = Array.isArray(links) ? links : [links];
    if (this.links.length === 0) throw new Error('Relayer needs at least one link');
    const mk = (ep: ChainEndpoint): SideState => ({ ep, scanned: store.height(ep.chainId) ?? -1, sends: new Map(), acks: new Map(), early: new Map() });
    this.sides = [mk(this.links[0].a.ep), mk(this.links[0].b.ep)];
  }

  private st(chainId: string): SideState {
    return this.sides[0].ep.chainId === chainId ? this.sides[0] : this.sides[1];
  }

  private other(ss: SideState): SideState {
    return ss === this.sides[0] ? this.sides[1] : this.sides[0];
  }

  /** Connection ids relayed on this chain. */
  private connectionIds(chainId: string): Set<string> {
    return new Set(this.links.map((l) => l.side(chainId).connectionId ?? ''));
  }

  /** The link (connection) that carries channel `port/channel` of chainId, per the channel pairs. */
  private linkFor(pairs: ChannelPair[], chainId: string, port: string, channel: string): Link | undefined {
    const p = pairs.find((c) => c.chainId === chainId && c.port === port && c.channel === channel);
    return p && this.links.find((l) => l.side(chainId).connectionId === p.connectionId);
  }

  private allowed(src: ChainEndpoint, srcPort: string, srcChan: string, dst: ChainEndpoint, dstPort: string, dstChan: string): boolean {
    return packetAllowed(src.config.packetFilter, srcPort, srcChan) && packetAllowed(dst.config.packetFilter, dstPort, dstChan);
  }

  /** Channel ends on the relayed connections, per side. */
  async channelPairs(): Promise<ChannelPair[]> {
    const out: ChannelPair[] = [];
    for (const link of this.links) {
      for (const s of [link.a, link.b]) {
        const chans: IdentifiedChannel[] = await link.channels(s);
        for (const c of chans) {
          if (!c.counterparty.channelId) continue;
          out.push({
            chainId: s.ep.chainId,
            port: c.portId,
            channel: c.channelId,
            cpPort: c.counterparty.portId,
            cpChannel: c.counterparty.channelId,
            ordering: c.ordering,
            state: c.state,
            connectionId: s.connectionId!,
          });
        }
      }
    }
    return out;
  }

  /** Scans new blocks on one side; collects sends, acks and handshake activity. */
  private async scan(ss: SideState, latest: number): Promise<boolean> {
    const ep = ss.ep;
    const conns = this.connectionIds(ep.chainId);
    if (ss.scanned < 0) {
      // First run without state: start at the tip; clear_on_start picks up anything older.
      ss.scanned = latest;
      return false;
    }
    if (ss.scanned > latest) {
      // The chain was reset (a new devnet) since the state file was written.
      this.logger.warn('state file is ahead of the chain; rescanning from the tip', { chain: ep.chainId, stateHeight: ss.scanned, latest });
      ss.scanned = latest;
      return false;
    }
    if (latest - ss.scanned > (this.opts.maxCatchUpBlocks ?? 1000)) {
      // Far behind (a long stop): rescanning every block is slower than clearing from chain state, which
      // finds the same pending packets and acks (commitments + tx_search).
      this.logger.info('far behind the chain; skipping to the tip and clearing from chain state', { chain: ep.chainId, from: ss.scanned, to: latest });
      ss.scanned = latest;
      this.clearRequested = true;
      return true;
    }
    const max = this.opts.maxBlocksPerStep ?? 100;
    const to = Math.min(latest, ss.scanned + max);
    let handshake = false;
    for (let h = ss.scanned + 1; h <= to; h++) {
      let br;
      try {
        br = await ep.blockEvents(h);
      } catch (e) {
        // The newest block's results can lag its header by a moment: pick it up on the next pass.
        if (h === latest) break;
        throw e;
      }
      const events = [...br.txs.flatMap((r) => (r.code === 0 ? r.events : [])), ...br.finalizeBlockEvents];
      const found = scanEvents(events, h);
      let blockMs: number | undefined;
      for (const s of found.sends) {
        if (s.connectionId && !conns.has(s.connectionId)) continue;
        blockMs ??= await ep.blockTimeMs(h).catch(() => undefined);
        s.sentAtMs = blockMs;
        ss.sends.set(packetKey(s.packet), s);
      }
      for (const a of found.acks) {
        if (a.connectionId && !conns.has(a.connectionId)) continue;
        const k = packetKey(a.packet);
        // Relayed already, straight from the delivery transaction that wrote it.
        if (ss.early.get(k) === h) continue;
        ss.acks.set(k, a);
      }
      for (const [k, eh] of ss.early) if (eh <= h) ss.early.delete(k);
      if (found.channels.some((c) => !c.connectionId || conns.has(c.connectionId) || c.type === 'timeout_packet')) handshake = true;
      ss.scanned = h;
    }
    return handshake;
  }

  /** Adds to the candidate sets everything pending on chain now (packet commitments, missing acks). */
  async clear(pairs?: ChannelPair[]): Promise<void> {
    pairs ??= await this.channelPairs();
    for (const p of pairs) {
      const link = this.linkFor(pairs, p.chainId, p.port, p.channel);
      if (!link) continue;
      const src = link.side(p.chainId);
      const dst = link.other(src);
      if (!this.allowed(src.ep, p.port, p.channel, dst.ep, p.cpPort, p.cpChannel)) continue;
      const commits = (await src.ep.query.ibc.channel.allPacketCommitments(p.port, p.channel)).commitments.map((c) => c.sequence).sort((x, y) => (x < y ? -1 : 1));
      const seqs = commits.slice(0, this.config.packets.clearLimit);
      if (seqs.length === 0) continue;
      const unrecv = await link.unreceived(dst, p.cpPort, p.cpChannel, seqs);
      const ss = this.st(src.ep.chainId);
      const ds = this.st(dst.ep.chainId);
      for (const seq of seqs) {
        const k = `${p.port}/${p.channel}/${seq}`;
        if (unrecv.has(seq)) {
          if (ss.sends.has(k)) continue;
          const found = await this.findSend(src, p.port, p.channel, seq);
          if (found) ss.sends.set(k, found);
          else this.logger.warn('pending packet not found in the tx index; cannot relay it', { chain: src.ep.chainId, port: p.port, channel: p.channel, sequence: seq });
        } else {
          if (ds.acks.has(k)) continue;
          const found = await this.findAck(dst, p.channel, seq, p.port);
          if (found) ds.acks.set(k, found);
        }
      }
      this.logger.debug('cleared', { chain: src.ep.chainId, channel: p.channel, commitments: commits.length, unreceived: unrecv.size });
    }
  }

  private async findSend(src: Side, port: string, channel: string, seq: bigint): Promise<SentPacket | undefined> {
    const txs = await src.ep.txSearchPacketEvent('send_packet', 'packet_src_channel', channel, seq);
    for (const t of txs) {
      for (const ev of t.events) {
        if (ev.type !== 'send_packet') continue;
        const a = attrs(ev);
        const packet = packetFromAttrs(a);
        if (packet && packet.sourcePort === port && packet.sequence === seq) return { packet, height: t.height, ordering: a.packet_channel_ordering ?? '', connectionId: a.connection_id ?? '' };
      }
    }
    return undefined;
  }

  private async findAck(ackSide: Side, srcChannel: string, seq: bigint, srcPort: string): Promise<WrittenAck | undefined> {
    const txs = await ackSide.ep.txSearchPacketEvent('write_acknowledgement', 'packet_src_channel', srcChannel, seq);
    for (const t of txs) {
      for (const ev of t.events) {
        if (ev.type !== 'write_acknowledgement') continue;
        const a = attrs(ev);
        const packet = packetFromAttrs(a);
        if (packet && packet.sourcePort === srcPort && packet.sequence === seq) {
          return { packet, ack: Uint8Array.from(Buffer.from(a.packet_ack_hex ?? '', 'hex')), height: t.height, connectionId: a.connection_id ?? '' };
        }
      }
    }
    return undefined;
  }

  /**
   * Relays sends from chain `ss` (recv or timeout) and the acks written there for the other chain's packets,
   * each over the link whose connection carries the packet's channel. Receipts and acks bound for the other chain
   * travel together, one submission per link. Acks that our receipts wrote on the other chain are added to its
   * candidates at once; returns whether there were any (the caller relays them in the same pass).
   */
  private async relayFrom(ss: SideState, pairs: ChannelPair[]): Promise<boolean> {
    const srcEp = ss.ep;
    const ds = this.other(ss);
    const dstEp = ds.ep;
    const ordering = (p: Packet) => pairs.find((c) => c.chainId === srcEp.chainId && c.port === p.sourcePort && c.channel === p.sourceChannel)?.ordering ?? Order.ORDER_UNORDERED;
    // Group sends by channel.
    const byChan = new Map<string, { link: Link; list: SentPacket[] }>();
    for (const s of ss.sends.values()) {
      const p = s.packet;
      const link = this.linkFor(pairs, srcEp.chainId, p.sourcePort, p.sourceChannel);
      if (!link || !this.allowed(srcEp, p.sourcePort, p.sourceChannel, dstEp, p.destinationPort, p.destinationChannel)) {
        ss.sends.delete(packetKey(p));
        continue;
      }
      const k = `${p.sourcePort}/${p.sourceChannel}`;
      const g = byChan.get(k) ?? { link, list: [] };
      g.list.push(s);
      byChan.set(k, g);
    }
    // Acks written on src for packets that came from dst.
    const acksByChan = new Map<string, { link: Link; list: WrittenAck[] }>();
    for (const a of ss.acks.values()) {
      const p = a.packet;
      const link = this.linkFor(pairs, srcEp.chainId, p.destinationPort, p.destinationChannel);
      if (!link || !this.allowed(dstEp, p.sourcePort, p.sourceChannel, srcEp, p.destinationPort, p.destinationChannel)) {
        ss.acks.delete(packetKey(p));
        continue;
      }
      const k = `${p.sourcePort}/${p.sourceChannel}`;
      const g = acksByChan.get(k) ?? { link, list: [] };
      g.list.push(a);
      acksByChan.set(k, g);
    }
    if (byChan.size === 0 && acksByChan.size === 0) return false;
    // What is still to do, asked of both chains at once (never relay what the counterparty already has).
    const [dstLatest, sendChecks, ackChecks] = await Promise.all([
      byChan.size ? dstEp.latestFast() : undefined,
      Promise.all(
        [...byChan].map(async ([chan, { link, list }]) => {
          const src = link.side(srcEp.chainId);
          const p0 = list[0].packet;
          const seqs = list.map((s) => s.packet.sequence);
          const committed = await link.stillCommitted(src, p0.sourcePort, p0.sourceChannel, seqs);
          const unrecv = await link.unreceived(
            link.other(src),
            p0.destinationPort,
            p0.destinationChannel,
            seqs.filter((q) => committed.has(q)),
          );
          return { chan, link, list, committed, unrecv };
        }),
      ),
      Promise.all(
        [...acksByChan].map(async ([chan, { link, list }]) => {
          const src = link.side(srcEp.chainId);
          const p0 = list[0].packet;
          const committed = await link.stillCommitted(
            link.other(src),
            p0.sourcePort,
            p0.sourceChannel,
            list.map((a) => a.packet.sequence),
          );
          return { chan, link, list, committed };
        }),
      ),
    ]);
    const perLink = new Map<Link, { recvs: SentPacket[]; acks: WrittenAck[] }>();
    const forLink = (l: Link) => perLink.get(l) ?? perLink.set(l, { recvs: [], acks: [] }).get(l)!;
    const timeouts: Array<{ chan: string; link: Link; list: SentPacket[] }> = [];
    for (const { chan, link, list, committed, unrecv } of sendChecks) {
      const t: SentPacket[] = [];
      let n = 0;
      for (const s of list) {
        const seq = s.packet.sequence;
        if (!committed.has(seq) || !unrecv.has(seq)) {
          // Received already (ack path takes over) or acked/timed out: nothing to deliver.
          ss.sends.delete(packetKey(s.packet));
          continue;
        }
        n++;
        if (isTimedOut(s.packet, dstLatest!)) t.push(s);
        else forLink(link).recvs.push(s);
      }
      this.metrics?.backlogSize.set({ chain: srcEp.chainId, channel: chan }, n);
      if (t.length) timeouts.push({ chan, link, list: t });
    }
    for (const { link, list, committed } of ackChecks) {
      for (const a of list) {
        if (committed.has(a.packet.sequence)) forLink(link).acks.push(a);
        else ss.acks.delete(packetKey(a.packet));
      }
    }
    let newAcks = false;
    for (const [link, { recvs, acks }] of perLink) {
      if (recvs.length === 0 && acks.length === 0) continue;
      const src = link.side(srcEp.chainId);
      try {
        const r = await link.relayToOther(src, recvs, acks);
        for (const s of recvs) ss.sends.delete(packetKey(s.packet));
        for (const a of acks) ss.acks.delete(packetKey(a.packet));
        if (this.takeAcks(ds, r.txs)) newAcks = true;
      } catch (e) {
        this.logger.warn('relaying packets and acks failed; will retry', { from: src.ep.chainId, packets: recvs.length, acks: acks.length, error: (e as Error).message });
      }
    }
    for (const { chan, link, list } of timeouts) {
      const src = link.side(srcEp.chainId);
      try {
        await link.relayTimeouts(src, list, ordering);
        for (const s of list) ss.sends.delete(packetKey(s.packet));
      } catch (e) {
        this.logger.warn('relaying timeouts failed; will retry', { chain: src.ep.chainId, channel: chan, error: (e as Error).message });
      }
    }
    return newAcks;
  }

  /** The acks our delivery transactions wrote on `ds`: candidates now, and skipped when their block is scanned. */
  private takeAcks(ds: SideState, txs: ReadonlyArray<{ height: number; events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[] }>): boolean {
    const conns = this.connectionIds(ds.ep.chainId);
    let any = false;
    for (const tx of txs)
      for (const a of scanEvents(tx.events, tx.height).acks) {
        if (a.connectionId && !conns.has(a.connectionId)) continue;
        const k = packetKey(a.packet);
        ds.acks.set(k, a);
        if (tx.height > ds.scanned) ds.early.set(k, tx.height);
        any = true;
      }
    return any;
  }

  /** Updates a client whose latest consensus state is older than a third of its trusting period. */
  private async refreshClients(): Promise<void> {
    for (const link of this.links)
      for (const src of [link.a, link.b]) {
        const dst = link.other(src);
        try {
          const cs = await dst.ep.query.ibc.client.stateTm(dst.clientId);
          const cons = await dst.ep.query.ibc.client.consensusStateTm(dst.clientId, cs.latestHeight);
          const ageS = Date.now() / 1000 - Number(cons.timestamp?.seconds ?? 0n);
          const trustingS = Number(cs.trustingPeriod?.seconds ?? 0n);
          if (trustingS > 0 && ageS > trustingS) {
            // Expired: no update can revive it (that takes governance), so say it once and stop trying.
            const key = `${dst.ep.chainId}/${dst.clientId}`;
            if (!this.expiredClients.has(key))
              this.logger.warn('client expired; its connection cannot be relayed', { host: dst.ep.chainId, clientId: dst.clientId, ageS: Math.round(ageS), trustingS });
            this.expiredClients.add(key);
            continue;
          }
          if (trustingS > 0) this.refreshCheckMs = Math.min(this.refreshCheckMs, Math.max(1_000, (trustingS * 1000) / 10));
          if (trustingS > 0 && ageS > trustingS / 3) {
            this.logger.info('refreshing client', { host: dst.ep.chainId, clientId: dst.clientId, ageS: Math.round(ageS), trustingS });
            await link.updateClient(src);
          }
        } catch (e) {
          this.logger.warn('client refresh failed', { host: dst.ep.chainId, clientId: dst.clientId, error: (e as Error).message });
        }
      }
  }

  /** Adds the links `opts.discover` finds on connections not relayed yet, and clears them (their past is unscanned). */
  private async discoverLinks(): Promise<void> {
    if (!this.opts.discover || this.iteration % (this.opts.discoverEvery ?? 20) !== 0) return;
    const a = this.sides[0].ep.chainId;
    const known = this.connectionIds(a);
    const found = (await this.opts.discover()).filter((l) => !known.has(l.side(a).connectionId ?? ''));
    if (found.length === 0) return;
    this.links.push(...found);
    this.clearRequested = true;
    this.logger.info('relaying new connections', { [a]: found.map((l) => l.side(a).connectionId).join(',') });
  }

  /** One pass: scan, handshakes, clear when due, relay both ways, persist heights. */
  async step(opts: { forceClear?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    this.iteration++;
    this.logger.debug('pass', { iteration: this.iteration });
    try {
      await this.discoverLinks();
    } catch (e) {
      this.logger.warn('looking for new connections failed', { error: (e as Error).message });
    }
    const before = this.sides.map((s) => s.scanned);
    const [la, lb] = await Promise.all([this.sides[0].ep.latestFast(), this.sides[1].ep.latestFast()]);
    const firstRun = this.sides.some((s) => s.scanned < 0);
    let handshake = this.iteration === 1;
    for (const [ss, l] of [
      [this.sides[0], la],
      [this.sides[1], lb],
    ] as const) {
      if (await this.scan(ss, l.height)) handshake = true;
    }
    if (opts.signal?.aborted) {
      // Stopping: what was just scanned is not handled yet, so the saved heights stay where they were.
      this.sides.forEach((s, i) => (s.scanned = before[i]));
      return;
    }
    // Handshakes are polled every few iterations anyway (they may start in blocks scanned by an earlier run).
    if (handshake || this.iteration % 5 === 0) {
      let steps = 0;
      for (const link of this.links) steps += await link.stepChannels();
      if (steps > 0) this.logger.debug('channel handshake steps', { steps });
    }
    if (this.config.packets.enabled) {
      const pairs = await this.channelPairs();
      const clearDue =
        opts.forceClear ||
        this.clearRequested ||
        (this.iteration === 1 && (this.config.packets.clearOnStart || firstRun)) ||
        (this.config.packets.clearInterval > 0 && la.height - this.lastClearHeight >= this.config.packets.clearInterval);
      if (clearDue) {
        await this.clear(pairs);
        this.clearRequested = false;
        this.lastClearHeight = la.height;
      }
      for (const p of pairs) this.metrics?.backlogSize.set({ chain: p.chainId, channel: `${p.port}/${p.channel}` }, 0);
      // Acks that our receipts just wrote go back in this same pass (their proof needs only the next block):
      // relayFrom(a) adds those written on b, which relayFrom(b) then carries along with b's own packets.
      const [a, b] = this.sides;
      await this.relayFrom(a, pairs);
      let acksOnA = await this.relayFrom(b, pairs);
      for (let round = 0; round < 2 && acksOnA && !opts.signal?.aborted; round++) acksOnA = (await this.relayFrom(a, pairs)) ? await this.relayFrom(b, pairs) : false;
    }
    if (this.config.clients.refresh && Date.now() - this.lastRefreshCheck > this.refreshCheckMs) {
      this.lastRefreshCheck = Date.now();
      await this.refreshClients();
    }
    // Heights advance only after the packets found in those blocks were handled (or are held for retry in
    // memory; a restart then finds them again through clearing).
    for (const s of this.sides) this.store.setHeight(s.ep.chainId, s.scanned);
    this.store.flush();
    await this.updateBalances();
  }

  private async updateBalances(): Promise<void> {
    if (!this.metrics || this.iteration % 10 !== 1) return;
    for (const s of this.sides) {
      const b = await s.ep.balance().catch(() => undefined);
      if (b !== undefined) this.metrics.walletBalance.set({ chain: s.ep.chainId, denom: s.ep.config.gasPrice.denom }, b);
    }
  }

  /** Pending work: in-memory candidates that are still pending. */
  pendingCount(): number {
    return this.sides.reduce((n, s) => n + s.sends.size + s.acks.size, 0);
  }

  /**
   * Runs until `signal` aborts; the step in flight finishes, then the state is flushed. A pass runs as soon as either
   * chain has a new block (CometBFT websocket; the subscription polls /status while it is down), and at the latest
   * `pollMs` after the last one; clearing (clear_interval) remains the safety net for anything an event missed.
   */
  async run(signal: AbortSignal): Promise<void> {
    const pollMs = this.opts.pollMs ?? 500;
    const subs = this.sides.map((s) => s.ep.watch(signal));
    await Promise.all(subs.map((s) => s.ready));
    let backoff = pollMs;
    while (!signal.aborted) {
      const before = this.sides.map((s) => s.scanned);
      try {
        await this.step({ signal });
        backoff = pollMs;
      } catch (e) {
        this.logger.warn('relay step failed; retrying', { error: (e as Error).message });
        backoff = Math.min(backoff * 2, 10_000);
        await sleep(backoff, signal);
        continue;
      }
      // Blocks that arrived during the pass: go again at once (when the pass got anywhere, so a node whose newest
      // block results lag cannot spin us).
      const progressed = this.sides.some((s, i) => s.scanned !== before[i]);
      if (progressed && this.sides.some((s, i) => subs[i].height > s.scanned)) continue;
      const ac = new AbortController();
      const wake = this.sides.map((s, i) => subs[i].next((ev) => (ev.kind === 'block' && ev.height > s.scanned) || ev.kind === 'resync', ac.signal));
      const stop = () => ac.abort();
      signal.addEventListener('abort', stop, { once: true });
      await Promise.race([...wake, sleep(pollMs, ac.signal)]);
      signal.removeEventListener('abort', stop);
      ac.abort();
    }
    this.store.flush();
    this.logger.info('relayer stopped', { heights: Object.fromEntries(this.sides.map((s) => [s.ep.chainId, s.scanned])) });
  }
}

/** Unrelayed packets and acks per channel of every link, like `hermes query packet pending`. Reads only. */
export async function queryPending(links: Link | Link[]): Promise<PendingReport[]> {
  const out: PendingReport[] = [];
  for (const link of Array.isArray(links) ? links : [links])
    for (const s of [link.a, link.b]) {
      const other = link.other(s);
      for (const c of await link.channels(s)) {
        if (!c.counterparty.channelId) continue;
        const commits = (await s.ep.query.ibc.channel.allPacketCommitments(c.portId, c.channelId)).commitments.map((x) => x.sequence);
        const unrecv = commits.length ? await link.unreceived(other, c.counterparty.portId, c.counterparty.channelId, commits) : new Set<bigint>();
        out.push({
          chain: s.ep.chainId,
          port: c.portId,
          channel: c.channelId,
          counterpartyChain: other.ep.chainId,
          counterpartyPort: c.counterparty.portId,
          counterpartyChannel: c.counterparty.channelId,
          unreceivedPackets: commits.filter((q) => unrecv.has(q)).map(String),
          unreceivedAcks: commits.filter((q) => !unrecv.has(q)).map(String),
        });
      }
    }
  return out;
}
