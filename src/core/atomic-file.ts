// Durable whole-file writes: temp file + fsync + rename + directory fsync, so a kill or a power cut at any instant
// leaves either the old file or the new one, never a torn one.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';

// Two writes of one path in the same millisecond (an executor storing the same output twice, or two device workers
// staging the same output) get their own temp files.
let seq = 0;
/** A temp file's path beside `path`: `.<name>.tmp-<pid>-<thread>-<ms>-<n>`, unique within this process. */
export const tempOf = (path: string) => join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${threadId}-${Date.now()}-${seq++}`);

export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = tempOf(path);
  const fd = openSync(tmp, 'w', mode);
  try {
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some platforms cannot open a directory for fsync; the rename is still atomic there.
  }
}

/**
 * writeFileAtomic without blocking the event loop: the writes and fsyncs run on libuv's thread pool. For a thread that
 * must stay free while it waits on the disk (the executor feeding its devices); the result is the same durable file.
 */
export async function writeFileAtomicAsync(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = tempOf(path);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp);
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  await fsyncDir(dir);
}

/** fsyncs the file (or directory) at `path`, opened with `flags` for it. */
export async function fsyncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const fh = await open(path, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs a directory, which makes the renames done in it durable; a no-op where a directory cannot be opened for it. */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    await fsyncPath(dir, 'r');
  } catch {
    // Some platforms cannot open a directory for fsync; the rename is still atomic there.
  }
}
