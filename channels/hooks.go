package channels

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/presence"
)

// Trigger events (config `triggers[].event`; "*" matches all three).
const (
	TriggerJoin    = "join"
	TriggerMessage = "message"
	TriggerLeave   = "leave"
)

// TriggerInput is what a trigger function sees.
type TriggerInput struct {
	// Event is TriggerJoin, TriggerMessage or TriggerLeave.
	Event string
	// Channel is the concrete channel name; Captures are its pattern captures.
	Channel  string
	Captures map[string]string
	// Set is the permission set that admitted the member.
	Set *permissions.Set
	// Client is the member's identity.
	Client Identity
	// MessageEvent is the Phoenix event name of a message ("message" for Xano).
	MessageEvent string
	// Audience and target of a message.
	Audience     permissions.Audience
	TargetClient string
	TargetUser   string
	// Payload is the join payload or the message payload (nil for binary messages).
	Payload json.RawMessage
}

// TriggerVerdict is the outcome of a trigger pipeline.
type TriggerVerdict struct {
	// Allow false refuses the join or message with Reason (client-safe).
	Allow  bool
	Reason string
	// Payload, when non-nil, replaces the message payload for delivery.
	Payload json.RawMessage
}

// Triggers runs the trigger functions configured on permission sets
// (channels/triggers implements it). Run may block (a webhook); the core calls it off the
// socket's reader so that a slow trigger delays only the message it guards.
type Triggers interface {
	// Has reports whether set has a trigger for event; it must be cheap.
	Has(set *permissions.Set, event string) bool
	// Run runs set's triggers for in.Event in order; the first deny wins.
	Run(ctx context.Context, in TriggerInput) TriggerVerdict
	// Notify runs leave triggers without blocking the caller and without a verdict.
	Notify(in TriggerInput)
}

// Observer is told about channel activity (outgoing webhooks, metrics, the dashboard). Every
// method must return quickly and never block: queue and return.
type Observer interface {
	OnJoin(ch *Channel)
	OnLeave(ch *Channel)
	OnMessage(ev *Event)
	OnPresence(topic string, diff *presence.Diff)
}

// noTriggers is the Triggers of a node configured without any.
type noTriggers struct{}

func (noTriggers) Has(*permissions.Set, string) bool { return false }
func (noTriggers) Run(context.Context, TriggerInput) TriggerVerdict {
	return TriggerVerdict{Allow: true}
}
func (noTriggers) Notify(TriggerInput) {}

// observers fans notifications out to every registered Observer.
type observers struct {
	mu   sync.RWMutex
	list []Observer // guarded by mu
}

func (o *observers) add(obs Observer) {
	o.mu.Lock()
	o.list = append(o.list, obs)
	o.mu.Unlock()
}

func (o *observers) each(fn func(Observer)) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	for _, obs := range o.list {
		fn(obs)
	}
}

// AddObserver registers obs for channel activity notifications.
func (n *Node) AddObserver(obs Observer) { n.observers.add(obs) }

// SetTriggers installs the trigger runner (and replaces it on reload).
func (n *Node) SetTriggers(t Triggers) {
	if t == nil {
		t = noTriggers{}
	}
	n.triggers.Store(&t)
}

func (n *Node) triggerRunner() Triggers { return *n.triggers.Load() }

// NeedsAsync reports whether handling a client event on ch runs triggers, and so must leave
// the socket's reader goroutine (Channel.Go).
func (n *Node) NeedsAsync(ch *Channel, event string) bool {
	return n.triggerRunner().Has(ch.set, event)
}

// joinNeedsAsync reports whether joining topic runs join triggers.
func (n *Node) joinNeedsAsync(topic string) bool {
	m, ok := n.policy.Load().Match(topic)
	return ok && n.triggerRunner().Has(m.Set, TriggerJoin)
}

// maxPendingAsync bounds the messages waiting behind a slow trigger on one channel.
const maxPendingAsync = 64

// Go runs fn after the channel's earlier async work, on a worker goroutine started on demand
// (per-channel order is kept; other channels and sockets are not delayed). It reports false
// when too much work is already pending.
func (c *Channel) Go(fn func()) bool {
	c.asyncMu.Lock()
	if len(c.asyncQueue) >= maxPendingAsync {
		c.asyncMu.Unlock()
		return false
	}
	c.asyncQueue = append(c.asyncQueue, fn)
	start := !c.asyncRunning
	c.asyncRunning = true
	c.asyncMu.Unlock()
	if start {
		go c.asyncLoop()
	}
	return true
}

func (c *Channel) asyncLoop() {
	for {
		c.asyncMu.Lock()
		if len(c.asyncQueue) == 0 {
			c.asyncRunning = false
			c.asyncMu.Unlock()
			return
		}
		fn := c.asyncQueue[0]
		c.asyncQueue[0] = nil
		c.asyncQueue = c.asyncQueue[1:]
		c.asyncMu.Unlock()
		fn()
	}
}

func (n *Node) triggerInput(event string, ch *Channel, id *Identity, payload json.RawMessage) TriggerInput {
	return TriggerInput{Event: event, Channel: ch.topic, Captures: ch.captures, Set: ch.set, Client: *id, Payload: payload}
}
