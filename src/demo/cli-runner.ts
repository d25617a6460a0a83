// Drives the lunc-ml CLI as a child process, the way a user or a CI script does, and parses its JSON output.
import { execa, type ResultPromise } from 'execa';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LuncMlError } from '../core/errors.js';

export interface CliEnv {
  /** bin/lunc-ml.js */
  bin: string;
  /** --home for the keyring and reply keys */
  home: string;
  /** --chain: a profile.json path */
  chain: string;
  /** Extra environment (LUNC_ML_DEVNET_HOME, ...). */
  env?: Record<string, string>;
}

export function cliArgs(c: CliEnv, args: string[]): string[] {
  return [c.bin, '--home', c.home, '--keyring-backend', 'test', '--chain', c.chain, '-o', 'json', ...args];
}

/** Runs one command to completion; returns its JSON result or throws the CLI's own error. */
export async function runJson<T = any>(c: CliEnv, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<T> {
  const r = await execa('node', cliArgs(c, args), { input: opts.input ?? '', env: { ...(c.env ?? {}), LUNC_ML_LOG_LEVEL: 'warn' }, reject: false, timeout: opts.timeoutMs ?? 180_000 });
  if (r.exitCode !== 0) {
    let e: { error?: string; message?: string; hint?: string } = {};
    try {
      e = JSON.parse(r.stderr.trim().split('\n').at(-1) ?? '');
    } catch {
      e = { message: r.stderr.trim().split('\n').slice(-3).join(' ') };
    }
    throw new LuncMlError(e.error ?? 'cli_failed', `lunc-ml ${args.slice(0, 2).join(' ')} failed: ${e.message ?? `exit ${r.exitCode}`}`, { hint: e.hint, data: { exitCode: r.exitCode } });
  }
  const out = r.stdout.trim();
  return (out ? JSON.parse(out) : undefined) as T;
}

/** Starts a long-running command (relay start, gpu serve) with its output in a log file. */
export function spawnService(c: CliEnv, args: string[], logFile: string): ResultPromise {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = execa('node', [c.bin, '--home', c.home, '--keyring-backend', 'test', '--chain', c.chain, '--log-format', 'json', ...args], {
    env: { ...(c.env ?? {}) },
    reject: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}
