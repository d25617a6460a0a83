package keeper

import (
	"bytes"
	"context"
	"strconv"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

type msgServer struct{ Keeper }

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the x/ml Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer { return msgServer{Keeper: k} }

func (m msgServer) GenerateImage(ctx context.Context, msg *types.MsgGenerateImage) (*types.MsgGenerateImageResponse, error) {
	p, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	req, err := types.ImageRequestFromMsg(p, msg)
	if err != nil {
		return nil, err
	}
	id, err := m.createJob(ctx, msg.Creator, p, msg.MaxFee, types.Job{Kind: types.JOB_KIND_IMAGE, Image: &req})
	if err != nil {
		return nil, err
	}
	return &types.MsgGenerateImageResponse{JobId: id}, nil
}

func (m msgServer) GenerateAudio(ctx context.Context, msg *types.MsgGenerateAudio) (*types.MsgGenerateAudioResponse, error) {
	p, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	req, err := types.AudioRequestFromMsg(p, msg)
	if err != nil {
		return nil, err
	}
	id, err := m.createJob(ctx, msg.Creator, p, msg.MaxFee, types.Job{Kind: types.JOB_KIND_AUDIO, Audio: &req})
	if err != nil {
		return nil, err
	}
	return &types.MsgGenerateAudioResponse{JobId: id}, nil
}

func (m msgServer) Chat(ctx context.Context, msg *types.MsgChat) (*types.MsgChatResponse, error) {
	p, err := m.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	req, err := types.ChatRequestFromMsg(p, msg)
	if err != nil {
		return nil, err
	}
	id, err := m.createJob(ctx, msg.Creator, p, msg.MaxFee, types.Job{Kind: types.JOB_KIND_CHAT, Chat: &req})
	if err != nil {
		return nil, err
	}
	return &types.MsgChatResponse{JobId: id}, nil
}

// createJob picks the executor first (so a job nobody can run escrows nothing), then escrows the fee and
// stores the job.
func (m msgServer) createJob(ctx context.Context, creator string, p types.Params, fee sdk.Coin, job types.Job) (uint64, error) {
	requester, creatorAddr, err := m.canonAcc(creator)
	if err != nil {
		return 0, errorsmod.Wrapf(types.ErrInvalidAddress, "creator %q: %v", creator, err)
	}
	id, err := m.NextJobID.Peek(ctx)
	if err != nil {
		return 0, err
	}
	if id == 0 { // a fresh sequence starts at 0; job ids start at 1
		id = 1
	}
	exec, err := m.pickExecutor(ctx, job.Model(), id, "")
	if err != nil {
		return 0, err
	}
	if err := m.escrow(ctx, creatorAddr, fee); err != nil {
		return 0, err
	}
	if err := m.NextJobID.Set(ctx, id+1); err != nil {
		return 0, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	job.Id = id
	job.Requester = requester
	job.Executor = exec.Executor
	job.Status = types.JOB_STATUS_PENDING
	job.CreatedHeight = sdkCtx.BlockHeight()
	job.DeadlineHeight = sdkCtx.BlockHeight() + p.JobTimeoutBlocks
	job.Fee = fee
	if err := m.insertJob(ctx, job); err != nil {
		return 0, err
	}
	exec.JobsAssigned++
	if err := m.Executors.Set(ctx, exec.Operator, exec); err != nil {
		return 0, err
	}
	idStr := strconv.FormatUint(id, 10)
	kind := types.KindName(job.Kind)
	sdkCtx.EventManager().EmitEvents(sdk.Events{
		sdk.NewEvent(types.EventTypeJobCreated,
			sdk.NewAttribute(types.AttributeKeyJobID, idStr),
			sdk.NewAttribute(types.AttributeKeyKind, kind),
			sdk.NewAttribute(types.AttributeKeyModel, job.Model()),
			sdk.NewAttribute(types.AttributeKeyRequester, job.Requester),
		),
		sdk.NewEvent(types.EventTypeJobAssigned,
			sdk.NewAttribute(types.AttributeKeyJobID, idStr),
			sdk.NewAttribute(types.AttributeKeyKind, kind),
			sdk.NewAttribute(types.AttributeKeyModel, job.Model()),
			sdk.NewAttribute(types.AttributeKeyExecutor, job.Executor),
			sdk.NewAttribute(types.AttributeKeyOperator, exec.Operator),
			sdk.NewAttribute(types.AttributeKeyDeadlineHeight, strconv.FormatInt(job.DeadlineHeight, 10)),
		),
	})
	return id, nil
}

// RegisterExecutor records the operator's proposal; the executor account activates it with AcceptExecutor.
// Everything that can be checked without the executor's consent is checked here, so a proposal that could
// never be accepted is refused at once; AcceptExecutor checks bonding and the account's owner again.
func (m msgServer) RegisterExecutor(ctx context.Context, msg *types.MsgRegisterExecutor) (*types.MsgRegisterExecutorResponse, error) {
	operator, valAddr, err := m.canonVal(msg.Operator)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "operator %q: %v", msg.Operator, err)
	}
	executor, execAddr, err := m.canonAcc(msg.Executor)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "executor %q: %v", msg.Executor, err)
	}
	if err := types.ValidateExecutorFields(msg.EncryptionPubkey, msg.Models, msg.Devices); err != nil {
		return nil, err
	}
	if bytes.Equal(execAddr, m.auth.GetModuleAddress(types.ModuleName)) {
		return nil, errorsmod.Wrap(types.ErrInvalidExecutor, "the executor account cannot be the module account")
	}
	if err := m.checkOperatorBonded(ctx, msg.Operator, valAddr); err != nil {
		return nil, err
	}
	if err := m.checkAccountFree(ctx, executor, operator); err != nil {
		return nil, err
	}
	proposal := types.Executor{
		Operator: operator, Executor: executor, EncryptionPubkey: msg.EncryptionPubkey, Models: msg.Models,
		Devices: msg.Devices,
	}
	if err := m.ExecutorProposals.Set(ctx, operator, proposal); err != nil {
		return nil, err
	}
	sdk.UnwrapSDKContext(ctx).EventManager().EmitEvent(sdk.NewEvent(types.EventTypeExecutorProposed,
		sdk.NewAttribute(types.AttributeKeyOperator, operator),
		sdk.NewAttribute(types.AttributeKeyExecutor, executor),
	))
	return &types.MsgRegisterExecutorResponse{}, nil
}

// AcceptExecutor is the executor account's consent (it signs msg.Executor): the operator's pending proposal
// naming this account becomes the operator's executor (created, or updated keeping its counters) and active.
func (m msgServer) AcceptExecutor(ctx context.Context, msg *types.MsgAcceptExecutor) (*types.MsgAcceptExecutorResponse, error) {
	executor, _, err := m.canonAcc(msg.Executor)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "executor %q: %v", msg.Executor, err)
	}
	operator, valAddr, err := m.canonVal(msg.Operator)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "operator %q: %v", msg.Operator, err)
	}
	proposal, err := m.ExecutorProposals.Get(ctx, operator)
	if err != nil {
		if isNotFound(err) {
			return nil, types.ErrExecutorNotFound.Wrapf("operator %s has no pending executor proposal", operator)
		}
		return nil, err
	}
	if proposal.Executor != executor {
		return nil, types.ErrUnauthorized.Wrapf("the pending proposal of %s names executor %s, not %s", operator, proposal.Executor, executor)
	}
	if err := m.checkOperatorBonded(ctx, msg.Operator, valAddr); err != nil {
		return nil, err
	}
	if err := m.checkAccountFree(ctx, executor, operator); err != nil {
		return nil, err
	}
	e := types.Executor{Operator: operator}
	if prev, err := m.Executors.Get(ctx, operator); err == nil {
		e = prev
	} else if !isNotFound(err) {
		return nil, err
	}
	e.Executor = executor
	e.EncryptionPubkey = proposal.EncryptionPubkey
	e.Models = proposal.Models
	e.Devices = proposal.Devices
	e.Active = true
	if err := m.setExecutor(ctx, e); err != nil {
		return nil, err
	}
	if err := m.ExecutorProposals.Remove(ctx, operator); err != nil {
		return nil, err
	}
	sdk.UnwrapSDKContext(ctx).EventManager().EmitEvent(sdk.NewEvent(types.EventTypeExecutorRegistered,
		sdk.NewAttribute(types.AttributeKeyOperator, operator),
		sdk.NewAttribute(types.AttributeKeyExecutor, executor),
	))
	return &types.MsgAcceptExecutorResponse{}, nil
}

func (m msgServer) checkOperatorBonded(ctx context.Context, given string, valAddr []byte) error {
	val, err := m.staking.GetValidator(ctx, sdk.ValAddress(valAddr))
	if err != nil {
		return errorsmod.Wrapf(types.ErrNotBondedValidator, "%s: %v", given, err)
	}
	if !val.IsBonded() {
		return errorsmod.Wrapf(types.ErrNotBondedValidator, "%s is %s", given, val.GetStatus())
	}
	return nil
}

// checkAccountFree refuses an executor account that is the active registration of another operator.
func (m msgServer) checkAccountFree(ctx context.Context, executor, operator string) error {
	other, err := m.ExecutorByAccount.Get(ctx, executor)
	switch {
	case err == nil && other != operator:
		return errorsmod.Wrapf(types.ErrExecutorAccountUsed, "%s is the executor of %s", executor, other)
	case err != nil && !isNotFound(err):
		return err
	}
	return nil
}

func (m msgServer) RetireExecutor(ctx context.Context, msg *types.MsgRetireExecutor) (*types.MsgRetireExecutorResponse, error) {
	operator, _, err := m.canonVal(msg.Operator)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "operator %q: %v", msg.Operator, err)
	}
	e, err := m.Executors.Get(ctx, operator)
	if err != nil {
		if isNotFound(err) {
			return nil, types.ErrExecutorNotFound.Wrapf("operator %s has no executor", operator)
		}
		return nil, err
	}
	e.Active = false
	if err := m.Executors.Set(ctx, operator, e); err != nil {
		return nil, err
	}
	// A retired operator's pending proposal would otherwise re-activate it when accepted later.
	if err := m.ExecutorProposals.Remove(ctx, operator); err != nil {
		return nil, err
	}
	sdk.UnwrapSDKContext(ctx).EventManager().EmitEvent(sdk.NewEvent(types.EventTypeExecutorRetired,
		sdk.NewAttribute(types.AttributeKeyOperator, operator),
		sdk.NewAttribute(types.AttributeKeyExecutor, e.Executor),
	))
	return &types.MsgRetireExecutorResponse{}, nil
}

func (m msgServer) SubmitResult(ctx context.Context, msg *types.MsgSubmitResult) (*types.MsgSubmitResultResponse, error) {
	executor, execAddr, err := m.canonAcc(msg.Executor)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "executor %q: %v", msg.Executor, err)
	}
	if err := types.ValidateResult(msg); err != nil {
		return nil, err
	}
	job, err := m.GetJob(ctx, msg.JobId)
	if err != nil {
		return nil, err
	}
	if job.Status != types.JOB_STATUS_PENDING {
		return nil, types.ErrJobNotPending.Wrapf("job %d is %s", job.Id, job.Status)
	}
	if job.Executor != executor {
		return nil, types.ErrNotAssignedExecutor.Wrapf("job %d is assigned to %s", job.Id, job.Executor)
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	updated := job
	updated.Result = &types.Result{
		OutputSha256: msg.OutputSha256, OutputUri: msg.OutputUri, Mime: msg.Mime, Sealed: msg.Sealed,
		Error: msg.Error, Height: sdkCtx.BlockHeight(),
	}
	idStr := strconv.FormatUint(job.Id, 10)
	if msg.Error == "" {
		updated.Status = types.JOB_STATUS_COMPLETED
		p, err := m.Params.Get(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := m.payCompleted(ctx, p, job, execAddr); err != nil {
			return nil, err
		}
	} else {
		updated.Status = types.JOB_STATUS_FAILED
		if err := m.refund(ctx, job); err != nil {
			return nil, err
		}
	}
	if err := m.updateJob(ctx, job, updated); err != nil {
		return nil, err
	}
	if updated.Status == types.JOB_STATUS_COMPLETED {
		if e, err := m.executorByAccount(ctx, executor); err == nil {
			e.JobsCompleted++
			if err := m.Executors.Set(ctx, e.Operator, e); err != nil {
				return nil, err
			}
		}
		sdkCtx.EventManager().EmitEvent(sdk.NewEvent(types.EventTypeJobCompleted,
			sdk.NewAttribute(types.AttributeKeyJobID, idStr),
			sdk.NewAttribute(types.AttributeKeyKind, types.KindName(job.Kind)),
			sdk.NewAttribute(types.AttributeKeyModel, job.Model()),
			sdk.NewAttribute(types.AttributeKeyExecutor, executor),
			sdk.NewAttribute(types.AttributeKeyRequester, job.Requester),
			sdk.NewAttribute(types.AttributeKeyOutputSHA256, msg.OutputSha256),
			sdk.NewAttribute(types.AttributeKeyOutputURI, msg.OutputUri),
		))
	} else {
		sdkCtx.EventManager().EmitEvent(sdk.NewEvent(types.EventTypeJobFailed,
			sdk.NewAttribute(types.AttributeKeyJobID, idStr),
			sdk.NewAttribute(types.AttributeKeyKind, types.KindName(job.Kind)),
			sdk.NewAttribute(types.AttributeKeyModel, job.Model()),
			sdk.NewAttribute(types.AttributeKeyExecutor, executor),
			sdk.NewAttribute(types.AttributeKeyRequester, job.Requester),
		))
	}
	return &types.MsgSubmitResultResponse{}, nil
}

func (m msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if msg.Authority != m.authority {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "expected %s, got %s", m.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, errorsmod.Wrap(types.ErrInvalidParams, err.Error())
	}
	if err := m.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}
