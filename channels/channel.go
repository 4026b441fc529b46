package channels

import (
	"encoding/json"
	"sync"
	"sync/atomic"

	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/protocol"
)

// Channel is one socket's membership of one topic: the Phoenix "channel process", without the
// process. It is created by a successful join and ends with leave, a duplicate join, a
// handler crash, a kick, or the socket's end.
type Channel struct {
	// Immutable after join.
	topic            string
	joinRef          string
	socket           *Socket
	handler          Handler
	set              *permissions.Set
	perms            permissions.Perm
	captures         map[string]string
	clientID         string
	userID           string
	authenticated    bool
	receivesPresence bool // the set grants presence and the member asked for it
	wantsHistory     bool

	// tracked is true once the member has a presence entry; endMembership untracks it.
	tracked atomic.Bool
	// hubIndex is the position in the topic's member list; guarded by the hub shard lock.
	hubIndex int
	// closed is set once the membership ended; late sends are dropped.
	closed atomic.Bool

	// Work that must leave the reader goroutine (triggers), run in order; see Go.
	asyncMu      sync.Mutex
	asyncQueue   []func() // guarded by asyncMu
	asyncRunning bool     // guarded by asyncMu
}

// Topic is the concrete channel name.
func (c *Channel) Topic() string { return c.topic }

// JoinRef is the Phoenix join reference of this membership ("" for Xano members).
func (c *Channel) JoinRef() string { return c.joinRef }

// Identity is the member's identity.
func (c *Channel) Identity() Identity { return c.socket.Identity() }

// Captures are the pattern's {name} captures for this channel name.
func (c *Channel) Captures() map[string]string { return c.captures }

// Perms are the member's effective permissions (role applied).
func (c *Channel) Perms() permissions.Perm { return c.perms }

// ReceivesPresence reports whether the member gets presence frames.
func (c *Channel) ReceivesPresence() bool { return c.receivesPresence }

// Set is the permission set that admitted the member.
func (c *Channel) Set() *permissions.Set { return c.set }

// Push sends a channel push (carrying the join ref) to this member only.
func (c *Channel) Push(event string, payload json.RawMessage) {
	if c.closed.Load() {
		return
	}
	c.socket.pushMessage(protocol.Message{JoinRef: c.joinRef, Topic: c.topic, Event: event, Payload: payload})
}
