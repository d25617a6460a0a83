package keeper

import (
	"context"
	"strconv"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

// EndBlocker handles PENDING jobs past their deadline (deadline_height < current height): the first miss
// reassigns the job (to another eligible executor when there is one, else the same one) with a fresh
// deadline; the second miss marks it EXPIRED and refunds the fee. Every flow_interval blocks it then sends the
// accumulated LUNC shares (SendFlows, which never fails the block).
func (k Keeper) EndBlocker(ctx context.Context) error {
	if err := k.expireJobs(ctx); err != nil {
		return err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if flowsDue(p, sdk.UnwrapSDKContext(ctx).BlockHeight()) {
		k.SendFlows(ctx, p)
	}
	return nil
}

func (k Keeper) expireJobs(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	height := sdkCtx.BlockHeight()
	var due []uint64
	rng := new(collections.Range[collections.Pair[int64, uint64]]).EndExclusive(collections.Join(height, uint64(0)))
	err := k.PendingByDeadline.Walk(ctx, rng, func(key collections.Pair[int64, uint64]) (bool, error) {
		due = append(due, key.K2())
		return false, nil
	})
	if err != nil {
		return err
	}
	if len(due) == 0 {
		return nil
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	for _, id := range due {
		job, err := k.Jobs.Get(ctx, id)
		if err != nil {
			return err
		}
		if job.Status != types.JOB_STATUS_PENDING {
			continue
		}
		updated := job
		idStr := strconv.FormatUint(id, 10)
		if job.Reassignments == 0 {
			// Nobody eligible at all (every executor retired): keep the same executor for one more round.
			next, err := k.pickExecutor(ctx, job.Model(), id, job.Executor)
			if err != nil && !types.ErrNoExecutor.Is(err) {
				return err
			}
			if err == nil {
				updated.Executor = next.Executor
				next.JobsAssigned++
				if err := k.Executors.Set(ctx, next.Operator, next); err != nil {
					return err
				}
			}
			updated.Reassignments = 1
			updated.DeadlineHeight = height + p.JobTimeoutBlocks
			if err := k.updateJob(ctx, job, updated); err != nil {
				return err
			}
			sdkCtx.EventManager().EmitEvent(sdk.NewEvent(types.EventTypeJobReassigned,
				sdk.NewAttribute(types.AttributeKeyJobID, idStr),
				sdk.NewAttribute(types.AttributeKeyKind, types.KindName(job.Kind)),
				sdk.NewAttribute(types.AttributeKeyModel, job.Model()),
				sdk.NewAttribute(types.AttributeKeyExecutor, updated.Executor),
				sdk.NewAttribute(types.AttributeKeyDeadlineHeight, strconv.FormatInt(updated.DeadlineHeight, 10)),
			))
			continue
		}
		updated.Status = types.JOB_STATUS_EXPIRED
		if err := k.refund(ctx, job); err != nil {
			return err
		}
		if err := k.updateJob(ctx, job, updated); err != nil {
			return err
		}
		sdkCtx.EventManager().EmitEvent(sdk.NewEvent(types.EventTypeJobExpired,
			sdk.NewAttribute(types.AttributeKeyJobID, idStr),
			sdk.NewAttribute(types.AttributeKeyKind, types.KindName(job.Kind)),
			sdk.NewAttribute(types.AttributeKeyModel, job.Model()),
			sdk.NewAttribute(types.AttributeKeyExecutor, job.Executor),
			sdk.NewAttribute(types.AttributeKeyRequester, job.Requester),
		))
	}
	return nil
}
