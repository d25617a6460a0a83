// Sealed prompts and outputs: the prompt is sealed to every active executor serving the model, a fresh reply key
// per job is kept (mode 0600 under <home>/reply-keys/), and a sealed output is opened with it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withQueryClient } from '../core/chain-client.js';
import { ConfigError, KeyError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ChainProfile } from '../core/profiles.js';
import { generateKeypair, open } from '../core/sealing.js';
import { sealPrompt } from '../core/sealed-prompt.js';
import { queryExecutors } from '../ica/ml-query.js';
import type { Job } from '../proto/lunc/ml/v1/types.js';

function replyKeyPath(home: string, pub: Uint8Array): string {
  return join(home, 'reply-keys', `${Buffer.from(pub).toString('hex')}.json`);
}

export interface SealedJobParts {
  sealedPrompt: Uint8Array;
  replyPubkey: Uint8Array;
}

/** Seals `prompt` for the executors of `model` on `host` and stores the job's reply key under `home`. */
export async function sealForJob(host: ChainProfile | undefined, o: { model: string; prompt: string; home: string; logger: Logger }): Promise<SealedJobParts> {
  if (!host) throw new ConfigError("sealing a prompt needs the ML chain's endpoint, and the profile has none", { hint: 'use a profile with chains.ml' });
  const executors = await withQueryClient(host, (q) => queryExecutors(q));
  const keys = executors.filter((e) => e.active && e.models.includes(o.model) && e.encryptionPubkey.length === 32).map((e) => new Uint8Array(e.encryptionPubkey));
  const sealedPrompt = await sealPrompt(o.prompt, keys);
  const reply = generateKeypair();
  mkdirSync(join(o.home, 'reply-keys'), { recursive: true, mode: 0o700 });
  const key = { publicKey: Buffer.from(reply.publicKey).toString('base64'), privateKey: Buffer.from(reply.privateKey).toString('base64') };
  writeFileSync(replyKeyPath(o.home, reply.publicKey), JSON.stringify(key) + '\n', { mode: 0o600 });
  o.logger.debug('prompt sealed', { recipients: keys.length, model: o.model });
  return { sealedPrompt, replyPubkey: reply.publicKey };
}

/** Opens a sealed job output with the reply key kept under `home` when the job was sent. */
export async function openJobOutput(home: string, job: Job, bytes: Uint8Array): Promise<Uint8Array> {
  const pub = job.image?.replyPubkey ?? job.audio?.replyPubkey ?? job.chat?.replyPubkey;
  if (!pub || pub.length !== 32) throw new KeyError(`job ${job.id} has no reply key`, { code: 'no_reply_key' });
  const path = replyKeyPath(home, pub);
  if (!existsSync(path)) throw new KeyError(`the reply key for job ${job.id} is not in ${join(home, 'reply-keys')}`, { code: 'no_reply_key', hint: 'decrypt with the same --home that sent the job' });
  let privateKey: string;
  try {
    privateKey = (JSON.parse(readFileSync(path, 'utf8')) as { privateKey: string }).privateKey;
  } catch {
    throw new KeyError(`the reply key file ${path} is unreadable or corrupt`, { code: 'key_corrupt' });
  }
  return open(bytes, Buffer.from(privateKey, 'base64'));
}
