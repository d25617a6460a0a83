#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import { main } from '../dist/cli.js';

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
