#!/usr/bin/env node
// Where a user waits: `lunc-ml tx generate-image --wait --download` from the LUNC side, split into its stages, each
// printed against its floor measured in the same run.
//
// Stage boundaries are seen from outside the CLI on this machine's clock: the CLI's own JSON log lines (with
// --log-level debug it logs when its tx was accepted), this bench's subscriptions to both chains (a tx is "included"
// when its Tx event arrives), the ML chain's mempool (polled every 20 ms: when the relayer's recv tx and the
// executor's results tx were broadcast) and the executor's log (when it picked the job up and when the output was
// ready). Floors: bare `node -e 0`; a warm in-process bank send on each chain (its sign-and-broadcast and its
// accepted → included time); one LUNC block interval for the relay (the packet's proof is checked against the next
// block's header); the local generation of the same job (`gpu run`); a GET of the output for the download.
//
// e2e = CLI spawn → its verified output printed. parts = LUNC tx (sign, broadcast, inclusion) + ML inclusion (recv)
// + generation + ML inclusion (result): the sum the issue measures against; floors = the sum of every stage's floor.
//
// Usage: npm run build && flock /tmp/lunc-e2e.lock node bench/e2e-latency.mjs [jobs=5] [--timeline] [--random-phase] [--cli <bin>] [--baseline-cli <bin>] [--cpu-prof <dir>]
//   (starts a fresh devnet in .lunc-ml/bench-devnet with this checkout's relayer and executor, and stops it after)
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { execa } from 'execa';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(join(root, 'dist', p));
const { Stack } = await dist('demo/stack.js');
const { cliArgs } = await dist('demo/cli-runner.js');
const { walletFromMnemonic } = await dist('core/signer.js');
const { createLogger } = await dist('core/logger.js');
const { TxSender } = await dist('core/chain-client.js');
const { buildRegistry } = await dist('ica/registry.js');
const { subscribe, txQuery } = await dist('core/subscription.js');
const { sleep } = await dist('core/poll.js');

const jobs = Number(process.argv[2] && /^\d+$/.test(process.argv[2]) ? process.argv[2] : 5);
// --timeline: also print the last job's CLI log lines, in ms from its spawn (what the CLI did when).
const timeline = process.argv.includes('--timeline');
// --random-phase: each job starts after a random wait of up to one LUNC block, as a user's would. Without it every job
// starts right after a block (the one that ended the job before), so a CLI that is a few hundred ms faster can catch
// one LUNC block earlier in every job: the medians then differ by a whole block.
const randomPhase = process.argv.includes('--random-phase');
// --baseline-cli <bin/lunc-ml.js of another build>: each job is also sent with that CLI (alternating, on the same
// devnet, relayer and executor), and its e2e median printed beside this one's.
const baselineAt = process.argv.indexOf('--baseline-cli');
const baselineCli = baselineAt > 0 ? process.argv[baselineAt + 1] : undefined;
// --cli <bin/lunc-ml.js>: the CLI the jobs are sent with (default: this checkout's); the devnet, relayer and executor
// are this checkout's either way.
// --cpu-prof <dir>: the last job's CLI writes a V8 CPU profile there (node --cpu-prof).
const profAt = process.argv.indexOf('--cpu-prof');
const profDir = profAt > 0 ? process.argv[profAt + 1] : undefined;
const cliAt = process.argv.indexOf('--cli');
const jobCli = cliAt > 0 ? process.argv[cliAt + 1] : undefined;
const out = mkdtempSync(join(tmpdir(), 'lunc-ml-bench-'));
const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : NaN;
};
const now = () => performance.timeOrigin + performance.now();
const log = createLogger({ level: 'warn' });
// A fresh devnet of its own, on ports of its own (clear of the demo's, the e2e tests' and the multi-validator ones').
const ports = { lunc: { rpc: 56657, p2p: 56656, grpc: 9890, api: 1917 }, ml: { rpc: 56757, p2p: 56756, grpc: 9990, api: 2017 } };
const stack = new Stack({ repoRoot: root, devnetHome: join(root, '.lunc-ml', 'bench-devnet'), ports, reset: true, executorPort: 58787, logger: log });
const loadBefore = loadavg();
await stack.start();
const { lunc, ml } = stack.profile.chains;

// Observers: Tx events on both chains, stamped on arrival.
const seen = new Map(); // tx hash → arrival time of its Tx event
const mlEvents = []; // { t, hash, events }
const watchTx = (chain, queries, keep) => {
  const sub = subscribe({ rpc: chain.rpc, txQueries: queries, logger: log });
  sub.on((ev) => {
    if (ev.kind !== 'tx') return;
    const t = now();
    if (!seen.has(ev.hash)) seen.set(ev.hash, t);
    keep?.push({ t, hash: ev.hash, events: ev.result.events });
  });
  return sub;
};
const subs = [
  watchTx(lunc, [txQuery({ 'message.sender': stack.profile.accounts.user.lunc }), "tm.event='Tx' AND send_packet.packet_sequence EXISTS"]),
  watchTx(ml, ["tm.event='Tx' AND recv_packet.packet_sequence EXISTS", "tm.event='Tx' AND ml_job_completed.job_id EXISTS", txQuery({ 'message.sender': stack.profile.accounts.user.ml })], mlEvents),
];
await Promise.all(subs.map((s) => s.ready));

// The ML chain's mempool: when each tx was first there.
const inMempool = new Map();
let polling = true;
const mempoolPoll = (async () => {
  const url = `${ml.rpc.replace(/\/$/, '')}/unconfirmed_txs?limit=100`;
  while (polling) {
    try {
      const body = await (await fetch(url)).json();
      const t = now();
      for (const tx of body.result?.txs ?? []) {
        const hash = createHash('sha256').update(Buffer.from(tx, 'base64')).digest('hex').toUpperCase();
        if (!inMempool.has(hash)) inMempool.set(hash, t);
      }
    } catch {
      /* a node restarting: try again */
    }
    await sleep(20);
  }
})();

const attrOf = (e, k) => e.attributes.find((a) => a.key === k)?.value;
const executorLog = () =>
  readFileSync(join(stack.logDir, 'executor.log'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

try {
  const accounts = JSON.parse(readFileSync(stack.profile.accountsFile, 'utf8')).accounts;
  const user = accounts.find((a) => a.name === 'user').mnemonic;

  /** A warm in-process bank send: plan + sign + broadcast (until accepted), then accepted → Tx event. */
  async function plainTx(chain) {
    const marks = {};
    const logger = { ...log, debug: (msg) => (marks[msg] ??= now()), child: () => logger };
    const w = await walletFromMnemonic(user, chain.prefix, chain.coinType);
    const sender = await TxSender.connect(chain, w, logger, buildRegistry());
    const msgs = [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: { fromAddress: sender.address, toAddress: sender.address, amount: [{ denom: chain.denom, amount: '1' }] } }];
    const t0 = now();
    const plan = await sender.plan(msgs, { gas: 'auto', gasAdjustment: 1.4, gasPrice: chain.gasPrice });
    const res = await sender.send(msgs, plan.fee);
    sender.disconnect();
    const included = seen.get(res.transactionHash) ?? marks['tx included'];
    return { signMs: marks['broadcast accepted'] - t0, inclMs: included - marks['broadcast accepted'], totalMs: included - t0 };
  }

  async function blockIntervalMs(chain) {
    const r = await (await fetch(`${chain.rpc.replace(/\/$/, '')}/blockchain`)).json();
    const times = r.result.block_metas.map((m) => Date.parse(m.header.time)).sort((a, b) => a - b);
    return median(times.slice(1).map((t, i) => t - times[i]));
  }

  async function nodeStartMs() {
    const xs = [];
    for (let i = 0; i < 5; i++) {
      const t = now();
      await execa(process.execPath, ['-e', '0']);
      xs.push(now() - t);
    }
    return median(xs);
  }

  const flags = ['--size', '64x64', '--steps', '8'];
  const gen = [];
  for (let i = 0; i < 3; i++) {
    const r = await execa('node', [
      join(root, 'bin/lunc-ml.js'),
      '-o',
      'json',
      'gpu',
      'run',
      '--kind',
      'image',
      '--prompt',
      'bench',
      '--device',
      'cpu',
      '--seed',
      '42',
      '--out',
      join(out, 'local.png'),
      ...flags,
    ]);
    gen.push(JSON.parse(r.stdout).timings?.wallMs ?? NaN);
  }

  /** One job as the user sends it, its stage boundaries in ms from the CLI's spawn. */
  async function job(i, cli = jobCli ? { ...stack.cli, bin: jobCli } : stack.cli, profile = false) {
    const file = join(out, `job-${i}.png`);
    const args = ['--log-format', 'json', '--log-level', 'debug', 'tx', 'generate-image', '--from', 'user', '--connection-id', stack.connectionId, '--yes'];
    args.push('--prompt', `bench ${i}`, '--seed', String(100 + i), ...flags, '--wait', '--download', file);
    const cliLines = [];
    let printed;
    const t0 = now();
    const node = profile && profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
    const child = execa('node', [...node, ...cliArgs(cli, args)], { env: stack.cli.env, reject: false, buffer: true });
    child.stderr.on('data', (b) => {
      const t = now();
      for (const line of String(b).split('\n')) if (line.startsWith('{')) cliLines.push({ t, ...JSON.parse(line) });
    });
    child.stdout.once('data', () => (printed = now()));
    const r = await child;
    const exited = now();
    if (r.exitCode !== 0) throw new Error(`the CLI failed (${r.exitCode}): ${r.stderr.split('\n').slice(-3).join(' ')}`);
    const report = JSON.parse(r.stdout);
    const at = (msg) => cliLines.find((l) => String(l.msg).startsWith(msg));
    const started = at('preparing on')?.t;
    const accepted = Date.parse(at('broadcast accepted')?.time ?? '');
    const signing = Date.parse(at('signing')?.time ?? '');
    const keyReady = Date.parse(at('signing key ready')?.time ?? '');
    const luncIncluded = seen.get(report.txHash);
    const seq = report.packets[0].sequence;
    const recv = mlEvents.find((e) => e.events.some((x) => x.type === 'recv_packet' && attrOf(x, 'packet_sequence') === seq && attrOf(x, 'packet_src_channel') === report.packets[0].sourceChannel));
    const jobId = report.job.id;
    const done = mlEvents.find((e) => e.events.some((x) => x.type === 'ml_job_completed' && attrOf(x, 'job_id') === jobId));
    const ex = executorLog();
    const running = ex.find((l) => l.msg === 'running job' && l.job === jobId);
    const ready = ex.find((l) => l.msg === 'job output ready' && l.job === jobId);
    const downloadStart = now();
    await (await fetch(report.job.result.outputUri)).arrayBuffer();
    const downloadMs = now() - downloadStart;
    const rel = (t) => (t === undefined || Number.isNaN(t) ? NaN : t - t0);
    return {
      lines: cliLines.map((l) => `${rel(Date.parse(l.time)).toFixed(0).padStart(6)}  ${l.msg}${l.txHash ? ` ${l.txHash.slice(0, 8)}` : ''}`),
      started: rel(started),
      accepted: rel(accepted),
      signing: rel(signing),
      keyReady: rel(keyReady),
      luncIncluded: rel(luncIncluded),
      recvInMempool: rel(recv && inMempool.get(recv.hash)),
      recvIncluded: rel(recv?.t),
      running: rel(running && Date.parse(running.time)),
      ready: rel(ready && Date.parse(ready.time)),
      resultInMempool: rel(done && inMempool.get(done.hash)),
      resultIncluded: rel(done?.t),
      printed: rel(printed),
      exited: rel(exited),
      downloadMs,
    };
  }

  const baseNode = await nodeStartMs();
  const plainLunc = [];
  const plainMl = [];
  const rows = [];
  const baselineRows = [];
  await plainTx(lunc); // warm-up: key derivation, the RPC clients
  const phaseMs = randomPhase ? await blockIntervalMs(lunc) : 0;
  const phase = () => (randomPhase ? sleep(Math.random() * phaseMs) : undefined);
  for (let i = 0; i < jobs; i++) {
    plainLunc.push(await plainTx(lunc));
    plainMl.push(await plainTx(ml));
    await phase();
    rows.push(await job(i, undefined, i === jobs - 1));
    await phase();
    if (baselineCli) baselineRows.push(await job(jobs + i, { ...stack.cli, bin: baselineCli }));
  }
  const luncBlock = await blockIntervalMs(lunc);
  const col = (k) => median(rows.map((r) => r[k]));
  // The key is derived while the checks' queries are in flight: only what is left of it after them is waited for.
  const keyWait = (rs) => median(rs.map((r) => Math.max(0, r.keyReady - r.signing)));
  const signSpan = (rs) => median(rs.map((r) => r.accepted - Math.max(r.signing, r.keyReady)));
  const span = (a, b) => median(rows.map((r) => r[b] - r[a]));
  const g = median(gen);
  const luncSign = median(plainLunc.map((p) => p.signMs));
  const luncIncl = median(plainLunc.map((p) => p.inclMs));
  const luncTotal = median(plainLunc.map((p) => p.totalMs));
  const mlIncl = median(plainMl.map((p) => p.inclMs));
  const stages = [
    ['CLI start (spawn → first log line)', col('started'), baseNode, 'node -e 0'],
    ['pre-flight, sign, broadcast', span('started', 'accepted'), luncSign, 'warm bank send, lunc'],
    ['  of which: pre-flight queries', span('started', 'signing'), NaN, ''],
    ['  of which: key, signing stack (after checks)', keyWait(rows), NaN, ''],
    ['  of which: simulate, sign, broadcast', signSpan(rows), NaN, ''],
    ['inclusion on lunc-1', span('accepted', 'luncIncluded'), luncIncl, 'bank send accepted → included'],
    ['relay (lunc block → recv in ML mempool)', span('luncIncluded', 'recvInMempool'), luncBlock, 'one lunc block interval'],
    ['inclusion on mlchain-1 (recv)', span('recvInMempool', 'recvIncluded'), mlIncl, 'bank send accepted → included'],
    ['executor pickup', span('recvIncluded', 'running'), 0, ''],
    ['compute', span('running', 'ready'), g, 'gpu run, same job'],
    ['result broadcast', span('ready', 'resultInMempool'), 0, ''],
    ['result inclusion', span('resultInMempool', 'resultIncluded'), mlIncl, 'bank send accepted → included'],
    ['CLI sees result, downloads, verifies, prints', span('resultIncluded', 'printed'), median(rows.map((r) => r.downloadMs)), 'GET of the output'],
  ];
  const e2e = col('printed');
  const parts = luncTotal + 2 * mlIncl + g;
  const floors = stages.filter((x) => !x[0].startsWith(' ')).reduce((s, x) => s + x[2], 0);
  const loadAfter = loadavg();
  console.log(
    `jobs: ${jobs}${randomPhase ? ', each started at a random phase of the LUNC block' : ''}, medians in ms; load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${loadAfter.map((x) => x.toFixed(2)).join(' ')} after`,
  );
  console.log(`${'stage'.padEnd(46)} ${'took'.padStart(6)} ${'floor'.padStart(6)}  ratio  floor is`);
  for (const [name, took, floor, what] of stages) {
    const f = Number.isNaN(floor) ? '' : floor.toFixed(0);
    console.log(`${name.padEnd(46)} ${took.toFixed(0).padStart(6)} ${f.padStart(6)}  ${floor > 0 ? (took / floor).toFixed(2).padStart(5) : Number.isNaN(floor) ? '     ' : '    —'}  ${what}`);
  }
  console.log(`${'CLI exit after printing'.padEnd(46)} ${span('printed', 'exited').toFixed(0).padStart(6)}`);
  if (timeline) console.log(`\nthe last job's CLI log (ms from spawn):\n${rows.at(-1).lines.join('\n')}`);
  console.log('');
  console.log(`broadcast → verified output (e2e)             ${e2e.toFixed(0).padStart(6)}`);
  console.log(`sum of parts (lunc tx + 2 × ml incl + gen)    ${parts.toFixed(0).padStart(6)}   ratio e2e / parts  ${(e2e / parts).toFixed(2)}`);
  console.log(`sum of stage floors                           ${floors.toFixed(0).padStart(6)}   ratio e2e / floors ${(e2e / floors).toFixed(2)}`);
  if (baselineCli) {
    const b = median(baselineRows.map((r) => r.printed));
    const bcol = (k) => median(baselineRows.map((r) => r[k]));
    const bspan = (a, z) => median(baselineRows.map((r) => r[z] - r[a]));
    console.log(
      `baseline CLI stages: start ${bcol('started').toFixed(0)}, pre-flight ${bspan('started', 'signing').toFixed(0)}, key after checks ${keyWait(baselineRows).toFixed(0)}, simulate/sign/broadcast ${signSpan(baselineRows).toFixed(0)}, accepted at ${bcol('accepted').toFixed(0)}`,
    );
    if (timeline) console.log(`the last baseline job's CLI log (ms from spawn):\n${baselineRows.at(-1).lines.join('\n')}`);
    console.log(
      `baseline CLI (${baselineCli}): e2e ${b.toFixed(0)}, ratio e2e / parts ${(b / parts).toFixed(2)}; lunc tx included seen at ${median(baselineRows.map((r) => r.luncIncluded)).toFixed(0)} vs ${col('luncIncluded').toFixed(0)}`,
    );
  }
} finally {
  polling = false;
  await mempoolPoll;
  subs.forEach((s) => s.close());
  await stack.stop();
}
