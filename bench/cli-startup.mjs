#!/usr/bin/env node
// CLI start-up wall time against bare `node -e 0` measured in the same run (npm run build first): `--help`, a
// subcommand's help, and `tx generate-image --generate-only` (builds the msg.json offline: it must load no chain
// client; goal ≤ 3× bare node). Runs alternate between the commands so that load on the machine hits them alike.
// Usage: node bench/cli-startup.mjs [runs=20] [--cli <bin>] [--baseline-cli <bin>]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] && /^\d+$/.test(process.argv[2]) ? process.argv[2] : 20);
// --cli <bin/lunc-ml.js>: measure another build (default: this checkout's); --baseline-cli <bin>: a second build
// measured in the same runs, printed beside it.
const opt = (name) => (process.argv.indexOf(name) > 0 ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const clis = [opt('--cli') ?? join(root, 'bin', 'lunc-ml.js'), opt('--baseline-cli')].filter(Boolean);
// Any valid address of the controller's prefix: --generate-only with --creator looks nothing up.
const creator = 'terra1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs00e2y2';
const commands = [
  ['node -e 0', ['-e', '0']],
  ...clis.flatMap((cli, i) =>
    [
      ['lunc-ml --help', [cli, '--help']],
      ['lunc-ml tx generate-image --help', [cli, 'tx', 'generate-image', '--help']],
      ['lunc-ml tx generate-image --generate-only', [cli, '--chain', 'columbus-5', 'tx', 'generate-image', '--prompt', 'bench', '--creator', creator, '--max-fee', '1000umlc', '--generate-only']],
    ].map(([name, args]) => [i ? `(baseline) ${name}` : name, args]),
  ),
];
const once = (args) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LUNC_ML_HOME: join(root, '.lunc-ml', 'bench-home') } });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
};
for (const [, args] of commands) once(args); // warm the file cache
const times = commands.map(() => []);
for (let i = 0; i < runs; i++) commands.forEach(([, args], j) => times[j].push(once(args)));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times[0]);
console.log(`runs per command: ${runs} (median wall time), load average ${loadavg()[0].toFixed(2)}`);
commands.forEach(([name], j) => {
  const m = median(times[j]);
  console.log(`${name.padEnd(56)} ${m.toFixed(1).padStart(7)} ms  ${j === 0 ? '(baseline)' : `ratio ${(m / base).toFixed(2)}`}`);
});
