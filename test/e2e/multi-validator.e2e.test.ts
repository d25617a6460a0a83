// A 3-validator ML chain of its own (own home, ports 31657/31757+): each validator registers its own executor,
// jobs are spread by x/ml's assignment rule exactly as chain/x/ml/keeper/assign.go predicts, one validator is
// killed (with its executor) and the chain goes on while its jobs are reassigned, it restarts and catches up, and
// every node agrees on the app hash at every height after a mix of completed, encrypted, failed, expired and
// reassigned jobs. x/slashing jails validator 3 for its downtime (a short window on this chain) and it unjails itself.
//
// Powers: bonds 2:2:1. Killing the smallest validator leaves 4/5 of the power, more than the 2/3 CometBFT needs;
// with 3 equal validators one down leaves exactly 2/3, which is not enough and the chain would stop. Unequal
// bonds keep the test at 3 nodes (2 CI cores) instead of 4.
//
// The executors here are their accounts signing real transactions to their own validator's node (executor k
// talks to node k), answering as the test decides: the assignment, reassignment and expiry rules are what is
// under test, not the models (`lunc-ml demo --validators 2` runs real `gpu serve` executors).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { SigningStargateClient, GasPrice, QueryClient, setupStakingExtension, type DeliverTxResponse } from '@cosmjs/stargate';
import { MsgUnjail } from 'cosmjs-types/cosmos/slashing/v1beta1/tx';
import { BondStatus } from 'cosmjs-types/cosmos/staking/v1beta1/staking';
import { connectComet, type CometClient } from '@cosmjs/tendermint-rpc';
import { stringToPath } from '@cosmjs/crypto';
import { up, down, ensureBinary, stopMlNode, startMlNode, rpcHeight, multiValidatorTestPorts, type DevnetProfile, type ProfileValidatorNode } from '../../src/devnet/index.js';
import type { DevnetLogger } from '../../src/devnet/types.js';
import { buildRegistry } from '../../src/ica/registry.js';
import { waitFor } from '../../src/core/poll.js';
import { generateKeypair, seal, open as openSealed, type SealKeypair } from '../../src/core/sealing.js';
import { sealPrompt, openPrompt } from '../../src/core/sealed-prompt.js';
import { MsgGenerateImage, MsgChat, MsgRegisterExecutor, MsgAcceptExecutor, MsgSubmitResult, MsgGenerateImageResponse, MsgChatResponse } from '../../src/proto/lunc/ml/v1/tx.js';
import { QueryJobRequest, QueryJobResponse } from '../../src/proto/lunc/ml/v1/query.js';
import { JobStatus, type Job } from '../../src/proto/lunc/ml/v1/types.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const home = join(repoRoot, '.lunc-ml', 'test-devnet-mv');
const BONDS = [200_000_000_000n, 200_000_000_000n, 100_000_000_000n];
/** Devices per executor: validator #2 runs the bigger rig, as in the seed's picture. */
const DEVICES = [1, 4, 1];
const TIMEOUT_BLOCKS = 10;
const FEE = { denom: 'umlc', amount: '5000' };
/** x/slashing on this chain: more than 10 of the last 20 blocks missed → jailed for 1 min, the least the SDK allows (default: 50 of 100, 10 min). */
const DOWNTIME = { signedBlocksWindow: 20, jailSeconds: 60 };

const logger: DevnetLogger = {
  debug: () => {},
  info: (msg, f) => process.stderr.write(`[mv-devnet] ${msg}${f ? ' ' + JSON.stringify(f) : ''}\n`),
  warn: (msg, f) => process.stderr.write(`[mv-devnet] warn: ${msg}${f ? ' ' + JSON.stringify(f) : ''}\n`),
  error: (msg, f) => process.stderr.write(`[mv-devnet] error: ${msg}${f ? ' ' + JSON.stringify(f) : ''}\n`),
};

interface Signer {
  address: string;
  client: SigningStargateClient;
}

function ok(r: DeliverTxResponse): DeliverTxResponse {
  expect(r.code, r.rawLog).toBe(0);
  return r;
}

/**
 * x/ml's assignment rule (chain/x/ml/keeper/assign.go pickFrom), replayed: among executors serving the model, in
 * operator order, keep those with the lowest pending/devices, and take index (job id mod count). Jobs of one
 * transaction are assigned in message order, each seeing the ones before it.
 */
function predictAssignments(execs: Array<{ executor: string; operator: string; devices: number; pending: number }>, firstId: bigint, count: number): string[] {
  const set = [...execs].sort((a, b) => (a.operator < b.operator ? -1 : a.operator > b.operator ? 1 : 0)).map((e) => ({ ...e }));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = firstId + BigInt(i);
    const less = (a: (typeof set)[0], b: (typeof set)[0]) => a.pending * Math.max(b.devices, 1) < b.pending * Math.max(a.devices, 1);
    let best = [set[0]!];
    for (const c of set.slice(1)) {
      if (less(c, best[0]!)) best = [c];
      else if (!less(best[0]!, c)) best.push(c);
    }
    const pick = best[Number(id % BigInt(best.length))]!;
    pick.pending++;
    out.push(pick.executor);
  }
  return out;
}

describe('a 3-validator ML chain', () => {
  let profile: DevnetProfile;
  let nodes: ProfileValidatorNode[];
  let mnemonics: Map<string, string>;
  let user: Signer;
  const operators: Signer[] = [];
  const executors: Signer[] = [];
  const encKeys: SealKeypair[] = [];
  let comet: CometClient;
  let query: QueryClient & ReturnType<typeof setupStakingExtension>;
  /** Jobs carried from one step to the next: executor 3's unanswered jobs, and the one nobody answers. */
  const ctx: { silentJobs: bigint[]; expiring?: bigint } = { silentJobs: [] };

  const job = async (id: bigint): Promise<Job> => QueryJobResponse.decode((await query.queryAbci('/lunc.ml.v1.Query/Job', QueryJobRequest.encode({ id }).finish())).value).job!;

  async function signer(name: string, rpc: string): Promise<Signer> {
    const ml = profile.chains.ml;
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonics.get(name)!, { prefix: ml.prefix, hdPaths: [stringToPath(`m/44'/${ml.coinType}'/0'/0/0`)] });
    const [acc] = await wallet.getAccounts();
    const registry = buildRegistry();
    registry.register('/cosmos.slashing.v1beta1.MsgUnjail', MsgUnjail);
    const client = await SigningStargateClient.connectWithSigner(rpc, wallet, { registry, gasPrice: GasPrice.fromString(ml.gasPrice), broadcastPollIntervalMs: 200 });
    return { address: acc!.address, client };
  }

  const imageMsg = (i: number) => ({
    typeUrl: '/lunc.ml.v1.MsgGenerateImage',
    value: MsgGenerateImage.fromPartial({
      creator: user.address,
      prompt: `validator picture ${i}`,
      model: 'tiny-sd',
      width: 64,
      height: 64,
      steps: 4,
      guidanceScale: '7.5',
      scheduler: 'euler',
      seed: BigInt(i),
      numImages: 1,
      maxFee: FEE,
    }),
  });

  async function submit(exec: Signer, results: Array<{ id: bigint; error?: string; sealed?: Uint8Array }>): Promise<void> {
    const msgs = results.map((r) => {
      const sha = createHash('sha256')
        .update(r.sealed ?? `output of job ${r.id}`)
        .digest('hex');
      return {
        typeUrl: '/lunc.ml.v1.MsgSubmitResult',
        value: MsgSubmitResult.fromPartial(
          r.error
            ? { executor: exec.address, jobId: r.id, error: r.error }
            : { executor: exec.address, jobId: r.id, outputSha256: sha, outputUri: `http://127.0.0.1:1/outputs/${sha}`, mime: r.sealed ? 'text/plain' : 'image/png', sealed: Boolean(r.sealed) },
        ),
      };
    });
    // The executor answers through its own node, which may still be a block behind the one that made the jobs.
    const seen = await user.client.getHeight();
    await waitFor(async () => (await exec.client.getHeight()) >= seen, { timeoutMs: 20_000, what: 'executor node caught up' });
    const r = ok(await exec.client.signAndBroadcast(exec.address, msgs, 'auto'));
    // ...and the test reads jobs from node 1, which may not have committed that block yet.
    await waitFor(async () => (await user.client.getHeight()) >= r.height, { timeoutMs: 20_000, what: 'node 1 to commit the results block' });
  }

  const executorIndex = (address: string) => executors.findIndex((e) => e.address === address);

  beforeAll(async () => {
    const { binary } = process.env.LUNC_ML_TEST_DEVNET_BINARY ? { binary: process.env.LUNC_ML_TEST_DEVNET_BINARY } : await ensureBinary({ repoRoot, logger });
    const r = await up({ repoRoot, home, binary, ports: multiValidatorTestPorts, reset: true, validators: 3, validatorBonds: BONDS, jobTimeoutBlocks: TIMEOUT_BLOCKS, downtime: DOWNTIME, logger });
    profile = r.profile;
    nodes = profile.mlValidators!;
    mnemonics = new Map(JSON.parse(readFileSync(profile.accountsFile, 'utf8')).accounts.map((a: { name: string; mnemonic: string }) => [a.name, a.mnemonic]));
    user = await signer('user', nodes[0]!.rpc);
    for (const n of nodes) {
      operators.push(await signer(n.validatorKey, n.rpc));
      executors.push(await signer(n.executorKey, n.rpc));
      encKeys.push(generateKeypair());
    }
    comet = await connectComet(nodes[0]!.rpc);
    query = QueryClient.withExtensions(comet, setupStakingExtension);
  });

  afterAll(async () => {
    for (const s of [user, ...operators, ...executors]) s?.client.disconnect();
    comet?.disconnect();
    if (process.env.LUNC_ML_KEEP_TEST_DEVNET !== '1') await down({ home, logger });
  });

  it('forms one genesis from three gentxs: three bonded validators with their own bonds, on their own nodes', async () => {
    expect(nodes.map((n) => [n.node, n.moniker, n.validatorKey, n.executorKey, n.bond])).toEqual([
      [1, 'ml-validator', 'validator', 'executor', BONDS[0]!.toString()],
      [2, 'ml-validator-2', 'validator2', 'executor2', BONDS[1]!.toString()],
      [3, 'ml-validator-3', 'validator3', 'executor3', BONDS[2]!.toString()],
    ]);
    // The profile's chain endpoint is node 1, so every other command works unchanged.
    expect(profile.chains.ml.rpc).toBe(nodes[0]!.rpc);
    expect(profile.chains.ml.validatorOperator).toBe(nodes[0]!.validatorOperator);
    const genesis = nodes.map((n) => readFileSync(join(n.home, 'config', 'genesis.json'), 'utf8'));
    expect(new Set(genesis).size).toBe(1);
    const vals = (await (await fetch(`${nodes[0]!.rpc}/validators`)).json()) as { result: { validators: Array<{ voting_power: string }> } };
    expect(vals.result.validators.map((v) => Number(v.voting_power)).sort((a, b) => b - a)).toEqual([200_000, 200_000, 100_000]);
    for (const n of nodes) {
      const st = (await (await fetch(`${n.rpc}/net_info`)).json()) as { result: { n_peers: string } };
      expect(Number(st.result.n_peers), `node ${n.node} peers`).toBe(2);
    }
  });

  it("spreads jobs over every validator's executor exactly as the assignment rule predicts (devices 1, 4, 1 → 2, 8, 2 of 12)", async () => {
    // Each validator proposes its own executor; each executor account accepts (x/ml needs both signatures).
    await Promise.all(
      nodes.map(async (n, i) =>
        ok(
          await operators[i]!.client.signAndBroadcast(
            operators[i]!.address,
            [
              {
                typeUrl: '/lunc.ml.v1.MsgRegisterExecutor',
                value: MsgRegisterExecutor.fromPartial({
                  operator: n.validatorOperator,
                  executor: executors[i]!.address,
                  encryptionPubkey: Buffer.from(encKeys[i]!.publicKey),
                  models: ['tiny-sd', 'tiny-chat'],
                  devices: DEVICES[i]!,
                }),
              },
            ],
            'auto',
          ),
        ),
      ),
    );
    await Promise.all(
      nodes.map(async (n, i) =>
        ok(
          await executors[i]!.client.signAndBroadcast(
            executors[i]!.address,
            [{ typeUrl: '/lunc.ml.v1.MsgAcceptExecutor', value: MsgAcceptExecutor.fromPartial({ executor: executors[i]!.address, operator: n.validatorOperator }) }],
            'auto',
          ),
        ),
      ),
    );

    const tx = ok(
      await user.client.signAndBroadcast(
        user.address,
        Array.from({ length: 12 }, (_, i) => imageMsg(i)),
        'auto',
      ),
    );
    const ids = tx.msgResponses.map((m) => MsgGenerateImageResponse.decode(m.value).jobId);
    expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => 1n + BigInt(i)));
    const predicted = predictAssignments(
      nodes.map((n, i) => ({ executor: executors[i]!.address, operator: n.validatorOperator, devices: DEVICES[i]!, pending: 0 })),
      ids[0]!,
      ids.length,
    );
    const actual = await Promise.all(ids.map(async (id) => (await job(id)).executor));
    expect(actual).toEqual(predicted);
    expect([0, 1, 2].map((i) => actual.filter((a) => a === executors[i]!.address).length)).toEqual([2, 8, 2]);

    // Executors 1 and 2 answer from their own nodes: all completed but one of executor 1's, which fails.
    // Executor 3 stays silent: its validator goes down next.
    const mine = (i: number) => ids.filter((_, j) => actual[j] === executors[i]!.address);
    const [failed, ...completed1] = mine(0);
    await Promise.all([
      submit(executors[0]!, [{ id: failed!, error: 'out of memory' }, ...completed1.map((id) => ({ id }))]),
      submit(
        executors[1]!,
        mine(1).map((id) => ({ id })),
      ),
    ]);
    expect((await job(failed!)).status).toBe(JobStatus.JOB_STATUS_FAILED);
    for (const id of [...completed1, ...mine(1)]) expect((await job(id)).status).toBe(JobStatus.JOB_STATUS_COMPLETED);
    for (const id of mine(2)) expect((await job(id)).status).toBe(JobStatus.JOB_STATUS_PENDING);
    ctx.silentJobs = mine(2);
  });

  it('runs an encrypted job: the prompt sealed to every executor, the output sealed to the requester', async () => {
    const reply = generateKeypair();
    const sealedPrompt = await sealPrompt(
      'what do validators dream of?',
      encKeys.map((k) => k.publicKey),
    );
    const tx = ok(
      await user.client.signAndBroadcast(
        user.address,
        [
          {
            typeUrl: '/lunc.ml.v1.MsgChat',
            value: MsgChat.fromPartial({
              creator: user.address,
              sealedPrompt: Buffer.from(sealedPrompt),
              model: 'tiny-chat',
              maxTokens: 8,
              temperature: '0',
              seed: 3n,
              replyPubkey: Buffer.from(reply.publicKey),
              maxFee: FEE,
            }),
          },
        ],
        'auto',
      ),
    );
    const id = MsgChatResponse.decode(tx.msgResponses[0]!.value).jobId;
    const j = await job(id);
    const i = executorIndex(j.executor);
    // Executor 3 has 2 pending jobs on 1 device, executors 1 and 2 none: one of them gets it.
    expect([0, 1]).toContain(i);
    const prompt = new TextDecoder().decode(await openPrompt(j.chat!.sealedPrompt, encKeys[i]!.privateKey));
    expect(prompt).toBe('what do validators dream of?');
    const output = await seal(`a quiet block at ${prompt.length}`, j.chat!.replyPubkey);
    await submit(executors[i]!, [{ id, sealed: output }]);
    const done = await job(id);
    expect(done.status).toBe(JobStatus.JOB_STATUS_COMPLETED);
    expect(done.result).toMatchObject({ sealed: true, outputSha256: createHash('sha256').update(output).digest('hex') });
    expect(new TextDecoder().decode(await openSealed(output, reply.privateKey))).toBe('a quiet block at 28');

    // One more job that nobody will ever answer: reassigned once, then expired.
    const lost = ok(await user.client.signAndBroadcast(user.address, [imageMsg(99)], 'auto'));
    ctx.expiring = MsgGenerateImageResponse.decode(lost.msgResponses[0]!.value).jobId;
  });

  it("keeps producing blocks with validator 3 killed (4/5 of the power), reassigns its executor's jobs to the others and jails it for downtime", async () => {
    await stopMlNode({ home, node: 3, signal: 'SIGKILL', logger });
    const h0 = (await rpcHeight(nodes[0]!.rpc))!.height;
    await waitFor(
      async () => {
        const hs = await Promise.all([rpcHeight(nodes[0]!.rpc), rpcHeight(nodes[1]!.rpc)]);
        return hs.every((h) => h && h.height >= h0 + 5);
      },
      { what: 'nodes 1 and 2 to commit 5 blocks without node 3', timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(await rpcHeight(nodes[2]!.rpc, 500)).toBeUndefined();

    // Executor 3 missed its deadline: x/ml gives each job to another eligible executor (never back to 3 while
    // others serve the model), with a fresh deadline.
    const moved = await waitFor(
      async () => {
        const js = await Promise.all(ctx.silentJobs.map(job));
        return js.every((j) => j.reassignments === 1) ? js : undefined;
      },
      { what: "executor 3's jobs to be reassigned", timeoutMs: 90_000, intervalMs: 250 },
    );
    for (const j of moved) {
      expect(j.status).toBe(JobStatus.JOB_STATUS_PENDING);
      expect([0, 1]).toContain(executorIndex(j.executor));
      expect(j.deadlineHeight).toBeGreaterThan(j.createdHeight + BigInt(TIMEOUT_BLOCKS));
    }
    for (const j of moved) await submit(executors[executorIndex(j.executor)]!, [{ id: j.id }]);
    for (const j of moved) expect((await job(j.id)).status).toBe(JobStatus.JOB_STATUS_COMPLETED);

    // The unanswered job: missed twice, so EXPIRED and refunded.
    const expired = await waitFor(
      async () => {
        const j = await job(ctx.expiring!);
        return j.status === JobStatus.JOB_STATUS_EXPIRED ? j : undefined;
      },
      { what: 'the unanswered job to expire', timeoutMs: 90_000, intervalMs: 250 },
    );
    expect(expired.reassignments).toBe(1);

    // x/slashing saw validator 3 miss more than half its window: jailed, out of the bonded set, its bond cut.
    const jailed = await waitFor(
      async () => {
        const { validator } = await query.staking.validator(nodes[2]!.validatorOperator);
        return validator?.jailed ? validator : undefined;
      },
      { what: 'validator 3 to be jailed for downtime', timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(jailed.status).not.toBe(BondStatus.BOND_STATUS_BONDED);
    expect(BigInt(jailed.tokens)).toBeLessThan(BONDS[2]!);
  });

  it('restarts validator 3, which catches up with the others', async () => {
    const target = (await rpcHeight(nodes[0]!.rpc))!.height;
    await startMlNode({ home, node: 3, logger });
    const h = await waitFor(
      async () => {
        const s = await rpcHeight(nodes[2]!.rpc);
        return s && !s.catchingUp && s.height >= target ? s.height : undefined;
      },
      { what: 'node 3 to catch up', timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(h).toBeGreaterThanOrEqual(target);
  });

  it('lets validator 3 unjail itself once its jail time is over, and it signs blocks again', async () => {
    const { validator } = await query.staking.validator(nodes[2]!.validatorOperator);
    expect(validator?.jailed).toBe(true);
    const op = operators[2]!;
    const unjail = [{ typeUrl: '/cosmos.slashing.v1beta1.MsgUnjail', value: MsgUnjail.fromPartial({ validatorAddr: nodes[2]!.validatorOperator }) }];
    // The jail time (1 min) runs from the block that jailed it; until it is over the chain refuses the unjail.
    await waitFor(
      async () => {
        const r = await op.client.signAndBroadcast(op.address, unjail, 'auto').catch((e: Error) => ({ code: -1, rawLog: e.message }) as const);
        if (r.code === 0) return true;
        expect(r.rawLog).toMatch(/still jailed/);
        return undefined;
      },
      { what: 'the unjail tx to be accepted', timeoutMs: 90_000, intervalMs: 1_000 },
    );
    const back = await waitFor(
      async () => {
        const { validator: v } = await query.staking.validator(nodes[2]!.validatorOperator);
        return v && !v.jailed && v.status === BondStatus.BOND_STATUS_BONDED ? v : undefined;
      },
      { what: 'validator 3 to be bonded again', timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(BigInt(back.tokens)).toBeLessThan(BONDS[2]!);
    // CometBFT takes the new set two blocks later; then node 3's key signs commits again.
    const pub = await waitFor(
      async () => {
        const vals = (await (await fetch(`${nodes[0]!.rpc}/validators`)).json()) as { result: { validators: Array<{ address: string; voting_power: string }> } };
        return vals.result.validators.length === 3 ? vals.result.validators : undefined;
      },
      { what: 'three validators in the CometBFT set', timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(pub.map((v) => Number(v.voting_power)).sort((a, b) => b - a)).toEqual([200_000, 200_000, Number(BigInt(back.tokens) / 1_000_000n)]);
    const st = (await (await fetch(`${nodes[2]!.rpc}/status`)).json()) as { result: { validator_info: { address: string } } };
    const node3 = st.result.validator_info.address;
    expect(pub.map((v) => v.address)).toContain(node3);
    await waitFor(
      async () => {
        const c = (await (await fetch(`${nodes[0]!.rpc}/commit`)).json()) as { result: { signed_header: { commit: { signatures: Array<{ validator_address: string; block_id_flag: number }> } } } };
        return c.result.signed_header.commit.signatures.some((sig) => sig.validator_address === node3 && sig.block_id_flag === 2);
      },
      { what: "node 3's signature in a commit", timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  it('has every node report the same app hash at every height', async () => {
    type Header = { app_hash: string; last_results_hash: string; data_hash: string };
    const headers = async (rpc: string, from: number, to: number): Promise<Map<number, Header>> => {
      const out = new Map<number, Header>();
      for (let lo = from; lo <= to; lo += 20) {
        const hi = Math.min(to, lo + 19);
        const j = (await (await fetch(`${rpc}/blockchain?minHeight=${lo}&maxHeight=${hi}`)).json()) as { result: { block_metas: Array<{ header: Header & { height: string } }> } };
        for (const m of j.result.block_metas) out.set(Number(m.header.height), { app_hash: m.header.app_hash, last_results_hash: m.header.last_results_hash, data_hash: m.header.data_hash });
      }
      return out;
    };
    // Enough heights to span the whole job mix, whatever pace the machine allowed the steps before.
    const top = await waitFor(
      async () => {
        const t = Math.min(...(await Promise.all(nodes.map(async (n) => (await rpcHeight(n.rpc))?.height ?? 0))));
        return t > 30 ? t : undefined;
      },
      { what: 'every node past height 30', timeoutMs: 60_000, intervalMs: 250 },
    );
    const all = await Promise.all(nodes.map((n) => headers(n.rpc, 1, top)));
    for (let h = 1; h <= top; h++) {
      const ref = all[0]!.get(h);
      expect(ref, `height ${h}`).toBeDefined();
      for (const [i, m] of all.entries()) expect(m.get(h), `node ${i + 1} at height ${h}`).toEqual(ref);
    }
    // A header is what the validators agreed; each node's own state is its ABCI app hash after its last block,
    // which must equal the app hash the next block's header carries.
    for (const n of nodes) {
      const info = (await (await fetch(`${n.rpc}/abci_info`)).json()) as { result: { response: { last_block_height: string; last_block_app_hash: string } } };
      const h = Number(info.result.response.last_block_height);
      const next = await waitFor(async () => (await headers(nodes[0]!.rpc, h + 1, h + 1)).get(h + 1), { what: `block ${h + 1}`, timeoutMs: 30_000, intervalMs: 100 });
      expect(Buffer.from(info.result.response.last_block_app_hash, 'base64').toString('hex').toUpperCase(), `node ${n.node} at height ${h}`).toBe(next.app_hash);
    }
  });
});
