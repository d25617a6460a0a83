// Wiring shared by the relay commands and tests: endpoints from a config, the link from the state file
// (or found on chain), and creation of clients and connections.
import type { OfflineSigner } from '@cosmjs/proto-signing';
import { State as ConnState } from 'cosmjs-types/ibc/core/connection/v1/connection';
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

/** An OPEN connection between the two chains found on chain (the highest-numbered one), or undefined. */
export async function findOpenConnection(a: ChainEndpoint, b: ChainEndpoint): Promise<{ a: { clientId: string; connectionId: string }; b: { clientId: string; connectionId: string } } | undefined> {
  const conns = (await a.query.ibc.connection.allConnections()).connections.filter((c) => c.state === ConnState.STATE_OPEN);
  conns.sort((x, y) => Number(y.id.split('-')[1]) - Number(x.id.split('-')[1]));
  for (const c of conns) {
    try {
      const cs = await a.query.ibc.client.stateTm(c.clientId);
      if (cs.chainId !== b.chainId || !c.counterparty?.connectionId) continue;
      const other = (await b.query.ibc.connection.connection(c.counterparty.connectionId)).connection;
      if (!other || other.state !== ConnState.STATE_OPEN || other.counterparty?.connectionId !== c.id) continue;
      const csB = await b.query.ibc.client.stateTm(other.clientId);
      if (csB.chainId !== a.chainId) continue;
      return { a: { clientId: c.clientId, connectionId: c.id }, b: { clientId: other.clientId, connectionId: c.counterparty.connectionId } };
    } catch {
      /* not a tendermint client, or gone */
    }
  }
  return undefined;
}

/** The link in use: the state file's when its connection is OPEN, else one found on chain. */
export async function existingLink(eps: [ChainEndpoint, ChainEndpoint], store: StateStore, logger: Logger, metrics?: RelayerMetrics): Promise<Link | undefined> {
  const [a, b] = eps;
  const rec = store.findLink(a.chainId, b.chainId);
  if (rec?.a.connectionId && rec.b.connectionId) {
    const link = new Link({ ep: a, clientId: rec.a.clientId, connectionId: rec.a.connectionId }, { ep: b, clientId: rec.b.clientId, connectionId: rec.b.connectionId }, logger, metrics);
    if (await link.connectionOpen()) return link;
    logger.warn('the connection in the state file is not open on chain; looking for another', { [a.chainId]: rec.a.connectionId, [b.chainId]: rec.b.connectionId });
  }
  const found = await findOpenConnection(a, b);
  if (!found) return undefined;
  const link = new Link({ ep: a, ...found.a }, { ep: b, ...found.b }, logger, metrics);
  store.putLink({ chainId: a.chainId, ...found.a }, { chainId: b.chainId, ...found.b });
  store.flush();
  return link;
}

/** Clients + connection; reuses an OPEN connection (state file first, then on chain). Idempotent. */
export async function ensureLink(eps: [ChainEndpoint, ChainEndpoint], store: StateStore, logger: Logger, metrics?: RelayerMetrics): Promise<{ link: Link; created: boolean }> {
  const existing = await existingLink(eps, store, logger, metrics);
  if (existing) return { link: existing, created: false };
  const [a, b] = eps;
  const clientA = await createClient(a, b, logger);
  const clientB = await createClient(b, a, logger);
  store.putLink({ chainId: a.chainId, clientId: clientA }, { chainId: b.chainId, clientId: clientB });
  store.flush();
  const link = new Link({ ep: a, clientId: clientA }, { ep: b, clientId: clientB }, logger, metrics);
  const conn = await link.createConnection();
  store.putLink({ chainId: a.chainId, clientId: clientA, connectionId: conn.a }, { chainId: b.chainId, clientId: clientB, connectionId: conn.b });
  store.flush();
  return { link, created: true };
}
