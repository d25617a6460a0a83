// The launch kit forms a network: chain/launch/form-network.sh builds a 3-operator genesis from scratch with the
// real lunc-mld (own homes and keys, gentxs, collect, the kit's settings), starts the three nodes on loopback
// ports of its own (28700+, clear of the shared devnet and the multi-validator fixture), and checks height, app
// hash and params itself. Here: that it succeeds, stops its nodes, prints no key material, and that the genesis
// checklist passes on what it made with either JSON tool and refuses a tampered copy.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { EnglishMnemonic } from '@cosmjs/crypto';
import { defaultBinary } from '../../src/devnet/index.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const launch = join(repoRoot, 'chain', 'launch');
const binary = process.env.LUNC_ML_TEST_DEVNET_BINARY || defaultBinary(repoRoot);
// Below the kernel's ephemeral range (32768+), where a client socket or a `listen(0)` elsewhere may hold one of them.
const BASE_PORT = 28700;
const registry = JSON.parse(readFileSync(join(launch, 'chain.json'), 'utf8'));

/** Longest run of consecutive BIP-39 words in text (a mnemonic is 12 or 24). */
function longestBip39Run(text: string): number {
  const words = new Set(EnglishMnemonic.wordlist);
  let run = 0;
  let best = 0;
  for (const w of text.split(/[^a-z]+/)) {
    run = words.has(w) ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('launch kit: form-network.sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'launch-kit-'));
  const genesisFile = join(dir, 'genesis.json');
  let run: { exitCode?: number; all?: string };

  beforeAll(async () => {
    run = await execa('bash', [join(launch, 'form-network.sh'), binary, '--base-port', String(BASE_PORT), '--timeout-commit', '1s', '--wait-s', '90', '--genesis-out', genesisFile], {
      all: true,
      reject: false,
      timeout: 150_000,
    });
  }, 160_000);

  it('forms a 3-operator genesis, starts it, and sees one app hash past height 5 and the kit params on every node', () => {
    expect(run.exitCode, run.all).toBe(0);
    const line = run.all!.split('\n').find((l) => l.startsWith('RESULT '));
    const result = JSON.parse(line!.slice('RESULT '.length));
    expect(result.chain_id).toBe(registry.chain_id);
    expect(result.validators).toBe(3);
    expect(result.height).toBeGreaterThanOrEqual(5);
    expect(result.app_hash).toMatch(/^[0-9A-F]{64}$/);
    // --timeout-commit 1s took (the kit's own 5s, or init's 500 ms, would show here)
    expect(result.block_interval_ms).toBeGreaterThanOrEqual(900);
    expect(result.block_interval_ms).toBeLessThan(4000);
    expect(result.genesis_sha256).toBe(createHash('sha256').update(readFileSync(genesisFile)).digest('hex'));
    expect(run.all).toContain('genesis checklist passed in every home');
  });

  it('prints no mnemonic', () => {
    expect(longestBip39Run(run.all!)).toBeLessThan(12);
  });

  it('stops its nodes: none of their ports still listens', async () => {
    for (let i = 0; i < 3; i++) {
      for (const off of [0, 1, 2, 3]) expect(await portOpen(BASE_PORT + 10 * i + off), `port ${BASE_PORT + 10 * i + off}`).toBe(false);
    }
  });

  it('the checklist passes on the formed genesis with node and (where installed) jq, line for line the same', async () => {
    const check = (tool: string) =>
      execa('bash', [join(launch, 'check-genesis.sh'), genesisFile, '--gentxs', '3', '--binary', binary, '--home', dir], { env: { LAUNCH_JSON_TOOL: tool }, reject: false });
    const viaNode = await check('node');
    expect(viaNode.exitCode, viaNode.stdout + viaNode.stderr).toBe(0);
    expect(viaNode.stdout).not.toContain('FAIL');
    const hasJq = (await execa('bash', ['-c', 'command -v jq'], { reject: false })).exitCode === 0;
    if (hasJq) expect((await check('jq')).stdout).toBe(viaNode.stdout);
  });

  it('the checklist refuses a genesis whose x/ml split, allow list or hash differ from the kit', async () => {
    const g = JSON.parse(readFileSync(genesisFile, 'utf8'));
    g.app_state.ml.params.fee_split.burn_share = '0.1';
    g.app_state.interchainaccounts.host_genesis_state.params.allow_messages.push('*');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(g));
    const sha = createHash('sha256').update(readFileSync(genesisFile)).digest('hex');
    const r = await execa('bash', [join(launch, 'check-genesis.sh'), bad, '--sha256', sha, '--gentxs', '3'], { reject: false });
    expect(r.exitCode).toBe(1);
    const fails = r.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
    expect(fails.map((l) => l.split(':')[0])).toEqual([
      'FAIL  genesis sha256',
      'FAIL  app_state.ml.params.fee_split.burn_share',
      'FAIL  app_state.interchainaccounts.host_genesis_state.params.allow_messages',
      'FAIL  ICA host allow list has no wildcard and no MsgUpdateParams',
    ]);
  });
});
