package history

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// Item is one stored history entry.
type Item struct {
	// Seq is the per-channel sequence number, starting at 1.
	Seq uint64
	// Time is when the item was appended (the caller's clock).
	Time time.Time
	// Data is the caller's message; the store never looks inside it.
	Data any
}

const shardCount = 32

// shard owns the channels whose name hashes to it.
type shard struct {
	mu    sync.RWMutex
	rings map[string]*ring
	// head is the most recently appended ring, tail the least; used for eviction.
	head, tail *ring
	// Pad to a cache line so neighbouring shards' locks do not false-share.
	_ [64]byte
}

// Memory is a concurrency-safe, in-memory history store: a bounded ring per channel, and
// optionally a bound on the number of channels. The zero value is not usable; call NewMemory.
type Memory struct {
	seed        maphash.Seed
	maxChannels int
	shards      [shardCount]shard

	// channels counts rings across shards; clock orders appends across shards. Both are
	// only maintained when maxChannels > 0.
	channels atomic.Int64
	clock    atomic.Uint64
	// evictMu serialises evictions so concurrent creators do not over-evict.
	evictMu sync.Mutex
}

// NewMemory returns an empty store keeping at most maxChannels channels; beyond that the
// channel whose last Append is the oldest is dropped. maxChannels <= 0 means unbounded.
func NewMemory(maxChannels int) *Memory {
	m := &Memory{seed: maphash.MakeSeed(), maxChannels: max(maxChannels, 0)}
	for i := range m.shards {
		m.shards[i].rings = make(map[string]*ring)
	}
	return m
}

func (m *Memory) shardFor(channel string) *shard {
	return &m.shards[maphash.String(m.seed, channel)%shardCount]
}

// Append stores data as the newest item of channel, keeping at most capacity items (the
// permission set's history N), and returns its sequence number. capacity <= 0 is a no-op
// that returns 0. Amortised O(1); O(n) once when capacity changes.
func (m *Memory) Append(channel string, capacity int, data any, now time.Time) (seq uint64) {
	if capacity <= 0 {
		return 0
	}
	s := m.shardFor(channel)
	s.mu.Lock()
	r, existed := s.rings[channel]
	if !existed {
		r = &ring{name: channel, capacity: capacity, items: make([]Item, 0, min(capacity, initialSlots))}
		s.rings[channel] = r
	}
	r.lastSeq++
	seq = r.lastSeq
	r.push(Item{Seq: seq, Time: now, Data: data}, capacity)
	if m.maxChannels > 0 {
		r.tick = m.clock.Add(1)
		s.moveToFront(r, existed)
	}
	s.mu.Unlock()

	if !existed && m.maxChannels > 0 && m.channels.Add(1) > int64(m.maxChannels) {
		m.evictOverflow()
	}
	return seq
}

// Last returns the newest n items of channel, oldest first; n <= 0 returns all kept. It
// returns nil for an unknown channel.
func (m *Memory) Last(channel string, n int) []Item {
	s := m.shardFor(channel)
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.rings[channel]
	if r == nil || len(r.items) == 0 {
		return nil
	}
	if n <= 0 || n > len(r.items) {
		n = len(r.items)
	}
	return r.appendLast(make([]Item, 0, n), n)
}

// Len returns how many items channel keeps.
func (m *Memory) Len(channel string) int {
	s := m.shardFor(channel)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if r := s.rings[channel]; r != nil {
		return len(r.items)
	}
	return 0
}
