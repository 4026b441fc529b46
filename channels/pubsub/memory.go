package pubsub

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// DefaultInboxSize is the number of envelopes a memory node buffers before it drops.
const DefaultInboxSize = 1 << 16

// ErrAlreadyRunning is returned by MemoryBroker.Run when another Run of the same node is active.
var ErrAlreadyRunning = errors.New("pubsub: broker already running")

// Bus is an in-process network connecting several nodes. A single-node server uses one Bus
// with one node; tests use several nodes on one Bus to exercise cluster behaviour without
// Redis.
//
// The bus is lossy under overload, exactly like a real network broker may be: Publish never
// blocks on a slow receiver. Each node has a bounded inbox (DefaultInboxSize envelopes); when
// it is full, further envelopes for that node are dropped and counted (MemoryBroker.Dropped).
// Consumers must tolerate loss (the presence tracker detects gaps and resyncs).
//
// Each receiving node gets its own copy of Data, so a receiver or the publisher may reuse
// its buffers freely.
type Bus struct {
	inboxSize int

	mu    sync.RWMutex // guards nodes; taken before any MemoryBroker.mu
	nodes map[string]*MemoryBroker
}

// NewBus returns an empty bus whose nodes buffer DefaultInboxSize envelopes each.
func NewBus() *Bus {
	return newBusWithInbox(DefaultInboxSize)
}

// newBusWithInbox lets tests use a tiny inbox to observe drops.
func newBusWithInbox(size int) *Bus {
	return &Bus{inboxSize: size, nodes: make(map[string]*MemoryBroker)}
}

// Node returns the Broker of node id, creating it on first use. Calling Node twice with the
// same id returns the same broker.
func (b *Bus) Node(id string) *MemoryBroker {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n, ok := b.nodes[id]; ok {
		return n
	}
	n := &MemoryBroker{
		bus:    b,
		id:     id,
		subs:   make(map[string]int),
		notify: make(chan struct{}, 1),
	}
	b.nodes[id] = n
	return n
}

// MemoryBroker is one node's view of a Bus. It implements Broker.
type MemoryBroker struct {
	bus *Bus
	id  string

	running atomic.Bool
	dropped atomic.Uint64
	notify  chan struct{} // capacity 1: "the inbox became non-empty"

	mu    sync.Mutex // guards subs and inbox
	subs  map[string]int
	inbox []Envelope
}

var _ Broker = (*MemoryBroker)(nil)

// ID returns the node id of this broker.
func (m *MemoryBroker) ID() string { return m.id }

// Dropped returns how many envelopes addressed to this node were dropped because its inbox
// was full.
func (m *MemoryBroker) Dropped() uint64 { return m.dropped.Load() }

// Publish copies e to the inbox of every other node subscribed to e.Channel. e.Node is set to
// this node's id. It never blocks on a receiver.
func (m *MemoryBroker) Publish(ctx context.Context, e Envelope) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.Node = m.id
	data := e.Data
	m.bus.mu.RLock()
	defer m.bus.mu.RUnlock()
	for id, n := range m.bus.nodes {
		if id == m.id {
			continue
		}
		e.Data = append([]byte(nil), data...)
		n.enqueue(e, m.bus.inboxSize)
	}
	return nil
}

// enqueue appends e when the node is subscribed to its channel and the inbox has room.
func (m *MemoryBroker) enqueue(e Envelope, limit int) {
	m.mu.Lock()
	if m.subs[e.Channel] == 0 {
		m.mu.Unlock()
		return
	}
	if len(m.inbox) >= limit {
		m.mu.Unlock()
		m.dropped.Add(1)
		return
	}
	m.inbox = append(m.inbox, e)
	m.mu.Unlock()
	select {
	case m.notify <- struct{}{}:
	default:
	}
}

// Subscribe counts one subscription of this node to channel. It takes effect before it
// returns: envelopes published afterwards are delivered.
func (m *MemoryBroker) Subscribe(ctx context.Context, channel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	m.subs[channel]++
	m.mu.Unlock()
	return nil
}

// Unsubscribe undoes one Subscribe. Unsubscribing a channel that is not subscribed is a
// no-op. Envelopes already in the inbox are still delivered.
func (m *MemoryBroker) Unsubscribe(ctx context.Context, channel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	switch n := m.subs[channel]; {
	case n > 1:
		m.subs[channel] = n - 1
	case n == 1:
		delete(m.subs, channel)
	}
	m.mu.Unlock()
	return nil
}

// Run delivers the inbox to deliver, one envelope at a time in arrival order (which is
// publish order per publisher), until ctx is done; then it returns ctx.Err(). Only one Run
// per node may be active.
func (m *MemoryBroker) Run(ctx context.Context, deliver func(Envelope)) error {
	if !m.running.CompareAndSwap(false, true) {
		return ErrAlreadyRunning
	}
	defer m.running.Store(false)
	var batch []Envelope
	for {
		m.mu.Lock()
		// Swap buffers so publishers append to a fresh slice while we deliver this batch.
		batch, m.inbox = m.inbox, batch[:0]
		m.mu.Unlock()
		for i := range batch {
			if err := ctx.Err(); err != nil {
				m.requeue(batch[i:])
				return err
			}
			deliver(batch[i])
			batch[i] = Envelope{} // release Data for the GC
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-m.notify:
		}
	}
}

// requeue puts undelivered envelopes back at the head of the inbox so a later Run sees them.
func (m *MemoryBroker) requeue(rest []Envelope) {
	m.mu.Lock()
	m.inbox = append(append([]Envelope(nil), rest...), m.inbox...)
	m.mu.Unlock()
}
