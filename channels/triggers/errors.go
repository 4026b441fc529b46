package triggers

import "errors"

var (
	// ErrInvalidFunction reports a function spec that cannot be built (type, field or file).
	ErrInvalidFunction = errors.New("triggers: invalid function")
	// ErrClosed is returned by operations on a closed Runner.
	ErrClosed = errors.New("triggers: runner closed")
)
