// Unit tests of the multi-validator devnet layout: node ports, homes and keys, port clashes, persistent peers,
// the accounts fixture's validator keys, and what status/up make of a multi-validator profile (no chain needed).
import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { stringToPath } from '@cosmjs/crypto';
import {
  defaultPorts,
  testPorts,
  mlNodePorts,
  mlNodeHome,
  mlNodeLog,
  mlNodeKeys,
  mlNodeMoniker,
  extraAccountNames,
  devnetPortList,
  persistentPeers,
  readAccounts,
  startArgs,
  status,
  up,
  validatorCount,
  nodeProfile,
  MAX_VALIDATORS,
  NODE_PORT_STEP,
  DevnetError,
  multiValidatorTestPorts as multiValidatorPorts,
  type DevnetProfile,
} from '../../src/devnet/index.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('ML validator node layout', () => {
  it('keeps node 1 on the base ports, home and keys of a single-validator devnet', () => {
    expect(mlNodePorts(defaultPorts.ml, 1)).toEqual(defaultPorts.ml);
    expect(mlNodeHome('/d', 1)).toBe('/d/ml');
    expect(mlNodeLog('/d', 1)).toBe('/d/ml.log');
    expect(mlNodeMoniker(1)).toBe('ml-validator');
    expect(mlNodeKeys(1)).toEqual({ validator: 'validator', executor: 'executor' });
  });

  it('puts node k on the base ports plus 10·(k−1), in its own home, with its own keys', () => {
    expect(NODE_PORT_STEP).toBe(10);
    expect(mlNodePorts(defaultPorts.ml, 3)).toEqual({ rpc: 26777, p2p: 26776, grpc: 9210, api: 1437 });
    expect(mlNodeHome('/d', 3)).toBe('/d/ml-3');
    expect(mlNodeLog('/d', 3)).toBe('/d/ml-3.log');
    expect(mlNodeMoniker(3)).toBe('ml-validator-3');
    expect(mlNodeKeys(2)).toEqual({ validator: 'validator2', executor: 'executor2' });
    expect(mlNodeKeys(3)).toEqual({ validator: 'validator3', executor: 'executor3' });
  });

  it('needs no extra account for one validator, and reuses executor2 for node 2', () => {
    expect(extraAccountNames(1)).toEqual([]);
    expect(extraAccountNames(3)).toEqual(['validator2', 'validator3', 'executor3']);
  });

  it('gives every node of the largest devnet its own ports, clear of lunc-1, on the default, test and multi-validator e2e layouts', () => {
    for (const ports of [defaultPorts, testPorts, multiValidatorPorts]) {
      const list = devnetPortList(ports, MAX_VALIDATORS, true);
      expect(list).toHaveLength(5 * (1 + MAX_VALIDATORS));
      expect(new Set(list.map((p) => p.port)).size).toBe(list.length);
    }
    // The multi-validator e2e devnet runs beside the shared test devnet: no port in common.
    const shared = new Set(devnetPortList(testPorts, 1, true).map((p) => p.port));
    expect(devnetPortList(multiValidatorPorts, MAX_VALIDATORS, true).filter((p) => shared.has(p.port))).toEqual([]);
  });

  it('refuses base ports that would put an ML node on a lunc-1 port', () => {
    const ports = { lunc: { rpc: 26677, p2p: 26676, grpc: 9090, api: 1317 }, ml: { rpc: 26657, p2p: 26656, grpc: 9190, api: 1417 } };
    expect(() => devnetPortList(ports, 1, false)).not.toThrow();
    expect(() => devnetPortList(ports, 3, false)).toThrow(/port 26677 would serve both lunc rpc and ml node 3 rpc/);
  });

  it('lists every other node as a persistent peer on loopback', () => {
    const nodes = [1, 2, 3].map((k) => ({ nodeId: `id${k}`, p2p: `tcp://127.0.0.1:${mlNodePorts(defaultPorts.ml, k).p2p}` }));
    expect(persistentPeers(nodes, 1)).toBe('id2@127.0.0.1:26766,id3@127.0.0.1:26776');
    expect(persistentPeers(nodes, 2)).toBe('id1@127.0.0.1:26756,id3@127.0.0.1:26776');
  });

  it('starts a node with its peers, and a single node without any', () => {
    const node = { home: '/d/ml-2', rpc: 'http://127.0.0.1:26767', p2p: 'tcp://127.0.0.1:26766', grpc: '127.0.0.1:9200', gasPrice: '0.025umlc' };
    const args = startArgs(node, 'id1@127.0.0.1:26756');
    expect(args).toEqual(expect.arrayContaining(['--rpc.laddr=tcp://127.0.0.1:26767', '--proxy_app=tcp://127.0.0.1:26768', '--p2p.laddr=tcp://127.0.0.1:26766', '--grpc.address=127.0.0.1:9200']));
    expect(args).toContain('--p2p.persistent_peers=id1@127.0.0.1:26756');
    expect(startArgs(node).some((a) => a.startsWith('--p2p.persistent_peers'))).toBe(false);
  });
});

describe('validator keys in the accounts fixture', () => {
  const file = join(repoRoot, 'fixtures', 'devnet', 'accounts.json');

  it(`holds a distinct 24-word mnemonic for the validator and executor of each of ${MAX_VALIDATORS} nodes, with the listed addresses`, async () => {
    const names = extraAccountNames(MAX_VALIDATORS);
    const accounts = readAccounts(file, names);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    for (const name of names) {
      const a = accounts.find((x) => x.name === name)!;
      expect(a.mnemonic.split(' ')).toHaveLength(24);
      const mlc = await DirectSecp256k1HdWallet.fromMnemonic(a.mnemonic, { prefix: 'mlc', hdPaths: [stringToPath("m/44'/118'/0'/0/0")] });
      expect((await mlc.getAccounts())[0]!.address).toBe(doc.accounts.find((x: any) => x.name === name).addresses.ml);
    }
    expect(new Set(accounts.map((a) => a.mnemonic)).size).toBe(accounts.length);
  });

  it('refuses a file without the keys the requested validators need', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devnet-acc-'));
    const f = join(dir, 'accounts.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.accounts = doc.accounts.filter((a: any) => a.name !== 'validator3');
    writeFileSync(f, JSON.stringify(doc));
    expect(() => readAccounts(f, extraAccountNames(2))).not.toThrow();
    expect(() => readAccounts(f, extraAccountNames(3))).toThrow(/no valid "validator3" mnemonic/);
  });
});

/** A stopped 3-validator devnet's profile (pids of processes that are not lunc-mld nodes). */
function stoppedProfile(home: string): DevnetProfile {
  const chain = (key: 'lunc' | 'ml') => ({
    chainId: key === 'lunc' ? 'lunc-1' : 'mlchain-1',
    rpc: `http://127.0.0.1:${key === 'lunc' ? 1 : 2}`,
    grpc: '127.0.0.1:3',
    p2p: 'tcp://127.0.0.1:4',
    prefix: 'x',
    denom: 'u',
    coinType: 118,
    gasPrice: '0u',
    home: join(home, key),
    logFile: join(home, `${key}.log`),
    validatorOperator: 'v',
  });
  return {
    version: 1,
    devnet: true,
    home,
    binary: '/nonexistent/lunc-mld',
    running: false,
    chains: { lunc: chain('lunc'), ml: chain('ml') },
    accounts: {},
    accountsFile: join(home, 'accounts.json'),
    pids: { ml: process.pid },
    defaultMaxFee: '1u',
    mlValidators: [1, 2, 3].map((node) => ({
      node,
      moniker: mlNodeMoniker(node),
      rpc: `http://127.0.0.1:${10 + node}`,
      grpc: '127.0.0.1:5',
      p2p: `tcp://127.0.0.1:${20 + node}`,
      home: mlNodeHome(home, node),
      logFile: mlNodeLog(home, node),
      nodeId: `id${node}`,
      validatorOperator: `valoper${node}`,
      bond: '1',
      validatorKey: mlNodeKeys(node).validator,
      executorKey: mlNodeKeys(node).executor,
      ...(node === 2 ? { pid: process.pid } : {}),
    })),
  };
}

describe('a multi-validator profile', () => {
  it('is reported node by node, and a pid that is not our lunc-mld counts as stopped', async () => {
    const home = mkdtempSync(join(tmpdir(), 'devnet-mv-'));
    writeFileSync(join(home, 'profile.json'), JSON.stringify(stoppedProfile(home)));
    const s = await status({ home });
    expect(s.running).toBe(false);
    expect(s.chains.map((c) => [c.key, c.node, c.moniker, c.rpc, c.alive])).toEqual([
      ['lunc', undefined, undefined, 'http://127.0.0.1:1', false],
      ['ml', 1, 'ml-validator', 'http://127.0.0.1:11', false],
      ['ml', 2, 'ml-validator-2', 'http://127.0.0.1:12', false],
      ['ml', 3, 'ml-validator-3', 'http://127.0.0.1:13', false],
    ]);
    expect(validatorCount(stoppedProfile(home))).toBe(3);
    expect(validatorCount({ ...stoppedProfile(home), mlValidators: undefined })).toBe(1);
  });

  it('is not silently reused or restarted with another validator count', async () => {
    const home = mkdtempSync(join(tmpdir(), 'devnet-mv-'));
    mkdirSync(join(home, 'ml'));
    writeFileSync(join(home, 'profile.json'), JSON.stringify(stoppedProfile(home)));
    const e = await up({ repoRoot, home, validators: 2, logger: silent }).catch((x) => x);
    expect(e).toBeInstanceOf(DevnetError);
    expect(e).toMatchObject({ code: 'devnet_layout_invalid', message: expect.stringContaining('has 3 ML validator(s), not 2') });
  });

  it('refuses a validator count the fixture has no keys for, and bonds that do not match the count', async () => {
    const home = mkdtempSync(join(tmpdir(), 'devnet-mv-'));
    await expect(up({ repoRoot, home, validators: MAX_VALIDATORS + 1, logger: silent })).rejects.toMatchObject({ code: 'devnet_layout_invalid' });
    await expect(up({ repoRoot, home, validators: 0, logger: silent })).rejects.toMatchObject({ code: 'devnet_layout_invalid' });
    await expect(up({ repoRoot, home, validators: 2, validatorBonds: [1n], logger: silent })).rejects.toMatchObject({ code: 'devnet_layout_invalid' });
  });
});

describe("a validator node's own profile", () => {
  it('points the ML chain at node k (its rpc, grpc, home and operator) and keeps lunc-1, accounts and fees', () => {
    const p = stoppedProfile('/d');
    const two = nodeProfile(p, 2);
    expect(two.chains.ml).toMatchObject({ chainId: 'mlchain-1', rpc: 'http://127.0.0.1:12', p2p: 'tcp://127.0.0.1:22', home: '/d/ml-2', validatorOperator: 'valoper2', gasPrice: '0u' });
    expect(two.chains.ml.pid).toBeUndefined();
    expect(two.pids).toEqual({});
    expect(two.chains.lunc).toEqual(p.chains.lunc);
    expect({ ...two, chains: undefined, pids: undefined }).toEqual({ ...p, chains: undefined, pids: undefined });
    expect(nodeProfile(p, 1).chains.ml.rpc).toBe('http://127.0.0.1:11');
    expect(() => nodeProfile(p, 4)).toThrow(DevnetError);
  });
});
