package webhooks

import "errors"

var (
	// ErrBadSignature is returned by Verify for a missing, malformed, stale or wrong signature.
	ErrBadSignature = errors.New("webhooks: bad signature")
	// ErrInvalidEndpoint reports an endpoint that cannot be used (URL, pattern or event).
	ErrInvalidEndpoint = errors.New("webhooks: invalid endpoint")
)
