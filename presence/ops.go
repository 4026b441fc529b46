package presence

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Track adds connID to topic under key with meta and returns the new phx_ref. Tracking a
// connection that is already tracked in topic returns ErrAlreadyTracked (use Update).
// The tracker copies meta's top level and adds "phx_ref"; nested values are kept as given
// and must not be modified afterwards.
func (t *Tracker) Track(topic, key, connID string, meta Meta, extra json.RawMessage) (string, error) {
	if topic == "" || key == "" || connID == "" {
		return "", fmt.Errorf("%w: empty topic, key or conn id", ErrInvalid)
	}
	e, err := t.newLocalEntry(key, connID, meta, extra, "")
	if err != nil {
		return "", err
	}
	sh := t.shardFor(topic)
	sh.mu.Lock()
	ts := sh.topic(topic, true)
	if _, ok := ts.local[connID]; ok {
		sh.mu.Unlock()
		return "", fmt.Errorf("%w: %q in %q", ErrAlreadyTracked, connID, topic)
	}
	ts.byRef[e.ref] = e
	ts.local[connID] = e.ref
	ts.addJoin(e)
	wake := sh.changed(ts, t.cfg.Window)
	t.connShardFor(connID).add(connID, topic)
	t.out.pushOp(joinOp(topic, e))
	sh.mu.Unlock()
	t.localCount.Add(1)
	if wake {
		t.signal()
	}
	return e.ref, nil
}

// Update replaces the meta (and extra) of connID in topic. The entry gets a new phx_ref and
// its meta gets phx_ref_prev = the old ref; the window records a join of the new meta and a
// leave of the old one, so members receive both in one diff.
func (t *Tracker) Update(topic, connID string, meta Meta, extra json.RawMessage) (string, error) {
	sh := t.shardFor(topic)
	sh.mu.Lock()
	ts := sh.topic(topic, false)
	var old *Entry
	if ts != nil {
		if ref, ok := ts.local[connID]; ok {
			old = ts.byRef[ref]
		}
	}
	if old == nil {
		sh.mu.Unlock()
		return "", fmt.Errorf("%w: %q in %q", ErrNotTracked, connID, topic)
	}
	// Encoding under the lock keeps Update atomic; metas are small.
	e, err := t.newLocalEntry(old.Key, connID, meta, extra, old.ref)
	if err != nil {
		sh.mu.Unlock()
		return "", err
	}
	delete(ts.byRef, old.ref)
	ts.byRef[e.ref] = e
	ts.local[connID] = e.ref
	ts.addJoin(e)
	ts.addLeave(old)
	wake := sh.changed(ts, t.cfg.Window)
	t.out.pushOp(joinOp(topic, e))
	t.out.pushOp(leaveOp(topic, old))
	sh.mu.Unlock()
	if wake {
		t.signal()
	}
	return e.ref, nil
}

// newLocalEntry builds an entry with a fresh phx_ref and its encoded meta.
func (t *Tracker) newLocalEntry(key, connID string, meta Meta, extra json.RawMessage, prevRef string) (*Entry, error) {
	if len(extra) > 0 && !json.Valid(extra) {
		return nil, fmt.Errorf("%w: extra is not valid JSON", ErrInvalid)
	}
	ref := t.refs.next()
	m := make(Meta, len(meta)+2)
	for k, v := range meta {
		m[k] = v
	}
	delete(m, "phx_ref_prev")
	if prevRef != "" {
		m["phx_ref_prev"] = prevRef
	}
	m["phx_ref"] = ref
	metaJSON, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("%w: meta: %w", ErrInvalid, err)
	}
	var extraCopy json.RawMessage
	if len(extra) > 0 {
		extraCopy = append(json.RawMessage(nil), extra...)
	}
	return &Entry{
		Key: key, ConnID: connID, Meta: m, Extra: extraCopy, Node: t.cfg.NodeID,
		ref: ref, metaJSON: metaJSON,
	}, nil
}

// Untrack removes connID from topic. It is a no-op when the connection is not tracked there.
func (t *Tracker) Untrack(topic, connID string) {
	t.untrack(topic, connID, true)
}

// UntrackConn removes connID from every topic it is tracked in (connection closed or
// killed).
func (t *Tracker) UntrackConn(connID string) {
	for _, topic := range t.connShardFor(connID).take(connID) {
		t.untrack(topic, connID, false)
	}
}

// untrack removes one local entry; unindex also drops it from the conn index (UntrackConn
// has already taken the whole index entry).
func (t *Tracker) untrack(topic, connID string, unindex bool) {
	sh := t.shardFor(topic)
	sh.mu.Lock()
	ts := sh.topic(topic, false)
	if ts == nil {
		sh.mu.Unlock()
		return
	}
	ref, ok := ts.local[connID]
	if !ok {
		sh.mu.Unlock()
		return
	}
	e := ts.byRef[ref]
	delete(ts.local, connID)
	delete(ts.byRef, ref)
	if unindex {
		t.connShardFor(connID).remove(connID, topic)
	}
	ts.addLeave(e)
	wake := sh.changed(ts, t.cfg.Window)
	t.out.pushOp(leaveOp(topic, e))
	sh.mu.Unlock()
	t.localCount.Add(-1)
	if wake {
		t.signal()
	}
}

// RequestState asks that connID receives the topic's Snapshot at the next flush of topic.
// It forces a flush at the end of the window even if nothing changed.
func (t *Tracker) RequestState(topic, connID string) {
	sh := t.shardFor(topic)
	sh.mu.Lock()
	ts := sh.topic(topic, true)
	ts.addWaiting(connID)
	wake := sh.markDirty(ts, t.cfg.Window)
	sh.mu.Unlock()
	if wake {
		t.signal()
	}
}

// Snapshot returns the topic's current state (for the server API). It is built lazily and
// cached until the topic next changes. An unknown topic gives an empty snapshot.
func (t *Tracker) Snapshot(topic string) *Snapshot {
	sh := t.shardFor(topic)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	ts := sh.topic(topic, false)
	if ts == nil {
		return newSnapshot(nil)
	}
	return ts.snapshot()
}

// Topics returns the topics with at least one entry, sorted.
func (t *Tracker) Topics() []string {
	var out []string
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for name, ts := range sh.topics {
			if len(ts.byRef) > 0 {
				out = append(out, name)
			}
		}
		sh.mu.Unlock()
	}
	sort.Strings(out)
	return out
}
