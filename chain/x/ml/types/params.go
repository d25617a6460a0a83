package types

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/bech32"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
)

// Default parameter values. The min fee denom is the chain's bond denom at the time DefaultParams is called
// (lunc-mld sets sdk.DefaultBondDenom from its init config before building genesis).
const (
	DefaultMaxPromptBytes   uint32 = 2048
	DefaultMaxSteps         uint32 = 150
	DefaultMaxImageSize     uint32 = 1024
	DefaultMaxNumImages     uint32 = 4
	DefaultMaxDurationMs    uint32 = 30000
	DefaultMaxTokens        uint32 = 1024
	DefaultJobTimeoutBlocks int64  = 100
	DefaultMinFeeAmount     int64  = 1000
	// About an hour of 6 s blocks between two flows to the LUNC chain.
	DefaultFlowInterval int64 = 600
	// Due jobs the EndBlocker handles per block. Handling one due job costs a few store reads and writes and a
	// bank send (well under a millisecond); 200 keeps a block's extra work a small fraction of a 6 s block while
	// 5,000 simultaneous deadlines are cleared in 25 blocks.
	DefaultMaxExpirationsPerBlock uint32 = 200
	// Expired jobs are refunded in full by default: the share is for a network's governance to set once spam
	// shows up, and a refund in full is what requesters (and the CLI's expectations) rely on today.
	DefaultExpiryFeeShare = "0"
	// LUNC's base denom on columbus-5.
	DefaultLuncBaseDenom = "uluna"
	// The community's LUNC burn wallet on columbus-5.
	DefaultBurnAddress = "terra1sk06e3dyexuq4shw77y3dsv480xv42mq73anxu"
	// Default fee split: 80% to the executor, 10% burned, 10% to the community address.
	DefaultExecutorShare  = "0.8"
	DefaultBurnShare      = "0.1"
	DefaultCommunityShare = "0.1"
	// TransferPort is the ICS-20 port the flows use.
	TransferPort = "transfer"
	// MaxLuncAddressLen bounds burn_address and community_address (Terra refuses longer ICS-20 receivers).
	MaxLuncAddressLen = 128
)

// DefaultAllowedModels are the model ids accepted by default.
var DefaultAllowedModels = []string{"tiny-sd", "tiny-audio", "tiny-chat", "sd-1.5", "sd-2.1", "sd-turbo", "riffusion-v1", "llama-3-8b"}

// DefaultParams returns the default x/ml params.
func DefaultParams() Params {
	return Params{
		AllowedModels:    append([]string(nil), DefaultAllowedModels...),
		MaxPromptBytes:   DefaultMaxPromptBytes,
		MaxSteps:         DefaultMaxSteps,
		MaxImageSize:     DefaultMaxImageSize,
		MaxNumImages:     DefaultMaxNumImages,
		MaxDurationMs:    DefaultMaxDurationMs,
		MaxTokens:        DefaultMaxTokens,
		JobTimeoutBlocks: DefaultJobTimeoutBlocks,
		MinFee:           sdk.NewCoin(sdk.DefaultBondDenom, sdkmath.NewInt(DefaultMinFeeAmount)),
		FeeMinimums:      sdk.NewCoins(sdk.NewCoin(sdk.DefaultBondDenom, sdkmath.NewInt(DefaultMinFeeAmount))),
		FeeSplit:         FeeSplit{ExecutorShare: DefaultExecutorShare, BurnShare: DefaultBurnShare, CommunityShare: DefaultCommunityShare},
		LuncBaseDenom:    DefaultLuncBaseDenom,
		BurnAddress:      DefaultBurnAddress,
		FlowInterval:     DefaultFlowInterval,

		MaxExpirationsPerBlock: DefaultMaxExpirationsPerBlock,
		ExpiryFeeShare:         DefaultExpiryFeeShare,
	}
}

// ParseExpiryFeeShare parses expiry_fee_share: "" (params stored before it existed) is zero.
func (p Params) ParseExpiryFeeShare() (sdkmath.LegacyDec, error) {
	if p.ExpiryFeeShare == "" {
		return sdkmath.LegacyZeroDec(), nil
	}
	d, err := sdkmath.LegacyNewDecFromStr(p.ExpiryFeeShare)
	if err != nil {
		return d, fmt.Errorf("expiry_fee_share %q: %w", p.ExpiryFeeShare, err)
	}
	if d.IsNegative() || d.GT(sdkmath.LegacyOneDec()) {
		return d, fmt.Errorf("expiry_fee_share must be in [0,1], got %s", p.ExpiryFeeShare)
	}
	return d, nil
}

// SplitExpired splits an expired job's fee into the refund and the retained part (rounded down).
func (p Params) SplitExpired(fee sdkmath.Int) (refund, retained sdkmath.Int, err error) {
	share, err := p.ParseExpiryFeeShare()
	if err != nil {
		return fee, sdkmath.ZeroInt(), err
	}
	retained = share.MulInt(fee).TruncateInt()
	return fee.Sub(retained), retained, nil
}

// IBCDenom is the ICS-20 denom of baseDenom received over channel on port "transfer":
// "ibc/" + uppercase hex SHA-256 of "transfer/<channel>/<baseDenom>".
func IBCDenom(channel, baseDenom string) string {
	h := sha256.Sum256([]byte(TransferPort + "/" + channel + "/" + baseDenom))
	return "ibc/" + strings.ToUpper(hex.EncodeToString(h[:]))
}

// LuncDenom is the denom LUNC has on this chain, or "" when no LUNC channel is set.
func (p Params) LuncDenom() string {
	if p.LuncChannel == "" {
		return ""
	}
	return IBCDenom(p.LuncChannel, p.LuncBaseDenom)
}

// AcceptedFees are the accepted fee denoms with their minimum max_fee: fee_minimums, or min_fee alone when
// fee_minimums is empty (params written before fee_minimums existed).
func (p Params) AcceptedFees() sdk.Coins {
	if len(p.FeeMinimums) > 0 {
		return p.FeeMinimums
	}
	if p.MinFee.Denom == "" {
		return nil
	}
	return sdk.NewCoins(p.MinFee)
}

// Shares are the parsed fee split.
type Shares struct{ Executor, Burn, Community sdkmath.LegacyDec }

// ParseShares parses and checks the fee split: each share in [0,1], summing to exactly 1.
func (s FeeSplit) ParseShares() (Shares, error) {
	var out Shares
	for _, f := range []struct {
		name string
		in   string
		out  *sdkmath.LegacyDec
	}{{"executor_share", s.ExecutorShare, &out.Executor}, {"burn_share", s.BurnShare, &out.Burn}, {"community_share", s.CommunityShare, &out.Community}} {
		d, err := sdkmath.LegacyNewDecFromStr(f.in)
		if err != nil {
			return out, fmt.Errorf("fee_split.%s %q: %w", f.name, f.in, err)
		}
		if d.IsNegative() || d.GT(sdkmath.LegacyOneDec()) {
			return out, fmt.Errorf("fee_split.%s must be in [0,1], got %s", f.name, f.in)
		}
		*f.out = d
	}
	if sum := out.Executor.Add(out.Burn).Add(out.Community); !sum.Equal(sdkmath.LegacyOneDec()) {
		return out, fmt.Errorf("fee_split shares must sum to 1, got %s", sum)
	}
	return out, nil
}

// SplitFee splits amount into executor, burn and community parts: burn and community are rounded down and
// the executor gets the rest, so the three always add up to amount.
func (s Shares) SplitFee(amount sdkmath.Int) (executor, burn, community sdkmath.Int) {
	burn = s.Burn.MulInt(amount).TruncateInt()
	community = s.Community.MulInt(amount).TruncateInt()
	return amount.Sub(burn).Sub(community), burn, community
}

// validateLuncAddress accepts a bech32 address of any prefix (the LUNC chain's, not this chain's).
func validateLuncAddress(name, a string) error {
	if len(a) > MaxLuncAddressLen {
		return fmt.Errorf("%s is longer than %d characters", name, MaxLuncAddressLen)
	}
	if _, _, err := bech32.DecodeAndConvert(a); err != nil {
		return fmt.Errorf("%s %q is not a bech32 address: %w", name, a, err)
	}
	return nil
}

// Validate checks the params are usable.
func (p Params) Validate() error {
	seen := make(map[string]struct{}, len(p.AllowedModels))
	for _, m := range p.AllowedModels {
		if err := ValidateModelID(m); err != nil {
			return fmt.Errorf("allowed_models: %w", err)
		}
		if _, ok := seen[m]; ok {
			return fmt.Errorf("allowed_models: duplicate %q", m)
		}
		seen[m] = struct{}{}
	}
	if p.MaxPromptBytes == 0 {
		return fmt.Errorf("max_prompt_bytes must be positive")
	}
	if p.MaxSteps == 0 {
		return fmt.Errorf("max_steps must be positive")
	}
	if p.MaxImageSize < 8 || p.MaxImageSize%8 != 0 {
		return fmt.Errorf("max_image_size must be a positive multiple of 8, got %d", p.MaxImageSize)
	}
	if p.MaxNumImages == 0 {
		return fmt.Errorf("max_num_images must be positive")
	}
	if p.MaxDurationMs == 0 {
		return fmt.Errorf("max_duration_ms must be positive")
	}
	if p.MaxTokens == 0 {
		return fmt.Errorf("max_tokens must be positive")
	}
	if p.JobTimeoutBlocks <= 0 {
		return fmt.Errorf("job_timeout_blocks must be positive")
	}
	if p.MaxExpirationsPerBlock == 0 {
		return fmt.Errorf("max_expirations_per_block must be positive")
	}
	if err := p.validateFees(); err != nil {
		return err
	}
	return p.validateFlows()
}

func (p Params) validateFees() error {
	if len(p.FeeMinimums) == 0 {
		if p.MinFee.Denom == "" {
			return fmt.Errorf("min_fee: denom is required when fee_minimums is empty")
		}
		if err := p.MinFee.Validate(); err != nil {
			return fmt.Errorf("min_fee: %w", err)
		}
	} else {
		// Validate also requires sorted, unique denoms: a denom has one minimum.
		if err := p.FeeMinimums.Validate(); err != nil {
			return fmt.Errorf("fee_minimums: %w", err)
		}
		if p.MinFee.Denom != "" {
			if err := p.MinFee.Validate(); err != nil {
				return fmt.Errorf("min_fee: %w", err)
			}
			if got := p.FeeMinimums.AmountOf(p.MinFee.Denom); !got.Equal(p.MinFee.Amount) {
				return fmt.Errorf("min_fee %s must be empty or one of fee_minimums %s", p.MinFee, p.FeeMinimums)
			}
		}
	}
	if _, err := p.ParseExpiryFeeShare(); err != nil {
		return err
	}
	_, err := p.FeeSplit.ParseShares()
	return err
}

func (p Params) validateFlows() error {
	if p.FlowInterval <= 0 {
		return fmt.Errorf("flow_interval must be positive")
	}
	if p.LuncBaseDenom == "" {
		return fmt.Errorf("lunc_base_denom is required")
	}
	if err := sdk.ValidateDenom(p.LuncBaseDenom); err != nil {
		return fmt.Errorf("lunc_base_denom: %w", err)
	}
	if p.LuncChannel != "" && !channeltypes.IsValidChannelID(p.LuncChannel) {
		return fmt.Errorf("lunc_channel %q is not a channel id (channel-N)", p.LuncChannel)
	}
	if p.BurnAddress != "" {
		if err := validateLuncAddress("burn_address", p.BurnAddress); err != nil {
			return err
		}
	}
	if p.CommunityAddress != "" {
		if err := validateLuncAddress("community_address", p.CommunityAddress); err != nil {
			return err
		}
	}
	if p.LuncChannel == "" {
		return nil
	}
	// With flows on, every share that is sent somewhere needs a receiver.
	shares, err := p.FeeSplit.ParseShares()
	if err != nil {
		return err
	}
	if shares.Burn.IsPositive() && p.BurnAddress == "" {
		return fmt.Errorf("burn_address is required when lunc_channel is set and burn_share is positive")
	}
	if shares.Community.IsPositive() && p.CommunityAddress == "" {
		return fmt.Errorf("community_address is required when lunc_channel is set and community_share is positive")
	}
	return nil
}

// IsModelAllowed reports whether model is in AllowedModels.
func (p Params) IsModelAllowed(model string) bool {
	for _, m := range p.AllowedModels {
		if m == model {
			return true
		}
	}
	return false
}

// ValidateModelID checks a model id: 1..64 bytes of [A-Za-z0-9._-].
func ValidateModelID(m string) error {
	if len(m) == 0 || len(m) > MaxModelIDBytes {
		return fmt.Errorf("model id must be 1..%d bytes, got %d", MaxModelIDBytes, len(m))
	}
	for _, c := range m {
		ok := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'
		if !ok {
			return fmt.Errorf("model id %q has an invalid character %q", m, c)
		}
	}
	return nil
}
