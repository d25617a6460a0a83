// The one inclusion wait (CLI, relayer, executor): events settle it without asking the node; the node is asked only
// when the events may not tell, one query at a time, and never before the broadcast.
import { describe, expect, it } from 'vitest';
import { waitForInclusion, type InclusionOptions } from '../../src/core/inclusion.js';
import type { CometEvent, CometTxResult } from '../../src/core/subscription.js';
import { waitFor } from '../../src/core/poll.js';

const HASH = 'AB'.repeat(32);
const ok: CometTxResult = { code: 0, log: '', events: [], gasUsed: '5' };

class Events {
  private readonly cbs = new Set<(ev: CometEvent) => void>();
  on(cb: (ev: CometEvent) => void) {
    this.cbs.add(cb);
    return () => this.cbs.delete(cb);
  }
  emit(ev: CometEvent) {
    for (const cb of [...this.cbs]) cb(ev);
  }
  get listeners() {
    return this.cbs.size;
  }
  block(height: number, txs: Array<[string, CometTxResult | undefined]> = [], polled = false) {
    const withResults = txs.every(([, r]) => r);
    this.emit({ kind: 'block', height, polled, txHashes: polled ? undefined : txs.map(([h]) => h), txResults: polled || !withResults ? undefined : txs.map(([, r]) => r!) });
  }
}

function setup(over: Partial<InclusionOptions<string>> = {}, armed = true) {
  const events = new Events();
  const node = { queries: 0, concurrent: 0, maxConcurrent: 0, has: false };
  const wait = waitForInclusion<string>(
    {
      hash: HASH,
      events,
      timeoutMs: 5_000,
      timeoutError: () => new Error('not seen'),
      fromEvent: ({ height, result }) => `event:${height}:${result.code}`,
      lookUp: async () => {
        node.queries++;
        node.concurrent++;
        node.maxConcurrent = Math.max(node.maxConcurrent, node.concurrent);
        await new Promise((r) => setTimeout(r, 5));
        node.concurrent--;
        return node.has ? 'node' : undefined;
      },
      ...over,
    },
    { armed },
  );
  return { events, node, wait };
}

describe('inclusion wait', () => {
  it('a Tx event for the hash settles it without asking the node; other txs do not', async () => {
    const { events, node, wait } = setup();
    events.emit({ kind: 'tx', query: 'q', height: 7, index: 0, hash: 'CD'.repeat(32), result: { ...ok, code: 5 }, events: {} });
    events.emit({ kind: 'tx', query: 'q', height: 7, index: 1, hash: HASH, result: ok, events: {} });
    await expect(wait.promise).resolves.toBe('event:7:0');
    expect(node.queries).toBe(0);
    expect(events.listeners).toBe(0);
  });

  it("a block that carries the tx's result settles it without asking the node", async () => {
    const { events, node, wait } = setup();
    events.block(9, [
      ['CD'.repeat(32), ok],
      [HASH, { ...ok, code: 11 }],
    ]);
    await expect(wait.promise).resolves.toBe('event:9:11');
    expect(node.queries).toBe(0);
  });

  it('a block naming the tx without its result (CometBFT 0.37) asks the node at once, then every 50 ms until it answers', async () => {
    const { events, node, wait } = setup();
    events.block(3, [[HASH, undefined]]);
    await waitFor(() => node.queries >= 3, { what: 'three queries' });
    node.has = true;
    await expect(wait.promise).resolves.toBe('node');
    expect(node.maxConcurrent).toBe(1);
  });

  it('one block without the tx asks nothing; the second does (its block may have come before the wait listened)', async () => {
    const { events, node, wait } = setup();
    events.block(4);
    // A lookup starts inside the event's callback: none started means none will.
    expect(node.queries).toBe(0);
    node.has = true;
    events.block(5);
    await expect(wait.promise).resolves.toBe('node');
    expect(node.queries).toBe(1);
  });

  it('a polled block or a resync asks the node, but not before the broadcast is armed', async () => {
    const { events, node, wait } = setup({}, false);
    events.block(4, [], true);
    events.emit({ kind: 'resync', reason: 'polling' });
    events.block(5);
    events.block(6);
    expect(node.queries).toBe(0);
    wait.arm();
    node.has = true;
    events.block(7, [], true);
    await expect(wait.promise).resolves.toBe('node');
    expect(node.queries).toBe(1);
  });

  it('with no event for quietMs it asks the node (a stuck subscription)', async () => {
    const { node, wait } = setup({ quietMs: 30 });
    node.has = true;
    await expect(wait.promise).resolves.toBe('node');
  });

  it('a result seen before the wait began settles it when armed; a tx already named in a block is looked up at once', async () => {
    const seen = setup({ seen: () => 'cached' }, false);
    seen.wait.arm();
    await expect(seen.wait.promise).resolves.toBe('cached');
    const named = setup({ lookUpAtOnce: () => true, quietMs: 60_000 });
    named.node.has = true;
    await expect(named.wait.promise).resolves.toBe('node');
  });

  it("times out with the caller's error and stops listening; an abort cancels it", async () => {
    const { events, wait } = setup({ timeoutMs: 40, quietMs: 60_000 });
    await expect(wait.promise).rejects.toThrow('not seen');
    expect(events.listeners).toBe(0);
    const ac = new AbortController();
    const cancelled = setup({ signal: ac.signal });
    ac.abort();
    await expect(cancelled.wait.promise).rejects.toThrow('cancelled');
  });
});
