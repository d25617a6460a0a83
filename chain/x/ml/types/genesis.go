package types

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis returns the default genesis: default params, nothing else, first job id 1.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextJobId: 1}
}

// Validate checks the genesis state is consistent.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	operators := map[string]struct{}{}
	accounts := map[string]struct{}{}
	for _, e := range gs.Executors {
		if _, err := sdk.ValAddressFromBech32(e.Operator); err != nil {
			return fmt.Errorf("executor operator %q: %w", e.Operator, err)
		}
		if _, err := sdk.AccAddressFromBech32(e.Executor); err != nil {
			return fmt.Errorf("executor account %q: %w", e.Executor, err)
		}
		if _, dup := operators[e.Operator]; dup {
			return fmt.Errorf("duplicate executor operator %s", e.Operator)
		}
		if _, dup := accounts[e.Executor]; dup {
			return fmt.Errorf("executor account %s registered twice", e.Executor)
		}
		operators[e.Operator], accounts[e.Executor] = struct{}{}, struct{}{}
		if err := ValidateExecutorFields(e.EncryptionPubkey, e.Models, e.Devices); err != nil {
			return fmt.Errorf("executor %s: %w", e.Operator, err)
		}
	}
	proposed := map[string]struct{}{}
	for _, e := range gs.ExecutorProposals {
		if _, err := sdk.ValAddressFromBech32(e.Operator); err != nil {
			return fmt.Errorf("executor proposal operator %q: %w", e.Operator, err)
		}
		if _, err := sdk.AccAddressFromBech32(e.Executor); err != nil {
			return fmt.Errorf("executor proposal account %q: %w", e.Executor, err)
		}
		if _, dup := proposed[e.Operator]; dup {
			return fmt.Errorf("duplicate executor proposal of %s", e.Operator)
		}
		proposed[e.Operator] = struct{}{}
		if e.Active {
			return fmt.Errorf("executor proposal of %s: a proposal is not active until accepted", e.Operator)
		}
		if err := ValidateExecutorFields(e.EncryptionPubkey, e.Models, e.Devices); err != nil {
			return fmt.Errorf("executor proposal %s: %w", e.Operator, err)
		}
	}
	ids := map[uint64]struct{}{}
	for _, j := range gs.Jobs {
		if j.Id == 0 {
			return fmt.Errorf("job id 0 is not allowed")
		}
		if _, dup := ids[j.Id]; dup {
			return fmt.Errorf("duplicate job id %d", j.Id)
		}
		ids[j.Id] = struct{}{}
		if j.Id >= gs.NextJobId {
			return fmt.Errorf("next_job_id %d must be greater than job id %d", gs.NextJobId, j.Id)
		}
		if err := j.ValidateShape(); err != nil {
			return err
		}
		if _, err := sdk.AccAddressFromBech32(j.Requester); err != nil {
			return fmt.Errorf("job %d requester: %w", j.Id, err)
		}
		if _, err := sdk.AccAddressFromBech32(j.Executor); err != nil {
			return fmt.Errorf("job %d executor: %w", j.Id, err)
		}
		if _, ok := JobStatus_name[int32(j.Status)]; !ok || j.Status == JOB_STATUS_UNSPECIFIED {
			return fmt.Errorf("job %d: invalid status %d", j.Id, j.Status)
		}
		if err := j.Fee.Validate(); err != nil {
			return fmt.Errorf("job %d fee: %w", j.Id, err)
		}
	}
	if gs.NextJobId == 0 {
		return fmt.Errorf("next_job_id must be at least 1")
	}
	return gs.validateFlows()
}

func validShare(s FlowShare) bool { return s == FLOW_SHARE_BURN || s == FLOW_SHARE_COMMUNITY }

func (gs GenesisState) validateFlows() error {
	if err := gs.PaidToExecutors.Validate(); err != nil {
		return fmt.Errorf("paid_to_executors: %w", err)
	}
	type shareDenom struct {
		share FlowShare
		denom string
	}
	acc := map[shareDenom]struct{}{}
	for _, a := range gs.Accumulated {
		if !validShare(a.Share) {
			return fmt.Errorf("accumulated: invalid share %d", a.Share)
		}
		if err := a.Amount.Validate(); err != nil || !a.Amount.IsPositive() {
			return fmt.Errorf("accumulated %s: amount must be a positive coin", a.Amount)
		}
		key := shareDenom{a.Share, a.Amount.Denom}
		if _, dup := acc[key]; dup {
			return fmt.Errorf("accumulated: %s %s listed twice", ShareName(a.Share), a.Amount.Denom)
		}
		acc[key] = struct{}{}
	}
	type chanSeq struct {
		channel string
		seq     uint64
	}
	pkts := map[chanSeq]struct{}{}
	for _, p := range gs.InFlight {
		if !validShare(p.Share) || p.Channel == "" || p.Receiver == "" {
			return fmt.Errorf("in_flight %s/%d: share, channel and receiver are required", p.Channel, p.Sequence)
		}
		if err := p.Amount.Validate(); err != nil || !p.Amount.IsPositive() {
			return fmt.Errorf("in_flight %s/%d: amount must be a positive coin", p.Channel, p.Sequence)
		}
		key := chanSeq{p.Channel, p.Sequence}
		if _, dup := pkts[key]; dup {
			return fmt.Errorf("in_flight: %s/%d listed twice", p.Channel, p.Sequence)
		}
		pkts[key] = struct{}{}
	}
	for _, d := range gs.Delivered {
		if !validShare(d.Share) || d.Receiver == "" {
			return fmt.Errorf("delivered: share and receiver are required")
		}
		if err := d.Amount.Validate(); err != nil || !d.Amount.IsPositive() {
			return fmt.Errorf("delivered %s: amount must be a positive coin", d.Amount)
		}
	}
	return nil
}
