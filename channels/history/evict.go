package history

import "math"

// moveToFront makes r the shard's most recent ring; linked says r is already in the list.
// Caller holds s.mu.
func (s *shard) moveToFront(r *ring, linked bool) {
	if linked {
		if s.head == r {
			return
		}
		s.unlink(r)
	}
	r.prev, r.next = nil, s.head
	if s.head != nil {
		s.head.prev = r
	}
	s.head = r
	if s.tail == nil {
		s.tail = r
	}
}

// unlink removes r from the recency list. Caller holds s.mu.
func (s *shard) unlink(r *ring) {
	if r.prev != nil {
		r.prev.next = r.next
	} else {
		s.head = r.next
	}
	if r.next != nil {
		r.next.prev = r.prev
	} else {
		s.tail = r.prev
	}
	r.prev, r.next = nil, nil
}

// evictOverflow drops least-recently-appended channels until the count is within bound.
func (m *Memory) evictOverflow() {
	m.evictMu.Lock()
	defer m.evictMu.Unlock()
	for m.channels.Load() > int64(m.maxChannels) {
		if !m.evictOldest() {
			return
		}
	}
}

// evictOldest finds the ring with the smallest tick among the shards' tails and removes it
// if it has not been appended to since. It returns false when there is nothing to evict.
// Shards are locked one at a time, so a concurrent Append can refresh the victim between
// the scan and the removal; the tick check then skips it and the caller's loop retries.
func (m *Memory) evictOldest() bool {
	var (
		victim     *shard
		victimName string
		victimTick uint64 = math.MaxUint64
	)
	for i := range m.shards {
		s := &m.shards[i]
		s.mu.RLock()
		if s.tail != nil && s.tail.tick < victimTick {
			victim, victimName, victimTick = s, s.tail.name, s.tail.tick
		}
		s.mu.RUnlock()
	}
	if victim == nil {
		return false
	}
	victim.mu.Lock()
	defer victim.mu.Unlock()
	if r := victim.rings[victimName]; r != nil && r.tick == victimTick {
		victim.unlink(r)
		delete(victim.rings, victimName)
		m.channels.Add(-1)
	}
	return true
}
