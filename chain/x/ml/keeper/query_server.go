package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

type queryServer struct{ k Keeper }

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the x/ml Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{k: k} }

func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: p}, nil
}

func (q queryServer) Job(ctx context.Context, req *types.QueryJobRequest) (*types.QueryJobResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	j, err := q.k.Jobs.Get(ctx, req.Id)
	if err != nil {
		if isNotFound(err) {
			return nil, status.Errorf(codes.NotFound, "job %d not found", req.Id)
		}
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryJobResponse{Job: j}, nil
}

// Jobs walks the most selective index that the filters allow (requester, then executor, then status, else
// all jobs by id) and checks the remaining filters on each job.
func (q queryServer) Jobs(ctx context.Context, req *types.QueryJobsRequest) (*types.QueryJobsResponse, error) {
	if req == nil {
		req = &types.QueryJobsRequest{}
	}
	requester, executor := req.Requester, req.Executor
	for _, a := range []*string{&requester, &executor} {
		if *a == "" {
			continue
		}
		c, _, err := q.k.canonAcc(*a)
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid address %q: %v", *a, err)
		}
		*a = c
	}
	match := func(j types.Job) bool {
		return (requester == "" || j.Requester == requester) && (executor == "" || j.Executor == executor) &&
			(req.Status == types.JOB_STATUS_UNSPECIFIED || j.Status == req.Status)
	}
	load := func(id uint64) (types.Job, error) { return q.k.Jobs.Get(ctx, id) }
	var (
		jobs []types.Job
		page *query.PageResponse
		err  error
	)
	pairPred := func(key collections.Pair[string, uint64], _ collections.NoValue) (bool, error) {
		j, err := load(key.K2())
		return err == nil && match(j), err
	}
	pairOut := func(key collections.Pair[string, uint64], _ collections.NoValue) (types.Job, error) {
		return load(key.K2())
	}
	switch {
	case requester != "":
		jobs, page, err = query.CollectionFilteredPaginate(ctx, q.k.JobsByRequester, req.Pagination, pairPred, pairOut,
			query.WithCollectionPaginationPairPrefix[string, uint64](requester))
	case executor != "" && req.Status == types.JOB_STATUS_PENDING:
		// An executor polls this every block: walk the pending set (bounded by live work), not its whole history.
		jobs, page, err = query.CollectionFilteredPaginate(ctx, q.k.JobsByStatus, req.Pagination,
			func(key collections.Pair[int32, uint64], _ collections.NoValue) (bool, error) {
				j, err := load(key.K2())
				return err == nil && match(j), err
			},
			func(key collections.Pair[int32, uint64], _ collections.NoValue) (types.Job, error) {
				return load(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[int32, uint64](int32(req.Status)))
	case executor != "":
		jobs, page, err = query.CollectionFilteredPaginate(ctx, q.k.JobsByExecutor, req.Pagination, pairPred, pairOut,
			query.WithCollectionPaginationPairPrefix[string, uint64](executor))
	case req.Status != types.JOB_STATUS_UNSPECIFIED:
		jobs, page, err = query.CollectionPaginate(ctx, q.k.JobsByStatus, req.Pagination,
			func(key collections.Pair[int32, uint64], _ collections.NoValue) (types.Job, error) {
				return load(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[int32, uint64](int32(req.Status)))
	default:
		jobs, page, err = query.CollectionPaginate(ctx, q.k.Jobs, req.Pagination,
			func(_ uint64, j types.Job) (types.Job, error) { return j, nil })
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryJobsResponse{Jobs: jobs, Pagination: page}, nil
}

// Executor looks up by operator (valoper) first, then by executor account.
func (q queryServer) Executor(ctx context.Context, req *types.QueryExecutorRequest) (*types.QueryExecutorResponse, error) {
	if req == nil || req.Address == "" {
		return nil, status.Error(codes.InvalidArgument, "address is required")
	}
	if op, _, err := q.k.canonVal(req.Address); err == nil {
		e, err := q.k.Executors.Get(ctx, op)
		if err != nil {
			if isNotFound(err) {
				return nil, status.Errorf(codes.NotFound, "no executor for operator %s", req.Address)
			}
			return nil, status.Error(codes.Internal, err.Error())
		}
		return &types.QueryExecutorResponse{Executor: e}, nil
	}
	acc, _, err := q.k.canonAcc(req.Address)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "%q is neither a validator operator nor an account address", req.Address)
	}
	e, err := q.k.executorByAccount(ctx, acc)
	if err != nil {
		return nil, status.Error(codes.NotFound, err.Error())
	}
	return &types.QueryExecutorResponse{Executor: e}, nil
}

func (q queryServer) Executors(ctx context.Context, req *types.QueryExecutorsRequest) (*types.QueryExecutorsResponse, error) {
	var pr *query.PageRequest
	if req != nil {
		pr = req.Pagination
	}
	out, page, err := query.CollectionPaginate(ctx, q.k.Executors, pr,
		func(_ string, e types.Executor) (types.Executor, error) { return e, nil })
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryExecutorsResponse{Executors: out, Pagination: page}, nil
}

func (q queryServer) Flows(ctx context.Context, _ *types.QueryFlowsRequest) (*types.QueryFlowsResponse, error) {
	out, err := q.k.FlowsReport(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return out, nil
}
