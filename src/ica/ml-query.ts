// x/ml queries over ABCI (paths "/lunc.ml.v1.Query/<Method>"), shared by the CLI, executor and demo.
import {
  QueryExecutorRequest,
  QueryExecutorResponse,
  QueryExecutorsRequest,
  QueryExecutorsResponse,
  QueryJobRequest,
  QueryJobResponse,
  QueryJobsRequest,
  QueryJobsResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryFlowsRequest,
  QueryFlowsResponse,
} from '../proto/lunc/ml/v1/query.js';
import type { Executor, Job, JobStatus, Params } from '../proto/lunc/ml/v1/types.js';
import type { AbciQuerier } from './controller.js';
import { ChainError } from '../core/errors.js';

async function q<T>(c: AbciQuerier, method: string, req: Uint8Array, decode: (b: Uint8Array) => T): Promise<T> {
  const res = await c.queryAbci(`/lunc.ml.v1.Query/${method}`, req);
  return decode(res.value);
}

export async function queryJob(c: AbciQuerier, id: bigint): Promise<Job> {
  try {
    const r = await q(c, 'Job', QueryJobRequest.encode({ id }).finish(), (b) => QueryJobResponse.decode(b));
    if (!r.job) throw new Error('not found');
    return r.job;
  } catch (e) {
    if (/not found/i.test((e as Error).message)) throw new ChainError('job_not_found', `job ${id} does not exist`, { hint: 'check the id (`lunc-ml query jobs`) and the chain profile' });
    throw e;
  }
}

export async function queryJobs(c: AbciQuerier, filter: { requester?: string; executor?: string; status?: JobStatus }, limit = 200): Promise<Job[]> {
  const out: Job[] = [];
  let key: Uint8Array | undefined;
  for (;;) {
    const req = QueryJobsRequest.fromPartial({
      requester: filter.requester ?? '',
      executor: filter.executor ?? '',
      status: filter.status ?? 0,
      pagination: { key: Buffer.from(key ?? new Uint8Array()), limit: BigInt(limit) },
    });
    const r = await q(c, 'Jobs', QueryJobsRequest.encode(req).finish(), (b) => QueryJobsResponse.decode(b));
    out.push(...r.jobs);
    const next = r.pagination?.nextKey;
    if (!next || next.length === 0) return out;
    key = next;
  }
}

export async function queryExecutor(c: AbciQuerier, address: string): Promise<Executor | undefined> {
  try {
    const r = await q(c, 'Executor', QueryExecutorRequest.encode({ address }).finish(), (b) => QueryExecutorResponse.decode(b));
    return r.executor;
  } catch (e) {
    if (/not found/i.test((e as Error).message)) return undefined;
    throw e;
  }
}

export async function queryExecutors(c: AbciQuerier): Promise<Executor[]> {
  const out: Executor[] = [];
  let key: Uint8Array | undefined;
  for (;;) {
    const req = QueryExecutorsRequest.fromPartial({ pagination: { key: Buffer.from(key ?? new Uint8Array()), limit: 200n } });
    const r = await q(c, 'Executors', QueryExecutorsRequest.encode(req).finish(), (b) => QueryExecutorsResponse.decode(b));
    out.push(...r.executors);
    const next = r.pagination?.nextKey;
    if (!next || next.length === 0) return out;
    key = next;
  }
}

export async function queryParams(c: AbciQuerier): Promise<Params> {
  const r = await q(c, 'Params', QueryParamsRequest.encode({}).finish(), (b) => QueryParamsResponse.decode(b));
  if (!r.params) throw new ChainError('no_params', 'x/ml returned no params');
  return r.params;
}

/** x/ml's fee accounting: per denom escrowed, paid, accumulated, in flight and delivered to the LUNC chain. */
export async function queryFlows(c: AbciQuerier): Promise<QueryFlowsResponse> {
  return q(c, 'Flows', QueryFlowsRequest.encode({}).finish(), (b) => QueryFlowsResponse.decode(b));
}
