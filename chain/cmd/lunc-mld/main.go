// Command lunc-mld runs a lunc-ml chain node. The same binary serves both devnet chains: the address prefix,
// fee/bond denom and coin type come from <home>/config/lunc-mld.json, written by `lunc-mld init`.
package main

import (
	"fmt"
	"os"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/lunc-ml/lunc-ml/chain/app"
	"github.com/lunc-ml/lunc-ml/chain/cmd/lunc-mld/cmd"
)

func main() {
	cc, _, err := app.ResolveChainConfig(os.Args[1:], app.DefaultNodeHome)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lunc-mld:", err)
		os.Exit(2)
	}
	cc.Apply()
	rootCmd := cmd.NewRootCmd(cc)
	if err := svrcmd.Execute(rootCmd, "LUNC_MLD", app.DefaultNodeHome); err != nil {
		_, _ = fmt.Fprintln(rootCmd.OutOrStderr(), "Error:", err)
		os.Exit(1)
	}
}
