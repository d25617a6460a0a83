// The whole path as a user lives it, on the shared test devnet with a real relayer and a real executor
// process: LUNC-side tx → IBC → x/ml job → executor (tiny ONNX models) → result on chain → verified file.
// Then the same under faults: relayer killed mid-flight, executor killed mid-job, the ML chain's RPC paused.
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack, waitFor } from '../../src/demo/stack.js';
import { runJourney } from '../../src/demo/journey.js';
import { followPacket } from '../../src/jobs/follow.js';
import { runJson } from '../../src/demo/cli-runner.js';
import { queryJobs, queryExecutor } from '../../src/ica/ml-query.js';
import { JobStatus } from '../../src/proto/lunc/ml/v1/types.js';
import { createLogger } from '../../src/core/logger.js';
import { testPorts } from '../../src/devnet/index.js';
import { repoRoot } from '../helpers/cli.js';
import { connectComet } from '@cosmjs/tendermint-rpc';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { readAccounts } from '../../src/devnet/index.js';

const out = mkdtempSync(join(tmpdir(), 'lunc-ml-e2e-'));
const stack = new Stack({
  repoRoot,
  devnetHome: inject('devnetHome'),
  ports: testPorts,
  executorPort: 38787,
  binary: process.env.LUNC_ML_TEST_DEVNET_BINARY || undefined,
  logger: createLogger({ level: 'warn' }),
});

beforeAll(async () => {
  await stack.start();
}, 600_000);

afterAll(async () => {
  await stack.stop({ keepDevnet: true });
});

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('prompt on the LUNC side → output from a validator', () => {
  it('tx generate-image through the ICA yields a PNG whose sha256 matches the chain', async () => {
    const r = await runJourney(stack, { kind: 'image', prompt: '126 danish homes, village, night', outDir: out, flags: ['--size', '64x64', '--steps', '4', '--seed', '42'] });
    const png = readFileSync(r.file);
    expect(png.subarray(0, 8).equals(PNG)).toBe(true);
    expect(png.readUInt32BE(16)).toBe(64);
    expect(png.readUInt32BE(20)).toBe(64);
    expect(r.packetSequence).toMatch(/^\d+$/);
    // query job tells the whole story, including the IBC packet that created it.
    const story = await runJson(stack.cli, ['query', 'job', r.jobId]);
    expect(story.status).toBe('completed');
    expect(story.requester).toBe(stack.icaAddress);
    expect(story.origin.packet.sequence).toBe(r.packetSequence);
    expect(story.result.outputSha256).toBe(r.sha256);
  });

  it('the legacy intertx flow: --generate-only > msg.json, then tx submit --legacy-intertx', async () => {
    const r = await runJourney(stack, { kind: 'image', prompt: 'a lighthouse in fog', outDir: out, legacy: true, flags: ['--size', '64x64', '--steps', '4', '--seed', '5'] });
    expect(readFileSync(r.file).subarray(0, 8).equals(PNG)).toBe(true);
  });

  it('audio gives a WAV; an encrypted chat is sealed on chain and decrypts for the requester only', async () => {
    const a = await runJourney(stack, { kind: 'audio', prompt: 'calm lo-fi beat', outDir: out, flags: ['--duration', '1280', '--steps', '4', '--seed', '7'] });
    const wav = readFileSync(a.file);
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.subarray(8, 12).toString()).toBe('WAVE');

    const c = await runJourney(stack, { kind: 'chat', prompt: 'a secret question about LUNC', outDir: out, encrypt: true, flags: ['--max-tokens', '8', '--seed', '3'] });
    expect(c.decrypted).toBe(true);
    expect(readFileSync(c.file, 'utf8').length).toBeGreaterThan(0);
    const [job] = (await queryJobs(stack.mlQuery(), { requester: stack.icaAddress })).filter((j) => j.id.toString() === c.jobId);
    expect(job.chat!.prompt).toBe('');
    expect(job.chat!.sealedPrompt.length).toBeGreaterThan(0);
    expect(job.result!.sealed).toBe(true);
    // The plaintext prompt is nowhere in the executor's log.
    expect(readFileSync(join(stack.logDir, 'executor.log'), 'utf8')).not.toContain('a secret question');
  });
});

describe('tx generate-image --wait', () => {
  it('follows the job to its result and downloads the verified PNG', async () => {
    const file = join(out, 'waited.png');
    const r = await runJson(stack.cli, [
      'tx',
      'generate-image',
      '--from',
      'user',
      '--connection-id',
      stack.connectionId,
      '--yes',
      '--prompt',
      'waited for',
      '--size',
      '64x64',
      '--steps',
      '2',
      '--wait',
      '--download',
      file,
    ]);
    expect(r.job.status).toBe('completed');
    expect(r.job.origin.packet.sequence).toBe(r.packets[0].sequence);
    expect(r.job.download).toMatchObject({ path: file, verified: true });
    expect(readFileSync(file).subarray(0, 8).equals(PNG)).toBe(true);
  });

  it('a two-image job downloads into a folder, each image checked against the on-chain manifest', async () => {
    const dir = join(out, 'two-images');
    const r = await runJson(stack.cli, [
      'tx',
      'generate-image',
      '--from',
      'user',
      '--connection-id',
      stack.connectionId,
      '--yes',
      '--prompt',
      'two of them',
      '--size',
      '64x64',
      '--steps',
      '2',
      '--num-images',
      '2',
      '--seed',
      '9',
      '--wait',
      '--download',
      dir,
    ]);
    expect(r.job.result.mime).toBe('application/vnd.lunc-ml.images+json');
    const files = r.job.download.files as { path: string; sha256: string; seed: string }[];
    expect(files.map((f) => f.seed)).toEqual(['9', '10']);
    for (const f of files) {
      const png = readFileSync(f.path);
      expect(png.subarray(0, 8).equals(PNG)).toBe(true);
      expect(createHash('sha256').update(png).digest('hex')).toBe(f.sha256);
    }
  });

  it('a model the ML chain does not allow is refused before anything is signed', async () => {
    await expect(
      runJson(stack.cli, ['tx', 'generate-image', '--from', 'user', '--connection-id', stack.connectionId, '--yes', '--prompt', 'x', '--model', 'no-such-model', '--wait', '--wait-timeout', '2m']),
    ).rejects.toThrow(/does not allow the model "no-such-model"/);
  });

  it("a packet the host refuses anyway (sent as msg.json, past the pre-flight) is reported with the host's reason", async () => {
    const file = join(out, 'refused.msg.json');
    await runJson(stack.cli, ['tx', 'generate-image', '--generate-only', '--creator', stack.icaAddress, '--prompt', 'x', '--model', 'no-such-model', '--out', file]);
    const sent = await runJson(stack.cli, ['tx', 'submit', file, '--from', 'user', '--connection-id', stack.connectionId, '--yes']);
    await expect(followPacket(stack.mlTm, stack.mlQuery(), sent.packets[0], { timeoutMs: 120_000 })).rejects.toThrow(/refused the job/);
  });
});

describe('the library, and seeds that reproduce', () => {
  it('examples/submit-job.mjs sends a job with the library and saves the verified PNG', async () => {
    const mnemonic = readAccounts(stack.profile.accountsFile).find((a) => a.name === 'user')!.mnemonic;
    const file = join(out, 'example.png');
    const r = await execa('node', [join(repoRoot, 'examples', 'submit-job.mjs'), file], { env: { LUNC_ML_PROFILE: inject('devnetProfile'), LUNC_ML_MNEMONIC: mnemonic }, cwd: repoRoot });
    const res = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(res.sha256);
    const story = await runJson(stack.cli, ['query', 'job', res.jobId]);
    expect(story.result.outputSha256).toBe(res.sha256);
    expect(story.requester).toBe(stack.icaAddress);
  });

  it("gpu run with a job's parameters gives the job's on-chain sha256, for a seed above 2^53", async () => {
    const params = ['--prompt', 'reproducible', '--size', '64x64', '--steps', '3', '--seed', '18446744073709551557', '--scheduler', 'euler', '--guidance', '7.5'];
    const job = await runJourney(stack, { kind: 'image', prompt: 'reproducible', outDir: out, flags: params.slice(2) });
    const local = await runJson(stack.cli, ['gpu', 'run', '--model', 'tiny-sd', ...params, '--device', 'cpu', '--out', join(out, 'local.png')]);
    expect(local.files[0].sha256).toBe(job.sha256);
  });
});

describe('x/ml without IBC, through the CLI', () => {
  it('a job sent directly on the ML chain is assigned, resulted, paid and queried', async () => {
    const sent = await runJson(stack.cli, ['tx', 'generate-image', '--direct', '--from', 'user-ml', '--prompt', 'direct job', '--size', '64x64', '--steps', '2', '--max-fee', '1234umlc', '--yes']);
    expect(sent.chainId).toBe(stack.profile.chains.ml.chainId);
    expect(sent.jobId).toMatch(/^\d+$/);
    const story = await waitFor(
      'the direct job to complete',
      async () => {
        const s = await runJson(stack.cli, ['query', 'job', sent.jobId]);
        return s.status === 'completed' ? s : undefined;
      },
      120_000,
    );
    expect(story.requester).toBe(stack.profile.accounts.user.ml);
    expect(story.origin.packet).toBeUndefined();
    expect(story.fee).toBe('1234umlc');
    // Paid: the result tx moved exactly the escrowed fee from the module account to the executor.
    const tm = await connectComet(stack.profile.chains.ml.rpc);
    try {
      const found = await tm.txSearch({ query: `ml_job_completed.job_id='${sent.jobId}'` });
      expect(found.txs).toHaveLength(1);
      const transfers = found.txs[0].result.events.filter((e) => e.type === 'transfer').map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
      expect(transfers).toContainEqual(expect.objectContaining({ recipient: stack.profile.accounts.executor.ml, amount: '1234umlc' }));
    } finally {
      tm.disconnect();
    }
  });
});

describe('faults: every job completes exactly once', () => {
  async function jobsOf(): Promise<number> {
    return (await queryJobs(stack.mlQuery(), { requester: stack.icaAddress })).length;
  }

  it('relayer killed right after the broadcast, then restarted', async () => {
    const n0 = await jobsOf();
    await stack.stopService('relayer', 'SIGKILL');
    const sent = await runJson(stack.cli, ['tx', 'generate-image', '--from', 'user', '--connection-id', stack.connectionId, '--yes', '--prompt', 'relayer fault', '--size', '64x64', '--steps', '2']);
    expect(sent.packets).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await jobsOf()).toBe(n0);
    stack.startRelayer();
    await waitFor('the job after the relayer restart', async () => ((await jobsOf()) === n0 + 1 ? true : undefined), 240_000);
    const job = (await queryJobs(stack.mlQuery(), { requester: stack.icaAddress })).at(-1)!;
    await waitFor(
      'its result',
      async () => ((await queryJobs(stack.mlQuery(), { requester: stack.icaAddress })).find((j) => j.id === job.id)?.status === JobStatus.JOB_STATUS_COMPLETED ? true : undefined),
      240_000,
    );
    // Give the restarted relayer a few clearing rounds: nothing is delivered twice.
    await new Promise((r) => setTimeout(r, 4000));
    expect(await jobsOf()).toBe(n0 + 1);
  });

  it('executor killed mid-job, then restarted: the job completes once', async () => {
    const execAddr = stack.profile.accounts.executor.ml;
    const before = await queryExecutor(stack.mlQuery(), execAddr);
    // A big, slow job (1024², 150 steps: seconds on CPU), so the kill lands while it runs.
    await runJson(stack.cli, ['tx', 'generate-image', '--from', 'user', '--connection-id', stack.connectionId, '--yes', '--prompt', 'executor fault', '--size', '1024x1024', '--steps', '150']);
    const job = await waitFor('the job on the ML chain', async () => (await queryJobs(stack.mlQuery(), { requester: stack.icaAddress, status: JobStatus.JOB_STATUS_PENDING }))[0], 240_000);
    const log = join(stack.logDir, 'executor.log');
    await waitFor('the executor to start the job', async () => (readFileSync(log, 'utf8').includes(`"msg":"running job","component":"executor","job":"${job.id}"`) ? true : undefined), 120_000, 100);
    await stack.stopService('executor', 'SIGKILL');
    expect((await queryJobs(stack.mlQuery(), { requester: stack.icaAddress })).find((j) => j.id === job.id)!.status).toBe(JobStatus.JOB_STATUS_PENDING);
    stack.startExecutor();
    await stack.waitExecutorReady();
    await waitFor(
      'the result',
      async () => ((await queryJobs(stack.mlQuery(), { requester: stack.icaAddress })).find((j) => j.id === job.id)?.status === JobStatus.JOB_STATUS_COMPLETED ? true : undefined),
      240_000,
    );
    const after = await queryExecutor(stack.mlQuery(), execAddr);
    expect(after!.jobsCompleted - before!.jobsCompleted).toBe(1n);
  });

  it('the ML chain RPC paused for a few seconds: relayer and executor recover', async () => {
    const pid = stack.profile.pids.ml!;
    const n0 = await jobsOf();
    await runJson(stack.cli, ['tx', 'generate-image', '--from', 'user', '--connection-id', stack.connectionId, '--yes', '--prompt', 'rpc fault', '--size', '64x64', '--steps', '2']);
    process.kill(pid, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 5000));
    process.kill(pid, 'SIGCONT');
    await waitFor(
      'the job after the pause',
      async () => {
        const jobs = await queryJobs(stack.mlQuery(), { requester: stack.icaAddress });
        return jobs.length === n0 + 1 && jobs.at(-1)!.status === JobStatus.JOB_STATUS_COMPLETED ? true : undefined;
      },
      240_000,
    );
    expect(stack.relayer?.exitCode ?? null).toBeNull();
    expect(stack.executor?.exitCode ?? null).toBeNull();
  });
});
