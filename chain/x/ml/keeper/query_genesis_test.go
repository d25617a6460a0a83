package keeper_test

import (
	"encoding/hex"
	"encoding/json"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cosmossdk.io/x/tx/signing"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	gogoproto "github.com/cosmos/gogoproto/proto"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/types/query"

	icatypes "github.com/cosmos/ibc-go/v10/modules/apps/27-interchain-accounts/types"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

func TestQueries(t *testing.T) {
	f := newFixture(t)
	val1, e1 := f.addExecutor("v1", 1, "tiny-sd")
	_, e2 := f.addExecutor("v2", 1, "tiny-sd")
	alice, bob := addr("alice"), addr("bob")
	f.fund(alice, 100_000)
	f.fund(bob, 100_000)
	for i := 0; i < 3; i++ {
		_, _ = f.msgs.GenerateImage(f.ctx, imageMsg(alice))
		_, _ = f.msgs.GenerateImage(f.ctx, imageMsg(bob))
	}
	// Complete job 1 (assigned to whoever).
	j1 := f.job(1)
	if _, err := f.msgs.SubmitResult(f.ctx, &types.MsgSubmitResult{Executor: j1.Executor, JobId: 1, OutputSha256: sha("1")}); err != nil {
		t.Fatal(err)
	}

	p, err := f.queries.Params(f.ctx, &types.QueryParamsRequest{})
	if err != nil || p.Params.MaxSteps != types.DefaultMaxSteps {
		t.Fatal(p, err)
	}
	if _, err := f.queries.Job(f.ctx, &types.QueryJobRequest{Id: 77}); err == nil {
		t.Fatal("missing job found")
	}
	ids := func(r *types.QueryJobsResponse) []uint64 {
		var out []uint64
		for _, j := range r.Jobs {
			out = append(out, j.Id)
		}
		return out
	}
	all, err := f.queries.Jobs(f.ctx, &types.QueryJobsRequest{})
	if err != nil || !reflect.DeepEqual(ids(all), []uint64{1, 2, 3, 4, 5, 6}) {
		t.Fatal(ids(all), err)
	}
	byAlice, _ := f.queries.Jobs(f.ctx, &types.QueryJobsRequest{Requester: alice.String()})
	if !reflect.DeepEqual(ids(byAlice), []uint64{1, 3, 5}) {
		t.Fatal(ids(byAlice))
	}
	pending, _ := f.queries.Jobs(f.ctx, &types.QueryJobsRequest{Status: types.JOB_STATUS_PENDING})
	if !reflect.DeepEqual(ids(pending), []uint64{2, 3, 4, 5, 6}) {
		t.Fatal(ids(pending))
	}
	alicePending, _ := f.queries.Jobs(f.ctx, &types.QueryJobsRequest{Requester: alice.String(), Status: types.JOB_STATUS_PENDING})
	if !reflect.DeepEqual(ids(alicePending), []uint64{3, 5}) {
		t.Fatal(ids(alicePending))
	}
	byE1, _ := f.queries.Jobs(f.ctx, &types.QueryJobsRequest{Executor: e1})
	byE2, _ := f.queries.Jobs(f.ctx, &types.QueryJobsRequest{Executor: e2})
	if len(byE1.Jobs)+len(byE2.Jobs) != 6 || len(byE1.Jobs) != 3 {
		t.Fatal(ids(byE1), ids(byE2))
	}
	// The executor's poll (executor + PENDING) walks the pending set: same answer as filtering its history.
	for _, e := range []string{e1, e2} {
		hist, _ := f.queries.Jobs(f.ctx, &types.QueryJobsRequest{Executor: e})
		var want []uint64
		for _, j := range hist.Jobs {
			if j.Status == types.JOB_STATUS_PENDING {
				want = append(want, j.Id)
			}
		}
		got, err := f.queries.Jobs(f.ctx, &types.QueryJobsRequest{Executor: e, Status: types.JOB_STATUS_PENDING})
		if err != nil || !reflect.DeepEqual(ids(got), want) || len(want) == 0 {
			t.Fatal(e, ids(got), want, err)
		}
	}
	// Pagination by key.
	page1, _ := f.queries.Jobs(f.ctx, &types.QueryJobsRequest{Pagination: &query.PageRequest{Limit: 4}})
	if len(page1.Jobs) != 4 || page1.Pagination.NextKey == nil {
		t.Fatal("page 1", ids(page1))
	}
	page2, _ := f.queries.Jobs(f.ctx, &types.QueryJobsRequest{Pagination: &query.PageRequest{Key: page1.Pagination.NextKey, Limit: 4}})
	if !reflect.DeepEqual(ids(page2), []uint64{5, 6}) {
		t.Fatal("page 2", ids(page2))
	}
	if _, err := f.queries.Jobs(f.ctx, &types.QueryJobsRequest{Requester: "nope"}); err == nil {
		t.Fatal("bad address accepted")
	}

	byOp, err := f.queries.Executor(f.ctx, &types.QueryExecutorRequest{Address: val1})
	if err != nil || byOp.Executor.Executor != e1 {
		t.Fatal(byOp, err)
	}
	byAcc, err := f.queries.Executor(f.ctx, &types.QueryExecutorRequest{Address: e1})
	if err != nil || byAcc.Executor.Operator != val1 {
		t.Fatal(byAcc, err)
	}
	if _, err := f.queries.Executor(f.ctx, &types.QueryExecutorRequest{Address: alice.String()}); err == nil {
		t.Fatal("non-executor found")
	}
	execs, err := f.queries.Executors(f.ctx, &types.QueryExecutorsRequest{})
	if err != nil || len(execs.Executors) != 2 {
		t.Fatal(execs, err)
	}
}

func TestGenesisRoundTrip(t *testing.T) {
	f := newFixture(t)
	f.addExecutor("v1", 1, "tiny-sd")
	f.addExecutor("v2", 3, "tiny-sd", "tiny-chat")
	user := addr("user")
	f.fund(user, 100_000)
	for i := 0; i < 4; i++ {
		_, _ = f.msgs.GenerateImage(f.ctx, imageMsg(user))
	}
	f.endBlock(f.job(1).DeadlineHeight + 1)
	// A proposal nobody accepted yet travels in genesis too, and stays inactive.
	pending := f.addValidator("v3", stakingtypes.Bonded)
	if _, err := f.msgs.RegisterExecutor(f.ctx, &types.MsgRegisterExecutor{
		Operator: pending, Executor: addr("v3/exec").String(), EncryptionPubkey: make([]byte, 32), Models: []string{"tiny-sd"}, Devices: 1,
	}); err != nil {
		t.Fatal(err)
	}
	gs, err := f.k.ExportGenesis(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := gs.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(gs.ExecutorProposals) != 1 || gs.ExecutorProposals[0].Operator != pending || gs.ExecutorProposals[0].Active {
		t.Fatalf("export: proposals %+v", gs.ExecutorProposals)
	}
	if gs.NextJobId != 5 || len(gs.Jobs) != 4 || len(gs.Executors) != 2 {
		t.Fatalf("export: next=%d jobs=%d execs=%d", gs.NextJobId, len(gs.Jobs), len(gs.Executors))
	}
	g := newFixture(t)
	g.ctx = g.ctx.WithBlockHeight(f.ctx.BlockHeight())
	// Staking's own genesis brings the validators back.
	g.addValidator("v1", stakingtypes.Bonded)
	g.addValidator("v2", stakingtypes.Bonded)
	if err := g.k.InitGenesis(g.ctx, *gs); err != nil {
		t.Fatal(err)
	}
	again, _ := g.k.ExportGenesis(g.ctx)
	a, _ := f.cdc.MarshalJSON(gs)
	b, _ := f.cdc.MarshalJSON(again)
	if string(a) != string(b) {
		t.Fatalf("genesis round trip differs:\n%s\n%s", a, b)
	}
	// Indexes were rebuilt: the next job goes to the least loaded executor, with a fresh id.
	g.fund(user, 10_000)
	res, err := g.msgs.GenerateImage(g.ctx, imageMsg(user))
	if err != nil || res.JobId != 5 {
		t.Fatal(res, err)
	}
	pend, _ := g.queries.Jobs(g.ctx, &types.QueryJobsRequest{Status: types.JOB_STATUS_PENDING})
	if len(pend.Jobs) != 5 {
		t.Fatalf("pending after import: %d", len(pend.Jobs))
	}
}

func TestGenesisValidate(t *testing.T) {
	if err := types.DefaultGenesis().Validate(); err != nil {
		t.Fatal(err)
	}
	exec := types.Executor{
		Operator: sdk.ValAddress(addr("v")).String(), Executor: addr("e").String(), EncryptionPubkey: make([]byte, 32),
		Models: []string{"tiny-sd"}, Devices: 1, Active: true,
	}
	job := types.Job{
		Id: 1, Kind: types.JOB_KIND_CHAT, Requester: addr("u").String(), Executor: exec.Executor, Chat: &types.ChatRequest{Prompt: "x", Model: "tiny-chat", MaxTokens: 1},
		Status: types.JOB_STATUS_PENDING, DeadlineHeight: 5, Fee: sdk.NewInt64Coin(denom, 1000),
	}
	cases := map[string]func(gs *types.GenesisState){
		"bad params":          func(gs *types.GenesisState) { gs.Params.JobTimeoutBlocks = 0 },
		"dup operator":        func(gs *types.GenesisState) { gs.Executors = append(gs.Executors, exec) },
		"next id too small":   func(gs *types.GenesisState) { gs.NextJobId = 1 },
		"kind mismatch":       func(gs *types.GenesisState) { gs.Jobs[0].Kind = types.JOB_KIND_IMAGE },
		"two requests":        func(gs *types.GenesisState) { gs.Jobs[0].Image = &types.ImageRequest{} },
		"dup job":             func(gs *types.GenesisState) { gs.Jobs = append(gs.Jobs, gs.Jobs[0]); gs.NextJobId = 9 },
		"bad requester":       func(gs *types.GenesisState) { gs.Jobs[0].Requester = "x" },
		"bad status":          func(gs *types.GenesisState) { gs.Jobs[0].Status = 9 },
		"bad executor pubkey": func(gs *types.GenesisState) { gs.Executors[0].EncryptionPubkey = nil },
	}
	for name, mod := range cases {
		gs := types.GenesisState{Params: types.DefaultParams(), Executors: []types.Executor{exec}, Jobs: []types.Job{job}, NextJobId: 2}
		if err := gs.Validate(); err != nil {
			t.Fatalf("base genesis invalid: %v", err)
		}
		gs.Jobs = append([]types.Job(nil), gs.Jobs...)
		gs.Executors = append([]types.Executor(nil), gs.Executors...)
		mod(&gs)
		if err := gs.Validate(); err == nil {
			t.Errorf("%s: expected an error", name)
		}
	}
}

func TestDefaultParams(t *testing.T) {
	p := types.DefaultParams()
	want := []string{"tiny-sd", "tiny-audio", "tiny-chat", "sd-1.5", "sd-2.1", "sd-turbo", "riffusion-v1", "llama-3-8b"}
	if !reflect.DeepEqual(p.AllowedModels, want) || p.MaxPromptBytes != 2048 || p.MaxSteps != 150 || p.MaxImageSize != 1024 ||
		p.MaxNumImages != 4 || p.MaxDurationMs != 30000 || p.MaxTokens != 1024 || p.JobTimeoutBlocks != 100 ||
		p.MinFee.String() != "1000"+denom {
		t.Fatalf("%+v", p)
	}
	// LUNC flows are off until a network sets its channel; the burn wallet is columbus-5's.
	if p.FeeMinimums.String() != "1000"+denom || p.LuncChannel != "" || p.LuncBaseDenom != "uluna" || p.FlowInterval != 600 ||
		p.BurnAddress != "terra1sk06e3dyexuq4shw77y3dsv480xv42mq73anxu" || p.CommunityAddress != "" ||
		p.FeeSplit != (types.FeeSplit{ExecutorShare: "0.8", BurnShare: "0.1", CommunityShare: "0.1"}) {
		t.Fatalf("%+v", p)
	}
}

// TestEventsJSONMatchesConstants keeps types/events.json (read by the TypeScript side) in step with events.go.
func TestEventsJSONMatchesConstants(t *testing.T) {
	bz, err := os.ReadFile("../types/events.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Events     map[string]string `json:"events"`
		Attributes map[string]string `json:"attributes"`
	}
	if err := json.Unmarshal(bz, &doc); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc.Events, types.EventNames) || !reflect.DeepEqual(doc.Attributes, types.AttributeNames) {
		t.Fatalf("events.json differs from events.go:\n%v\n%v", doc, types.EventNames)
	}
	for k, v := range doc.Events {
		if v != "ml_"+k {
			t.Fatalf("event %s = %s", k, v)
		}
	}
}

func TestICAHostAllowList(t *testing.T) {
	want := []string{
		sdk.MsgTypeURL(&types.MsgGenerateImage{}), sdk.MsgTypeURL(&types.MsgGenerateAudio{}), sdk.MsgTypeURL(&types.MsgChat{}),
		sdk.MsgTypeURL(&types.MsgRegisterExecutor{}), sdk.MsgTypeURL(&types.MsgAcceptExecutor{}), sdk.MsgTypeURL(&types.MsgRetireExecutor{}), sdk.MsgTypeURL(&types.MsgSubmitResult{}),
		"/cosmos.bank.v1beta1.MsgSend",
	}
	if !reflect.DeepEqual(types.ICAHostAllowedMsgs, want) {
		t.Fatalf("%v != %v", types.ICAHostAllowedMsgs, want)
	}
}

// TestICAFixtureGenerateImage decodes the golden packet data written by the TypeScript side
// (fixtures/ica/generate-image.packet-data.proto3.hex) the way the ICA host does, checks it against
// generate-image.expected.json, and runs the message through the msg server.
func TestICAFixtureGenerateImage(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "fixtures", "ica")
	hexBz, err := os.ReadFile(filepath.Join(dir, "generate-image.packet-data.proto3.hex"))
	if err != nil {
		t.Fatalf("golden fixture missing (the TypeScript side writes it): %v", err)
	}
	expBz, err := os.ReadFile(filepath.Join(dir, "generate-image.expected.json"))
	if err != nil {
		t.Fatalf("golden expectations missing: %v", err)
	}
	var exp struct {
		PacketType     string                         `json:"packet_type"`
		Memo           string                         `json:"memo"`
		Messages       int                            `json:"messages"`
		TypeURL        string                         `json:"type_url"`
		Creator        string                         `json:"creator"`
		Prompt         string                         `json:"prompt"`
		NegativePrompt string                         `json:"negative_prompt"`
		Model          string                         `json:"model"`
		Width          uint32                         `json:"width"`
		Height         uint32                         `json:"height"`
		Steps          uint32                         `json:"steps"`
		GuidanceScale  string                         `json:"guidance_scale"`
		Scheduler      string                         `json:"scheduler"`
		Seed           string                         `json:"seed"`
		NumImages      uint32                         `json:"num_images"`
		MaxFee         struct{ Denom, Amount string } `json:"max_fee"`
	}
	if err := json.Unmarshal(expBz, &exp); err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(hexBz)))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := codectypes.NewInterfaceRegistryWithOptions(codectypes.InterfaceRegistryOptions{
		ProtoFiles:     gogoproto.HybridResolver,
		SigningOptions: signing.Options{AddressCodec: addresscodec.NewBech32Codec("mlc"), ValidatorAddressCodec: addresscodec.NewBech32Codec("mlcvaloper")},
	})
	if err != nil {
		t.Fatal(err)
	}
	types.RegisterInterfaces(reg)
	cdc := codecFor(reg)
	var pd icatypes.InterchainAccountPacketData
	if err := cdc.Unmarshal(raw, &pd); err != nil {
		t.Fatal(err)
	}
	if pd.Type.String() != exp.PacketType || pd.Memo != exp.Memo {
		t.Fatalf("packet %s memo %q", pd.Type, pd.Memo)
	}
	msgs, err := icatypes.DeserializeCosmosTx(cdc, pd.Data, icatypes.EncodingProtobuf)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != exp.Messages {
		t.Fatalf("%d messages", len(msgs))
	}
	m, ok := msgs[0].(*types.MsgGenerateImage)
	if !ok || sdk.MsgTypeURL(m) != exp.TypeURL {
		t.Fatalf("unexpected message %T", msgs[0])
	}
	if m.Creator != exp.Creator || m.Prompt != exp.Prompt || m.NegativePrompt != exp.NegativePrompt || m.Model != exp.Model ||
		m.Width != exp.Width || m.Height != exp.Height || m.Steps != exp.Steps || m.GuidanceScale != exp.GuidanceScale ||
		m.Scheduler != exp.Scheduler || m.NumImages != exp.NumImages || m.MaxFee.Denom != exp.MaxFee.Denom ||
		m.MaxFee.Amount.String() != exp.MaxFee.Amount || formatUint(m.Seed) != exp.Seed {
		t.Fatalf("decoded message differs from expected.json: %+v", m)
	}
	// The signer the host checks against the interchain account is the creator.
	signers, _, err := cdc.GetMsgV1Signers(m)
	if err != nil || len(signers) != 1 || sdk.AccAddress(signers[0]).String() != exp.Creator {
		t.Fatalf("signers %v %v", signers, err)
	}
	// And the message is accepted by the msg server.
	f := newFixture(t)
	f.addExecutor("v1", 1, exp.Model)
	creator, _ := sdk.AccAddressFromBech32(m.Creator)
	f.fund(creator, 10_000)
	res, err := f.msgs.GenerateImage(f.ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if j := f.job(res.JobId); j.Requester != exp.Creator || j.Image.Prompt != exp.Prompt {
		t.Fatalf("job %+v", j)
	}
}
