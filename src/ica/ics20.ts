// ICS-20 facts shared by the job library, the devnet and the relayer.
import { createHash } from 'node:crypto';

/** The denom a coin has after one ICS-20 hop over `channel`: ibc/ + uppercase hex SHA-256 of port/channel/base. */
export function ibcDenom(channel: string, baseDenom: string, port = 'transfer'): string {
  return 'ibc/' + createHash('sha256').update(`${port}/${channel}/${baseDenom}`).digest('hex').toUpperCase();
}
