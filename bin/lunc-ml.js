#!/usr/bin/env node
// Thin launcher. The CLI runs from its bundle, dist/bin/ (`npm run build`: tsc, then scripts/bundle-cli.mjs), which
// starts in fewer milliseconds than tsc's hundreds of files; from tsc's dist/cli.js when the bundle is missing or
// older than it (a bare `tsc` since the last full build), so that it never runs code older than dist/.
import { statSync } from 'node:fs';

const mtime = (rel) => {
  try {
    return statSync(new URL(rel, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const { main } = await import(mtime('../dist/bin/lunc-ml.js') >= mtime('../dist/cli.js') ? '../dist/bin/lunc-ml.js' : '../dist/cli.js');

main(process.argv).then(
  // Let the event loop end by itself: onnxruntime-node 1.23's WebGPU provider crashes (SIGSEGV) inside
  // process.exit() once a session existed. A client library may still leave a timer behind (CosmJS's broadcast
  // timeout after a refused tx): a finished command must not linger on it, so an unref'd timer exits after a grace.
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 1500).unref();
  },
  (err) => {
    // main() maps every error itself; reaching here is a bug in the handler.
    process.stderr.write(`lunc-ml: internal error: ${err && err.message ? err.message : String(err)}\n`);
    process.exit(70);
  },
);
