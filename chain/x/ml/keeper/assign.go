package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

// eligibleExecutors lists the active executors whose validator is bonded, in operator order. It reads each
// executor's validator once; the EndBlocker calls it once per block and reuses the list for every due job
// (nothing in the EndBlocker changes bonding, models or activity), where it used to read them for every job.
// Walking the executors rather than the staking module's bonded set (up to max_validators entries) keeps the
// gas of a job transaction proportional to the executors that exist.
func (k Keeper) eligibleExecutors(ctx context.Context) ([]types.Executor, error) {
	var out []types.Executor
	err := k.Executors.Walk(ctx, nil, func(_ string, e types.Executor) (bool, error) {
		if !e.Active {
			return false, nil
		}
		// Bonding is checked at registration; a validator may unbond or be jailed later, and then it must stop
		// receiving jobs (and fees) even though its executor record is still active.
		if bonded, err := k.operatorBonded(ctx, e.Operator); err != nil || !bonded {
			return false, nil
		}
		out = append(out, e)
		return false, nil
	})
	return out, err
}

// operatorBonded reports whether the executor's operator still runs a bonded validator.
func (k Keeper) operatorBonded(ctx context.Context, operator string) (bool, error) {
	valAddr, err := k.valCodec.StringToBytes(operator)
	if err != nil {
		return false, err
	}
	val, err := k.staking.GetValidator(ctx, sdk.ValAddress(valAddr))
	if err != nil {
		return false, err
	}
	return val.IsBonded(), nil
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
