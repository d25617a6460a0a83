package keeper

import (
	"context"
	"sort"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

// eligibleExecutors lists the active executors of the staking module's bonded validators, in operator order.
// It reads the bonded set once (not a validator per executor per job): the EndBlocker calls it once per block
// and reuses the list for every due job, since nothing in the EndBlocker changes bonding, models or activity.
func (k Keeper) eligibleExecutors(ctx context.Context) ([]types.Executor, error) {
	vals, err := k.staking.GetBondedValidatorsByPower(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]types.Executor, 0, len(vals))
	for _, v := range vals {
		if !v.IsBonded() {
			continue
		}
		op, _, err := k.canonVal(v.OperatorAddress)
		if err != nil {
			continue // not a valoper of this chain: it cannot have registered an executor
		}
		e, err := k.Executors.Get(ctx, op)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if e.Active {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Operator < out[j].Operator })
	return out, nil
}

// pickExecutor applies the assignment rule (see chain/README.md) to the current bonded set.
func (k Keeper) pickExecutor(ctx context.Context, model string, jobID uint64, exclude string) (types.Executor, error) {
	set, err := k.eligibleExecutors(ctx)
	if err != nil {
		return types.Executor{}, err
	}
	return k.pickFrom(ctx, set, model, jobID, exclude)
}

// pickFrom applies the assignment rule to set (active executors of bonded validators, in operator order):
//
//  1. eligible = those whose models include the job's model; when exclude is set and another executor is
//     eligible, exclude is left out (reassignment);
//  2. keep those with the lowest load = pending jobs / devices (compared exactly, by cross-multiplying);
//  3. among those, take the one at index (job id mod count).
//
// Loads are read from ctx, so jobs assigned earlier in the same block count. It returns ErrNoExecutor when
// nobody is eligible.
func (k Keeper) pickFrom(ctx context.Context, set []types.Executor, model string, jobID uint64, exclude string) (types.Executor, error) {
	type cand struct {
		e       types.Executor
		pending uint64
	}
	var eligible []cand
	for _, e := range set {
		if !e.Serves(model) {
			continue
		}
		n, err := k.pendingOf(ctx, e.Executor)
		if err != nil {
			return types.Executor{}, err
		}
		eligible = append(eligible, cand{e, n})
	}
	if exclude != "" && len(eligible) > 1 {
		kept := eligible[:0]
		for _, c := range eligible {
			if c.e.Executor != exclude {
				kept = append(kept, c)
			}
		}
		eligible = kept
	}
	if len(eligible) == 0 {
		return types.Executor{}, types.ErrNoExecutor.Wrapf("model %q", model)
	}
	// less reports whether a's load is below b's: a.pending/a.devices < b.pending/b.devices.
	less := func(a, b cand) bool {
		return a.pending*uint64(max(b.e.Devices, 1)) < b.pending*uint64(max(a.e.Devices, 1))
	}
	best := []cand{eligible[0]}
	for _, c := range eligible[1:] {
		switch {
		case less(c, best[0]):
			best = []cand{c}
		case !less(best[0], c):
			best = append(best, c)
		}
	}
	return best[jobID%uint64(len(best))].e, nil
}
