package keeper_test

import (
	"strconv"
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

// attrsOf returns, in emission order, attribute key of every event of type typ emitted since the event manager
// was last reset.
func (f *fixture) attrsOf(typ, key string) []string {
	var out []string
	for _, e := range f.ctx.EventManager().Events() {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key {
				out = append(out, a.Value)
			}
		}
	}
	return out
}

// freshBlock runs the EndBlocker at height h with an empty event manager.
func (f *fixture) freshBlock(h int64) {
	f.t.Helper()
	f.ctx = f.ctx.WithEventManager(sdk.NewEventManager())
	f.endBlock(h)
}

func TestFailingDueJobIsSkippedAndDoesNotStopTheOthers(t *testing.T) {
	f := newFixture(t)
	f.addExecutor("v1", 1, "tiny-sd")
	user := addr("user")
	f.fund(user, 1_000_000)
	var ids []uint64
	for i := 0; i < 3; i++ {
		res, err := f.msgs.GenerateImage(f.ctx, imageMsg(user))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.JobId)
	}
	// First miss: all three are reassigned (to the only executor) with a fresh deadline.
	deadline := f.job(ids[0]).DeadlineHeight
	f.freshBlock(deadline + 1)
	if got := f.attrsOf(types.EventTypeJobReassigned, types.AttributeKeyJobID); len(got) != 3 {
		t.Fatalf("reassigned %v, want 3 jobs", got)
	}
	// Break the middle job so that refunding it fails (a requester the address codec refuses): its expiry
	// fails after the job was already marked EXPIRED in the cache context.
	broken := f.job(ids[1])
	broken.Requester = "not-an-address"
	if err := f.k.Jobs.Set(f.ctx, broken.Id, broken); err != nil {
		t.Fatal(err)
	}
	second := f.job(ids[0]).DeadlineHeight + 1
	f.freshBlock(second) // endBlock fails the test if the EndBlocker returns an error

	for _, id := range []uint64{ids[0], ids[2]} {
		if st := f.job(id).Status; st != types.JOB_STATUS_EXPIRED {
			t.Fatalf("job %d is %s, want EXPIRED", id, st)
		}
	}
	if !f.hasEvent(types.EventTypeJobSkipped, types.AttributeKeyJobID, strconv.FormatUint(ids[1], 10)) {
		t.Fatal("missing ml_job_skipped for the broken job")
	}
	if reasons := f.attrsOf(types.EventTypeJobSkipped, types.AttributeKeyReason); len(reasons) != 1 || reasons[0] == "" {
		t.Fatalf("skip reasons %q", reasons)
	}
	if got := f.attrsOf(types.EventTypeJobExpired, types.AttributeKeyJobID); len(got) != 2 {
		t.Fatalf("expired %v, want the two healthy jobs", got)
	}
	// Nothing of the failed handling was kept: still PENDING, still indexed by deadline, fee still escrowed.
	j := f.job(ids[1])
	if j.Status != types.JOB_STATUS_PENDING {
		t.Fatalf("skipped job is %s", j.Status)
	}
	if has, _ := f.k.PendingByDeadline.Has(f.ctx, collectionsJoin(j.DeadlineHeight, j.Id)); !has {
		t.Fatal("skipped job left the deadline index")
	}
	f.requireBalanced()
	// It is tried again in the next round (and skipped again), never halting the chain.
	f.freshBlock(second + 1)
	if !f.hasEvent(types.EventTypeJobSkipped, types.AttributeKeyJobID, strconv.FormatUint(ids[1], 10)) {
		t.Fatal("the skipped job was not retried")
	}
	f.requireBalanced()
}

func TestPanickingDueJobIsSkippedNotAHalt(t *testing.T) {
	f := newFixture(t)
	f.addExecutor("v1", 1, "tiny-sd")
	user := addr("user")
	f.fund(user, 1_000_000)
	var ids []uint64
	for i := 0; i < 2; i++ {
		res, err := f.msgs.GenerateImage(f.ctx, imageMsg(user))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.JobId)
	}
	f.freshBlock(f.job(ids[0]).DeadlineHeight + 1)
	// A corrupt stored fee: sdk.NewCoins panics on a negative amount when the expiry refunds it.
	corrupt := f.job(ids[0])
	corrupt.Fee.Amount = corrupt.Fee.Amount.Neg()
	if err := f.k.Jobs.Set(f.ctx, corrupt.Id, corrupt); err != nil {
		t.Fatal(err)
	}
	f.freshBlock(f.job(ids[1]).DeadlineHeight + 1)
	if !f.hasEvent(types.EventTypeJobSkipped, types.AttributeKeyJobID, strconv.FormatUint(ids[0], 10)) {
		t.Fatal("missing ml_job_skipped for the panicking job")
	}
	if st := f.job(ids[1]).Status; st != types.JOB_STATUS_EXPIRED {
		t.Fatalf("the healthy job is %s", st)
	}
	if st := f.job(ids[0]).Status; st != types.JOB_STATUS_PENDING {
		t.Fatalf("the panicking job is %s", st)
	}
}

func TestDueJobsBeyondTheCapAreAllHandledInDeadlineOrder(t *testing.T) {
	f := newFixture(t)
	f.addExecutor("v1", 1, "tiny-sd")
	f.addExecutor("v2", 2, "tiny-sd")
	p := types.DefaultParams()
	p.MaxExpirationsPerBlock = 4
	f.setParams(p)
	user := addr("user")
	f.fund(user, 1_000_000)
	var want []string
	// 14 jobs over 3 heights: deadlines 110, 111, 112 (timeout 100), several per deadline.
	for h, n := range []int{5, 6, 3} {
		f.ctx = f.ctx.WithBlockHeight(int64(10 + h))
		for i := 0; i < n; i++ {
			res, err := f.msgs.GenerateImage(f.ctx, imageMsg(user))
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, strconv.FormatUint(res.JobId, 10)) // ids grow with deadline: this is deadline order
		}
	}
	// All 14 are due at once from height 113 on; a new job due later joins behind them.
	var got []string
	for h := int64(113); len(got) < len(want) && h < 130; h++ {
		f.freshBlock(h)
		handled := f.attrsOf(types.EventTypeJobReassigned, types.AttributeKeyJobID)
		if len(handled) > 4 {
			t.Fatalf("block %d handled %d jobs, cap 4", h, len(handled))
		}
		if skipped := f.attrsOf(types.EventTypeJobSkipped, types.AttributeKeyJobID); len(skipped) > 0 {
			t.Fatalf("skipped %v", skipped)
		}
		got = append(got, handled...)
		f.requireBalanced()
	}
	if len(got) != len(want) {
		t.Fatalf("handled %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("handled in order %v, want deadline order %v", got, want)
		}
	}
	// The cursor came round: nothing is left due and the next block starts from the earliest deadline again.
	if has, _ := f.k.ExpiryCursor.Has(f.ctx); has {
		t.Fatal("cursor kept after the last due job")
	}
	for _, id := range want {
		n, _ := strconv.ParseUint(id, 10, 64)
		if j := f.job(n); j.Reassignments != 1 || j.Status != types.JOB_STATUS_PENDING {
			t.Fatalf("job %d: %+v", n, j)
		}
	}
}

func TestReassignmentSkipsExecutorsWhoseValidatorLeftTheBondedSet(t *testing.T) {
	f := newFixture(t)
	v1, _ := f.addExecutor("v1", 1, "tiny-sd")
	_, e2 := f.addExecutor("v2", 1, "tiny-sd")
	user := addr("user")
	f.fund(user, 1_000_000)
	var ids []uint64
	for i := 0; i < 4; i++ {
		res, err := f.msgs.GenerateImage(f.ctx, imageMsg(user))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.JobId)
	}
	// v1 leaves the bonded set: its jobs go to v2 when they are reassigned.
	op, _ := f.val.StringToBytes(v1)
	val := f.staking.vals[string(op)]
	val.Status = stakingtypes.Unbonded
	f.staking.vals[string(op)] = val
	f.freshBlock(f.job(ids[0]).DeadlineHeight + 1)
	for _, id := range ids {
		if j := f.job(id); j.Executor != e2 {
			t.Fatalf("job %d went to %s, want the bonded %s", id, j.Executor, e2)
		}
	}
	f.requireBalanced()
}

// A job nobody answers is refunded less expiry_fee_share of its fee (rounded down), which goes to the fee
// collector; the escrow account keeps exactly the fees of the jobs still pending.
func TestExpiredJobRefundsAllButTheExpiryFeeShare(t *testing.T) {
	for _, tc := range []struct {
		share            string
		refund, retained int64
	}{{"", 1005, 0}, {"0", 1005, 0}, {"0.1", 905, 100}, {"0.0015", 1004, 1}, {"1", 0, 1005}} {
		f := newFixture(t)
		f.addExecutor("v1", 1, "tiny-sd")
		p := types.DefaultParams()
		p.ExpiryFeeShare = tc.share
		f.setParams(p)
		user := addr("user")
		f.fund(user, 10_000)
		m := imageMsg(user)
		m.MaxFee = sdk.NewInt64Coin(denom, 1005)
		res, err := f.msgs.GenerateImage(f.ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		// Answered after its reassignment: paid in full, nothing retained.
		answered, err := f.msgs.GenerateImage(f.ctx, imageMsg(user))
		if err != nil {
			t.Fatal(err)
		}
		f.freshBlock(f.job(res.JobId).DeadlineHeight + 1) // both reassigned
		f.complete(f.job(answered.JobId).Executor, answered.JobId)
		f.freshBlock(f.job(res.JobId).DeadlineHeight + 1) // expired
		if j := f.job(res.JobId); j.Status != types.JOB_STATUS_EXPIRED {
			t.Fatalf("share %q: job %s", tc.share, j.Status)
		}
		if got := f.bank.balance(user).Int64(); got != 10_000-1005-1000+tc.refund {
			t.Errorf("share %q: user has %d, refund should be %d", tc.share, got, tc.refund)
		}
		if got := f.bank.balance(authtypes.NewModuleAddress(authtypes.FeeCollectorName)).Int64(); got != tc.retained {
			t.Errorf("share %q: fee collector has %d, want %d", tc.share, got, tc.retained)
		}
		if !f.hasEvent(types.EventTypeJobExpired, types.AttributeKeyAmount, sdk.NewInt64Coin(denom, tc.refund).String()) {
			t.Errorf("share %q: no ml_job_expired event with amount %d%s", tc.share, tc.refund, denom)
		}
		f.requireBalanced()
	}
}
