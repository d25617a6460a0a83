package keeper_test

import (
	"bytes"
	"errors"
	"testing"

	errorsmod "cosmossdk.io/errors"

	"cosmossdk.io/x/tx/signing"
	gogoproto "github.com/cosmos/gogoproto/proto"

	"github.com/cosmos/cosmos-sdk/codec"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

func requireErrIs(t *testing.T, err, want error) {
	t.Helper()
	if err == nil || !errors.Is(err, want) {
		t.Fatalf("expected error %v, got %v", want, err)
	}
}

func TestRegisterExecutorRules(t *testing.T) {
	f := newFixture(t)
	bonded := f.addValidator("val-a", stakingtypes.Bonded)
	unbonded := f.addValidator("val-b", stakingtypes.Unbonded)
	exec := addr("exec-a").String()
	msg := func(op string) *types.MsgRegisterExecutor {
		return &types.MsgRegisterExecutor{Operator: op, Executor: exec, EncryptionPubkey: make([]byte, 32), Models: []string{"tiny-sd"}, Devices: 1}
	}

	_, err := f.msgs.RegisterExecutor(f.ctx, msg(unbonded))
	requireErrIs(t, err, types.ErrNotBondedValidator)
	unknown, _ := f.val.BytesToString(sdk.ValAddress(addr("nobody")))
	_, err = f.msgs.RegisterExecutor(f.ctx, msg(unknown))
	requireErrIs(t, err, types.ErrNotBondedValidator)

	bad := msg(bonded)
	bad.EncryptionPubkey = make([]byte, 31)
	_, err = f.msgs.RegisterExecutor(f.ctx, bad)
	requireErrIs(t, err, types.ErrInvalidExecutor)
	bad = msg(bonded)
	bad.Devices = 0
	_, err = f.msgs.RegisterExecutor(f.ctx, bad)
	requireErrIs(t, err, types.ErrInvalidExecutor)
	bad = msg(bonded)
	bad.Models = []string{"tiny-sd", "tiny-sd"}
	_, err = f.msgs.RegisterExecutor(f.ctx, bad)
	requireErrIs(t, err, types.ErrInvalidExecutor)

	if _, err := f.msgs.RegisterExecutor(f.ctx, msg(bonded)); err != nil {
		t.Fatal(err)
	}
	if !f.hasEvent(types.EventTypeExecutorProposed, types.AttributeKeyOperator, bonded) {
		t.Fatal("missing ml_executor_proposed event")
	}
	if f.hasEvent(types.EventTypeExecutorRegistered, types.AttributeKeyOperator, bonded) {
		t.Fatal("ml_executor_registered before the executor accepted")
	}
	if _, err := f.msgs.AcceptExecutor(f.ctx, &types.MsgAcceptExecutor{Executor: exec, Operator: bonded}); err != nil {
		t.Fatal(err)
	}
	if !f.hasEvent(types.EventTypeExecutorRegistered, types.AttributeKeyOperator, bonded) {
		t.Fatal("missing ml_executor_registered event")
	}
	// Re-register updates models and the executor account once the new account accepts.
	upd := msg(bonded)
	upd.Models = []string{"sd-2.1", "tiny-chat"}
	upd.Executor = addr("exec-a2").String()
	upd.Devices = 2
	if _, err := f.msgs.RegisterExecutor(f.ctx, upd); err != nil {
		t.Fatal(err)
	}
	if e, _ := f.k.Executors.Get(f.ctx, bonded); e.Executor != exec || len(e.Models) != 1 {
		t.Fatalf("a proposal changed the executor before acceptance: %+v", e)
	}
	if _, err := f.msgs.AcceptExecutor(f.ctx, &types.MsgAcceptExecutor{Executor: upd.Executor, Operator: bonded}); err != nil {
		t.Fatal(err)
	}
	e, err := f.k.Executors.Get(f.ctx, bonded)
	if err != nil || e.Executor != upd.Executor || len(e.Models) != 2 || e.Devices != 2 || !e.Active {
		t.Fatalf("executor not updated: %+v %v", e, err)
	}
	if has, _ := f.k.ExecutorByAccount.Has(f.ctx, exec); has {
		t.Fatal("old executor account index entry was kept")
	}
	// Another validator cannot claim the same executor account.
	other := f.addValidator("val-c", stakingtypes.Bonded)
	steal := msg(other)
	steal.Executor = upd.Executor
	_, err = f.msgs.RegisterExecutor(f.ctx, steal)
	requireErrIs(t, err, types.ErrExecutorAccountUsed)

	// Retire.
	if _, err := f.msgs.RetireExecutor(f.ctx, &types.MsgRetireExecutor{Operator: bonded}); err != nil {
		t.Fatal(err)
	}
	e, _ = f.k.Executors.Get(f.ctx, bonded)
	if e.Active {
		t.Fatal("retired executor still active")
	}
	if !f.hasEvent(types.EventTypeExecutorRetired, types.AttributeKeyOperator, bonded) {
		t.Fatal("missing ml_executor_retired event")
	}
	_, err = f.msgs.RetireExecutor(f.ctx, &types.MsgRetireExecutor{Operator: other})
	requireErrIs(t, err, types.ErrExecutorNotFound)
}

func TestGenerateImageValidation(t *testing.T) {
	f := newFixture(t)
	f.addExecutor("v1", 1, "tiny-sd", "tiny-audio", "tiny-chat")
	user := addr("user")
	f.fund(user, 1_000_000)
	cases := []struct {
		name string
		mod  func(m *types.MsgGenerateImage)
		want error
	}{
		{"no prompt", func(m *types.MsgGenerateImage) { m.Prompt = "" }, types.ErrInvalidRequest},
		{"prompt and sealed", func(m *types.MsgGenerateImage) { m.SealedPrompt = []byte{1, 2, 3} }, types.ErrInvalidRequest},
		{"prompt too long", func(m *types.MsgGenerateImage) { m.Prompt = string(make([]byte, 2049)) }, types.ErrInvalidRequest},
		{"bad utf8", func(m *types.MsgGenerateImage) { m.Prompt = "\xff\xfe" }, types.ErrInvalidRequest},
		{"unknown model", func(m *types.MsgGenerateImage) { m.Model = "dall-e" }, types.ErrModelNotAllowed},
		{"width not multiple of 8", func(m *types.MsgGenerateImage) { m.Width = 65 }, types.ErrInvalidRequest},
		{"height too big", func(m *types.MsgGenerateImage) { m.Height = 1032 }, types.ErrInvalidRequest},
		{"zero steps", func(m *types.MsgGenerateImage) { m.Steps = 0 }, types.ErrInvalidRequest},
		{"too many steps", func(m *types.MsgGenerateImage) { m.Steps = 151 }, types.ErrInvalidRequest},
		{"guidance too high", func(m *types.MsgGenerateImage) { m.GuidanceScale = "30.5" }, types.ErrInvalidRequest},
		{"guidance negative", func(m *types.MsgGenerateImage) { m.GuidanceScale = "-1" }, types.ErrInvalidRequest},
		{"guidance not a number", func(m *types.MsgGenerateImage) { m.GuidanceScale = "high" }, types.ErrInvalidRequest},
		{"bad scheduler", func(m *types.MsgGenerateImage) { m.Scheduler = "unipc" }, types.ErrInvalidRequest},
		{"too many images", func(m *types.MsgGenerateImage) { m.NumImages = 5 }, types.ErrInvalidRequest},
		{"bad reply key", func(m *types.MsgGenerateImage) { m.ReplyPubkey = make([]byte, 16) }, types.ErrInvalidRequest},
		{"fee denom", func(m *types.MsgGenerateImage) { m.MaxFee = sdk.NewInt64Coin("uluna", 5000) }, types.ErrFeeDenomNotAccepted},
		{"fee too low", func(m *types.MsgGenerateImage) { m.MaxFee = sdk.NewInt64Coin(denom, 999) }, types.ErrInvalidFee},
		{"no fee", func(m *types.MsgGenerateImage) { m.MaxFee = sdk.Coin{} }, types.ErrInvalidFee},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := imageMsg(user)
			c.mod(m)
			_, err := f.msgs.GenerateImage(f.ctx, m)
			requireErrIs(t, err, c.want)
			if got := f.bank.balance(user).Int64(); got != 1_000_000 {
				t.Fatalf("balance changed on a refused request: %d", got)
			}
		})
	}
	// Boundaries that are accepted.
	ok := imageMsg(user)
	ok.Width, ok.Height, ok.Steps, ok.GuidanceScale, ok.NumImages = 1024, 8, 150, "30", 4
	ok.ReplyPubkey = make([]byte, 32)
	if _, err := f.msgs.GenerateImage(f.ctx, ok); err != nil {
		t.Fatal(err)
	}
	sealed := imageMsg(user)
	sealed.Prompt, sealed.SealedPrompt = "", make([]byte, 2048+72)
	sealed.GuidanceScale, sealed.Scheduler, sealed.NumImages = "", "", 0
	res, err := f.msgs.GenerateImage(f.ctx, sealed)
	if err != nil {
		t.Fatal(err)
	}
	j := f.job(res.JobId)
	if j.Image.GuidanceScale != types.DefaultGuidanceScale || j.Image.Scheduler != types.DefaultScheduler || j.Image.NumImages != 1 {
		t.Fatalf("defaults not applied: %+v", j.Image)
	}
}

func TestAudioAndChatValidation(t *testing.T) {
	f := newFixture(t)
	f.addExecutor("v1", 1, "tiny-audio", "tiny-chat")
	user := addr("user")
	f.fund(user, 1_000_000)
	fee := sdk.NewInt64Coin(denom, 1000)
	audio := func() *types.MsgGenerateAudio {
		return &types.MsgGenerateAudio{Creator: user.String(), Prompt: "lofi beat", Model: "tiny-audio", DurationMs: 5000, Steps: 10, MaxFee: fee}
	}
	a := audio()
	a.DurationMs = 30001
	_, err := f.msgs.GenerateAudio(f.ctx, a)
	requireErrIs(t, err, types.ErrInvalidRequest)
	a = audio()
	a.DurationMs = 0
	_, err = f.msgs.GenerateAudio(f.ctx, a)
	requireErrIs(t, err, types.ErrInvalidRequest)
	res, err := f.msgs.GenerateAudio(f.ctx, audio())
	if err != nil {
		t.Fatal(err)
	}
	if j := f.job(res.JobId); j.Kind != types.JOB_KIND_AUDIO || j.Audio == nil || j.Audio.DurationMs != 5000 {
		t.Fatalf("bad audio job %+v", j)
	}
	if !f.hasEvent(types.EventTypeJobCreated, types.AttributeKeyKind, "audio") {
		t.Fatal("missing ml_job_created kind=audio")
	}

	chat := func() *types.MsgChat {
		return &types.MsgChat{Creator: user.String(), Prompt: "hi", Model: "tiny-chat", MaxTokens: 16, Temperature: "0", MaxFee: fee}
	}
	c := chat()
	c.Temperature = "2.01"
	_, err = f.msgs.Chat(f.ctx, c)
	requireErrIs(t, err, types.ErrInvalidRequest)
	c = chat()
	c.MaxTokens = 1025
	_, err = f.msgs.Chat(f.ctx, c)
	requireErrIs(t, err, types.ErrInvalidRequest)
	c = chat()
	c.Temperature = "2"
	res2, err := f.msgs.Chat(f.ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if j := f.job(res2.JobId); j.Kind != types.JOB_KIND_CHAT || j.Chat.Temperature != "2" || j.Id != res.JobId+1 {
		t.Fatalf("bad chat job %+v", j)
	}
}

func TestNoExecutorEscrowsNothing(t *testing.T) {
	f := newFixture(t)
	user := addr("user")
	f.fund(user, 5000)
	_, err := f.msgs.GenerateImage(f.ctx, imageMsg(user))
	requireErrIs(t, err, types.ErrNoExecutor)
	// An executor that does not serve the model, or a retired one, is not eligible either.
	val, _ := f.addExecutor("v1", 1, "sd-2.1")
	_, err = f.msgs.GenerateImage(f.ctx, imageMsg(user))
	requireErrIs(t, err, types.ErrNoExecutor)
	f.addExecutor("v2", 1, "tiny-sd")
	_, _ = f.msgs.RetireExecutor(f.ctx, &types.MsgRetireExecutor{Operator: f.addValidator("v2", stakingtypes.Bonded)})
	_, err = f.msgs.GenerateImage(f.ctx, imageMsg(user))
	requireErrIs(t, err, types.ErrNoExecutor)
	if f.bank.balance(user).Int64() != 5000 {
		t.Fatal("fee escrowed without an executor")
	}
	if _, err := f.k.Jobs.Get(f.ctx, 1); err == nil {
		t.Fatal("job stored without an executor")
	}
	_ = val
}

func TestInsufficientFunds(t *testing.T) {
	f := newFixture(t)
	f.addExecutor("v1", 1, "tiny-sd")
	user := addr("poor")
	f.fund(user, 10)
	_, err := f.msgs.GenerateImage(f.ctx, imageMsg(user))
	if err == nil {
		t.Fatal("expected escrow failure")
	}
	if n, _ := f.k.NextJobID.Peek(f.ctx); n > 1 {
		t.Fatalf("job id consumed by a failed request: next=%d", n)
	}
}

func TestAssignmentIsEvenAndDeterministic(t *testing.T) {
	f := newFixture(t)
	_, e1 := f.addExecutor("v1", 1, "tiny-sd")
	_, e2 := f.addExecutor("v2", 1, "tiny-sd")
	_, e3 := f.addExecutor("v3", 2, "tiny-sd")
	user := addr("user")
	f.fund(user, 1_000_000)
	counts := map[string]int{}
	for i := 0; i < 8; i++ {
		res, err := f.msgs.GenerateImage(f.ctx, imageMsg(user))
		if err != nil {
			t.Fatal(err)
		}
		j := f.job(res.JobId)
		counts[j.Executor]++
		if j.DeadlineHeight != f.ctx.BlockHeight()+types.DefaultJobTimeoutBlocks || j.Status != types.JOB_STATUS_PENDING {
			t.Fatalf("bad job %+v", j)
		}
	}
	// load = pending/devices: the 2-device executor takes twice as many.
	if counts[e1] != 2 || counts[e2] != 2 || counts[e3] != 4 {
		t.Fatalf("uneven assignment: %v", counts)
	}
	// Escrow: 8 * 1000 in the module account.
	if got := f.bank.balance(authtypes.NewModuleAddress(types.ModuleName)).Int64(); got != 8000 {
		t.Fatalf("escrow = %d", got)
	}
	ex, _ := f.k.Executors.Get(f.ctx, f.addValidator("v3", stakingtypes.Bonded))
	if ex.JobsAssigned != 4 {
		t.Fatalf("jobs_assigned = %d", ex.JobsAssigned)
	}
}

func TestSubmitResultPaysAndRefunds(t *testing.T) {
	f := newFixture(t)
	_, exec := f.addExecutor("v1", 1, "tiny-sd")
	execAddr, _ := sdk.AccAddressFromBech32(exec)
	user := addr("user")
	f.fund(user, 10_000)
	r1, _ := f.msgs.GenerateImage(f.ctx, imageMsg(user))
	r2, _ := f.msgs.GenerateImage(f.ctx, imageMsg(user))
	if f.bank.balance(user).Int64() != 8000 {
		t.Fatal("escrow not taken")
	}
	good := &types.MsgSubmitResult{Executor: exec, JobId: r1.JobId, OutputSha256: sha("png"), OutputUri: "http://127.0.0.1:8080/outputs/x", Mime: "image/png"}

	// Only the assigned executor.
	intruder := *good
	intruder.Executor = addr("intruder").String()
	_, err := f.msgs.SubmitResult(f.ctx, &intruder)
	requireErrIs(t, err, types.ErrNotAssignedExecutor)
	// The hash must be 64 lowercase hex chars.
	for _, h := range []string{"", "abc", sha("png")[:63] + "G", "ABCDEF" + sha("png")[6:]} {
		bad := *good
		bad.OutputSha256 = h
		_, err := f.msgs.SubmitResult(f.ctx, &bad)
		requireErrIs(t, err, types.ErrInvalidResult)
	}
	_, err = f.msgs.SubmitResult(f.ctx, &types.MsgSubmitResult{Executor: exec, JobId: 99, OutputSha256: sha("x")})
	requireErrIs(t, err, types.ErrJobNotFound)

	f.ctx = f.ctx.WithBlockHeight(12)
	if _, err := f.msgs.SubmitResult(f.ctx, good); err != nil {
		t.Fatal(err)
	}
	j := f.job(r1.JobId)
	if j.Status != types.JOB_STATUS_COMPLETED || j.Result == nil || j.Result.OutputSha256 != good.OutputSha256 || j.Result.Height != 12 {
		t.Fatalf("bad completed job %+v", j)
	}
	if f.bank.balance(execAddr).Int64() != 1000 {
		t.Fatal("executor not paid")
	}
	if !f.hasEvent(types.EventTypeJobCompleted, types.AttributeKeyOutputSHA256, good.OutputSha256) {
		t.Fatal("missing ml_job_completed event")
	}
	// A second result is refused.
	_, err = f.msgs.SubmitResult(f.ctx, good)
	requireErrIs(t, err, types.ErrJobNotPending)

	// An error result fails the job and refunds.
	_, err = f.msgs.SubmitResult(f.ctx, &types.MsgSubmitResult{Executor: exec, JobId: r2.JobId, Error: "model not loaded"})
	if err != nil {
		t.Fatal(err)
	}
	if j := f.job(r2.JobId); j.Status != types.JOB_STATUS_FAILED || j.Result.Error != "model not loaded" {
		t.Fatalf("bad failed job %+v", j)
	}
	if f.bank.balance(user).Int64() != 9000 {
		t.Fatalf("refund missing: %s", f.bank.balance(user))
	}
	if !f.hasEvent(types.EventTypeJobFailed, types.AttributeKeyJobID, "2") {
		t.Fatal("missing ml_job_failed event")
	}
	e, _ := f.k.Executors.Get(f.ctx, f.addValidator("v1", stakingtypes.Bonded))
	if e.JobsCompleted != 1 {
		t.Fatalf("jobs_completed = %d", e.JobsCompleted)
	}
	if n, _ := f.k.PendingByExecutor.Get(f.ctx, exec); n != 0 {
		t.Fatalf("pending count left at %d", n)
	}
	if got := f.bank.balance(authtypes.NewModuleAddress(types.ModuleName)).Int64(); got != 0 {
		t.Fatalf("escrow left: %d", got)
	}
}

func TestDeadlineReassignsOnceThenExpires(t *testing.T) {
	f := newFixture(t)
	_, e1 := f.addExecutor("v1", 1, "tiny-sd")
	_, e2 := f.addExecutor("v2", 1, "tiny-sd")
	user := addr("user")
	f.fund(user, 10_000)
	res, _ := f.msgs.GenerateImage(f.ctx, imageMsg(user))
	j := f.job(res.JobId)
	first := j.Executor
	deadline := j.DeadlineHeight

	f.endBlock(deadline) // at the deadline height itself: still pending, same executor
	if j := f.job(res.JobId); j.Reassignments != 0 || j.Executor != first {
		t.Fatalf("reassigned too early: %+v", j)
	}
	f.endBlock(deadline + 1)
	j = f.job(res.JobId)
	if j.Reassignments != 1 || j.Executor == first || j.Status != types.JOB_STATUS_PENDING || j.DeadlineHeight != deadline+1+types.DefaultJobTimeoutBlocks {
		t.Fatalf("bad reassignment: %+v (first %s)", j, first)
	}
	if j.Executor != e1 && j.Executor != e2 {
		t.Fatal("reassigned to a stranger")
	}
	if !f.hasEvent(types.EventTypeJobReassigned, types.AttributeKeyExecutor, j.Executor) {
		t.Fatal("missing ml_job_reassigned event")
	}
	// The first executor can no longer answer.
	_, err := f.msgs.SubmitResult(f.ctx, &types.MsgSubmitResult{Executor: first, JobId: j.Id, OutputSha256: sha("late")})
	requireErrIs(t, err, types.ErrNotAssignedExecutor)

	f.endBlock(j.DeadlineHeight + 1)
	j = f.job(res.JobId)
	if j.Status != types.JOB_STATUS_EXPIRED {
		t.Fatalf("not expired: %+v", j)
	}
	if f.bank.balance(user).Int64() != 10_000 {
		t.Fatal("expired job not refunded")
	}
	if !f.hasEvent(types.EventTypeJobExpired, types.AttributeKeyJobID, "1") {
		t.Fatal("missing ml_job_expired event")
	}
	if has, _ := f.k.PendingByDeadline.Has(f.ctx, collectionsJoin(j.DeadlineHeight, j.Id)); has {
		t.Fatal("expired job still in the deadline index")
	}
}

func TestReassignToSameWhenAlone(t *testing.T) {
	f := newFixture(t)
	_, e1 := f.addExecutor("v1", 1, "tiny-sd")
	user := addr("user")
	f.fund(user, 10_000)
	res, _ := f.msgs.GenerateImage(f.ctx, imageMsg(user))
	f.endBlock(f.job(res.JobId).DeadlineHeight + 1)
	if j := f.job(res.JobId); j.Executor != e1 || j.Reassignments != 1 || j.Status != types.JOB_STATUS_PENDING {
		t.Fatalf("bad lone reassignment %+v", j)
	}
	// The executor can still answer after the reassignment.
	if _, err := f.msgs.SubmitResult(f.ctx, &types.MsgSubmitResult{Executor: e1, JobId: res.JobId, OutputSha256: sha("ok")}); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateParams(t *testing.T) {
	f := newFixture(t)
	p := types.DefaultParams()
	p.JobTimeoutBlocks = 40
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: addr("x").String(), Params: p})
	requireErrIs(t, err, types.ErrUnauthorized)
	gov := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	bad := p
	bad.MaxImageSize = 100
	_, err = f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: gov, Params: bad})
	requireErrIs(t, err, types.ErrInvalidParams)
	if _, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: gov, Params: p}); err != nil {
		t.Fatal(err)
	}
	got, _ := f.k.Params.Get(f.ctx)
	if got.JobTimeoutBlocks != 40 {
		t.Fatal("params not stored")
	}
}

func TestErrorCodesAreRegistered(t *testing.T) {
	for _, e := range []*errorsmod.Error{types.ErrInvalidRequest, types.ErrNoExecutor, types.ErrNotAssignedExecutor, types.ErrJobNotPending} {
		if e.Codespace() != "ml" {
			t.Fatalf("codespace %q", e.Codespace())
		}
	}
}

// A validator that unbonds (or is jailed) after registering stops receiving jobs.
func TestUnbondedValidatorGetsNoJobs(t *testing.T) {
	f := newFixture(t)
	f.addExecutor("v1", 1, "tiny-sd")
	_, exec2 := f.addExecutor("v2", 1, "tiny-sd")
	f.addValidator("v1", stakingtypes.Unbonding)
	user := addr("user")
	f.fund(user, 100_000)
	for i := 0; i < 3; i++ {
		res, err := f.msgs.GenerateImage(f.ctx, imageMsg(user))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.job(res.JobId).Executor; got != exec2 {
			t.Fatalf("job %d went to %s, want the bonded validator's executor %s", res.JobId, got, exec2)
		}
	}
	f.addValidator("v2", stakingtypes.Unbonded)
	if _, err := f.msgs.GenerateImage(f.ctx, imageMsg(user)); err == nil {
		t.Fatal("a job was assigned with no bonded validator serving the model")
	}
}

func TestProposedExecutorGetsNoJobsUntilItAccepts(t *testing.T) {
	f := newFixture(t)
	val := f.addValidator("val-a", stakingtypes.Bonded)
	exec := addr("exec-a").String()
	if _, err := f.msgs.RegisterExecutor(f.ctx, &types.MsgRegisterExecutor{
		Operator: val, Executor: exec, EncryptionPubkey: make([]byte, 32), Models: []string{"tiny-sd"}, Devices: 1,
	}); err != nil {
		t.Fatal(err)
	}
	user := addr("user")
	f.fund(user, 10_000)
	_, err := f.msgs.GenerateImage(f.ctx, imageMsg(user))
	requireErrIs(t, err, types.ErrNoExecutor)
	if _, err := f.queries.Executor(f.ctx, &types.QueryExecutorRequest{Address: exec}); err == nil {
		t.Fatal("a proposed executor is listed before it accepted")
	}

	if _, err := f.msgs.AcceptExecutor(f.ctx, &types.MsgAcceptExecutor{Executor: exec, Operator: val}); err != nil {
		t.Fatal(err)
	}
	res, err := f.msgs.GenerateImage(f.ctx, imageMsg(user))
	if err != nil {
		t.Fatal(err)
	}
	if j := f.job(res.JobId); j.Executor != exec {
		t.Fatalf("job went to %s, want %s", j.Executor, exec)
	}
	// The proposal is used up: accepting again finds nothing.
	_, err = f.msgs.AcceptExecutor(f.ctx, &types.MsgAcceptExecutor{Executor: exec, Operator: val})
	requireErrIs(t, err, types.ErrExecutorNotFound)
}

func TestForeignAccountCannotBeClaimed(t *testing.T) {
	f := newFixture(t)
	// The user's account belongs to operator B; operator A proposes it without the user's consent.
	valA := f.addValidator("val-a", stakingtypes.Bonded)
	valB := f.addValidator("val-b", stakingtypes.Bonded)
	userAcc := addr("user-account").String()
	propose := func(op string) {
		t.Helper()
		if _, err := f.msgs.RegisterExecutor(f.ctx, &types.MsgRegisterExecutor{
			Operator: op, Executor: userAcc, EncryptionPubkey: make([]byte, 32), Models: []string{"tiny-sd"}, Devices: 1,
		}); err != nil {
			t.Fatal(err)
		}
	}
	propose(valA)
	if has, _ := f.k.ExecutorByAccount.Has(f.ctx, userAcc); has {
		t.Fatal("a proposal claimed the account")
	}
	// The rightful operator can still register it, and the account accepts that one.
	propose(valB)
	if _, err := f.msgs.AcceptExecutor(f.ctx, &types.MsgAcceptExecutor{Executor: userAcc, Operator: valB}); err != nil {
		t.Fatal(err)
	}
	if op, err := f.k.ExecutorByAccount.Get(f.ctx, userAcc); err != nil || op != valB {
		t.Fatalf("account owned by %q (%v), want %s", op, err, valB)
	}
	// A's pending proposal can no longer take it, and new proposals from A are refused.
	_, err := f.msgs.AcceptExecutor(f.ctx, &types.MsgAcceptExecutor{Executor: userAcc, Operator: valA})
	requireErrIs(t, err, types.ErrExecutorAccountUsed)
	_, err = f.msgs.RegisterExecutor(f.ctx, &types.MsgRegisterExecutor{
		Operator: valA, Executor: userAcc, EncryptionPubkey: make([]byte, 32), Models: []string{"tiny-sd"}, Devices: 1,
	})
	requireErrIs(t, err, types.ErrExecutorAccountUsed)
	if _, err := f.k.Executors.Get(f.ctx, valA); err == nil {
		t.Fatal("operator A got an executor")
	}
}

func TestAcceptanceByWrongSignerIsRefused(t *testing.T) {
	f := newFixture(t)
	val := f.addValidator("val-a", stakingtypes.Bonded)
	exec := addr("exec-a").String()
	if _, err := f.msgs.RegisterExecutor(f.ctx, &types.MsgRegisterExecutor{
		Operator: val, Executor: exec, EncryptionPubkey: make([]byte, 32), Models: []string{"tiny-sd"}, Devices: 1,
	}); err != nil {
		t.Fatal(err)
	}
	// The message's signer is its executor field (cosmos.msg.v1.signer), so another account can only name itself.
	intruder := addr("intruder").String()
	_, err := f.msgs.AcceptExecutor(f.ctx, &types.MsgAcceptExecutor{Executor: intruder, Operator: val})
	requireErrIs(t, err, types.ErrUnauthorized)
	if _, err := f.k.Executors.Get(f.ctx, val); err == nil {
		t.Fatal("the wrong signer activated the proposal")
	}
	if has, _ := f.k.ExecutorByAccount.Has(f.ctx, intruder); has {
		t.Fatal("the intruder became an executor")
	}
	// Unknown operator, and an operator that unbonded between proposal and acceptance.
	other, _ := f.val.BytesToString(sdk.ValAddress(addr("nobody")))
	_, err = f.msgs.AcceptExecutor(f.ctx, &types.MsgAcceptExecutor{Executor: exec, Operator: other})
	requireErrIs(t, err, types.ErrExecutorNotFound)
	v := f.staking.vals[string(addr("val-a"))]
	v.Status = stakingtypes.Unbonding
	f.staking.vals[string(addr("val-a"))] = v
	_, err = f.msgs.AcceptExecutor(f.ctx, &types.MsgAcceptExecutor{Executor: exec, Operator: val})
	requireErrIs(t, err, types.ErrNotBondedValidator)
}

func TestAcceptExecutorSignerIsTheExecutorAccount(t *testing.T) {
	reg, err := codectypes.NewInterfaceRegistryWithOptions(codectypes.InterfaceRegistryOptions{
		ProtoFiles:     gogoproto.HybridResolver,
		SigningOptions: signing.Options{AddressCodec: addresscodec.NewBech32Codec("mlc"), ValidatorAddressCodec: addresscodec.NewBech32Codec("mlcvaloper")},
	})
	if err != nil {
		t.Fatal(err)
	}
	types.RegisterInterfaces(reg)
	signers, _, err := codec.NewProtoCodec(reg).GetMsgV1Signers(&types.MsgAcceptExecutor{Executor: addr("exec-a").String(), Operator: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(signers) != 1 || !bytes.Equal(signers[0], addr("exec-a")) {
		t.Fatalf("signers %x, want the executor account", signers)
	}
}
