// Content-addressed output store: <dir>/<sha256>, served read-only over HTTP. The name is a promise about the
// bytes, and a requester pays for that hash: so a file is written durably (temp + fsync + rename + directory
// fsync), checked against its name before it is served or reported, and rewritten when a re-run produces it again.
// Under a burst the executor stages outputs (temp files) as they come and commits them together right before the
// results tx that reports them: fsyncs issued at once share the filesystem's journal commits, and one directory fsync
// covers every rename, where a durable write per output cost the devices about 5% of their speed on a 2-core host.
import { createHash } from 'node:crypto';
// Callback writeFile: three thread-pool calls without the FileHandle objects and promise chain of fs/promises'.
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFile as writeFileCb } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fsyncDir, fsyncPath, tempOf } from '../../core/atomic-file.js';
import type { Logger } from '../../core/logger.js';

export const SHA256_HEX = /^[0-9a-f]{64}$/;
// Interrupted writes: `.<sha>.tmp-…` (writeFileAtomic*) and `<sha>.tmp-…` (older versions).
const TEMP = /^\.?[0-9a-f]{64}\.tmp-/;

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export interface StoreCheck {
  /** Files whose bytes hash to their name. */
  ok: number;
  /** Damaged files (bytes do not hash to the name) that were removed. */
  removed: string[];
  /** Left-over temp files of an interrupted write, removed. */
  temps: number;
}

export class OutputStore {
  /** Files this process wrote or hashed itself, with their size: see intact(). */
  private readonly checked = new Map<string, number>();
  /** Outputs written to a temp file and not committed yet: sha256 → temp path and size. */
  private readonly staged = new Map<string, { tmp: string; size: number }>();
  private committing: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    /** Where damaged files are reported; the executor service sets its own when none was given. */
    public logger?: Logger,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Checks every file against its name (run at start): removes damaged files and interrupted writes. */
  verifyAll(): StoreCheck {
    const out: StoreCheck = { ok: 0, removed: [], temps: 0 };
    for (const name of readdirSync(this.dir)) {
      if (TEMP.test(name)) {
        this.unlink(name);
        out.temps++;
      } else if (SHA256_HEX.test(name)) {
        if (this.read(name)) out.ok++;
        else out.removed.push(name);
      }
    }
    return out;
  }

  /**
   * Stores `bytes` under their sha256 and returns it once the file is durable; a missing or damaged copy is
   * (re)written (a good one is replaced by the same bytes). The disk work runs off the event loop, which the executor
   * needs to feed its devices.
   * `sha256`: the bytes' hash where the caller has it from hashing these very bytes (the device worker hashes every
   * output it makes), so that a 0.5 MB image is not hashed twice, the second time on the thread feeding the devices.
   */
  async put(bytes: Uint8Array, sha256?: string): Promise<string> {
    const sha = await this.stage(bytes, sha256);
    await this.commit();
    return sha;
  }

  /**
   * Writes `bytes` to a temp file for the next commit() and returns their sha256 (see put). Until that commit the
   * output is neither durable nor served, and intact() is false for it: nothing may report it.
   */
  async stage(bytes: Uint8Array, sha256?: string): Promise<string> {
    const sha = sha256 ?? sha256Hex(bytes);
    if (!SHA256_HEX.test(sha)) throw new Error(`not a sha256: ${sha}`);
    if (this.staged.has(sha)) return sha;
    // Written whether or not a copy is there: a good copy is replaced by the same bytes, a damaged one repaired, and
    // the thread feeding the devices never waits on a stat of a directory that the disk threads are writing to.
    const tmp = tempOf(join(this.dir, sha));
    await new Promise<void>((resolve, reject) => writeFileCb(tmp, bytes, { mode: 0o644 }, (e) => (e ? reject(e) : resolve())));
    this.staged.set(sha, { tmp, size: bytes.length });
    return sha;
  }

  /**
   * Stages a temp file another thread wrote (a device worker: see DevicePool.run's stageIn) as the output `sha256`,
   * `size` bytes long, for the next commit(); as stage() does for bytes, without touching the disk. The file must be
   * a temp file of this store for that hash; it is removed when the output is already staged.
   */
  adopt(tmp: string, sha256: string, size: number): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    if (resolve(dirname(tmp)) !== resolve(this.dir) || !basename(tmp).startsWith(`.${sha256}.tmp-`)) throw new Error(`${tmp} is not a temp file of ${join(this.dir, sha256)}`);
    if (this.staged.has(sha256)) unlink(tmp).catch(() => undefined);
    else this.staged.set(sha256, { tmp, size });
    return sha256;
  }

  /**
   * Makes every staged output durable and servable: all fsynced at once, renamed to their hash, then one fsync of the
   * directory. Commits run one after another, so a commit returns only once every output staged before it was called
   * is committed. An output whose temp file cannot be made durable is dropped (logged): it is not intact, so the
   * executor computes it again rather than report it.
   */
  commit(): Promise<void> {
    const run = this.committing.then(() => this.commitStaged());
    this.committing = run.catch(() => undefined);
    return run;
  }

  private async commitStaged(): Promise<void> {
    if (this.staged.size === 0) return;
    const batch = [...this.staged];
    this.staged.clear();
    const done = await Promise.all(
      batch.map(async ([sha, { tmp, size }]) => {
        try {
          await fsyncPath(tmp, 'r+');
          await rename(tmp, join(this.dir, sha));
          return { sha, size };
        } catch (e) {
          this.logger?.error('could not make an output durable; the job runs again', { sha256: sha, error: (e as Error).message });
          await unlink(tmp).catch(() => undefined);
          return undefined;
        }
      }),
    );
    await fsyncDir(this.dir);
    for (const d of done) if (d) this.checked.set(d.sha, d.size);
  }

  /**
   * Whether `sha` may be reported: a file this process wrote (durably) or hashed itself is checked by its size, which
   * catches a deleted or truncated copy without reading it again; any other file is read and hashed. Under a burst
   * this saves re-hashing every output on the thread that feeds the devices. Serving always hashes (get).
   */
  intact(sha: string): boolean {
    const size = this.checked.get(sha);
    if (size === undefined) return this.has(sha);
    try {
      if (statSync(join(this.dir, sha)).size === size) return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    this.checked.delete(sha);
    return this.has(sha);
  }

  /** True when `sha` is stored and its bytes hash to it: the only case in which it may be reported or served. */
  has(sha: string): boolean {
    return this.get(sha) !== undefined;
  }

  /** The bytes stored under `sha`, checked; a damaged file is removed (a re-run rewrites it) and undefined returned. */
  get(sha: string): Uint8Array | undefined {
    if (!SHA256_HEX.test(sha)) return undefined;
    return this.read(sha);
  }

  private read(sha: string): Uint8Array | undefined {
    const p = join(this.dir, sha);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    if (sha256Hex(bytes) === sha) {
      this.checked.set(sha, bytes.length);
      return bytes;
    }
    this.checked.delete(sha);
    this.logger?.error('stored output does not match its hash; removed it (a re-run of the job writes it again)', { sha256: sha, bytes: bytes.length, path: p });
    this.unlink(sha);
    return undefined;
  }

  size(sha: string): number {
    return statSync(join(this.dir, sha)).size;
  }

  private unlink(name: string): void {
    try {
      unlinkSync(join(this.dir, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}
