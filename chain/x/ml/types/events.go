package types

// Event types emitted by x/ml. The same names are listed in events.json for the TypeScript side; a test keeps
// the two in sync.
const (
	EventTypeJobCreated         = "ml_job_created"
	EventTypeJobAssigned        = "ml_job_assigned"
	EventTypeJobReassigned      = "ml_job_reassigned"
	EventTypeJobCompleted       = "ml_job_completed"
	EventTypeJobFailed          = "ml_job_failed"
	EventTypeJobExpired         = "ml_job_expired"
	EventTypeExecutorRegistered = "ml_executor_registered"
	EventTypeExecutorRetired    = "ml_executor_retired"
	// An operator proposed an executor registration; it takes effect when the executor account accepts it
	// (then ml_executor_registered).
	EventTypeExecutorProposed = "ml_executor_proposed"
	// The EndBlocker could not handle a due job (reason); nothing of that job changed and it is tried again
	// when the deadline cursor next comes round.
	EventTypeJobSkipped = "ml_job_skipped"
	// A share left for the LUNC chain over ICS-20.
	EventTypeFlowSent = "ml_flow_sent"
	// The LUNC chain acknowledged a share: it is delivered.
	EventTypeFlowAcked = "ml_flow_acked"
	// A share could not be sent (stage "send"), or came back (stage "ack" with an error acknowledgement, or
	// "timeout"); its amount is back in the accumulator for the next flow.
	EventTypeFlowFailed = "ml_flow_failed"
)

// Event attribute keys.
const (
	AttributeKeyJobID          = "job_id"
	AttributeKeyKind           = "kind"
	AttributeKeyModel          = "model"
	AttributeKeyExecutor       = "executor"
	AttributeKeyRequester      = "requester"
	AttributeKeyDeadlineHeight = "deadline_height"
	AttributeKeyOutputSHA256   = "output_sha256"
	AttributeKeyOutputURI      = "output_uri"
	AttributeKeyOperator       = "operator"
	AttributeKeyShare          = "share"
	AttributeKeyAmount         = "amount"
	AttributeKeyReceiver       = "receiver"
	AttributeKeyChannel        = "channel"
	AttributeKeySequence       = "sequence"
	AttributeKeyStage          = "stage"
	AttributeKeyReason         = "reason"
)

// EventNames maps the events.json keys to the event types.
var EventNames = map[string]string{
	"job_created":         EventTypeJobCreated,
	"job_assigned":        EventTypeJobAssigned,
	"job_reassigned":      EventTypeJobReassigned,
	"job_completed":       EventTypeJobCompleted,
	"job_failed":          EventTypeJobFailed,
	"job_expired":         EventTypeJobExpired,
	"executor_registered": EventTypeExecutorRegistered,
	"executor_retired":    EventTypeExecutorRetired,
	"executor_proposed":   EventTypeExecutorProposed,
	"job_skipped":         EventTypeJobSkipped,
	"flow_sent":           EventTypeFlowSent,
	"flow_acked":          EventTypeFlowAcked,
	"flow_failed":         EventTypeFlowFailed,
}

// AttributeNames maps the events.json keys to the attribute keys.
var AttributeNames = map[string]string{
	"job_id":          AttributeKeyJobID,
	"kind":            AttributeKeyKind,
	"model":           AttributeKeyModel,
	"executor":        AttributeKeyExecutor,
	"requester":       AttributeKeyRequester,
	"deadline_height": AttributeKeyDeadlineHeight,
	"output_sha256":   AttributeKeyOutputSHA256,
	"output_uri":      AttributeKeyOutputURI,
	"operator":        AttributeKeyOperator,
	"share":           AttributeKeyShare,
	"amount":          AttributeKeyAmount,
	"receiver":        AttributeKeyReceiver,
	"channel":         AttributeKeyChannel,
	"sequence":        AttributeKeySequence,
	"stage":           AttributeKeyStage,
	"reason":          AttributeKeyReason,
}
