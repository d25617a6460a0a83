// Job defaults in one place: the CLI shows them in --help, the library fills them in. No heavy imports here.
import { randomBytes } from 'node:crypto';
import type { ProfileSet } from '../core/profiles.js';
import type { JobKind } from './types.js';

export const JOB_DEFAULTS = {
  image: { negativePrompt: '', width: 512, height: 512, steps: 20, scheduler: 'euler', guidanceScale: '7.5', numImages: 1 },
  audio: { style: '', durationMs: 5000, steps: 20 },
  chat: { maxTokens: 128, temperature: '0' },
} as const;

export const DEFAULT_CONNECTION_ID = 'connection-0';

const MODELS: Record<'network' | 'devnet', Record<JobKind, string>> = {
  network: { image: 'sd-2.1', audio: 'riffusion-v1', chat: 'llama-3-8b' },
  devnet: { image: 'tiny-sd', audio: 'tiny-audio', chat: 'tiny-chat' },
};

/** The devnet serves the generated tiny models; every other chain (columbus-5, a profile file) the real ones. */
export function isDevnetProfile(profile: Pick<ProfileSet, 'devnet'>): boolean {
  return profile.devnet === true;
}

export function defaultModel(kind: JobKind, profile: Pick<ProfileSet, 'devnet'>): string {
  return MODELS[isDevnetProfile(profile) ? 'devnet' : 'network'][kind];
}

/** A fresh uint64 noise seed below 2^63 (fits every JSON reader that parses signed 64-bit integers). */
export function randomSeed(): bigint {
  return randomBytes(8).readBigUInt64BE() >> 1n;
}
