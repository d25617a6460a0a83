#!/usr/bin/env node
// Executor under a burst: N image jobs created in one tx for one executor on the devnet, against the same N jobs
// computed by the same device workers with no chain, in the same run.
//   chain jobs/s = N / (when the executor saw the block with the last result − when it saw the block that created
//                  the jobs), both on this host's clock: from the jobs' inclusion to the last result's inclusion
//   local jobs/s = N / wall time of the same N requests (same prompts, seeds, shapes) handed straight to the same
//                  device pool, all at once, each device writing its outputs to temp files as it does in the chain
//                  run; measured before and after the chain run, the mean taken
// Goal: chain/local ≥ 0.9 and no job expired. One row per device count, each measured in its own process (a second
// device pool in one process cannot load onnxruntime's addon again). The devnet runs with the chain's default
// job_timeout_blocks (100), not the test devnet's 40.
// (Block header times would do as well only on average: a CometBFT 0.38 header carries the time its previous block
// was committed, so 'header s' is shown beside it as a cross-check.)
// Columns also split where the chain time goes: start = create block seen → first job on a device, tail = last job
// computed → its result's block seen (the last results tx must wait for a block: about half a block interval plus the
// send, whatever the executor does; 'compute ratio' leaves that wait out and says how well the devices were kept busy);
// job ms = mean pipeline time per job locally and under the chain run; node cpu s = CPU seconds the devnet nodes used
// during each phase; main thread cpu s = CPU seconds of the thread that feeds the devices (and, in the chain run, does
// all the executor's chain work), local run / chain run: with as many device workers as cores, all of it is taken
// from the devices.
// Usage: npm run build && flock /tmp/lunc-e2e.lock node bench/executor-burst.mjs [--jobs 200] [--devices 1,2] [--steps 6] [--size 512] [--binary path/to/lunc-mld]
// It starts its own devnet (ports 4665x/4675x, home under the OS temp dir) and stops it at the end.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { SigningStargateClient, GasPrice, QueryClient, calculateFee } from '@cosmjs/stargate';
import { TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { connectComet } from '@cosmjs/tendermint-rpc';
import { execa } from 'execa';

// Modules come from dist/, or from a bundle that registered them first (to run where node_modules is absent).
const dist = (p) => globalThis.__burstModules?.[p] ?? import(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', p));
const { up, down, ensureBinary, readProfile } = await dist('devnet/index.js');
const { ensureTinyModels } = await dist('gpu/tiny-models.js');
const { walletFromMnemonic } = await dist('core/signer.js');
const { createLogger } = await dist('core/logger.js');
const { buildRegistry } = await dist('ica/registry.js');
const { queryJobs } = await dist('ica/ml-query.js');
const { createRunner } = await dist('gpu/serve/runner.js');
const { CosmjsExecutorChain } = await dist('gpu/serve/chain.js');
const { ExecutorService } = await dist('gpu/serve/service.js');
const { OutputStore } = await dist('gpu/serve/output-store.js');
const { ExecutorState } = await dist('gpu/serve/state.js');
const { waitFor } = await dist('core/poll.js');
const { MsgGenerateImage } = await dist('proto/lunc/ml/v1/tx.js');
const { registerExecutor } = await dist('gpu/executor.js');
const { JobStatus } = await dist('proto/lunc/ml/v1/types.js');

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '200' },
    devices: { type: 'string', default: '1,2' },
    steps: { type: 'string', default: '6' },
    size: { type: 'string', default: '512' },
    verbose: { type: 'boolean', default: false },
    binary: { type: 'string' },
    models: { type: 'string' },
    repo: { type: 'string' },
    child: { type: 'string' },
    home: { type: 'string' },
  },
});
const root = args.repo ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = args.models ?? join(root, 'fixtures', 'models');
const N = Number(args.jobs);
const deviceCounts = args.devices.split(',').map(Number);
const steps = Number(args.steps);
const size = Number(args.size);
// The executor's warnings are counted (a refused or resent results tx would show here) and still printed.
const warnings = [];
const logger = createLogger({
  level: args.verbose ? 'info' : 'warn',
  write: (line) => {
    if (/\b(WARN|ERROR)\b|level=(warn|error)/i.test(line)) warnings.push(line);
    process.stderr.write(line + '\n');
  },
});
const quiet = createLogger({ level: 'error' });

// The chain's default job_timeout_blocks, not the test devnet's 40.
const JOB_TIMEOUT_BLOCKS = 100;
const ports = { lunc: { rpc: 46657, p2p: 46656, grpc: 9790, api: 1717 }, ml: { rpc: 46757, p2p: 46756, grpc: 9890, api: 1817 } };

if (args.child) {
  // One device count, against the devnet the parent started; prints its row as JSON on the last line.
  const row = await measure(Number(args.child), readProfile(args.home));
  console.log(JSON.stringify(row));
  process.exit(0);
}

const home = mkdtempSync(join(tmpdir(), 'lunc-ml-burst-'));
if (!args.models) await ensureTinyModels(root);
const { binary } = args.binary ? { binary: args.binary } : await ensureBinary({ repoRoot: root, logger: quiet });
const rows = [];
try {
  await up({ repoRoot: root, home, binary, ports, reset: true, jobTimeoutBlocks: JOB_TIMEOUT_BLOCKS, logger: quiet });
  for (const devices of deviceCounts) {
    const argv = [
      fileURLToPath(import.meta.url),
      '--child',
      String(devices),
      '--home',
      home,
      '--jobs',
      String(N),
      '--steps',
      String(steps),
      '--size',
      String(size),
      '--repo',
      root,
      '--models',
      modelsDir,
      ...(args.verbose ? ['--verbose'] : []),
    ];
    // Node flags go to the child too, so `node --cpu-prof bench/executor-burst.mjs` profiles the executor's process.
    const r = await execa(process.execPath, [...process.execArgv, ...argv], { stderr: 'inherit' });
    rows.push(JSON.parse(r.stdout.trim().split('\n').pop()));
  }
} finally {
  await down({ home, logger: quiet });
  rmSync(home, { recursive: true, force: true });
}

async function measure(devices, profile) {
  const ml = profile.chains.ml;
  const accounts = JSON.parse(readFileSync(profile.accountsFile, 'utf8')).accounts;
  const mnemonic = (n) => accounts.find((a) => a.name === n).mnemonic;
  const wallet = (n) => walletFromMnemonic(mnemonic(n), ml.prefix, ml.coinType);
  const connect = async (w) => SigningStargateClient.connectWithSigner(ml.rpc, w, { registry: buildRegistry(), gasPrice: GasPrice.fromString(ml.gasPrice), broadcastPollIntervalMs: 100 });
  const tm = await connectComet(ml.rpc);
  const q = new QueryClient(tm);
  const blockTime = async (h) => (await tm.block(h)).block.header.time.getTime();
  const user = await connect(await wallet('user'));
  const executorWallet = await wallet('executor');
  const [{ address: executor }] = await executorWallet.getAccounts();
  const [{ address: userAddr }] = await (await wallet('user')).getAccounts();
  // Seeds differ per device count so no output is already stored.
  const seedBase = BigInt(devices) * 1_000_000n;

  // The operator proposes, the executor account accepts (x/ml needs both); the executor's own devices count.
  await registerExecutor({
    chain: ml,
    operator: await wallet('validator'),
    executorSigner: executorWallet,
    encryptionPubkey: new Uint8Array(32).fill(7),
    models: ['tiny-sd'],
    devices,
    broadcast: { gas: 'auto', gasAdjustment: 1.5, gasPrice: ml.gasPrice },
    logger: quiet,
  });

  const pool = await createRunner({ modelsDir, models: ['tiny-sd'], devices: `cpu:${devices}`, allowCpu: false, logger: quiet });
  let jobMs = [];
  let firstStart = Infinity;
  let lastDone = 0;
  const runner = {
    async run(rq, opts) {
      firstStart = Math.min(firstStart, Date.now());
      const out = await pool.run(rq, opts);
      jobMs.push(out.wallMs);
      lastDone = Math.max(lastDone, Date.now());
      return out;
    },
    // The pool outlives the service: the local baseline runs again after the chain run.
    close: async () => undefined,
  };
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

  // Local: exactly the jobs the chain run gets (same prompts, seeds and shapes), straight to the same device pool, all
  // at once; the chain run's output store starts empty, so nothing computed here is reused there.
  const localReqs = Array.from({ length: N }, (_, i) => ({
    jobId: String(i),
    kind: 'image',
    model: 'tiny-sd',
    prompt: `burst ${i}`,
    negativePrompt: '',
    width: size,
    height: size,
    steps,
    guidanceScale: 7.5,
    scheduler: 'euler',
    seed: seedBase + BigInt(i),
    numImages: 1,
    style: '',
    durationMs: 0,
    maxTokens: 0,
    temperature: 0,
  }));
  // The devices write each output to a temp file here, as they do into the output store in the chain run (the chain
  // run alone then commits them: fsync, rename).
  const localDir = mkdtempSync(join(tmpdir(), 'burst-local-'));
  const local = async () => {
    jobMs = [];
    const t0 = performance.now();
    await Promise.all(localReqs.map((rq) => runner.run(rq, { stageIn: localDir })));
    const s = (performance.now() - t0) / 1000;
    for (const f of readdirSync(localDir)) rmSync(join(localDir, f));
    return { s, jobMs: mean(jobMs) };
  };
  // CPU the devnet's nodes use (they share this host with the devices), from /proc where there is one.
  const nodeCpuS = () =>
    Object.values(profile.pids ?? {}).reduce((t, pid) => {
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return t + (Number(f[11]) + Number(f[12])) / 100;
      } catch {
        return t;
      }
    }, 0);
  // CPU of this process's main thread (its tid is the pid), where /proc has it.
  const mainCpuS = () => {
    try {
      const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      return NaN;
    }
  };
  let cpu0 = nodeCpuS();
  let main0 = mainCpuS();
  const before = await local();
  const localMainCpuS = mainCpuS() - main0;
  const localNodeCpuS = nodeCpuS() - cpu0;
  jobMs = [];
  firstStart = Infinity;

  // Chain: the executor service over the same pool; N jobs created in one tx.
  const request = (i) => ({
    creator: userAddr,
    prompt: `burst ${i}`,
    negativePrompt: '',
    model: 'tiny-sd',
    width: size,
    height: size,
    steps,
    guidanceScale: '7.5',
    scheduler: 'euler',
    seed: seedBase + BigInt(i),
    numImages: 1,
    maxFee: { denom: ml.denom, amount: '1000' },
  });
  const msgs = Array.from({ length: N }, (_, i) => ({ typeUrl: '/lunc.ml.v1.MsgGenerateImage', value: MsgGenerateImage.fromPartial(request(i)) }));
  // The user's tx is simulated and signed before the chain run and only broadcast in it, and its block is found in the
  // executor's own block events: a user's client runs elsewhere, and simulating 200 messages, then polling for the tx
  // and decoding its 200 messages' events, once cost this process's main thread (the executor's) ~0.1 s of CPU in the
  // chain run's first second.
  const createGas = await user.simulate(userAddr, msgs, '');
  const createTx = TxRaw.encode(await user.sign(userAddr, msgs, calculateFee(Math.ceil(createGas * 1.5), GasPrice.fromString(ml.gasPrice)), '')).finish();
  const createTxHash = createHash('sha256').update(createTx).digest('hex').toUpperCase();
  const dir = mkdtempSync(join(tmpdir(), 'burst-exec-'));
  const chain = await CosmjsExecutorChain.connect(ml, executorWallet, quiet);
  // When the executor first saw each block (its own subscription, no second one to load the node): the chain side's
  // clock (see the header comment). The block that carries the user's tx says when the jobs exist.
  const seenAt = new Map();
  let created;
  const offSeen = chain.onBlock((b) => {
    if (!seenAt.has(b.height)) seenAt.set(b.height, Date.now());
    const i = b.txHashes?.indexOf(createTxHash) ?? -1;
    if (i >= 0) created = { height: b.height, code: b.txResults?.[i]?.code, log: b.txResults?.[i]?.log };
  });
  const svc = new ExecutorService({
    executor,
    chain,
    runner,
    store: new OutputStore(join(dir, 'outputs')),
    state: new ExecutorState(join(dir, 'state.json')),
    publicUrl: 'http://127.0.0.1:8787',
    logger,
    concurrency: devices,
    pollMs: 1000,
  });
  await svc.start();
  cpu0 = nodeCpuS();
  main0 = mainCpuS();
  await user.broadcastTxSync(createTx);
  await waitFor(() => created !== undefined, { timeoutMs: 60_000, intervalMs: 20, what: "the jobs' tx in a block the executor saw" });
  if (created.code !== 0) throw new Error(`create: ${created.log}`);
  // Done when every job has run here and the service is idle (its results in blocks), or once the chain is past the
  // jobs' deadline (a job that expired unrun would never run here). Both are seen without asking the node anything:
  // the bench once listed the pending jobs every 250 ms, later every 2 s, which cost the node and this thread (the
  // executor's) CPU on the cores the devices use, in the chain run only.
  const deadline = Number(created.height) + JOB_TIMEOUT_BLOCKS + 1;
  await waitFor(async () => jobMs.length >= N || Math.max(0, ...seenAt.keys()) > deadline, {
    timeoutMs: 600_000,
    intervalMs: 100,
    what: 'every job to run or pass its deadline',
  });
  await svc.whenIdle();
  const chainNodeCpuS = nodeCpuS() - cpu0;
  const chainMainCpuS = mainCpuS() - main0;
  await svc.stop(5000);
  const chainJobMs = mean(jobMs);
  const chainLastDone = lastDone;
  // The baseline again, after the chain run: on a shared host the load drifts, and the mean of before and after
  // measures the chain run against the conditions it ran in.
  const after = await local();
  await pool.close();
  rmSync(localDir, { recursive: true, force: true });
  const localS = (before.s + after.s) / 2;
  chain.close();
  offSeen();
  const jobs = (await queryJobs(q, { executor })).filter((j) => j.createdHeight === BigInt(created.height));
  const lastResultH = Math.max(...jobs.map((j) => Number(j.result?.height ?? 0)));
  const [hCreated, hLast] = [await blockTime(created.height), await blockTime(lastResultH)];
  const [tCreated, tLast] = [seenAt.get(created.height), seenAt.get(lastResultH)];
  if (!tCreated || !tLast) throw new Error(`no new-block event was seen for height ${tCreated ? lastResultH : created.height}`);
  const chainS = (tLast - tCreated) / 1000;
  user.disconnect();
  tm.disconnect();
  rmSync(dir, { recursive: true, force: true });
  return {
    devices,
    jobs: jobs.length,
    completed: jobs.filter((j) => j.status === JobStatus.JOB_STATUS_COMPLETED).length,
    expired: jobs.filter((j) => j.status === JobStatus.JOB_STATUS_EXPIRED).length,
    reassigned: jobs.filter((j) => j.reassignments > 0).length,
    resultBlocks: new Set(jobs.map((j) => j.result?.height)).size,
    localJobsPerS: N / localS,
    chainJobsPerS: N / chainS,
    ratio: localS / chainS,
    computeRatio: localS / ((chainLastDone - tCreated) / 1000),
    localS,
    chainS,
    headerS: (hLast - hCreated) / 1000,
    blocks: lastResultH - created.height,
    startS: (firstStart - tCreated) / 1000,
    tailS: (tLast - chainLastDone) / 1000,
    localJobMs: (before.jobMs + after.jobMs) / 2,
    localBeforeS: before.s,
    localAfterS: after.s,
    chainJobMs,
    executorWarnings: warnings.length,
    simulatedTxs: chain.sends.simulated,
    unsimulatedTxs: chain.sends.unsimulated,
    localNodeCpuS,
    chainNodeCpuS,
    localMainCpuS,
    chainMainCpuS,
  };
}

console.log(`executor burst: ${N} image jobs (tiny-sd ${size}x${size}, ${steps} steps) created in one tx; CPU devices`);
const cols = [
  ['devices', (r) => r.devices],
  ['local jobs/s', (r) => r.localJobsPerS.toFixed(2)],
  ['chain jobs/s', (r) => r.chainJobsPerS.toFixed(2)],
  ['ratio', (r) => r.ratio.toFixed(2)],
  ['local s (before/after)', (r) => `${r.localS.toFixed(1)} (${r.localBeforeS.toFixed(1)}/${r.localAfterS.toFixed(1)})`],
  ['chain s', (r) => r.chainS.toFixed(1)],
  ['header s', (r) => r.headerS.toFixed(1)],
  ['start s', (r) => r.startS.toFixed(2)],
  ['tail s', (r) => r.tailS.toFixed(2)],
  ['compute ratio', (r) => r.computeRatio.toFixed(2)],
  ['job ms local/chain', (r) => `${r.localJobMs.toFixed(0)}/${r.chainJobMs.toFixed(0)}`],
  ['blocks', (r) => r.blocks],
  ['result blocks', (r) => r.resultBlocks],
  ['completed', (r) => r.completed],
  ['expired', (r) => r.expired],
  ['reassigned', (r) => r.reassigned],
  ['executor warnings', (r) => r.executorWarnings],
  ['results txs simulated/not', (r) => `${r.simulatedTxs}/${r.unsimulatedTxs}`],
  ['node cpu s local/chain', (r) => `${r.localNodeCpuS.toFixed(1)}/${r.chainNodeCpuS.toFixed(1)}`],
  ['main thread cpu s local/chain', (r) => `${r.localMainCpuS.toFixed(2)}/${r.chainMainCpuS.toFixed(2)}`],
];
console.log(cols.map(([h]) => h).join('  '));
for (const r of rows) console.log(cols.map(([h, f]) => String(f(r)).padStart(h.length)).join('  '));
const ok = rows.every((r) => r.ratio >= 0.9 && r.expired === 0 && r.completed === N);
console.log(ok ? 'goal met: ratio ≥ 0.9, every job completed, none expired' : 'GOAL NOT MET');
process.exitCode = ok ? 0 : 1;
