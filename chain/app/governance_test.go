package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/collections"
	"cosmossdk.io/log"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	ibctesting "github.com/cosmos/ibc-go/v10/testing"

	mltypes "github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

func TestGovernanceModulesAreWiredWithGovAuthorityAndChainDenom(t *testing.T) {
	a := New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	for _, name := range append([]string{mltypes.ModuleName}, V2GovernanceModules...) {
		if _, ok := a.ModuleManager.Modules[name]; !ok {
			t.Fatalf("module %s not wired", name)
		}
		if a.GetKey(name) == nil {
			t.Fatalf("no store for %s", name)
		}
	}
	gov := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	for name, got := range map[string]string{
		"ml": a.MLKeeper.GetAuthority(), "gov": a.GovKeeper.GetAuthority(), "distribution": a.DistrKeeper.GetAuthority(),
		"slashing": a.SlashingKeeper.GetAuthority(), "mint": a.MintKeeper.GetAuthority(), "staking": a.StakingKeeper.GetAuthority(),
		"bank": a.BankKeeper.GetAuthority(),
	} {
		if got != gov {
			t.Errorf("%s authority %s, want the gov module %s", name, got, gov)
		}
	}

	// `lunc-mld init --denom uluna` (TestMain applies that config): every default denom is the bond denom.
	gen := a.DefaultGenesis()
	var mint minttypes.GenesisState
	a.AppCodec().MustUnmarshalJSON(gen[minttypes.ModuleName], &mint)
	var govGen govv1.GenesisState
	a.AppCodec().MustUnmarshalJSON(gen[govtypes.ModuleName], &govGen)
	if mint.Params.MintDenom != "uluna" {
		t.Errorf("mint_denom %s", mint.Params.MintDenom)
	}
	if d := sdk.Coins(govGen.Params.MinDeposit); d.Len() != 1 || d[0].Denom != "uluna" {
		t.Errorf("gov min_deposit %s", d)
	}
	if d := sdk.Coins(govGen.Params.ExpeditedMinDeposit); d.Len() != 1 || d[0].Denom != "uluna" {
		t.Errorf("gov expedited_min_deposit %s", d)
	}
	// SDK defaults for a real network; devnets patch the genesis.
	if *govGen.Params.VotingPeriod != govv1.DefaultPeriod {
		t.Errorf("voting period %s", govGen.Params.VotingPeriod)
	}

	perms := map[string]string{minttypes.ModuleName: authtypes.Minter, govtypes.ModuleName: authtypes.Burner}
	for name, perm := range perms {
		if !a.AccountKeeper.GetModuleAccount(a.NewContext(true), name).HasPermission(perm) {
			t.Errorf("%s lacks %s", name, perm)
		}
	}
	blocked := BlockedAddresses()
	for _, name := range []string{distrtypes.ModuleName, minttypes.ModuleName, authtypes.FeeCollectorName} {
		if !blocked[authtypes.NewModuleAddress(name).String()] {
			t.Errorf("%s can receive bank sends", name)
		}
	}
	if blocked[authtypes.NewModuleAddress(govtypes.ModuleName).String()] {
		t.Error("gov is blocked")
	}
	if err := a.BasicModuleManager.ValidateGenesis(a.AppCodec(), a.TxConfig(), gen); err != nil {
		t.Fatal(err)
	}
}

// govChain is one in-process lunc-mld chain (one validator, bonded by the sender account) whose genesis has a
// 10 s voting period, patched into the gov genesis as a devnet would.
func govChain(t *testing.T) (*ibctesting.Coordinator, *ibctesting.TestChain, *App) {
	t.Helper()
	dir := t.TempDir()
	coord := ibctesting.NewCustomAppCoordinator(t, 1, func() (ibctesting.TestingApp, map[string]json.RawMessage) {
		a := New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.NewAppOptionsWithFlagHome(dir))
		gen := a.DefaultGenesis()
		var gs govv1.GenesisState
		a.AppCodec().MustUnmarshalJSON(gen[govtypes.ModuleName], &gs)
		period := 10 * time.Second
		gs.Params.VotingPeriod, gs.Params.ExpeditedVotingPeriod = &period, &period
		gen[govtypes.ModuleName] = a.AppCodec().MustMarshalJSON(&gs)
		return ibcTestApp{a}, gen
	})
	chain := coord.GetChain(ibctesting.GetChainID(1))
	return coord, chain, chain.App.(ibcTestApp).App
}

// passProposal submits msgs as a gov proposal from the chain's sender (who holds all the stake), votes yes,
// lets the voting period end and returns the proposal as gov left it.
func passProposal(t *testing.T, coord *ibctesting.Coordinator, chain *ibctesting.TestChain, a *App, msgs ...sdk.Msg) govv1.Proposal {
	t.Helper()
	ctx := chain.GetContext()
	params, err := a.GovKeeper.Params.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sender := chain.SenderAccount.GetAddress()
	submit, err := govv1.NewMsgSubmitProposal(msgs, params.MinDeposit, sender.String(), "", "update x/ml params", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chain.SendMsgs(submit); err != nil {
		t.Fatal(err)
	}
	id, err := a.GovKeeper.ProposalID.Peek(chain.GetContext())
	if err != nil {
		t.Fatal(err)
	}
	id--
	if _, err := chain.SendMsgs(govv1.NewMsgVote(sender, id, govv1.OptionYes, "")); err != nil {
		t.Fatal(err)
	}
	coord.IncrementTimeBy(*params.VotingPeriod + time.Second)
	chain.NextBlock()
	p, err := a.GovKeeper.Proposals.Get(chain.GetContext(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGovProposalUpdatesMLParamsAndOtherSignersAreRefused(t *testing.T) {
	coord, chain, a := govChain(t)
	gov := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	sender := chain.SenderAccount.GetAddress().String()
	p := mltypes.DefaultParams()
	p.MaxSteps = 77

	if _, err := chain.SendMsgs(&mltypes.MsgUpdateParams{Authority: sender, Params: p}); err == nil || !strings.Contains(err.Error(), "expected "+gov) {
		t.Fatalf("a user updated x/ml params directly: %v", err)
	}
	// Gov refuses a proposal whose message is signed by anyone but gov.
	params, _ := a.GovKeeper.Params.Get(chain.GetContext())
	bad, _ := govv1.NewMsgSubmitProposal([]sdk.Msg{&mltypes.MsgUpdateParams{Authority: sender, Params: p}}, params.MinDeposit, sender, "", "t", "s", false)
	if _, err := chain.SendMsgs(bad); err == nil {
		t.Fatal("gov accepted a proposal message signed by a user")
	}

	prop := passProposal(t, coord, chain, a, &mltypes.MsgUpdateParams{Authority: gov, Params: p})
	if prop.Status != govv1.StatusPassed {
		t.Fatalf("proposal %s: %s", prop.Status, prop.FailedReason)
	}
	got, err := a.MLKeeper.Params.Get(chain.GetContext())
	if err != nil || got.MaxSteps != 77 {
		t.Fatalf("x/ml max_steps %d after the proposal (%v)", got.MaxSteps, err)
	}

	// Invalid params pass the vote but fail on execution: the params stay.
	p.MaxSteps = 0
	prop = passProposal(t, coord, chain, a, &mltypes.MsgUpdateParams{Authority: gov, Params: p})
	if prop.Status != govv1.StatusFailed {
		t.Fatalf("invalid params proposal: %s", prop.Status)
	}
	if got, _ := a.MLKeeper.Params.Get(chain.GetContext()); got.MaxSteps != 77 {
		t.Fatalf("max_steps %d", got.MaxSteps)
	}
	checkMoneyInvariants(t, a, chain.GetContext())
}

// checkMoneyInvariants checks x/ml's balance invariant and the module-balance checks that distribution and gov
// had as crisis invariants before cosmos-sdk v0.53 dropped them: distribution holds its outstanding rewards
// plus the community pool, gov holds the deposits.
func checkMoneyInvariants(t *testing.T, a *App, ctx sdk.Context) {
	t.Helper()
	if broken, err := a.MLKeeper.CheckBalances(ctx); err != nil || broken != "" {
		t.Fatalf("x/ml balances: %s %v", broken, err)
	}
	var holdings sdk.DecCoins
	a.DistrKeeper.IterateValidatorOutstandingRewards(ctx, func(_ sdk.ValAddress, r distrtypes.ValidatorOutstandingRewards) bool {
		holdings = holdings.Add(r.Rewards...)
		return false
	})
	pool, err := a.DistrKeeper.FeePool.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	holdingsInt, _ := holdings.Add(pool.CommunityPool...).TruncateDecimal()
	if have := a.BankKeeper.GetAllBalances(ctx, authtypes.NewModuleAddress(distrtypes.ModuleName)); !have.Equal(holdingsInt) {
		t.Fatalf("distribution holds %s, owes %s", have, holdingsInt)
	}
	deposits := sdk.NewCoins()
	if err := a.GovKeeper.Deposits.Walk(ctx, nil, func(_ collections.Pair[uint64, sdk.AccAddress], d govv1.Deposit) (bool, error) {
		deposits = deposits.Add(d.Amount...)
		return false, nil
	}); err != nil {
		t.Fatal(err)
	}
	if have := a.BankKeeper.GetAllBalances(ctx, authtypes.NewModuleAddress(govtypes.ModuleName)); !have.Equal(deposits) {
		t.Fatalf("gov holds %s, deposits %s", have, deposits)
	}
}
