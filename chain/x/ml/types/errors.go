package types

import errorsmod "cosmossdk.io/errors"

// Registered errors of x/ml (codespace "ml"). Codes are part of the protocol: never renumber one.
var (
	ErrInvalidRequest      = errorsmod.Register(ModuleName, 2, "invalid job request")
	ErrModelNotAllowed     = errorsmod.Register(ModuleName, 3, "model not allowed")
	ErrInvalidFee          = errorsmod.Register(ModuleName, 4, "invalid fee")
	ErrNoExecutor          = errorsmod.Register(ModuleName, 5, "no active executor serves this model")
	ErrJobNotFound         = errorsmod.Register(ModuleName, 6, "job not found")
	ErrJobNotPending       = errorsmod.Register(ModuleName, 7, "job is not pending")
	ErrNotAssignedExecutor = errorsmod.Register(ModuleName, 8, "sender is not the executor assigned to the job")
	ErrInvalidResult       = errorsmod.Register(ModuleName, 9, "invalid result")
	ErrNotBondedValidator  = errorsmod.Register(ModuleName, 10, "operator is not a bonded validator")
	ErrExecutorNotFound    = errorsmod.Register(ModuleName, 11, "executor not found")
	ErrInvalidExecutor     = errorsmod.Register(ModuleName, 12, "invalid executor registration")
	ErrExecutorAccountUsed = errorsmod.Register(ModuleName, 13, "executor account already registered by another operator")
	ErrInvalidParams       = errorsmod.Register(ModuleName, 14, "invalid params")
	ErrUnauthorized        = errorsmod.Register(ModuleName, 15, "unauthorized")
	ErrInvalidGenesis      = errorsmod.Register(ModuleName, 16, "invalid genesis")
	ErrInvalidAddress      = errorsmod.Register(ModuleName, 17, "invalid address")
	ErrFeeDenomNotAccepted = errorsmod.Register(ModuleName, 18, "fee denom not accepted")
)
