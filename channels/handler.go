package channels

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"github.com/phxserver/phxserver/channels/permissions"
)

// Payload is an inbound message payload: JSON, or binary from a Phoenix V2 binary frame.
type Payload struct {
	JSON   json.RawMessage
	Binary []byte
}

// Handler is the behaviour of the channels of one topic pattern, as Phoenix's channel modules.
// Every handler sits behind the same Policy: Join is only called once the permission set
// admitted the member. Handlers run on the member's socket goroutine and must not block long.
type Handler interface {
	// Join runs after the Policy admitted the member. reply becomes the join reply's response
	// (nil means {}); a *ReplyError refuses the join with its reason; any other error or a
	// panic refuses it with "join crashed".
	Join(ctx context.Context, ch *Channel, payload json.RawMessage) (reply any, err error)
	// HandleIn handles a client event on a joined channel. reply nil means an ok reply with
	// {}; a []byte reply is sent as a binary reply; a *ReplyError is an error reply; another
	// error or a panic crashes the channel (phx_error) and ends the membership.
	HandleIn(ctx context.Context, ch *Channel, event string, payload Payload) (reply any, err error)
}

// ReplyError is a refusal the client sees as {"status":"error","response":{"reason":Reason}}.
type ReplyError struct{ Reason string }

// Error returns the client-facing reason.
func (e *ReplyError) Error() string { return e.Reason }

// Refuse returns a *ReplyError with reason.
func Refuse(reason string) error { return &ReplyError{Reason: reason} }

// ErrNoReply makes HandleIn send no reply at all (Phoenix's {:noreply, socket}).
var ErrNoReply = errors.New("channels: no reply")

// Router maps topic patterns to Handlers, as Phoenix's `channel "room:*", RoomChannel`.
// Topics no route matches use the permission-driven default handler.
type Router struct {
	mu     sync.RWMutex
	routes []route // guarded by mu
}

type route struct {
	pattern permissions.Pattern
	handler Handler
}

// Handle registers h for topics matching pattern (the permission-set pattern grammar). Earlier
// registrations win over later ones.
func (r *Router) Handle(pattern string, h Handler) error {
	p, err := permissions.CompilePattern(pattern)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.routes = append(r.routes, route{pattern: p, handler: h})
	r.mu.Unlock()
	return nil
}

// lookup returns the handler registered for topic, or nil.
func (r *Router) lookup(topic string) Handler {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, rt := range r.routes {
		if _, ok := rt.pattern.Match(topic); ok {
			return rt.handler
		}
	}
	return nil
}
