// Client refresh ([mode.clients] refresh): an idle relayer keeps clients with a short trusting period alive.
// A fresh link (its own clients and connection, so it never reuses the devnet's long-lived one) is created
// from a TOML config with trusting_period = 30s on both chains; `relay start` then runs with no traffic past
// the trusting period, and both clients must have advanced and still be Active.
// Needs `npm run build` (the relayer runs as `lunc-ml relay …`, a child process) and a running devnet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { QueryClient, setupIbcExtension } from '@cosmjs/stargate';
import { connectComet } from '@cosmjs/tendermint-rpc';
import { QueryClientStatusRequest, QueryClientStatusResponse } from 'cosmjs-types/ibc/core/client/v1/query';
import { devnet, waitFor, repoRoot, type ChainInfo, type Devnet, type RelayerProc } from './helpers.js';

const dn = devnet();
const built = existsSync(join(repoRoot, 'dist', 'relayer', 'relayer.js'));
// In the e2e project the global setup always provides a devnet and `npm test` builds first: a missing one is
// a broken run, so fail loudly instead of skipping.
if (!dn) throw new Error('relayer refresh e2e: no devnet (LUNC_ML_DEVNET_HOME unset); run through `npm test` / the e2e project');
if (!built) throw new Error('relayer refresh e2e: dist/ is missing; run `npm run build` first');

const TRUSTING_S = 30;

type IbcQuery = ReturnType<typeof QueryClient.withExtensions<ReturnType<typeof setupIbcExtension>>>;

interface ClientView {
  height: bigint;
  /** Block time (seconds) of the client's latest consensus state. */
  timeS: number;
  trustingS: number;
}

describe('relayer client refresh on the devnet', () => {
  const d = dn as Devnet;
  const tmp = mkdtempSync(join(tmpdir(), 'lunc-ml-relayer-refresh-'));
  const home = join(tmp, 'home');
  const state = join(tmp, 'state.json');
  const configPath = join(tmp, 'relayer.toml');
  let relayer: RelayerProc | undefined;
  let clients: Record<string, string>; // chain id → client id hosted there
  let connections: Record<string, string>;
  const query: Record<string, IbcQuery> = {};
  const comets: Array<{ disconnect(): void }> = [];

  function chainToml(c: ChainInfo, mnemonic: string): string {
    const gp = /^(\d+(?:\.\d+)?)([a-zA-Z][\w/:.-]*)$/.exec(c.gasPrice ?? `0${c.denom}`);
    const price = gp ? Number(gp[1]) : 0;
    const denom = gp ? gp[2] : c.denom;
    return [
      '[[chains]]',
      `id = ${JSON.stringify(c.chainId)}`,
      `rpc_addr = ${JSON.stringify(c.rpc)}`,
      `account_prefix = ${JSON.stringify(c.prefix)}`,
      `coin_type = ${c.coinType ?? 118}`,
      `gas_price = { price = ${price}, denom = ${JSON.stringify(denom)} }`,
      'gas_multiplier = 1.4',
      'max_gas = 10000000',
      `trusting_period = "${TRUSTING_S}s"`,
      'clock_drift = "10s"',
      `mnemonic = ${JSON.stringify(mnemonic)}`,
      '',
    ].join('\n');
  }

  const cli = (args: string[]) =>
    execa(process.execPath, [join(repoRoot, 'bin', 'lunc-ml.js'), '--home', home, '--log-format', 'json', 'relay', ...args, '--config', configPath, '--state', state], {
      env: { LUNC_ML_OUTPUT: '' },
      reject: false,
      timeout: 240_000,
    });

  function startRelayer(): RelayerProc {
    let out = '';
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'bin', 'lunc-ml.js'),
        '--home',
        home,
        '--log-format',
        'json',
        'relay',
        'start',
        '--poll-ms',
        '500',
        '--config',
        configPath,
        '--state',
        state,
        '--connection-id',
        connections[d.lunc.chainId],
      ],
      {
        env: { ...process.env, LUNC_ML_OUTPUT: '', LUNC_ML_LOG_LEVEL: 'debug' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', (b) => (out += b));
    child.stderr!.on('data', (b) => (out += b));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return { child, output: () => out, exited, killOn: () => Promise.reject(new Error('not used')) };
  }

  async function view(chainId: string): Promise<ClientView> {
    const q = query[chainId];
    const cs = await q.ibc.client.stateTm(clients[chainId]);
    const cons = await q.ibc.client.consensusStateTm(clients[chainId], cs.latestHeight);
    return { height: cs.latestHeight!.revisionHeight, timeS: Number(cons.timestamp?.seconds ?? 0n), trustingS: Number(cs.trustingPeriod?.seconds ?? 0n) };
  }

  async function status(chainId: string): Promise<string> {
    const res = await query[chainId].queryAbci('/ibc.core.client.v1.Query/ClientStatus', QueryClientStatusRequest.encode({ clientId: clients[chainId] }).finish());
    return QueryClientStatusResponse.decode(res.value).status;
  }

  /** Latest block time (seconds) of a chain: trusting periods are measured in chain time. */
  async function chainTimeS(chainId: string): Promise<number> {
    const c = await connectComet(chainId === d.lunc.chainId ? d.lunc.rpc : d.ml.rpc);
    try {
      return (await c.status()).syncInfo.latestBlockTime.getTime() / 1000;
    } finally {
      c.disconnect();
    }
  }

  beforeAll(async () => {
    const relayerMnemonic = d.mnemonic('relayer');
    writeFileSync(
      configPath,
      [
        '[global]',
        'log_level = "debug"',
        '',
        '[mode.packets]',
        'enabled = true',
        '',
        '[mode.clients]',
        'refresh = true',
        '',
        chainToml(d.lunc, relayerMnemonic),
        chainToml(d.ml, relayerMnemonic),
      ].join('\n'),
    );
    // Our own clients and connection: `relay link` would reuse the devnet's OPEN connection (long trusting period).
    const created = await cli(['create', 'connection', '-o', 'json']);
    expect(created.exitCode, created.stderr).toBe(0);
    const j = JSON.parse(created.stdout);
    clients = { [d.lunc.chainId]: j[d.lunc.chainId].clientId, [d.ml.chainId]: j[d.ml.chainId].clientId };
    connections = { [d.lunc.chainId]: j[d.lunc.chainId].connectionId, [d.ml.chainId]: j[d.ml.chainId].connectionId };
    for (const c of [d.lunc, d.ml]) {
      const comet = await connectComet(c.rpc);
      comets.push(comet);
      query[c.chainId] = QueryClient.withExtensions(comet, setupIbcExtension);
    }
  }, 300_000);

  afterAll(async () => {
    if (relayer && relayer.child.exitCode === null) {
      relayer.child.kill('SIGKILL');
      await relayer.exited;
    }
    comets.forEach((c) => c.disconnect());
    rmSync(tmp, { recursive: true, force: true });
  });

  it(`an idle relayer keeps ${TRUSTING_S}s-trusting-period clients Active past their trusting period`, async () => {
    const chains = [d.lunc.chainId, d.ml.chainId];
    const before: Record<string, ClientView> = {};
    for (const id of chains) {
      before[id] = await view(id);
      expect(before[id].trustingS, `trusting period of the client on ${id}`).toBe(TRUSTING_S);
      expect(await status(id)).toBe('Active');
    }

    relayer = startRelayer();
    const r = relayer;
    await waitFor('relayer to start', async () => r.output().includes('"msg":"relaying"') || (r.child.exitCode !== null ? Promise.reject(new Error(r.output())) : false), 120_000);
    // It relays only our connection (--connection-id), not the devnet's.
    expect(r.output()).toContain(`"${d.lunc.chainId}":"${connections[d.lunc.chainId]}"`);

    // Idle (no channels on this connection, no packets): wait, in chain time, until both clients' starting
    // consensus states are older than the trusting period (plus a margin). Without a refresh they would now
    // be Expired.
    for (const id of chains) {
      await waitFor(`${id}: the initial consensus state of ${clients[id]} to pass the trusting period`, async () => (await chainTimeS(id)) > before[id].timeS + TRUSTING_S + 5, 120_000, 1_000);
    }
    expect(r.child.exitCode, r.output()).toBeNull();

    for (const id of chains) {
      // (a) the client advanced while idle, by the relayer's refresh alone, and its newest consensus state is
      // within the trusting period;
      const now = await view(id);
      expect(now.height, `latest height of ${clients[id]} on ${id}`).toBeGreaterThan(before[id].height);
      expect((await chainTimeS(id)) - now.timeS, `age of ${clients[id]}'s latest consensus state on ${id}`).toBeLessThan(TRUSTING_S);
      // (b) the chain itself says the client is still Active (not Expired).
      expect(await status(id), `status of ${clients[id]} on ${id}`).toBe('Active');
    }
    expect(r.output()).toContain('refreshing client');
    expect(r.output()).not.toContain('client refresh failed');

    // A clean stop.
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  });
});
