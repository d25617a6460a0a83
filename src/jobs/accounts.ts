// The user's interchain account on the ML chain, looked up on the controller.
import { withAbciQuery } from '../core/chain-client.js';
import { ChainError } from '../core/errors.js';
import type { ChainProfile } from '../core/profiles.js';
import { queryIcaAddress } from '../ica/controller.js';

/** The interchain account of `owner` on `connectionId`, or a typed error saying how to get one. */
export async function findInterchainAccount(controller: ChainProfile, owner: string, connectionId: string): Promise<string> {
  const addr = await withAbciQuery(controller, (q) => queryIcaAddress(q, owner, connectionId));
  if (!addr) {
    throw new ChainError('no_interchain_account', `${owner} has no interchain account on ${connectionId} yet`, {
      chainId: controller.chainId,
      hint: `register one (\`lunc-ml tx register --connection-id ${connectionId}\`) and keep a relayer running`,
    });
  }
  return addr;
}
