package triggers

import (
	"context"
	"encoding/json"

	"github.com/phxserver/phxserver/channels"
)

// function is one built trigger function.
type function interface {
	// call decides on in; it must honour ctx when it can block.
	call(ctx context.Context, in *channels.TriggerInput) result
}

// result is one function's decision. payload, when non-nil, replaces the payload for the
// functions after it and for delivery.
type result struct {
	allow   bool
	reason  string
	payload json.RawMessage
}

var allow = result{allow: true}

func deny(reason string) result { return result{reason: reason} }
