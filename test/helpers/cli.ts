// Runs the built CLI (dist/, from `npm run build`) as a user would, capturing stdout, stderr and the exit code.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binPath = join(repoRoot, 'bin', 'lunc-ml.js');

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export async function cli(args: string[], opts: { input?: string; env?: Record<string, string>; cwd?: string; timeout?: number } = {}): Promise<CliResult> {
  const r = await execa('node', [binPath, ...args], {
    input: opts.input ?? '',
    env: { LUNC_ML_OUTPUT: '', LUNC_ML_CHAIN: '', ...(opts.env ?? {}) },
    cwd: opts.cwd ?? repoRoot,
    reject: false,
    timeout: opts.timeout ?? 120_000,
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
}
