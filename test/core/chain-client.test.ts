// The lean tx path against a stand-in node that records every round trip (test/core/fake-comet.ts): how many queries
// a signed tx costs, that its bytes are CosmJS's own, and how inclusion is seen with and without the websocket.
import { TxMsgData } from 'cosmjs-types/cosmos/base/abci/v1beta1/abci';
import { afterEach, describe, expect, it } from 'vitest';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { SigningStargateClient } from '@cosmjs/stargate';
import { TxSender, withAbciQuery, withQueryClient } from '../../src/core/chain-client.js';
import { QueryAccountRequest } from 'cosmjs-types/cosmos/auth/v1beta1/query';
import { ChainError, RpcUnreachableError } from '../../src/core/errors.js';
import { nullLogger } from '../../src/core/logger.js';
import { waitFor } from '../../src/core/poll.js';
import { buildRegistry } from '../../src/ica/registry.js';
import type { ChainProfile } from '../../src/core/profiles.js';
import { FakeComet, type FakeCometOptions } from './fake-comet.js';

const mnemonic = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const ACCOUNT = 'abci_query /cosmos.auth.v1beta1.Query/Account';
const SIMULATE = 'abci_query /cosmos.tx.v1beta1.Service/Simulate';
const broadcast = { gas: 'auto' as const, gasAdjustment: 1.4, gasPrice: '28.325uluna', memo: 'lean' };

let nodes: FakeComet[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
});

async function node(o: Partial<FakeCometOptions> = {}): Promise<{ node: FakeComet; profile: ChainProfile }> {
  const n = await new FakeComet({ chainId: 'lunc-1', ...o }).start();
  nodes.push(n);
  return { node: n, profile: { chainId: 'lunc-1', rpc: n.url, prefix: 'terra', denom: 'uluna', coinType: 330, gasPrice: '28.325uluna' } };
}

async function wallet() {
  return DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: 'terra' });
}

async function until(cond: () => boolean): Promise<void> {
  await waitFor(cond, { timeoutMs: 5_000, intervalMs: 5, what: 'the fake node' });
}

function sendMsg(address: string) {
  return [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: { fromAddress: address, toAddress: address, amount: [{ denom: 'uluna', amount: '1' }] } }];
}

/**
 * Plans and sends a bank send with a sender made with subscribeEarly: the account is read once, the tx simulated
 * twice and broadcast once, its inclusion seen on the subscription to the account's next sequence, and no socket left.
 */
async function sendsOnTheEarlySubscription(n: Awaited<ReturnType<typeof node>>['node'], sender: TxSender): Promise<void> {
  const msgs = sendMsg(sender.address);
  const plan = await sender.plan(msgs, broadcast);
  const res = await sender.send(msgs, plan.fee);
  expect(res.code).toBe(0);
  expect(n.calls.filter((c) => !c.startsWith('subscribe'))).toEqual(['status', ACCOUNT, SIMULATE, SIMULATE, 'broadcast_tx_sync']);
  expect(n.calls.filter((c) => c.startsWith('subscribe'))).toEqual(["subscribe tm.event='NewBlock'", `subscribe tm.event='Tx' AND tx.acc_seq='${sender.address}/3'`]);
  await until(() => n.openSockets === 0);
}

describe('lean tx path', () => {
  it('reads the chain id and the account once, simulates twice, broadcasts once and sees inclusion on the websocket without querying the tx', async () => {
    // The Tx event's data is the tx's TxMsgData: its message responses reach the caller as signAndBroadcast's would.
    const response = { typeUrl: '/cosmos.bank.v1beta1.MsgSendResponse', value: new Uint8Array([1, 2, 3]) };
    const data = Buffer.from(TxMsgData.encode(TxMsgData.fromPartial({ msgResponses: [response] })).finish()).toString('base64');
    const { node: n, profile } = await node({ deliverTx: [{ data }] });
    const sender = await TxSender.connect(profile, await wallet(), nullLogger, buildRegistry());
    const msgs = sendMsg(sender.address);
    const plan = await sender.plan(msgs, broadcast);
    const res = await sender.send(msgs, plan.fee, broadcast.memo);
    expect(res.code).toBe(0);
    expect(res.height).toBe(11);
    expect(res.msgResponses).toEqual([response]);
    expect(n.calls.filter((c) => !c.startsWith('subscribe'))).toEqual(['status', ACCOUNT, SIMULATE, SIMULATE, 'broadcast_tx_sync']);
    expect(n.calls.filter((c) => c.startsWith('subscribe'))).toEqual(["subscribe tm.event='NewBlock'", `subscribe tm.event='Tx' AND tx.hash='${res.transactionHash}'`]);
  });

  it('with subscribeEarly, plan subscribes to the next sequence of the account while simulating and send uses that subscription', async () => {
    const { node: n, profile } = await node();
    const sender = await TxSender.connect(profile, await wallet(), nullLogger, buildRegistry(), { subscribeEarly: true });
    await sendsOnTheEarlySubscription(n, sender);
  });

  it('a plan that is not sent leaves no subscription open after disconnect', async () => {
    const { node: n, profile } = await node();
    const sender = await TxSender.connect(profile, await wallet(), nullLogger, buildRegistry(), { subscribeEarly: true });
    await sender.plan(sendMsg(sender.address), broadcast);
    await until(() => n.openSockets === 1);
    sender.disconnect();
    await until(() => n.openSockets === 0);
  });

  it('prefetch reads the account and subscribes to its next sequence ahead of plan, which then only simulates', async () => {
    const { node: n, profile } = await node();
    const sender = await TxSender.connect(profile, await wallet(), nullLogger, buildRegistry(), { subscribeEarly: true });
    await sender.prefetch();
    expect(n.calls.filter((c) => !c.startsWith('subscribe'))).toEqual(['status', ACCOUNT]);
    await sendsOnTheEarlySubscription(n, sender);
  });

  it('a prefetch that no plan uses leaves no subscription open after disconnect', async () => {
    const { node: n, profile } = await node();
    const sender = await TxSender.connect(profile, await wallet(), nullLogger, buildRegistry(), { subscribeEarly: true });
    await sender.prefetch();
    await until(() => n.openSockets === 1);
    sender.disconnect();
    await until(() => n.openSockets === 0);
  });

  it('signs the same bytes as CosmJS signAndBroadcast for the same account, fee and memo', async () => {
    const { node: n, profile } = await node();
    const w = await wallet();
    const sender = await TxSender.connect(profile, w, nullLogger, buildRegistry());
    const msgs = sendMsg(sender.address);
    const fee = { amount: [{ denom: 'uluna', amount: '3186563' }], gas: '112500' };
    await sender.send(msgs, fee, 'same bytes');
    n.sequence--; // the same sequence again, as if the first had never been sent
    const cosmjs = await SigningStargateClient.connectWithSigner(n.url, w, { registry: buildRegistry(), broadcastPollIntervalMs: 20 });
    await cosmjs.signAndBroadcast(sender.address, msgs, fee, 'same bytes');
    cosmjs.disconnect();
    expect(n.broadcasts).toHaveLength(2);
    expect(Buffer.from(n.broadcasts[0]).toString('hex')).toBe(Buffer.from(n.broadcasts[1]).toString('hex'));
  });

  it('with a fixed gas limit reads the account at send time and simulates nothing', async () => {
    const { node: n, profile } = await node();
    const sender = await TxSender.connect(profile, await wallet(), nullLogger, buildRegistry());
    const msgs = sendMsg(sender.address);
    const plan = await sender.plan(msgs, { ...broadcast, gas: 200_000 });
    await sender.send(msgs, plan.fee);
    expect(n.calls.filter((c) => !c.startsWith('subscribe'))).toEqual(['status', ACCOUNT, 'broadcast_tx_sync']);
  });

  it('shares one RPC client per address: pre-flight queries and the sender read /status once', async () => {
    const { node: n, profile } = await node();
    for (let i = 0; i < 3; i++) await withQueryClient(profile, async (_q, tm) => tm.status());
    await TxSender.connect(profile, await wallet(), nullLogger, buildRegistry());
    expect(n.count('status')).toBe(4); // one to connect, then the three the callers asked for themselves
  });

  it('withAbciQuery answers as QueryClient does, over plain JSON-RPC with no /status round trip, and maps errors alike', async () => {
    const { node: n, profile } = await node();
    const path = '/cosmos.auth.v1beta1.Query/Account';
    const req = QueryAccountRequest.encode({ address: 'terra1x' }).finish();
    const light = await withAbciQuery(profile, (q) => q.queryAbci(path, req));
    expect(n.calls).toEqual([ACCOUNT]);
    const full = await withQueryClient(profile, (q) => q.queryAbci(path, req));
    expect({ value: Buffer.from(light.value).toString('hex'), height: light.height }).toEqual({ value: Buffer.from(full.value).toString('hex'), height: full.height });
    const [lightErr, fullErr] = await Promise.all([
      withAbciQuery(profile, (q) => q.queryAbci('/cosmos.nope.v1.Query/Nope', req)).catch((e: unknown) => e),
      withQueryClient(profile, (q) => q.queryAbci('/cosmos.nope.v1.Query/Nope', req)).catch((e: unknown) => e),
    ]);
    expect(lightErr).toBeInstanceOf(ChainError);
    expect({ ...(lightErr as ChainError).toJSON(), message: (lightErr as Error).message }).toEqual({ ...(fullErr as ChainError).toJSON(), message: (fullErr as Error).message });
    await expect(withAbciQuery({ chainId: 'lunc-1', rpc: 'http://127.0.0.1:9' }, (q) => q.queryAbci(path, req))).rejects.toBeInstanceOf(RpcUnreachableError);
  });

  it('without a websocket, finds inclusion through the status poll and one query by hash', async () => {
    const { node: n, profile } = await node({ websocket: 'refused', blockDelayMs: 50 });
    const sender = await TxSender.connect(profile, await wallet(), nullLogger, buildRegistry());
    const msgs = sendMsg(sender.address);
    const plan = await sender.plan(msgs, broadcast);
    const res = await sender.send(msgs, plan.fee);
    expect(res.code).toBe(0);
    expect(res.height).toBe(11);
    expect(n.count('tx_search')).toBeGreaterThanOrEqual(1);
    expect(n.count('tx_search')).toBeLessThanOrEqual(3);
    expect(n.count('GET /status')).toBeGreaterThanOrEqual(1);
  });

  it('a tx refused at inclusion is a typed error with the chain code, codespace and hash', async () => {
    const { profile } = await node({ deliverTx: [{ code: 5, codespace: 'sdk', log: '1uluna is smaller than 9uluna: insufficient funds' }] });
    const sender = await TxSender.connect(profile, await wallet(), nullLogger, buildRegistry());
    const msgs = sendMsg(sender.address);
    const err = await sender.send(msgs, { amount: [{ denom: 'uluna', amount: '1000' }], gas: '100000' }).catch((e) => e);
    expect(err).toBeInstanceOf(ChainError);
    expect(err).toMatchObject({ code: 'insufficient_funds' });
    expect((err as ChainError).data).toMatchObject({ chainCode: 5, codespace: 'sdk', height: 11 });
    expect((err as ChainError).data?.txHash).toMatch(/^[0-9A-F]{64}$/);
  });

  it('a sequence mismatch at broadcast re-reads the account and signs once more', async () => {
    const { node: n, profile } = await node({ checkTx: [{ code: 32, codespace: 'sdk', log: 'account sequence mismatch, expected 4, got 3: incorrect account sequence' }] });
    const sender = await TxSender.connect(profile, await wallet(), nullLogger, buildRegistry());
    const msgs = sendMsg(sender.address);
    const plan = await sender.plan(msgs, broadcast);
    const res = await sender.send(msgs, plan.fee);
    expect(res.code).toBe(0);
    expect(n.calls.filter((c) => !c.startsWith('subscribe'))).toEqual(['status', ACCOUNT, SIMULATE, SIMULATE, 'broadcast_tx_sync', ACCOUNT, 'broadcast_tx_sync']);
  });

  it('a tx whose inclusion is never seen ends as tx_unconfirmed naming its hash', async () => {
    const { profile } = await node({ websocket: 'silent' });
    const sender = await TxSender.connect(profile, await wallet(), nullLogger, buildRegistry(), { inclusionTimeoutMs: 300 });
    const err = await sender.send(sendMsg(sender.address), { amount: [{ denom: 'uluna', amount: '1000' }], gas: '100000' }).catch((e) => e);
    expect(err).toBeInstanceOf(ChainError);
    expect(err).toMatchObject({ code: 'tx_unconfirmed' });
    expect((err as ChainError).data?.txHash).toMatch(/^[0-9A-F]{64}$/);
  });
});
