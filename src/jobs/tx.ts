// One signed transaction on one chain with the context's signer: simulate, confirm, broadcast, report.
import type { EncodeObject } from '@cosmjs/proto-signing';
import type { TxSender } from '../core/chain-client.js';
import type { ChainProfile } from '../core/profiles.js';
import type { TxContext, TxReport } from './types.js';

/**
 * A signing session on one chain, begun before its messages are known: the signing stack loads, the key is derived,
 * the account is read and the inclusion subscription opened while the caller's own checks (queries to both chains)
 * are in flight. Nothing is signed or sent before sendTx; close() ends a session that was not used.
 */
export interface PreparedTx {
  readonly chainId: string;
  readonly sender: Promise<TxSender>;
  close(): void;
}

/**
 * Starts a PreparedTx for `chain`. Only for signers that ask the user nothing (`unlocksSilently`): a prompt must not
 * come before the checks that may refuse the tx. A failure is reported by the sendTx that uses it.
 */
export function prepareTx(ctx: TxContext, chain: ChainProfile): PreparedTx {
  let closed = false;
  const open = () => {
    if (closed) throw new Error(`the signing session on ${chain.chainId} was closed`);
  };
  const sender = (async () => {
    // Importing this module stays cheap (job building imports it for funding): the signing stack loads here.
    const [{ TxSender }, { buildRegistry }] = await Promise.all([import('../core/chain-client.js'), import('../ica/registry.js')]);
    open();
    const signer = await ctx.signer.signer(chain.prefix);
    ctx.logger.debug('signing key ready', { chainId: chain.chainId });
    open();
    const s = await TxSender.connect(chain, signer, ctx.logger, buildRegistry(), { subscribeEarly: true });
    if (closed) s.disconnect();
    open();
    void s.prefetch();
    return s;
  })();
  sender.catch(() => undefined);
  return {
    chainId: chain.chainId,
    sender,
    close() {
      if (closed) return;
      closed = true;
      sender.then(
        (s) => s.disconnect(),
        () => undefined,
      );
    },
  };
}

/**
 * Signs `build`'s messages on `chain` with the context's signer: simulate, confirm, broadcast, report. `prepared`
 * (from prepareTx on the same chain, with no other tx of the account since) is used and closed.
 */
export async function sendTx(ctx: TxContext, chain: ChainProfile, build: (address: string) => Promise<EncodeObject[]>, prepared?: PreparedTx): Promise<TxReport> {
  ctx.logger.debug('signing', { chainId: chain.chainId });
  const session = prepared?.chainId === chain.chainId ? prepared : prepareTx(ctx, chain);
  if (session !== prepared) prepared?.close();
  try {
    const [sender, { signAndSend }] = await Promise.all([session.sender, import('../ica/send.js')]);
    const msgs = await build(sender.address);
    return await signAndSend(sender, msgs, ctx.broadcast, { stage: (t) => ctx.hooks?.stage?.(t), confirm: async (plan) => ctx.hooks?.confirm?.(plan) }, ctx.logger);
  } finally {
    session.close();
  }
}
