import { openPrompt } from '../../core/sealed-prompt.js';
import { seal } from '../../core/sealing.js';
import type { Sealer } from './service.js';
import type { X25519Key } from './executor-key.js';

export function createSealer(key: X25519Key): Sealer {
  return {
    openPrompt: (envelope) => openPrompt(envelope, key.secretKey),
    sealOutput: (plaintext, replyPubkey) => seal(plaintext, replyPubkey),
  };
}
