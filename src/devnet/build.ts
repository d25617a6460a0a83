// Builds chain/cmd/lunc-mld into <repo>/.cache/bin when the binary is missing or older than the Go sources.
import { existsSync, readdirSync, readFileSync, statSync, mkdirSync, utimesSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { DevnetError } from './errors.js';
import type { DevnetLogger } from './types.js';

export function defaultBinary(repoRoot: string): string {
  return join(repoRoot, '.cache', 'bin', 'lunc-mld');
}

/** `lunc-mld version` prints the package version (cosmos-sdk's version package is set at link time). */
export function versionLdflags(repoRoot: string): string {
  const v = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const pkg = 'github.com/cosmos/cosmos-sdk/version';
  return [`-X ${pkg}.Name=lunc-ml`, `-X ${pkg}.AppName=lunc-mld`, `-X ${pkg}.Version=${v}`].join(' ');
}

/** Newest modification time (ms) of the Go sources that go into the binary (*.go, go.mod, go.sum). */
export function newestSourceMtime(chainDir: string): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'build' || e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if ((e.name.endsWith('.go') && !e.name.endsWith('_test.go')) || e.name === 'go.mod' || e.name === 'go.sum') newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(chainDir);
  return newest;
}

/** True when the binary is missing or older than any source. */
export function binaryIsStale(repoRoot: string, binary = defaultBinary(repoRoot)): boolean {
  if (!existsSync(binary)) return true;
  return statSync(binary).mtimeMs < newestSourceMtime(join(repoRoot, 'chain'));
}

export interface BuildResult {
  binary: string;
  built: boolean;
  ms: number;
}

/** `go build -o <binary> ./cmd/lunc-mld` in chain/ when needed (or always with force). */
export async function ensureBinary(opts: { repoRoot: string; binary?: string; force?: boolean; logger: DevnetLogger }): Promise<BuildResult> {
  const binary = opts.binary ?? defaultBinary(opts.repoRoot);
  const chainDir = join(opts.repoRoot, 'chain');
  if (!existsSync(join(chainDir, 'go.mod'))) {
    throw new DevnetError('build_failed', `no Go module at ${chainDir}`, { hint: 'run from a lunc-ml checkout (the chain sources are in chain/)' });
  }
  if (!opts.force && !binaryIsStale(opts.repoRoot, binary)) {
    opts.logger.debug('lunc-mld is up to date', { binary });
    return { binary, built: false, ms: 0 };
  }
  const { execa } = await import('execa');
  mkdirSync(dirname(binary), { recursive: true });
  opts.logger.info('building lunc-mld (the first build takes a few minutes)', { binary });
  const t0 = Date.now();
  try {
    await execa('go', ['build', '-ldflags', versionLdflags(opts.repoRoot), '-o', binary, './cmd/lunc-mld'], { cwd: chainDir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: string; shortMessage?: string };
    if (err.code === 'ENOENT') {
      throw new DevnetError('go_missing', '`go` is not on PATH: it is needed to build the lunc-mld chain binary', {
        hint: 'install Go 1.24+ (https://go.dev/dl/) or pass a prebuilt binary with --binary',
        cause: e,
      });
    }
    throw new DevnetError('build_failed', `go build failed: ${(err.stderr ?? err.shortMessage ?? String(e)).trim().slice(-4000)}`, { cause: e });
  }
  // go may leave an identical binary untouched: mark it fresh so the staleness check stays quiet.
  const now = new Date();
  utimesSync(binary, now, now);
  const ms = Date.now() - t0;
  opts.logger.info('built lunc-mld', { binary, ms });
  return { binary, built: true, ms };
}
