#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import { main } from '../dist/cli.js';

main(process.argv).then(
  // Exit explicitly: a client library may leave a timer behind (CosmJS's broadcast timeout after a refused tx),
  // and a finished command must not linger. stdout/stderr writes to pipes and files are synchronous on Linux.
  (code) => process.exit(code),
  (err) => {
    // main() maps every error itself; reaching here is a bug in the handler.
    process.stderr.write(`lunc-ml: internal error: ${err && err.message ? err.message : String(err)}\n`);
    process.exit(70);
  },
);
