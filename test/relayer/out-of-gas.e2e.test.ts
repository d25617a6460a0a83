// Remembered gas that runs out, on a real chain: the relayer's endpoint forgets the shape, simulates and sends once
// more, and the messages are applied exactly once. A chain says "out of gas" in two places, and both are covered: in
// CheckTx (a limit below what the ante handler takes; nothing is broadcast) and in the block (enough for the ante
// handler, too little for the messages; the fee is paid and nothing is applied).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { stringToPath } from '@cosmjs/crypto';
import { StargateClient } from '@cosmjs/stargate';
import { ChainEndpoint } from '../../src/relayer/endpoint.js';
import type { ChainConfig } from '../../src/relayer/config.js';
import { createLogger } from '../../src/core/logger.js';
import { devnet, account, send, type Devnet } from './helpers.js';

const dn = devnet();
if (!dn) throw new Error('out-of-gas e2e: no devnet (LUNC_ML_DEVNET_HOME unset); run through the e2e project');

describe('relayer: remembered gas that runs out on the chain', () => {
  const d = dn as Devnet;
  const lines: string[] = [];
  let ep: ChainEndpoint;
  let read: StargateClient;
  let from: string;

  const fresh = async (n: number) =>
    Promise.all(
      Array.from({ length: n }, async () => {
        const w = await DirectSecp256k1HdWallet.generate(12, { prefix: d.ml.prefix, hdPaths: [stringToPath(`m/44'/${d.ml.coinType ?? 118}'/0'/0/0`)] });
        return (await w.getAccounts())[0].address;
      }),
    );
  const sends = (to: string[]) => to.map((t) => ({ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: { fromAddress: from, toAddress: t, amount: [{ denom: d.ml.denom, amount: '7' }] } }));
  const balances = async (to: string[]) => Promise.all(to.map(async (t) => (await read.getBalance(t, d.ml.denom)).amount));
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    // A key of its own (funded by `user`), so no other test's sequence is touched.
    const wallet = await DirectSecp256k1HdWallet.generate(24, { prefix: d.ml.prefix, hdPaths: [stringToPath(`m/44'/${d.ml.coinType ?? 118}'/0'/0/0`)] });
    from = (await wallet.getAccounts())[0].address;
    const user = await account(d.ml, d.mnemonic('user'));
    await send(user, [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: { fromAddress: user.address, toAddress: from, amount: [{ denom: d.ml.denom, amount: '50000000' }] } }]);
    user.client.disconnect();
    const [, price, denom] = /^([\d.]+)(\w+)$/.exec(d.ml.gasPrice ?? `0${d.ml.denom}`)!;
    const config: ChainConfig = {
      id: d.ml.chainId,
      rpcAddr: d.ml.rpc,
      accountPrefix: d.ml.prefix,
      keyName: 'out-of-gas-e2e',
      gasPrice: { price: Number(price), denom },
      gasMultiplier: 1.3,
      maxMsgNum: 100,
      maxGas: 10_000_000,
      trustingPeriodS: 0,
      clockDriftS: 5,
      packetFilter: { policy: 'allow', list: [] },
      coinType: d.ml.coinType ?? 118,
    };
    const logger = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) });
    ep = await ChainEndpoint.connect(config, wallet, logger);
    read = await StargateClient.connect(d.ml.rpc);
  }, 120_000);

  afterAll(() => {
    read?.disconnect();
    ep?.disconnect();
  });

  it('a remembered limit below what the ante handler takes: refused in CheckTx, simulated and sent once more, applied once', async () => {
    const to = await fresh(3);
    const msgs = sends(to);
    ep.gas.record(msgs, 1_000);
    lines.length = 0;
    const res = await ep.submit(msgs);
    expect(res.code).toBe(0);
    const log = parsed();
    expect(log.some((l) => l.msg === 'remembered gas ran out; simulating and sending once more')).toBe(true);
    // Nothing reached the mempool at the remembered limit: the one broadcast is the simulated one.
    expect(log.filter((l) => l.msg === 'tx broadcast').map((l) => l.remembered)).toEqual([false]);
    expect(await balances(to)).toEqual(['7', '7', '7']);
  });

  it('a remembered limit the ante handler accepts but the messages exceed: fails in its block, simulated and sent once more, applied once', async () => {
    // The shape's real gas, learnt the way the relayer learns it.
    const first = await fresh(40);
    const learnt = await ep.submit(sends(first));
    expect(learnt.code).toBe(0);
    const used = Number(learnt.gasUsed);
    // Enough for the ante handler (signature, tx size), well short of 40 bank sends.
    const to = await fresh(40);
    const msgs = sends(to);
    ep.gas.forget(msgs);
    ep.gas.record(msgs, Math.floor(used / 2 / 1.3));
    lines.length = 0;
    const res = await ep.submit(msgs);
    expect(res.code).toBe(0);
    const log = parsed();
    expect(log.filter((l) => l.msg === 'tx broadcast').map((l) => l.remembered)).toEqual([true, false]);
    expect(log.some((l) => l.msg === 'remembered gas ran out; simulating and sending once more' && /out of gas/i.test(String(l.error)))).toBe(true);
    expect(new Set(await balances(to))).toEqual(new Set(['7']));
    // The resend's gas is remembered for the next tx of the shape.
    expect(ep.gas.limitFor(msgs)).toBeGreaterThanOrEqual(Math.ceil(used * 1.3));
  });
});
