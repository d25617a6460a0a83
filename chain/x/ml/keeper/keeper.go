// Package keeper holds the x/ml state machine: executors, jobs, assignment, escrow and expiry.
package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"
	collcodec "cosmossdk.io/collections/codec"
	"cosmossdk.io/core/address"
	"cosmossdk.io/core/store"
	"cosmossdk.io/log"
	"cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

// Keeper owns the x/ml store. All indexes are plain collections kept in step by setJob / setExecutor.
type Keeper struct {
	cdc          codec.BinaryCodec
	storeService store.KVStoreService
	authority    string
	addressCodec address.Codec
	valCodec     address.Codec

	bank     types.BankKeeper
	auth     types.AccountKeeper
	staking  types.StakingKeeper
	transfer types.TransferKeeper

	Schema collections.Schema
	Params collections.Item[types.Params]
	// NextJobID hands out job ids; the first job gets 1.
	NextJobID collections.Sequence
	Jobs      collections.Map[uint64, types.Job]
	// (requester, job id), (executor, job id), (status, job id): secondary indexes for queries.
	JobsByRequester collections.KeySet[collections.Pair[string, uint64]]
	JobsByExecutor  collections.KeySet[collections.Pair[string, uint64]]
	JobsByStatus    collections.KeySet[collections.Pair[int32, uint64]]
	// (deadline height, job id) of PENDING jobs, scanned by the EndBlocker.
	PendingByDeadline collections.KeySet[collections.Pair[int64, uint64]]
	// Executors by operator (valoper); ExecutorByAccount maps the executor account to its operator.
	Executors         collections.Map[string, types.Executor]
	ExecutorByAccount collections.Map[string, string]
	// Registrations proposed by an operator (MsgRegisterExecutor), by operator, until the executor account
	// accepts one (MsgAcceptExecutor). Proposals are never assigned jobs.
	ExecutorProposals collections.Map[string, types.Executor]
	// Where the EndBlocker's walk over due jobs resumes (see handleDueJobs); absent: from the earliest deadline.
	ExpiryCursor collections.Item[collections.Pair[int64, uint64]]
	// Number of PENDING jobs per executor account, used by the assignment rule.
	PendingByExecutor collections.Map[string, uint64]

	// Fee accounting per denom (see flows.go). Escrowed: fees of PENDING jobs; PaidToExecutors: all time.
	Escrowed        collections.Map[string, math.Int]
	PaidToExecutors collections.Map[string, math.Int]
	// (share, denom): burn and community shares held by the module until the next flow.
	Accumulated collections.Map[collections.Pair[int32, string], math.Int]
	// (channel, sequence): ICS-20 transfers of a share waiting for their acknowledgement or timeout.
	InFlight collections.Map[collections.Pair[string, uint64], types.FlowPacket]
	// (share, LUNC receiver, denom): acknowledged amounts, all time.
	Delivered collections.Map[collections.Triple[int32, string, string], math.Int]
}

// NewKeeper builds the keeper. authority is the address allowed to send MsgUpdateParams (gov module account).
func NewKeeper(
	cdc codec.BinaryCodec, storeService store.KVStoreService, authority string,
	addressCodec, valCodec address.Codec,
	ak types.AccountKeeper, bk types.BankKeeper, sk types.StakingKeeper, tk types.TransferKeeper,
) Keeper {
	if _, err := addressCodec.StringToBytes(authority); err != nil {
		panic(fmt.Errorf("invalid x/ml authority %q: %w", authority, err))
	}
	if ak.GetModuleAddress(types.ModuleName) == nil {
		panic("the x/ml module account has not been set")
	}
	sb := collections.NewSchemaBuilder(storeService)
	pairSU := collections.PairKeyCodec(collections.StringKey, collections.Uint64Key)
	k := Keeper{
		cdc: cdc, storeService: storeService, authority: authority, addressCodec: addressCodec, valCodec: valCodec,
		bank: bk, auth: ak, staking: sk, transfer: tk,
		Params:            collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		NextJobID:         collections.NewSequence(sb, types.NextJobIDKey, "next_job_id"),
		Jobs:              collections.NewMap(sb, types.JobsKey, "jobs", collections.Uint64Key, codec.CollValue[types.Job](cdc)),
		JobsByRequester:   collections.NewKeySet(sb, types.JobsByRequesterKey, "jobs_by_requester", pairSU),
		JobsByExecutor:    collections.NewKeySet(sb, types.JobsByExecutorKey, "jobs_by_executor", pairSU),
		JobsByStatus:      collections.NewKeySet(sb, types.JobsByStatusKey, "jobs_by_status", collections.PairKeyCodec(collections.Int32Key, collections.Uint64Key)),
		PendingByDeadline: collections.NewKeySet(sb, types.PendingByDeadlineKey, "pending_by_deadline", collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		Executors:         collections.NewMap(sb, types.ExecutorsKey, "executors", collections.StringKey, codec.CollValue[types.Executor](cdc)),
		ExecutorByAccount: collections.NewMap(sb, types.ExecutorByAccountKey, "executor_by_account", collections.StringKey, collections.StringValue),
		ExecutorProposals: collections.NewMap(sb, types.ExecutorProposalsKey, "executor_proposals", collections.StringKey, codec.CollValue[types.Executor](cdc)),
		ExpiryCursor:      collections.NewItem(sb, types.ExpiryCursorKey, "expiry_cursor", collcodec.KeyToValueCodec(collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key))),
		PendingByExecutor: collections.NewMap(sb, types.PendingByExecutorKey, "pending_by_executor", collections.StringKey, collections.Uint64Value),
		Escrowed:          collections.NewMap(sb, types.EscrowedKey, "escrowed", collections.StringKey, sdk.IntValue),
		PaidToExecutors:   collections.NewMap(sb, types.PaidKey, "paid_to_executors", collections.StringKey, sdk.IntValue),
		Accumulated:       collections.NewMap(sb, types.AccumulatedKey, "accumulated", collections.PairKeyCodec(collections.Int32Key, collections.StringKey), sdk.IntValue),
		InFlight:          collections.NewMap(sb, types.InFlightKey, "in_flight", collections.PairKeyCodec(collections.StringKey, collections.Uint64Key), codec.CollValue[types.FlowPacket](cdc)),
		Delivered:         collections.NewMap(sb, types.DeliveredKey, "delivered", collections.TripleKeyCodec(collections.Int32Key, collections.StringKey, collections.StringKey), sdk.IntValue),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// GetAuthority returns the address allowed to update params.
func (k Keeper) GetAuthority() string { return k.authority }

// Logger returns the module logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}

// GetJob returns a job by id.
func (k Keeper) GetJob(ctx context.Context, id uint64) (types.Job, error) {
	j, err := k.Jobs.Get(ctx, id)
	if err != nil {
		if isNotFound(err) {
			return j, types.ErrJobNotFound.Wrapf("job %d", id)
		}
		return j, err
	}
	return j, nil
}

// insertJob stores a new job with its indexes.
func (k Keeper) insertJob(ctx context.Context, j types.Job) error {
	if err := k.Jobs.Set(ctx, j.Id, j); err != nil {
		return err
	}
	if err := k.JobsByRequester.Set(ctx, collections.Join(j.Requester, j.Id)); err != nil {
		return err
	}
	return k.indexAssignment(ctx, j)
}

// indexAssignment adds the executor/status/deadline index entries of j.
func (k Keeper) indexAssignment(ctx context.Context, j types.Job) error {
	if err := k.JobsByExecutor.Set(ctx, collections.Join(j.Executor, j.Id)); err != nil {
		return err
	}
	if err := k.JobsByStatus.Set(ctx, collections.Join(int32(j.Status), j.Id)); err != nil {
		return err
	}
	if j.Status == types.JOB_STATUS_PENDING {
		if err := k.PendingByDeadline.Set(ctx, collections.Join(j.DeadlineHeight, j.Id)); err != nil {
			return err
		}
		return k.addPending(ctx, j.Executor, 1)
	}
	return nil
}

// unindexAssignment removes the executor/status/deadline index entries of j (as stored before a change).
func (k Keeper) unindexAssignment(ctx context.Context, j types.Job) error {
	if err := k.JobsByExecutor.Remove(ctx, collections.Join(j.Executor, j.Id)); err != nil {
		return err
	}
	if err := k.JobsByStatus.Remove(ctx, collections.Join(int32(j.Status), j.Id)); err != nil {
		return err
	}
	if j.Status == types.JOB_STATUS_PENDING {
		if err := k.PendingByDeadline.Remove(ctx, collections.Join(j.DeadlineHeight, j.Id)); err != nil {
			return err
		}
		return k.addPending(ctx, j.Executor, -1)
	}
	return nil
}

// updateJob replaces old with updated (same id), keeping the indexes in step.
func (k Keeper) updateJob(ctx context.Context, old, updated types.Job) error {
	if err := k.unindexAssignment(ctx, old); err != nil {
		return err
	}
	if err := k.indexAssignment(ctx, updated); err != nil {
		return err
	}
	return k.Jobs.Set(ctx, updated.Id, updated)
}

func (k Keeper) addPending(ctx context.Context, executor string, delta int64) error {
	n, err := k.PendingByExecutor.Get(ctx, executor)
	if err != nil && !isNotFound(err) {
		return err
	}
	switch {
	case delta < 0 && n <= uint64(-delta):
		return k.PendingByExecutor.Remove(ctx, executor)
	case delta < 0:
		n -= uint64(-delta)
	default:
		n += uint64(delta)
	}
	return k.PendingByExecutor.Set(ctx, executor, n)
}

// pendingOf returns the number of PENDING jobs assigned to an executor account.
func (k Keeper) pendingOf(ctx context.Context, executor string) (uint64, error) {
	n, err := k.PendingByExecutor.Get(ctx, executor)
	if isNotFound(err) {
		return 0, nil
	}
	return n, err
}

// setExecutor stores an executor and its account index, dropping a previous account index entry.
func (k Keeper) setExecutor(ctx context.Context, e types.Executor) error {
	prev, err := k.Executors.Get(ctx, e.Operator)
	if err == nil && prev.Executor != e.Executor {
		if err := k.ExecutorByAccount.Remove(ctx, prev.Executor); err != nil {
			return err
		}
	} else if err != nil && !isNotFound(err) {
		return err
	}
	if err := k.ExecutorByAccount.Set(ctx, e.Executor, e.Operator); err != nil {
		return err
	}
	return k.Executors.Set(ctx, e.Operator, e)
}

// executorByAccount returns the executor whose account is addr.
func (k Keeper) executorByAccount(ctx context.Context, addr string) (types.Executor, error) {
	op, err := k.ExecutorByAccount.Get(ctx, addr)
	if err != nil {
		if isNotFound(err) {
			return types.Executor{}, types.ErrExecutorNotFound.Wrapf("no executor with account %s", addr)
		}
		return types.Executor{}, err
	}
	return k.Executors.Get(ctx, op)
}

// canonAcc decodes an account address and re-encodes it with the chain's codec (canonical lower case).
func (k Keeper) canonAcc(s string) (string, []byte, error) {
	bz, err := k.addressCodec.StringToBytes(s)
	if err != nil {
		return "", nil, err
	}
	out, err := k.addressCodec.BytesToString(bz)
	return out, bz, err
}

// canonVal decodes a validator operator address and re-encodes it canonically.
func (k Keeper) canonVal(s string) (string, []byte, error) {
	bz, err := k.valCodec.StringToBytes(s)
	if err != nil {
		return "", nil, err
	}
	out, err := k.valCodec.BytesToString(bz)
	return out, bz, err
}
