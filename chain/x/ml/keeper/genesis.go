package keeper

import (
	"context"
	"fmt"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

// InitGenesis loads a validated genesis state, rebuilding every index.
func (k Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return fmt.Errorf("%w: %v", types.ErrInvalidGenesis, err)
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, e := range gs.Executors {
		if err := k.setExecutor(ctx, e); err != nil {
			return err
		}
	}
	for _, j := range gs.Jobs {
		if err := k.insertJob(ctx, j); err != nil {
			return err
		}
	}
	return k.NextJobID.Set(ctx, gs.NextJobId)
}

// ExportGenesis writes the state out; jobs by ascending id, executors by operator.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: p}
	if err := k.Executors.Walk(ctx, nil, func(_ string, e types.Executor) (bool, error) {
		gs.Executors = append(gs.Executors, e)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Jobs.Walk(ctx, nil, func(_ uint64, j types.Job) (bool, error) {
		gs.Jobs = append(gs.Jobs, j)
		return false, nil
	}); err != nil {
		return nil, err
	}
	next, err := k.NextJobID.Peek(ctx)
	if err != nil {
		return nil, err
	}
	if next == 0 {
		next = 1
	}
	gs.NextJobId = next
	return gs, nil
}
