package types

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"

	sdkmath "cosmossdk.io/math"
)

// limits.json is what the TypeScript client checks requests against before anything is signed: it must say
// exactly what this package enforces, or a user pays LUNC gas for a packet the chain then refuses.
func TestLimitsJSONMatchesTheChain(t *testing.T) {
	raw, err := os.ReadFile("limits.json")
	if err != nil {
		t.Fatal(err)
	}
	var l struct {
		DefaultParams struct {
			MaxPromptBytes uint32 `json:"max_prompt_bytes"`
			MaxSteps       uint32 `json:"max_steps"`
			MaxImageSize   uint32 `json:"max_image_size"`
			MaxNumImages   uint32 `json:"max_num_images"`
			MaxDurationMs  uint32 `json:"max_duration_ms"`
			MaxTokens      uint32 `json:"max_tokens"`
		} `json:"default_params"`
		MaxModelIDBytes        int      `json:"max_model_id_bytes"`
		MaxStyleBytes          int      `json:"max_style_bytes"`
		SealedEnvelopeOverhead int      `json:"sealed_envelope_overhead"`
		X25519KeyBytes         int      `json:"x25519_key_bytes"`
		Schedulers             []string `json:"schedulers"`
		GuidanceScale          struct {
			Min, Max int64
			Default  string
		} `json:"guidance_scale"`
		Temperature struct {
			Min, Max int64
			Default  string
		} `json:"temperature"`
		DecimalPlaces int `json:"decimal_places"`
	}
	if err := json.Unmarshal(raw, &l); err != nil {
		t.Fatal(err)
	}
	p := DefaultParams()
	d := l.DefaultParams
	if d.MaxPromptBytes != p.MaxPromptBytes || d.MaxSteps != p.MaxSteps || d.MaxImageSize != p.MaxImageSize || d.MaxNumImages != p.MaxNumImages || d.MaxDurationMs != p.MaxDurationMs || d.MaxTokens != p.MaxTokens {
		t.Fatalf("limits.json default_params %+v differ from DefaultParams %+v", d, p)
	}
	if l.MaxModelIDBytes != MaxModelIDBytes || l.MaxStyleBytes != MaxStyleBytes || l.SealedEnvelopeOverhead != SealedEnvelopeOverhead || l.X25519KeyBytes != X25519KeyBytes {
		t.Fatalf("limits.json stateless limits differ from validate.go")
	}
	if !reflect.DeepEqual(l.Schedulers, Schedulers) {
		t.Fatalf("schedulers %v, chain %v", l.Schedulers, Schedulers)
	}
	if l.GuidanceScale.Default != DefaultGuidanceScale || l.Temperature.Default != DefaultTemperature {
		t.Fatalf("defaults differ")
	}
	if l.DecimalPlaces != sdkmath.LegacyPrecision {
		t.Fatalf("decimal_places %d, LegacyDec precision %d", l.DecimalPlaces, sdkmath.LegacyPrecision)
	}
	// The ranges are the ones the validators use: the bounds pass, one step past them fails.
	img := func(g string) error {
		_, err := ImageRequestFromMsg(p, &MsgGenerateImage{Prompt: "a", Model: "tiny-sd", Width: 64, Height: 64, Steps: 1, GuidanceScale: g, Scheduler: "euler", MaxFee: p.AcceptedFees()[0]})
		return err
	}
	if err := img("30"); err != nil {
		t.Fatalf("guidance 30 refused: %v", err)
	}
	for _, g := range []string{"30.000000000000000001", "30.0000000000000000001", "-0.1", "1e3"} {
		if img(g) == nil {
			t.Fatalf("guidance %s accepted", g)
		}
	}
}
