// A stand-in CometBFT node at the RPC boundary, for counting the round trips a command makes: JSON-RPC over HTTP
// (status, abci_query for the account and Simulate, broadcast_tx_sync, tx_search), GET /status (the subscription's
// polling fallback) and the /websocket subscription (NewBlock and Tx events), each call recorded in order.
// A broadcast tx is put in the next block, which is made `blockDelayMs` later.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { BaseAccount } from 'cosmjs-types/cosmos/auth/v1beta1/auth';
import { QueryAccountResponse } from 'cosmjs-types/cosmos/auth/v1beta1/query';
import { SimulateResponse } from 'cosmjs-types/cosmos/tx/v1beta1/service';

// `ws` comes with @cosmjs/socket, as for src/core/subscription.ts.
const { Server: WsServer } = createRequire(import.meta.url)('ws') as {
  Server: new (o: { noServer: boolean }) => {
    handleUpgrade(req: IncomingMessage, socket: unknown, head: Buffer, cb: (ws: FakeSocket) => void): void;
    close(): void;
  };
};
interface FakeSocket {
  on(ev: 'message', cb: (data: unknown) => void): void;
  on(ev: 'close', cb: () => void): void;
  send(data: string): void;
  terminate(): void;
}

export interface FakeTxResult {
  code?: number;
  codespace?: string;
  log?: string;
  /** base64 TxMsgData, as a node returns the tx's message responses. */
  data?: string;
  events?: { type: string; attributes: { key: string; value: string }[] }[];
}

export interface FakeCometOptions {
  chainId: string;
  accountNumber?: number;
  sequence?: number;
  /** Gas each Simulate reports (default 80 000). */
  gasUsed?: number;
  /** 'events': a working subscription; 'refused': /websocket answers 404; 'silent': subscribed, but no event is ever sent. */
  websocket?: 'events' | 'refused' | 'silent';
  blockDelayMs?: number;
  /** CheckTx result of each broadcast in turn (default: accepted). */
  checkTx?: FakeTxResult[];
  /** DeliverTx result of each included tx in turn (default: code 0). */
  deliverTx?: FakeTxResult[];
}

interface Included {
  hash: string;
  /** The signer's sequence it was sent with (its `tx.acc_seq`). */
  seq: number;
  height: number;
  tx: string;
  result: FakeTxResult;
}

export class FakeComet {
  /** Every call in order: `status`, `GET /status`, `abci_query <path>`, `broadcast_tx_sync`, `tx_search`, `subscribe <query>`. */
  readonly calls: string[] = [];
  /** The tx bytes of every broadcast, in order. */
  readonly broadcasts: Uint8Array[] = [];
  height = 10;
  sequence: number;
  private readonly server: Server;
  private readonly wss = new WsServer({ noServer: true });
  private readonly subs: { socket: FakeSocket; id: number; query: string }[] = [];
  private readonly sockets = new Set<FakeSocket>();
  private readonly included = new Map<string, Included>();
  private mempool: { hash: string; seq: number; tx: string }[] = [];
  private blockTimer?: NodeJS.Timeout;
  url = '';

  constructor(private readonly o: FakeCometOptions) {
    this.sequence = o.sequence ?? 3;
    this.server = createServer((req, res) => void this.http(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: { end(s: string): void }, head: Buffer) => {
      if (req.url !== '/websocket' || this.o.websocket === 'refused') {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.socket(ws));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    clearTimeout(this.blockTimer);
    for (const s of this.sockets) s.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  count(call: string): number {
    return this.calls.filter((c) => c === call).length;
  }

  /** Websocket connections open now. */
  get openSockets(): number {
    return this.sockets.size;
  }

  private socket(ws: FakeSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (data) => {
      const req = JSON.parse(String(data)) as { id: number; method: string; params: { query: string } };
      if (req.method !== 'subscribe') return;
      this.calls.push(`subscribe ${req.params.query}`);
      this.subs.push({ socket: ws, id: req.id, query: req.params.query });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: req.id, result: {} }));
    });
  }

  private async http(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (result: unknown, id: unknown = -1) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id, result }));
    };
    if (req.method === 'GET') {
      this.calls.push(`GET ${req.url}`);
      if (req.url?.startsWith('/status')) return reply(this.status());
      res.writeHead(404).end();
      return;
    }
    let body = '';
    for await (const chunk of req) body += chunk;
    const { id, method, params } = JSON.parse(body) as { id: unknown; method: string; params: Record<string, string> };
    if (method === 'abci_query') {
      this.calls.push(`abci_query ${params.path}`);
      const known = params.path === '/cosmos.auth.v1beta1.Query/Account' || params.path === '/cosmos.tx.v1beta1.Service/Simulate';
      // As the SDK answers a path it does not route.
      if (!known) return reply({ response: { code: 6, log: `unknown query path: ${params.path}`, info: '', index: '0', key: null, value: null, proofOps: null, height: '0', codespace: 'sdk' } }, id);
      return reply(
        { response: { code: 0, log: '', info: '', index: '0', key: null, value: Buffer.from(this.query(params.path)).toString('base64'), proofOps: null, height: String(this.height), codespace: '' } },
        id,
      );
    }
    this.calls.push(method);
    if (method === 'status') return reply(this.status(), id);
    if (method === 'broadcast_tx_sync') return reply(this.broadcast(params.tx), id);
    if (method === 'tx_search') {
      const m = /tx\.hash='([0-9A-F]+)'/.exec(params.query);
      const found = m ? this.included.get(m[1]) : undefined;
      return reply({ txs: found ? [{ hash: found.hash, height: String(found.height), index: 0, tx_result: this.txResult(found.result), tx: found.tx }] : [], total_count: found ? '1' : '0' }, id);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32601, message: `fake node: no ${method}` } }));
  }

  private status() {
    return {
      node_info: {
        protocol_version: { p2p: '8', block: '11', app: '0' },
        id: 'ab'.repeat(20),
        listen_addr: 'tcp://0.0.0.0:26656',
        network: this.o.chainId,
        version: '0.38.17',
        channels: '40202122233038606100',
        moniker: 'fake',
        other: { tx_index: 'on', rpc_address: 'tcp://0.0.0.0:26657' },
      },
      sync_info: {
        latest_block_hash: 'AB'.repeat(32),
        latest_app_hash: 'CD'.repeat(32),
        latest_block_height: String(this.height),
        latest_block_time: new Date().toISOString(),
        catching_up: false,
      },
      validator_info: { address: 'EF'.repeat(20), pub_key: { type: 'tendermint/PubKeyEd25519', value: Buffer.alloc(32, 1).toString('base64') }, voting_power: '10' },
    };
  }

  private query(path: string): Uint8Array {
    if (path === '/cosmos.auth.v1beta1.Query/Account') {
      const account = BaseAccount.encode(BaseAccount.fromPartial({ address: 'fake', accountNumber: BigInt(this.o.accountNumber ?? 7), sequence: BigInt(this.sequence) })).finish();
      return QueryAccountResponse.encode({ account: { typeUrl: '/cosmos.auth.v1beta1.BaseAccount', value: account } }).finish();
    }
    if (path === '/cosmos.tx.v1beta1.Service/Simulate') {
      const gas = BigInt(this.o.gasUsed ?? 80_000);
      return SimulateResponse.encode(SimulateResponse.fromPartial({ gasInfo: { gasUsed: gas, gasWanted: gas }, result: { data: new Uint8Array(), log: '', events: [], msgResponses: [] } })).finish();
    }
    throw new Error(`fake node: no query ${path}`);
  }

  private broadcast(txBase64: string) {
    const bytes = Buffer.from(txBase64, 'base64');
    this.broadcasts.push(new Uint8Array(bytes));
    const hash = createHash('sha256').update(bytes).digest('hex').toUpperCase();
    const check = this.o.checkTx?.shift() ?? {};
    if (check.code) return { code: check.code, codespace: check.codespace ?? 'sdk', log: check.log ?? 'refused', data: '', hash };
    this.mempool.push({ hash, seq: this.sequence, tx: txBase64 });
    this.sequence++;
    this.blockTimer ??= setTimeout(() => this.block(), this.o.blockDelayMs ?? 30);
    return { code: 0, codespace: '', log: '', data: '', hash };
  }

  private txResult(r: FakeTxResult) {
    return { code: r.code ?? 0, codespace: r.codespace ?? '', log: r.log ?? '', data: r.data ?? '', gas_wanted: '100000', gas_used: '90000', events: r.events ?? [] };
  }

  /** Commits the mempool into a block and sends its NewBlock and Tx events. */
  private block(): void {
    this.blockTimer = undefined;
    this.height++;
    const txs = this.mempool;
    this.mempool = [];
    const results = txs.map((t) => {
      const inc: Included = { ...t, height: this.height, result: this.o.deliverTx?.shift() ?? {} };
      this.included.set(t.hash, inc);
      return inc;
    });
    if (this.o.websocket === 'silent') return;
    for (const s of this.subs) {
      const send = (result: unknown) => s.socket.send(JSON.stringify({ jsonrpc: '2.0', id: s.id, result }));
      if (s.query === "tm.event='NewBlock'") {
        send({
          query: s.query,
          data: {
            type: 'tendermint/event/NewBlock',
            value: {
              block: { header: { height: String(this.height), time: new Date().toISOString() } },
              result_finalize_block: { tx_results: results.map((r) => this.txResult(r.result)), events: [] },
            },
          },
          events: { 'tm.event': ['NewBlock'] },
        });
        continue;
      }
      for (const r of results) {
        // The signer's address is not checked: one account sends through a fake node.
        if (!s.query.includes(`tx.hash='${r.hash}'`) && !new RegExp(`tx\\.acc_seq='[^']*/${r.seq}'`).test(s.query)) continue;
        send({
          query: s.query,
          data: { type: 'tendermint/event/Tx', value: { TxResult: { height: String(r.height), index: 0, tx: r.tx, result: this.txResult(r.result) } } },
          events: { 'tm.event': ['Tx'], 'tx.hash': [r.hash], 'tx.height': [String(r.height)] },
        });
      }
    }
  }
}
