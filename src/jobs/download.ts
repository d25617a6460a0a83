// Fetching an output from the URI its executor chose. The executor is a stranger to the user, so the URI is treated as
// hostile: http(s) only, redirects counted and kept to http(s), a size cap, connect and idle timeouts and an overall
// deadline, and the sha256 computed while the bytes stream in. Nothing is returned unless it matches the chain's hash.
import { createHash } from 'node:crypto';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ChainError, DownloadError } from '../core/errors.js';
import { MANIFEST_MAX_BYTES, MANIFEST_MIME, parseManifest, type ImagesManifest } from '../gpu/serve/manifest.js';

export interface DownloadOptions {
  /** Largest accepted body (default 256 MiB). */
  maxBytes?: number;
  /** Time to open the connection, TLS included (default 10 s). */
  connectTimeoutMs?: number;
  /** Longest silence, waiting for headers or between body bytes (default 30 s). */
  idleTimeoutMs?: number;
  /** Redirects followed, each to http(s) only (default 5). */
  maxRedirects?: number;
  /** Deadline for the whole download, redirects included: catches a trickle that is never quite idle (default 10 min). */
  totalTimeoutMs?: number;
  signal?: AbortSignal;
}

type Limits = Required<Omit<DownloadOptions, 'signal'>>;

export const DOWNLOAD_DEFAULTS: Readonly<Limits> = {
  maxBytes: 256 * 1024 * 1024,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  maxRedirects: 5,
  totalTimeoutMs: 600_000,
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Options left undefined keep their default (a spread would overwrite it with undefined). */
function definedOnly(opts: DownloadOptions): Partial<Limits> {
  const { signal: _signal, ...rest } = opts;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<Limits>;
}

function parseHttpUrl(uri: string, from?: string): URL {
  let u: URL;
  try {
    u = new URL(uri, from);
  } catch {
    throw new DownloadError(from ?? uri, `"${uri}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new DownloadError(from ?? uri, from ? `redirect to ${u.protocol} refused (${u.href}): only http and https are followed` : `${u.protocol} URIs are refused: only http and https`, {
      hint: 'the executor chose this URI; do not fetch it by other means without care',
    });
  }
  return u;
}

/** Fetches `uri` and returns its bytes only if their sha256 is `sha256` (hex); see DownloadOptions for the limits. */
export async function fetchVerified(uri: string, sha256: string, opts: DownloadOptions = {}): Promise<Uint8Array> {
  const o: Limits = { ...DOWNLOAD_DEFAULTS, ...definedOnly(opts) };
  const deadline = AbortSignal.timeout(o.totalTimeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  let url = parseHttpUrl(uri);
  for (let redirects = 0; ; redirects++) {
    const res = await open(url, o, signal, uri);
    const location = res.headers.location;
    if (REDIRECTS.has(res.statusCode ?? 0) && location) {
      res.destroy();
      if (redirects >= o.maxRedirects) throw new DownloadError(uri, `more than ${o.maxRedirects} redirects (last to ${location})`);
      url = parseHttpUrl(location, url.href);
      continue;
    }
    if (res.statusCode !== 200) {
      res.destroy();
      throw new DownloadError(uri, `answered HTTP ${res.statusCode}${url.href !== uri ? ` (after redirects, at ${url.href})` : ''}`, {
        data: { status: res.statusCode },
        hint: 'the executor may be offline or may have lost the output; try again later',
      });
    }
    const { bytes, sha256: got } = await readBody(res, o, signal, uri);
    if (got !== sha256.toLowerCase()) {
      throw new ChainError('output_mismatch', `the output at ${uri} has sha256 ${got}, but the chain recorded ${sha256}`, { hint: 'do not trust this file; report the executor' });
    }
    return bytes;
  }
}

function open(url: URL, o: Limits, signal: AbortSignal, uri: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // A fresh connection per request (agent: false): the connect timer then covers exactly this connection.
    const req: ClientRequest = request(url, { method: 'GET', agent: false, headers: { accept: '*/*', 'accept-encoding': 'identity', 'user-agent': 'lunc-ml' } });
    const fail = (e: Error) => {
      clearTimeout(connectTimer);
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      reject(e);
    };
    const onAbort = () => fail(abortError(uri, signal));
    const connectTimer = setTimeout(() => fail(new DownloadError(uri, `no connection to ${url.host} within ${o.connectTimeoutMs} ms`, { data: { timeout: 'connect' } })), o.connectTimeoutMs);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (sock) => sock.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer)));
    // Socket inactivity from here on: waiting for the status line, then between body chunks (see readBody).
    req.setTimeout(o.idleTimeoutMs, () => fail(new DownloadError(uri, `no data for ${o.idleTimeoutMs} ms`, { data: { timeout: 'idle' } })));
    req.on('error', (e) => fail(e instanceof DownloadError ? e : new DownloadError(uri, e.message, { cause: e, hint: 'the executor may be offline; try again later' })));
    req.on('response', (res) => {
      clearTimeout(connectTimer);
      signal.removeEventListener('abort', onAbort);
      resolve(res);
    });
    req.end();
  });
}

function readBody(res: IncomingMessage, o: Limits, signal: AbortSignal, uri: string): Promise<{ bytes: Uint8Array; sha256: string }> {
  return new Promise((resolve, reject) => {
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (declared > o.maxBytes) {
      res.destroy();
      return reject(
        new DownloadError(uri, `declares ${declared} bytes, over the ${o.maxBytes}-byte limit`, { data: { maxBytes: o.maxBytes }, hint: 'raise the limit only if you expect an output that large' }),
      );
    }
    const chunks: Buffer[] = [];
    const hash = createHash('sha256');
    let total = 0;
    let settled = false;
    const finish = (e?: Error) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      res.socket?.setTimeout(0);
      if (e) {
        res.destroy();
        reject(e);
      } else resolve({ bytes: new Uint8Array(Buffer.concat(chunks, total)), sha256: hash.digest('hex') });
    };
    const onAbort = () => finish(abortError(uri, signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    res.socket?.setTimeout(o.idleTimeoutMs, () => finish(new DownloadError(uri, `no data for ${o.idleTimeoutMs} ms after ${total} bytes`, { data: { timeout: 'idle', bytes: total } })));
    res.on('data', (c: Buffer) => {
      total += c.length;
      if (total > o.maxBytes)
        return finish(new DownloadError(uri, `sent more than the ${o.maxBytes}-byte limit`, { data: { maxBytes: o.maxBytes }, hint: 'raise the limit only if you expect an output that large' }));
      hash.update(c);
      chunks.push(c);
    });
    res.on('end', () => (res.complete ? finish() : finish(new DownloadError(uri, `connection closed after ${total} bytes, before the end of the body`))));
    res.on('aborted', () => finish(new DownloadError(uri, `connection closed after ${total} bytes, before the end of the body`)));
    res.on('error', (e) => finish(new DownloadError(uri, e.message, { cause: e })));
  });
}

function abortError(uri: string, signal: AbortSignal): Error {
  const r = signal.reason as Error | undefined;
  if (r?.name === 'TimeoutError') return new DownloadError(uri, 'the download took longer than its overall time limit', { data: { timeout: 'total' } });
  return r ?? new DownloadError(uri, 'aborted');
}

export interface FetchedOutput {
  /** 0 for a single output; the image's index in a k-image job. */
  index: number;
  sha256: string;
  mime: string;
  bytes: Uint8Array;
  /** A k-image job's image: the seed it was generated with. */
  seed?: string;
}

/**
 * Fetches a job's result: one verified output, or, when `mime` is the images manifest, the manifest (checked against
 * the on-chain sha256) and then every image it lists, each checked against the manifest's sha256, with the same limits.
 */
export async function fetchOutputs(uri: string, sha256: string, mime: string, opts: DownloadOptions = {}): Promise<{ manifest?: ImagesManifest; outputs: FetchedOutput[] }> {
  if (mime !== MANIFEST_MIME) return { outputs: [{ index: 0, sha256, mime, bytes: await fetchVerified(uri, sha256, opts) }] };
  const raw = await fetchVerified(uri, sha256, { ...opts, maxBytes: Math.min(opts.maxBytes ?? MANIFEST_MAX_BYTES, MANIFEST_MAX_BYTES) });
  let manifest: ImagesManifest;
  try {
    manifest = parseManifest(raw);
  } catch (e) {
    throw new DownloadError(uri, (e as Error).message, { hint: 'the executor sent a malformed images manifest; report the executor' });
  }
  const outputs: FetchedOutput[] = [];
  for (const img of manifest.images) {
    outputs.push({ index: img.index, sha256: img.sha256, mime: img.mime, seed: img.seed, bytes: await fetchVerified(img.uri, img.sha256, opts) });
  }
  return { manifest, outputs };
}
