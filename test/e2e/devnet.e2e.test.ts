// The devnet itself, and the x/ml flow on the ML chain without IBC: register an executor (signed by the
// validator operator), request an image job as `user`, see it assigned, submit the result as the executor,
// and check the job is COMPLETED and the fee moved from the requester to the executor.
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { DirectSecp256k1HdWallet, Registry, type GeneratedType } from '@cosmjs/proto-signing';
import { SigningStargateClient, StargateClient, defaultRegistryTypes, GasPrice, QueryClient, type DeliverTxResponse } from '@cosmjs/stargate';
import { connectComet, type CometClient } from '@cosmjs/tendermint-rpc';
import { stringToPath } from '@cosmjs/crypto';
import { MsgGenerateImage, MsgGenerateAudio, MsgChat, MsgRegisterExecutor, MsgAcceptExecutor, MsgRetireExecutor, MsgSubmitResult, MsgGenerateImageResponse } from '../../src/proto/lunc/ml/v1/tx.js';
import { QueryJobRequest, QueryJobResponse, QueryExecutorRequest, QueryExecutorResponse } from '../../src/proto/lunc/ml/v1/query.js';
import { JobStatus } from '../../src/proto/lunc/ml/v1/types.js';
import type { DevnetProfile, ProfileChain } from '../../src/devnet/types.js';

const ML_TYPES: Array<[string, GeneratedType]> = [
  ['/lunc.ml.v1.MsgGenerateImage', MsgGenerateImage as GeneratedType],
  ['/lunc.ml.v1.MsgGenerateAudio', MsgGenerateAudio as GeneratedType],
  ['/lunc.ml.v1.MsgChat', MsgChat as GeneratedType],
  ['/lunc.ml.v1.MsgRegisterExecutor', MsgRegisterExecutor as GeneratedType],
  ['/lunc.ml.v1.MsgAcceptExecutor', MsgAcceptExecutor as GeneratedType],
  ['/lunc.ml.v1.MsgRetireExecutor', MsgRetireExecutor as GeneratedType],
  ['/lunc.ml.v1.MsgSubmitResult', MsgSubmitResult as GeneratedType],
];

function registry(): Registry {
  return new Registry([...defaultRegistryTypes, ...ML_TYPES]);
}

const profile: DevnetProfile = JSON.parse(readFileSync(inject('devnetProfile'), 'utf8'));
const accounts: Array<{ name: string; mnemonic: string }> = JSON.parse(readFileSync(profile.accountsFile, 'utf8')).accounts;
const mnemonic = (name: string) => accounts.find((a) => a.name === name)!.mnemonic;

async function signer(chain: ProfileChain, name: string): Promise<{ address: string; client: SigningStargateClient }> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic(name), { prefix: chain.prefix, hdPaths: [stringToPath(`m/44'/${chain.coinType}'/0'/0/0`)] });
  const [acc] = await wallet.getAccounts();
  const client = await SigningStargateClient.connectWithSigner(chain.rpc, wallet, {
    registry: registry(),
    gasPrice: GasPrice.fromString(chain.gasPrice),
    broadcastPollIntervalMs: 200,
  });
  return { address: acc!.address, client };
}

function ok(r: DeliverTxResponse): DeliverTxResponse {
  expect(r.code, r.rawLog).toBe(0);
  return r;
}

function attr(r: DeliverTxResponse, type: string, key: string): string | undefined {
  return r.events.find((e) => e.type === type)?.attributes.find((a) => a.key === key)?.value;
}

describe('devnet', () => {
  it('writes a profile for both chains and both produce blocks', async () => {
    expect(profile.chains.lunc).toMatchObject({ chainId: 'lunc-1', prefix: 'terra', denom: 'uluna', coinType: 330 });
    expect(profile.chains.ml).toMatchObject({ chainId: 'mlchain-1', prefix: 'mlc', denom: 'umlc' });
    expect(profile.chains.ml.validatorOperator).toMatch(/^mlcvaloper1/);
    for (const c of [profile.chains.lunc, profile.chains.ml]) {
      const client = await StargateClient.connect(c.rpc);
      const h1 = await client.getHeight();
      const deadline = Date.now() + 15_000;
      let h2 = h1;
      while (h2 <= h1 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        h2 = await client.getHeight();
      }
      expect(h2).toBeGreaterThan(h1);
      expect(await client.getChainId()).toBe(c.chainId);
      client.disconnect();
    }
  });

  it('funds every account on both chains', async () => {
    for (const c of [profile.chains.lunc, profile.chains.ml]) {
      const client = await StargateClient.connect(c.rpc);
      for (const name of ['user', 'relayer', 'executor', 'executor2']) {
        const addr = profile.accounts[name]![c === profile.chains.lunc ? 'lunc' : 'ml'];
        const bal = await client.getBalance(addr, c.denom);
        expect(BigInt(bal.amount)).toBeGreaterThan(0n);
      }
      client.disconnect();
    }
  });
});

describe('x/ml on the ML chain (no IBC)', () => {
  const ml = profile.chains.ml;
  let validator: Awaited<ReturnType<typeof signer>>;
  let user: Awaited<ReturnType<typeof signer>>;
  let executor: Awaited<ReturnType<typeof signer>>;
  let comet: CometClient;
  let query: QueryClient;

  const abci = async <T>(path: string, req: Uint8Array, dec: (b: Uint8Array) => T): Promise<T> => dec((await query.queryAbci(path, req)).value);

  beforeAll(async () => {
    validator = await signer(ml, 'validator');
    user = await signer(ml, 'user');
    executor = await signer(ml, 'executor');
    comet = await connectComet(ml.rpc);
    query = new QueryClient(comet);
  });
  afterAll(() => {
    for (const s of [validator, user, executor]) s?.client.disconnect();
    comet?.disconnect();
  });

  it('registers an executor, runs an image job to COMPLETED and pays the executor', async () => {
    const pubkey = new Uint8Array(32).fill(7);
    const reg = ok(
      await validator.client.signAndBroadcast(
        validator.address,
        [
          {
            typeUrl: '/lunc.ml.v1.MsgRegisterExecutor',
            value: MsgRegisterExecutor.fromPartial({ operator: ml.validatorOperator, executor: executor.address, encryptionPubkey: Buffer.from(pubkey), models: ['tiny-sd'], devices: 1 }),
          },
        ],
        'auto',
      ),
    );
    // The operator only proposes; the executor account's own signature activates the registration.
    expect(attr(reg, 'ml_executor_proposed', 'operator')).toBe(ml.validatorOperator);
    const accepted = ok(
      await executor.client.signAndBroadcast(
        executor.address,
        [{ typeUrl: '/lunc.ml.v1.MsgAcceptExecutor', value: MsgAcceptExecutor.fromPartial({ executor: executor.address, operator: ml.validatorOperator }) }],
        'auto',
      ),
    );
    expect(attr(accepted, 'ml_executor_registered', 'operator')).toBe(ml.validatorOperator);
    const ex = await abci('/lunc.ml.v1.Query/Executor', QueryExecutorRequest.encode({ address: executor.address }).finish(), QueryExecutorResponse.decode);
    expect(ex.executor).toMatchObject({ operator: ml.validatorOperator, executor: executor.address, active: true, models: ['tiny-sd'] });

    const fee = { denom: ml.denom, amount: '5000' };
    const userBefore = BigInt((await user.client.getBalance(user.address, ml.denom)).amount);
    const execBefore = BigInt((await executor.client.getBalance(executor.address, ml.denom)).amount);
    const gen = ok(
      await user.client.signAndBroadcast(
        user.address,
        [
          {
            typeUrl: '/lunc.ml.v1.MsgGenerateImage',
            value: MsgGenerateImage.fromPartial({
              creator: user.address,
              prompt: 'a red bicycle',
              model: 'tiny-sd',
              width: 64,
              height: 64,
              steps: 4,
              guidanceScale: '7.5',
              scheduler: 'euler',
              seed: 7n,
              numImages: 1,
              maxFee: fee,
            }),
          },
        ],
        'auto',
      ),
    );
    const jobId = MsgGenerateImageResponse.decode(gen.msgResponses[0]!.value).jobId;
    expect(attr(gen, 'ml_job_assigned', 'executor')).toBe(executor.address);
    expect(attr(gen, 'ml_job_created', 'job_id')).toBe(String(jobId));
    let job = (await abci('/lunc.ml.v1.Query/Job', QueryJobRequest.encode({ id: jobId }).finish(), QueryJobResponse.decode)).job!;
    expect(job.status).toBe(JobStatus.JOB_STATUS_PENDING);
    expect(job.executor).toBe(executor.address);
    expect(job.deadlineHeight - job.createdHeight).toBe(40n);

    const sha = createHash('sha256').update('png bytes').digest('hex');
    const sub = ok(
      await executor.client.signAndBroadcast(
        executor.address,
        [
          {
            typeUrl: '/lunc.ml.v1.MsgSubmitResult',
            value: MsgSubmitResult.fromPartial({ executor: executor.address, jobId, outputSha256: sha, outputUri: `http://127.0.0.1:1/outputs/${sha}`, mime: 'image/png' }),
          },
        ],
        'auto',
      ),
    );
    expect(attr(sub, 'ml_job_completed', 'output_sha256')).toBe(sha);
    job = (await abci('/lunc.ml.v1.Query/Job', QueryJobRequest.encode({ id: jobId }).finish(), QueryJobResponse.decode)).job!;
    expect(job.status).toBe(JobStatus.JOB_STATUS_COMPLETED);
    expect(job.result?.outputSha256).toBe(sha);

    // The fee moved: the user paid max_fee plus gas, the executor got max_fee minus its own gas.
    const userAfter = BigInt((await user.client.getBalance(user.address, ml.denom)).amount);
    const execAfter = BigInt((await executor.client.getBalance(executor.address, ml.denom)).amount);
    const gasFee = (r: DeliverTxResponse) => BigInt(Math.ceil(Number(r.gasWanted) * Number(ml.gasPrice.replace(ml.denom, ''))));
    expect(userBefore - userAfter).toBe(5000n + gasFee(gen));
    expect(execAfter - execBefore).toBe(5000n - gasFee(sub));

    // A second result for the same job is refused.
    await expect(
      executor.client.signAndBroadcast(
        executor.address,
        [{ typeUrl: '/lunc.ml.v1.MsgSubmitResult', value: MsgSubmitResult.fromPartial({ executor: executor.address, jobId, outputSha256: sha }) }],
        'auto',
      ),
    ).rejects.toThrow(/not pending/);
  });
});
