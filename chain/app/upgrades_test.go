package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/core/comet"
	coreheader "cosmossdk.io/core/header"
	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"
	"cosmossdk.io/store/metrics"
	"cosmossdk.io/store/rootmulti"
	storetypes "cosmossdk.io/store/types"
	upgradetypes "cosmossdk.io/x/upgrade/types"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"

	mltypes "github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

// rewindToV1 makes a running chain's state what it was before v2-governance: the added modules' stores are
// emptied, their module accounts and version-map entries removed. The coins distribution held go back to the
// sender, so the supply stays whole; someone has sent 5 uluna to the (then plain) gov address.
func rewindToV1(t *testing.T, a *App, ctx sdk.Context, sender sdk.AccAddress) {
	t.Helper()
	for _, name := range V2GovernanceModules {
		addr := authtypes.NewModuleAddress(name)
		if coins := a.BankKeeper.GetAllBalances(ctx, addr); !coins.IsZero() {
			if err := a.BankKeeper.SendCoins(ctx, addr, sender, coins); err != nil {
				t.Fatal(err)
			}
		}
		if acc := a.AccountKeeper.GetAccount(ctx, addr); acc != nil {
			a.AccountKeeper.RemoveAccount(ctx, acc)
		}
		store := ctx.KVStore(a.GetKey(name))
		it := store.Iterator(nil, nil)
		var keys [][]byte
		for ; it.Valid(); it.Next() {
			keys = append(keys, it.Key())
		}
		_ = it.Close()
		for _, k := range keys {
			store.Delete(k)
		}
		ctx.KVStore(a.GetKey(upgradetypes.StoreKey)).Delete(append([]byte{upgradetypes.VersionMapByte}, name...))
	}
	stray := sdk.NewCoins(sdk.NewInt64Coin("uluna", 5))
	if err := a.BankKeeper.SendCoins(ctx, sender, authtypes.NewModuleAddress(govtypes.ModuleName), stray); err != nil {
		t.Fatal(err)
	}
}

// A chain running without the governance modules adopts them at the v2-governance height, whether a plan was
// scheduled (as a software-upgrade proposal does) or, on a chain without gov, the validators restarted at that
// height with upgrade-info.json naming it: the modules' state is created in the bond denom, the existing
// validator gets its slashing signing info and distribution records, its delegator can withdraw rewards, the
// money checks hold and gov proposals work.
func TestV2GovernanceUpgradeAdoptsTheModulesOnARunningChain(t *testing.T) {
	t.Run("scheduled plan", func(t *testing.T) {
		adoptV2(t, func(a *App, ctx sdk.Context, height int64) {
			past := ctx.WithBlockHeight(height - 1).WithHeaderInfo(coreheader.Info{Height: height - 1, Time: ctx.BlockTime()})
			if err := a.UpgradeKeeper.ScheduleUpgrade(past, upgradetypes.Plan{Name: UpgradeV2Governance, Height: height}); err != nil {
				t.Fatal(err)
			}
		})
	})
	t.Run("upgrade-info.json after halt-height, no plan", func(t *testing.T) {
		// What registerUpgrades reads from data/upgrade-info.json (TestUpgradeInfoOnDiskMountsTheV2Stores).
		adoptV2(t, func(a *App, _ sdk.Context, height int64) { a.v2UpgradeHeight = height })
	})
}

func adoptV2(t *testing.T, arrange func(a *App, ctx sdk.Context, height int64)) {
	coord, chain, a := govChain(t)
	sender := chain.SenderAccount.GetAddress()
	ctx := chain.GetContext()
	rewindToV1(t, a, ctx, sender)
	vm, err := a.UpgradeKeeper.GetModuleVersionMap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := vm[govtypes.ModuleName]; ok {
		t.Fatal("gov still in the version map")
	}
	height := ctx.BlockHeight()
	arrange(a, ctx, height)
	coord.UpdateTimeForChain(chain)
	chain.NextBlock() // the plan's height: the upgrade runs in PreBlock, then mint, distribution and slashing begin

	ctx = chain.GetContext()
	if done, err := a.UpgradeKeeper.GetDoneHeight(ctx, UpgradeV2Governance); err != nil || done != height {
		t.Fatalf("upgrade done at %d (%v), want %d", done, err, height)
	}
	vm, _ = a.UpgradeKeeper.GetModuleVersionMap(ctx)
	for _, name := range V2GovernanceModules {
		want := a.ModuleManager.Modules[name].(module.HasConsensusVersion).ConsensusVersion()
		if vm[name] != want {
			t.Errorf("%s at version %d, want %d", name, vm[name], want)
		}
	}
	mintParams, _ := a.MintKeeper.Params.Get(ctx)
	govParams, _ := a.GovKeeper.Params.Get(ctx)
	if mintParams.MintDenom != "uluna" || sdk.Coins(govParams.MinDeposit)[0].Denom != "uluna" {
		t.Fatalf("mint denom %s, gov min deposit %s", mintParams.MintDenom, govParams.MinDeposit)
	}
	pool, _ := a.DistrKeeper.FeePool.Get(ctx)
	if got := pool.CommunityPool.AmountOf("uluna"); got.LT(sdkmath.LegacyNewDec(5)) {
		t.Fatalf("the 5 uluna found at the gov address are not in the community pool (%s)", pool.CommunityPool)
	}
	if _, ok := a.AccountKeeper.GetAccount(ctx, authtypes.NewModuleAddress(govtypes.ModuleName)).(sdk.ModuleAccountI); !ok {
		t.Fatal("gov address is not a module account")
	}

	val := chain.Vals.Validators[0]
	consAddr := sdk.ConsAddress(val.Address)
	if _, err := a.SlashingKeeper.GetValidatorSigningInfo(ctx, consAddr); err != nil {
		t.Fatalf("no signing info for the validator: %v", err)
	}
	if err := a.SlashingKeeper.HandleValidatorSignature(ctx, val.Address, val.VotingPower, comet.BlockIDFlagCommit); err != nil {
		t.Fatalf("slashing cannot handle the validator's signature: %v", err)
	}
	// Fees of a block, paid out to the validator that signed it, withdrawn by its delegator.
	fees := sdk.NewCoins(sdk.NewInt64Coin("uluna", 1_000_000))
	if err := a.BankKeeper.SendCoinsFromAccountToModule(ctx, sender, authtypes.FeeCollectorName, fees); err != nil {
		t.Fatal(err)
	}
	votes := []abci.VoteInfo{{Validator: abci.Validator{Address: val.Address, Power: val.VotingPower}, BlockIdFlag: cmtproto.BlockIDFlagCommit}}
	if err := a.DistrKeeper.AllocateTokens(ctx, val.VotingPower, votes); err != nil {
		t.Fatalf("allocating to the validator: %v", err)
	}
	before := a.BankKeeper.GetBalance(ctx, sender, "uluna")
	valoper := sdk.ValAddress(val.Address).String()
	if _, err := chain.SendMsgs(distrtypes.NewMsgWithdrawDelegatorReward(sender.String(), valoper)); err != nil {
		t.Fatalf("withdrawing rewards: %v", err)
	}
	if after := a.BankKeeper.GetBalance(chain.GetContext(), sender, "uluna"); !after.Amount.GT(before.Amount) {
		t.Fatalf("no rewards withdrawn: %s -> %s", before, after)
	}
	checkMoneyInvariants(t, a, chain.GetContext())

	// Governance works on the upgraded chain.
	p, _ := a.MLKeeper.Params.Get(chain.GetContext())
	p.MaxSteps = 42
	prop := passProposal(t, coord, chain, a, &mltypes.MsgUpdateParams{Authority: authtypes.NewModuleAddress(govtypes.ModuleName).String(), Params: p})
	if prop.Status != govv1.StatusPassed {
		t.Fatalf("proposal after the upgrade: %s %s", prop.Status, prop.FailedReason)
	}
}

// The binary that takes over at the upgrade height mounts the new stores when, and only when, the previous
// binary left upgrade-info.json naming v2-governance at that height.
func TestUpgradeInfoOnDiskMountsTheV2Stores(t *testing.T) {
	home := t.TempDir()
	db := dbm.NewMemDB()
	all := New(log.NewNopLogger(), dbm.NewMemDB(), nil, false, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	added := map[string]bool{}
	for _, name := range V2GovernanceStoreUpgrades().Added {
		added[name] = true
	}
	// The v1 layout: every store but the added ones, committed at version 1.
	old := rootmulti.NewStore(db, log.NewNopLogger(), metrics.NewNoOpMetrics())
	for name, key := range all.keys {
		if !added[name] {
			old.MountStoreWithDB(storetypes.NewKVStoreKey(key.Name()), storetypes.StoreTypeIAVL, nil)
		}
	}
	if err := old.LoadLatestVersion(); err != nil {
		t.Fatal(err)
	}
	old.Commit()

	if msg := newAppPanics(db, home); !strings.Contains(msg, "StoreUpgrades") {
		t.Fatalf("without upgrade-info.json: %q", msg)
	}
	info, _ := json.Marshal(upgradetypes.Plan{Name: UpgradeV2Governance, Height: 2})
	if err := os.MkdirAll(filepath.Join(home, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "data", upgradetypes.UpgradeInfoFilename), info, 0o644); err != nil {
		t.Fatal(err)
	}
	if msg := newAppPanics(db, home); msg != "" {
		t.Fatalf("with upgrade-info.json: %s", msg)
	}
	if a := New(log.NewNopLogger(), db, nil, true, simtestutil.NewAppOptionsWithFlagHome(home)); a.v2UpgradeHeight != 2 {
		t.Fatalf("upgrade height %d", a.v2UpgradeHeight)
	}
}

func newAppPanics(db dbm.DB, home string) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	New(log.NewNopLogger(), db, nil, true, simtestutil.NewAppOptionsWithFlagHome(home))
	return ""
}
