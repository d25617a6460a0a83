#!/usr/bin/env node
// ICA round-trip latency through the built-in relayer, as a ratio to the block-time floor measured in the
// same run, and packets/s with N concurrent MsgSendTx. Needs a running devnet and `npm run build`.
// Usage: node bench/relay-latency.mjs [roundTrips=10] [concurrent=20]
//   env LUNC_ML_DEVNET_HOME (default <repo>/.lunc-ml/devnet), LUNC_ML_DEVNET_ACCOUNTS (default
//   <devnet home>/accounts.json, else fixtures/devnet/accounts.json)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirectSecp256k1HdWallet, Registry } from '@cosmjs/proto-signing';
import { SigningStargateClient, StargateClient, defaultRegistryTypes, GasPrice, QueryClient, setupIbcExtension } from '@cosmjs/stargate';
import { connectComet } from '@cosmjs/tendermint-rpc';
import { stringToPath } from '@cosmjs/crypto';
import { TxRaw } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { MsgRegisterInterchainAccount, MsgSendTx } from 'cosmjs-types/ibc/applications/interchain_accounts/controller/v1/tx';
import { QueryInterchainAccountRequest, QueryInterchainAccountResponse } from 'cosmjs-types/ibc/applications/interchain_accounts/controller/v1/query';
import { CosmosTx, InterchainAccountPacketData, Type } from 'cosmjs-types/ibc/applications/interchain_accounts/v1/packet';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const roundTrips = Number(process.argv[2] ?? 10);
const concurrent = Number(process.argv[3] ?? 20);
const home = process.env.LUNC_ML_DEVNET_HOME || join(root, '.lunc-ml', 'devnet');
const accountsPath = process.env.LUNC_ML_DEVNET_ACCOUNTS || (existsSync(join(home, 'accounts.json')) ? join(home, 'accounts.json') : join(root, 'fixtures', 'devnet', 'accounts.json'));
if (!existsSync(join(home, 'profile.json'))) {
  console.error(`no devnet at ${home}: run \`lunc-ml devnet up\` (or set LUNC_ML_DEVNET_HOME)`);
  process.exit(2);
}
const profile = JSON.parse(readFileSync(join(home, 'profile.json'), 'utf8'));
const accRaw = JSON.parse(readFileSync(accountsPath, 'utf8'));
const accList = Array.isArray(accRaw) ? accRaw : Array.isArray(accRaw.accounts) ? accRaw.accounts : Object.entries(accRaw.accounts ?? accRaw).map(([name, v]) => ({ name, ...v }));
const mnemonic = (n) => accList.find((a) => a.name === n).mnemonic;
const { lunc, ml } = profile.chains;

const registry = new Registry(defaultRegistryTypes);
registry.register('/ibc.applications.interchain_accounts.controller.v1.MsgRegisterInterchainAccount', MsgRegisterInterchainAccount);
registry.register('/ibc.applications.interchain_accounts.controller.v1.MsgSendTx', MsgSendTx);

async function account(chain, m) {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(m, { prefix: chain.prefix, hdPaths: [stringToPath(`m/44'/${chain.coinType ?? 118}'/0'/0/0`)] });
  const [a] = await wallet.getAccounts();
  const client = await SigningStargateClient.connectWithSigner(chain.rpc, wallet, { registry, gasPrice: GasPrice.fromString(chain.gasPrice ?? `0${chain.denom}`), broadcastPollIntervalMs: 100 });
  return { address: a.address, client, wallet };
}
async function send(a, msgs) {
  const r = await a.client.signAndBroadcast(a.address, msgs, 2);
  if (r.code !== 0) throw new Error(`tx failed: ${r.rawLog}`);
  return r;
}
async function waitFor(what, fn, timeoutMs = 180_000, every = 50) {
  const t = Date.now();
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() - t > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
const sendTxMsg = (owner, conn, ica, to, amount) => ({
  typeUrl: '/ibc.applications.interchain_accounts.controller.v1.MsgSendTx',
  value: MsgSendTx.fromPartial({
    owner,
    connectionId: conn,
    packetData: InterchainAccountPacketData.fromPartial({
      type: Type.TYPE_EXECUTE_TX,
      data: CosmosTx.encode(
        CosmosTx.fromPartial({
          messages: [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: MsgSend.encode(MsgSend.fromPartial({ fromAddress: ica, toAddress: to, amount: [{ denom: ml.denom, amount }] })).finish() }],
        }),
      ).finish(),
    }),
    relativeTimeout: 600_000_000_000n,
  }),
});
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

// 1. Link (idempotent) and start the relayer as a user would.
const tmp = mkdtempSync(join(tmpdir(), 'relay-bench-'));
const cliArgs = (a) => [join(root, 'bin', 'lunc-ml.js'), '--chain', 'local', '--home', join(tmp, 'home'), 'relay', ...a, '--state', join(tmp, 'state.json'), '--accounts', accountsPath];
const env = { ...process.env, LUNC_ML_DEVNET_HOME: home, LUNC_ML_OUTPUT: '' };
const link = spawnSync(process.execPath, [...cliArgs(['link']), '-o', 'json'], { env, encoding: 'utf8' });
if (link.status !== 0) throw new Error(`relay link failed: ${link.stderr}`);
const lj = JSON.parse(link.stdout);
const conn = lj[lunc.chainId].connectionId;
const hostConn = lj[ml.chainId].connectionId;
// The relayer runs a pass on every new block (websocket); --poll-ms is only its fallback, left at the default.
const relayer = spawn(process.execPath, [...cliArgs(['start'])], { env, stdio: ['ignore', 'ignore', 'pipe'] });
let relayerLog = '';
relayer.stderr.on('data', (d) => (relayerLog += d));
process.on('exit', () => relayer.kill('SIGKILL'));
await waitFor('relayer start', async () => relayerLog.includes('relaying'), 120_000);

// 2. A fresh owner with its own ICA (funded by `user`), the ICA funded on the host.
const user = await account(lunc, mnemonic('user'));
const mlUser = await account(ml, mnemonic('user'));
const ownerWallet = await DirectSecp256k1HdWallet.generate(24, { prefix: lunc.prefix, hdPaths: [stringToPath(`m/44'/${lunc.coinType ?? 118}'/0'/0/0`)] });
const owner = await account(lunc, ownerWallet.mnemonic);
await send(user, [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: { fromAddress: user.address, toAddress: owner.address, amount: [{ denom: lunc.denom, amount: '1000000000' }] } }]);
const version = JSON.stringify({ version: 'ics27-1', controller_connection_id: conn, host_connection_id: hostConn, address: '', encoding: 'proto3', tx_type: 'sdk_multi_msg' });
const reg = await send(owner, [
  {
    typeUrl: '/ibc.applications.interchain_accounts.controller.v1.MsgRegisterInterchainAccount',
    value: MsgRegisterInterchainAccount.fromPartial({ owner: owner.address, connectionId: conn, version, ordering: 1 }),
  },
]);
const channel = reg.events.find((e) => e.type === 'channel_open_init').attributes.find((a) => a.key === 'channel_id').value;
const lq = QueryClient.withExtensions(await connectComet(lunc.rpc), setupIbcExtension);
const icaQuery = async () => {
  const r = await lq.queryAbci(
    '/ibc.applications.interchain_accounts.controller.v1.Query/InterchainAccount',
    QueryInterchainAccountRequest.encode({ owner: owner.address, connectionId: conn }).finish(),
  );
  return QueryInterchainAccountResponse.decode(r.value).address || undefined;
};
const ica = await waitFor('ICA address', icaQuery);
const port = `icacontroller-${owner.address}`;
await waitFor('channel open', async () => (await lq.ibc.channel.channel(port, channel)).channel?.state === 3);
await send(mlUser, [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: { fromAddress: mlUser.address, toAddress: ica, amount: [{ denom: ml.denom, amount: '100000000' }] } }]);
const mlRead = await StargateClient.connect(ml.rpc);
const committed = async (seq) => (await lq.ibc.channel.allPacketCommitments(port, channel)).commitments.some((c) => c.sequence === seq);
const seqOf = (r) => r.events.filter((e) => e.type === 'send_packet').map((e) => BigInt(e.attributes.find((a) => a.key === 'packet_sequence').value));

// Block-time floor, measured over the whole run on both chains.
const luncComet = await connectComet(lunc.rpc);
const mlComet = await connectComet(ml.rpc);
const startHeights = { lunc: (await luncComet.status()).syncInfo, ml: (await mlComet.status()).syncInfo };

// 3. Sequential round trips: MsgSendTx broadcast → executed on host → ack on controller.
// When each LUNC block reached us (NewBlock on the websocket): splits a round trip into the wait for the send's
// block and what follows it, so the part the relayer can influence has a name.
const { subscribe } = await import(join(root, 'dist', 'core', 'subscription.js'));
const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return quiet;
  },
};
const luncBlocks = new Map();
const luncSub = subscribe({ rpc: lunc.rpc, logger: quiet });
luncSub.on((ev) => ev.kind === 'block' && luncBlocks.set(ev.height, performance.now()));
// The ML chain's blocks, for the phase between the chains: a relayer that sees LUNC's block h+1 can only get the
// receipt into an ML block proposed after that, so chains whose blocks land together cost a block on each leg.
const mlArrivals = [];
const mlSub = subscribe({ rpc: ml.rpc, logger: quiet });
mlSub.on((ev) => ev.kind === 'block' && mlArrivals.push(performance.now()));
await Promise.all([luncSub.ready, mlSub.ready]);
const exec = [];
const rt = [];
const sendWait = [];
const afterSend = [];
const trips = [];
for (let i = 0; i < roundTrips; i++) {
  const to = (await (await DirectSecp256k1HdWallet.generate(12, { prefix: ml.prefix })).getAccounts())[0].address;
  const t0 = performance.now();
  const r = await send(owner, [sendTxMsg(owner.address, conn, ica, to, '1')]);
  const [seq] = seqOf(r);
  await waitFor('executed', async () => (await mlRead.getBalance(to, ml.denom)).amount === '1');
  const t1 = performance.now();
  await waitFor('acked', async () => !(await committed(seq)));
  const t2 = performance.now();
  exec.push((t1 - t0) / 1000);
  rt.push((t2 - t0) / 1000);
  trips.push({ t0, height: r.height, rt: (t2 - t0) / 1000 });
  const tSend = luncBlocks.get(r.height);
  if (tSend !== undefined) {
    sendWait.push((tSend - t0) / 1000);
    afterSend.push((t2 - tSend) / 1000);
  }
}

// 4. Throughput: N MsgSendTx transactions signed with consecutive sequences and broadcast at once.
const acct = await owner.client.getAccount(owner.address);
const chainId = lunc.chainId;
const fee = { amount: [{ denom: lunc.denom, amount: String(Math.ceil(Number((lunc.gasPrice ?? `0${lunc.denom}`).replace(/[a-z/]+$/i, '')) * 300000)) }], gas: '300000' };
const to = (await (await DirectSecp256k1HdWallet.generate(12, { prefix: ml.prefix })).getAccounts())[0].address;
const signed = [];
for (let i = 0; i < concurrent; i++) {
  const tx = await owner.client.sign(owner.address, [sendTxMsg(owner.address, conn, ica, to, '1')], fee, `bench ${i}`, { accountNumber: acct.accountNumber, sequence: acct.sequence + i, chainId });
  signed.push(TxRaw.encode(tx).finish());
}
const tp0 = performance.now();
for (const tx of signed) await luncComet.broadcastTxSync({ tx });
await waitFor('all executed', async () => Number((await mlRead.getBalance(to, ml.denom)).amount) === concurrent, 300_000, 100);
const tpExec = performance.now();
await waitFor('all acked', async () => (await lq.ibc.channel.allPacketCommitments(port, channel)).commitments.length === 0, 300_000, 100);
const tpAck = performance.now();

const end = { lunc: (await luncComet.status()).syncInfo, ml: (await mlComet.status()).syncInfo };
const interval = (a, b) => (b.latestBlockTime.getTime() - a.latestBlockTime.getTime()) / 1000 / (b.latestBlockHeight - a.latestBlockHeight);
const blockLunc = interval(startHeights.lunc, end.lunc);
const blockMl = interval(startHeights.ml, end.ml);
const block = (blockLunc + blockMl) / 2;
const floor = 3 * block; // send block + recv block + ack block
relayer.kill('SIGTERM');
luncSub.close();
mlSub.close();
// The dependency floor of each round trip, from the blocks both chains really made in this run. A packet committed
// in LUNC block n is proven against n's app hash, which only header n+1 carries; the receipt can then enter the first
// ML block made after n+1, its ack is proven by the next ML header, and returns in the first LUNC block after that.
// That chain of blocks, walked with zero relayer time (a tx must reach the proposer before it reaps the mempool), is what no relayer can beat: the 3-block floor above ignores
// the two header waits and the phase between the chains.
// A block reaches us some time after its proposer reaped the mempool: about the block interval less timeout_commit
// (the node's config). A tx that arrives later than that waits for the next block.
const timeoutCommit = (key) => {
  const m = /^timeout_commit\s*=\s*"(\d+(?:\.\d+)?)(ms|s)"/m.exec(readFileSync(join(home, key, 'config', 'config.toml'), 'utf8'));
  return m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : 0;
};
const lead = { lunc: Math.max(0, blockLunc * 1000 - timeoutCommit('lunc')), ml: Math.max(0, blockMl * 1000 - timeoutCommit('ml')) };
const luncTimes = [...luncBlocks.values()].sort((a, b) => a - b);
const mlTimes = [...mlArrivals].sort((a, b) => a - b);
const after = (times, t, leadMs = 0) => times.find((x) => x - leadMs > t);
const depFloors = [];
const depRatios = [];
const slowTrips = [];
for (const trip of trips) {
  const header = luncBlocks.get(trip.height + 1);
  const recvBlock = header === undefined ? undefined : after(mlTimes, header, lead.ml);
  const ackHeader = recvBlock === undefined ? undefined : after(mlTimes, recvBlock);
  const ackBlock = ackHeader === undefined ? undefined : after(luncTimes, ackHeader, lead.lunc);
  if (ackBlock === undefined) continue;
  const fl = (ackBlock - trip.t0) / 1000;
  depFloors.push(fl);
  depRatios.push(trip.rt / fl);
  // Where a round trip lost a block against its floor: each step's time after the send's block, next to the floor's.
  if (trip.rt / fl > 1.1) {
    const tSend = luncBlocks.get(trip.height);
    const ms = (t) => (t === undefined || tSend === undefined ? '?' : `${Math.round(t - tSend)}`);
    slowTrips.push(
      `round trip ${depRatios.length}: ${trip.rt.toFixed(2)} s vs floor ${fl.toFixed(2)} s; after the send's block (ms): header ${ms(header)}, floor's receipt block ${ms(recvBlock)}, its header ${ms(ackHeader)}, floor's ack block ${ms(ackBlock)}, ack seen ${ms(trip.t0 + trip.rt * 1000)}`,
    );
  }
}
// Phase: how long after each LUNC block the next ML block landed, as a share of the block interval (median).
const phases = luncTimes.flatMap((t) => {
  const next = mlArrivals.find((m) => m >= t);
  return next === undefined ? [] : [(next - t) / 1000];
});
writeFileSync(join(tmp, 'relayer.log'), relayerLog);

const f = (x) => x.toFixed(2);
const load = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
console.log(`devnet ${lunc.chainId} ↔ ${ml.chainId}; ${roundTrips} round trips, ${concurrent} concurrent MsgSendTx; relayer log ${join(tmp, 'relayer.log')}`);
console.log(`average block interval: ${lunc.chainId} ${f(blockLunc)} s, ${ml.chainId} ${f(blockMl)} s; floor = 3 × ${f(block)} = ${f(floor)} s`);
if (phases.length)
  console.log(
    `phase: ML blocks land ${f(pct(phases, 50) * 1000)} ms after LUNC blocks (median; ${f(pct(phases, 50) / block)} of a block). Near 0 or 1, each relay leg waits a whole block more (4 blocks from the send's block instead of 3)`,
  );
console.log(`machine: ${cpus().length} cores, load average ${load} (1/5/15 min, at the end)`);
console.log('');
console.log('| measure | median | p90 | median / floor |');
console.log('|---|---|---|---|');
console.log(`| MsgSendTx → executed on host (s) | ${f(pct(exec, 50))} | ${f(pct(exec, 90))} | ${f(pct(exec, 50) / floor)} |`);
console.log(`| MsgSendTx → ack on controller (s) | ${f(pct(rt, 50))} | ${f(pct(rt, 90))} | ${f(pct(rt, 50) / floor)} |`);
if (afterSend.length) {
  console.log(`| of which: broadcast → send's block committed (s) | ${f(pct(sendWait, 50))} | ${f(pct(sendWait, 90))} | ${f(pct(sendWait, 50) / block)} blocks |`);
  console.log(`| of which: send's block → ack on controller (s) | ${f(pct(afterSend, 50))} | ${f(pct(afterSend, 90))} | ${f(pct(afterSend, 50) / block)} blocks |`);
}
if (depFloors.length) console.log(`| dependency floor: broadcast → ack with a relayer taking no time (s) | ${f(pct(depFloors, 50))} | ${f(pct(depFloors, 90))} | ${f(pct(depFloors, 50) / floor)} |`);
console.log('');
console.log(`ack back / 3-block floor = ${f(pct(rt, 50) / floor)} (goal ≤ 1.20)`);
if (depRatios.length) console.log(`proposal lead (block interval − timeout_commit): lunc ${lead.lunc.toFixed(0)} ms, ml ${lead.ml.toFixed(0)} ms`);
if (depRatios.length) console.log(`ack back / dependency floor = ${f(pct(depRatios, 50))} median, ${f(pct(depRatios, 90))} p90 over ${depRatios.length} round trips (1.00 = the relayer adds nothing)`);
for (const line of slowTrips) console.log(line);
console.log('');
console.log(`| throughput (${concurrent} concurrent MsgSendTx) | value |`);
console.log('|---|---|');
console.log(`| all executed on host | ${f((tpExec - tp0) / 1000)} s → ${f(concurrent / ((tpExec - tp0) / 1000))} packets/s |`);
console.log(`| all acked on controller | ${f((tpAck - tp0) / 1000)} s → ${f(concurrent / ((tpAck - tp0) / 1000))} packets/s |`);
process.exit(0);
