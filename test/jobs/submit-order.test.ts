// submitJob's order of work against a stand-in LUNC node (test/core/fake-comet.ts) and an ML chain that cannot be
// reached: its live checks fail, so nothing may be signed or sent. A signer that asks the user (a password prompt) is
// not asked before the checks; one that asks nobody is unlocked while they run, and what it opened is closed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { ChainError, RpcUnreachableError } from '../../src/core/errors.js';
import { nullLogger } from '../../src/core/logger.js';
import { waitFor } from '../../src/core/poll.js';
import type { ProfileSet } from '../../src/core/profiles.js';
import { submitJob } from '../../src/jobs/send.js';
import type { SignerSource, TxContext } from '../../src/jobs/types.js';
import { FakeComet } from '../core/fake-comet.js';

const mnemonic = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
let nodes: FakeComet[] = [];
let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  servers.forEach((s) => s.close());
  nodes = [];
  servers = [];
});

/**
 * An ML chain node that refuses every query, but only once the signer was asked for its key (or after 5 s): a signer
 * unlocked while the checks are in flight makes it answer at once.
 */
async function refusingHost(unlocked: Promise<void>): Promise<string> {
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    await Promise.race([unlocked, new Promise((r) => setTimeout(r, 5_000).unref())]);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: JSON.parse(body).id, error: { code: -32603, message: 'Internal error', data: 'this node refuses' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function setup(unlocksSilently: boolean): Promise<{ lunc: FakeComet; ctx: TxContext; unlocked: () => number }> {
  const lunc = await new FakeComet({ chainId: 'lunc-1' }).start();
  nodes.push(lunc);
  const controller = { chainId: 'lunc-1', rpc: lunc.url, prefix: 'terra', denom: 'uluna', coinType: 330, gasPrice: '28.325uluna' };
  let calls = 0;
  let signalUnlocked!: () => void;
  const unlocked = new Promise<void>((r) => (signalUnlocked = r));
  // Port 9 (discard) refuses at once: the ML chain's params, executors and balance cannot be read.
  const rpc = unlocksSilently ? await refusingHost(unlocked) : 'http://127.0.0.1:9';
  const host = { chainId: 'mlchain-1', rpc, prefix: 'mlc', denom: 'umlc', coinType: 118, gasPrice: '0umlc' };
  const profile: ProfileSet = { name: 'test', controller, host, connectionId: 'connection-0', defaultMaxFee: '1000umlc', devnet: true };
  const signer: SignerSource = {
    address: async (prefix) => (await (await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix })).getAccounts())[0]!.address,
    signer: async (prefix) => {
      calls++;
      signalUnlocked();
      return DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix });
    },
    unlocksSilently,
  };
  const ctx: TxContext = { profile, signer, logger: nullLogger, broadcast: { gas: 'auto', gasAdjustment: 1.4, gasPrice: controller.gasPrice } };
  return { lunc, ctx, unlocked: () => calls };
}

const job = { kind: 'image' as const, prompt: 'a lighthouse', model: 'tiny-sd', maxFee: { denom: 'umlc', amount: '1000' } };
const route = { connectionId: 'connection-0', encoding: 'proto3' as const, relativeTimeoutNs: 600_000_000_000n };
const ica = 'mlc1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqsxeagmx';

describe('submitJob: checks before signing', () => {
  it('a signer that prompts is not asked when the live checks fail, and nothing is sent', async () => {
    const { lunc, ctx, unlocked } = await setup(false);
    await expect(submitJob(ctx, job, { route, creator: ica })).rejects.toBeInstanceOf(RpcUnreachableError);
    expect(unlocked()).toBe(0);
    expect(lunc.broadcasts).toHaveLength(0);
  });

  it('a signer that asks nobody is unlocked while the checks run; when they fail nothing is sent and its session is closed', async () => {
    const { lunc, ctx, unlocked } = await setup(true);
    const t = Date.now();
    await expect(submitJob(ctx, job, { route, creator: ica })).rejects.toBeInstanceOf(ChainError);
    expect(Date.now() - t).toBeLessThan(5_000); // the host answered because the key was asked for during its query
    expect(unlocked()).toBe(1);
    expect(lunc.broadcasts).toHaveLength(0);
    await waitFor(() => lunc.openSockets === 0, { timeoutMs: 5_000, intervalMs: 5, what: 'the prepared session to close' });
  });
});
