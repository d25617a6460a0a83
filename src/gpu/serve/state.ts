// What the executor has done, on disk, so a restart neither loses an assigned job nor submits a result twice:
// a job whose output is stored is submitted again only if the chain still says it is pending.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

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

export class ExecutorState {
  private data: StateFile = { version: 1, done: {} };
  constructor(readonly path: string) {
    if (existsSync(path)) {
      try {
        const parsed = JSON.parse(readFileSync(path, 'utf8')) as StateFile;
        if (parsed.version === 1 && parsed.done) this.data = parsed;
      } catch {
        // A torn file cannot happen (atomic rename); an unreadable one is treated as empty: the chain stays the source of truth.
      }
    }
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
    this.flush();
  }

  forget(jobId: string): void {
    delete this.data.done[jobId];
    this.flush();
  }

  private flush(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(this.data, null, 1));
    renameSync(tmp, this.path);
  }
}
