package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module name, store key and the name of the escrow module account.
	ModuleName = "ml"
	// FlowsAccountName is the module account that sends the burn and community shares over ICS-20. It is kept
	// off the blocked-address list because ICS-20 refuses blocked senders and refunds (ibc-go v10
	// SendTransfer/refundPacketTokens); the escrow account ModuleName stays blocked. It holds coins only
	// within a flow's transaction or between a refund and its return to ModuleName in the same transaction.
	FlowsAccountName = "ml_flows"
	StoreKey         = ModuleName
	// RouterKey routes the module's messages.
	RouterKey = ModuleName
)

// Store prefixes of the collections the keeper keeps. Never reuse or renumber one.
var (
	ParamsKey            = collections.NewPrefix(0)
	NextJobIDKey         = collections.NewPrefix(1)
	JobsKey              = collections.NewPrefix(2)
	JobsByRequesterKey   = collections.NewPrefix(3)
	JobsByExecutorKey    = collections.NewPrefix(4)
	JobsByStatusKey      = collections.NewPrefix(5)
	PendingByDeadlineKey = collections.NewPrefix(6)
	ExecutorsKey         = collections.NewPrefix(7)
	ExecutorByAccountKey = collections.NewPrefix(8)
	PendingByExecutorKey = collections.NewPrefix(9)
	EscrowedKey          = collections.NewPrefix(10)
	PaidKey              = collections.NewPrefix(11)
	AccumulatedKey       = collections.NewPrefix(12)
	InFlightKey          = collections.NewPrefix(13)
	DeliveredKey         = collections.NewPrefix(14)
	// Pending executor registrations by operator, waiting for the executor account's MsgAcceptExecutor.
	ExecutorProposalsKey = collections.NewPrefix(15)
	// (deadline height, job id) after which the EndBlocker resumes its walk over due jobs.
	ExpiryCursorKey = collections.NewPrefix(16)
)

// ShareName is the short share name used in events: burn or community.
func ShareName(s FlowShare) string {
	switch s {
	case FLOW_SHARE_BURN:
		return "burn"
	case FLOW_SHARE_COMMUNITY:
		return "community"
	default:
		return "unspecified"
	}
}

// KindName is the short job kind used in events: image, audio or chat.
func KindName(k JobKind) string {
	switch k {
	case JOB_KIND_IMAGE:
		return "image"
	case JOB_KIND_AUDIO:
		return "audio"
	case JOB_KIND_CHAT:
		return "chat"
	default:
		return "unspecified"
	}
}
