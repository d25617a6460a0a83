#!/usr/bin/env node
// `lunc-ml --help` wall time against bare `node -e ""` measured in the same run (npm run build first).
// Usage: node bench/cli-startup.mjs [runs=20]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 20);
const time = (args) => {
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    xs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
};
time(['-e', '']); // warm the file cache
const base = time(['-e', '']);
const help = time([join(root, 'bin', 'lunc-ml.js'), '--help']);
const tx = time([join(root, 'bin', 'lunc-ml.js'), 'tx', 'generate-image', '--help']);
console.log(`runs per command: ${runs} (median wall time)`);
console.log(`node -e ""                      ${base.toFixed(1)} ms  (baseline)`);
console.log(`lunc-ml --help                  ${help.toFixed(1)} ms  ratio ${(help / base).toFixed(2)}`);
console.log(`lunc-ml tx generate-image --help ${tx.toFixed(1)} ms  ratio ${(tx / base).toFixed(2)}`);
