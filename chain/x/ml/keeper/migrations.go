package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

// Migrate1to2 brings a version-1 store (min_fee only, no fee accounting) to version 2: fee_minimums becomes
// [min_fee], the fee split, LUNC base denom, burn address and flow interval take their defaults (flows stay
// off: lunc_channel is empty), and the escrowed counters are rebuilt from the PENDING jobs so that their
// later payment or refund is counted against what they escrowed.
func (k Keeper) Migrate1to2(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	def := types.DefaultParams()
	if len(p.FeeMinimums) == 0 && p.MinFee.Denom != "" {
		p.FeeMinimums = sdk.NewCoins(p.MinFee)
	}
	if p.FeeSplit == (types.FeeSplit{}) {
		p.FeeSplit = def.FeeSplit
	}
	if p.LuncBaseDenom == "" {
		p.LuncBaseDenom = def.LuncBaseDenom
	}
	if p.BurnAddress == "" {
		p.BurnAddress = def.BurnAddress
	}
	if p.FlowInterval == 0 {
		p.FlowInterval = def.FlowInterval
	}
	// Not a version-2 field, but Validate below requires it (a chain at version 1 goes through 2to3 next).
	if p.MaxExpirationsPerBlock == 0 {
		p.MaxExpirationsPerBlock = def.MaxExpirationsPerBlock
	}
	if err := p.Validate(); err != nil {
		return types.ErrInvalidParams.Wrapf("migrating params: %v", err)
	}
	if err := k.Params.Set(ctx, p); err != nil {
		return err
	}
	if err := k.Escrowed.Clear(ctx, nil); err != nil {
		return err
	}
	return k.Jobs.Walk(ctx, nil, func(_ uint64, j types.Job) (bool, error) {
		if j.Status != types.JOB_STATUS_PENDING {
			return false, nil
		}
		return false, addAmount(ctx, k.Escrowed, j.Fee.Denom, j.Fee.Amount)
	})
}

// Migrate2to3 brings a version-2 store to version 3: max_expirations_per_block takes its default. Executors
// registered before consent existed stay active (their operators ran them); later registrations need the
// executor account's MsgAcceptExecutor. The expiry cursor and the proposal map start empty.
func (k Keeper) Migrate2to3(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if p.MaxExpirationsPerBlock == 0 {
		p.MaxExpirationsPerBlock = types.DefaultMaxExpirationsPerBlock
	}
	if err := p.Validate(); err != nil {
		return types.ErrInvalidParams.Wrapf("migrating params: %v", err)
	}
	return k.Params.Set(ctx, p)
}
