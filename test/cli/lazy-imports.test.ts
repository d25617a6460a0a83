// `lunc-ml --help` must not load chain clients or onnxruntime: walk the static import graph from src/cli.ts
// (dynamic `await import()` edges are the lazy ones and are not followed).
import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { repoRoot, cli } from '../helpers/cli.js';

const heavy = [/^@cosmjs\//, /^onnxruntime-node$/, /^ora$/, /^@inquirer\//, /^inquirer$/, /^cosmjs-types/, /^execa$/, /^pngjs$/, /^@noble\//, /^smol-toml$/];

function staticImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of src.matchAll(re)) out.push(m[1]);
  return out;
}

function walk(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const f = stack.pop()!;
    if (files.has(f)) continue;
    files.add(f);
    for (const spec of staticImports(f)) {
      if (spec.startsWith('.')) {
        const ts = resolve(dirname(f), spec.replace(/\.js$/, '.ts'));
        if (existsSync(ts)) stack.push(ts);
      } else if (!spec.startsWith('node:')) packages.add(spec);
    }
  }
  return { files, packages };
}

describe('start-up stays light', () => {
  it('the static import graph of the CLI holds no heavy dependency', () => {
    const { packages } = walk(join(repoRoot, 'src', 'cli.ts'));
    const bad = [...packages].filter((p) => heavy.some((h) => h.test(p)));
    expect(bad).toEqual([]);
  });

  it('--help exits 0 and lists the command groups', async () => {
    const r = await cli(['--help']);
    expect(r.exitCode).toBe(0);
    for (const c of ['tx', 'ica', 'keys', 'query', 'relay', 'gpu', 'devnet', 'demo']) expect(r.stdout).toMatch(new RegExp(`\\n  ${c}\\b`));
  });

  it('an unknown command exits 2', async () => {
    const r = await cli(['frobnicate']);
    expect(r.exitCode).toBe(2);
  });
});
