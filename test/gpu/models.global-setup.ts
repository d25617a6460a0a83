// Generates the tiny ONNX models (scripts/gen_tiny_models.py) once per test run when fixtures/models/.stamp is
// missing or older than the generator script. Needs python3 with onnx and numpy (scripts/requirements.txt).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTinyModels, tinyModelsDir } from '../../src/gpu/tiny-models.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MODELS_DIR = tinyModelsDir(root);

export default async function setup(): Promise<void> {
  await ensureTinyModels(root, process.env.PYTHON ?? 'python3');
}
