// Content-addressed output store: <dir>/<sha256>, written atomically, served read-only over HTTP.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export class OutputStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  put(bytes: Uint8Array): string {
    const sha = createHash('sha256').update(bytes).digest('hex');
    const p = join(this.dir, sha);
    if (!existsSync(p)) {
      const tmp = `${p}.tmp-${process.pid}`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, p);
    }
    return sha;
  }

  has(sha: string): boolean {
    return SHA256_HEX.test(sha) && existsSync(join(this.dir, sha));
  }

  get(sha: string): Uint8Array | undefined {
    if (!this.has(sha)) return undefined;
    return readFileSync(join(this.dir, sha));
  }

  size(sha: string): number {
    return statSync(join(this.dir, sha)).size;
  }
}
