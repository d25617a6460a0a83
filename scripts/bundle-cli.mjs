#!/usr/bin/env node
// The CLI as bin/ runs it: tsc's dist/ (the library, unchanged) bundled into dist/bin/ by esbuild, split into chunks
// that load when a command needs them. Node resolved and compiled ~1,500 small files (CosmJS, cosmjs-types) on a
// signing command's path; a few chunks start faster (bench/cli-startup.mjs, bench/e2e-latency.mjs).
//
// - dist/bin/ sits two folders below the package root like dist/<dir>/, so the paths modules derive from
//   import.meta.url (the package root, fixtures/models) hold; the device pool's worker is an entry of its own,
//   dist/bin/worker.js, where `new URL('./worker.js', import.meta.url)` finds it.
// - ESM output with a `require` made by createRequire: bundled CommonJS (CosmJS, cosmjs-types) requires Node's
//   built-ins, and named imports from CommonJS stay esbuild's interop, not Node's.
// - A dynamic import() of a CommonJS package (CosmJS, cosmjs-types) gives Node's namespace, named exports included;
//   in a split bundle its chunk exports only `default` (module.exports). Those imports are rewritten to add the
//   named exports back, so that `const { QueryClient } = await import('@cosmjs/stargate')` reads the same in both.
// - onnxruntime-node (native) stays external and is loaded only by the commands that run models.
// - dist/bin/meta.json: which chunk holds which module (test/core/generate-only-imports.test.ts reads it).
// Usage: node scripts/bundle-cli.mjs [package root] (run by `npm run build`, after tsc)
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');
rmSync(outdir, { recursive: true, force: true });
const cjsPackages = /\bimport\((['"])((?:@cosmjs\/|cosmjs-types\/)[^'"]+)\1\)/g;
const cjsNamespaces = {
  name: 'cjs-dynamic-import-namespaces',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(cjsPackages, 'import($1$2$1).then((m) => ({ ...m.default, ...m }))'),
      loader: 'js',
    }));
  },
};
const result = await build({
  absWorkingDir: root,
  entryPoints: { 'lunc-ml': 'dist/cli.js', worker: 'dist/gpu/worker.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['onnxruntime-node'],
  banner: { js: "import { createRequire as __luncMlCreateRequire } from 'node:module'; const require = __luncMlCreateRequire(import.meta.url);" },
  plugins: [cjsNamespaces],
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
