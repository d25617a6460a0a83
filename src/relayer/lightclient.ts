// 07-tendermint light client data built from CometBFT RPC responses: client/consensus states, headers, proofs.
import type { comet38 } from '@cosmjs/tendermint-rpc';
import { ClientState, ConsensusState, Header } from 'cosmjs-types/ibc/lightclients/tendermint/v1/tendermint';
import { HashOp, LengthOp, ProofSpec, CommitmentProof } from 'cosmjs-types/cosmos/ics23/v1/proofs';
import { MerkleProof } from 'cosmjs-types/ibc/core/commitment/v1/commitment';
import { Timestamp } from 'cosmjs-types/google/protobuf/timestamp';
import { ValidatorSet, Validator, BlockIDFlag } from 'cosmjs-types/tendermint/types/validator';
import { SignedHeader } from 'cosmjs-types/tendermint/types/types';

type CommitResponse = comet38.CommitResponse;
type RpcValidator = comet38.Validator;
type RpcHeader = comet38.Header;
type RpcCommit = comet38.Commit;
import type { Height } from 'cosmjs-types/ibc/core/client/v1/client';

export const iavlSpec: ProofSpec = ProofSpec.fromPartial({
  leafSpec: { prefix: Uint8Array.from([0]), prehashKey: HashOp.NO_HASH, hash: HashOp.SHA256, prehashValue: HashOp.SHA256, length: LengthOp.VAR_PROTO },
  innerSpec: { childOrder: [0, 1], minPrefixLength: 4, maxPrefixLength: 12, childSize: 33, emptyChild: new Uint8Array(), hash: HashOp.SHA256 },
});

export const tendermintSpec: ProofSpec = ProofSpec.fromPartial({
  leafSpec: { prefix: Uint8Array.from([0]), prehashKey: HashOp.NO_HASH, hash: HashOp.SHA256, prehashValue: HashOp.SHA256, length: LengthOp.VAR_PROTO },
  innerSpec: { childOrder: [0, 1], minPrefixLength: 1, maxPrefixLength: 1, childSize: 32, emptyChild: new Uint8Array(), hash: HashOp.SHA256 },
});

export function secondsToDuration(s: number): { seconds: bigint; nanos: number } {
  const whole = Math.floor(s);
  return { seconds: BigInt(whole), nanos: Math.round((s - whole) * 1e9) };
}

/** CosmJS dates carry milliseconds in the Date and the rest in `nanoseconds`. */
export function toTimestamp(d: { getTime(): number; nanoseconds?: number }): Timestamp {
  const ms = d.getTime();
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000 + (d.nanoseconds ?? 0);
  return Timestamp.fromPartial({ seconds: BigInt(seconds), nanos });
}

/** Nanoseconds since the epoch, as IBC timeouts count. */
export function toNanos(d: { getTime(): number; nanoseconds?: number }): bigint {
  return BigInt(d.getTime()) * 1_000_000n + BigInt(d.nanoseconds ?? 0);
}

export function height(revision: bigint, h: number | bigint): Height {
  return { revisionNumber: revision, revisionHeight: BigInt(h) };
}

export function buildClientState(o: { chainId: string; revision: bigint; latestHeight: number; trustingPeriodS: number; unbondingPeriodS: number; clockDriftS: number }): ClientState {
  return ClientState.fromPartial({
    chainId: o.chainId,
    trustLevel: { numerator: 1n, denominator: 3n },
    trustingPeriod: secondsToDuration(o.trustingPeriodS),
    unbondingPeriod: secondsToDuration(o.unbondingPeriodS),
    maxClockDrift: secondsToDuration(o.clockDriftS),
    frozenHeight: { revisionNumber: 0n, revisionHeight: 0n },
    latestHeight: height(o.revision, o.latestHeight),
    proofSpecs: [iavlSpec, tendermintSpec],
    upgradePath: ['upgrade', 'upgradedIBCState'],
    allowUpdateAfterExpiry: false,
    allowUpdateAfterMisbehaviour: false,
  });
}

export function buildConsensusState(header: RpcHeader): ConsensusState {
  return ConsensusState.fromPartial({
    timestamp: toTimestamp(header.time),
    root: { hash: header.appHash },
    nextValidatorsHash: header.nextValidatorsHash,
  });
}

function blockId(b: RpcCommit['blockId'] | null | undefined) {
  if (!b) return { hash: new Uint8Array(), partSetHeader: { total: 0, hash: new Uint8Array() } };
  return { hash: b.hash, partSetHeader: { total: b.parts.total, hash: b.parts.hash } };
}

export function toSignedHeader(c: CommitResponse): SignedHeader {
  const h = c.header;
  return SignedHeader.fromPartial({
    header: {
      version: { block: BigInt(h.version.block), app: BigInt(h.version.app) },
      chainId: h.chainId,
      height: BigInt(h.height),
      time: toTimestamp(h.time),
      lastBlockId: blockId(h.lastBlockId),
      lastCommitHash: h.lastCommitHash,
      dataHash: h.dataHash,
      validatorsHash: h.validatorsHash,
      nextValidatorsHash: h.nextValidatorsHash,
      consensusHash: h.consensusHash,
      appHash: h.appHash,
      lastResultsHash: h.lastResultsHash,
      evidenceHash: h.evidenceHash,
      proposerAddress: h.proposerAddress,
    },
    commit: {
      height: BigInt(c.commit.height),
      round: c.commit.round,
      blockId: blockId(c.commit.blockId),
      signatures: c.commit.signatures.map((s: comet38.Commit['signatures'][number]) => {
        // An absent vote carries neither address, timestamp nor signature (CometBFT checks that they are empty).
        if (s.blockIdFlag === 1) return { blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_ABSENT };
        return {
          blockIdFlag: s.blockIdFlag as number as BlockIDFlag,
          validatorAddress: s.validatorAddress,
          timestamp: s.timestamp ? toTimestamp(s.timestamp) : undefined,
          signature: s.signature,
        };
      }),
    },
  });
}

export function toValidatorSet(vals: readonly RpcValidator[], proposerAddress?: Uint8Array): ValidatorSet {
  const conv = (v: RpcValidator) => {
    if (!v.pubkey) throw new Error('validator without a public key in the RPC response');
    const pubKey = v.pubkey.algorithm === 'ed25519' ? { ed25519: v.pubkey.data } : { secp256k1: v.pubkey.data };
    return Validator.fromPartial({ address: v.address, pubKey, votingPower: v.votingPower, proposerPriority: BigInt(v.proposerPriority ?? 0) });
  };
  const validators = vals.map(conv);
  const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
  const proposer = (proposerAddress && validators.find((v) => eq(v.address, proposerAddress))) || validators[0];
  const total = vals.reduce((s, v) => s + v.votingPower, 0n);
  return ValidatorSet.fromPartial({ validators, proposer, totalVotingPower: total });
}

export function buildHeader(o: { commit: CommitResponse; validators: readonly RpcValidator[]; trustedHeight: Height; trustedValidators: readonly RpcValidator[] }): Header {
  return Header.fromPartial({
    signedHeader: toSignedHeader(o.commit),
    validatorSet: toValidatorSet(o.validators, o.commit.header.proposerAddress),
    trustedHeight: o.trustedHeight,
    trustedValidators: toValidatorSet(o.trustedValidators),
  });
}

/** An `abci_query` proof (ops ics23:iavl + ics23:simple) as the MerkleProof bytes that IBC messages carry. */
export function merkleProofBytes(ops: ReadonlyArray<{ type: string; data: Uint8Array }>): Uint8Array {
  if (ops.length !== 2) throw new Error(`expected 2 proof ops (iavl + simple), got ${ops.length}`);
  const proofs = ops.map((op) => CommitmentProof.decode(op.data));
  return MerkleProof.encode(MerkleProof.fromPartial({ proofs })).finish();
}
