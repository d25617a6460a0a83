// Mnemonic → CosmJS wallet with the profile's coin type. Loaded lazily by commands that sign.
// CosmJS's crypto and signing packages load inside the functions that derive keys: addressOf, which a command
// needs before its first query, costs no more than the bech32 encoding.
import { pbkdf2Sync } from 'node:crypto';
import type { DirectSecp256k1Wallet } from '@cosmjs/proto-signing';
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

/**
 * The signer of m/44'/coinType'/0'/0/0, as DirectSecp256k1HdWallet.fromMnemonic derives it (same key, address and
 * signatures), holding the private key only: the mnemonic is not kept. The BIP39 seed is node:crypto's PBKDF2 (about
 * a millisecond), where CosmJS on Node 20 takes WebCrypto's, whose first use costs ~50 ms.
 */
export async function walletFromMnemonic(mnemonic: string, prefix: string, coinType: number): Promise<DirectSecp256k1Wallet> {
  const [words, { DirectSecp256k1Wallet }, { Slip10, Slip10Curve, stringToPath }] = await Promise.all([checkMnemonic(mnemonic), import('@cosmjs/proto-signing'), import('@cosmjs/crypto')]);
  const seed = pbkdf2Sync(words.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512');
  const { privkey } = Slip10.derivePath(Slip10Curve.Secp256k1, seed, stringToPath(`m/44'/${coinType}'/0'/0/0`));
  seed.fill(0);
  return DirectSecp256k1Wallet.fromKey(privkey, prefix);
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
  wallet: DirectSecp256k1Wallet;
  address: string;
}

export async function loadSigner(keyring: Keyring, name: string, prefix: string, password?: string): Promise<LoadedSigner> {
  const rec = keyring.show(name);
  const wallet = await walletFromMnemonic(await keyring.mnemonic(name, password), prefix, rec.coinType);
  const [acc] = await wallet.getAccounts();
  return { wallet, address: acc.address };
}
