// Serves stored outputs at /outputs/<sha256>, Prometheus metrics at /metrics and liveness at /healthz.
import { createServer, type Server } from 'node:http';
import type { OutputStore } from './output-store.js';
import { SHA256_HEX } from './output-store.js';

export interface HttpOptions {
  store: OutputStore;
  host: string;
  port: number;
  metrics: () => string;
  health: () => Record<string, unknown>;
}

export function startHttp(o: HttpOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(o.metrics());
      return;
    }
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o.health()));
      return;
    }
    const m = /^\/outputs\/([0-9a-f]{64})$/.exec(url.pathname);
    if (m && SHA256_HEX.test(m[1])) {
      const bytes = o.store.get(m[1]);
      if (!bytes) {
        res.writeHead(404).end('no such output\n');
        return;
      }
      // Content-addressed: the name is the hash, so it can be cached forever.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length), 'cache-control': 'public, max-age=31536000, immutable', etag: `"${m[1]}"` });
      res.end(req.method === 'HEAD' ? undefined : bytes);
      return;
    }
    res.writeHead(404).end('not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : o.port;
      resolve({ server, url: `http://${o.host}:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
