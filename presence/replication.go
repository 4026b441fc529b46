package presence

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/phxserver/phxserver/channels/pubsub"
)

// maxRemoteData caps one replication envelope; larger ones are ignored as hostile.
const maxRemoteData = 64 << 20

// maxOpsPerDelta caps the ops of one delta envelope.
const maxOpsPerDelta = 1024

// remoteNode is what this node knows about a peer. Guarded by Tracker.remoteMu.
type remoteNode struct {
	incarnation uint64
	lastSeen    time.Time // by Config.Now
	lastSeq     uint64    // last delta seen
	synced      bool      // lastSeq covers the node's whole history (seq 1 seen or a state applied)
	askedAt     time.Time // last sync request sent, zero when none is outstanding
}

// HandleRemote applies a replication envelope from another node. The core routes envelopes
// of Kind == EnvelopeKind here from its broker Run loop; it does not block on I/O (replies
// are queued for the sender). Malformed envelopes are ignored.
func (t *Tracker) HandleRemote(e pubsub.Envelope) {
	if e.Kind != EnvelopeKind || e.Node == "" || e.Node == t.cfg.NodeID || len(e.Data) > maxRemoteData {
		return
	}
	var msg wireMsg
	if err := json.Unmarshal(e.Data, &msg); err != nil {
		return
	}
	now := t.cfg.Now()
	t.remoteMu.Lock()
	wake := t.applyRemote(e.Node, &msg, now)
	t.remoteMu.Unlock()
	if wake {
		t.signal()
	}
}

// applyRemote runs under remoteMu and reports whether a topic window opened.
func (t *Tracker) applyRemote(node string, msg *wireMsg, now time.Time) bool {
	wake := false
	rec := t.remotes[node]
	if rec == nil || rec.incarnation != msg.Incarnation {
		if rec != nil {
			// Restarted under the same id: its old entries died with the old process.
			wake = t.dropNode(node)
		}
		rec = &remoteNode{incarnation: msg.Incarnation}
		t.remotes[node] = rec
	}
	rec.lastSeen = now
	switch msg.Type {
	case msgDelta:
		switch {
		case rec.synced && msg.Seq == rec.lastSeq+1:
		case !rec.synced && rec.lastSeq == 0 && msg.Seq == 1:
			rec.synced = true // we saw the node's history from its start
		default:
			t.askSync(rec, node, now)
		}
		if msg.Seq > rec.lastSeq {
			rec.lastSeq = msg.Seq
		}
		// Ops apply idempotently, so applying them even across a gap is safe; the
		// requested state repairs what was missed.
		for i := range msg.Ops {
			if t.applyOp(node, &msg.Ops[i]) {
				wake = true
			}
		}
	case msgHeartbeat:
		if !rec.synced || msg.Seq != rec.lastSeq {
			t.askSync(rec, node, now)
		}
	case msgSyncRequest:
		if msg.To == "" || msg.To == t.cfg.NodeID {
			t.out.push(outItem{kind: itemSyncReply, to: node})
		}
	case msgState:
		if msg.To != t.cfg.NodeID {
			return wake
		}
		if t.replaceNode(node, msg.Ops) {
			wake = true
		}
		rec.lastSeq, rec.synced, rec.askedAt = msg.Seq, true, time.Time{}
	}
	return wake
}

// askSync requests node's full state, at most once per two heartbeat intervals.
func (t *Tracker) askSync(rec *remoteNode, node string, now time.Time) {
	if !rec.askedAt.IsZero() && now.Sub(rec.askedAt) < 2*t.cfg.HeartbeatInterval {
		return
	}
	rec.askedAt = now
	t.out.push(outItem{kind: itemSyncRequest, to: node})
}

func (t *Tracker) applyOp(node string, op *wireOp) bool {
	if op.Leave {
		return t.applyLeave(node, op.Topic, op.Ref)
	}
	return t.applyJoin(node, op)
}

// applyJoin adds a remote entry unless its ref is already known (joins are idempotent).
func (t *Tracker) applyJoin(node string, op *wireOp) bool {
	if op.Topic == "" || op.Key == "" || op.Ref == "" {
		return false
	}
	sh := t.shardFor(op.Topic)
	sh.mu.Lock()
	exists := false
	if ts := sh.topic(op.Topic, false); ts != nil {
		_, exists = ts.byRef[op.Ref]
	}
	sh.mu.Unlock()
	if exists {
		return false
	}
	e, ok := remoteEntry(node, op)
	if !ok {
		return false
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	ts := sh.topic(op.Topic, true)
	if _, dup := ts.byRef[e.ref]; dup {
		return false
	}
	ts.byRef[e.ref] = e
	ts.addJoin(e)
	return sh.changed(ts, t.cfg.Window)
}

// remoteEntry decodes a remote join. The meta is re-encoded so it is a JSON object that
// carries phx_ref whatever the peer sent; numbers keep their exact text.
func remoteEntry(node string, op *wireOp) (*Entry, bool) {
	var m Meta
	if len(op.Meta) > 0 {
		dec := json.NewDecoder(bytes.NewReader(op.Meta))
		dec.UseNumber()
		if dec.Decode(&m) != nil {
			m = nil
		}
	}
	if m == nil {
		m = Meta{}
	}
	m["phx_ref"] = op.Ref
	metaJSON, err := json.Marshal(m)
	if err != nil {
		return nil, false
	}
	var extra json.RawMessage
	if len(op.Extra) > 0 {
		extra = append(json.RawMessage(nil), op.Extra...)
	}
	return &Entry{
		Key: op.Key, ConnID: op.Conn, Meta: m, Extra: extra, Node: node,
		ref: op.Ref, metaJSON: metaJSON,
	}, true
}

// applyLeave removes a remote entry of node (leaves of unknown refs are ignored).
func (t *Tracker) applyLeave(node, topic, ref string) bool {
	sh := t.shardFor(topic)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	ts := sh.topic(topic, false)
	if ts == nil {
		return false
	}
	e := ts.byRef[ref]
	if e == nil || e.Node != node {
		return false
	}
	delete(ts.byRef, ref)
	ts.addLeave(e)
	return sh.changed(ts, t.cfg.Window)
}

// topicRef names one entry across topics.
type topicRef struct{ topic, ref string }

// nodeEntries lists the entries owned by node. It scans every topic; it only runs on
// resync and node expiry, which are rare.
func (t *Tracker) nodeEntries(node string) map[topicRef]struct{} {
	out := make(map[topicRef]struct{})
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for name, ts := range sh.topics {
			for ref, e := range ts.byRef {
				if e.Node == node {
					out[topicRef{name, ref}] = struct{}{}
				}
			}
		}
		sh.mu.Unlock()
	}
	return out
}

// dropNode removes every entry of node; members see them leave.
func (t *Tracker) dropNode(node string) bool {
	wake := false
	for tr := range t.nodeEntries(node) {
		if t.applyLeave(node, tr.topic, tr.ref) {
			wake = true
		}
	}
	return wake
}

// replaceNode makes node's entries exactly the joins in ops.
func (t *Tracker) replaceNode(node string, ops []wireOp) bool {
	current := t.nodeEntries(node)
	wake := false
	for i := range ops {
		op := &ops[i]
		if op.Leave {
			continue
		}
		tr := topicRef{op.Topic, op.Ref}
		if _, ok := current[tr]; ok {
			delete(current, tr)
			continue
		}
		if t.applyJoin(node, op) {
			wake = true
		}
	}
	for tr := range current {
		if t.applyLeave(node, tr.topic, tr.ref) {
			wake = true
		}
	}
	return wake
}

// expireSilentNodes drops the entries of peers silent for longer than DownAfter.
func (t *Tracker) expireSilentNodes() {
	now := t.cfg.Now()
	wake := false
	t.remoteMu.Lock()
	for node, rec := range t.remotes {
		if now.Sub(rec.lastSeen) > t.cfg.DownAfter {
			if t.dropNode(node) {
				wake = true
			}
			delete(t.remotes, node)
		}
	}
	t.remoteMu.Unlock()
	if wake {
		t.signal()
	}
}

// localOps lists every local entry as join ops, for a sync reply.
func (t *Tracker) localOps() []wireOp {
	var ops []wireOp
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for name, ts := range sh.topics {
			for _, ref := range ts.local {
				ops = append(ops, joinOp(name, ts.byRef[ref]))
			}
		}
		sh.mu.Unlock()
	}
	return ops
}

// sendLoop publishes the outbox in order until ctx is done. It owns the delta sequence,
// which survives a restart of Run so peers see no false gap.
func (t *Tracker) sendLoop(ctx context.Context) {
	seq := t.sendSeq
	defer func() { t.sendSeq = seq }()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.out.signal:
		}
		items, lost := t.out.drain()
		if lost {
			seq++ // a phantom delta: peers see the gap and resync
		}
		var batch []wireOp
		flushBatch := func() {
			if len(batch) == 0 {
				return
			}
			seq++
			t.publish(ctx, &wireMsg{Type: msgDelta, Seq: seq, Ops: batch})
			batch = nil
		}
		for _, it := range items {
			if it.kind == itemOp {
				batch = append(batch, it.op)
				if len(batch) >= maxOpsPerDelta {
					flushBatch()
				}
				continue
			}
			flushBatch()
			switch it.kind {
			case itemHeartbeat:
				t.publish(ctx, &wireMsg{Type: msgHeartbeat, Seq: seq, Count: t.localCount.Load()})
			case itemSyncRequest:
				t.publish(ctx, &wireMsg{Type: msgSyncRequest, To: it.to})
			case itemSyncReply:
				// Collected now, it may already contain changes whose deltas are still
				// queued; peers apply those idempotently.
				t.publish(ctx, &wireMsg{Type: msgState, To: it.to, Seq: seq, Ops: t.localOps()})
			}
		}
		flushBatch()
	}
}

// publish sends one message. A failed publish is not retried: it loses a delta, which peers
// detect by sequence and repair by resync.
func (t *Tracker) publish(ctx context.Context, msg *wireMsg) {
	msg.Incarnation = t.incarnation
	data, err := json.Marshal(msg)
	if err != nil {
		return
	}
	_ = t.broker.Publish(ctx, pubsub.Envelope{
		Channel: ReplicationChannel, Node: t.cfg.NodeID, Kind: EnvelopeKind, Data: data,
	})
}
