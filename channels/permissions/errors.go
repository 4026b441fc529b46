package permissions

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error this package returns wraps one of them (test with errors.Is).
var (
	// ErrUnknownPermission: a permission name that is neither canonical nor a Xano alias.
	ErrUnknownPermission = errors.New("permissions: unknown permission")
	// ErrInvalidPattern: a pattern that breaks the grammar of channels-and-permissions.md §2.
	ErrInvalidPattern = errors.New("permissions: invalid pattern")
	// ErrDuplicatePattern: two sets with the same (or an equivalent) pattern.
	ErrDuplicatePattern = errors.New("permissions: duplicate pattern")
	// ErrInvalidSet: a set field other than the pattern or a permission is wrong
	// (negative history, empty role name, bad trigger).
	ErrInvalidSet = errors.New("permissions: invalid set")
	// ErrInvalidChannelName: a concrete channel name that is too long, has an empty segment or
	// control characters.
	ErrInvalidChannelName = errors.New("permissions: invalid channel name")
	// ErrXanoImport: a Xano realtime export that cannot be read.
	ErrXanoImport = errors.New("permissions: invalid xano export")
)

// SetError is a configuration error in one permission set. Its text names where the set came
// from, its pattern and what is wrong; Unwrap returns the sentinel that classifies it.
type SetError struct {
	Origin  string // e.g. "phxserver.yaml:12"
	Pattern string
	Detail  string // e.g. `unknown permission "presense"`
	Kind    error  // one of the sentinels above
}

// Error implements error.
func (e *SetError) Error() string {
	origin := e.Origin
	if origin == "" {
		origin = "(unknown origin)"
	}
	return fmt.Sprintf("permissions: %s: set %q: %s", origin, e.Pattern, e.Detail)
}

// Unwrap returns the sentinel error that classifies e.
func (e *SetError) Unwrap() error { return e.Kind }
