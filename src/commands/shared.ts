// Helpers the command layer shares: profile, keyring and password, confirmation, spinners.
// Only commands use these; core code gets plain values.
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from './context.js';
import { resolveProfile, type ProfileSet } from '../core/profiles.js';
import type { Keyring } from '../core/keyring.js';
import { KeyError, LuncMlError } from '../core/errors.js';
import type { ChainProfile } from '../core/profiles.js';
import type { SignerSource, TxContext } from '../jobs/types.js';
import { parseGas, requireFrom } from './flags.js';

/** The package root (where fixtures/ and .lunc-ml/ live when running from a checkout). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function devnetHome(ctx: CommandContext): string {
  return ctx.config.devnetHome ?? join(packageRoot, '.lunc-ml', 'devnet');
}

/** The models folder: --models, else the `models` setting (LUNC_ML_MODELS, config.json, the package's fixtures). */
export function modelsDirFor(ctx: CommandContext, flag?: string): string {
  return resolve(flag ?? ctx.config.models);
}

export function profileFor(ctx: CommandContext, chainOverride?: string): ProfileSet {
  return resolveProfile(chainOverride ?? ctx.config.chain, { devnetProfile: join(devnetHome(ctx), 'profile.json'), node: ctx.config.node });
}

export async function keyringFor(ctx: CommandContext): Promise<Keyring> {
  const { Keyring, parseBackend } = await import('../core/keyring.js');
  return new Keyring({ home: ctx.config.home, backend: parseBackend(ctx.config.keyringBackend) });
}

/** Password for the file keyring: LUNC_ML_KEYRING_PASSWORD (CI) or a hidden prompt on a terminal. */
export async function keyringPassword(ctx: CommandContext, purpose: 'unlock' | 'new'): Promise<string | undefined> {
  if (ctx.config.keyringBackend === 'test') return undefined;
  const fromEnv = ctx.env.LUNC_ML_KEYRING_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) {
    throw new KeyError('the file keyring needs a password and there is no terminal to ask on', {
      code: 'password_required',
      hint: 'set LUNC_ML_KEYRING_PASSWORD, or use --keyring-backend test on devnets',
    });
  }
  const { password } = await import('@inquirer/prompts');
  const first = await password({ message: purpose === 'new' ? 'New keyring password (8+ chars):' : 'Keyring password:', mask: false });
  if (purpose === 'new') {
    const again = await password({ message: 'Repeat password:', mask: false });
    if (again !== first) throw new KeyError('the passwords do not match', { code: 'password_mismatch' });
  }
  return first;
}

export async function confirm(ctx: CommandContext, message: string, yes: boolean): Promise<void> {
  if (yes || !ctx.interactive) return;
  const { confirm: ask } = await import('@inquirer/prompts');
  if (!(await ask({ message, default: true }))) throw new LuncMlError('aborted', 'aborted: nothing was signed', { exitCode: 1 });
}

export interface Spinner {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

/** An ora spinner on a terminal in text mode; log lines otherwise (CI, --output json). */
export async function spinner(ctx: CommandContext, text: string): Promise<Spinner> {
  if (!ctx.interactive || !process.stderr.isTTY) {
    ctx.logger.info(text);
    return { update: (t) => ctx.logger.info(t), succeed: (t) => ctx.logger.info(t), fail: (t) => ctx.logger.warn(t), stop() {} };
  }
  const { default: ora } = await import('ora');
  const s = ora({ text, stream: process.stderr }).start();
  return { update: (t) => (s.text = t), succeed: (t) => s.succeed(t), fail: (t) => s.fail(t), stop: () => s.stop() };
}

/** Flags every signing command takes, named as terrad names them. */
export function addSigningFlags(cmd: Command): Command {
  return cmd
    .option('--from <key>', 'key name in the lunc-ml keyring that signs')
    .option('--gas <auto|n>', 'gas limit, or auto to simulate', 'auto')
    .addOption(new Option('--gas-adjustment <x>', 'multiplier on simulated gas (env LUNC_ML_GAS_ADJUSTMENT)'))
    .addOption(new Option('--gas-prices <price>', 'gas price with denom, e.g. 28.325uluna (env LUNC_ML_GAS_PRICES)'))
    .option('--fees <coin>', 'fixed fee instead of gas × price, e.g. 5000uluna')
    .option('--memo <text>', 'transaction memo', '')
    .option('-y, --yes', 'skip the confirmation prompt', false);
}

export interface SigningFlags {
  from?: string;
  gas: string;
  fees?: string;
  memo: string;
  yes: boolean;
}

/** The keyring as the job library's signer: the address needs no password, the signer unlocks the key. */
export function keyringSigner(ctx: CommandContext, from: string): SignerSource {
  return {
    async address(prefix) {
      const { addressOf } = await import('../core/signer.js');
      return addressOf((await keyringFor(ctx)).show(from), prefix);
    },
    async signer(prefix) {
      const password = await keyringPassword(ctx, 'unlock');
      const { loadSigner } = await import('../core/signer.js');
      return (await loadSigner(await keyringFor(ctx), from, prefix, password)).wallet;
    },
    // Only a hidden prompt on a terminal asks anything; without one a missing password is an error, not a question.
    unlocksSilently: ctx.config.keyringBackend === 'test' || Boolean(ctx.env.LUNC_ML_KEYRING_PASSWORD) || !process.stdin.isTTY,
  };
}

/**
 * Everything the library needs to sign for `--from` on `profile`, with a spinner for its stages and a
 * confirmation prompt (unless --yes). Call `done` with the outcome to settle the spinner.
 */
export async function txContextFor(ctx: CommandContext, profile: ProfileSet, flags: SigningFlags, chain: ChainProfile = profile.controller): Promise<{ tx: TxContext; spin: Spinner }> {
  const from = requireFrom(flags.from);
  const spin = await spinner(ctx, `preparing on ${chain.chainId}`);
  const tx: TxContext = {
    profile,
    signer: keyringSigner(ctx, from),
    logger: ctx.logger,
    broadcast: { gas: parseGas(flags.gas), gasAdjustment: ctx.config.gasAdjustment, gasPrice: ctx.config.gasPrices ?? chain.gasPrice, fees: flags.fees, memo: flags.memo },
    hooks: {
      stage: (t) => spin.update(t),
      confirm: async (plan) => {
        spin.stop();
        const fee = plan.fee.amount.map((c) => `${c.amount}${c.denom}`).join(',');
        await confirm(ctx, `Sign and broadcast on ${chain.chainId}: gas ${plan.gas}, fee ${fee}?`, flags.yes);
      },
    },
  };
  return { tx, spin };
}

/** Runs `f` under the spinner of `txContextFor`: success says where the tx landed, failure stops the spinner. */
export async function withSpinner<T extends { height?: number }>(spin: Spinner, f: () => Promise<T>): Promise<T> {
  try {
    const r = await f();
    spin.succeed(r.height !== undefined ? `included at height ${r.height}` : 'done');
    return r;
  } catch (e) {
    spin.fail('failed');
    throw e;
  }
}
