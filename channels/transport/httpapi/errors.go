package httpapi

import "errors"

// Request errors. Their text is the JSON error the client sees; handlers wrap them with %w to
// add the detail.
var (
	// ErrBadRequest is a request the API cannot act on (bad JSON, unknown field, bad value).
	ErrBadRequest = errors.New("bad request")
	// ErrTooLarge is a request body over the 1 MiB cap.
	ErrTooLarge = errors.New("request body too large")
)
