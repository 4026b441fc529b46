package pubsub

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// conformanceTimeout bounds every wait of the suite; it only catches hangs, it never
// measures speed.
const conformanceTimeout = 10 * time.Second

// RunConformance runs the Broker contract against an implementation. newBrokers must return
// n brokers, each for a distinct node, all connected to the same network, none running yet;
// it should register its own cleanup with t.Cleanup. The suite starts and stops Run itself.
//
// Negative checks ("not delivered") use a marker envelope published after the one that must
// not arrive: once the marker arrived, per-publisher order (or, for the publisher itself,
// causality through a reply on the same channel) proves the earlier envelope was not
// delivered. No test sleeps to synchronise.
func RunConformance(t *testing.T, newBrokers func(t *testing.T, n int) []Broker) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, newBrokers func(t *testing.T, n int) []Broker)
	}{
		{"publish reaches subscribed other node", testReachesSubscriber},
		{"never delivered back to the publisher", testNotToPublisher},
		{"not delivered to unsubscribed nodes", testNotToUnsubscribed},
		{"subscriptions are counted", testCountedSubscriptions},
		{"per-publisher order of 1000 envelopes", testPerPublisherOrder},
		{"Run returns on ctx cancel", testRunReturnsOnCancel},
		{"Kind, Data and Channel preserved byte-exact", testByteExact},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newBrokers) })
	}
}

// recorder collects what one node's Run delivered.
type recorder struct {
	mu  sync.Mutex
	got []Envelope
}

func (r *recorder) deliver(e Envelope) {
	e.Data = append([]byte(nil), e.Data...)
	r.mu.Lock()
	r.got = append(r.got, e)
	r.mu.Unlock()
}

func (r *recorder) all() []Envelope {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Envelope(nil), r.got...)
}

func (r *recorder) has(pred func(Envelope) bool) bool {
	for _, e := range r.all() {
		if pred(e) {
			return true
		}
	}
	return false
}

// startAll runs every broker with a recorder until the test ends.
func startAll(t *testing.T, brokers []Broker) []*recorder {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	recs := make([]*recorder, len(brokers))
	for i, b := range brokers {
		recs[i] = &recorder{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.Run(ctx, recs[i].deliver); err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("broker %d Run: %v", i, err)
			}
		}()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	return recs
}

// eventually polls cond until it holds or timeout passes.
func eventually(t *testing.T, cond func() bool, timeout time.Duration, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func mustDo(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func envWith(channel, data string) Envelope {
	return Envelope{Channel: channel, Kind: 1, Data: []byte(data)}
}

func isData(data string) func(Envelope) bool {
	return func(e Envelope) bool { return string(e.Data) == data }
}

func testReachesSubscriber(t *testing.T, newBrokers func(t *testing.T, n int) []Broker) {
	ctx := context.Background()
	bs := newBrokers(t, 2)
	recs := startAll(t, bs)
	mustDo(t, bs[1].Subscribe(ctx, "room:1"), "subscribe")
	mustDo(t, bs[0].Publish(ctx, envWith("room:1", "hello")), "publish")
	eventually(t, func() bool { return recs[1].has(isData("hello")) }, conformanceTimeout, "delivery to node 1")
	got := recs[1].all()[0]
	if got.Channel != "room:1" {
		t.Fatalf("channel = %q, want room:1", got.Channel)
	}
}

func testNotToPublisher(t *testing.T, newBrokers func(t *testing.T, n int) []Broker) {
	ctx := context.Background()
	bs := newBrokers(t, 2)
	recs := startAll(t, bs)
	mustDo(t, bs[0].Subscribe(ctx, "room:1"), "subscribe 0")
	mustDo(t, bs[1].Subscribe(ctx, "room:1"), "subscribe 1")
	mustDo(t, bs[0].Publish(ctx, envWith("room:1", "own")), "publish own")
	eventually(t, func() bool { return recs[1].has(isData("own")) }, conformanceTimeout, "delivery to node 1")
	// Node 1 replies only after it saw "own"; node 0 receiving the reply proves "own" had its
	// chance to come back first.
	mustDo(t, bs[1].Publish(ctx, envWith("room:1", "reply")), "publish reply")
	eventually(t, func() bool { return recs[0].has(isData("reply")) }, conformanceTimeout, "reply to node 0")
	if recs[0].has(isData("own")) {
		t.Fatal("publisher received its own envelope")
	}
}

func testNotToUnsubscribed(t *testing.T, newBrokers func(t *testing.T, n int) []Broker) {
	ctx := context.Background()
	bs := newBrokers(t, 3)
	recs := startAll(t, bs)
	mustDo(t, bs[1].Subscribe(ctx, "room:1"), "subscribe 1")
	mustDo(t, bs[2].Subscribe(ctx, "marker"), "subscribe 2")
	mustDo(t, bs[0].Publish(ctx, envWith("room:1", "for-1")), "publish")
	mustDo(t, bs[0].Publish(ctx, envWith("marker", "marker")), "publish marker")
	eventually(t, func() bool { return recs[1].has(isData("for-1")) }, conformanceTimeout, "delivery to node 1")
	eventually(t, func() bool { return recs[2].has(isData("marker")) }, conformanceTimeout, "marker to node 2")
	if recs[2].has(isData("for-1")) {
		t.Fatal("node not subscribed to room:1 received its envelope")
	}
}

func testCountedSubscriptions(t *testing.T, newBrokers func(t *testing.T, n int) []Broker) {
	ctx := context.Background()
	bs := newBrokers(t, 2)
	recs := startAll(t, bs)
	mustDo(t, bs[1].Subscribe(ctx, "marker"), "subscribe marker")
	mustDo(t, bs[1].Subscribe(ctx, "room:1"), "subscribe 1st")
	mustDo(t, bs[1].Subscribe(ctx, "room:1"), "subscribe 2nd")
	mustDo(t, bs[1].Unsubscribe(ctx, "room:1"), "unsubscribe 1st")
	mustDo(t, bs[0].Publish(ctx, envWith("room:1", "still")), "publish still")
	eventually(t, func() bool { return recs[1].has(isData("still")) }, conformanceTimeout, "delivery after one of two unsubscribes")

	mustDo(t, bs[1].Unsubscribe(ctx, "room:1"), "unsubscribe 2nd")
	mustDo(t, bs[0].Publish(ctx, envWith("room:1", "gone")), "publish gone")
	mustDo(t, bs[0].Publish(ctx, envWith("marker", "marker")), "publish marker")
	eventually(t, func() bool { return recs[1].has(isData("marker")) }, conformanceTimeout, "marker")
	if recs[1].has(isData("gone")) {
		t.Fatal("delivered after the last Unsubscribe")
	}
}

func testPerPublisherOrder(t *testing.T, newBrokers func(t *testing.T, n int) []Broker) {
	const count = 1000
	ctx := context.Background()
	bs := newBrokers(t, 3)
	recs := startAll(t, bs)
	mustDo(t, bs[2].Subscribe(ctx, "room:1"), "subscribe")
	var wg sync.WaitGroup
	for p := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range count {
				data := binary.BigEndian.AppendUint32([]byte{byte(p)}, uint32(i))
				if err := bs[p].Publish(ctx, Envelope{Channel: "room:1", Kind: 2, Data: data}); err != nil {
					t.Errorf("publish %d/%d: %v", p, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	eventually(t, func() bool { return len(recs[2].all()) >= 2*count }, conformanceTimeout, "all envelopes")
	next := map[byte]uint32{}
	nodeOf := map[byte]string{}
	for _, e := range recs[2].all() {
		if len(e.Data) != 5 {
			t.Fatalf("unexpected data %x", e.Data)
		}
		p, seq := e.Data[0], binary.BigEndian.Uint32(e.Data[1:])
		if seq != next[p] {
			t.Fatalf("publisher %d: got seq %d, want %d", p, seq, next[p])
		}
		next[p]++
		if n, ok := nodeOf[p]; ok && n != e.Node {
			t.Fatalf("publisher %d: node changed from %q to %q", p, n, e.Node)
		}
		nodeOf[p] = e.Node
	}
	if nodeOf[0] == nodeOf[1] {
		t.Fatalf("both publishers reported as node %q", nodeOf[0])
	}
}

func testRunReturnsOnCancel(t *testing.T, newBrokers func(t *testing.T, n int) []Broker) {
	bs := newBrokers(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bs[0].Run(ctx, func(Envelope) {}) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(conformanceTimeout):
		t.Fatal("Run did not return after cancel")
	}
}

func testByteExact(t *testing.T, newBrokers func(t *testing.T, n int) []Broker) {
	ctx := context.Background()
	allBytes := make([]byte, 256)
	for i := range allBytes {
		allBytes[i] = byte(i)
	}
	cases := []Envelope{
		{Channel: "bin:1", Kind: 0, Data: allBytes},
		{Channel: "bin:1", Kind: 255, Data: []byte{}},
		{Channel: "bin:1", Kind: 16, Data: []byte("{\"a\":\"\\u0000é\"}\r\n")},
		{Channel: "bin:1", Kind: 7, Data: bytes.Repeat([]byte{0xff, 0x00}, 4096)},
	}
	bs := newBrokers(t, 2)
	recs := startAll(t, bs)
	mustDo(t, bs[1].Subscribe(ctx, "bin:1"), "subscribe")
	for i, e := range cases {
		mustDo(t, bs[0].Publish(ctx, e), fmt.Sprintf("publish %d", i))
	}
	eventually(t, func() bool { return len(recs[1].all()) >= len(cases) }, conformanceTimeout, "all envelopes")
	got := recs[1].all()
	if len(got) != len(cases) {
		t.Fatalf("got %d envelopes, want %d", len(got), len(cases))
	}
	for i, want := range cases {
		if got[i].Channel != want.Channel || got[i].Kind != want.Kind || !bytes.Equal(got[i].Data, want.Data) {
			t.Errorf("envelope %d: got {%q %d %x}, want {%q %d %x}", i, got[i].Channel, got[i].Kind, got[i].Data, want.Channel, want.Kind, want.Data)
		}
		if got[i].Node == "" {
			t.Errorf("envelope %d: empty Node", i)
		}
	}
}
