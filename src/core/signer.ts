// Mnemonic → CosmJS wallet with the profile's coin type. Loaded lazily by commands that sign.
// CosmJS's crypto and signing packages load inside the functions that derive keys: addressOf, which a command
// needs before its first query, costs no more than the bech32 encoding.
import type { DirectSecp256k1HdWallet } from '@cosmjs/proto-signing';
import { fromBech32, fromHex, toBech32 } from '@cosmjs/encoding';
import { KeyError } from './errors.js';
import type { Keyring, KeyRecord } from './keyring.js';

export async function checkMnemonic(mnemonic: string): Promise<string> {
  const { Bip39, EnglishMnemonic } = await import('@cosmjs/crypto');
  const words = mnemonic.trim().split(/\s+/).join(' ');
  try {
    new EnglishMnemonic(words);
    Bip39.decode(new EnglishMnemonic(words));
  } catch {
    // Never echo the words back: they are the secret.
    throw new KeyError('the mnemonic is not a valid BIP39 English phrase (wrong word or checksum)', { code: 'bad_mnemonic' });
  }
  return words;
}

export async function walletFromMnemonic(mnemonic: string, prefix: string, coinType: number): Promise<DirectSecp256k1HdWallet> {
  const [{ DirectSecp256k1HdWallet }, { stringToPath }] = await Promise.all([import('@cosmjs/proto-signing'), import('@cosmjs/crypto')]);
  return DirectSecp256k1HdWallet.fromMnemonic(await checkMnemonic(mnemonic), { prefix, hdPaths: [stringToPath(`m/44'/${coinType}'/0'/0/0`)] });
}

export async function derivePublic(mnemonic: string, coinType: number): Promise<{ pubkey: Uint8Array; address: Uint8Array }> {
  const w = await walletFromMnemonic(mnemonic, 'x', coinType);
  const [acc] = await w.getAccounts();
  return { pubkey: acc.pubkey, address: fromBech32(acc.address, 128).data };
}

export function addressOf(rec: KeyRecord, prefix: string): string {
  return toBech32(prefix, fromHex(rec.addressHex));
}

export interface LoadedSigner {
  wallet: DirectSecp256k1HdWallet;
  address: string;
}

export async function loadSigner(keyring: Keyring, name: string, prefix: string, password?: string): Promise<LoadedSigner> {
  const rec = keyring.show(name);
  const wallet = await walletFromMnemonic(await keyring.mnemonic(name, password), prefix, rec.coinType);
  const [acc] = await wallet.getAccounts();
  return { wallet, address: acc.address };
}
