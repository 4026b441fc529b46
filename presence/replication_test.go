package presence

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/phxserver/phxserver/channels/pubsub"
)

// fastCluster keeps replication timings short so tests finish quickly; nothing asserts on
// them.
var fastCluster = Config{Window: 5 * time.Millisecond, HeartbeatInterval: 10 * time.Millisecond, DownAfter: 300 * time.Millisecond}

func snapshotRefs(tr *Tracker, topic string) map[string]Entry {
	out := make(map[string]Entry)
	for _, e := range tr.Snapshot(topic).Entries() {
		out[e.Ref()] = e
	}
	return out
}

func hasRefs(tr *Tracker, topic string, refs ...string) bool {
	got := snapshotRefs(tr, topic)
	if len(got) != len(refs) {
		return false
	}
	for _, r := range refs {
		if _, ok := got[r]; !ok {
			return false
		}
	}
	return true
}

func TestReplication(t *testing.T) {
	t.Run("joins are visible on every node, with node and extra", func(t *testing.T) {
		bus := pubsub.NewBus()
		nodes := []*clusterNode{startNode(t, bus, "n1", fastCluster), startNode(t, bus, "n2", fastCluster), startNode(t, bus, "n3", fastCluster)}
		r1, err := nodes[0].tr.Track("room", "u1", "c1", Meta{"s": "on"}, json.RawMessage(`{"client":1}`))
		if err != nil {
			t.Fatal(err)
		}
		r2 := mustTrack(t, nodes[1].tr, "room", "u1", "c2", nil)
		for _, n := range nodes {
			eventually(t, func() bool { return hasRefs(n.tr, "room", r1, r2) }, "both entries on "+n.tr.NodeID())
		}
		e := snapshotRefs(nodes[2].tr, "room")[r1]
		if e.Node != "n1" || e.Key != "u1" || e.ConnID != "c1" || string(e.Extra) != `{"client":1}` || e.Meta["s"] != "on" {
			t.Fatalf("replicated entry %+v", e)
		}
		// Remote joins reach local members through flushes.
		eventually(t, func() bool { return flushedJoin(nodes[2].log, r1) }, "flush of the remote join on n3")
	})

	t.Run("leaves propagate", func(t *testing.T) {
		bus := pubsub.NewBus()
		nodes := []*clusterNode{startNode(t, bus, "n1", fastCluster), startNode(t, bus, "n2", fastCluster), startNode(t, bus, "n3", fastCluster)}
		r1 := mustTrack(t, nodes[0].tr, "room", "u1", "c1", nil)
		r2 := mustTrack(t, nodes[0].tr, "room", "u2", "c2", nil)
		for _, n := range nodes {
			eventually(t, func() bool { return hasRefs(n.tr, "room", r1, r2) }, "joins")
		}
		// A leave inside the join's window would cancel it (correctly); wait for the join flush.
		eventually(t, func() bool { return flushedJoin(nodes[1].log, r1) }, "join flushed on n2")
		nodes[0].tr.UntrackConn("c1")
		for _, n := range nodes {
			eventually(t, func() bool { return hasRefs(n.tr, "room", r2) }, "leave on "+n.tr.NodeID())
		}
		eventually(t, func() bool { return flushedLeave(nodes[1].log, r1) }, "flush of the remote leave on n2")
	})

	t.Run("a silent node's entries expire", func(t *testing.T) {
		bus := pubsub.NewBus()
		nodes := []*clusterNode{startNode(t, bus, "n1", fastCluster), startNode(t, bus, "n2", fastCluster), startNode(t, bus, "n3", fastCluster)}
		r1 := mustTrack(t, nodes[0].tr, "room", "u1", "c1", nil)
		r3 := mustTrack(t, nodes[2].tr, "room", "u3", "c3", nil)
		for _, n := range nodes {
			eventually(t, func() bool { return hasRefs(n.tr, "room", r1, r3) }, "joins")
		}
		eventually(t, func() bool { return flushedJoin(nodes[0].log, r3) }, "join flushed on n1")
		nodes[2].stop()
		for _, n := range nodes[:2] {
			eventually(t, func() bool { return hasRefs(n.tr, "room", r1) }, "expiry on "+n.tr.NodeID())
		}
		eventually(t, func() bool { return flushedLeave(nodes[0].log, r3) }, "leave flushed for the dead node's entry")
	})

	t.Run("a late joiner syncs the existing state", func(t *testing.T) {
		bus := pubsub.NewBus()
		n1, n2 := startNode(t, bus, "n1", fastCluster), startNode(t, bus, "n2", fastCluster)
		r1 := mustTrack(t, n1.tr, "room", "u1", "c1", nil)
		r2 := mustTrack(t, n2.tr, "lobby", "u2", "c2", nil)
		eventually(t, func() bool { return hasRefs(n2.tr, "room", r1) && hasRefs(n1.tr, "lobby", r2) }, "initial replication")
		n3 := startNode(t, bus, "n3", fastCluster)
		eventually(t, func() bool { return hasRefs(n3.tr, "room", r1) && hasRefs(n3.tr, "lobby", r2) }, "sync of the late joiner")
		r3 := mustTrack(t, n3.tr, "room", "u3", "c3", nil)
		eventually(t, func() bool { return hasRefs(n1.tr, "room", r1, r3) }, "late joiner's entry on n1")
	})
}

func flushedJoin(log *flushLog, ref string) bool {
	for _, f := range log.all() {
		for _, e := range f.Diff.Joins {
			if e.Ref() == ref {
				return true
			}
		}
	}
	return false
}

func flushedLeave(log *flushLog, ref string) bool {
	for _, f := range log.all() {
		for _, e := range f.Diff.Leaves {
			if e.Ref() == ref {
				return true
			}
		}
	}
	return false
}

// envelope builds a replication envelope from node.
func envelope(t *testing.T, node string, msg wireMsg) pubsub.Envelope {
	t.Helper()
	data, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	return pubsub.Envelope{Channel: ReplicationChannel, Node: node, Kind: EnvelopeKind, Data: data}
}

func join(topic, key, ref string) wireOp {
	return wireOp{Topic: topic, Key: key, Conn: "c-" + ref, Ref: ref, Meta: json.RawMessage(`{"n":12345678901234567890}`)}
}

// queuedSyncRequests lists the nodes a tracker (without Run) has queued sync requests for.
func queuedSyncRequests(tr *Tracker) []string {
	items, _ := tr.out.drain()
	var out []string
	for _, it := range items {
		if it.kind == itemSyncRequest {
			out = append(out, it.to)
		}
	}
	return out
}

func TestRemoteProtocol(t *testing.T) {
	tests := []struct {
		name     string
		msgs     []wireMsg
		wantRefs []string
		wantSync bool
	}{
		{"in-order deltas from the start need no sync",
			[]wireMsg{{Type: msgDelta, Incarnation: 1, Seq: 1, Ops: []wireOp{join("room", "u", "A")}}, {Type: msgDelta, Incarnation: 1, Seq: 2, Ops: []wireOp{join("room", "u", "B")}}, {Type: msgHeartbeat, Incarnation: 1, Seq: 2}},
			[]string{"A", "B"}, false},
		{"a gap in deltas asks for a sync and still applies",
			[]wireMsg{{Type: msgDelta, Incarnation: 1, Seq: 1, Ops: []wireOp{join("room", "u", "A")}}, {Type: msgDelta, Incarnation: 1, Seq: 3, Ops: []wireOp{join("room", "u", "C")}}},
			[]string{"A", "C"}, true},
		{"a heartbeat ahead of the deltas asks for a sync",
			[]wireMsg{{Type: msgDelta, Incarnation: 1, Seq: 1, Ops: []wireOp{join("room", "u", "A")}}, {Type: msgHeartbeat, Incarnation: 1, Seq: 2}},
			[]string{"A"}, true},
		{"a heartbeat from an unknown node asks for a sync",
			[]wireMsg{{Type: msgHeartbeat, Incarnation: 1, Seq: 7}}, nil, true},
		{"a state replaces the node's entries",
			[]wireMsg{{Type: msgDelta, Incarnation: 1, Seq: 1, Ops: []wireOp{join("room", "u", "A"), join("room", "u", "B")}}, {Type: msgState, Incarnation: 1, To: "me", Seq: 5, Ops: []wireOp{join("room", "u", "B"), join("lobby", "v", "D")}}, {Type: msgHeartbeat, Incarnation: 1, Seq: 5}},
			[]string{"B"}, false},
		{"a state addressed to another node is ignored",
			[]wireMsg{{Type: msgDelta, Incarnation: 1, Seq: 1, Ops: []wireOp{join("room", "u", "A")}}, {Type: msgState, Incarnation: 1, To: "other", Seq: 1}},
			[]string{"A"}, false},
		{"a new incarnation drops the old entries",
			[]wireMsg{{Type: msgDelta, Incarnation: 1, Seq: 1, Ops: []wireOp{join("room", "u", "A")}}, {Type: msgDelta, Incarnation: 2, Seq: 1, Ops: []wireOp{join("room", "u", "B")}}},
			[]string{"B"}, false},
		{"leaves of unknown refs and duplicate joins are ignored",
			[]wireMsg{{Type: msgDelta, Incarnation: 1, Seq: 1, Ops: []wireOp{join("room", "u", "A"), join("room", "u", "A"), {Leave: true, Topic: "room", Ref: "Z"}, {Leave: true, Topic: "nope", Ref: "A"}}}},
			[]string{"A"}, false},
		{"a remote node cannot remove or replace a local entry",
			[]wireMsg{{Type: msgDelta, Incarnation: 1, Seq: 1, Ops: []wireOp{join("room", "u", "LOCAL"), {Leave: true, Topic: "room", Ref: "LOCAL"}}}},
			nil, false},
		{"invalid ops are skipped",
			[]wireMsg{{Type: msgDelta, Incarnation: 1, Seq: 1, Ops: []wireOp{{Topic: "room", Ref: "nokey"}, {Topic: "room", Key: "u"}, {Topic: "room", Key: "u", Ref: "M", Meta: json.RawMessage(`[1,2]`)}}}},
			[]string{"M"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := New(Config{NodeID: "me"}, pubsub.NewBus().Node("me"), nil)
			local := &Entry{Key: "mine", ConnID: "lc", Meta: Meta{"phx_ref": "LOCAL"}, Node: "me", ref: "LOCAL", metaJSON: []byte(`{"phx_ref":"LOCAL"}`)}
			tr.shardFor("room").mu.Lock()
			ts := tr.shardFor("room").topic("room", true)
			ts.byRef["LOCAL"], ts.local["lc"] = local, "LOCAL"
			tr.shardFor("room").mu.Unlock()
			for _, m := range tc.msgs {
				tr.HandleRemote(envelope(t, "peer", m))
			}
			want := append([]string{"LOCAL"}, tc.wantRefs...)
			if !hasRefs(tr, "room", want...) {
				t.Fatalf("room refs %v, want %v", snapshotRefs(tr, "room"), want)
			}
			syncs := queuedSyncRequests(tr)
			if gotSync := len(syncs) > 0; gotSync != tc.wantSync {
				t.Fatalf("sync requests %v, want any=%v", syncs, tc.wantSync)
			}
			for _, e := range tr.Snapshot("room").Entries() {
				if e.Ref() == "LOCAL" {
					continue
				}
				if e.Node != "peer" || e.Meta["phx_ref"] != e.Ref() {
					t.Fatalf("remote entry %+v", e)
				}
				if e.Ref() != "M" && e.Meta["n"] != json.Number("12345678901234567890") {
					t.Fatalf("meta number not preserved: %#v", e.Meta["n"])
				}
			}
		})
	}
}

func TestHandleRemoteHostileInput(t *testing.T) {
	tests := []struct {
		name string
		env  pubsub.Envelope
	}{
		{"garbage", pubsub.Envelope{Node: "p", Kind: EnvelopeKind, Data: []byte{0xff, 0x00, '{'}}},
		{"empty", pubsub.Envelope{Node: "p", Kind: EnvelopeKind}},
		{"null", pubsub.Envelope{Node: "p", Kind: EnvelopeKind, Data: []byte("null")}},
		{"wrong kind", pubsub.Envelope{Node: "p", Kind: 1, Data: []byte(`{"t":"d","s":1,"o":[{"t":"room","k":"u","r":"X"}]}`)}},
		{"from self", pubsub.Envelope{Node: "me", Kind: EnvelopeKind, Data: []byte(`{"t":"d","s":1,"o":[{"t":"room","k":"u","r":"X"}]}`)}},
		{"no node", pubsub.Envelope{Kind: EnvelopeKind, Data: []byte(`{"t":"d","s":1,"o":[{"t":"room","k":"u","r":"X"}]}`)}},
		{"unknown type", pubsub.Envelope{Node: "p", Kind: EnvelopeKind, Data: []byte(`{"t":"zz","o":[{"t":"room","k":"u","r":"X"}]}`)}},
		{"ops of wrong shape", pubsub.Envelope{Node: "p", Kind: EnvelopeKind, Data: []byte(`{"t":"d","s":1,"o":{"a":1}}`)}},
		{"meta of wrong type", pubsub.Envelope{Node: "p", Kind: EnvelopeKind, Data: []byte(`{"t":"d","s":1,"o":[{"t":"room","k":"u","r":"X","m":"str","x":5}]}`)}},
		{"huge seq", pubsub.Envelope{Node: "p", Kind: EnvelopeKind, Data: []byte(`{"t":"h","s":18446744073709551615}`)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := New(Config{NodeID: "me"}, nil, nil)
			tr.HandleRemote(tc.env) // must not panic
			for _, e := range tr.Snapshot("room").Entries() {
				if e.Ref() == "X" && tc.name != "meta of wrong type" {
					t.Fatalf("accepted entry from %s", tc.name)
				}
			}
		})
	}
}

func FuzzHandleRemote(f *testing.F) {
	f.Add([]byte(`{"t":"d","i":1,"s":1,"o":[{"t":"room","k":"u","c":"c","r":"X","m":{"a":1}}]}`))
	f.Add([]byte(`{"t":"s","i":1,"to":"me","s":3,"o":[{"t":"room","k":"u","r":"Y"}]}`))
	f.Add([]byte(`{"t":"q","i":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr := New(Config{NodeID: "me"}, nil, nil)
		tr.HandleRemote(pubsub.Envelope{Node: "peer", Kind: EnvelopeKind, Data: data})
		for _, topic := range tr.Topics() {
			s := tr.Snapshot(topic)
			if !json.Valid(s.AppendPhoenixState(nil)) {
				t.Fatalf("invalid state JSON for %q", data)
			}
		}
	})
}

// lossyBroker drops the next `drop` delta envelopes it is asked to publish, as an overloaded
// network might.
type lossyBroker struct {
	pubsub.Broker
	mu   sync.Mutex
	drop int
}

func (l *lossyBroker) Publish(ctx context.Context, e pubsub.Envelope) error {
	var msg wireMsg
	if json.Unmarshal(e.Data, &msg) == nil && msg.Type == msgDelta {
		l.mu.Lock()
		lose := l.drop > 0
		if lose {
			l.drop--
		}
		l.mu.Unlock()
		if lose {
			return nil
		}
	}
	return l.Broker.Publish(ctx, e)
}

func TestReplicationRepairsLoss(t *testing.T) {
	bus := pubsub.NewBus()
	n2 := startNode(t, bus, "n2", fastCluster)

	lossy := &lossyBroker{Broker: bus.Node("n1")}
	cfg := fastCluster
	cfg.NodeID = "n1"
	n1 := New(cfg, lossy, nil)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_ = lossy.Run(ctx, func(e pubsub.Envelope) { n1.HandleRemote(e) })
	}()
	go func() { defer wg.Done(); _ = n1.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })

	r1 := mustTrack(t, n1, "room", "u1", "c1", nil)
	eventually(t, func() bool { return hasRefs(n2.tr, "room", r1) }, "first join")
	lossy.mu.Lock()
	lossy.drop = 1
	lossy.mu.Unlock()
	n1.Untrack("room", "c1") // this delta is lost
	r2 := mustTrack(t, n1, "room", "u2", "c2", nil)
	// The heartbeat (or the next delta) shows the gap; the resync removes r1 and adds r2.
	eventually(t, func() bool { return hasRefs(n2.tr, "room", r2) }, "repair after a lost delta")
}
