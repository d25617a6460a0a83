#!/usr/bin/env node
// End-to-end latency, broadcast on the LUNC side → verified PNG, against the sum of its parts measured in the
// same run: a plain tx's inclusion time on each chain (the block-time floor) and the local generation time of
// the same job. ratio = e2e / (incl_lunc + incl_ml [recv] + generation + incl_ml [result]).
// Usage: npm run build && node bench/e2e-latency.mjs [jobs=5]     (uses the default devnet; starts it if needed)
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { SigningStargateClient, GasPrice } from '@cosmjs/stargate';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { Stack } = await import(join(root, 'dist/demo/stack.js'));
const { runJourney } = await import(join(root, 'dist/demo/journey.js'));
const { walletFromMnemonic } = await import(join(root, 'dist/core/signer.js'));
const { createLogger } = await import(join(root, 'dist/core/logger.js'));

const jobs = Number(process.argv[2] ?? 5);
const out = mkdtempSync(join(tmpdir(), 'lunc-ml-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stack = new Stack({ repoRoot: root, devnetHome: join(root, '.lunc-ml', 'devnet'), executorPort: 8787, logger: createLogger({ level: 'warn' }) });
await stack.start();
try {
  const accounts = JSON.parse(readFileSync(stack.profile.accountsFile, 'utf8')).accounts;
  const user = accounts.find((a) => a.name === 'user').mnemonic;
  async function inclusion(chain) {
    const w = await walletFromMnemonic(user, chain.prefix, chain.coinType);
    const [acc] = await w.getAccounts();
    const c = await SigningStargateClient.connectWithSigner(chain.rpc, w, { gasPrice: GasPrice.fromString(chain.gasPrice), broadcastPollIntervalMs: 100 });
    const t = performance.now();
    await c.sendTokens(acc.address, acc.address, [{ denom: chain.denom, amount: '1' }], 'auto');
    const ms = performance.now() - t;
    c.disconnect();
    return ms;
  }
  const flags = ['--size', '64x64', '--steps', '8', '--seed', '42'];
  const gen = [];
  for (let i = 0; i < 3; i++) {
    const r = await execa('node', [join(root, 'bin/lunc-ml.js'), '-o', 'json', 'gpu', 'run', '--kind', 'image', '--prompt', 'bench', '--device', 'cpu', '--out', join(out, 'local.png'), ...flags]);
    gen.push(JSON.parse(r.stdout).timings?.wallMs ?? NaN);
  }
  const rows = [];
  for (let i = 0; i < jobs; i++) {
    const inclL = await inclusion(stack.profile.chains.lunc);
    const inclM = await inclusion(stack.profile.chains.ml);
    const r = await runJourney(stack, { kind: 'image', prompt: `bench ${i}`, outDir: out, flags });
    rows.push({ inclL, inclM, ...r.timings });
  }
  const g = median(gen);
  const e2e = median(rows.map((r) => r.verifiedMs));
  const parts = median(rows.map((r) => r.inclL)) + 2 * median(rows.map((r) => r.inclM)) + g;
  console.log(`jobs: ${jobs} (medians, ms)`);
  console.log(`tx inclusion, lunc-1            ${median(rows.map((r) => r.inclL)).toFixed(0)}`);
  console.log(`tx inclusion, mlchain-1         ${median(rows.map((r) => r.inclM)).toFixed(0)}`);
  console.log(`generation (gpu run, same job)  ${g.toFixed(0)}`);
  console.log(`sum of parts (baseline)         ${parts.toFixed(0)}`);
  console.log(`broadcast → tx included         ${median(rows.map((r) => r.broadcastMs)).toFixed(0)}`);
  console.log(`broadcast → job on ML chain     ${median(rows.map((r) => r.relayedMs)).toFixed(0)}`);
  console.log(`broadcast → result on chain     ${median(rows.map((r) => r.resultMs)).toFixed(0)}`);
  console.log(`broadcast → verified PNG (e2e)  ${e2e.toFixed(0)}`);
  console.log(`ratio e2e / sum of parts        ${(e2e / parts).toFixed(2)}`);
} finally {
  await stack.stop();
}
