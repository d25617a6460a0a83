import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MODELS = join(ROOT, 'fixtures', 'models');
export const model = (name: string) => join(MODELS, name);
