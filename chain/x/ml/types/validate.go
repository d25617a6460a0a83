package types

import (
	"encoding/hex"
	"fmt"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Stateless limits that are not params.
const (
	MaxModelIDBytes      = 64
	MaxModelsPerExecutor = 32
	MaxDevices           = 64
	X25519KeyBytes       = 32
	// Room for a multi-recipient envelope (src/core/sealed-prompt.ts): 3 + 24 + 16 bytes of frame and
	// 113 bytes per executor key, so up to 35 executors serving one model.
	SealedEnvelopeOverhead = 4096
	MaxOutputURIBytes      = 512
	MaxErrorBytes          = 512
	MaxMimeBytes           = 128
	MaxStyleBytes          = 256
)

// Defaults filled in when a request leaves the field empty (or zero for num_images).
const (
	DefaultGuidanceScale = "7.5"
	DefaultScheduler     = "euler"
	DefaultTemperature   = "0.7"
	DefaultNumImages     = 1
)

// Schedulers accepted for image jobs.
var Schedulers = []string{"euler", "euler_a", "ddim", "lcm", "dpmpp_2m", "pndm"}

func invalid(format string, args ...any) error {
	return errorsmod.Wrapf(ErrInvalidRequest, format, args...)
}

// validatePrompt checks the sealed_prompt XOR prompt rule and the byte limits.
func validatePrompt(p Params, prompt string, sealed []byte) error {
	switch {
	case prompt == "" && len(sealed) == 0:
		return invalid("one of prompt and sealed_prompt is required")
	case prompt != "" && len(sealed) != 0:
		return invalid("prompt and sealed_prompt are exclusive: set one")
	case prompt != "":
		if !utf8.ValidString(prompt) {
			return invalid("prompt is not valid UTF-8")
		}
		if uint32(len(prompt)) > p.MaxPromptBytes {
			return invalid("prompt is %d bytes, more than max_prompt_bytes %d", len(prompt), p.MaxPromptBytes)
		}
	default:
		if uint64(len(sealed)) > uint64(p.MaxPromptBytes)+SealedEnvelopeOverhead {
			return invalid("sealed_prompt is %d bytes, more than max_prompt_bytes + %d", len(sealed), SealedEnvelopeOverhead)
		}
	}
	return nil
}

func validateReplyPubkey(k []byte) error {
	if len(k) != 0 && len(k) != X25519KeyBytes {
		return invalid("reply_pubkey must be empty or %d bytes, got %d", X25519KeyBytes, len(k))
	}
	return nil
}

func validateModel(p Params, model string) error {
	if model == "" {
		return invalid("model is required")
	}
	if !p.IsModelAllowed(model) {
		return errorsmod.Wrapf(ErrModelNotAllowed, "%q (allowed: %v)", model, p.AllowedModels)
	}
	return nil
}

func validateSteps(p Params, steps uint32) error {
	if steps == 0 || steps > p.MaxSteps {
		return invalid("steps must be 1..%d, got %d", p.MaxSteps, steps)
	}
	return nil
}

// ValidateFee checks a max_fee against the accepted fee denoms (Params.AcceptedFees): a denom that is not
// accepted is refused with ErrFeeDenomNotAccepted naming the accepted ones, an amount below that denom's
// minimum with ErrInvalidFee.
func ValidateFee(p Params, fee sdk.Coin) error {
	accepted := p.AcceptedFees()
	if fee.Denom == "" || fee.Amount.IsNil() {
		return errorsmod.Wrapf(ErrInvalidFee, "max_fee is required (at least one of %s)", accepted)
	}
	if err := fee.Validate(); err != nil {
		return errorsmod.Wrap(ErrInvalidFee, err.Error())
	}
	found, minFee := accepted.Find(fee.Denom)
	if !found {
		return errorsmod.Wrapf(ErrFeeDenomNotAccepted, "max_fee denom %s is not accepted; accepted fee denoms (with their minimum): %s", fee.Denom, accepted)
	}
	if fee.Amount.LT(minFee.Amount) {
		return errorsmod.Wrapf(ErrInvalidFee, "max_fee %s is less than the minimum %s", fee, minFee)
	}
	return nil
}

// decimalInRange parses a decimal string and checks lo <= v <= hi.
func decimalInRange(name, s string, lo, hi int64) error {
	d, err := sdkmath.LegacyNewDecFromStr(s)
	if err != nil {
		return invalid("%s %q is not a decimal number", name, s)
	}
	if d.LT(sdkmath.LegacyNewDec(lo)) || d.GT(sdkmath.LegacyNewDec(hi)) {
		return invalid("%s must be %d..%d, got %s", name, lo, hi, s)
	}
	return nil
}

// ImageRequestFromMsg validates msg against p and returns the request to store, with defaults filled in.
func ImageRequestFromMsg(p Params, msg *MsgGenerateImage) (ImageRequest, error) {
	req := ImageRequest{
		Prompt: msg.Prompt, NegativePrompt: msg.NegativePrompt, Model: msg.Model, Width: msg.Width, Height: msg.Height,
		Steps: msg.Steps, GuidanceScale: msg.GuidanceScale, Scheduler: msg.Scheduler, Seed: msg.Seed,
		NumImages: msg.NumImages, SealedPrompt: msg.SealedPrompt, ReplyPubkey: msg.ReplyPubkey,
	}
	if req.GuidanceScale == "" {
		req.GuidanceScale = DefaultGuidanceScale
	}
	if req.Scheduler == "" {
		req.Scheduler = DefaultScheduler
	}
	if req.NumImages == 0 {
		req.NumImages = DefaultNumImages
	}
	if err := validatePrompt(p, req.Prompt, req.SealedPrompt); err != nil {
		return req, err
	}
	if !utf8.ValidString(req.NegativePrompt) || uint32(len(req.NegativePrompt)) > p.MaxPromptBytes {
		return req, invalid("negative_prompt must be valid UTF-8 of at most %d bytes", p.MaxPromptBytes)
	}
	if len(req.SealedPrompt) != 0 && req.NegativePrompt != "" {
		return req, invalid("negative_prompt must be empty with a sealed_prompt (seal it with the prompt)")
	}
	if err := validateModel(p, req.Model); err != nil {
		return req, err
	}
	for _, d := range []struct {
		name string
		v    uint32
	}{{"width", req.Width}, {"height", req.Height}} {
		if d.v == 0 || d.v%8 != 0 || d.v > p.MaxImageSize {
			return req, invalid("%s must be a multiple of 8 in 8..%d, got %d", d.name, p.MaxImageSize, d.v)
		}
	}
	if err := validateSteps(p, req.Steps); err != nil {
		return req, err
	}
	if err := decimalInRange("guidance_scale", req.GuidanceScale, 0, 30); err != nil {
		return req, err
	}
	okScheduler := false
	for _, s := range Schedulers {
		if s == req.Scheduler {
			okScheduler = true
		}
	}
	if !okScheduler {
		return req, invalid("scheduler must be one of %v, got %q", Schedulers, req.Scheduler)
	}
	if req.NumImages > p.MaxNumImages {
		return req, invalid("num_images must be 1..%d, got %d", p.MaxNumImages, req.NumImages)
	}
	if err := validateReplyPubkey(req.ReplyPubkey); err != nil {
		return req, err
	}
	return req, ValidateFee(p, msg.MaxFee)
}

// AudioRequestFromMsg validates msg against p and returns the request to store.
func AudioRequestFromMsg(p Params, msg *MsgGenerateAudio) (AudioRequest, error) {
	req := AudioRequest{
		Prompt: msg.Prompt, Style: msg.Style, DurationMs: msg.DurationMs, Model: msg.Model, Seed: msg.Seed,
		Steps: msg.Steps, SealedPrompt: msg.SealedPrompt, ReplyPubkey: msg.ReplyPubkey,
	}
	if err := validatePrompt(p, req.Prompt, req.SealedPrompt); err != nil {
		return req, err
	}
	if !utf8.ValidString(req.Style) || len(req.Style) > MaxStyleBytes {
		return req, invalid("style must be valid UTF-8 of at most %d bytes", MaxStyleBytes)
	}
	if err := validateModel(p, req.Model); err != nil {
		return req, err
	}
	if req.DurationMs == 0 || req.DurationMs > p.MaxDurationMs {
		return req, invalid("duration_ms must be 1..%d, got %d", p.MaxDurationMs, req.DurationMs)
	}
	if err := validateSteps(p, req.Steps); err != nil {
		return req, err
	}
	if err := validateReplyPubkey(req.ReplyPubkey); err != nil {
		return req, err
	}
	return req, ValidateFee(p, msg.MaxFee)
}

// ChatRequestFromMsg validates msg against p and returns the request to store, with defaults filled in.
func ChatRequestFromMsg(p Params, msg *MsgChat) (ChatRequest, error) {
	req := ChatRequest{
		Prompt: msg.Prompt, SealedPrompt: msg.SealedPrompt, Model: msg.Model, MaxTokens: msg.MaxTokens,
		Temperature: msg.Temperature, Seed: msg.Seed, ReplyPubkey: msg.ReplyPubkey,
	}
	if req.Temperature == "" {
		req.Temperature = DefaultTemperature
	}
	if err := validatePrompt(p, req.Prompt, req.SealedPrompt); err != nil {
		return req, err
	}
	if err := validateModel(p, req.Model); err != nil {
		return req, err
	}
	if req.MaxTokens == 0 || req.MaxTokens > p.MaxTokens {
		return req, invalid("max_tokens must be 1..%d, got %d", p.MaxTokens, req.MaxTokens)
	}
	if err := decimalInRange("temperature", req.Temperature, 0, 2); err != nil {
		return req, err
	}
	if err := validateReplyPubkey(req.ReplyPubkey); err != nil {
		return req, err
	}
	return req, ValidateFee(p, msg.MaxFee)
}

// IsLowerHexSHA256 reports whether s is 64 lowercase hex characters.
func IsLowerHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// ValidateResult checks a MsgSubmitResult's payload (not who sent it).
func ValidateResult(msg *MsgSubmitResult) error {
	if len(msg.Error) > MaxErrorBytes {
		return errorsmod.Wrapf(ErrInvalidResult, "error is %d bytes, at most %d", len(msg.Error), MaxErrorBytes)
	}
	if len(msg.OutputUri) > MaxOutputURIBytes {
		return errorsmod.Wrapf(ErrInvalidResult, "output_uri is %d bytes, at most %d", len(msg.OutputUri), MaxOutputURIBytes)
	}
	if len(msg.Mime) > MaxMimeBytes {
		return errorsmod.Wrapf(ErrInvalidResult, "mime is %d bytes, at most %d", len(msg.Mime), MaxMimeBytes)
	}
	if msg.Error == "" && !IsLowerHexSHA256(msg.OutputSha256) {
		return errorsmod.Wrapf(ErrInvalidResult, "output_sha256 must be 64 lowercase hex characters, got %q", msg.OutputSha256)
	}
	if msg.Error != "" && msg.OutputSha256 != "" && !IsLowerHexSHA256(msg.OutputSha256) {
		return errorsmod.Wrapf(ErrInvalidResult, "output_sha256 must be empty or 64 lowercase hex characters")
	}
	return nil
}

// ValidateExecutorFields checks the stateless fields of a MsgRegisterExecutor.
func ValidateExecutorFields(pubkey []byte, models []string, devices uint32) error {
	if len(pubkey) != X25519KeyBytes {
		return errorsmod.Wrapf(ErrInvalidExecutor, "encryption_pubkey must be %d bytes, got %d", X25519KeyBytes, len(pubkey))
	}
	if len(models) == 0 || len(models) > MaxModelsPerExecutor {
		return errorsmod.Wrapf(ErrInvalidExecutor, "models must list 1..%d model ids, got %d", MaxModelsPerExecutor, len(models))
	}
	seen := map[string]struct{}{}
	for _, m := range models {
		if err := ValidateModelID(m); err != nil {
			return errorsmod.Wrap(ErrInvalidExecutor, err.Error())
		}
		if _, dup := seen[m]; dup {
			return errorsmod.Wrapf(ErrInvalidExecutor, "duplicate model %q", m)
		}
		seen[m] = struct{}{}
	}
	if devices == 0 || devices > MaxDevices {
		return errorsmod.Wrapf(ErrInvalidExecutor, "devices must be 1..%d, got %d", MaxDevices, devices)
	}
	return nil
}

// Serves reports whether the executor lists model.
func (e Executor) Serves(model string) bool {
	for _, m := range e.Models {
		if m == model {
			return true
		}
	}
	return false
}

// Model returns the model id of the job's request.
func (j Job) Model() string {
	switch {
	case j.Image != nil:
		return j.Image.Model
	case j.Audio != nil:
		return j.Audio.Model
	case j.Chat != nil:
		return j.Chat.Model
	}
	return ""
}

// ValidateShape checks that exactly the request matching kind is set.
func (j Job) ValidateShape() error {
	set := 0
	for _, b := range []bool{j.Image != nil, j.Audio != nil, j.Chat != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		return fmt.Errorf("job %d: exactly one of image, audio, chat must be set", j.Id)
	}
	if (j.Kind == JOB_KIND_IMAGE) != (j.Image != nil) || (j.Kind == JOB_KIND_AUDIO) != (j.Audio != nil) || (j.Kind == JOB_KIND_CHAT) != (j.Chat != nil) {
		return fmt.Errorf("job %d: kind %s does not match the request set", j.Id, j.Kind)
	}
	return nil
}
