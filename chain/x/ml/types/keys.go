package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module name, store key and the name of the escrow module account.
	ModuleName = "ml"
	StoreKey   = ModuleName
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
)

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
