package presence

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/phxserver/phxserver/channels/pubsub"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const waitTimeout = 10 * time.Second

// eventually polls cond until it holds; the timeout only catches hangs.
func eventually(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// flushLog records what onFlush received.
type flushLog struct {
	mu      sync.Mutex
	flushes []Flush
}

func (l *flushLog) add(f Flush) {
	l.mu.Lock()
	l.flushes = append(l.flushes, f)
	l.mu.Unlock()
}

func (l *flushLog) all() []Flush {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Flush(nil), l.flushes...)
}

func (l *flushLog) count() int { return len(l.all()) }

// drain closes every open window now, without Run, and returns the flushes as Run would
// hand them over, ordered by topic.
func drain(tr *Tracker) []Flush {
	fs, _ := tr.takeDue(time.Now().Add(24 * time.Hour))
	for i := range fs {
		sortEntries(fs[i].Diff.Joins)
		sortEntries(fs[i].Diff.Leaves)
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].Topic < fs[j].Topic })
	return fs
}

// runTracker runs tr until the test ends (or stop is called).
func runTracker(t *testing.T, tr *Tracker) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := tr.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// clusterNode is one tracker on a memory bus, with the broker loop the core would run.
type clusterNode struct {
	tr   *Tracker
	log  *flushLog
	stop func()
}

func startNode(t *testing.T, bus *pubsub.Bus, id string, cfg Config) *clusterNode {
	t.Helper()
	cfg.NodeID = id
	broker := bus.Node(id)
	n := &clusterNode{log: &flushLog{}}
	n.tr = New(cfg, broker, n.log.add)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_ = broker.Run(ctx, func(e pubsub.Envelope) {
			if e.Kind == EnvelopeKind {
				n.tr.HandleRemote(e)
			}
		})
	}()
	go func() { defer wg.Done(); _ = n.tr.Run(ctx) }()
	var once sync.Once
	n.stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(n.stop)
	return n
}

// phoenixMap is the decoded shape of presence_state and of each half of presence_diff.
type phoenixMap map[string]struct {
	Metas []map[string]any `json:"metas"`
}

func decodeState(t *testing.T, b []byte) phoenixMap {
	t.Helper()
	var m phoenixMap
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("state %s: %v", b, err)
	}
	return m
}

func decodeDiff(t *testing.T, b []byte) (joins, leaves phoenixMap) {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("diff %s: %v", b, err)
	}
	if _, ok := raw["joins"]; !ok {
		t.Fatalf("diff %s has no joins", b)
	}
	if _, ok := raw["leaves"]; !ok {
		t.Fatalf("diff %s has no leaves", b)
	}
	if len(raw) != 2 {
		t.Fatalf("diff %s has extra members", b)
	}
	return decodeState(t, raw["joins"]), decodeState(t, raw["leaves"])
}

// refsOf lists the phx_refs of a decoded key.
func refsOf(m phoenixMap, key string) []string {
	var out []string
	for _, meta := range m[key].Metas {
		ref, _ := meta["phx_ref"].(string)
		out = append(out, ref)
	}
	return out
}

func mustTrack(t *testing.T, tr *Tracker, topic, key, conn string, meta Meta) string {
	t.Helper()
	ref, err := tr.Track(topic, key, conn, meta, nil)
	if err != nil {
		t.Fatalf("Track(%s,%s,%s): %v", topic, key, conn, err)
	}
	return ref
}
