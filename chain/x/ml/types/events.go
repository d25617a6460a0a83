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
}
