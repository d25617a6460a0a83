// Persistent relayer state: last scanned height per chain and the links created by `relay link`.
// Written atomically (temp file + fsync + rename) so a kill at any instant leaves either the old or the new file.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { ConfigError } from '../core/errors.js';

export interface LinkEnd {
  chainId: string;
  clientId: string;
  connectionId?: string;
  /** This chain's end of the ICS-20 channel (port transfer) on the connection, once opened. */
  transferChannel?: string;
}

export interface LinkRecord {
  a: LinkEnd;
  b: LinkEnd;
  createdAt: string;
}

export interface RelayerState {
  version: 1;
  /** chainId → height up to which blocks were scanned and their packets handled. */
  heights: Record<string, number>;
  links: LinkRecord[];
}

export function emptyState(): RelayerState {
  return { version: 1, heights: {}, links: [] };
}

export function writeFileAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // fsync the directory so that the rename itself survives a crash.
  try {
    const dfd = openSync(dirname(path), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* not supported on every platform */
  }
}

export class StateStore {
  private state: RelayerState;
  constructor(readonly path: string) {
    this.state = StateStore.read(path);
  }

  static read(path: string): RelayerState {
    if (!existsSync(path)) return emptyState();
    let j: any;
    try {
      j = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ConfigError(`relayer state file ${path} is corrupt: ${(e as Error).message}`, { hint: 'delete it: the relayer then clears pending packets from chain state' });
    }
    if (j?.version !== 1 || typeof j.heights !== 'object' || !Array.isArray(j.links)) {
      throw new ConfigError(`relayer state file ${path} has an unknown format`, { hint: 'delete it: the relayer then clears pending packets from chain state' });
    }
    return j as RelayerState;
  }

  get(): Readonly<RelayerState> {
    return this.state;
  }

  height(chainId: string): number | undefined {
    return this.state.heights[chainId];
  }

  setHeight(chainId: string, h: number): void {
    this.state.heights[chainId] = h;
  }

  /** The recorded link between two chains, in either orientation, oriented as (a, b). */
  findLink(a: string, b: string): { a: LinkEnd; b: LinkEnd } | undefined {
    for (const l of this.state.links) {
      if (l.a.chainId === a && l.b.chainId === b) return { a: l.a, b: l.b };
      if (l.a.chainId === b && l.b.chainId === a) return { a: l.b, b: l.a };
    }
    return undefined;
  }

  putLink(a: LinkEnd, b: LinkEnd): void {
    this.state.links = this.state.links.filter((l) => !((l.a.chainId === a.chainId && l.b.chainId === b.chainId) || (l.a.chainId === b.chainId && l.b.chainId === a.chainId)));
    this.state.links.push({ a, b, createdAt: new Date().toISOString() });
  }

  flush(): void {
    writeFileAtomic(this.path, JSON.stringify(this.state, null, 2) + '\n');
  }
}
