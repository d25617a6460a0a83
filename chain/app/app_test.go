package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"

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
	if !ica.Host.Params.HostEnabled || !ica.Controller.Params.ControllerEnabled || len(ica.Host.Params.AllowMessages) != 7 {
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
