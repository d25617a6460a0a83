// The connect timeout of fetchVerified: an executor's URI whose connection never opens must fail as download_failed
// naming the URI within connectTimeoutMs, not at the (much longer) idle timeout. Two local hosts that never finish
// a handshake: a listener whose accept queue is full (the kernel drops further SYNs, so TCP never connects) and a
// server that accepts TCP but never answers the TLS ClientHello of an https URI.
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { fetchVerified } from '../../src/jobs/download.js';

const SHA = '0'.repeat(64);
// The idle timeout is far beyond the test's own time limit: only the connect timer can end these downloads in time.
const LIMITS = { connectTimeoutMs: 300, idleTimeoutMs: 120_000, totalTimeoutMs: 120_000 };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A TCP listener (backlog 1) in a worker thread whose event loop is then blocked, so nothing is ever accepted:
 * the kernel completes handshakes only until the accept queue is full. Returns its port once `fill` connections
 * have shown that a further SYN is no longer answered.
 */
async function fullBacklogPort(): Promise<number> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const net = require('node:net');
     const s = net.createServer();
     s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
       parentPort.postMessage(s.address().port);
       // Block this thread's event loop: libuv never accepts, so the kernel's accept queue fills up.
       Atomics.wait(workerData.gate, 0, 0);
       s.close();
     });`,
    { eval: true, workerData: { gate } },
  );
  cleanups.push(async () => {
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await worker.terminate();
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  // Fill the accept queue: connections succeed until it is full; the first one left hanging proves the next SYN is
  // dropped. A filler still pending after 1 s counts as hanging (a queued handshake on loopback takes microseconds).
  const fillers: Socket[] = [];
  cleanups.push(() => fillers.forEach((s) => s.destroy()));
  for (let i = 0; i < 64; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    fillers.push(s);
    const connected = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 1000);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!connected) return port;
  }
  throw new Error('the accept queue never filled: cannot make a host whose TCP handshake hangs');
}

async function silentServer(): Promise<number> {
  const held: Socket[] = [];
  const server: Server = createServer((sock) => {
    // Accepts the TCP connection and never writes a byte (no TLS ServerHello, no HTTP status line).
    sock.on('error', () => undefined);
    held.push(sock);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    held.forEach((s) => s.destroy());
    await new Promise((r) => server.close(r));
  });
  return (server.address() as AddressInfo).port;
}

async function failsWithinConnectTimeout(uri: string): Promise<void> {
  const t0 = performance.now();
  const err = await fetchVerified(uri, SHA, LIMITS).then(
    () => undefined,
    (e: unknown) => e,
  );
  const ms = performance.now() - t0;
  expect(err).toMatchObject({ code: 'download_failed', uri, data: { timeout: 'connect' } });
  expect((err as Error).message).toContain(uri);
  expect(ms).toBeGreaterThanOrEqual(LIMITS.connectTimeoutMs - 5);
  expect(ms).toBeLessThan(LIMITS.connectTimeoutMs + 2000);
}

describe('fetchVerified connect timeout', () => {
  it('gives up on a host whose TCP handshake never completes (accept queue full) at the connect timeout', async () => {
    const port = await fullBacklogPort();
    await failsWithinConnectTimeout(`http://127.0.0.1:${port}/outputs/abc`);
  }, 15_000);

  it('gives up on an https host that accepts TCP but never answers the TLS handshake at the connect timeout', async () => {
    const port = await silentServer();
    await failsWithinConnectTimeout(`https://127.0.0.1:${port}/outputs/abc`);
  }, 15_000);
});
