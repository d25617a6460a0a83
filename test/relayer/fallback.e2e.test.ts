// A node whose websocket is refused (a proxy that serves HTTP only): `relay start` falls back to polling /status and
// still relays, both ways. The relayer reaches both chains through such a proxy and is given a config file for them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { stringToPath } from '@cosmjs/crypto';
import { QueryClient, StargateClient, setupIbcExtension } from '@cosmjs/stargate';
import { connectComet } from '@cosmjs/tendermint-rpc';
import { MsgTransfer } from 'cosmjs-types/ibc/applications/transfer/v1/tx';
import { ibcDenom } from '../../src/ica/ics20.js';
import { devnet, account, send, waitFor, repoRoot, eventAttr, type Devnet } from './helpers.js';
import { spawn } from 'node:child_process';
import { execa } from 'execa';

const dn = devnet();
if (!dn) throw new Error('fallback e2e: no devnet (LUNC_ML_DEVNET_HOME unset); run through the e2e project');
if (!existsSync(join(repoRoot, 'dist', 'relayer', 'relayer.js'))) throw new Error('fallback e2e: dist/ is missing; run `npm run build` first');

/** Forwards plain HTTP to `target` and answers every websocket upgrade with 404. */
async function httpOnlyProxy(target: string): Promise<{ url: string; server: Server; upgradesRefused: () => number }> {
  let refused = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      const r = await fetch(target + req.url, {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await r.arrayBuffer()));
    } catch {
      res.writeHead(502);
      res.end();
    }
  });
  server.on('upgrade', (_req, sock) => {
    refused++;
    sock.end('HTTP/1.1 404 Not Found\r\n\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, upgradesRefused: () => refused };
}

describe('relayer without a websocket', () => {
  const d = dn as Devnet;
  const tmp = mkdtempSync(join(tmpdir(), 'lunc-ml-fallback-e2e-'));
  const proxies: Array<Awaited<ReturnType<typeof httpOnlyProxy>>> = [];
  let child: ReturnType<typeof spawn> | undefined;
  let out = '';

  beforeAll(async () => {
    // The transfer channel (idempotent: reused when an earlier file opened it).
    const link = await execa(
      process.execPath,
      [join(repoRoot, 'bin', 'lunc-ml.js'), '--chain', 'local', '--home', join(tmp, 'home'), 'relay', 'link', '--state', join(tmp, 'link-state.json'), '--accounts', d.accountsPath],
      {
        env: { LUNC_ML_DEVNET_HOME: d.home, LUNC_ML_OUTPUT: '' },
        reject: false,
        timeout: 300_000,
      },
    );
    expect(link.exitCode, link.stderr).toBe(0);
    proxies.push(await httpOnlyProxy(d.lunc.rpc), await httpOnlyProxy(d.ml.rpc));
    const mnemonic = d.mnemonic('relayer');
    const chain = (c: Devnet['lunc'], rpc: string) => {
      const [, price, denom] = /^([\d.]+)(\w+)$/.exec(c.gasPrice ?? `0${c.denom}`)!;
      return { id: c.chainId, rpc_addr: rpc, account_prefix: c.prefix, coin_type: c.coinType ?? 118, mnemonic, gas_price: { price: Number(price), denom }, gas_multiplier: 1.4, max_gas: 10_000_000 };
    };
    const cfg = join(tmp, 'config.toml');
    writeFileSync(cfg, stringify({ chains: [chain(d.lunc, proxies[0].url), chain(d.ml, proxies[1].url)] }));
    child = spawn(process.execPath, [join(repoRoot, 'bin', 'lunc-ml.js'), '--home', join(tmp, 'home'), '--log-format', 'json', 'relay', 'start', '--config', cfg, '--state', join(tmp, 'state.json')], {
      env: { ...process.env, LUNC_ML_OUTPUT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (b) => (out += b));
    child.stderr!.on('data', (b) => (out += b));
    await waitFor('relayer to start', async () => out.includes('"msg":"relaying"') || (child!.exitCode !== null ? Promise.reject(new Error(out)) : false), 180_000);
  }, 300_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    for (const p of proxies) p.server.close();
  });

  it('polls for new blocks and relays a transfer and its ack', async () => {
    const { controllerChannel, hostChannel } = JSON.parse(readFileSync(d.profilePath, 'utf8')).transfer;
    const user = await account(d.lunc, d.mnemonic('user'));
    const w = await DirectSecp256k1HdWallet.generate(12, { prefix: d.ml.prefix, hdPaths: [stringToPath(`m/44'/${d.ml.coinType ?? 118}'/0'/0/0`)] });
    const receiver = (await w.getAccounts())[0].address;
    const res = await send(user, [
      {
        typeUrl: '/ibc.applications.transfer.v1.MsgTransfer',
        value: MsgTransfer.fromPartial({
          sourcePort: 'transfer',
          sourceChannel: controllerChannel,
          token: { denom: 'uluna', amount: '4321' },
          sender: user.address,
          receiver,
          timeoutTimestamp: BigInt(Date.now() + 600_000) * 1_000_000n,
        }),
      },
    ]);
    const seq = BigInt(eventAttr(res, 'send_packet', 'packet_sequence')!);
    const mlRead = await StargateClient.connect(d.ml.rpc);
    const lq = QueryClient.withExtensions(await connectComet(d.lunc.rpc), setupIbcExtension);
    await waitFor('the voucher on mlchain-1', async () => (await mlRead.getBalance(receiver, ibcDenom(hostChannel, 'uluna'))).amount === '4321', 120_000);
    await waitFor('the ack back on lunc-1', async () => !(await lq.ibc.channel.allPacketCommitments('transfer', controllerChannel)).commitments.some((c) => c.sequence === seq), 120_000);
    mlRead.disconnect();
    expect(out).toMatch(/"msg":"websocket unavailable; polling"/);
    expect(proxies.every((p) => p.upgradesRefused() > 0)).toBe(true);
  });
});
