package xano

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrMalformed is returned (wrapped with a detail that is safe to show to the client) for a
// frame that is not a Xano envelope.
var ErrMalformed = errors.New("xano: malformed frame")

var nullJSON = json.RawMessage("null")

// Request is one decoded client → server frame {action, options, payload}.
type Request struct {
	// Action is the non-empty action name; unknown names are kept as sent.
	Action string
	// Channel is options.channel ("" if absent or not a string).
	Channel string
	// Authenticated is true only when options.authenticated is the JSON literal true.
	Authenticated bool
	// SocketID is options.socketId ("" when null, "", absent or not a string).
	SocketID string
	// Payload is the raw payload (`null` when absent). It is a copy: it never aliases the
	// decoded buffer, so the caller may reuse that buffer. Never nil after a successful Decode.
	Payload json.RawMessage
	// WantHistory and WantPresence are the join flags {"history":bool,"presence":bool} of a
	// join's payload; false when absent, not true, or the action is not a join.
	WantHistory, WantPresence bool
}

// Decode parses one client frame. It fails with ErrMalformed when data is not JSON, not an
// object, or has a missing, empty or non-string action. Options that are not an object are
// treated as empty, and unknown actions decode fine: the core answers them.
func Decode(data []byte) (Request, error) {
	// json.Valid enforces the syntax (and encoding/json's nesting limit) without allocating;
	// the walk below then only has to find boundaries.
	if !json.Valid(data) {
		return Request{}, fmt.Errorf("%w: not valid JSON", ErrMalformed)
	}
	root, ok := newObjectIter(trimSpace(data))
	if !ok {
		return Request{}, fmt.Errorf("%w: frame is not a JSON object", ErrMalformed)
	}
	// Duplicate keys: the last one wins, as with JSON.parse.
	var action, options, payload []byte
	for {
		key, value, ok := root.next()
		if !ok {
			break
		}
		switch {
		case keyIs(key, "action"):
			action = value
		case keyIs(key, "options"):
			options = value
		case keyIs(key, "payload"):
			payload = value
		}
	}
	if action == nil {
		return Request{}, fmt.Errorf("%w: missing action", ErrMalformed)
	}
	if action[0] != '"' {
		return Request{}, fmt.Errorf("%w: action is not a string", ErrMalformed)
	}
	var req Request
	if inner := action[1 : len(action)-1]; len(inner) > 0 && !containsEscapeOrHighByte(inner) {
		req.Action = internAction(inner)
	} else {
		req.Action, _ = decodeString(action)
	}
	if req.Action == "" {
		return Request{}, fmt.Errorf("%w: action is empty", ErrMalformed)
	}
	req.decodeOptions(options)
	if payload == nil {
		req.Payload = nullJSON
	} else {
		req.Payload = append(json.RawMessage(nil), payload...)
	}
	if req.Action == ActionJoin {
		req.WantHistory, req.WantPresence = joinFlags(payload)
	}
	return req, nil
}

// decodeOptions fills Channel, Authenticated and SocketID. Anything that is not an object
// (including null) counts as empty options, and null/""/false values count as absent:
// WeWeb sends {"authenticated":false,"socketId":null,...} on every public message.
func (r *Request) decodeOptions(options []byte) {
	it, ok := newObjectIter(options)
	if !ok {
		return
	}
	for {
		key, value, ok := it.next()
		if !ok {
			return
		}
		switch {
		case keyIs(key, "channel"):
			r.Channel, _ = decodeString(value)
		case keyIs(key, "authenticated"):
			r.Authenticated = string(value) == "true"
		case keyIs(key, "socketId"):
			r.SocketID, _ = decodeString(value)
		}
	}
}

// joinFlags reads {"history":true,"presence":true} from a join payload.
func joinFlags(payload []byte) (history, presence bool) {
	it, ok := newObjectIter(payload)
	if !ok {
		return false, false
	}
	for {
		key, value, ok := it.next()
		if !ok {
			return history, presence
		}
		switch {
		case keyIs(key, "history"):
			history = string(value) == "true"
		case keyIs(key, "presence"):
			presence = string(value) == "true"
		}
	}
}

// containsEscapeOrHighByte reports whether s needs the slow string decoding path.
func containsEscapeOrHighByte(s []byte) bool {
	for _, b := range s {
		if b == '\\' || b >= 0x80 {
			return true
		}
	}
	return false
}
