// CosmJS failures → typed errors (the e2e test drives the real chain for the ones a devnet can produce).
import { describe, expect, it } from 'vitest';
import { mapChainError } from '../../src/core/chain-client.js';
import { ChainError, RpcUnreachableError } from '../../src/core/errors.js';
import { ML_ERRORS } from '../../src/core/chain-errors.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';

const profile = { chainId: 'columbus-5', rpc: 'https://rpc.example:443' };

describe('mapChainError', () => {
  it('insufficient fee (sdk 13) says to raise the gas price', () => {
    const e = mapChainError({ code: 13, codespace: 'sdk', log: 'insufficient fees; got: 1uluna required: 5664uluna', message: 'x' }, profile) as ChainError;
    expect(e.code).toBe('insufficient_fee');
    expect(e.hint).toMatch(/--gas-prices/);
    expect(e.data).toMatchObject({ chainId: 'columbus-5', codespace: 'sdk', chainCode: 13 });
  });
  it('sequence mismatch (sdk 32)', () => {
    expect((mapChainError({ code: 32, codespace: 'sdk', log: 'account sequence mismatch' }, profile) as ChainError).code).toBe('sequence_mismatch');
  });
  it('simulate errors carry codespace and code in the message', () => {
    const e = mapChainError(new Error('Query failed with (6): rpc error: code = Unknown desc = out of gas ... codespace: sdk, code: 11'), profile) as ChainError;
    expect(e.code).toBe('out_of_gas');
  });
  it('a refused connection names the endpoint', () => {
    const e = mapChainError(new Error('fetch failed'), profile);
    expect(e).toBeInstanceOf(RpcUnreachableError);
    expect(e.message).toContain('https://rpc.example:443');
  });
  it("an x/ml error becomes its typed error and keeps the chain's reason and the tx hash", () => {
    const e = mapChainError({ code: 5, codespace: 'ml', log: 'no active executor serves model sd-9', txId: 'AB12' }, profile) as ChainError;
    expect(e.code).toBe('no_executor');
    expect(e.message).toMatch(/\(ml 5\) \(tx AB12\): no active executor serves model sd-9/);
    expect(e.data).toMatchObject({ codespace: 'ml', chainCode: 5, txHash: 'AB12' });
  });
  it('an unknown module error keeps its codespace and code', () => {
    const e = mapChainError({ code: 99, codespace: 'wasm', log: 'boom' }, profile) as ChainError;
    expect(e.code).toBe('tx_failed');
    expect(e.message).toMatch(/wasm 99/);
  });
  it('a refusal at inclusion without a codespace (CometBFT 0.37 nodes) is mapped by code and log, never "[object Object]"', () => {
    const e = mapChainError({ code: 11, log: 'out of gas in location: WriteFlat; gasWanted: 68129, gasUsed: 68206: out of gas', txId: 'FF00' }, profile) as ChainError;
    expect(e.code).toBe('out_of_gas');
    expect(e.message).toContain('gasWanted: 68129');
    expect(e.message).toContain('FF00');
    const other = mapChainError({ code: 2, log: 'something the module said' }, profile);
    expect(other.message).not.toContain('[object Object]');
    expect(other.message).toContain('something the module said');
    expect(mapChainError({ weird: true }, profile).message).not.toContain('[object Object]');
  });
  it('an SDK code without a codespace whose log says something else is not guessed', () => {
    const e = mapChainError({ code: 5, log: 'no active executor serves model x' }, profile) as ChainError;
    expect(e.code).toBe('tx_failed');
  });
});

describe('x/ml registered errors', () => {
  it('the client knows every error x/ml registers, with the same code (chain/x/ml/types/errors.go)', () => {
    const go = readFileSync(join(repoRoot, 'chain', 'x', 'ml', 'types', 'errors.go'), 'utf8');
    const chain = [...go.matchAll(/(Err\w+)\s*=\s*errorsmod\.Register\(ModuleName,\s*(\d+),/g)].map((m) => [Number(m[2]), m[1]]);
    expect(chain.length).toBeGreaterThan(10);
    expect(Object.entries(ML_ERRORS).map(([code, e]) => [Number(code), e.name])).toEqual(chain);
  });
});
