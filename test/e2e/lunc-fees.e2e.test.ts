// LUNC is the only money a user holds: fees are paid in uluna that crossed over ICS-20, the executor is paid its
// share in that denom at once, and the burn and community shares flow back to lunc-1 as native uluna, exactly and
// once, even when the relayer dies while a flow is in flight. Bad fees are refused before anything is signed.
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Stack, waitFor } from '../../src/demo/stack.js';
import { runJourney } from '../../src/demo/journey.js';
import { cliArgs, runJson } from '../../src/demo/cli-runner.js';
import { balanceOf } from '../../src/jobs/funds.js';
import { ibcDenom } from '../../src/ica/ics20.js';
import { createLogger } from '../../src/core/logger.js';
import { testPorts, DEVNET_TRANSFER_CHANNEL } from '../../src/devnet/index.js';
import { repoRoot } from '../helpers/cli.js';

const out = mkdtempSync(join(tmpdir(), 'lunc-ml-fees-'));
const stack = new Stack({
  repoRoot,
  devnetHome: inject('devnetHome'),
  ports: testPorts,
  executorPort: 38788,
  binary: process.env.LUNC_ML_TEST_DEVNET_BINARY || undefined,
  logger: createLogger({ level: 'warn' }),
});
const LUNC_ON_ML = ibcDenom(DEVNET_TRANSFER_CHANNEL, 'uluna');
const FEE = 50_000n;
// The devnet's split (src/devnet/devnet.ts): 20 % burn, 10 % community, the rest (rounding included) to the executor.
const BURN = (FEE * 20n) / 100n;
const COMMUNITY = (FEE * 10n) / 100n;

beforeAll(async () => {
  await stack.start();
}, 600_000);

afterAll(async () => {
  await stack.stop({ keepDevnet: true });
});

const lunc = () => stack.profile.chains.lunc;
const ml = () => stack.profile.chains.ml;

interface LuncFlows {
  accumulatedBurn?: string;
  accumulatedCommunity?: string;
  inFlightBurn?: string;
  inFlightCommunity?: string;
  deliveredBurn?: string;
}

async function luncFlows(): Promise<LuncFlows> {
  const f = await runJson(stack.cli, ['query', 'flows']);
  return (f.denoms ?? []).find((d: { denom: string }) => d.denom === LUNC_ON_ML) ?? {};
}

const n = (s?: string) => BigInt(s ?? 0);

/** Nothing accumulated or in flight: every share earned so far is on lunc-1. */
async function settled(): Promise<LuncFlows> {
  return waitFor(
    'the LUNC shares to settle on lunc-1',
    async () => {
      const d = await luncFlows();
      return n(d.accumulatedBurn) + n(d.accumulatedCommunity) + n(d.inFlightBurn) + n(d.inFlightCommunity) === 0n ? d : undefined;
    },
    240_000,
    500,
  );
}

async function sinks(): Promise<{ burn: bigint; community: bigint }> {
  return { burn: await balanceOf(lunc(), stack.profile.luncBurnAddress!, 'uluna'), community: await balanceOf(lunc(), stack.profile.luncCommunityAddress!, 'uluna') };
}

/** The CLI as a user runs it, keeping the exit code and both streams. */
async function cliRaw(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('node', cliArgs(stack.cli, args), { env: stack.cli.env, reject: false, timeout: 180_000 });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('paying for jobs in LUNC', () => {
  it("a job paid in uluna completes; the executor gets its share at once and lunc-1's burn and community addresses get exactly theirs as native uluna", async () => {
    await settled();
    const before = await sinks();
    const executor = stack.profile.accounts.executor.ml;
    const execBefore = await balanceOf(ml(), executor, LUNC_ON_ML);
    const r = await runJourney(stack, { kind: 'image', prompt: 'paid in lunc', outDir: out, flags: ['--size', '64x64', '--steps', '2', '--max-fee', `${FEE}uluna`] });
    expect(r.fee).toBe(`${FEE}${LUNC_ON_ML}`);
    expect((await balanceOf(ml(), executor, LUNC_ON_ML)) - execBefore).toBe(FEE - BURN - COMMUNITY);
    await settled();
    const after = await sinks();
    expect(after.burn - before.burn).toBe(BURN);
    expect(after.community - before.community).toBe(COMMUNITY);
  });

  it('a relayer killed while a flow is in flight loses nothing: the shares arrive once after the restart', async () => {
    // x/ml sends the shares on its own every flow_interval blocks; with no relayer the transfer stays in flight. The
    // flow may instead be sent and relayed in the moment between the job's end and the kill (or be received on
    // lunc-1 with only its ack left): then nothing is in flight before lunc-1 has the shares, so try again.
    let before = await sinks();
    for (let attempt = 1; ; attempt++) {
      await settled();
      before = await sinks();
      await runJourney(stack, { kind: 'image', prompt: `flow in flight ${attempt}`, outDir: out, flags: ['--size', '64x64', '--steps', '2', '--max-fee', `${FEE}uluna`] });
      await stack.stopService('relayer', 'SIGKILL');
      const seen = await waitFor(
        'a flow in flight, or the shares already on lunc-1',
        async () => {
          const d = await luncFlows();
          if (n(d.inFlightBurn) > 0n) return 'in flight';
          return n(d.accumulatedBurn) === 0n ? 'delivered before the kill' : undefined;
        },
        120_000,
      );
      if (seen === 'in flight' && (await sinks()).burn === before.burn) break;
      expect(attempt, 'the flow kept reaching lunc-1 before the relayer was killed').toBeLessThan(3);
      stack.startRelayer();
    }
    expect((await sinks()).burn).toBe(before.burn);
    stack.startRelayer();
    await settled();
    const after = await sinks();
    expect(after.burn - before.burn).toBe(BURN);
    expect(after.community - before.community).toBe(COMMUNITY);
  });

  it('an expired job refunds the interchain account in full', async () => {
    await stack.stopService('executor');
    try {
      const balance = () => balanceOf(ml(), stack.icaAddress, LUNC_ON_ML);
      const b0 = await balance();
      const sent = await runJson(stack.cli, [
        'tx',
        'generate-image',
        '--from',
        'user',
        '--connection-id',
        stack.connectionId,
        '--yes',
        '--prompt',
        'nobody serves this',
        '--size',
        '64x64',
        '--steps',
        '2',
        '--max-fee',
        `${FEE}uluna`,
      ]);
      expect(sent.packets).toHaveLength(1);
      await waitFor('the fee to be escrowed', async () => ((await balance()) === b0 - FEE ? true : undefined), 120_000);
      // Reassigned once, then expired (2 × job_timeout_blocks on the test devnet): the whole fee comes back.
      await waitFor('the refund after expiry', async () => ((await balance()) === b0 ? true : undefined), 240_000, 1000);
    } finally {
      stack.startExecutor();
      await stack.waitExecutorReady();
    }
  });

  it('--fund sends the shortfall over ICS-20 first, then the job', async () => {
    const have = await balanceOf(ml(), stack.icaAddress, LUNC_ON_ML);
    const fee = have + 20_000n;
    const r = await runJson(stack.cli, [
      'tx',
      'generate-image',
      '--from',
      'user',
      '--connection-id',
      stack.connectionId,
      '--yes',
      '--prompt',
      'funded first',
      '--size',
      '64x64',
      '--steps',
      '2',
      '--max-fee',
      `${fee}uluna`,
      '--fund',
      '--wait',
    ]);
    expect(r.funding.packets[0].sourcePort).toBe('transfer');
    expect(r.job.status).toBe('completed');
    expect(r.job.fee).toBe(`${fee}${LUNC_ON_ML}`);
    // Top the account up again for the other tests.
    await runJson(stack.cli, ['tx', 'fund', '--from', 'user', '--amount', '100000000uluna', '--connection-id', stack.connectionId, '--wait', '--yes']);
  });
});

describe('bad fees are refused before anything is signed', () => {
  const userUluna = () => balanceOf(lunc(), stack.userAddress, 'uluna');
  const job = (fee: string, extra: string[] = []) => [
    'tx',
    'generate-image',
    '--from',
    'user',
    '--connection-id',
    stack.connectionId,
    '--yes',
    '--prompt',
    'x',
    '--size',
    '64x64',
    '--steps',
    '2',
    '--max-fee',
    fee,
    ...extra,
  ];

  it('a denom the ML chain does not accept: exit 2, names the accepted ones', async () => {
    const b0 = await userUluna();
    const r = await cliRaw(job('5000uatom'));
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stderr.trim().split('\n').at(-1)!)).toMatchObject({ error: 'bad_fee_denom' });
    expect(r.stderr).toMatch(/uluna/);
    expect(await userUluna()).toBe(b0);
  });

  it("an amount under the chain's minimum: exit 2", async () => {
    const b0 = await userUluna();
    const r = await cliRaw(job('10uluna'));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/under mlchain-1's minimum of 10000/);
    expect(await userUluna()).toBe(b0);
  });

  it('a balance short of the fee without --fund: exit 4, says to fund', async () => {
    const b0 = await userUluna();
    const r = await cliRaw(job(`${10n ** 15n}uluna`));
    expect(r.exitCode).toBe(4);
    const e = JSON.parse(r.stderr.trim().split('\n').at(-1)!);
    expect(e.error).toBe('insufficient_funds');
    expect(e.hint).toMatch(/--fund|tx fund/);
    expect(await userUluna()).toBe(b0);
  });
});

describe('what a LUNC user pays on the LUNC side', () => {
  // lunc-1 deducts fees in its ante handler like columbus-5 (28.325uluna minimum gas price): a gas estimate
  // simulated without the fee falls short there. Each tx kind must leave at least 20 % of its gas unused.
  it("tx fund and a job's MsgSendTx use at most 80 % of the gas they ask for", async () => {
    const fund = await runJson(stack.cli, ['tx', 'fund', '--from', 'user', '--amount', '1000uluna', '--connection-id', stack.connectionId, '--yes']);
    const job = await runJson(stack.cli, [
      'tx',
      'generate-image',
      '--from',
      'user',
      '--connection-id',
      stack.connectionId,
      '--yes',
      '--prompt',
      'gas',
      '--size',
      '64x64',
      '--steps',
      '2',
      '--max-fee',
      `${FEE}uluna`,
    ]);
    for (const r of [fund, job]) {
      expect(r.chainId).toBe('lunc-1');
      expect(r.gasUsed / r.gasWanted, `${r.gasUsed}/${r.gasWanted}`).toBeLessThanOrEqual(0.8);
      expect(r.fee).toMatch(/uluna$/);
    }
  });

  it('tx register for an owner that already has an open ICA channel says so, names the account and signs nothing', async () => {
    const b0 = await balanceOf(lunc(), stack.userAddress, 'uluna');
    const r = await cliRaw(['tx', 'register', '--from', 'user', '--connection-id', stack.connectionId, '--yes']);
    expect(r.exitCode).toBe(4);
    const e = JSON.parse(r.stderr.trim().split('\n').at(-1)!);
    expect(e.error).toBe('ica_already_registered');
    expect(e.message).toContain(stack.icaAddress);
    expect(await balanceOf(lunc(), stack.userAddress, 'uluna')).toBe(b0);
  });

  it("query balance shows the user's uluna and the interchain account's LUNC", async () => {
    const b = await runJson(stack.cli, ['query', 'balance', '--owner', stack.userAddress, '--connection-id', stack.connectionId]);
    expect(b.owner.denom).toBe('uluna');
    expect(BigInt(b.owner.amount)).toBeGreaterThan(0n);
    expect(b.interchainAccount.address).toBe(stack.icaAddress);
    expect(b.interchainAccount.denom).toBe(LUNC_ON_ML);
  });
});
