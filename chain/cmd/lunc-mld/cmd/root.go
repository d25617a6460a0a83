// Package cmd builds the lunc-mld cobra command tree.
package cmd

import (
	"errors"
	"io"
	"os"
	"time"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/spf13/cobra"

	"cosmossdk.io/log"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/config"
	"github.com/cosmos/cosmos-sdk/client/debug"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/keys"
	"github.com/cosmos/cosmos-sdk/client/pruning"
	"github.com/cosmos/cosmos-sdk/client/rpc"
	"github.com/cosmos/cosmos-sdk/client/snapshot"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/server"
	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authcmd "github.com/cosmos/cosmos-sdk/x/auth/client/cli"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	genutilcli "github.com/cosmos/cosmos-sdk/x/genutil/client/cli"

	"github.com/lunc-ml/lunc-ml/chain/app"
)

// NewRootCmd builds `lunc-mld` for the chain config cc (already applied to the sdk config).
func NewRootCmd(cc app.ChainConfig) *cobra.Command {
	tmpHome, err := os.MkdirTemp("", "lunc-mld")
	if err != nil {
		panic(err)
	}
	tempApp := app.New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.NewAppOptionsWithFlagHome(tmpHome))
	_ = os.RemoveAll(tmpHome)

	initClientCtx := client.Context{}.
		WithCodec(tempApp.AppCodec()).
		WithInterfaceRegistry(tempApp.InterfaceRegistry()).
		WithTxConfig(tempApp.TxConfig()).
		WithLegacyAmino(tempApp.LegacyAmino()).
		WithInput(os.Stdin).
		WithAccountRetriever(authtypes.AccountRetriever{}).
		WithHomeDir(app.DefaultNodeHome).
		WithViper("LUNC_MLD")

	rootCmd := &cobra.Command{
		Use:           "lunc-mld",
		Short:         "lunc-ml app chain node (x/ml jobs, ICS-27 host and controller)",
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.OutOrStdout())
			cmd.SetErr(cmd.ErrOrStderr())
			ctx := initClientCtx.WithCmdContext(cmd.Context())
			ctx, err := client.ReadPersistentCommandFlags(ctx, cmd.Flags())
			if err != nil {
				return err
			}
			ctx, err = config.ReadFromClientConfig(ctx)
			if err != nil {
				return err
			}
			if err := client.SetCmdClientContextHandler(ctx, cmd); err != nil {
				return err
			}
			tmpl, appCfg := appConfig(cc)
			return server.InterceptConfigsPreRunHandler(cmd, tmpl, appCfg, cometConfig())
		},
	}

	basics := tempApp.BasicModuleManager
	rootCmd.AddCommand(
		initCmd(cc, genutilcli.InitCmd(basics, app.DefaultNodeHome)),
		debug.Cmd(),
		pruning.Cmd(newApp, app.DefaultNodeHome),
		snapshot.Cmd(newApp),
	)
	server.AddCommands(rootCmd, app.DefaultNodeHome, newApp, appExport, func(*cobra.Command) {})
	rootCmd.AddCommand(
		server.StatusCommand(),
		genutilcli.Commands(tempApp.TxConfig(), basics, app.DefaultNodeHome),
		queryCommand(),
		txCommand(),
		keys.Commands(),
	)

	autoCliOpts := tempApp.AutoCliOpts()
	autoCliOpts.AddressCodec = addresscodec.NewBech32Codec(sdk.GetConfig().GetBech32AccountAddrPrefix())
	autoCliOpts.ValidatorAddressCodec = addresscodec.NewBech32Codec(sdk.GetConfig().GetBech32ValidatorAddrPrefix())
	autoCliOpts.ConsensusAddressCodec = addresscodec.NewBech32Codec(sdk.GetConfig().GetBech32ConsensusAddrPrefix())
	autoCliOpts.ClientCtx = initClientCtx
	if err := autoCliOpts.EnhanceRootCommand(rootCmd); err != nil {
		panic(err)
	}
	return rootCmd
}

// initCmd wraps genutil's init: --bech32-prefix/--denom/--coin-type (read by main before cobra runs) are
// recorded in <home>/config/lunc-mld.json; the bond denom, x/ml min fee and app.toml min gas price use the denom.
func initCmd(cc app.ChainConfig, inner *cobra.Command) *cobra.Command {
	inner.Flags().String(app.FlagBech32Prefix, app.DefaultChainConfig().Bech32Prefix, "bech32 account prefix of the chain (valoper etc. derive from it)")
	inner.Flags().String(app.FlagDenom, app.DefaultChainConfig().Denom, "fee, bond and x/ml fee denom")
	inner.Flags().Uint32(app.FlagCoinType, app.DefaultChainConfig().CoinType, "HD coin type used by `keys add` on this home")
	run := inner.RunE
	inner.RunE = func(cmd *cobra.Command, args []string) error {
		if err := run(cmd, args); err != nil {
			return err
		}
		home := client.GetClientContextFromCmd(cmd).HomeDir
		if h, _ := cmd.Flags().GetString(flags.FlagHome); h != "" {
			home = h
		}
		return cc.Write(home)
	}
	return inner
}

// cometConfig: fast devnet blocks (500 ms commit), no pprof, kv tx index.
func cometConfig() *cmtcfg.Config {
	cfg := cmtcfg.DefaultConfig()
	cfg.Consensus.TimeoutPropose = 1 * time.Second
	cfg.Consensus.TimeoutProposeDelta = 200 * time.Millisecond
	cfg.Consensus.TimeoutPrevote = 500 * time.Millisecond
	cfg.Consensus.TimeoutPrecommit = 500 * time.Millisecond
	cfg.Consensus.TimeoutCommit = 500 * time.Millisecond
	cfg.RPC.PprofListenAddress = ""
	cfg.TxIndex.Indexer = "kv"
	cfg.P2P.AddrBookStrict = false
	cfg.P2P.AllowDuplicateIP = true
	return cfg
}

// appConfig: zero minimum gas price in the chain's denom; gRPC on, REST API off unless enabled.
func appConfig(cc app.ChainConfig) (string, any) {
	cfg := serverconfig.DefaultConfig()
	cfg.MinGasPrices = "0" + cc.Denom
	cfg.API.Enable = false
	cfg.GRPC.Enable = true
	return serverconfig.DefaultConfigTemplate, cfg
}

func queryCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "query", Aliases: []string{"q"}, Short: "Querying subcommands", RunE: client.ValidateCmd}
	cmd.AddCommand(
		rpc.ValidatorCommand(),
		server.QueryBlockCmd(),
		server.QueryBlocksCmd(),
		server.QueryBlockResultsCmd(),
		authcmd.QueryTxsByEventsCmd(),
		authcmd.QueryTxCmd(),
	)
	return cmd
}

func txCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "tx", Short: "Transactions subcommands", RunE: client.ValidateCmd}
	cmd.AddCommand(
		authcmd.GetSignCommand(),
		authcmd.GetSignBatchCommand(),
		authcmd.GetMultiSignCommand(),
		authcmd.GetValidateSignaturesCommand(),
		authcmd.GetBroadcastCommand(),
		authcmd.GetEncodeCommand(),
		authcmd.GetDecodeCommand(),
		authcmd.GetSimulateCmd(),
	)
	return cmd
}

func newApp(logger log.Logger, db dbm.DB, traceStore io.Writer, appOpts servertypes.AppOptions) servertypes.Application {
	return app.New(logger, db, traceStore, true, appOpts, server.DefaultBaseappOptions(appOpts)...)
}

func appExport(
	logger log.Logger, db dbm.DB, traceStore io.Writer, height int64, forZeroHeight bool, jailAllowedAddrs []string,
	appOpts servertypes.AppOptions, modulesToExport []string,
) (servertypes.ExportedApp, error) {
	if h, _ := appOpts.Get(flags.FlagHome).(string); h == "" {
		return servertypes.ExportedApp{}, errors.New("application home not set")
	}
	a := app.New(logger, db, traceStore, height == -1, appOpts)
	if height != -1 {
		if err := a.LoadHeight(height); err != nil {
			return servertypes.ExportedApp{}, err
		}
	}
	return a.ExportAppStateAndValidators(forZeroHeight, jailAllowedAddrs, modulesToExport)
}
