// The README stays true: its layout table names what exists (and every folder of src/), and its configuration
// section names every setting's environment variable.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import { configSchema } from '../../src/core/config.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const section = (title: string) => {
  const start = readme.indexOf(`## ${title}`);
  expect(start, `README has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 3);
  return readme.slice(start, end < 0 ? undefined : end);
};

describe('README', () => {
  it('the layout table names only paths that exist, and every folder under src/', () => {
    const layout = section('Layout');
    const paths = [...layout.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([^`]+)`/g)].map((x) => x[1]!));
    expect(paths.length).toBeGreaterThan(5);
    for (const p of paths) expect(existsSync(join(repoRoot, p)), `${p} exists`).toBe(true);
    const srcDirs = readdirSync(join(repoRoot, 'src')).filter((d) => statSync(join(repoRoot, 'src', d)).isDirectory());
    for (const d of srcDirs) expect(paths, `src/${d}/ is in the layout table`).toContain(`src/${d}/`);
  });

  it("the configuration section names every setting's environment variable", () => {
    const config = section('Configuration');
    for (const [key, spec] of Object.entries(configSchema)) expect(config, `${key} (${spec.env})`).toContain(spec.env);
  });
});
