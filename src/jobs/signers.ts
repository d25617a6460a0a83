// Signer sources for library users: a mnemonic (bots, scripts), or any CosmJS signer per prefix (wallets).
import type { OfflineSigner } from '@cosmjs/proto-signing';
import type { SignerSource } from './types.js';

/** A BIP39 mnemonic with the chain's coin type (330 on Terra Classic, 118 on the ML chain's devnet keys). */
export function mnemonicSigner(mnemonic: string, coinType: number): SignerSource {
  const wallet = async (prefix: string) => {
    const { walletFromMnemonic } = await import('../core/signer.js');
    return walletFromMnemonic(mnemonic, prefix, coinType);
  };
  return {
    address: async (prefix) => (await (await wallet(prefix)).getAccounts())[0]!.address,
    signer: wallet,
    unlocksSilently: true,
  };
}

/** Any CosmJS signer (a browser wallet, a Ledger): `forPrefix` returns the signer for a bech32 prefix. */
export function offlineSigner(forPrefix: (prefix: string) => Promise<OfflineSigner>): SignerSource {
  return {
    address: async (prefix) => (await (await forPrefix(prefix)).getAccounts())[0]!.address,
    signer: forPrefix,
  };
}
