package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

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
	for _, e := range gs.ExecutorProposals {
		if err := k.ExecutorProposals.Set(ctx, e.Operator, e); err != nil {
			return err
		}
	}
	for _, j := range gs.Jobs {
		if err := k.insertJob(ctx, j); err != nil {
			return err
		}
		if j.Status == types.JOB_STATUS_PENDING {
			if err := addAmount(ctx, k.Escrowed, j.Fee.Denom, j.Fee.Amount); err != nil {
				return err
			}
		}
	}
	for _, c := range gs.PaidToExecutors {
		if err := addAmount(ctx, k.PaidToExecutors, c.Denom, c.Amount); err != nil {
			return err
		}
	}
	for _, a := range gs.Accumulated {
		if err := addAmount(ctx, k.Accumulated, collections.Join(int32(a.Share), a.Amount.Denom), a.Amount.Amount); err != nil {
			return err
		}
	}
	for _, pkt := range gs.InFlight {
		if err := k.InFlight.Set(ctx, collections.Join(pkt.Channel, pkt.Sequence), pkt); err != nil {
			return err
		}
	}
	for _, d := range gs.Delivered {
		if err := addAmount(ctx, k.Delivered, collections.Join3(int32(d.Share), d.Receiver, d.Amount.Denom), d.Amount.Amount); err != nil {
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
	if err := k.ExecutorProposals.Walk(ctx, nil, func(_ string, e types.Executor) (bool, error) {
		gs.ExecutorProposals = append(gs.ExecutorProposals, e)
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
	if err := k.PaidToExecutors.Walk(ctx, nil, func(denom string, v math.Int) (bool, error) {
		gs.PaidToExecutors = append(gs.PaidToExecutors, sdk.NewCoin(denom, v))
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Accumulated.Walk(ctx, nil, func(key collections.Pair[int32, string], v math.Int) (bool, error) {
		gs.Accumulated = append(gs.Accumulated, types.ShareAmount{Share: types.FlowShare(key.K1()), Amount: sdk.NewCoin(key.K2(), v)})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.InFlight.Walk(ctx, nil, func(_ collections.Pair[string, uint64], pkt types.FlowPacket) (bool, error) {
		gs.InFlight = append(gs.InFlight, pkt)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Delivered.Walk(ctx, nil, func(key collections.Triple[int32, string, string], v math.Int) (bool, error) {
		gs.Delivered = append(gs.Delivered, types.Delivery{Share: types.FlowShare(key.K1()), Receiver: key.K2(), Amount: sdk.NewCoin(key.K3(), v)})
		return false, nil
	}); err != nil {
		return nil, err
	}
	return gs, nil
}
