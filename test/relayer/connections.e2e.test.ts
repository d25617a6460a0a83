// Several connections between the same two chains: `relay start` serves every OPEN one (or the one named by
// --connection-id), also one opened while it runs; `relay pending` lists them all and never writes the state file.
// Needs `npm run build` and the e2e devnet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { stringToPath } from '@cosmjs/crypto';
import { StargateClient } from '@cosmjs/stargate';
import { MsgTransfer } from 'cosmjs-types/ibc/applications/transfer/v1/tx';
import { ibcDenom } from '../../src/ica/ics20.js';
import { devnet, account, send, waitFor, relayerProcess, repoRoot, registerMsg, icaVersion, icaAddress, type Account, type Devnet, type RelayerProc } from './helpers.js';

const dn = devnet();
if (!dn) throw new Error('connections e2e: no devnet (LUNC_ML_DEVNET_HOME unset); run through the e2e project');
if (!existsSync(join(repoRoot, 'dist', 'relayer', 'relayer.js'))) throw new Error('connections e2e: dist/ is missing; run `npm run build` first');

describe('relaying several connections between the devnet chains', () => {
  const d = dn as Devnet;
  const tmp = mkdtempSync(join(tmpdir(), 'lunc-ml-connections-e2e-'));
  const home = join(tmp, 'home');
  const state = join(tmp, 'state.json');
  let first: { lunc: string; ml: string; transfer: { lunc: string; ml: string } };
  let second: { lunc: string; ml: string };
  let relayer: RelayerProc | undefined;

  const cli = (args: string[], statePath = state) =>
    execa(process.execPath, [join(repoRoot, 'bin', 'lunc-ml.js'), '--chain', 'local', '--home', home, ...args, '--state', statePath, '--accounts', d.accountsPath], {
      env: { LUNC_ML_DEVNET_HOME: d.home, LUNC_ML_OUTPUT: '' },
      reject: false,
      timeout: 300_000,
    });

  beforeAll(async () => {
    const link = await cli(['relay', 'link', '-o', 'json']);
    expect(link.exitCode, link.stderr).toBe(0);
    const l = JSON.parse(link.stdout);
    first = { lunc: l[d.lunc.chainId].connectionId, ml: l[d.ml.chainId].connectionId, transfer: { lunc: l[d.lunc.chainId].transferChannel, ml: l[d.ml.chainId].transferChannel } };
    // A second connection over new clients (its own state file, so the link record above stays as it is).
    const c = await cli(['relay', 'create', 'connection', '-o', 'json'], join(tmp, 'other-state.json'));
    expect(c.exitCode, c.stderr).toBe(0);
    const j = JSON.parse(c.stdout);
    second = { lunc: j[d.lunc.chainId].connectionId, ml: j[d.ml.chainId].connectionId };
    expect(second.lunc).not.toBe(first.lunc);
  }, 600_000);

  afterAll(async () => {
    if (relayer && relayer.child.exitCode === null) {
      relayer.child.kill('SIGTERM');
      await relayer.exited;
    }
  });

  it('pending lists the channels of every open connection, filters by --connection-id, and writes no state', async () => {
    const fresh = join(tmp, 'never-written.json');
    const all = await cli(['relay', 'pending', '-o', 'json'], fresh);
    expect(all.exitCode, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout).channels).toEqual(expect.arrayContaining([expect.objectContaining({ chain: d.lunc.chainId, port: 'transfer', channel: first.transfer.lunc })]));
    const onlySecond = await cli(['relay', 'pending', '-o', 'json', '--connection-id', second.ml], fresh);
    expect(onlySecond.exitCode, onlySecond.stderr).toBe(0);
    expect(JSON.parse(onlySecond.stdout).channels).toEqual([]);
    const unknown = await cli(['relay', 'pending', '-o', 'json', '--connection-id', 'connection-999'], fresh);
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain('not_linked');
    expect(existsSync(fresh)).toBe(false);
  });

  it('one relayer finishes an ICA handshake on a connection opened while it runs and relays a transfer on the first', async () => {
    relayer = relayerProcess(d, ['start', '--poll-ms', '300'], { home, state });
    await waitFor('relayer to start', async () => relayer!.output().includes('"msg":"relaying"') || (relayer!.child.exitCode !== null ? Promise.reject(new Error(relayer!.output())) : false), 120_000);
    expect(relayer.output()).toContain(second.lunc);
    const c = await cli(['relay', 'create', 'connection', '-o', 'json'], join(tmp, 'third-state.json'));
    expect(c.exitCode, c.stderr).toBe(0);
    const third = JSON.parse(c.stdout)[d.lunc.chainId].connectionId as string;
    const thirdMl = JSON.parse(c.stdout)[d.ml.chainId].connectionId as string;
    await waitFor('the relayer to pick up the new connection', async () => new RegExp(`relaying new connections[^\\n]*${third}`).test(relayer!.output()), 120_000);

    const user = await account(d.lunc, d.mnemonic('user'));
    const w = await DirectSecp256k1HdWallet.generate(24, { prefix: d.lunc.prefix, hdPaths: [stringToPath(`m/44'/${d.lunc.coinType}'/0'/0/0`)] });
    const owner: Account = await account(d.lunc, w.mnemonic);
    await send(user, [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: { fromAddress: user.address, toAddress: owner.address, amount: [{ denom: 'uluna', amount: '10000000000' }] } }]);
    await send(owner, [registerMsg(owner.address, third, icaVersion(third, thirdMl))]);

    const receiver = (await (await DirectSecp256k1HdWallet.generate(12, { prefix: d.ml.prefix })).getAccounts())[0].address;
    await send(owner, [
      {
        typeUrl: '/ibc.applications.transfer.v1.MsgTransfer',
        value: MsgTransfer.fromPartial({
          sourcePort: 'transfer',
          sourceChannel: first.transfer.lunc,
          token: { denom: 'uluna', amount: '4242' },
          sender: owner.address,
          receiver,
          timeoutTimestamp: BigInt(Date.now() + 600_000) * 1_000_000n,
        }),
      },
    ]);
    const ml = await StargateClient.connect(d.ml.rpc);
    try {
      await waitFor('the interchain account on the new connection', () => icaAddress(owner.client, owner.address, third), 180_000);
      await waitFor('the transfer over the first connection', async () => (await ml.getBalance(receiver, ibcDenom(first.transfer.ml, 'uluna'))).amount === '4242', 120_000);
    } finally {
      ml.disconnect();
    }
  });
});
