package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	ibctransfertypes "github.com/cosmos/ibc-go/v10/modules/apps/transfer/types"

	intertxtypes "github.com/lunc-ml/lunc-ml/chain/x/intertx/types"
	mltypes "github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

func TestMain(m *testing.M) {
	ChainConfig{Bech32Prefix: "terra", Denom: "uluna", CoinType: 330}.Apply()
	os.Exit(m.Run())
}

func TestAppBuildsWithChainDenomAndICAAllowList(t *testing.T) {
	a := New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	gen := a.DefaultGenesis()
	var ica struct {
		Host struct {
			Params struct {
				HostEnabled   bool     `json:"host_enabled"`
				AllowMessages []string `json:"allow_messages"`
			} `json:"params"`
		} `json:"host_genesis_state"`
		Controller struct {
			Params struct {
				ControllerEnabled bool `json:"controller_enabled"`
			} `json:"params"`
		} `json:"controller_genesis_state"`
	}
	if err := json.Unmarshal(gen["interchainaccounts"], &ica); err != nil {
		t.Fatal(err)
	}
	if !ica.Host.Params.HostEnabled || !ica.Controller.Params.ControllerEnabled || len(ica.Host.Params.AllowMessages) != len(mltypes.ICAHostAllowedMsgs) {
		t.Fatalf("ica genesis: %s", gen["interchainaccounts"])
	}
	var ml mltypes.GenesisState
	a.AppCodec().MustUnmarshalJSON(gen["ml"], &ml)
	if ml.Params.MinFee.Denom != "uluna" {
		t.Fatalf("ml min fee denom %s", ml.Params.MinFee.Denom)
	}
	var staking struct {
		Params struct {
			BondDenom string `json:"bond_denom"`
		} `json:"params"`
	}
	_ = json.Unmarshal(gen["staking"], &staking)
	if staking.Params.BondDenom != "uluna" {
		t.Fatalf("bond denom %s", staking.Params.BondDenom)
	}
	for _, tc := range []struct {
		msg sdk.Msg
		url string
	}{
		{&intertxtypes.MsgRegisterAccount{}, "/intertx.MsgRegisterAccount"},
		{&intertxtypes.MsgSubmitTx{}, "/intertx.MsgSubmitTx"},
		{&mltypes.MsgGenerateImage{}, "/lunc.ml.v1.MsgGenerateImage"},
	} {
		if got := sdk.MsgTypeURL(tc.msg); got != tc.url {
			t.Fatalf("%s != %s", got, tc.url)
		}
		if _, err := a.InterfaceRegistry().Resolve(tc.url); err != nil {
			t.Fatalf("%s not registered: %v", tc.url, err)
		}
	}
}

func TestResolveChainConfig(t *testing.T) {
	home := t.TempDir()
	cc, h, err := ResolveChainConfig([]string{"init", "x", "--home", home, "--bech32-prefix=terra", "--denom", "uluna", "--coin-type", "330"}, "/nowhere")
	if err != nil || h != home || cc != (ChainConfig{"terra", "uluna", 330}) {
		t.Fatal(cc, h, err)
	}
	if err := cc.Write(home); err != nil {
		t.Fatal(err)
	}
	got, _, err := ResolveChainConfig([]string{"start", "--home=" + home}, "/nowhere")
	if err != nil || got != cc {
		t.Fatal(got, err)
	}
	t.Setenv(EnvHome, home)
	got, _, _ = ResolveChainConfig([]string{"start"}, "/nowhere")
	if got != cc {
		t.Fatal("LUNC_MLD_HOME ignored", got)
	}
	def, _, _ := ResolveChainConfig([]string{"start", "--home", filepath.Join(home, "empty")}, "/nowhere")
	if def != DefaultChainConfig() {
		t.Fatal(def)
	}
	if _, _, err := ResolveChainConfig([]string{"init", "--denom", "x"}, home); err == nil {
		t.Fatal("bad denom accepted")
	}
}

// x/ml sends its burn/community shares from a separate, unblocked module account: ibc-go v10 ICS-20 refuses to
// send from (and refund to) a blocked address, which every other module account, x/ml's escrow included, is.
func TestFlowsAccountCanSendOverICS20AndEscrowCannot(t *testing.T) {
	a := New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	ctx := a.NewUncachedContext(false, cmtproto.Header{})
	a.TransferKeeper.SetParams(ctx, ibctransfertypes.DefaultParams())
	if err := a.BankKeeper.SetParams(ctx, banktypes.DefaultParams()); err != nil {
		t.Fatal(err)
	}
	escrowAddr := authtypes.NewModuleAddress(mltypes.ModuleName)
	flowsAddr := authtypes.NewModuleAddress(mltypes.FlowsAccountName)
	blocked := BlockedAddresses()
	if !blocked[escrowAddr.String()] || blocked[flowsAddr.String()] {
		t.Fatalf("blocked: escrow %v flows %v", blocked[escrowAddr.String()], blocked[flowsAddr.String()])
	}

	// LUNC as this chain holds it: uluna received over channel-0. Sending it back over channel-0 burns it.
	denom := ibctransfertypes.NewDenom("uluna", ibctransfertypes.NewHop("transfer", "channel-0"))
	if denom.IBCDenom() != mltypes.IBCDenom("channel-0", "uluna") {
		t.Fatalf("ibc-go says %s, x/ml says %s", denom.IBCDenom(), mltypes.IBCDenom("channel-0", "uluna"))
	}
	coins := sdk.NewCoins(sdk.NewInt64Coin(denom.IBCDenom(), 100))
	for _, mod := range []string{mltypes.ModuleName, mltypes.FlowsAccountName} {
		if err := a.BankKeeper.MintCoins(ctx, ibctransfertypes.ModuleName, coins); err != nil {
			t.Fatal(err)
		}
		if err := a.BankKeeper.SendCoinsFromModuleToModule(ctx, ibctransfertypes.ModuleName, mod, coins); err != nil {
			t.Fatal(err)
		}
	}
	token := ibctransfertypes.Token{Denom: denom, Amount: "100"}
	if err := a.TransferKeeper.SendTransfer(ctx, "transfer", "channel-0", token, escrowAddr); err == nil {
		t.Fatal("ICS-20 accepted the blocked escrow account as a sender")
	}
	if err := a.TransferKeeper.SendTransfer(ctx, "transfer", "channel-0", token, flowsAddr); err != nil {
		t.Fatalf("flows account: %v", err)
	}
	if bal := a.BankKeeper.GetBalance(ctx, flowsAddr, denom.IBCDenom()); !bal.IsZero() {
		t.Fatalf("not burned: %s", bal)
	}
}

func TestDefaultMLGenesisValidates(t *testing.T) {
	a := New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	if err := a.BasicModuleManager.ValidateGenesis(a.AppCodec(), a.TxConfig(), a.DefaultGenesis()); err != nil {
		t.Fatal(err)
	}
}
