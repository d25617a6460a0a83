// The registered errors of the chains lunc-ml talks to, as the client maps them: cosmos-sdk's (codespace "sdk")
// and x/ml's (codespace "ml", chain/x/ml/types/errors.go; a test keeps the two lists equal).

export interface RegisteredError {
  /** Our error code (ChainError.code). */
  kind: string;
  /** What the user can do about it. */
  hint?: string;
}

/** cosmos-sdk errors a user meets; also matched by their log text when a node reports no codespace. */
export const SDK_ERRORS: Record<number, RegisteredError & { log: RegExp; what: string }> = {
  5: { kind: 'insufficient_funds', what: 'insufficient funds', log: /insufficient funds/i, hint: 'fund the account or lower the amount/fee' },
  11: { kind: 'out_of_gas', what: 'the transaction ran out of gas', log: /out of gas/i, hint: 'raise --gas-adjustment or pass --gas <n>' },
  13: { kind: 'insufficient_fee', what: 'the fee is too low', log: /insufficient fee/i, hint: 'raise --gas-prices or --fees' },
  32: { kind: 'sequence_mismatch', what: 'account sequence mismatch', log: /sequence mismatch|incorrect account sequence/i, hint: 'another transaction from this key was in flight; retry' },
};

/** x/ml's registered errors by code (never renumbered on the chain side). */
export const ML_ERRORS: Record<number, RegisteredError & { name: string }> = {
  2: { name: 'ErrInvalidRequest', kind: 'invalid_request', hint: 'fix the request; `lunc-ml query params` shows the limits' },
  3: { name: 'ErrModelNotAllowed', kind: 'model_not_allowed', hint: "use a model in the chain's allowed_models" },
  4: { name: 'ErrInvalidFee', kind: 'invalid_fee', hint: "raise --max-fee to the chain's minimum" },
  5: { name: 'ErrNoExecutor', kind: 'no_executor', hint: 'no validator serves this model right now; try another model or later' },
  6: { name: 'ErrJobNotFound', kind: 'job_not_found' },
  7: { name: 'ErrJobNotPending', kind: 'job_not_pending' },
  8: { name: 'ErrNotAssignedExecutor', kind: 'not_assigned_executor' },
  9: { name: 'ErrInvalidResult', kind: 'invalid_result' },
  10: { name: 'ErrNotBondedValidator', kind: 'not_bonded_validator', hint: 'only bonded validators register executors' },
  11: { name: 'ErrExecutorNotFound', kind: 'executor_not_found', hint: 'register it with `lunc-ml gpu register`' },
  12: { name: 'ErrInvalidExecutor', kind: 'invalid_executor' },
  13: { name: 'ErrExecutorAccountUsed', kind: 'executor_account_used', hint: 'use an executor account of your own' },
  14: { name: 'ErrInvalidParams', kind: 'invalid_params' },
  15: { name: 'ErrUnauthorized', kind: 'unauthorized' },
  16: { name: 'ErrInvalidGenesis', kind: 'invalid_genesis' },
  17: { name: 'ErrInvalidAddress', kind: 'invalid_address' },
  18: { name: 'ErrFeeDenomNotAccepted', kind: 'fee_denom_not_accepted', hint: 'pay in a denom the chain accepts, e.g. --max-fee 50000uluna' },
};
