// CosmJS failures → typed errors (the e2e test drives the real chain for the ones a devnet can produce).
import { describe, expect, it } from 'vitest';
import { mapChainError } from '../../src/core/chain-client.js';
import { ChainError, RpcUnreachableError } from '../../src/core/errors.js';

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
  it('a module error keeps its codespace', () => {
    const e = mapChainError({ code: 7, codespace: 'ml', log: 'no active executor serves model sd-9' }, profile) as ChainError;
    expect(e.code).toBe('tx_failed');
    expect(e.message).toMatch(/ml 7/);
  });
});
