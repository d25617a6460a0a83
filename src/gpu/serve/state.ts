// What the executor has done, on disk, so a restart neither loses an assigned job nor submits a result twice:
// a job whose output is stored is submitted again only if the chain still says it is pending.
// The chain is the source of truth: a state file that cannot be read is set aside and the executor rebuilds from the
// chain's list of pending jobs (re-running them; outputs already stored are kept by hash). That is said loudly, once,
// through `recovery` (the executor service logs it as an error at start), never done silently.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomicAsync } from '../../core/atomic-file.js';

export interface DoneJob {
  jobId: string;
  sha256: string;
  mime: string;
  sealed: boolean;
  error: string;
  /** Tx hash once a MsgSubmitResult with this job was included. */
  submittedTx?: string;
}

interface StateFile {
  version: 1;
  done: Record<string, DoneJob>;
}

/** Set when the state file could not be used: what was wrong and what was done about it. */
export interface StateRecovery {
  path: string;
  reason: string;
  /** Where the unreadable file was moved, for inspection. */
  movedTo: string;
  action: string;
}

/** Submitted records kept for inspection; older ones are dropped (the chain holds the result). */
const KEEP_SUBMITTED = 2000;

/** Least time between two writes of the state file while changes keep coming (flushed() writes at once). */
export const STATE_WRITE_GAP_MS = 250;

export class ExecutorState {
  private data: StateFile = { version: 1, done: {} };
  private dirty = false;
  private writing?: Promise<void>;
  private lastWriteAt = 0;
  /** Set by flushed(): writes go without waiting for their turn. */
  private urgent = false;
  /** Ends the wait before the next write. */
  private hurry?: () => void;
  readonly recovery?: StateRecovery;

  constructor(
    readonly path: string,
    private readonly writeGapMs = STATE_WRITE_GAP_MS,
  ) {
    if (!existsSync(path)) return;
    // Read errors other than a bad file (permissions, I/O) are thrown: resetting would hide them.
    const text = readFileSync(path, 'utf8');
    let reason: string | undefined;
    try {
      const parsed = JSON.parse(text) as StateFile;
      if (parsed?.version !== 1) reason = `unknown version ${JSON.stringify(parsed?.version)}`;
      else if (!parsed.done || typeof parsed.done !== 'object') reason = 'no "done" table';
      else this.data = parsed;
    } catch (e) {
      reason = `${(e as Error).message} (${text.length} bytes: truncated or corrupt)`;
    }
    if (reason === undefined) return;
    const movedTo = join(dirname(path), `${basename(path)}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    renameSync(path, movedTo);
    this.recovery = {
      path,
      reason,
      movedTo,
      action: 'rebuilding from chain state: jobs still pending for this executor run again (stored outputs are reused by hash); results the chain already has are not resubmitted',
    };
  }

  get(jobId: string): DoneJob | undefined {
    return this.data.done[jobId];
  }

  record(job: DoneJob): void {
    this.data.done[job.jobId] = job;
    this.flush();
  }

  markSubmitted(jobIds: string[], txHash: string): void {
    for (const id of jobIds) if (this.data.done[id]) this.data.done[id].submittedTx = txHash;
    this.prune();
    this.flush();
  }

  forget(jobId: string): void {
    delete this.data.done[jobId];
    this.flush();
  }

  private prune(): void {
    const submitted = Object.keys(this.data.done).filter((id) => this.data.done[id].submittedTx);
    if (submitted.length <= KEEP_SUBMITTED) return;
    submitted.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    for (const id of submitted.slice(0, submitted.length - KEEP_SUBMITTED)) delete this.data.done[id];
  }

  /**
   * Writes coalesce: at most one write in flight and one more after it, carrying every change made meanwhile, all off
   * the event loop, and at least writeGapMs apart. Under a burst that is a few writes a second, not two fsyncs and a
   * serialisation of the whole table per job and per results tx on the thread that feeds the devices (on ext4 a write
   * took ~4 ms, so writes ran back to back). A change lost to a crash costs at most a recomputation: the chain, not
   * this file, says what is done, and this process reads its changes from memory.
   */
  private flush(): void {
    this.dirty = true;
    if (this.writing) return;
    this.writing = (async () => {
      while (this.dirty) {
        const wait = this.urgent ? 0 : this.lastWriteAt + this.writeGapMs - Date.now();
        if (wait > 0)
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, wait);
            this.hurry = () => {
              clearTimeout(t);
              resolve();
            };
          });
        this.hurry = undefined;
        this.dirty = false;
        try {
          await writeFileAtomicAsync(this.path, JSON.stringify(this.data));
        } finally {
          this.lastWriteAt = Date.now();
        }
      }
    })().finally(() => {
      this.writing = undefined;
      // A change made between the loop's last check and here still gets its write.
      if (this.dirty) this.flush();
    });
    // A failed write is reported by flushed(); the next change tries again.
    this.writing.catch(() => undefined);
  }

  /** Resolves once every change so far is on disk (rejects if the last write failed); a write waiting for its turn goes now. */
  async flushed(): Promise<void> {
    this.urgent = true;
    this.hurry?.();
    try {
      while (this.writing) await this.writing;
    } finally {
      this.urgent = false;
    }
  }
}
