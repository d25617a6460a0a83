package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// ChainConfigFile is written by `lunc-mld init` into <home>/config and read before anything else on every
// later run: the same binary serves chains with different prefixes and fee denoms.
const ChainConfigFile = "lunc-mld.json"

// Init flags that choose the chain's address prefix, fee/bond denom and HD coin type.
const (
	FlagBech32Prefix = "bech32-prefix"
	FlagDenom        = "denom"
	FlagCoinType     = "coin-type"
	EnvHome          = "LUNC_MLD_HOME"
)

// ChainConfig is the per-chain choice made at init.
type ChainConfig struct {
	Bech32Prefix string `json:"bech32_prefix"`
	Denom        string `json:"denom"`
	CoinType     uint32 `json:"coin_type"`
}

// DefaultChainConfig is the ML chain's: prefix mlc, denom umlc, coin type 118.
func DefaultChainConfig() ChainConfig {
	return ChainConfig{Bech32Prefix: "mlc", Denom: "umlc", CoinType: 118}
}

// Validate checks the prefix and denom.
func (c ChainConfig) Validate() error {
	if c.Bech32Prefix == "" || strings.ToLower(c.Bech32Prefix) != c.Bech32Prefix {
		return fmt.Errorf("bech32 prefix must be non-empty lowercase, got %q", c.Bech32Prefix)
	}
	if err := sdk.ValidateDenom(c.Denom); err != nil {
		return fmt.Errorf("denom: %w", err)
	}
	return nil
}

// Apply sets the global sdk config (prefixes, coin type, default bond denom) and seals it.
func (c ChainConfig) Apply() {
	cfg := sdk.GetConfig()
	p := c.Bech32Prefix
	cfg.SetBech32PrefixForAccount(p, p+"pub")
	cfg.SetBech32PrefixForValidator(p+"valoper", p+"valoperpub")
	cfg.SetBech32PrefixForConsensusNode(p+"valcons", p+"valconspub")
	cfg.SetCoinType(c.CoinType)
	cfg.SetPurpose(44)
	cfg.Seal()
	sdk.DefaultBondDenom = c.Denom
}

// Write stores the config in <home>/config/lunc-mld.json.
func (c ChainConfig) Write(home string) error {
	bz, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(home, "config", ChainConfigFile), append(bz, '\n'), 0o644)
}

// flagValue finds --name value or --name=value in args.
func flagValue(args []string, name string) (string, bool) {
	for i, a := range args {
		if a == "--" {
			break
		}
		if a == "--"+name && i+1 < len(args) {
			return args[i+1], true
		}
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// ResolveChainConfig works out the chain config before cobra runs: for `init` from its flags (defaults for
// the rest), otherwise from <home>/config/lunc-mld.json when present, else DefaultChainConfig. The home is
// --home, else $LUNC_MLD_HOME, else defaultHome.
func ResolveChainConfig(args []string, defaultHome string) (ChainConfig, string, error) {
	home := defaultHome
	if h := os.Getenv(EnvHome); h != "" {
		home = h
	}
	if h, ok := flagValue(args, "home"); ok {
		home = h
	}
	cc := DefaultChainConfig()
	isInit := false
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			isInit = a == "init"
			break
		}
	}
	if isInit {
		if v, ok := flagValue(args, FlagBech32Prefix); ok {
			cc.Bech32Prefix = v
		}
		if v, ok := flagValue(args, FlagDenom); ok {
			cc.Denom = v
		}
		if v, ok := flagValue(args, FlagCoinType); ok {
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return cc, home, fmt.Errorf("--%s: %w", FlagCoinType, err)
			}
			cc.CoinType = uint32(n)
		}
		return cc, home, cc.Validate()
	}
	bz, err := os.ReadFile(filepath.Join(home, "config", ChainConfigFile))
	if errors.Is(err, os.ErrNotExist) {
		return cc, home, nil
	}
	if err != nil {
		return cc, home, err
	}
	if err := json.Unmarshal(bz, &cc); err != nil {
		return cc, home, fmt.Errorf("%s: %w", ChainConfigFile, err)
	}
	return cc, home, cc.Validate()
}
