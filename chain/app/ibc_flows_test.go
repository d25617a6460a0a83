package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/collections"
	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	transfertypes "github.com/cosmos/ibc-go/v10/modules/apps/transfer/types"
	clienttypes "github.com/cosmos/ibc-go/v10/modules/core/02-client/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	ibckeeper "github.com/cosmos/ibc-go/v10/modules/core/keeper"
	ibctesting "github.com/cosmos/ibc-go/v10/testing"

	mlkeeper "github.com/lunc-ml/lunc-ml/chain/x/ml/keeper"
	mltypes "github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

// ibcTestApp is the lunc-ml app as ibc-go's in-process test chains drive it.
type ibcTestApp struct{ *App }

func (a ibcTestApp) GetBaseApp() *baseapp.BaseApp    { return a.BaseApp }
func (a ibcTestApp) GetIBCKeeper() *ibckeeper.Keeper { return a.IBCKeeper }
func (a ibcTestApp) GetTxConfig() client.TxConfig    { return a.TxConfig() }

// lunc-ml flows end to end over a real ICS-20 channel between two in-process lunc-mld chains: chain A is the
// ML chain, chain B plays the LUNC chain (its bond denom is uluna, see TestMain). Packets, acks and timeouts go
// through IBC core, the transfer module and the x/ml middleware; only the relayer is ibc-go's test relayer.
func TestFlowsOverRealICS20Channel(t *testing.T) {
	dir := t.TempDir()
	n := 0
	coord := ibctesting.NewCustomAppCoordinator(t, 2, func() (ibctesting.TestingApp, map[string]json.RawMessage) {
		n++
		a := New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.NewAppOptionsWithFlagHome(dir+"/"+string(rune('a'+n))))
		return ibcTestApp{a}, a.DefaultGenesis()
	})
	mlChain, luncChain := coord.GetChain(ibctesting.GetChainID(1)), coord.GetChain(ibctesting.GetChainID(2))
	path := ibctesting.NewTransferPath(mlChain, luncChain)
	path.Setup()
	ml := mlChain.App.(ibcTestApp).App
	lunc := luncChain.App.(ibcTestApp).App
	channel := path.EndpointA.ChannelID
	luncDenom := mltypes.IBCDenom(channel, "uluna")

	// A user brings LUNC to the ML chain.
	user := mlChain.SenderAccount.GetAddress()
	res, err := luncChain.SendMsgs(transfertypes.NewMsgTransfer(transfertypes.PortID, path.EndpointB.ChannelID,
		sdk.NewInt64Coin("uluna", 100_000), luncChain.SenderAccount.GetAddress().String(), user.String(),
		clienttypes.ZeroHeight(), uint64(coord.CurrentTime.Add(time.Hour).UnixNano()), ""))
	if err != nil {
		t.Fatal(err)
	}
	pkt, err := ibctesting.ParseV1PacketFromEvents(res.Events)
	if err != nil {
		t.Fatal(err)
	}
	if err := path.RelayPacket(pkt); err != nil {
		t.Fatal(err)
	}
	if got := ml.BankKeeper.GetBalance(mlChain.GetContext(), user, luncDenom); got.Amount.Int64() != 100_000 {
		t.Fatalf("user has %s", got)
	}

	burn := sdk.AccAddress([]byte("burn-wallet-on-lunc")).String()
	community := sdk.AccAddress([]byte("community-on-lunc")).String()
	ctx := mlChain.GetContext()
	p := mltypes.DefaultParams()
	p.FeeMinimums = sdk.NewCoins(sdk.NewInt64Coin(luncDenom, 1000), sdk.NewInt64Coin("uluna", 1000))
	p.MinFee = sdk.Coin{}
	p.LuncChannel, p.BurnAddress, p.CommunityAddress, p.FlowInterval = channel, burn, community, 1_000_000
	if err := ml.MLKeeper.Params.Set(ctx, p); err != nil {
		t.Fatal(err)
	}
	// One executor, run by the chain's validator.
	msgs := mlkeeper.NewMsgServerImpl(ml.MLKeeper)
	exec := sdk.AccAddress([]byte("executor-account----"))
	if _, err := msgs.RegisterExecutor(ctx, &mltypes.MsgRegisterExecutor{
		Operator: sdk.ValAddress(mlChain.Vals.Validators[0].Address).String(), Executor: exec.String(),
		EncryptionPubkey: make([]byte, 32), Models: []string{"tiny-chat"}, Devices: 1,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := msgs.AcceptExecutor(ctx, &mltypes.MsgAcceptExecutor{
		Executor: exec.String(), Operator: sdk.ValAddress(mlChain.Vals.Validators[0].Address).String(),
	}); err != nil {
		t.Fatal(err)
	}
	// completeJob runs one 10,000-LUNC chat job to completion: 8,000 to the executor, 1,000 burn, 1,000 community.
	completeJob := func() {
		t.Helper()
		ctx := mlChain.GetContext()
		r, err := msgs.Chat(ctx, &mltypes.MsgChat{Creator: user.String(), Prompt: "hi", Model: "tiny-chat", MaxTokens: 8, MaxFee: sdk.NewInt64Coin(luncDenom, 10_000)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := msgs.SubmitResult(ctx, &mltypes.MsgSubmitResult{Executor: exec.String(), JobId: r.JobId, OutputSha256: strings.Repeat("0", 64), OutputUri: "http://x/o", Mime: "text/plain"}); err != nil {
			t.Fatal(err)
		}
	}
	// sendFlows runs the flow step and commits the block; it returns the ICS-20 packets sent.
	sendFlows := func() []channeltypes.Packet {
		t.Helper()
		ctx := mlChain.GetContext()
		params, _ := ml.MLKeeper.Params.Get(ctx)
		ml.MLKeeper.SendFlows(ctx, params)
		pkts, err := ibctesting.ParseIBCV1Packets(channeltypes.EventTypeSendPacket, ctx.EventManager().ABCIEvents())
		if err != nil {
			t.Fatal(err)
		}
		coord.CommitBlock(mlChain)
		return pkts
	}
	balanced := func() {
		t.Helper()
		broken, err := ml.MLKeeper.CheckBalances(mlChain.GetContext())
		if err != nil || broken != "" {
			t.Fatalf("invariant: %q %v", broken, err)
		}
	}
	flows := func() mltypes.DenomFlows {
		t.Helper()
		r, err := ml.MLKeeper.FlowsReport(mlChain.GetContext())
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range r.Denoms {
			if d.Denom == luncDenom {
				return d
			}
		}
		return mltypes.DenomFlows{}
	}
	luncBalance := func(a string) int64 {
		addr, _ := sdk.AccAddressFromBech32(a)
		return lunc.BankKeeper.GetBalance(luncChain.GetContext(), addr, "uluna").Amount.Int64()
	}

	// 1. Success: both shares arrive on the LUNC chain as uluna and count as delivered.
	completeJob()
	if got := ml.BankKeeper.GetBalance(mlChain.GetContext(), exec, luncDenom); got.Amount.Int64() != 8000 {
		t.Fatalf("executor got %s", got)
	}
	pkts := sendFlows()
	if len(pkts) != 2 {
		t.Fatalf("%d packets", len(pkts))
	}
	if d := flows(); d.InFlightBurn.Int64() != 1000 || d.InFlightCommunity.Int64() != 1000 || d.ModuleBalance.Int64() != 0 {
		t.Fatalf("in flight %+v", d)
	}
	balanced()
	for _, pk := range pkts {
		if err := path.RelayPacket(pk); err != nil {
			t.Fatal(err)
		}
	}
	if luncBalance(burn) != 1000 || luncBalance(community) != 1000 {
		t.Fatalf("LUNC chain: burn %d community %d", luncBalance(burn), luncBalance(community))
	}
	if d := flows(); d.DeliveredBurn.Int64() != 1000 || d.DeliveredCommunity.Int64() != 1000 || d.InFlightBurn.Int64() != 0 {
		t.Fatalf("delivered %+v", d)
	}
	if bal := ml.BankKeeper.GetBalance(mlChain.GetContext(), authtypes.NewModuleAddress(mltypes.FlowsAccountName), luncDenom); !bal.IsZero() {
		t.Fatalf("flows account kept %s", bal)
	}
	balanced()

	// 2. Error ack: the LUNC chain refuses a blocked receiver; ICS-20 refunds and the share is accumulated again.
	p.BurnAddress = authtypes.NewModuleAddress(mltypes.ModuleName).String() // a blocked module account on chain B
	if err := ml.MLKeeper.Params.Set(mlChain.GetContext(), p); err != nil {
		t.Fatal(err)
	}
	completeJob()
	pkts = sendFlows()
	for _, pk := range pkts {
		if err := path.RelayPacket(pk); err != nil {
			t.Fatal(err)
		}
	}
	if d := flows(); d.AccumulatedBurn.Int64() != 1000 || d.InFlightBurn.Int64() != 0 || d.DeliveredBurn.Int64() != 1000 ||
		d.DeliveredCommunity.Int64() != 2000 || d.ModuleBalance.Int64() != 1000 {
		t.Fatalf("after an error ack %+v", d)
	}
	balanced()

	// 3. Timeout: nobody relays; after the timeout the refund returns the share to the accumulator.
	p.BurnAddress = burn
	if err := ml.MLKeeper.Params.Set(mlChain.GetContext(), p); err != nil {
		t.Fatal(err)
	}
	pkts = sendFlows()
	if len(pkts) != 1 {
		t.Fatalf("%d packets", len(pkts))
	}
	coord.IncrementTimeBy(mlkeeper.FlowTimeout + time.Minute)
	coord.CommitBlock(luncChain)
	if err := path.EndpointA.UpdateClient(); err != nil {
		t.Fatal(err)
	}
	if err := path.EndpointA.TimeoutPacket(pkts[0]); err != nil {
		t.Fatal(err)
	}
	if d := flows(); d.AccumulatedBurn.Int64() != 1000 || d.InFlightBurn.Int64() != 0 || d.ModuleBalance.Int64() != 1000 {
		t.Fatalf("after a timeout %+v", d)
	}
	balanced()
	// Delivered per address and share survive in the accounting.
	var delivered []string
	_ = ml.MLKeeper.Delivered.Walk(mlChain.GetContext(), nil, func(k collections.Triple[int32, string, string], v sdkmath.Int) (bool, error) {
		delivered = append(delivered, mltypes.ShareName(mltypes.FlowShare(k.K1()))+" "+k.K2()+" "+v.String())
		return false, nil
	})
	if len(delivered) != 2 {
		t.Fatal(delivered)
	}
}
