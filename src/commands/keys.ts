// `lunc-ml keys ...`: the encrypted keyring. Mnemonics are typed on a hidden prompt or piped on stdin,
// and are never echoed, logged or printed.
import type { Command } from 'commander';
import { readStdin } from './io.js';
import { commandContext, type CommandContext } from './context.js';
import { keyringFor, keyringPassword, profileFor, confirm } from './shared.js';
import { KeyError, UsageError } from '../core/errors.js';
import type { KeyRecord } from '../core/keyring.js';
import type { ProfileSet } from '../core/profiles.js';

interface KeyView {
  name: string;
  address: string;
  coinType: number;
  pubkey: string;
}

async function readMnemonic(ctx: CommandContext, recover: boolean): Promise<string> {
  if (!process.stdin.isTTY) {
    const text = (await readStdin()).trim();
    if (!text) throw new KeyError('no mnemonic on stdin', { code: 'bad_mnemonic', hint: 'pipe the words in: `lunc-ml keys import NAME < mnemonic.txt`' });
    return text.split('\n')[0];
  }
  if (!recover) return '';
  const { password } = await import('@inquirer/prompts');
  return password({ message: 'Enter your BIP39 mnemonic:', mask: false });
}

/** A key shows the address of the chain its coin type belongs to: 330 on the LUNC side, 118 on the ML chain. */
function prefixOf(rec: KeyRecord, profile: ProfileSet): string {
  if (rec.coinType === profile.controller.coinType) return profile.controller.prefix;
  if (profile.host && rec.coinType === profile.host.coinType) return profile.host.prefix;
  return profile.controller.prefix;
}

function view(rec: KeyRecord, prefix: string, addressOf: (r: KeyRecord, p: string) => string): KeyView {
  return { name: rec.name, address: addressOf(rec, prefix), coinType: rec.coinType, pubkey: rec.pubkey };
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage keys in the lunc-ml keyring (<home>/keyring-<backend>)');

  const add = async (name: string, flags: { coinType?: string; overwrite: boolean }, c: Command, recover: boolean) => {
    const ctx = commandContext(c);
    const profile = profileFor(ctx);
    const coinType = flags.coinType !== undefined ? Number(flags.coinType) : profile.controller.coinType;
    if (!Number.isInteger(coinType) || coinType < 0) throw new UsageError(`--coin-type must be a whole number, got "${flags.coinType}"`);
    const { derivePublic, checkMnemonic, addressOf } = await import('../core/signer.js');
    let mnemonic = await readMnemonic(ctx, recover);
    const generated = !mnemonic;
    // A new mnemonic is shown once, on the terminal only; refuse before anything is created or saved.
    if (generated && !process.stderr.isTTY)
      throw new KeyError('refusing to create a key whose mnemonic could not be shown (stderr is not a terminal)', {
        code: 'no_tty',
        hint: 'generate keys on a terminal, or import an existing mnemonic from stdin',
      });
    if (generated) {
      const { Bip39, Random } = await import('@cosmjs/crypto');
      mnemonic = Bip39.encode(Random.getBytes(32)).toString();
    }
    mnemonic = await checkMnemonic(mnemonic);
    const pub = await derivePublic(mnemonic, coinType);
    const kr = await keyringFor(ctx);
    const password = await keyringPassword(ctx, kr.has(name) ? 'unlock' : 'new');
    const rec = kr.add(name, mnemonic, pub, { coinType, password, overwrite: flags.overwrite });
    const v = view(rec, prefixOf(rec, profile), addressOf);
    ctx.print(v, (r) => `added key "${r.name}": ${r.address} (coin type ${r.coinType})`);
    if (generated) {
      process.stderr.write(`\nWrite this mnemonic down and keep it safe; it is the only way to recover the key:\n\n${mnemonic}\n\n`);
    }
  };

  keys
    .command('add')
    .description('create a new key (on a terminal; the mnemonic is shown once) or, with --recover, restore one')
    .argument('<name>')
    .option('--recover', 'type an existing mnemonic on a hidden prompt (or pipe it on stdin)', false)
    .option('--coin-type <n>', "BIP44 coin type (default: the chain profile's; 330 for Terra Classic)")
    .option('--overwrite', 'replace a key of the same name', false)
    .action((name: string, flags: { recover: boolean; coinType?: string; overwrite: boolean }, c: Command) => add(name, flags, c, flags.recover));

  keys
    .command('import')
    .description('import a mnemonic read from stdin (CI) or typed on a hidden prompt')
    .argument('<name>')
    .option('--coin-type <n>', "BIP44 coin type (default: the chain profile's)")
    .option('--overwrite', 'replace a key of the same name', false)
    .action((name: string, flags: { coinType?: string; overwrite: boolean }, c: Command) => add(name, flags, c, true));

  keys
    .command('list')
    .description('list keys with their addresses on the current chain profile')
    .action(async (_f: unknown, c: Command) => {
      const ctx = commandContext(c);
      const profile = profileFor(ctx);
      const { addressOf } = await import('../core/signer.js');
      const list = (await keyringFor(ctx)).list().map((r) => view(r, prefixOf(r, profile), addressOf));
      ctx.print(list, (l) => (l.length ? l.map((k) => `${k.name}\t${k.address}`).join('\n') : 'no keys yet: `lunc-ml keys add <name>`'));
    });

  keys
    .command('show')
    .description("show a key's address")
    .argument('<name>')
    .option('--prefix <p>', "bech32 prefix to encode the address with (default: the profile's)")
    .option('-a, --address', 'print the address only', false)
    .action(async (name: string, flags: { prefix?: string; address: boolean }, c: Command) => {
      const ctx = commandContext(c);
      const profile = profileFor(ctx);
      const { addressOf } = await import('../core/signer.js');
      const rec = (await keyringFor(ctx)).show(name);
      const v = view(rec, flags.prefix ?? prefixOf(rec, profile), addressOf);
      ctx.print(v, (r) => (flags.address ? r.address : `${r.name}\t${r.address}\tcoin type ${r.coinType}`));
    });

  keys
    .command('delete')
    .description('delete a key from the keyring')
    .argument('<name>')
    .option('-y, --yes', 'do not ask', false)
    .action(async (name: string, flags: { yes: boolean }, c: Command) => {
      const ctx = commandContext(c);
      const kr = await keyringFor(ctx);
      kr.show(name);
      await confirm(ctx, `Delete key "${name}"? It cannot be recovered without its mnemonic.`, flags.yes);
      if (!flags.yes && !ctx.interactive) throw new UsageError('pass --yes to delete without a terminal');
      kr.delete(name);
      ctx.print({ deleted: name }, (r) => `deleted key "${r.deleted}"`);
    });
}
