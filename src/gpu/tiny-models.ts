// The bundled tiny models: generated deterministically by scripts/gen_tiny_models.py (no weights can be
// downloaded), regenerated when missing or older than the script. Used by tests, the demo and `gpu run`.
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ModelError } from '../core/errors.js';

export function tinyModelsDir(repoRoot: string): string {
  return join(repoRoot, 'fixtures', 'models');
}

export function tinyModelsFresh(repoRoot: string): boolean {
  const stamp = join(tinyModelsDir(repoRoot), '.stamp');
  const script = join(repoRoot, 'scripts', 'gen_tiny_models.py');
  return existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(script).mtimeMs;
}

export async function ensureTinyModels(repoRoot: string, python = 'python3'): Promise<string> {
  const dir = tinyModelsDir(repoRoot);
  if (tinyModelsFresh(repoRoot)) return dir;
  const script = join(repoRoot, 'scripts', 'gen_tiny_models.py');
  try {
    await promisify(execFile)(python, [script, dir]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new ModelError(`could not generate the tiny models with ${script}: ${(err.stderr || err.message).trim().split('\n').at(-1)}`, {
      code: 'tiny_models',
      hint: 'install the generator deps: pip install -r scripts/requirements.txt',
      cause: e,
    });
  }
  return dir;
}
