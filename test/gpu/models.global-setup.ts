// Generates the tiny ONNX models (scripts/gen_tiny_models.py) once per test run when fixtures/models/.stamp is
// missing or older than the generator script. Needs python3 with onnx and numpy (scripts/requirements.txt).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MODELS_DIR = join(root, 'fixtures', 'models');
const SCRIPT = join(root, 'scripts', 'gen_tiny_models.py');

export default async function setup(): Promise<void> {
  const stamp = join(MODELS_DIR, '.stamp');
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(SCRIPT).mtimeMs) return;
  try {
    execFileSync(process.env.PYTHON ?? 'python3', [SCRIPT, MODELS_DIR], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    throw new Error(`could not generate the tiny models with ${SCRIPT}: ${(e as Error).message}\n` + 'install the generator deps: pip install -r scripts/requirements.txt', { cause: e });
  }
}
