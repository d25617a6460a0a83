// x/ml event types and attribute keys. chain/x/ml/types/events.json is the Go side's list;
// test/ica/events-contract.test.ts checks that both agree.
export const ML_EVENTS = {
  jobCreated: 'ml_job_created',
  jobAssigned: 'ml_job_assigned',
  jobReassigned: 'ml_job_reassigned',
  jobCompleted: 'ml_job_completed',
  jobFailed: 'ml_job_failed',
  jobExpired: 'ml_job_expired',
  executorRegistered: 'ml_executor_registered',
  executorRetired: 'ml_executor_retired',
  executorProposed: 'ml_executor_proposed',
  jobSkipped: 'ml_job_skipped',
  flowSent: 'ml_flow_sent',
  flowAcked: 'ml_flow_acked',
  flowFailed: 'ml_flow_failed',
} as const;

export const ML_ATTRS = {
  jobId: 'job_id',
  kind: 'kind',
  model: 'model',
  executor: 'executor',
  requester: 'requester',
  deadlineHeight: 'deadline_height',
  outputSha256: 'output_sha256',
  outputUri: 'output_uri',
  operator: 'operator',
  share: 'share',
  amount: 'amount',
  receiver: 'receiver',
  channel: 'channel',
  sequence: 'sequence',
  stage: 'stage',
  reason: 'reason',
} as const;
