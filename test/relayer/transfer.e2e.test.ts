// LUNC fees travel over ICS-20: `relay link` opens the transfer channel (before any ICA channel, so channel-0
// on a fresh devnet), our relayer carries uluna to mlchain-1 as ibc/<hash> and back, where it unescrows as
// native uluna. Also: simulated gas with the fee attached is what a fee-paying tx really costs on lunc-1.
// Needs `npm run build` (the relayer runs as `lunc-ml relay start`) and the e2e devnet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { stringToPath } from '@cosmjs/crypto';
import { QueryClient, StargateClient, setupIbcExtension } from '@cosmjs/stargate';
import { connectComet, type CometClient } from '@cosmjs/tendermint-rpc';
import { MsgTransfer } from 'cosmjs-types/ibc/applications/transfer/v1/tx';
import { MsgConnectionOpenInit } from 'cosmjs-types/ibc/core/connection/v1/tx';
import { buildRegistry } from '../../src/ica/registry.js';
import { simulateGas, simulateWithFee } from '../../src/core/simulate.js';
import { keylessAddress } from '../../src/devnet/index.js';
import { ibcDenom } from '../../src/ica/ics20.js';
import { QueryParamsRequest, QueryParamsResponse } from '../../src/proto/lunc/ml/v1/query.js';
import { devnet, account, send, waitFor, relayerProcess, repoRoot, registerMsg, icaVersion, icaAddress, bankSendViaIca, type Account, type Devnet, type RelayerProc, eventAttr } from './helpers.js';

const dn = devnet();
if (!dn) throw new Error('transfer e2e: no devnet (LUNC_ML_DEVNET_HOME unset); run through the e2e project');
if (!existsSync(join(repoRoot, 'dist', 'relayer', 'relayer.js'))) throw new Error('transfer e2e: dist/ is missing; run `npm run build` first');

function transferMsg(sender: string, receiver: string, channel: string, denom: string, amount: string) {
  return {
    typeUrl: '/ibc.applications.transfer.v1.MsgTransfer',
    value: MsgTransfer.fromPartial({
      sourcePort: 'transfer',
      sourceChannel: channel,
      token: { denom, amount },
      sender,
      receiver,
      timeoutTimestamp: BigInt(Date.now() + 600_000) * 1_000_000n,
    }),
  };
}

describe('ICS-20 transfer channel on the devnet', () => {
  const d = dn as Devnet;
  const tmp = mkdtempSync(join(tmpdir(), 'lunc-ml-transfer-e2e-'));
  const home = join(tmp, 'home');
  const state = join(tmp, 'state.json');
  let linkOut: any;
  let relayer: RelayerProc | undefined;
  let luncTm: CometClient;
  let luncQuery: ReturnType<typeof QueryClient.withExtensions<ReturnType<typeof setupIbcExtension>>>;
  let luncRead: StargateClient;
  let mlRead: StargateClient;

  const cli = (args: string[]) =>
    execa(process.execPath, [join(repoRoot, 'bin', 'lunc-ml.js'), '--chain', 'local', '--home', home, ...args, '--state', state, '--accounts', d.accountsPath], {
      env: { LUNC_ML_DEVNET_HOME: d.home, LUNC_ML_OUTPUT: '' },
      reject: false,
      timeout: 300_000,
    });

  async function fresh(chain: typeof d.lunc, from: Account, amount: string): Promise<Account & { mnemonic: string }> {
    const w = await DirectSecp256k1HdWallet.generate(24, { prefix: chain.prefix, hdPaths: [stringToPath(`m/44'/${chain.coinType ?? 118}'/0'/0/0`)] });
    const a = await account(chain, w.mnemonic);
    await send(from, [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: { fromAddress: from.address, toAddress: a.address, amount: [{ denom: chain.denom, amount }] } }]);
    return { ...a, mnemonic: w.mnemonic };
  }

  beforeAll(async () => {
    const r = await cli(['relay', 'link', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    linkOut = JSON.parse(r.stdout);
    luncTm = await connectComet(d.lunc.rpc);
    luncQuery = QueryClient.withExtensions(luncTm, setupIbcExtension);
    luncRead = await StargateClient.connect(d.lunc.rpc);
    mlRead = await StargateClient.connect(d.ml.rpc);
  }, 600_000);

  afterAll(async () => {
    if (relayer && relayer.child.exitCode === null) {
      relayer.child.kill('SIGTERM');
      await relayer.exited;
    }
    luncTm?.disconnect();
    luncRead?.disconnect();
    mlRead?.disconnect();
  });

  it('relay link opens transfer/transfer ics20-1 UNORDERED as the first channel on both chains and records it', async () => {
    const lunc = linkOut[d.lunc.chainId].transferChannel;
    const ml = linkOut[d.ml.chainId].transferChannel;
    // A fresh devnet: the transfer channel is opened right after the connection, before any ICA channel.
    expect({ lunc, ml }).toEqual({ lunc: 'channel-0', ml: 'channel-0' });
    const end = (await luncQuery.ibc.channel.channel('transfer', lunc)).channel!;
    expect(end).toMatchObject({ state: 3, ordering: 1, version: 'ics20-1', counterparty: { portId: 'transfer', channelId: ml } });
    const profile = JSON.parse(readFileSync(d.profilePath, 'utf8'));
    expect(profile.transfer).toEqual({ controllerChannel: lunc, hostChannel: ml });
    // x/ml on mlchain-1 takes LUNC fees over exactly this channel, and sends shares to the profile's sinks.
    const mlTm = await connectComet(d.ml.rpc);
    const params = QueryParamsResponse.decode((await new QueryClient(mlTm).queryAbci('/lunc.ml.v1.Query/Params', QueryParamsRequest.encode({}).finish())).value).params!;
    mlTm.disconnect();
    expect(params.luncChannel).toBe(ml);
    expect(params.feeMinimums.map((c) => c.denom)).toContain(ibcDenom(ml, 'uluna'));
    expect({ burn: params.burnAddress, community: params.communityAddress }).toEqual({ burn: profile.luncBurnAddress, community: profile.luncCommunityAddress });
    const st = JSON.parse(readFileSync(state, 'utf8'));
    expect(st.links[0].a).toMatchObject({ chainId: d.lunc.chainId, transferChannel: lunc });
    expect(st.links[0].b).toMatchObject({ chainId: d.ml.chainId, transferChannel: ml });
    // Idempotent: a second link reuses it.
    const again = await cli(['relay', 'link', '-o', 'json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: false, transferCreated: false, [d.lunc.chainId]: { transferChannel: lunc } });
  });

  it('uluna goes to mlchain-1 as the ibc/ denom and comes back as native uluna, relayed by our relayer', async () => {
    const { controllerChannel, hostChannel } = JSON.parse(readFileSync(d.profilePath, 'utf8')).transfer;
    relayer = relayerProcess(d, ['start', '--poll-ms', '300'], { home, state });
    await waitFor('relayer to start', async () => relayer!.output().includes('"msg":"relaying"') || (relayer!.child.exitCode !== null ? Promise.reject(new Error(relayer!.output())) : false), 120_000);

    const sender = await fresh(d.lunc, await account(d.lunc, d.mnemonic('user')), '10000000000');
    const receiver = await fresh(d.ml, await account(d.ml, d.mnemonic('user')), '10000000');
    const voucher = ibcDenom(hostChannel, 'uluna');
    const before = BigInt((await luncRead.getBalance(sender.address, 'uluna')).amount);

    await send(sender, [transferMsg(sender.address, receiver.address, controllerChannel, 'uluna', '1234567')]);
    // lunc-1 charges for gas (minimum-gas-prices 28.325uluna): the sender paid a fee on top of the amount.
    expect(before - 1234567n - BigInt((await luncRead.getBalance(sender.address, 'uluna')).amount)).toBeGreaterThan(0n);
    await waitFor('the voucher on mlchain-1', async () => (await mlRead.getBalance(receiver.address, voucher)).amount === '1234567', 120_000);
    await waitFor('the ack back on lunc-1', async () => (await luncQuery.ibc.channel.allPacketCommitments('transfer', controllerChannel)).commitments.length === 0, 120_000);

    const luncAfterOut = BigInt((await luncRead.getBalance(sender.address, 'uluna')).amount);
    // x/ml sends its own fee flows over this channel too: follow this packet's sequence, not the whole channel.
    const back = eventAttr(await send(receiver, [transferMsg(receiver.address, sender.address, hostChannel, voucher, '1000000')]), 'send_packet', 'packet_sequence');
    await waitFor('native uluna back on lunc-1', async () => BigInt((await luncRead.getBalance(sender.address, 'uluna')).amount) === luncAfterOut + 1_000_000n, 120_000);
    expect((await mlRead.getBalance(receiver.address, voucher)).amount).toBe('234567');
    const mlQuery = QueryClient.withExtensions(await connectComet(d.ml.rpc), setupIbcExtension);
    await waitFor('the ack back on mlchain-1', async () => !(await mlQuery.ibc.channel.allPacketCommitments('transfer', hostChannel)).commitments.some((c) => String(c.sequence) === back), 120_000);
    // No ibc/ denom on lunc-1: what came back is the escrowed uluna itself.
    expect((await luncRead.getAllBalances(sender.address)).map((c) => c.denom)).toEqual(['uluna']);
  });

  it('lunc-1 refuses a fee below 28.325uluna per gas', async () => {
    const user = await account(d.lunc, d.mnemonic('user'));
    const msg = { typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: { fromAddress: user.address, toAddress: user.address, amount: [{ denom: 'uluna', amount: '1' }] } };
    await expect(user.client.signAndBroadcast(user.address, [msg], { amount: [{ denom: 'uluna', amount: '2832500' }], gas: '100001' })).rejects.toThrow(/insufficient fee/);
  });

  it('simulated gas with the fee attached exceeds the fee-less estimate (fee deduction is counted)', async () => {
    const registry = buildRegistry();
    // A fresh owner with an interchain account (registered through the running relayer), for MsgSendTx.
    const owner = await fresh(d.lunc, await account(d.lunc, d.mnemonic('user')), '10000000000');
    const conn = linkOut[d.lunc.chainId].connectionId;
    await send(owner, [registerMsg(owner.address, conn, icaVersion(conn, linkOut[d.ml.chainId].connectionId))]);
    const ica = await waitFor('the interchain account', () => icaAddress(owner.client, owner.address, conn), 180_000);
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(owner.mnemonic, { prefix: d.lunc.prefix, hdPaths: [stringToPath(`m/44'/${d.lunc.coinType}'/0'/0/0`)] });
    const [acc] = await wallet.getAccounts();
    const { sequence } = await owner.client.getSequence(acc.address);
    const q = new QueryClient(luncTm);
    const clientId = linkOut[d.lunc.chainId].clientId;
    const cases = {
      ConnOpenInit: [
        {
          typeUrl: '/ibc.core.connection.v1.MsgConnectionOpenInit',
          value: MsgConnectionOpenInit.fromPartial({
            clientId,
            counterparty: { clientId: linkOut[d.ml.chainId].clientId, connectionId: '', prefix: { keyPrefix: new TextEncoder().encode('ibc') } },
            version: { identifier: '1', features: ['ORDER_ORDERED', 'ORDER_UNORDERED'] },
            delayPeriod: 0n,
            signer: acc.address,
          }),
        },
      ],
      MsgTransfer: [transferMsg(acc.address, keylessAddress(d.ml.prefix), linkOut[d.lunc.chainId].transferChannel, 'uluna', '1')],
      MsgSendTx: [bankSendViaIca(owner.address, conn, ica, keylessAddress(d.ml.prefix), '1', d.ml.denom, 600_000_000_000n)],
    };
    const figures: Record<string, { withoutFee: number; withFee: number }> = {};
    for (const [name, msgs] of Object.entries(cases)) {
      const tx = { msgs, memo: 'lunc-ml relayer', signerPubkey: acc.pubkey, sequence };
      const withoutFee = await simulateGas(q, tx, registry);
      const withFee = await simulateWithFee(q, { ...tx, gasPrice: d.lunc.gasPrice!, gasMultiplier: 1.4 }, registry);
      figures[name] = { withoutFee, withFee };
      expect(withFee, name).toBeGreaterThan(withoutFee);
    }
    process.stderr.write(`[simulate] lunc-1 at ${d.lunc.gasPrice}: ${JSON.stringify(figures)}\n`);
  });
});
