// `tx ... --generate-only` builds the msg.json offline: it must not load the chain client's dependencies (CosmJS
// stargate and tendermint-rpc, the signing stack) nor onnxruntime, which together made it ~5× slower than bare node.
// The built CLI runs with a module hook that records every module Node loads; a chunk of the bundle (dist/bin/, see
// scripts/bundle-cli.mjs) stands for the modules its metafile says it holds.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { binPath, repoRoot } from '../helpers/cli.js';

const heavy = [/@cosmjs\/(stargate|tendermint-rpc|proto-signing|amino|crypto)\//, /onnxruntime/, /cosmjs-types\/cosmos\/tx\//, /dist\/ica\/registry\.js$/, /dist\/core\/simulate\.js$/];

/** Runs the built CLI and returns its exit code, stdout and the URLs of the modules it loaded. */
async function loaded(args: string[]): Promise<{ exitCode: number; stdout: string; urls: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'lunc-ml-imports-'));
  const log = join(dir, 'loaded.txt');
  writeFileSync(
    join(dir, 'hook.mjs'),
    `import { appendFileSync } from 'node:fs';\nexport async function load(url, ctx, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, ctx); }\n`,
  );
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hook.mjs')).href)});\n`);
  writeFileSync(log, '');
  const r = await execa('node', ['--import', pathToFileURL(join(dir, 'register.mjs')).href, binPath, ...args], {
    cwd: repoRoot,
    reject: false,
    env: { LUNC_ML_HOME: dir, LUNC_ML_OUTPUT: '', LUNC_ML_CHAIN: '' },
  });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, urls: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

/** The modules behind the loaded URLs: a bundle chunk's inputs (paths from the package root), else the URL itself. */
function modulesOf(urls: string[]): string[] {
  const meta = JSON.parse(readFileSync(join(repoRoot, 'dist', 'bin', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  return urls.flatMap((u) => {
    if (!u.startsWith('file:')) return [u];
    const out = meta.outputs[relative(repoRoot, fileURLToPath(u))];
    return out ? Object.keys(out.inputs) : [u];
  });
}

describe('--generate-only loads no chain client', () => {
  it('writes the job message without loading CosmJS clients, the signing registry or onnxruntime', async () => {
    const creator = 'terra1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs00e2y2';
    const r = await loaded(['--chain', 'columbus-5', 'tx', 'generate-image', '--prompt', 'a lighthouse', '--creator', creator, '--max-fee', '1000umlc', '--generate-only']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)['@type']).toBe('/lunc.ml.v1.MsgGenerateImage');
    // The launcher runs the bundle (built by `npm run build`), not tsc's files.
    expect(r.urls.some((u) => u.includes('/dist/bin/'))).toBe(true);
    const modules = modulesOf(r.urls);
    expect(modules.some((m) => m.endsWith('dist/jobs/build.js'))).toBe(true);
    expect(modules.filter((m) => heavy.some((h) => h.test(m)))).toEqual([]);
  });
});
