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
	return nil
}
