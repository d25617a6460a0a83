// The relayer against the devnet: link, ICA handshake started by MsgRegisterInterchainAccount, a bank send
// through the ICA and its ack, a timeout relayed after a restart, and exactly-once delivery after SIGKILL.
// Needs `npm run build` (the relayer runs as `lunc-ml relay start`, a child process) and a running devnet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { stringToPath } from '@cosmjs/crypto';
import { StargateClient, QueryClient, setupIbcExtension } from '@cosmjs/stargate';
import { connectComet } from '@cosmjs/tendermint-rpc';
import { Tx } from 'cosmjs-types/cosmos/tx/v1beta1/tx';
import { MsgRecvPacket } from 'cosmjs-types/ibc/core/channel/v1/tx';
import {
  devnet,
  account,
  send,
  registerMsg,
  icaVersion,
  icaAddress,
  waitFor,
  bankSendViaIca,
  packetSequence,
  eventAttr,
  relayerProcess,
  repoRoot,
  type Account,
  type Devnet,
  type RelayerProc,
} from './helpers.js';

const dn = devnet();
const built = existsSync(join(repoRoot, 'dist', 'relayer', 'relayer.js'));
// In the e2e project the global setup always provides a devnet and `npm test` builds first: a missing one is
// a broken run, so fail loudly instead of skipping.
if (!dn) throw new Error('relayer e2e: no devnet (LUNC_ML_DEVNET_HOME unset); run through `npm test` / the e2e project');
if (!built) throw new Error('relayer e2e: dist/ is missing; run `npm run build` first');

describe('relayer on the devnet', () => {
  const d = dn as Devnet;
  const tmp = mkdtempSync(join(tmpdir(), 'lunc-ml-relayer-e2e-'));
  const home = join(tmp, 'home');
  const state = join(tmp, 'state.json');
  let conn: { lunc: string; ml: string };
  let owner: Account; // fresh controller-side owner, so other tests' ICAs do not collide with ours
  let funder: Account; // on the ML chain
  let ica: string;
  let channel: string; // controller channel of our ICA
  let relayer: RelayerProc | undefined;
  let mlQuery: ReturnType<typeof QueryClient.withExtensions<ReturnType<typeof setupIbcExtension>>>;
  let luncQuery: typeof mlQuery;
  let mlRead: StargateClient;
  let luncRead: StargateClient;

  const cli = (args: string[]) =>
    execa(process.execPath, [join(repoRoot, 'bin', 'lunc-ml.js'), '--chain', 'local', '--home', home, ...args, '--state', state, '--accounts', d.accountsPath], {
      env: { LUNC_ML_DEVNET_HOME: d.home, LUNC_ML_OUTPUT: '' },
      reject: false,
      timeout: 240_000,
    });

  async function freshAccount(chain: typeof d.lunc, fundFrom: Account, amount: string): Promise<Account> {
    const w = await DirectSecp256k1HdWallet.generate(24, { prefix: chain.prefix, hdPaths: [stringToPath(`m/44'/${chain.coinType ?? 118}'/0'/0/0`)] });
    const a = await account(chain, w.mnemonic);
    await send(fundFrom, [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: { fromAddress: fundFrom.address, toAddress: a.address, amount: [{ denom: chain.denom, amount }] } }]);
    return a;
  }

  async function startRelayer(extra: string[] = []): Promise<RelayerProc> {
    const r = relayerProcess(d, ['start', '--poll-ms', '300', ...extra], { home, state, env: { LUNC_ML_LOG_LEVEL: 'debug' } });
    await waitFor('relayer to start', async () => r.output().includes('"msg":"relaying"') || (r.child.exitCode !== null ? Promise.reject(new Error(r.output())) : false), 120_000);
    return r;
  }

  async function stopRelayer(r: RelayerProc | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!r || r.child.exitCode !== null) return r?.child.exitCode ?? null;
    r.child.kill(signal);
    return r.exited;
  }

  /**
   * How many MsgRecvPacket for this packet the host ever included, redundant ones too (ibc-go turns a second
   * delivery into a no-op without events, so counting recv_packet events would not see it).
   */
  async function recvTxCount(seq: bigint, dstChannel: string): Promise<number> {
    const c = await connectComet(d.ml.rpc);
    try {
      const r = await c.txSearchAll({ query: `message.action='/ibc.core.channel.v1.MsgRecvPacket'` });
      let n = 0;
      for (const t of r.txs) {
        for (const m of Tx.decode(t.tx).body?.messages ?? []) {
          if (m.typeUrl !== '/ibc.core.channel.v1.MsgRecvPacket') continue;
          const p = MsgRecvPacket.decode(m.value).packet;
          if (p?.destinationChannel === dstChannel && p.sequence === seq) n++;
        }
      }
      return n;
    } finally {
      c.disconnect();
    }
  }

  async function hostChannel(): Promise<string> {
    const ch = await luncQuery.ibc.channel.channel(`icacontroller-${owner.address}`, channel);
    return ch.channel!.counterparty!.channelId;
  }

  beforeAll(async () => {
    const link = await cli(['relay', 'link', '-o', 'json']);
    expect(link.exitCode, link.stderr).toBe(0);
    const j = JSON.parse(link.stdout);
    conn = { lunc: j[d.lunc.chainId].connectionId, ml: j[d.ml.chainId].connectionId };
    const user = await account(d.lunc, d.mnemonic('user'));
    owner = await freshAccount(d.lunc, user, '1000000000');
    const mlUser = await account(d.ml, d.mnemonic('user'));
    funder = mlUser;
    mlQuery = QueryClient.withExtensions(await connectComet(d.ml.rpc), setupIbcExtension);
    luncQuery = QueryClient.withExtensions(await connectComet(d.lunc.rpc), setupIbcExtension);
    mlRead = await StargateClient.connect(d.ml.rpc);
    luncRead = await StargateClient.connect(d.lunc.rpc);
  }, 600_000);

  afterAll(async () => {
    await stopRelayer(relayer, 'SIGKILL');
  });

  it('link is idempotent: a second run reuses the open connection', async () => {
    const again = await cli(['relay', 'link', '-o', 'json']);
    expect(again.exitCode, again.stderr).toBe(0);
    const j = JSON.parse(again.stdout);
    expect(j.created).toBe(false);
    expect(j[d.lunc.chainId].connectionId).toBe(conn.lunc);
    expect(j[d.ml.chainId].connectionId).toBe(conn.ml);
  });

  it('completes the ICA channel handshake started by MsgRegisterInterchainAccount', async () => {
    relayer = await startRelayer(['--metrics-port', '0']);
    const res = await send(owner, [registerMsg(owner.address, conn.lunc, icaVersion(conn.lunc, conn.ml))]);
    channel = eventAttr(res, 'channel_open_init', 'channel_id')!;
    expect(channel).toMatch(/^channel-\d+$/);
    ica = await waitFor('the interchain account address', () => icaAddress(owner.client, owner.address, conn.lunc), 180_000);
    expect(ica.startsWith(d.ml.prefix)).toBe(true);
    // Both ends OPEN; the host filled the address into the version and the controller holds the same version.
    const host = await waitFor('host channel open', async () => {
      const c = (await mlQuery.ibc.channel.channel('icahost', await hostChannel())).channel;
      return c?.state === 3 ? c : undefined;
    });
    expect(JSON.parse(host.version).address).toBe(ica);
    const ctl = (await luncQuery.ibc.channel.channel(`icacontroller-${owner.address}`, channel)).channel!;
    expect(ctl.state).toBe(3);
    expect(ctl.version).toBe(host.version);
  });

  it('a bank send through the ICA executes on the host and its ack returns', async () => {
    await send(funder, [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: { fromAddress: funder.address, toAddress: ica, amount: [{ denom: d.ml.denom, amount: '10000000' }] } }]);
    const to = (await DirectSecp256k1HdWallet.generate(12, { prefix: d.ml.prefix })).getAccounts();
    const recipient = (await to)[0].address;
    const res = await send(owner, [bankSendViaIca(owner.address, conn.lunc, ica, recipient, '777', d.ml.denom, 600_000_000_000n)]);
    const seq = packetSequence(res);
    await waitFor('the send to execute on the host', async () => (await mlRead.getBalance(recipient, d.ml.denom)).amount === '777', 120_000);
    // The ack came back: the commitment on the controller is gone.
    await waitFor(
      'the ack on the controller',
      async () => (await luncQuery.ibc.channel.allPacketCommitments(`icacontroller-${owner.address}`, channel)).commitments.every((c) => c.sequence !== seq),
      120_000,
    );
    expect(await recvTxCount(seq, await hostChannel())).toBe(1);
    // Event-driven: blocks came over the websocket, and the ack went back in the pass that delivered the packet (the
    // ack taken from the receipt's own transaction, no pass in between).
    const lines = relayer!
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; sequences?: string });
    expect(lines.some((l) => l.msg === 'new block')).toBe(true);
    expect(lines.some((l) => /websocket (unavailable|dropped)/.test(l.msg))).toBe(false);
    const mine = (l: { sequences?: string }) => (l.sequences ?? '').split(',').includes(`${channel}/${seq}`);
    const recvAt = lines.findIndex((l) => l.msg === 'packets received' && mine(l));
    const ackAt = lines.findIndex((l) => l.msg === 'acks relayed' && mine(l));
    expect(recvAt).toBeGreaterThanOrEqual(0);
    expect(ackAt).toBeGreaterThan(recvAt);
    expect(lines.slice(recvAt, ackAt).filter((l) => l.msg === 'pass')).toEqual([]);
    // Prometheus metrics of the running relayer.
    const url = /"url":"(http:[^"]+)"/.exec(relayer!.output())![1];
    const text = await waitFor('metrics with the relayed packet', async () => {
      const t = await (await fetch(url)).text();
      return /acks_relayed_total\{[^}]*\} [1-9]/.test(t) ? t : undefined;
    });
    expect(text).toMatch(/packets_relayed_total\{[^}]*src_chain="[^"]+"[^}]*\} [1-9]/);
    expect(text).toMatch(/client_updates_total\{[^}]*\} [1-9]/);
    expect(text).toContain('submit_to_receive_seconds_count');
  });

  it('relays a timeout after a restart, and nothing twice', async () => {
    expect(await stopRelayer(relayer)).toBe(0); // SIGTERM: clean stop, state flushed
    expect(relayer!.output()).toContain('relayer stopped');
    const recipient = (await (await DirectSecp256k1HdWallet.generate(12, { prefix: d.ml.prefix })).getAccounts())[0].address;
    const res = await send(owner, [bankSendViaIca(owner.address, conn.lunc, ica, recipient, '5', d.ml.denom, 6_000_000_000n)]); // not 2^31..2^32 ns: cosmjs-types 0.11 mis-encodes uint64 there
    const seq = packetSequence(res);
    const timeoutNs = BigInt(eventAttr(res, 'send_packet', 'packet_timeout_timestamp')!);
    // Wait (by chain time, not wall time) until the host is past the timeout.
    const comet = await connectComet(d.ml.rpc);
    await waitFor('host time past the timeout', async () => {
      const st = await comet.status();
      return BigInt(st.syncInfo.latestBlockTime.getTime()) * 1_000_000n > timeoutNs + 1_000_000_000n;
    });
    comet.disconnect();
    relayer = await startRelayer();
    await waitFor(
      'the timeout to be relayed',
      async () => (await luncQuery.ibc.channel.allPacketCommitments(`icacontroller-${owner.address}`, channel)).commitments.every((c) => c.sequence !== seq),
      120_000,
    );
    expect((await mlRead.getBalance(recipient, d.ml.denom)).amount).toBe('0');
    expect(await recvTxCount(seq, await hostChannel())).toBe(0);
    const c = await connectComet(d.lunc.rpc);
    const timeouts = await c.txSearchAll({ query: `timeout_packet.packet_src_channel='${channel}' AND timeout_packet.packet_sequence='${seq}'` });
    c.disconnect();
    expect(timeouts.txs.length).toBe(1);
    // The UNORDERED channel stays open after a timeout.
    expect((await luncQuery.ibc.channel.channel(`icacontroller-${owner.address}`, channel)).channel!.state).toBe(3);
  });

  it('far behind after a stop, it skips to the tip and clears from chain state', async () => {
    await stopRelayer(relayer);
    const recipient = (await (await DirectSecp256k1HdWallet.generate(12, { prefix: d.ml.prefix })).getAccounts())[0].address;
    const res = await send(owner, [bankSendViaIca(owner.address, conn.lunc, ica, recipient, '9', d.ml.denom, 600_000_000_000n)]);
    const seq = packetSequence(res);
    const h = (await luncRead.getHeight()) + 4;
    await waitFor('a few blocks', async () => (await luncRead.getHeight()) >= h);
    relayer = await startRelayer(['--max-catch-up', '2']);
    await waitFor('the packet delivered through clearing', async () => (await mlRead.getBalance(recipient, d.ml.denom)).amount === '9', 120_000);
    await waitFor('its ack', async () => (await luncQuery.ibc.channel.allPacketCommitments(`icacontroller-${owner.address}`, channel)).commitments.every((c) => c.sequence !== seq), 120_000);
    expect(relayer.output()).toContain('skipping to the tip');
    expect(await recvTxCount(seq, await hostChannel())).toBe(1);
  });

  it('delivers every packet exactly once after a SIGKILL mid-batch', async () => {
    await stopRelayer(relayer);
    // A config file with small batches, so that 12 packets take several transactions.
    const cfgPath = join(tmp, 'relayer.toml');
    const mnemonicPath = join(tmp, 'relayer.mnemonic');
    writeFileSync(mnemonicPath, d.mnemonic('relayer') + '\n', { mode: 0o600 });
    const chainToml = (c: typeof d.lunc) => {
      const gp = /^([\d.]+)(.+)$/.exec(c.gasPrice ?? `0${c.denom}`)!;
      return `[[chains]]\nid = "${c.chainId}"\nrpc_addr = "${c.rpc}"\naccount_prefix = "${c.prefix}"\ncoin_type = ${c.coinType ?? 118}\ngas_price = { price = ${Number(gp[1])}, denom = "${gp[2]}" }\ngas_multiplier = 1.5\nmax_msg_num = 3\n`;
    };
    writeFileSync(cfgPath, `[mode.packets]\nclear_interval = 10\n\n${chainToml(d.lunc)}\n${chainToml(d.ml)}`);
    const recipient = (await (await DirectSecp256k1HdWallet.generate(12, { prefix: d.ml.prefix })).getAccounts())[0].address;
    const n = 12;
    const msgs = Array.from({ length: n }, (_, i) => bankSendViaIca(owner.address, conn.lunc, ica, recipient, String(i + 1), d.ml.denom, 600_000_000_000n, `batch ${i}`));
    const res = await send(owner, msgs);
    const seqs = res.events.filter((e) => e.type === 'send_packet').map((e) => BigInt(e.attributes.find((a) => a.key === 'packet_sequence')!.value));
    expect(seqs).toHaveLength(n);

    relayer = await startRelayer(['--config', cfgPath, '--mnemonic-file', mnemonicPath]);
    // Kill it the moment the first batch of receives is broadcast (the rest are being signed or not sent yet).
    const hostBroadcast = new RegExp(`"chain":"${d.ml.chainId}"[^\\n]*"msg":"tx broadcast"|"msg":"tx broadcast","chain":"${d.ml.chainId}"`);
    await Promise.race([relayer.killOn(hostBroadcast, 'SIGKILL'), relayer.exited.then(() => Promise.reject(new Error(relayer!.output())))]);
    const partialAtKill = Number((await mlRead.getBalance(recipient, d.ml.denom)).amount);
    await relayer.exited;
    expect(partialAtKill).toBeLessThan((n * (n + 1)) / 2);

    relayer = await startRelayer(['--config', cfgPath, '--mnemonic-file', mnemonicPath]);
    const total = (n * (n + 1)) / 2;
    await waitFor('every packet delivered', async () => Number((await mlRead.getBalance(recipient, d.ml.denom)).amount) === total, 180_000);
    await waitFor('every ack back', async () => (await luncQuery.ibc.channel.allPacketCommitments(`icacontroller-${owner.address}`, channel)).commitments.length === 0, 180_000);
    const hc = await hostChannel();
    for (const s of seqs) expect(await recvTxCount(s, hc), `sequence ${s}`).toBe(1);
    expect(Number((await mlRead.getBalance(recipient, d.ml.denom)).amount)).toBe(total);
  });

  it('closes the host end after a timeout on an ORDERED ICA channel', async () => {
    const user = await account(d.lunc, d.mnemonic('user'));
    const owner2 = await freshAccount(d.lunc, user, '1000000000');
    const reg = await send(owner2, [registerMsg(owner2.address, conn.lunc, icaVersion(conn.lunc, conn.ml), 2 /* ORDER_ORDERED */)]);
    const ch2 = eventAttr(reg, 'channel_open_init', 'channel_id')!;
    const port2 = `icacontroller-${owner2.address}`;
    const ica2 = await waitFor('the ordered ICA', () => icaAddress(owner2.client, owner2.address, conn.lunc), 180_000);
    await waitFor('controller end open', async () => (await luncQuery.ibc.channel.channel(port2, ch2)).channel?.state === 3);
    const hostCh2 = (await luncQuery.ibc.channel.channel(port2, ch2)).channel!.counterparty!.channelId;
    expect((await luncQuery.ibc.channel.channel(port2, ch2)).channel!.ordering).toBe(2);
    await stopRelayer(relayer);
    const res = await send(owner2, [bankSendViaIca(owner2.address, conn.lunc, ica2, ica2, '1', d.ml.denom, 6_000_000_000n)]);
    const timeoutNs = BigInt(eventAttr(res, 'send_packet', 'packet_timeout_timestamp')!);
    const comet = await connectComet(d.ml.rpc);
    await waitFor('host time past the timeout', async () => BigInt((await comet.status()).syncInfo.latestBlockTime.getTime()) * 1_000_000n > timeoutNs + 1_000_000_000n);
    comet.disconnect();
    relayer = await startRelayer();
    // The timeout closes the ORDERED controller end; the relayer then closes the host end (ChanCloseConfirm).
    await waitFor('controller end closed', async () => (await luncQuery.ibc.channel.channel(port2, ch2)).channel?.state === 4, 120_000);
    await waitFor('host end closed', async () => (await mlQuery.ibc.channel.channel('icahost', hostCh2)).channel?.state === 4, 120_000);
  });

  it('pending shows nothing left, in text and JSON', async () => {
    const r = await cli(['relay', 'pending', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const ours = j.channels.find((c: any) => c.chain === d.lunc.chainId && c.channel === channel);
    expect(ours).toMatchObject({ port: `icacontroller-${owner.address}`, unreceivedPackets: [], unreceivedAcks: [] });
    const t = await cli(['relay', 'pending']);
    expect(t.stdout).toContain(`icacontroller-${owner.address}/${channel}`);
  });
});
