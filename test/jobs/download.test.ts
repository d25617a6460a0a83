// Outputs are fetched from a URI the executor chose: these servers play a hostile or broken executor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fetchOutputs, fetchVerified } from '../../src/jobs/download.js';
import { MANIFEST_MIME, encodeManifest } from '../../src/gpu/serve/manifest.js';

const png = new TextEncoder().encode('a real png, honestly '.repeat(100));
const shaOf = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const timers = new Set<NodeJS.Timeout>();

const routes: Record<string, (res: ServerResponse) => void> = {
  '/good': (res) => res.writeHead(200, { 'content-length': String(png.length) }).end(png),
  '/endless': (res) => {
    res.writeHead(200);
    const chunk = Buffer.alloc(64 * 1024, 1);
    const pump = () => {
      while (res.write(chunk));
      res.once('drain', pump);
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  },
  '/trickle': (res) => {
    res.writeHead(200);
    res.write('x');
    const t = setInterval(() => res.write('x'), 5000);
    timers.add(t);
    res.on('close', () => clearInterval(t));
  },
  '/huge': (res) => res.writeHead(200, { 'content-length': String(10 * 1024 * 1024 * 1024) }).flushHeaders(),
  '/to-file': (res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end(),
  '/loop': (res) => res.writeHead(302, { location: '/loop' }).end(),
  '/to-good': (res) => res.writeHead(301, { location: '/good' }).end(),
  '/gone': (res) => res.writeHead(404).end('no such output'),
  '/cut': (res) => {
    res.writeHead(200, { 'content-length': String(png.length) });
    res.write(png.subarray(0, 10));
    setImmediate(() => res.socket?.destroy());
  },
};

const imgs = [new TextEncoder().encode('image zero'), new TextEncoder().encode('image one')];
const manifestOf = (uris: string[], shas = imgs.map(shaOf)) =>
  encodeManifest({
    version: 1,
    kind: 'lunc-ml/images',
    sealed: false,
    images: imgs.map((b, index) => ({ index, seed: String(7 + index), sha256: shas[index], size: b.length, uri: uris[index], mime: 'image/png' })),
  });
const manifests: Record<string, Uint8Array> = {};
routes['/img/0'] = (res) => res.writeHead(200).end(imgs[0]);
routes['/img/1'] = (res) => res.writeHead(200).end(imgs[1]);
for (const name of ['good', 'lying', 'file']) routes[`/m/${name}`] = (res) => res.writeHead(200).end(manifests[name]);

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => (routes[req.url ?? ''] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  manifests.good = manifestOf([`${base}/img/0`, `${base}/img/1`]);
  manifests.lying = manifestOf([`${base}/img/0`, `${base}/img/1`], [shaOf(imgs[0]), shaOf(imgs[0])]);
  manifests.file = manifestOf([`${base}/img/0`, 'file:///etc/passwd']);
});
afterAll(async () => {
  timers.forEach(clearInterval);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('fetchVerified', () => {
  it('returns the bytes when they hash to the on-chain sha256, following an http redirect', async () => {
    expect(Buffer.from(await fetchVerified(`${base}/good`, shaOf(png)))).toEqual(Buffer.from(png));
    expect(Buffer.from(await fetchVerified(`${base}/to-good`, shaOf(png)))).toEqual(Buffer.from(png));
  });

  it('refuses bytes that do not hash to the on-chain sha256', async () => {
    await expect(fetchVerified(`${base}/good`, 'f'.repeat(64))).rejects.toMatchObject({ code: 'output_mismatch' });
  });

  it('stops an endless response at the size cap', async () => {
    const before = process.memoryUsage().rss;
    const err = await fetchVerified(`${base}/endless`, shaOf(png), { maxBytes: 4 * 1024 * 1024 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'download_failed', data: { uri: `${base}/endless`, maxBytes: 4 * 1024 * 1024 } });
    expect(err.message).toMatch(/more than the 4194304-byte limit/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('refuses a declared size over the cap before reading the body', async () => {
    await expect(fetchVerified(`${base}/huge`, shaOf(png))).rejects.toMatchObject({ code: 'download_failed', message: expect.stringMatching(/declares 10737418240 bytes/) });
  });

  it('abandons a 1-byte-per-5-s trickle at the idle timeout', async () => {
    const t0 = Date.now();
    const err = await fetchVerified(`${base}/trickle`, shaOf(png), { idleTimeoutMs: 300 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'download_failed', data: { timeout: 'idle' } });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('abandons a trickle that is never idle long enough at the overall deadline', async () => {
    const err = await fetchVerified(`${base}/trickle`, shaOf(png), { idleTimeoutMs: 60_000, totalTimeoutMs: 400 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'download_failed', data: { timeout: 'total' } });
  });

  it('refuses a redirect to file:// and a file:// URI', async () => {
    await expect(fetchVerified(`${base}/to-file`, shaOf(png))).rejects.toMatchObject({ code: 'download_failed', message: expect.stringMatching(/redirect to file: refused/) });
    await expect(fetchVerified('file:///etc/passwd', shaOf(png))).rejects.toMatchObject({ code: 'download_failed', uri: 'file:///etc/passwd' });
  });

  it('counts redirects', async () => {
    await expect(fetchVerified(`${base}/loop`, shaOf(png), { maxRedirects: 3 })).rejects.toMatchObject({ code: 'download_failed', message: expect.stringMatching(/more than 3 redirects/) });
  });

  it('names the URI on an HTTP error, a cut connection or a refused one', async () => {
    await expect(fetchVerified(`${base}/gone`, shaOf(png))).rejects.toMatchObject({ code: 'download_failed', uri: `${base}/gone`, data: { status: 404 } });
    await expect(fetchVerified(`${base}/cut`, shaOf(png))).rejects.toMatchObject({ code: 'download_failed', uri: `${base}/cut` });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(fetchVerified(`http://127.0.0.1:${port}/x`, shaOf(png))).rejects.toMatchObject({ code: 'download_failed', uri: `http://127.0.0.1:${port}/x` });
  });
});

describe('fetchOutputs', () => {
  it('fetches a k-image manifest, then every image it lists, each verified', async () => {
    const { manifest, outputs } = await fetchOutputs(`${base}/m/good`, shaOf(manifests.good), MANIFEST_MIME);
    expect(manifest?.images).toHaveLength(2);
    expect(outputs.map((o) => [o.index, o.seed, Buffer.from(o.bytes).toString()])).toEqual([
      [0, '7', 'image zero'],
      [1, '8', 'image one'],
    ]);
  });

  it('a single output is fetched as it is', async () => {
    const { manifest, outputs } = await fetchOutputs(`${base}/good`, shaOf(png), 'image/png');
    expect(manifest).toBeUndefined();
    expect(Buffer.from(outputs[0].bytes)).toEqual(Buffer.from(png));
  });

  it('an image that does not match the manifest, or a manifest URI that is not http(s), is refused', async () => {
    await expect(fetchOutputs(`${base}/m/lying`, shaOf(manifests.lying), MANIFEST_MIME)).rejects.toMatchObject({ code: 'output_mismatch' });
    await expect(fetchOutputs(`${base}/m/file`, shaOf(manifests.file), MANIFEST_MIME)).rejects.toMatchObject({ code: 'download_failed', uri: 'file:///etc/passwd' });
  });

  it('a manifest that is not one is a download_failed naming the URI', async () => {
    await expect(fetchOutputs(`${base}/good`, shaOf(png), MANIFEST_MIME)).rejects.toMatchObject({ code: 'download_failed', uri: `${base}/good` });
  });
});
