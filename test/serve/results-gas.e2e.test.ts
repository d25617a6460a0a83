// Results txs without a simulation, on the real ML devnet: once a results tx's gas is known and every job in the next
// one is pending well past the latest block, the executor's chain client signs that tx with estimated gas and sends it
// straight away; the chain applies it. A job close to its deadline, or a tx smaller than any seen, is simulated. An
// estimate that runs out of gas is forgotten: in CheckTx (nothing broadcast) the tx is simulated and sent once more;
// in its block (fee paid, nothing applied) the tx is refused with out_of_gas and the next one is simulated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryClient } from '@cosmjs/stargate';
import { connectComet, type CometClient } from '@cosmjs/tendermint-rpc';
import { CosmjsExecutorChain, UNSIMULATED_MARGIN_BLOCKS } from '../../src/gpu/serve/chain.js';
import type { ResultMsg } from '../../src/gpu/serve/service.js';
import { registerExecutor } from '../../src/gpu/executor.js';
import { queryExecutor, queryJob, queryJobs } from '../../src/ica/ml-query.js';
import { readProfile } from '../../src/devnet/index.js';
import { walletFromMnemonic } from '../../src/core/signer.js';
import { createLogger, nullLogger } from '../../src/core/logger.js';
import { TxSender } from '../../src/core/chain-client.js';
import { buildRegistry } from '../../src/ica/registry.js';
import { MsgGenerateImage } from '../../src/proto/lunc/ml/v1/tx.js';
import { JobStatus, type Job } from '../../src/proto/lunc/ml/v1/types.js';
import { waitFor } from '../../src/core/poll.js';
import { devnet } from '../relayer/helpers.js';

const dn = devnet();
if (!dn) throw new Error('results-gas e2e: no devnet (LUNC_ML_DEVNET_HOME unset); run through the e2e project');

describe('executor: results txs sent without a simulation', () => {
  const profile = readProfile(dn!.home)!.chains.ml;
  const lines: string[] = [];
  let chain: CosmjsExecutorChain;
  let tm: CometClient;
  let q: QueryClient;
  let executor: string;
  let height = 0;
  let offBlocks: () => void;
  const jobs: Job[] = [];

  const result = (j: Job): ResultMsg => ({ jobId: j.id, outputSha256: 'ab'.repeat(32), outputUri: `http://127.0.0.1:9/outputs/${'ab'.repeat(32)}`, mime: 'image/png', sealed: false, error: '' });
  const far = () => BigInt(height + 1000);
  const status = async (js: Job[]) => Promise.all(js.map(async (j) => (await queryJob(q, j.id)).status));
  const take = (n: number) => jobs.splice(0, n);

  beforeAll(async () => {
    const wallet = (name: string) => walletFromMnemonic(dn!.mnemonic(name), profile.prefix, profile.coinType ?? 118);
    const execWallet = await wallet('executor');
    executor = (await execWallet.getAccounts())[0].address;
    tm = await connectComet(profile.rpc);
    q = new QueryClient(tm);
    // The devnet validator's executor, as the other e2e files register it; registered here when this file runs first.
    if (!(await queryExecutor(q, executor))?.active) {
      await registerExecutor({
        chain: profile,
        operator: await wallet('validator'),
        executorSigner: execWallet,
        encryptionPubkey: new Uint8Array(32).fill(9),
        models: ['tiny-sd'],
        devices: 1,
        broadcast: { gas: 'auto', gasAdjustment: 1.5, gasPrice: profile.gasPrice },
        logger: nullLogger,
      });
    }
    // Jobs for it, created in one tx by `user`.
    const user = await TxSender.connect(profile, await wallet('user'), nullLogger, buildRegistry());
    const creator = user.address;
    const msgs = Array.from({ length: 14 }, (_, i) => ({
      typeUrl: '/lunc.ml.v1.MsgGenerateImage',
      value: MsgGenerateImage.fromPartial({
        creator,
        prompt: `gas ${i}`,
        model: 'tiny-sd',
        width: 64,
        height: 64,
        steps: 2,
        guidanceScale: '1',
        scheduler: 'euler',
        seed: BigInt(i),
        numImages: 1,
        maxFee: { denom: profile.denom, amount: '1000' },
      }),
    }));
    const plan = await user.plan(msgs, { gas: 'auto', gasAdjustment: 1.5, gasPrice: profile.gasPrice });
    const created = await user.send(msgs, plan.fee);
    user.disconnect();
    const mine = (await queryJobs(q, { executor, status: JobStatus.JOB_STATUS_PENDING })).filter((j) => j.createdHeight === BigInt(created.height));
    expect(mine).toHaveLength(14);
    jobs.push(...mine);

    const logger = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) });
    chain = await CosmjsExecutorChain.connect(profile, execWallet, logger);
    offBlocks = chain.onBlock((b) => (height = Math.max(height, b.height)));
    await waitFor(() => height > Number(created.height), { timeoutMs: 30_000, what: 'a block seen over the websocket' });
  }, 180_000);

  afterAll(() => {
    offBlocks?.();
    chain?.close();
    tm?.disconnect();
  });

  it('the first results tx is simulated; a later one as large or larger goes without, and the chain applies it', async () => {
    const a = take(2);
    const sentA = await chain.sendResults(a.map(result), { pendingThrough: far() });
    await sentA.included;
    expect(chain.sends).toEqual({ simulated: 1, unsimulated: 0 });
    const b = take(3);
    const sentB = await chain.sendResults(b.map(result), { pendingThrough: far() });
    await sentB.included;
    expect(chain.sends).toEqual({ simulated: 1, unsimulated: 1 });
    expect(await status([...a, ...b])).toEqual(Array(5).fill(JobStatus.JOB_STATUS_COMPLETED));
    const tx = await tm.tx({ hash: Buffer.from(sentB.txHash, 'hex') });
    // Sized from the 2-result tx: above what 3 results used, and at most the multiplier (1.5) × 3/2 of it (the bound
    // when the ante handler's share is all of the gas), give or take rounding.
    expect(Number(tx.result.gasWanted)).toBeGreaterThan(Number(tx.result.gasUsed));
    expect(Number(tx.result.gasWanted)).toBeLessThanOrEqual(Math.ceil(Number(tx.result.gasUsed) * 1.5 * 1.5) + 2);
  });

  it('is simulated when a job may reach its deadline before the tx lands, or when no tx as small was seen', async () => {
    const before = { ...chain.sends };
    const near = take(2);
    await (
      await chain.sendResults(near.map(result), { pendingThrough: BigInt(height + UNSIMULATED_MARGIN_BLOCKS - 1) })
    ).included;
    const alone = take(1);
    await (
      await chain.sendResults(alone.map(result), { pendingThrough: far() })
    ).included;
    const unknown = take(2);
    await (
      await chain.sendResults(unknown.map(result))
    ).included;
    expect(chain.sends).toEqual({ simulated: before.simulated + 3, unsimulated: before.unsimulated });
    expect(await status([...near, ...alone, ...unknown])).toEqual(Array(5).fill(JobStatus.JOB_STATUS_COMPLETED));
  });

  it('an estimate below what the ante handler takes is refused in CheckTx: forgotten, simulated and sent once more', async () => {
    const before = { ...chain.sends };
    chain.gas.forget();
    chain.gas.record(1, 1_000);
    lines.length = 0;
    const one = take(1);
    await (
      await chain.sendResults(one.map(result), { pendingThrough: far() })
    ).included;
    expect(chain.sends).toEqual({ simulated: before.simulated + 1, unsimulated: before.unsimulated });
    expect(lines.some((l) => JSON.parse(l).msg === 'estimated gas ran out in CheckTx; simulating and sending once more')).toBe(true);
    expect(await status(one)).toEqual([JobStatus.JOB_STATUS_COMPLETED]);
  });

  it('an estimate the ante handler accepts but the results exceed fails in its block: out_of_gas, nothing applied, the next tx simulated', async () => {
    const one = take(1);
    // What a 1-result tx really uses, learnt from the last one; half of it passes the ante handler, not the result.
    const used = chain.gas.estimate(1)!;
    chain.gas.forget();
    chain.gas.record(1, Math.floor(used / 2 / 1.5));
    const before = { ...chain.sends };
    const sent = await chain.sendResults(one.map(result), { pendingThrough: far() });
    await expect(sent.included).rejects.toMatchObject({ code: 'out_of_gas' });
    expect(chain.sends).toEqual({ simulated: before.simulated, unsimulated: before.unsimulated + 1 });
    expect(await status(one)).toEqual([JobStatus.JOB_STATUS_PENDING]);
    expect(chain.gas.estimate(1)).toBeUndefined();
    await (
      await chain.sendResults(one.map(result), { pendingThrough: far() })
    ).included;
    expect(chain.sends.simulated).toBe(before.simulated + 1);
    expect(await status(one)).toEqual([JobStatus.JOB_STATUS_COMPLETED]);
  });
});
