// One signed transaction on one chain with the context's signer: simulate, confirm, broadcast, report.
import type { EncodeObject } from '@cosmjs/proto-signing';
import type { ChainProfile } from '../core/profiles.js';
import type { TxContext, TxReport } from './types.js';

/** Signs `build`'s messages on `chain` with the context's signer: simulate, confirm, broadcast, report. */
export async function sendTx(ctx: TxContext, chain: ChainProfile, build: (address: string) => Promise<EncodeObject[]>): Promise<TxReport> {
  ctx.logger.debug('signing', { chainId: chain.chainId });
  // Importing this module stays cheap (job building imports it for funding): the signing stack loads here.
  const [{ TxSender }, { buildRegistry }, { signAndSend }] = await Promise.all([import('../core/chain-client.js'), import('../ica/registry.js'), import('../ica/send.js')]);
  const signer = await ctx.signer.signer(chain.prefix);
  ctx.logger.debug('signing key ready', { chainId: chain.chainId });
  const sender = await TxSender.connect(chain, signer, ctx.logger, buildRegistry(), { subscribeEarly: true });
  try {
    const msgs = await build(sender.address);
    return await signAndSend(sender, msgs, ctx.broadcast, { stage: (t) => ctx.hooks?.stage?.(t), confirm: async (plan) => ctx.hooks?.confirm?.(plan) }, ctx.logger);
  } finally {
    sender.disconnect();
  }
}
