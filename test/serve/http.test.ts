// The executor's HTTP face: outputs by sha256 (what MsgSubmitResult points at), metrics, health.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { OutputStore } from '../../src/gpu/serve/output-store.js';
import { startHttp } from '../../src/gpu/serve/http.js';
import { ExecutorMetrics } from '../../src/gpu/serve/metrics.js';

describe('executor HTTP', () => {
  it('serves stored outputs by hash, 404s the rest, and exposes metrics', async () => {
    const store = new OutputStore(join(mkdtempSync(join(tmpdir(), 'out-')), 'outputs'));
    const bytes = new TextEncoder().encode('a png, honestly');
    const sha = await store.put(bytes);
    expect(sha).toBe(createHash('sha256').update(bytes).digest('hex'));
    const metrics = new ExecutorMetrics();
    metrics.jobDone('image', 'cpu', 0.2);
    metrics.queueDepth(3);
    const http = await startHttp({ store, host: '127.0.0.1', port: 0, metrics: () => metrics.render(), health: () => ({ ok: true }) });
    try {
      const r = await fetch(`${http.url}/outputs/${sha}`);
      expect(r.status).toBe(200);
      expect(new Uint8Array(await r.arrayBuffer())).toEqual(bytes);
      expect((await fetch(`${http.url}/outputs/${'0'.repeat(64)}`)).status).toBe(404);
      expect((await fetch(`${http.url}/outputs/../../etc/passwd`)).status).toBe(404);
      const m = await (await fetch(`${http.url}/metrics`)).text();
      expect(m).toContain('lunc_ml_executor_jobs_done_total{device="cpu",kind="image"} 1');
      expect(m).toContain('lunc_ml_executor_queue_depth 3');
      expect(await (await fetch(`${http.url}/healthz`)).json()).toEqual({ ok: true });
    } finally {
      await http.close();
    }
  });

  it('never serves bytes that do not hash to the name asked for', async () => {
    const store = new OutputStore(join(mkdtempSync(join(tmpdir(), 'out-')), 'outputs'));
    const sha = await store.put(new TextEncoder().encode('a whole png, not two bytes of it'));
    truncateSync(join(store.dir, sha), 2);
    const http = await startHttp({ store, host: '127.0.0.1', port: 0, metrics: () => '', health: () => ({ ok: true }) });
    try {
      expect((await fetch(`${http.url}/outputs/${sha}`)).status).toBe(404);
    } finally {
      await http.close();
    }
  });
});
