// Wiring shared by the relay commands and tests: endpoints from a config, the link from the state file
// (or found on chain), and creation of clients and connections.
import type { OfflineSigner } from '@cosmjs/proto-signing';
import { State as ConnState } from 'cosmjs-types/ibc/core/connection/v1/connection';
import { Order } from 'cosmjs-types/ibc/core/channel/v1/channel';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { RelayerConfig } from './config.js';
import { ChainEndpoint } from './endpoint.js';
import { Link, createClient } from './link.js';
import type { RelayerMetrics } from './metrics.js';
import type { StateStore } from './state.js';

export async function connectEndpoints(config: RelayerConfig, signers: Record<string, OfflineSigner | undefined>, logger: Logger, metrics?: RelayerMetrics): Promise<[ChainEndpoint, ChainEndpoint]> {
  const [a, b] = await Promise.all(config.chains.map((c) => ChainEndpoint.connect(c, signers[c.id], logger, metrics)));
  return [a, b];
}

/** Orders the two endpoints as (src, dst) by chain id; without ids, the config order. */
export function orient(eps: [ChainEndpoint, ChainEndpoint], src?: string, dst?: string): [ChainEndpoint, ChainEndpoint] {
  const ids = eps.map((e) => e.chainId);
  for (const id of [src, dst]) if (id && !ids.includes(id)) throw new ConfigError(`chain "${id}" is not in the relayer config`, { hint: `configured chains: ${ids.join(', ')}` });
  if (src && src === dst) throw new ConfigError('--src and --dst must be different chains');
  if ((src && src === eps[1].chainId) || (dst && dst === eps[0].chainId)) return [eps[1], eps[0]];
  return eps;
}

export interface OpenConnection {
  a: { clientId: string; connectionId: string };
  b: { clientId: string; connectionId: string };
}

/**
 * Every connection OPEN on both chains whose clients track each other, lowest id first; with `only`, just the
 * one with that id (on either chain).
 */
export async function findOpenConnections(a: ChainEndpoint, b: ChainEndpoint, only?: string): Promise<OpenConnection[]> {
  const conns = (await a.query.ibc.connection.allConnections()).connections.filter((c) => c.state === ConnState.STATE_OPEN);
  conns.sort((x, y) => Number(x.id.split('-')[1]) - Number(y.id.split('-')[1]));
  const out: OpenConnection[] = [];
  for (const c of conns) {
    if (only && c.id !== only && c.counterparty?.connectionId !== only) continue;
    try {
      const cs = await a.query.ibc.client.stateTm(c.clientId);
      if (cs.chainId !== b.chainId || !c.counterparty?.connectionId) continue;
      const other = (await b.query.ibc.connection.connection(c.counterparty.connectionId)).connection;
      if (!other || other.state !== ConnState.STATE_OPEN || other.counterparty?.connectionId !== c.id) continue;
      const csB = await b.query.ibc.client.stateTm(other.clientId);
      if (csB.chainId !== a.chainId) continue;
      out.push({ a: { clientId: c.clientId, connectionId: c.id }, b: { clientId: other.clientId, connectionId: c.counterparty.connectionId } });
    } catch {
      /* not a tendermint client, or gone */
    }
  }
  return out;
}

/**
 * Links for every OPEN connection between the two chains (`relay start`, `pending`, `clear`), or only the
 * one named by `connectionId` (either chain's id). The state file's record of a connection lends it its
 * transfer channel; nothing is written.
 */
export async function existingLinks(eps: [ChainEndpoint, ChainEndpoint], store: StateStore, logger: Logger, metrics?: RelayerMetrics, opts: { connectionId?: string } = {}): Promise<Link[]> {
  const [a, b] = eps;
  const rec = store.findLink(a.chainId, b.chainId);
  return (await findOpenConnections(a, b, opts.connectionId)).map((c) => {
    const known = rec?.a.connectionId === c.a.connectionId && rec?.b.connectionId === c.b.connectionId;
    return new Link({ ep: a, ...c.a, ...(known ? { transferChannel: rec.a.transferChannel } : {}) }, { ep: b, ...c.b, ...(known ? { transferChannel: rec.b.transferChannel } : {}) }, logger, metrics);
  });
}

/**
 * The link `relay link` uses: the state file's when its connection is OPEN, else one found on chain: the
 * newest that carries an OPEN transfer channel (the one an earlier `relay link` made, whoever's state file
 * recorded it), else the newest.
 */
export async function existingLink(eps: [ChainEndpoint, ChainEndpoint], store: StateStore, logger: Logger, metrics?: RelayerMetrics): Promise<Link | undefined> {
  const [a, b] = eps;
  const rec = store.findLink(a.chainId, b.chainId);
  if (rec?.a.connectionId && rec.b.connectionId) {
    const link = new Link({ ep: a, ...rec.a }, { ep: b, ...rec.b }, logger, metrics);
    if (await link.connectionOpen()) return link;
    logger.warn('the connection in the state file is not open on chain; looking for another', { [a.chainId]: rec.a.connectionId, [b.chainId]: rec.b.connectionId });
  }
  const open = (await findOpenConnections(a, b)).reverse();
  if (open.length === 0) return undefined;
  let found = open[0];
  for (const c of open) {
    const l = new Link({ ep: a, ...c.a }, { ep: b, ...c.b }, logger, metrics);
    if (await l.findOpenChannel(TRANSFER_CHANNEL.port, TRANSFER_CHANNEL.counterpartyPort)) {
      found = c;
      break;
    }
  }
  const link = new Link({ ep: a, ...found.a }, { ep: b, ...found.b }, logger, metrics);
  store.putLink({ chainId: a.chainId, ...found.a }, { chainId: b.chainId, ...found.b });
  store.flush();
  return link;
}

/** The ICS-20 channel `relay link` opens: LUNC fees travel to the ML chain over it and back. */
export const TRANSFER_CHANNEL = { port: 'transfer', counterpartyPort: 'transfer', ordering: Order.ORDER_UNORDERED, version: 'ics20-1' } as const;

export interface TransferChannel {
  /** Channel id on each chain, keyed by chain id. */
  [chainId: string]: string;
}

/**
 * The OPEN transfer/transfer channel on the link's connection, opened when there is none (started on link.a).
 * Recorded in the state file. On a fresh pair of chains it is the first channel, so channel-0 on both.
 */
export async function ensureTransferChannel(link: Link, store: StateStore, logger: Logger): Promise<{ channels: TransferChannel; created: boolean }> {
  let ids = await link.findOpenChannel(TRANSFER_CHANNEL.port, TRANSFER_CHANNEL.counterpartyPort);
  const created = !ids;
  if (!ids) ids = await link.createChannel(TRANSFER_CHANNEL);
  link.a.transferChannel = ids.a;
  link.b.transferChannel = ids.b;
  store.putLink(
    { chainId: link.a.ep.chainId, clientId: link.a.clientId, connectionId: link.a.connectionId, transferChannel: ids.a },
    { chainId: link.b.ep.chainId, clientId: link.b.clientId, connectionId: link.b.connectionId, transferChannel: ids.b },
  );
  store.flush();
  logger.info(created ? 'transfer channel opened' : 'transfer channel open', { [link.a.ep.chainId]: ids.a, [link.b.ep.chainId]: ids.b });
  return { channels: { [link.a.ep.chainId]: ids.a, [link.b.ep.chainId]: ids.b }, created };
}

/**
 * Clients + connection + the ICS-20 transfer channel; reuses an OPEN connection (state file first, then on
 * chain) and an OPEN transfer channel on it. Idempotent. The transfer channel is opened right after the
 * connection, before anyone can register an interchain account over it.
 */
export async function ensureLink(
  eps: [ChainEndpoint, ChainEndpoint],
  store: StateStore,
  logger: Logger,
  metrics?: RelayerMetrics,
): Promise<{ link: Link; created: boolean; transfer: { channels: TransferChannel; created: boolean } }> {
  const existing = await existingLink(eps, store, logger, metrics);
  if (existing) return { link: existing, created: false, transfer: await ensureTransferChannel(existing, store, logger) };
  const [a, b] = eps;
  const clientA = await createClient(a, b, logger);
  const clientB = await createClient(b, a, logger);
  store.putLink({ chainId: a.chainId, clientId: clientA }, { chainId: b.chainId, clientId: clientB });
  store.flush();
  const link = new Link({ ep: a, clientId: clientA }, { ep: b, clientId: clientB }, logger, metrics);
  const conn = await link.createConnection();
  store.putLink({ chainId: a.chainId, clientId: clientA, connectionId: conn.a }, { chainId: b.chainId, clientId: clientB, connectionId: conn.b });
  store.flush();
  return { link, created: true, transfer: await ensureTransferChannel(link, store, logger) };
}
