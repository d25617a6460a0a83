// The CometBFT subscription against a local node double: a real HTTP server with /status and a real websocket on
// /websocket speaking CometBFT 0.38's JSON-RPC (subscribe, NewBlock and Tx events, error responses).
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { cometUrls, subscribe, txQuery, type CometEvent, type CometSubscription } from '../../src/core/subscription.js';
import { nullLogger } from '../../src/core/logger.js';

const WS = createRequire(import.meta.url)('ws');

interface Client {
  socket: any;
  subs: Map<string, number | string>;
}

class FakeNode {
  server: Server;
  wss: any;
  height = 10;
  acceptWs = true;
  clients: Client[] = [];
  subscribeCount = 0;
  onSubscribe?: () => void;
  url = '';

  constructor() {
    this.wss = new WS.Server({ noServer: true });
    this.server = createServer((req, res) => {
      if (req.url === '/status') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ jsonrpc: '2.0', id: -1, result: { sync_info: { latest_block_height: String(this.height), latest_block_time: '2026-01-01T00:00:00Z' } } }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    this.server.on('upgrade', (req, sock, head) => {
      if (!this.acceptWs || req.url !== '/websocket') {
        sock.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, sock, head, (ws: any) => {
        const c: Client = { socket: ws, subs: new Map() };
        this.clients.push(c);
        ws.on('close', () => (this.clients = this.clients.filter((x) => x !== c)));
        ws.on('message', (d: unknown) => {
          const m = JSON.parse(String(d));
          if (m.method === 'subscribe') {
            c.subs.set(m.params.query, m.id);
            this.subscribeCount++;
            ws.send(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: {} }));
            this.onSubscribe?.();
          }
        });
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves when `n` subscribe requests in total have been confirmed. */
  subscribed(n: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.subscribeCount >= n) {
          this.onSubscribe = undefined;
          resolve();
        }
      };
      this.onSubscribe = check;
      check();
    });
  }

  newBlock(txEvents: Array<{ type: string; attributes: Array<{ key: string; value: string }> }> = [], comet = '0.38'): void {
    this.height++;
    for (const c of this.clients) {
      const id = c.subs.get("tm.event='NewBlock'");
      if (id === undefined) continue;
      c.socket.send(
        JSON.stringify({
          jsonrpc: '2.0',
          id,
          result: {
            query: "tm.event='NewBlock'",
            data: {
              type: 'tendermint/event/NewBlock',
              value: {
                block: { header: { height: String(this.height), time: '2026-01-01T00:00:01.5Z' }, data: { txs: [Buffer.from('tx bytes').toString('base64')] } },
                ...(comet === '0.37'
                  ? { result_begin_block: { events: [] }, result_end_block: { validator_updates: [], events: [] } }
                  : { result_finalize_block: { events: [{ type: 'mint', attributes: [{ key: 'amount', value: '1', index: true }] }], tx_results: [{ code: 0, events: txEvents }] } }),
              },
            },
            events: { 'tm.event': ['NewBlock'] },
          },
        }),
      );
    }
  }

  tx(query: string, hash: string): void {
    for (const c of this.clients) {
      const id = c.subs.get(query);
      if (id === undefined) continue;
      c.socket.send(
        JSON.stringify({
          jsonrpc: '2.0',
          id,
          result: {
            query,
            data: { type: 'tendermint/event/Tx', value: { TxResult: { height: String(this.height), index: 2, tx: 'AA==', result: { code: 5, codespace: 'sdk', events: [] } } } },
            events: { 'tx.hash': [hash.toLowerCase()], 'tx.height': [String(this.height)] },
          },
        }),
      );
    }
  }

  dropAll(): void {
    for (const c of this.clients) c.socket.terminate();
  }

  cancelSubscriptions(): void {
    for (const c of this.clients)
      for (const id of c.subs.values())
        c.socket.send(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32000, message: 'Server error', data: 'subscription was canceled (reason: client is not pulling messages fast enough)' } }));
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.socket.terminate();
    await new Promise((r) => this.server.close(r));
  }
}

const nodes: FakeNode[] = [];
const subs: CometSubscription[] = [];
afterEach(async () => {
  subs.splice(0).forEach((s) => s.close());
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

async function node(): Promise<FakeNode> {
  const n = new FakeNode();
  await n.listen();
  nodes.push(n);
  return n;
}

function sub(o: Parameters<typeof subscribe>[0]): CometSubscription {
  const s = subscribe({ backoffMs: { initial: 20, max: 50 }, pollMs: 20, ...o });
  subs.push(s);
  return s;
}

const isBlock = (ev: CometEvent): ev is Extract<CometEvent, { kind: 'block' }> => ev.kind === 'block';

describe('cometUrls', () => {
  it('appends /websocket exactly once, whatever form the RPC address takes', () => {
    for (const rpc of ['http://h:26657', 'http://h:26657/', 'http://h:26657/websocket', 'http://h:26657/websocket/', 'ws://h:26657/websocket', 'tcp://h:26657', 'h:26657'])
      expect(cometUrls(rpc)).toEqual({ http: 'http://h:26657', ws: 'ws://h:26657/websocket', status: 'http://h:26657/status' });
    expect(cometUrls('https://rpc.example.org/terra/')).toEqual({ http: 'https://rpc.example.org/terra', ws: 'wss://rpc.example.org/terra/websocket', status: 'https://rpc.example.org/terra/status' });
  });

  it('builds Tx queries with quoted string values', () => {
    expect(txQuery({ 'send_packet.packet_src_channel': 'channel-1' })).toBe("tm.event='Tx' AND send_packet.packet_src_channel='channel-1'");
    expect(txQuery({ 'tx.height': 5 })).toBe("tm.event='Tx' AND tx.height=5");
    expect(() => txQuery({ "a' OR x": 'y' })).toThrow(/bad event key/);
  });
});

describe('CometSubscription', () => {
  it('delivers NewBlock contents and Tx events from the websocket', async () => {
    const n = await node();
    const q = txQuery({ 'tx.hash': 'ABC' });
    const s = sub({ rpc: `${n.url}/websocket`, txQueries: [q], logger: nullLogger });
    await s.ready;
    expect(s.mode).toBe('websocket');
    expect(n.subscribeCount).toBe(2);
    const it = s[Symbol.asyncIterator]();
    n.newBlock([{ type: 'send_packet', attributes: [{ key: 'packet_sequence', value: '7' }] }]);
    n.tx(q, 'abc');
    const b = (await it.next()).value as CometEvent;
    expect(b).toMatchObject({ kind: 'block', height: 11, polled: false, timeMs: Date.parse('2026-01-01T00:00:01.5Z') });
    if (b.kind !== 'block') throw new Error('not a block');
    expect(b.txResults?.[0].events[0]).toMatchObject({ type: 'send_packet', attributes: [{ key: 'packet_sequence', value: '7' }] });
    expect(b.finalizeBlockEvents?.[0].type).toBe('mint');
    // sha256("tx bytes"), as CometBFT indexes tx.hash.
    expect(b.txHashes).toEqual([createHash('sha256').update('tx bytes').digest('hex').toUpperCase()]);
    expect((await it.next()).value).toMatchObject({ kind: 'tx', query: q, height: 11, index: 2, hash: 'ABC', result: { code: 5, codespace: 'sdk' } });
    expect(s.height).toBe(11);
  });

  it("leaves a CometBFT 0.37 block's tx results unknown, not empty (terrad's NewBlock carries none)", async () => {
    const n = await node();
    const s = sub({ rpc: n.url, logger: nullLogger });
    await s.ready;
    const it = s[Symbol.asyncIterator]();
    n.newBlock([], '0.37');
    const b = (await it.next()).value as CometEvent;
    if (b.kind !== 'block') throw new Error('not a block');
    expect(b.txResults).toBeUndefined();
    expect(b.finalizeBlockEvents).toBeUndefined();
    expect(b.txHashes).toEqual([createHash('sha256').update('tx bytes').digest('hex').toUpperCase()]);
    s.close();
  });

  it('re-subscribes every query after the connection drops, and says events may have been missed', async () => {
    const n = await node();
    const q = txQuery({ 'send_packet.packet_src_channel': 'channel-1' });
    const s = sub({ rpc: n.url, txQueries: [q], logger: nullLogger });
    await s.ready;
    const resync = s.next((ev) => ev.kind === 'resync' && ev.reason === 'reconnected');
    n.dropAll();
    expect(await resync).toEqual({ kind: 'resync', reason: 'reconnected' });
    expect(n.subscribeCount).toBe(4);
    expect(n.clients).toHaveLength(1);
    const got = s.next(isBlock);
    n.newBlock();
    expect((await got)?.height).toBe(11);
  });

  it('starts over when the node cancels a subscription (a slow client)', async () => {
    const n = await node();
    const s = sub({ rpc: n.url, logger: nullLogger });
    await s.ready;
    const again = s.next((ev) => ev.kind === 'resync' && ev.reason === 'reconnected');
    n.cancelSubscriptions();
    await again;
    expect(n.subscribeCount).toBe(2);
    expect(s.mode).toBe('websocket');
  });

  it('polls /status for new blocks while the websocket is refused, and switches back once it is served', async () => {
    const n = await node();
    n.acceptWs = false;
    const s = sub({ rpc: n.url, logger: nullLogger });
    await s.ready;
    expect(s.mode).toBe('polling');
    const first = await s.next(isBlock);
    expect(first).toMatchObject({ kind: 'block', height: 10, polled: true });
    const later = s.next((ev) => isBlock(ev) && ev.height === 12);
    n.height = 12;
    expect(await later).toMatchObject({ polled: true });
    const back = s.next((ev) => ev.kind === 'resync');
    n.acceptWs = true;
    expect(await back).toEqual({ kind: 'resync', reason: 'connected' });
    expect(s.mode).toBe('websocket');
    const viaWs = s.next(isBlock);
    n.newBlock();
    expect(await viaWs).toMatchObject({ height: 13, polled: false });
  });

  it('polls only when told not to use the websocket', async () => {
    const n = await node();
    const s = sub({ rpc: n.url, websocket: false, logger: nullLogger });
    expect(await s.next(isBlock)).toMatchObject({ height: 10, polled: true });
    expect(n.subscribeCount).toBe(0);
    expect(n.clients).toHaveLength(0);
  });

  it('ends iterators and pending waits when the signal aborts, and stops reconnecting', async () => {
    const n = await node();
    const ac = new AbortController();
    const s = sub({ rpc: n.url, logger: nullLogger, signal: ac.signal });
    await s.ready;
    const it = s[Symbol.asyncIterator]();
    const pending = s.next((ev) => ev.kind === 'tx');
    const nextEv = it.next();
    const serverSideClosed = new Promise((r) => n.clients[0].socket.once('close', r));
    ac.abort();
    expect(await pending).toBeUndefined();
    expect(await nextEv).toEqual({ value: undefined, done: true });
    expect(s.mode).toBe('closed');
    await serverSideClosed;
    expect(await s.next()).toBeUndefined();
  });

  it('keeps a slow iterator bounded: the oldest events give way to one resync', async () => {
    const n = await node();
    const s = sub({ rpc: n.url, logger: nullLogger, maxQueue: 3 });
    await s.ready;
    const it = s[Symbol.asyncIterator]();
    const last = s.next((ev) => isBlock(ev) && ev.height === 15);
    for (let i = 0; i < 5; i++) n.newBlock();
    await last;
    const got: CometEvent[] = [];
    for (let i = 0; i < 3; i++) got.push((await it.next()).value);
    expect(got.map((e) => (e.kind === 'block' ? e.height : e.kind))).toEqual(['resync', 14, 15]);
  });
});
