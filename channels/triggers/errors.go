package triggers

import "errors"

// ErrInvalidFunction reports a function spec that cannot be built (type, field or file).
var ErrInvalidFunction = errors.New("triggers: invalid function")
