// The output store's promise: a file's name is the sha256 of its bytes, or the file is not there.
import { describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputStore, sha256Hex } from '../../src/gpu/serve/output-store.js';
import { tempOf } from '../../src/core/atomic-file.js';
import { ExecutorState } from '../../src/gpu/serve/state.js';

// Durable writes as they are, counted: the state file's writes are paced.
const writes = vi.hoisted(() => ({ paths: [] as string[], last: undefined as Promise<void> | undefined }));
vi.mock('../../src/core/atomic-file.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/core/atomic-file.js')>();
  return {
    ...real,
    writeFileAtomicAsync: (path: string, data: string | Uint8Array, mode?: number) => {
      writes.paths.push(path);
      return (writes.last = real.writeFileAtomicAsync(path, data, mode));
    },
  };
});

const png = new TextEncoder().encode('an image, many bytes long '.repeat(20));
const freshStore = () => new OutputStore(join(mkdtempSync(join(tmpdir(), 'store-')), 'outputs'));

describe('output store', () => {
  it('does not hand out a truncated file, and a re-run of the same output rewrites it', async () => {
    const store = freshStore();
    const sha = await store.put(png);
    expect(sha).toBe(sha256Hex(png));
    truncateSync(join(store.dir, sha), 2);
    expect(store.get(sha)).toBeUndefined();
    writeFileSync(join(store.dir, sha), png.subarray(0, 2));
    expect(store.has(sha)).toBe(false);
    writeFileSync(join(store.dir, sha), png.subarray(0, 2));
    expect(await store.put(png)).toBe(sha);
    expect(readFileSync(join(store.dir, sha))).toEqual(Buffer.from(png));
    expect(Buffer.from(store.get(sha)!)).toEqual(Buffer.from(png));
  });

  it('the start-up check removes files whose bytes do not match their name and interrupted writes', async () => {
    const store = freshStore();
    const good = await store.put(png);
    const bad = await store.put(new TextEncoder().encode('another output'));
    writeFileSync(join(store.dir, bad), 'rot');
    writeFileSync(join(store.dir, `.${good}.tmp-123-456`), 'half');
    writeFileSync(join(store.dir, `${good}.tmp-123`), 'half, older layout');
    const check = store.verifyAll();
    expect(check).toEqual({ ok: 1, removed: [bad], temps: 2 });
    expect(readdirSync(store.dir)).toEqual([good]);
  });

  it('an output truncated or deleted after it was written is not intact, so its hash is not reported; a re-run restores it', async () => {
    const store = new OutputStore(mkdtempSync(join(tmpdir(), 'store-')));
    const bytes = new TextEncoder().encode('a png, '.repeat(1000));
    const sha = await store.put(bytes);
    expect(store.intact(sha)).toBe(true);
    truncateSync(join(store.dir, sha), 10);
    expect(store.intact(sha)).toBe(false);
    expect(await store.put(bytes)).toBe(sha);
    expect(store.intact(sha)).toBe(true);
    unlinkSync(join(store.dir, sha));
    expect(store.intact(sha)).toBe(false);
  });

  it('a write leaves no temp file behind', async () => {
    const store = freshStore();
    await store.put(png);
    expect(readdirSync(store.dir)).toEqual([sha256Hex(png)]);
  });

  it('a staged output is neither reported nor served until a commit makes it durable under its hash; a commit takes every staged output', async () => {
    const store = freshStore();
    const other = new TextEncoder().encode('a second image');
    const a = await store.stage(png);
    const b = await store.stage(other);
    expect(a).toBe(sha256Hex(png));
    expect(store.intact(a)).toBe(false);
    expect(store.get(b)).toBeUndefined();
    expect(readdirSync(store.dir).every((n) => n.startsWith('.') && n.includes('.tmp-'))).toBe(true);
    await store.commit();
    expect(store.intact(a) && store.intact(b)).toBe(true);
    expect(readdirSync(store.dir).sort()).toEqual([a, b].sort());
    expect(Buffer.from(store.get(b)!)).toEqual(Buffer.from(other));
  });

  it('a commit called while another runs returns only once the outputs staged before it are committed too', async () => {
    const store = freshStore();
    const first = await store.stage(png);
    const running = store.commit();
    const second = await store.stage(new TextEncoder().encode('staged while the first commit runs'));
    await store.commit();
    expect(store.intact(first) && store.intact(second)).toBe(true);
    await running;
  });

  it("a device worker's temp file is adopted as a staged output: not reported until committed, then durable under its hash", async () => {
    const store = freshStore();
    const sha = sha256Hex(png);
    const tmp = tempOf(join(store.dir, sha));
    writeFileSync(tmp, png);
    expect(store.adopt(tmp, sha, png.length)).toBe(sha);
    expect(store.intact(sha)).toBe(false);
    expect(store.get(sha)).toBeUndefined();
    await store.commit();
    expect(store.intact(sha)).toBe(true);
    expect(readdirSync(store.dir)).toEqual([sha]);
    // The same output adopted twice before a commit: the second temp file goes, the first is committed.
    const other = new TextEncoder().encode('another image');
    const o = sha256Hex(other);
    const [t1, t2] = [tempOf(join(store.dir, o)), tempOf(join(store.dir, o))];
    writeFileSync(t1, other);
    writeFileSync(t2, other);
    store.adopt(t1, o, other.length);
    store.adopt(t2, o, other.length);
    await store.commit();
    await vi.waitFor(() => expect(readdirSync(store.dir).sort()).toEqual([sha, o].sort()));
  });

  it('adopts only its own temp files for the hash they are named for', () => {
    const store = freshStore();
    const sha = sha256Hex(png);
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'not-the-store-')), `.${sha}.tmp-1`);
    writeFileSync(elsewhere, png);
    expect(() => store.adopt(elsewhere, sha, png.length)).toThrow(/not a temp file of/);
    const misnamed = tempOf(join(store.dir, 'f'.repeat(64)));
    writeFileSync(misnamed, png);
    expect(() => store.adopt(misnamed, sha, png.length)).toThrow(/not a temp file of/);
    expect(() => store.adopt(misnamed, 'nope', png.length)).toThrow(/not a sha256/);
  });

  it('an output staged but never committed (the executor died) is an interrupted write at the next start, not an output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    const sha = await new OutputStore(dir).stage(png);
    const restarted = new OutputStore(dir);
    expect(restarted.verifyAll()).toEqual({ ok: 0, removed: [], temps: 1 });
    expect(restarted.intact(sha)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('executor state file', () => {
  it('a truncated state file is set aside and reported with what is done about it, not silently reset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-'));
    const path = join(dir, 'state.json');
    const s = new ExecutorState(path);
    s.record({ jobId: '1', sha256: 'a'.repeat(64), mime: 'image/png', sealed: false, error: '' });
    await s.flushed();
    const full = readFileSync(path, 'utf8');
    writeFileSync(path, full.slice(0, full.length / 2));
    const again = new ExecutorState(path);
    expect(again.recovery).toMatchObject({ path, reason: expect.stringMatching(/truncated or corrupt/), action: expect.stringMatching(/rebuilding from chain state/) });
    expect(readFileSync(again.recovery!.movedTo, 'utf8')).toBe(full.slice(0, full.length / 2));
    expect(existsSync(path)).toBe(false);
    expect(again.get('1')).toBeUndefined();
  });

  it('a state file of an unknown version is not taken for an empty one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-'));
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ version: 7, done: {} }));
    expect(new ExecutorState(join(dir, 'state.json')).recovery?.reason).toMatch(/unknown version 7/);
  });

  it('changes made in a burst are all on disk once flushed, written together rather than one write each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-'));
    const path = join(dir, 'state.json');
    const s = new ExecutorState(path);
    for (let i = 0; i < 50; i++) s.record({ jobId: String(i), sha256: 'b'.repeat(64), mime: 'image/png', sealed: false, error: '' });
    s.markSubmitted(['3', '4'], 'TX1');
    await s.flushed();
    const back = new ExecutorState(path);
    expect(back.get('49')?.sha256).toBe('b'.repeat(64));
    expect(back.get('4')?.submittedTx).toBe('TX1');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('while changes keep coming the state file is written once per gap, not once per change; flushed() writes at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-'));
    const path = join(dir, 'state.json');
    const s = new ExecutorState(path, 60_000);
    const done = (i: number) => ({ jobId: String(i), sha256: 'c'.repeat(64), mime: 'image/png', sealed: false, error: '' });
    const before = writes.paths.length;
    // The first change after a quiet spell is written at once.
    s.record(done(0));
    expect(writes.paths.length - before).toBe(1);
    for (let i = 1; i <= 50; i++) s.record(done(i));
    s.markSubmitted(['0', '1'], 'TX1');
    await writes.last;
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    // The 51 changes made during that write wait for the gap: no write per change.
    expect(writes.paths.length - before).toBe(1);
    expect(new ExecutorState(path).get('50')).toBeUndefined();
    await s.flushed();
    expect(writes.paths.length - before).toBe(2);
    const back = new ExecutorState(path);
    expect(back.get('50')?.sha256).toBe('c'.repeat(64));
    expect(back.get('1')?.submittedTx).toBe('TX1');
  });

  it('a good state file is read back with no recovery', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-'));
    const path = join(dir, 'state.json');
    const first = new ExecutorState(path);
    first.record({ jobId: '2', sha256: '', mime: '', sealed: false, error: 'boom' });
    await first.flushed();
    const s = new ExecutorState(path);
    expect(s.recovery).toBeUndefined();
    expect(s.get('2')?.error).toBe('boom');
  });
});
