// The executor's nudge: a CometBFT websocket subscription to new blocks. A stand-in node speaks just enough of the
// websocket protocol (RFC 6455) to check where the client connects and what it subscribes to, and sends it a
// NewBlock event recorded from the devnet (comet-newblock-event.json).
import { describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { watchNewBlocks, type SeenBlock } from '../../src/gpu/serve/chain.js';
import { nullLogger } from '../../src/core/logger.js';
import { waitFor } from '../../src/core/poll.js';

const event = JSON.parse(readFileSync(new URL('./comet-newblock-event.json', import.meta.url), 'utf8'));
// The same block holding one tx: the executor learns a results tx is in a block from the event itself.
const tx = Buffer.from('a results tx');
const withTx = structuredClone(event);
withTx.data.value.block.data.txs = [tx.toString('base64')];

function frame(text: string): Buffer {
  const body = Buffer.from(text);
  const head = body.length < 126 ? Buffer.from([0x81, body.length]) : Buffer.from([0x81, 126, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([head, body]);
}

/** The text of one masked client frame (the client's frames are small: 7- or 16-bit lengths). */
function unframe(buf: Buffer): string {
  let len = buf[1] & 0x7f;
  let off = 2;
  if (len === 126) {
    len = buf.readUInt16BE(2);
    off = 4;
  }
  const mask = buf.subarray(off, off + 4);
  const body = Buffer.from(buf.subarray(off + 4, off + 4 + len));
  for (let i = 0; i < body.length; i++) body[i] ^= mask[i % 4];
  return body.toString();
}

describe('new-block watch', () => {
  it("subscribes at <rpc>/websocket and nudges on every NewBlock event with the block's height and tx hashes", async () => {
    const paths: string[] = [];
    const queries: string[] = [];
    const sockets: Duplex[] = [];
    const server = createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      paths.push(req.url ?? '');
      sockets.push(socket);
      if (req.url !== '/websocket') {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.once('data', (buf: Buffer) => {
        const sub = JSON.parse(unframe(buf));
        queries.push(sub.params.query);
        socket.write(frame(JSON.stringify({ jsonrpc: '2.0', id: sub.id, result: {} })));
        for (const e of [event, event, withTx]) socket.write(frame(JSON.stringify({ jsonrpc: '2.0', id: sub.id, result: e })));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const blocks: SeenBlock[] = [];
    const stop = watchNewBlocks(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, nullLogger, (b) => blocks.push(b));
    try {
      await waitFor(() => blocks.filter((b) => !b.resync).length === 3, { timeoutMs: 5000, what: 'three nudges' });
      const seen = blocks.filter((b) => !b.resync);
      expect(seen[0]).toMatchObject({ height: 4, txHashes: [] });
      // CometBFT's tx hash: sha256 of the tx bytes, upper-case hex (what broadcast_tx_sync returns).
      expect(seen[2]).toMatchObject({ height: 4, txHashes: [createHash('sha256').update(tx).digest('hex').toUpperCase()] });
      expect(paths).toEqual(['/websocket']);
      expect(queries).toEqual(["tm.event='NewBlock'"]);
    } finally {
      stop();
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
    }
  });
});
