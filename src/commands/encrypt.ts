import type { CommandContext } from './context.js';
import type { ProfileSet } from '../core/profiles.js';
import type { JobFlags, JobKind } from './tx.js';
import { UsageError } from '../core/errors.js';

// Placeholder until the sealing module lands (see the executor issue); refuses rather than sending a plain prompt.
export async function sealForJob(_ctx: CommandContext, _p: ProfileSet, _k: JobKind, _f: JobFlags, _from: string): Promise<{ sealedPrompt?: Uint8Array; replyPubkey?: Uint8Array }> {
  throw new UsageError('--encrypt is not available in this build', { code: 'not_implemented' });
}

export async function openJobOutput(_ctx: CommandContext, _job: unknown, _bytes: Uint8Array): Promise<Uint8Array> {
  throw new UsageError('--decrypt is not available in this build', { code: 'not_implemented' });
}
