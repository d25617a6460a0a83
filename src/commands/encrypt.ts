// `--encrypt` and `--decrypt`: seal the prompt to every active executor serving the model, keep a fresh
// reply key per job (mode 0600 under <home>/reply-keys/) and open sealed outputs with it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withQueryClient } from '../core/chain-client.js';
import type { CommandContext } from './context.js';
import type { ProfileSet } from '../core/profiles.js';
import type { JobFlags, JobKind } from './tx.js';
import { ConfigError, KeyError } from '../core/errors.js';
import { generateKeypair, open } from '../core/sealing.js';
import { sealPrompt } from '../core/sealed-prompt.js';
import { queryExecutors } from '../ica/ml-query.js';
import type { Job } from '../proto/lunc/ml/v1/types.js';

function replyKeyPath(home: string, pub: Uint8Array): string {
  return join(home, 'reply-keys', `${Buffer.from(pub).toString('hex')}.json`);
}

export async function sealForJob(ctx: CommandContext, profile: ProfileSet, kind: JobKind, flags: JobFlags, _from: string): Promise<{ sealedPrompt: Uint8Array; replyPubkey: Uint8Array }> {
  const host = profile.host;
  if (!host) throw new ConfigError(`--encrypt needs the ML chain's endpoint, and profile "${profile.name}" has none`, { hint: 'use a profile with chains.ml' });
  const prompt = flags.promptFile ? readFileSync(flags.promptFile, 'utf8').replace(/\n$/, '') : (flags.prompt ?? '');
  const local = profile.name.startsWith('local');
  const model = flags.model ?? (kind === 'image' ? (local ? 'tiny-sd' : 'sd-2.1') : kind === 'audio' ? (local ? 'tiny-audio' : 'riffusion-v1') : local ? 'tiny-chat' : 'llama-3-8b');
  const executors = await withQueryClient(host, (q) => queryExecutors(q));
  const keys = executors.filter((e) => e.active && e.models.includes(model) && e.encryptionPubkey.length === 32).map((e) => new Uint8Array(e.encryptionPubkey));
  const sealedPrompt = sealPrompt(prompt, keys);
  const reply = generateKeypair();
  const path = replyKeyPath(ctx.config.home, reply.publicKey);
  mkdirSync(join(ctx.config.home, 'reply-keys'), { recursive: true, mode: 0o700 });
  writeFileSync(path, JSON.stringify({ publicKey: Buffer.from(reply.publicKey).toString('base64'), privateKey: Buffer.from(reply.privateKey).toString('base64') }) + '\n', { mode: 0o600 });
  ctx.logger.debug('prompt sealed', { recipients: keys.length, model });
  return { sealedPrompt, replyPubkey: reply.publicKey };
}

export async function openJobOutput(ctx: CommandContext, job: unknown, bytes: Uint8Array): Promise<Uint8Array> {
  const j = job as Job;
  const pub = j.image?.replyPubkey ?? j.audio?.replyPubkey ?? j.chat?.replyPubkey;
  if (!pub || pub.length !== 32) throw new KeyError(`job ${j.id} has no reply key`, { code: 'no_reply_key' });
  const path = replyKeyPath(ctx.config.home, pub);
  if (!existsSync(path)) throw new KeyError(`the reply key for job ${j.id} is not in ${join(ctx.config.home, 'reply-keys')}`, { code: 'no_reply_key', hint: 'decrypt with the same --home that sent the job' });
  let privateKey: string;
  try {
    privateKey = (JSON.parse(readFileSync(path, 'utf8')) as { privateKey: string }).privateKey;
  } catch {
    throw new KeyError(`the reply key file ${path} is unreadable or corrupt`, { code: 'key_corrupt' });
  }
  return open(bytes, Buffer.from(privateKey, 'base64'));
}
