package app

import (
	"context"
	"fmt"

	storetypes "cosmossdk.io/store/types"
	evidencetypes "cosmossdk.io/x/evidence/types"
	upgradetypes "cosmossdk.io/x/upgrade/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
)

// UpgradeV2Governance is the software upgrade (gov MsgSoftwareUpgrade plan name) that adds gov, distribution,
// slashing, evidence and mint to a chain that started without them, and runs x/ml's pending migrations.
const UpgradeV2Governance = "v2-governance"

// V2GovernanceModules are the modules (and store keys: each module's store key is its name) the
// v2-governance upgrade adds, in the order their state is created.
var V2GovernanceModules = []string{
	distrtypes.ModuleName, slashingtypes.ModuleName, evidencetypes.ModuleName, minttypes.ModuleName, govtypes.ModuleName,
}

// V2GovernanceStoreUpgrades are the stores the v2-governance upgrade mounts.
func V2GovernanceStoreUpgrades() *storetypes.StoreUpgrades {
	return &storetypes.StoreUpgrades{Added: append([]string(nil), V2GovernanceModules...)}
}

// registerUpgrades sets the upgrade handlers and, when the previous binary stopped at the v2-governance
// height (upgrade-info.json in the data dir), the store loader that mounts the new stores at that height.
// Must run before the stores are loaded.
func (app *App) registerUpgrades() {
	app.UpgradeKeeper.SetUpgradeHandler(UpgradeV2Governance, app.upgradeV2Governance)
	info, err := app.UpgradeKeeper.ReadUpgradeInfoFromDisk()
	if err != nil {
		panic(fmt.Errorf("reading upgrade-info.json: %w", err))
	}
	if info.Name == UpgradeV2Governance && !app.UpgradeKeeper.IsSkipHeight(info.Height) {
		app.SetStoreLoader(upgradetypes.UpgradeStoreLoader(info.Height, V2GovernanceStoreUpgrades()))
		app.v2UpgradeHeight = info.Height
	}
}

// applyV2WithoutPlan runs v2-governance at the height named by upgrade-info.json when no plan was scheduled.
// A chain without gov cannot pass the software-upgrade proposal that normally schedules it; its validators
// instead stop the old binary with --halt-height H (it refuses block H, so H-1 is its last), write
// data/upgrade-info.json {"name":"v2-governance","height":H} and start this binary, which mounts the new stores (registerUpgrades) and here applies the
// upgrade at H, before the upgrade module's PreBlocker. Once gov exists (in the version map) this never runs:
// later upgrades go through proposals.
func (app *App) applyV2WithoutPlan(ctx sdk.Context) error {
	if app.v2UpgradeHeight == 0 || ctx.BlockHeight() != app.v2UpgradeHeight {
		return nil
	}
	if _, err := app.UpgradeKeeper.GetUpgradePlan(ctx); err == nil {
		return nil // a scheduled plan: the upgrade module applies it
	}
	vm, err := app.UpgradeKeeper.GetModuleVersionMap(ctx)
	if err != nil {
		return err
	}
	if _, ok := vm[govtypes.ModuleName]; ok {
		return nil
	}
	ctx.Logger().Info("applying the v2-governance upgrade named by upgrade-info.json", "height", ctx.BlockHeight())
	return app.UpgradeKeeper.ApplyUpgrade(ctx, upgradetypes.Plan{Name: UpgradeV2Governance, Height: ctx.BlockHeight()})
}

// upgradeV2Governance creates the state of each added module (as a genesis would, in the chain's bond
// denom), gives the existing validators and delegations the records that the distribution and slashing
// staking hooks would have written had the modules been there when they were created, then runs the
// remaining migrations (x/ml's included). Without those records the first block after the upgrade would fail:
// slashing needs a signing info for every bonded validator, distribution current rewards for every validator.
func (app *App) upgradeV2Governance(ctx context.Context, _ upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	added := map[string]bool{}
	for _, name := range V2GovernanceModules {
		if _, ok := fromVM[name]; !ok {
			added[name] = true
		}
	}
	if len(added) > 0 {
		bondDenom, err := app.StakingKeeper.BondDenom(ctx)
		if err != nil {
			return nil, err
		}
		stray, err := app.sweepModuleAddresses(sdkCtx, added)
		if err != nil {
			return nil, err
		}
		for _, name := range V2GovernanceModules {
			if !added[name] {
				continue
			}
			m, ok := app.ModuleManager.Modules[name].(module.HasGenesis)
			if !ok {
				return nil, fmt.Errorf("module %s has no genesis", name)
			}
			m.InitGenesis(sdkCtx, app.appCodec, app.v2Genesis(name, bondDenom, stray))
			if v, ok := app.ModuleManager.Modules[name].(module.HasConsensusVersion); ok {
				fromVM[name] = v.ConsensusVersion()
			}
		}
		if err := app.backfillStakingHookRecords(ctx, added); err != nil {
			return nil, err
		}
	}
	return app.ModuleManager.RunMigrations(ctx, app.configurator, fromVM)
}

// v2Genesis is the default genesis of an added module, with its denoms set to the bond denom and, for
// distribution, the stray coins found at the new module addresses in the community pool.
func (app *App) v2Genesis(name, bondDenom string, stray sdk.Coins) []byte {
	switch name {
	case minttypes.ModuleName:
		gs := minttypes.DefaultGenesisState()
		gs.Params.MintDenom = bondDenom
		return app.appCodec.MustMarshalJSON(gs)
	case govtypes.ModuleName:
		gs := govv1.DefaultGenesisState()
		setGovDenom(gs.Params, bondDenom)
		return app.appCodec.MustMarshalJSON(gs)
	case distrtypes.ModuleName:
		gs := distrtypes.DefaultGenesisState()
		gs.FeePool.CommunityPool = sdk.NewDecCoinsFromCoins(stray...)
		return app.appCodec.MustMarshalJSON(gs)
	default:
		return app.ModuleManager.Modules[name].(module.HasGenesisBasics).DefaultGenesis(app.appCodec)
	}
}

// sweepModuleAddresses makes the new module addresses usable as module accounts. Before the upgrade they were
// ordinary addresses anyone could send to: a plain account there would make the module account lookup panic,
// and coins there would break the distribution and gov genesis balance checks. Such accounts are removed and
// their coins moved to the distribution address, where they become community pool funds (returned).
func (app *App) sweepModuleAddresses(ctx sdk.Context, added map[string]bool) (sdk.Coins, error) {
	distrAddr := authtypes.NewModuleAddress(distrtypes.ModuleName)
	stray := sdk.NewCoins()
	for _, name := range V2GovernanceModules {
		if !added[name] {
			continue
		}
		addr := authtypes.NewModuleAddress(name)
		coins := app.BankKeeper.GetAllBalances(ctx, addr)
		if coins.IsZero() {
			continue
		}
		stray = stray.Add(coins...)
		if name != distrtypes.ModuleName {
			if err := app.BankKeeper.SendCoins(ctx, addr, distrAddr, coins); err != nil {
				return nil, fmt.Errorf("moving coins from the %s address to the community pool: %w", name, err)
			}
		}
	}
	// After the sends: a send creates a plain account at its receiver.
	for _, name := range V2GovernanceModules {
		if !added[name] {
			continue
		}
		if acc := app.AccountKeeper.GetAccount(ctx, authtypes.NewModuleAddress(name)); acc != nil {
			if _, isModule := acc.(sdk.ModuleAccountI); !isModule {
				app.AccountKeeper.RemoveAccount(ctx, acc)
			}
		}
	}
	return stray, nil
}

// backfillStakingHookRecords calls, for the validators and delegations that exist, the distribution and
// slashing staking hooks that ran for them on a chain with those modules from genesis.
func (app *App) backfillStakingHookRecords(ctx context.Context, added map[string]bool) error {
	validators, err := app.StakingKeeper.GetAllValidators(ctx)
	if err != nil {
		return err
	}
	distrHooks, slashingHooks := app.DistrKeeper.Hooks(), app.SlashingKeeper.Hooks()
	for _, v := range validators {
		valAddr, err := app.StakingKeeper.ValidatorAddressCodec().StringToBytes(v.OperatorAddress)
		if err != nil {
			return err
		}
		if added[distrtypes.ModuleName] {
			if err := distrHooks.AfterValidatorCreated(ctx, valAddr); err != nil {
				return fmt.Errorf("distribution records of %s: %w", v.OperatorAddress, err)
			}
		}
		if added[slashingtypes.ModuleName] {
			if err := slashingHooks.AfterValidatorCreated(ctx, valAddr); err != nil {
				return fmt.Errorf("slashing pubkey of %s: %w", v.OperatorAddress, err)
			}
			if v.GetStatus() == stakingtypes.Bonded {
				consAddr, err := v.GetConsAddr()
				if err != nil {
					return err
				}
				if err := slashingHooks.AfterValidatorBonded(ctx, consAddr, valAddr); err != nil {
					return fmt.Errorf("signing info of %s: %w", v.OperatorAddress, err)
				}
			}
		}
	}
	if !added[distrtypes.ModuleName] {
		return nil
	}
	delegations, err := app.StakingKeeper.GetAllDelegations(ctx)
	if err != nil {
		return err
	}
	for _, d := range delegations {
		delAddr, err := app.AccountKeeper.AddressCodec().StringToBytes(d.DelegatorAddress)
		if err != nil {
			return err
		}
		valAddr, err := app.StakingKeeper.ValidatorAddressCodec().StringToBytes(d.ValidatorAddress)
		if err != nil {
			return err
		}
		if err := distrHooks.AfterDelegationModified(ctx, delAddr, valAddr); err != nil {
			return fmt.Errorf("distribution starting info of %s on %s: %w", d.DelegatorAddress, d.ValidatorAddress, err)
		}
	}
	return nil
}

// setGovDenom puts gov's deposits in denom, keeping their default amounts.
func setGovDenom(p *govv1.Params, denom string) {
	p.MinDeposit = sdk.NewCoins(sdk.NewCoin(denom, govv1.DefaultMinDepositTokens))
	p.ExpeditedMinDeposit = sdk.NewCoins(sdk.NewCoin(denom, govv1.DefaultMinExpeditedDepositTokens))
}
