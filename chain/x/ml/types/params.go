package types

import (
	"fmt"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
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
	}
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
	if err := p.MinFee.Validate(); err != nil {
		return fmt.Errorf("min_fee: %w", err)
	}
	if p.MinFee.Denom == "" {
		return fmt.Errorf("min_fee: denom is required")
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
