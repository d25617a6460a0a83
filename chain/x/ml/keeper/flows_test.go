package keeper_test

import (
	"errors"
	"math/rand"
	"strings"
	"testing"
	"time"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/bech32"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	porttypes "github.com/cosmos/ibc-go/v10/modules/core/05-port/types"

	"github.com/lunc-ml/lunc-ml/chain/x/ml"
	"github.com/lunc-ml/lunc-ml/chain/x/ml/keeper"
	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

// luncDenom is uluna received over channel-0, the fee denom the flow tests split.
var luncDenom = types.IBCDenom("channel-0", "uluna")

var (
	flowsAddr = authtypes.NewModuleAddress(types.FlowsAccountName)
	burnAddr  = types.DefaultBurnAddress
	// A terra1 address that is not the burn wallet.
	communityAddr = mustBech32("terra", addr("community"))
)

func mustBech32(prefix string, bz []byte) string {
	s, err := bech32.ConvertAndEncode(prefix, bz)
	if err != nil {
		panic(err)
	}
	return s
}

// luncParams accept umlc (min 1000) and LUNC (min 500), split 0.8/0.1/0.1 and flow every 5 blocks on channel-0.
func luncParams() types.Params {
	p := types.DefaultParams()
	p.FeeMinimums = sdk.NewCoins(sdk.NewInt64Coin(denom, 1000), sdk.NewInt64Coin(luncDenom, 500))
	p.LuncChannel = "channel-0"
	p.CommunityAddress = communityAddr
	p.FlowInterval = 5
	return p
}

func (f *fixture) setParams(p types.Params) {
	f.t.Helper()
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: authtypes.NewModuleAddress(govtypes.ModuleName).String(), Params: p})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) fundCoin(a sdk.AccAddress, c sdk.Coin) { f.bank.mint(a, sdk.NewCoins(c)) }

func (f *fixture) amountOf(a sdk.AccAddress, d string) int64 {
	return f.bank.get(f.bank.now(), a).AmountOf(d).Int64()
}

func (f *fixture) requireBalanced() {
	f.t.Helper()
	broken, err := f.k.CheckBalances(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	if broken != "" {
		f.t.Fatalf("invariant broken: %s", broken)
	}
}

func (f *fixture) flows() *types.QueryFlowsResponse {
	f.t.Helper()
	res, err := f.queries.Flows(f.ctx, &types.QueryFlowsRequest{})
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func (f *fixture) denomFlows(d string) types.DenomFlows {
	f.t.Helper()
	for _, x := range f.flows().Denoms {
		if x.Denom == d {
			return x
		}
	}
	f.t.Fatalf("no flows entry for %s", d)
	return types.DenomFlows{}
}

func (f *fixture) complete(exec string, id uint64) {
	f.t.Helper()
	_, err := f.msgs.SubmitResult(f.ctx, &types.MsgSubmitResult{Executor: exec, JobId: id, OutputSha256: sha("out"), OutputUri: "http://127.0.0.1/o", Mime: "image/png"})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) submit(user sdk.AccAddress, fee sdk.Coin) (uint64, error) {
	m := imageMsg(user)
	m.MaxFee = fee
	res, err := f.msgs.GenerateImage(f.ctx, m)
	if err != nil {
		return 0, err
	}
	return res.JobId, nil
}

func TestIBCDenomIsICS20Hash(t *testing.T) {
	// The Cosmos Hub's ATOM over channel-0, as every chain with that path lists it.
	if got := types.IBCDenom("channel-0", "uatom"); got != "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2" {
		t.Fatal(got)
	}
	p := luncParams()
	if p.LuncDenom() != luncDenom {
		t.Fatal(p.LuncDenom())
	}
	p.LuncChannel = ""
	if p.LuncDenom() != "" {
		t.Fatal("no channel, no LUNC denom")
	}
}

func TestFeeDenomsAcceptedAndRefused(t *testing.T) {
	f := newFixture(t)
	f.addExecutor("v1", 1, "tiny-sd")
	f.setParams(luncParams())
	user := addr("user")
	f.fund(user, 10_000)
	f.fundCoin(user, sdk.NewInt64Coin(luncDenom, 10_000))
	f.fundCoin(user, sdk.NewInt64Coin("uatom", 10_000))

	if _, err := f.submit(user, sdk.NewInt64Coin(denom, 1000)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.submit(user, sdk.NewInt64Coin(luncDenom, 500)); err != nil {
		t.Fatal(err)
	}
	_, err := f.submit(user, sdk.NewInt64Coin("uatom", 5000))
	requireErrIs(t, err, types.ErrFeeDenomNotAccepted)
	if !strings.Contains(err.Error(), denom) || !strings.Contains(err.Error(), luncDenom) {
		t.Fatalf("the refusal does not name the accepted denoms: %v", err)
	}
	_, err = f.submit(user, sdk.NewInt64Coin(luncDenom, 499))
	requireErrIs(t, err, types.ErrInvalidFee)
	// Refusals move nothing.
	if f.amountOf(user, "uatom") != 10_000 || f.amountOf(user, luncDenom) != 9_500 || f.amountOf(user, denom) != 9_000 {
		t.Fatalf("balances after refusals: %s", f.bank.get(f.bank.now(), user))
	}
	if d := f.denomFlows(luncDenom); d.Escrowed.Int64() != 500 || d.ModuleBalance.Int64() != 500 {
		t.Fatalf("%+v", d)
	}
	f.requireBalanced()
}

func TestMinFeeAloneIsTheAcceptedDenom(t *testing.T) {
	f := newFixture(t)
	f.addExecutor("v1", 1, "tiny-sd")
	p := types.DefaultParams()
	p.FeeMinimums = nil // params from before fee_minimums: min_fee is the one accepted denom
	f.setParams(p)
	user := addr("user")
	f.fund(user, 10_000)
	f.fundCoin(user, sdk.NewInt64Coin(luncDenom, 10_000))
	if _, err := f.submit(user, sdk.NewInt64Coin(denom, 1000)); err != nil {
		t.Fatal(err)
	}
	_, err := f.submit(user, sdk.NewInt64Coin(luncDenom, 5000))
	requireErrIs(t, err, types.ErrFeeDenomNotAccepted)
}

func TestParamsValidateFeesAndFlows(t *testing.T) {
	for _, p := range []types.Params{types.DefaultParams(), luncParams()} {
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	cases := map[string]func(p *types.Params){
		"shares sum below 1": func(p *types.Params) { p.FeeSplit.BurnShare = "0.05" },
		"share above 1": func(p *types.Params) {
			p.FeeSplit = types.FeeSplit{ExecutorShare: "1.1", BurnShare: "-0.1", CommunityShare: "0"}
		},
		"share not a decimal":        func(p *types.Params) { p.FeeSplit.ExecutorShare = "80%" },
		"empty share":                func(p *types.Params) { p.FeeSplit.CommunityShare = "" },
		"burn address not bech32":    func(p *types.Params) { p.BurnAddress = "terra1notanaddress" },
		"community address too long": func(p *types.Params) { p.CommunityAddress = mustBech32("terra", make([]byte, 100)) },
		"no community address":       func(p *types.Params) { p.CommunityAddress = "" },
		"no burn address":            func(p *types.Params) { p.BurnAddress = "" },
		"channel not a channel id":   func(p *types.Params) { p.LuncChannel = "connection-0" },
		"no flow interval":           func(p *types.Params) { p.FlowInterval = 0 },
		"no base denom":              func(p *types.Params) { p.LuncBaseDenom = "" },
		"min_fee not in minimums":    func(p *types.Params) { p.MinFee = sdk.NewInt64Coin(denom, 5) },
		"duplicate fee denom": func(p *types.Params) {
			p.FeeMinimums = sdk.Coins{sdk.NewInt64Coin(denom, 1), sdk.NewInt64Coin(denom, 2)}
		},
		"no fee denom at all":    func(p *types.Params) { p.FeeMinimums, p.MinFee = nil, sdk.Coin{} },
		"expiry share above 1":   func(p *types.Params) { p.ExpiryFeeShare = "1.01" },
		"expiry share negative":  func(p *types.Params) { p.ExpiryFeeShare = "-0.1" },
		"expiry share a percent": func(p *types.Params) { p.ExpiryFeeShare = "5%" },
	}
	for name, mod := range cases {
		p := luncParams()
		mod(&p)
		if err := p.Validate(); err == nil {
			t.Errorf("%s: expected an error", name)
		}
	}
	// Params stored before expiry_fee_share existed have it empty: nothing retained.
	for _, share := range []string{"", "0", "1", "0.015"} {
		p := luncParams()
		p.ExpiryFeeShare = share
		if err := p.Validate(); err != nil {
			t.Fatalf("expiry_fee_share %q: %v", share, err)
		}
	}
	// Flows off: no receiver is needed, and min_fee may be left empty next to fee_minimums.
	p := luncParams()
	p.LuncChannel, p.CommunityAddress, p.MinFee = "", "", sdk.Coin{}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestSplitSumsExactlyWithRemainderToExecutor(t *testing.T) {
	splits := []types.FeeSplit{
		{ExecutorShare: "0.8", BurnShare: "0.1", CommunityShare: "0.1"},
		{ExecutorShare: "0.333333333333333334", BurnShare: "0.333333333333333333", CommunityShare: "0.333333333333333333"},
		{ExecutorShare: "0", BurnShare: "0.7", CommunityShare: "0.3"},
		{ExecutorShare: "1", BurnShare: "0", CommunityShare: "0"},
	}
	for _, split := range splits {
		sh, err := split.ParseShares()
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int64{0, 1, 2, 3, 7, 9, 10, 99, 1001, 123456789} {
			amt := sdkmath.NewInt(n)
			e, b, c := sh.SplitFee(amt)
			if !e.Add(b).Add(c).Equal(amt) || e.IsNegative() || b.IsNegative() || c.IsNegative() {
				t.Fatalf("%+v %d: %s+%s+%s", split, n, e, b, c)
			}
			// Burn and community are rounded down; only the executor gets the remainder.
			if !b.Equal(sh.Burn.MulInt(amt).TruncateInt()) || !c.Equal(sh.Community.MulInt(amt).TruncateInt()) {
				t.Fatalf("%+v %d: burn %s community %s", split, n, b, c)
			}
		}
	}
	sh, _ := splits[0].ParseShares()
	if e, b, c := sh.SplitFee(sdkmath.NewInt(1009)); e.Int64() != 809 || b.Int64() != 100 || c.Int64() != 100 {
		t.Fatalf("1009: %s %s %s", e, b, c)
	}
}

func TestCompletedJobSplitsLuncAndPaysOtherDenomsWhole(t *testing.T) {
	f := newFixture(t)
	_, exec := f.addExecutor("v1", 1, "tiny-sd")
	execAddr, _ := sdk.AccAddressFromBech32(exec)
	f.setParams(luncParams())
	user := addr("user")
	f.fund(user, 10_000)
	f.fundCoin(user, sdk.NewInt64Coin(luncDenom, 10_000))
	lunc, _ := f.submit(user, sdk.NewInt64Coin(luncDenom, 1009))
	mlc, _ := f.submit(user, sdk.NewInt64Coin(denom, 1009))
	f.complete(exec, lunc)
	f.complete(exec, mlc)

	if f.amountOf(execAddr, luncDenom) != 809 || f.amountOf(execAddr, denom) != 1009 {
		t.Fatalf("executor got %s", f.bank.get(f.bank.now(), execAddr))
	}
	d := f.denomFlows(luncDenom)
	if d.Escrowed.Int64() != 0 || d.PaidToExecutors.Int64() != 809 || d.AccumulatedBurn.Int64() != 100 ||
		d.AccumulatedCommunity.Int64() != 100 || d.ModuleBalance.Int64() != 200 {
		t.Fatalf("lunc flows %+v", d)
	}
	if m := f.denomFlows(denom); m.PaidToExecutors.Int64() != 1009 || m.AccumulatedBurn.Int64() != 0 || m.ModuleBalance.Int64() != 0 {
		t.Fatalf("umlc flows %+v", m)
	}
	if f.flows().LuncDenom != luncDenom {
		t.Fatal("lunc_denom")
	}
	f.requireBalanced()
}

// accumulate completes one 1000-LUNC job: 100 burn and 100 community accumulate.
func (f *fixture) accumulate(exec string) {
	f.t.Helper()
	user := addr("payer")
	f.fundCoin(user, sdk.NewInt64Coin(luncDenom, 1000))
	id, err := f.submit(user, sdk.NewInt64Coin(luncDenom, 1000))
	if err != nil {
		f.t.Fatal(err)
	}
	f.complete(exec, id)
}

func TestFlowSendAndAckSuccess(t *testing.T) {
	f := newFixture(t)
	_, exec := f.addExecutor("v1", 1, "tiny-sd")
	f.setParams(luncParams())
	f.accumulate(exec)

	f.endBlock(14) // not a multiple of flow_interval 5
	if len(f.xfer.sent) != 0 {
		t.Fatal("sent off the interval")
	}
	blockTime := time.Unix(1_800_000_000, 0)
	f.ctx = f.ctx.WithBlockTime(blockTime)
	f.endBlock(15)
	if len(f.xfer.sent) != 2 {
		t.Fatalf("sent %d transfers", len(f.xfer.sent))
	}
	burn, comm := f.xfer.sent[0], f.xfer.sent[1]
	if burn.Receiver != burnAddr || burn.Token.String() != "100"+luncDenom || burn.SourceChannel != "channel-0" ||
		burn.SourcePort != "transfer" || burn.Sender != flowsAddr.String() ||
		burn.TimeoutTimestamp != uint64(blockTime.Add(keeper.FlowTimeout).UnixNano()) {
		t.Fatalf("burn transfer %+v", burn)
	}
	if comm.Receiver != communityAddr || comm.Token.String() != "100"+luncDenom {
		t.Fatalf("community transfer %+v", comm)
	}
	if !f.hasEvent(types.EventTypeFlowSent, types.AttributeKeySequence, "1") || !f.hasEvent(types.EventTypeFlowSent, types.AttributeKeyReceiver, communityAddr) {
		t.Fatal("missing ml_flow_sent events")
	}
	d := f.denomFlows(luncDenom)
	if d.AccumulatedBurn.Int64() != 0 || d.InFlightBurn.Int64() != 100 || d.InFlightCommunity.Int64() != 100 || d.ModuleBalance.Int64() != 0 {
		t.Fatalf("after send %+v", d)
	}
	if len(f.flows().InFlight) != 2 {
		t.Fatal("in flight list")
	}
	f.requireBalanced()

	// Nothing accumulated: the next interval sends nothing.
	f.endBlock(20)
	if len(f.xfer.sent) != 2 {
		t.Fatal("sent an empty share")
	}
	for seq := uint64(1); seq <= 2; seq++ {
		if err := f.k.OnFlowPacketDone(f.ctx, "transfer", "channel-0", seq, "", false); err != nil {
			t.Fatal(err)
		}
	}
	if !f.hasEvent(types.EventTypeFlowAcked, types.AttributeKeyReceiver, burnAddr) {
		t.Fatal("missing ml_flow_acked")
	}
	res := f.flows()
	d = f.denomFlows(luncDenom)
	if d.InFlightBurn.Int64() != 0 || d.DeliveredBurn.Int64() != 100 || d.DeliveredCommunity.Int64() != 100 || len(res.InFlight) != 0 {
		t.Fatalf("after ack %+v", d)
	}
	want := map[string]string{burnAddr: "100" + luncDenom, communityAddr: "100" + luncDenom}
	if len(res.Delivered) != 2 || want[res.Delivered[0].Receiver] != res.Delivered[0].Amount.String() || want[res.Delivered[1].Receiver] != res.Delivered[1].Amount.String() {
		t.Fatalf("delivered %+v", res.Delivered)
	}
	// A second ack of the same packet, or one for a packet that is not a flow, changes nothing.
	if err := f.k.OnFlowPacketDone(f.ctx, "transfer", "channel-0", 1, "", false); err != nil {
		t.Fatal(err)
	}
	if f.denomFlows(luncDenom).DeliveredBurn.Int64() != 100 {
		t.Fatal("double delivery")
	}
	f.requireBalanced()
}

// refund plays ICS-20's refund of a burned voucher: it comes back to the sender, the flows account.
func (f *fixture) refund(amount int64) {
	if err := f.bank.move(burned, flowsAddr, sdk.NewCoins(sdk.NewInt64Coin(luncDenom, amount))); err != nil {
		f.t.Fatal(err)
	}
}

func TestFlowAckErrorAndTimeoutReturnToAccumulator(t *testing.T) {
	f := newFixture(t)
	_, exec := f.addExecutor("v1", 1, "tiny-sd")
	f.setParams(luncParams())
	f.accumulate(exec)
	f.endBlock(15)

	f.refund(100)
	if err := f.k.OnFlowPacketDone(f.ctx, "transfer", "channel-0", 1, "receiver is blocked", false); err != nil {
		t.Fatal(err)
	}
	if !f.hasEvent(types.EventTypeFlowFailed, types.AttributeKeyReason, "receiver is blocked") || !f.hasEvent(types.EventTypeFlowFailed, types.AttributeKeyStage, "ack") {
		t.Fatal("missing ml_flow_failed (ack)")
	}
	f.refund(100)
	if err := f.k.OnFlowPacketDone(f.ctx, "transfer", "channel-0", 2, "", true); err != nil {
		t.Fatal(err)
	}
	if !f.hasEvent(types.EventTypeFlowFailed, types.AttributeKeyStage, "timeout") {
		t.Fatal("missing ml_flow_failed (timeout)")
	}
	d := f.denomFlows(luncDenom)
	if d.AccumulatedBurn.Int64() != 100 || d.AccumulatedCommunity.Int64() != 100 || d.InFlightBurn.Int64() != 0 ||
		d.DeliveredBurn.Int64() != 0 || d.ModuleBalance.Int64() != 200 || f.amountOf(flowsAddr, luncDenom) != 0 {
		t.Fatalf("after failures %+v", d)
	}
	f.requireBalanced()
	// The next interval sends them again.
	f.endBlock(20)
	if len(f.xfer.sent) != 4 || f.denomFlows(luncDenom).InFlightBurn.Int64() != 100 {
		t.Fatalf("resent %d", len(f.xfer.sent))
	}
	f.requireBalanced()
}

func TestFlowSendFailureKeepsEverything(t *testing.T) {
	f := newFixture(t)
	_, exec := f.addExecutor("v1", 1, "tiny-sd")
	f.setParams(luncParams())
	f.accumulate(exec)
	f.xfer.fail = errors.New("channel-0 is closed")
	f.endBlock(15) // endBlock fails the test if EndBlocker returns an error
	if !f.hasEvent(types.EventTypeFlowFailed, types.AttributeKeyReason, "channel-0 is closed") || !f.hasEvent(types.EventTypeFlowFailed, types.AttributeKeyStage, "send") {
		t.Fatal("missing ml_flow_failed (send)")
	}
	d := f.denomFlows(luncDenom)
	if d.AccumulatedBurn.Int64() != 100 || d.InFlightBurn.Int64() != 0 || d.ModuleBalance.Int64() != 200 || f.amountOf(flowsAddr, luncDenom) != 0 {
		t.Fatalf("after a failed send %+v (flows account %d)", d, f.amountOf(flowsAddr, luncDenom))
	}
	f.requireBalanced()
}

func TestNoFlowsWithoutChannel(t *testing.T) {
	f := newFixture(t)
	_, exec := f.addExecutor("v1", 1, "tiny-sd")
	p := luncParams()
	f.setParams(p)
	f.accumulate(exec)
	p.LuncChannel = ""
	f.setParams(p)
	for h := int64(11); h <= 30; h++ {
		f.endBlock(h)
	}
	if len(f.xfer.sent) != 0 || f.denomFlows(luncDenom).AccumulatedBurn.Int64() != 100 {
		t.Fatal("flows ran with no channel")
	}
	f.requireBalanced()
}

// fakeTransferModule plays the ICS-20 IBC module under the middleware: it refunds error acks and timeouts
// to the flows account and can refuse an acknowledgement.
type fakeTransferModule struct {
	porttypes.IBCModule
	f      *fixture
	refuse error
}

func (m fakeTransferModule) OnAcknowledgementPacket(_ sdk.Context, _ string, _ channeltypes.Packet, ack []byte, _ sdk.AccAddress) error {
	if m.refuse != nil {
		return m.refuse
	}
	if strings.Contains(string(ack), `"error"`) {
		m.f.refund(100)
	}
	return nil
}

func (m fakeTransferModule) OnTimeoutPacket(sdk.Context, string, channeltypes.Packet, sdk.AccAddress) error {
	m.f.refund(100)
	return nil
}

func TestTransferMiddlewareSettlesFlows(t *testing.T) {
	f := newFixture(t)
	_, exec := f.addExecutor("v1", 1, "tiny-sd")
	f.setParams(luncParams())
	f.accumulate(exec)
	f.endBlock(15)
	pkt := func(seq uint64) channeltypes.Packet {
		return channeltypes.Packet{Sequence: seq, SourcePort: "transfer", SourceChannel: "channel-0"}
	}
	okAck := channeltypes.NewResultAcknowledgement([]byte{1}).Acknowledgement()
	errAck := channeltypes.NewErrorAcknowledgement(errors.New("boom")).Acknowledgement()

	refusing := ml.NewTransferMiddleware(fakeTransferModule{f: f, refuse: errors.New("bad ack")}, f.k)
	if err := refusing.OnAcknowledgementPacket(f.ctx, "ics20-1", pkt(1), okAck, nil); err == nil {
		t.Fatal("the transfer module's error was swallowed")
	}
	if f.denomFlows(luncDenom).InFlightBurn.Int64() != 100 {
		t.Fatal("a refused ack settled the flow")
	}

	mw := ml.NewTransferMiddleware(fakeTransferModule{f: f}, f.k)
	if err := mw.OnAcknowledgementPacket(f.ctx, "ics20-1", pkt(1), okAck, nil); err != nil {
		t.Fatal(err)
	}
	if err := mw.OnAcknowledgementPacket(f.ctx, "ics20-1", pkt(2), errAck, nil); err != nil {
		t.Fatal(err)
	}
	d := f.denomFlows(luncDenom)
	if d.DeliveredBurn.Int64() != 100 || d.AccumulatedCommunity.Int64() != 100 || d.InFlightCommunity.Int64() != 0 {
		t.Fatalf("%+v", d)
	}
	if !f.hasEvent(types.EventTypeFlowFailed, types.AttributeKeyReason, "ABCI code: 1: error handling packet: see events for details") {
		t.Fatal("the error ack's text is not in ml_flow_failed")
	}
	f.endBlock(20) // resend the community share as sequence 3, then let it time out
	if err := mw.OnTimeoutPacket(f.ctx, "ics20-1", pkt(3), nil); err != nil {
		t.Fatal(err)
	}
	if d := f.denomFlows(luncDenom); d.AccumulatedCommunity.Int64() != 100 || d.InFlightCommunity.Int64() != 0 {
		t.Fatalf("after timeout %+v", d)
	}
	f.requireBalanced()
}

func TestBalancesInvariantUnderRandomJobMixes(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		f := newFixture(t)
		f.addExecutor("v1", 2, "tiny-sd")
		f.addExecutor("v2", 1, "tiny-sd")
		p := luncParams()
		p.FeeSplit = types.FeeSplit{ExecutorShare: "0.7", BurnShare: "0.17", CommunityShare: "0.13"}
		p.JobTimeoutBlocks = 3
		p.FlowInterval = 4
		p.ExpiryFeeShare = "0.03"
		f.setParams(p)
		rng := rand.New(rand.NewSource(seed))
		users := []sdk.AccAddress{addr("u1"), addr("u2"), addr("u3")}
		denoms := []string{denom, luncDenom}
		total := sdk.NewCoins()
		for _, u := range users {
			for _, d := range denoms {
				c := sdk.NewInt64Coin(d, 1_000_000)
				f.fundCoin(u, c)
				total = total.Add(c)
			}
		}
		var open []uint64
		height := f.ctx.BlockHeight()
		for step := 0; step < 300; step++ {
			switch r := rng.Intn(10); {
			case r < 4: // a new job in a random denom (sometimes refused)
				d := denoms[rng.Intn(2)]
				if rng.Intn(8) == 0 {
					d = "uatom"
				}
				id, err := f.submit(users[rng.Intn(3)], sdk.NewInt64Coin(d, int64(500+rng.Intn(5000))))
				if err == nil {
					open = append(open, id)
				}
			case r < 7 && len(open) > 0: // complete or fail a pending job
				i := rng.Intn(len(open))
				j := f.job(open[i])
				if j.Status == types.JOB_STATUS_PENDING {
					res := &types.MsgSubmitResult{Executor: j.Executor, JobId: j.Id, OutputSha256: sha("o"), OutputUri: "http://x/o"}
					if rng.Intn(3) == 0 {
						res = &types.MsgSubmitResult{Executor: j.Executor, JobId: j.Id, Error: "oom"}
					}
					if _, err := f.msgs.SubmitResult(f.ctx, res); err != nil {
						t.Fatal(err)
					}
				}
				open = append(open[:i], open[i+1:]...)
			case r < 8: // settle a random in-flight flow: ack, error ack or timeout
				var pkts []types.FlowPacket
				_ = f.k.InFlight.Walk(f.ctx, nil, func(_ collections.Pair[string, uint64], pk types.FlowPacket) (bool, error) {
					pkts = append(pkts, pk)
					return false, nil
				})
				if len(pkts) == 0 {
					continue
				}
				pk := pkts[rng.Intn(len(pkts))]
				outcome := rng.Intn(3)
				if outcome > 0 {
					f.refund(pk.Amount.Amount.Int64())
				}
				if err := f.k.OnFlowPacketDone(f.ctx, "transfer", pk.Channel, pk.Sequence, map[int]string{0: "", 1: "ack error", 2: ""}[outcome], outcome == 2); err != nil {
					t.Fatal(err)
				}
			default: // next block: expiries and flows
				height++
				f.endBlock(height)
			}
			f.requireBalanced()
			// Nothing is created or lost: every coin is with a user, an executor, the module, or burned in flight.
			sum := sdk.NewCoins()
			for _, c := range f.bank.all() {
				sum = sum.Add(c...)
			}
			if !sum.Equal(total) {
				t.Fatalf("seed %d step %d: coins %s != %s", seed, step, sum, total)
			}
		}
		// Per denom: escrowed + paid + accumulated + in flight + delivered = every fee ever taken.
		res := f.flows()
		if res.InvariantBroken != "" {
			t.Fatal(res.InvariantBroken)
		}
		for _, d := range res.Denoms {
			if d.Denom == luncDenom {
				inFlight := f.amountOf(burned, luncDenom)
				if got := d.InFlightBurn.Add(d.InFlightCommunity).Add(d.DeliveredBurn).Add(d.DeliveredCommunity).Int64(); got != inFlight {
					t.Fatalf("seed %d: in flight + delivered %d != burned by ICS-20 %d", seed, got, inFlight)
				}
			}
		}
		if len(f.xfer.sent) < 5 || len(f.flows().Denoms) < 2 {
			t.Fatalf("seed %d: the mix sent only %d flows", seed, len(f.xfer.sent))
		}
	}
}

func TestGenesisCarriesFlows(t *testing.T) {
	f := newFixture(t)
	_, exec := f.addExecutor("v1", 1, "tiny-sd")
	f.setParams(luncParams())
	f.accumulate(exec)
	f.endBlock(15)
	if err := f.k.OnFlowPacketDone(f.ctx, "transfer", "channel-0", 1, "", false); err != nil {
		t.Fatal(err)
	}
	f.accumulate(exec)
	user := addr("late")
	f.fundCoin(user, sdk.NewInt64Coin(luncDenom, 700))
	if _, err := f.submit(user, sdk.NewInt64Coin(luncDenom, 700)); err != nil {
		t.Fatal(err)
	}
	gs, err := f.k.ExportGenesis(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := gs.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(gs.InFlight) != 1 || len(gs.Delivered) != 1 || len(gs.Accumulated) != 2 || len(gs.PaidToExecutors) != 1 {
		t.Fatalf("export %+v", gs)
	}
	g := newFixture(t)
	g.addValidator("v1", 1)
	if err := g.k.InitGenesis(g.ctx, *gs); err != nil {
		t.Fatal(err)
	}
	a, b := f.flows(), g.flows()
	// The bank state is not part of this module's genesis; compare everything but the balance.
	for i := range a.Denoms {
		a.Denoms[i].ModuleBalance, b.Denoms[i].ModuleBalance = sdkmath.ZeroInt(), sdkmath.ZeroInt()
	}
	a.InvariantBroken, b.InvariantBroken = "", ""
	ja, _ := f.cdc.MarshalJSON(a)
	jb, _ := g.cdc.MarshalJSON(b)
	if string(ja) != string(jb) {
		t.Fatalf("flows after import differ:\n%s\n%s", ja, jb)
	}
	bad := *gs
	bad.InFlight = append(bad.InFlight, bad.InFlight[0])
	if bad.Validate() == nil {
		t.Fatal("duplicate in-flight packet accepted")
	}
}

func TestMigrate1to2FillsFeeParamsAndRebuildsEscrow(t *testing.T) {
	f := newFixture(t)
	_, exec := f.addExecutor("v1", 1, "tiny-sd")
	user := addr("user")
	f.fund(user, 10_000)
	done, _ := f.submit(user, sdk.NewInt64Coin(denom, 1000))
	pending, _ := f.submit(user, sdk.NewInt64Coin(denom, 2500))
	f.complete(exec, done)
	// A version-1 store: min_fee only, no fee accounting.
	v1 := types.DefaultParams()
	v1.MinFee = sdk.NewInt64Coin(denom, 700)
	v1.FeeMinimums, v1.FeeSplit, v1.LuncBaseDenom, v1.BurnAddress, v1.FlowInterval = nil, types.FeeSplit{}, "", "", 0
	v1.MaxExpirationsPerBlock = 0
	if err := f.k.Params.Set(f.ctx, v1); err != nil {
		t.Fatal(err)
	}
	if err := f.k.Escrowed.Clear(f.ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.k.Migrate1to2(f.ctx); err != nil {
		t.Fatal(err)
	}
	p, _ := f.k.Params.Get(f.ctx)
	if p.FeeMinimums.String() != "700"+denom || p.FeeSplit.ExecutorShare != "0.8" || p.LuncBaseDenom != "uluna" ||
		p.BurnAddress != types.DefaultBurnAddress || p.FlowInterval != 600 || p.LuncChannel != "" {
		t.Fatalf("%+v", p)
	}
	if d := f.denomFlows(denom); d.Escrowed.Int64() != 2500 {
		t.Fatalf("escrowed %s", d.Escrowed)
	}
	f.requireBalanced()
	// The job escrowed before the migration is refunded against the rebuilt counter.
	if _, err := f.msgs.SubmitResult(f.ctx, &types.MsgSubmitResult{Executor: exec, JobId: pending, Error: "oom"}); err != nil {
		t.Fatal(err)
	}
	f.requireBalanced()
}

func TestMigrate2to3SetsTheExpiryCap(t *testing.T) {
	f := newFixture(t)
	v2 := types.DefaultParams()
	v2.MaxExpirationsPerBlock = 0
	if err := f.k.Params.Set(f.ctx, v2); err != nil {
		t.Fatal(err)
	}
	if err := f.k.Migrate2to3(f.ctx); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.k.Params.Get(f.ctx); p.MaxExpirationsPerBlock != types.DefaultMaxExpirationsPerBlock {
		t.Fatalf("max_expirations_per_block %d", p.MaxExpirationsPerBlock)
	}
	bad := types.DefaultParams()
	bad.MaxExpirationsPerBlock = 0
	if err := bad.Validate(); err == nil {
		t.Fatal("max_expirations_per_block 0 accepted")
	}
}
