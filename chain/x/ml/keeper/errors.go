package keeper

import (
	"errors"

	"cosmossdk.io/collections"
)

func isNotFound(err error) bool { return err != nil && errors.Is(err, collections.ErrNotFound) }
