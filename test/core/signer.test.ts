// walletFromMnemonic derives its key with node:crypto's PBKDF2 instead of CosmJS's: it must be CosmJS's wallet in all
// that a chain sees (address, public key, signatures), for any mnemonic and coin type.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Bip39, stringToPath } from '@cosmjs/crypto';
import { DirectSecp256k1HdWallet, makeSignDoc } from '@cosmjs/proto-signing';
import { walletFromMnemonic } from '../../src/core/signer.js';
import { KeyError } from '../../src/core/errors.js';

describe('walletFromMnemonic', () => {
  it('gives the address, public key and signatures of CosmJS DirectSecp256k1HdWallet for the same mnemonic and coin type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom(118, 330),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        async (e16, e32, coinType, body) => {
          for (const entropy of [e16, e32]) {
            const mnemonic = Bip39.encode(entropy).toString();
            const ours = await walletFromMnemonic(mnemonic, 'terra', coinType);
            const theirs = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: 'terra', hdPaths: [stringToPath(`m/44'/${coinType}'/0'/0/0`)] });
            const [a] = await ours.getAccounts();
            const [b] = await theirs.getAccounts();
            expect(a).toEqual(b);
            const doc = makeSignDoc(body, new Uint8Array([1, 2, 3]), 'lunc-1', 7);
            expect((await ours.signDirect(a.address, doc)).signature).toEqual((await theirs.signDirect(b.address, doc)).signature);
          }
        },
      ),
      { numRuns: 6 },
    );
  });

  it('refuses a phrase with a wrong checksum without echoing it', async () => {
    const bad = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon';
    const e = await walletFromMnemonic(bad, 'terra', 330).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KeyError);
    expect((e as Error).message).not.toContain('abandon');
  });
});
