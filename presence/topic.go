package presence

import (
	"sync"
	"time"
)

// shard holds the topics whose name hashes to it.
//
// Lock order: Tracker.remoteMu, then shard.mu, then connShard.mu and outbox.mu. No lock is
// held while calling onFlush or the broker.
type shard struct {
	mu     sync.Mutex
	topics map[string]*topicState
	dirty  map[string]*topicState // topics with a pending window
}

// topic returns the state of name, creating it when create is set (nil otherwise).
func (sh *shard) topic(name string, create bool) *topicState {
	ts := sh.topics[name]
	if ts == nil && create {
		ts = &topicState{name: name, byRef: make(map[string]*Entry), local: make(map[string]string)}
		sh.topics[name] = ts
	}
	return ts
}

// markDirty opens the topic's window if it is not open yet, and reports whether Run must
// be woken to time it.
func (sh *shard) markDirty(ts *topicState, window time.Duration) bool {
	if ts.dirty {
		return false
	}
	ts.dirty = true
	ts.deadline = time.Now().Add(window)
	sh.dirty[ts.name] = ts
	return true
}

// changed records that the topic's entries changed: the cached snapshot is stale and the
// window is open.
func (sh *shard) changed(ts *topicState, window time.Duration) bool {
	ts.snap = nil
	return sh.markDirty(ts, window)
}

// topicState is one topic's presence. Guarded by its shard's mu.
type topicState struct {
	name  string
	byRef map[string]*Entry // every entry, local and remote, by phx_ref
	local map[string]string // connID -> phx_ref, local entries only
	snap  *Snapshot         // cached view; nil after any change

	// The open window, taken by the next flush.
	dirty      bool
	deadline   time.Time
	joins      map[string]*Entry
	leaves     map[string]*Entry
	waiting    []string
	waitingSet map[string]struct{}
}

// addJoin records a join in the window; a join of a ref that left in the same window
// cancels that leave instead.
func (ts *topicState) addJoin(e *Entry) {
	if _, ok := ts.leaves[e.ref]; ok {
		delete(ts.leaves, e.ref)
		return
	}
	if ts.joins == nil {
		ts.joins = make(map[string]*Entry)
	}
	ts.joins[e.ref] = e
}

// addLeave records a leave in the window; a leave of a ref that joined in the same window
// cancels that join, so neither is sent.
func (ts *topicState) addLeave(e *Entry) {
	if _, ok := ts.joins[e.ref]; ok {
		delete(ts.joins, e.ref)
		return
	}
	if ts.leaves == nil {
		ts.leaves = make(map[string]*Entry)
	}
	ts.leaves[e.ref] = e
}

// addWaiting records a RequestState, once per connection and window.
func (ts *topicState) addWaiting(connID string) {
	if _, ok := ts.waitingSet[connID]; ok {
		return
	}
	if ts.waitingSet == nil {
		ts.waitingSet = make(map[string]struct{})
	}
	ts.waitingSet[connID] = struct{}{}
	ts.waiting = append(ts.waiting, connID)
}

// snapshot returns the cached view, copying the entries when it is stale. Sorting happens
// later, outside the lock.
func (ts *topicState) snapshot() *Snapshot {
	if ts.snap == nil {
		es := make([]Entry, 0, len(ts.byRef))
		for _, e := range ts.byRef {
			es = append(es, *e)
		}
		ts.snap = newSnapshot(es)
	}
	return ts.snap
}

// takeWindow closes the window and returns its unsorted content.
func (ts *topicState) takeWindow() Flush {
	f := Flush{Topic: ts.name, Waiting: ts.waiting}
	if len(ts.joins) > 0 {
		f.Diff.Joins = make([]Entry, 0, len(ts.joins))
		for _, e := range ts.joins {
			f.Diff.Joins = append(f.Diff.Joins, *e)
		}
	}
	if len(ts.leaves) > 0 {
		f.Diff.Leaves = make([]Entry, 0, len(ts.leaves))
		for _, e := range ts.leaves {
			f.Diff.Leaves = append(f.Diff.Leaves, *e)
		}
	}
	if len(ts.waiting) > 0 {
		f.Snapshot = ts.snapshot()
	}
	ts.dirty = false
	ts.joins, ts.leaves, ts.waiting, ts.waitingSet = nil, nil, nil, nil
	return f
}
