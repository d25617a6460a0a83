package keeper

import (
	"context"
	"fmt"
	"strconv"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

// EndBlocker handles PENDING jobs past their deadline (deadline_height < current height), at most
// Params.max_expirations_per_block of them per block (see handleDueJobs): the first miss reassigns the job (to
// another eligible executor when there is one, else the same one) with a fresh deadline; the second miss marks
// it EXPIRED and refunds the fee less Params.expiry_fee_share of it. Every flow_interval blocks it then sends the accumulated LUNC shares
// (SendFlows). It never returns an error: a chain must not halt because of one job, so failures become events
// and log lines.
func (k Keeper) EndBlocker(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		k.Logger(ctx).Error("x/ml params unreadable; skipping deadlines and flows this block", "err", err)
		return nil
	}
	k.handleDueJobs(ctx, p)
	if flowsDue(p, sdk.UnwrapSDKContext(ctx).BlockHeight()) {
		k.SendFlows(ctx, p)
	}
	return nil
}

// handleDueJobs walks the (deadline, id) index of PENDING jobs from the stored cursor, handles at most
// max_expirations_per_block due jobs, and stores where it stopped so the next block resumes there. When the
// walk reaches the last due job the cursor is cleared, so the next block starts again from the earliest
// deadline: jobs skipped because their handling failed are retried once per round and cannot starve the
// others. Jobs become due in deadline order and a handled job leaves its place (new deadline or not PENDING),
// so a burst of deadlines is cleared over the following blocks in deadline order.
func (k Keeper) handleDueJobs(ctx context.Context, p types.Params) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	height := sdkCtx.BlockHeight()
	limit := int(p.MaxExpirationsPerBlock)
	if limit <= 0 {
		limit = int(types.DefaultMaxExpirationsPerBlock)
	}
	rng := new(collections.Range[collections.Pair[int64, uint64]]).EndExclusive(collections.Join(height, uint64(0)))
	cursor, err := k.ExpiryCursor.Get(ctx)
	switch {
	case err == nil && cursor.K1() < height:
		rng = rng.StartExclusive(cursor)
	case err != nil && !isNotFound(err):
		k.Logger(ctx).Error("x/ml expiry cursor unreadable; starting from the earliest deadline", "err", err)
	}
	due := make([]collections.Pair[int64, uint64], 0, limit)
	err = k.PendingByDeadline.Walk(ctx, rng, func(key collections.Pair[int64, uint64]) (bool, error) {
		due = append(due, key)
		return len(due) >= limit, nil
	})
	if err != nil {
		k.Logger(ctx).Error("x/ml deadline index unreadable", "err", err)
		return
	}
	if len(due) == limit {
		err = k.ExpiryCursor.Set(ctx, due[len(due)-1])
	} else {
		err = k.ExpiryCursor.Remove(ctx)
	}
	if err != nil {
		k.Logger(ctx).Error("x/ml expiry cursor not saved", "err", err)
	}
	if len(due) == 0 {
		return
	}
	eligible, err := k.eligibleExecutors(ctx)
	if err != nil {
		// Without the executor list nobody can be picked; handleDueJob keeps the same executor, as when every
		// executor has retired.
		k.Logger(ctx).Error("x/ml executors unreadable", "err", err)
		eligible = nil
	}
	for _, key := range due {
		cacheCtx, write := sdkCtx.CacheContext()
		if err := k.handleDueJobSafely(cacheCtx, p, eligible, key); err != nil {
			sdkCtx.EventManager().EmitEvent(sdk.NewEvent(types.EventTypeJobSkipped,
				sdk.NewAttribute(types.AttributeKeyJobID, strconv.FormatUint(key.K2(), 10)),
				sdk.NewAttribute(types.AttributeKeyDeadlineHeight, strconv.FormatInt(key.K1(), 10)),
				sdk.NewAttribute(types.AttributeKeyReason, err.Error()),
			))
			continue
		}
		write()
	}
}

// handleDueJobSafely turns a panic while handling one job (e.g. sdk.NewCoins on a corrupt stored fee) into an
// error, so that the job is skipped instead of the chain halting. Every node panics the same way on the same
// state, so recovering keeps them in agreement.
func (k Keeper) handleDueJobSafely(ctx context.Context, p types.Params, eligible []types.Executor, key collections.Pair[int64, uint64]) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return k.handleDueJob(ctx, p, eligible, key)
}

// handleDueJob reassigns or expires one due job. It runs in a cache context: on error nothing it did is kept.
func (k Keeper) handleDueJob(ctx context.Context, p types.Params, eligible []types.Executor, key collections.Pair[int64, uint64]) error {
	id := key.K2()
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	height := sdkCtx.BlockHeight()
	job, err := k.Jobs.Get(ctx, id)
	if err != nil {
		return err
	}
	if job.Status != types.JOB_STATUS_PENDING {
		// A stale index entry (only PENDING jobs are indexed by deadline): drop it so it is not met again.
		return k.PendingByDeadline.Remove(ctx, key)
	}
	idStr := strconv.FormatUint(id, 10)
	updated := job
	if job.Reassignments == 0 {
		// Nobody eligible at all (every executor retired): keep the same executor for one more round.
		next, err := k.pickFrom(ctx, eligible, job.Model(), id, job.Executor)
		if err != nil && !types.ErrNoExecutor.Is(err) {
			return err
		}
		if err == nil {
			updated.Executor = next.Executor
			// Read it again: an earlier job of this block may have counted an assignment already.
			e, err := k.Executors.Get(ctx, next.Operator)
			if err != nil {
				return err
			}
			e.JobsAssigned++
			if err := k.Executors.Set(ctx, e.Operator, e); err != nil {
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
		return nil
	}
	updated.Status = types.JOB_STATUS_EXPIRED
	if err := k.updateJob(ctx, job, updated); err != nil {
		return err
	}
	refunded, err := k.refundExpired(ctx, p, job)
	if err != nil {
		return err
	}
	sdkCtx.EventManager().EmitEvent(sdk.NewEvent(types.EventTypeJobExpired,
		// What the requester got back: the fee less expiry_fee_share of it.
		sdk.NewAttribute(types.AttributeKeyAmount, refunded.String()),
		sdk.NewAttribute(types.AttributeKeyJobID, idStr),
		sdk.NewAttribute(types.AttributeKeyKind, types.KindName(job.Kind)),
		sdk.NewAttribute(types.AttributeKeyModel, job.Model()),
		sdk.NewAttribute(types.AttributeKeyExecutor, job.Executor),
		sdk.NewAttribute(types.AttributeKeyRequester, job.Requester),
	))
	return nil
}
