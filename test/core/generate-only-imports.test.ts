// `tx ... --generate-only` builds the msg.json offline: it must not load the chain client's dependencies (CosmJS
// stargate and tendermint-rpc, the signing stack) nor onnxruntime, which together made it ~5× slower than bare node.
// The built CLI runs with a module hook that records every module Node loads.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

describe('--generate-only loads no chain client', () => {
  it('writes the job message without loading CosmJS clients, the signing registry or onnxruntime', async () => {
    const creator = 'terra1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs00e2y2';
    const r = await loaded(['--chain', 'columbus-5', 'tx', 'generate-image', '--prompt', 'a lighthouse', '--creator', creator, '--max-fee', '1000umlc', '--generate-only']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)['@type']).toBe('/lunc.ml.v1.MsgGenerateImage');
    // The hook sees ES modules: CosmJS packages are entered through their index.js, so a load shows up here.
    expect(r.urls.some((u) => u.endsWith('/dist/jobs/build.js'))).toBe(true);
    expect(r.urls.filter((u) => heavy.some((h) => h.test(u)))).toEqual([]);
  });
});
