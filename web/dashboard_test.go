package web

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/phxserver/phxserver/channels"
)

// fakeSource is a DashboardSource with settable counts that records broadcasts.
type fakeSource struct {
	stats  channels.Stats
	mu     sync.Mutex
	topics map[string]int
	sent   []channels.BroadcastRequest
}

func (f *fakeSource) ID() string             { return "node-1" }
func (f *fakeSource) Stats() *channels.Stats { return &f.stats }
func (f *fakeSource) ConnectionsBy() map[channels.ConnKey]int {
	return map[channels.ConnKey]int{{Transport: "websocket", Dialect: "phoenix-v2"}: 2, {Transport: "longpoll", Dialect: "phoenix-v2"}: 1}
}
func (f *fakeSource) TopicCounts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.topics))
	for k, v := range f.topics {
		out[k] = v
	}
	return out
}
func (f *fakeSource) Broadcast(_ context.Context, req channels.BroadcastRequest) {
	f.mu.Lock()
	f.sent = append(f.sent, req)
	f.mu.Unlock()
}

func TestDashboardJoin(t *testing.T) {
	tests := []struct {
		name       string
		demo       bool
		keys       []string
		payload    string
		wantReason string
	}{
		{"demo mode admits anyone", true, nil, `{}`, ""},
		{"valid key", false, []string{"k1", "k2"}, `{"api_key":"k2"}`, ""},
		{"no key", false, []string{"k1"}, `{}`, "unauthorized: the dashboard needs an API key (?key=...)"},
		{"wrong key", false, []string{"k1"}, `{"api_key":"k"}`, "unauthorized: invalid API key"},
		{"empty key never matches an empty configured key", false, []string{""}, `{"api_key":""}`, "unauthorized: the dashboard needs an API key (?key=...)"},
		{"non-object payload", false, []string{"k1"}, `"k1"`, "unauthorized: the dashboard needs an API key (?key=...)"},
		{"key of the wrong type", false, []string{"k1"}, `{"api_key":1}`, "unauthorized: the dashboard needs an API key (?key=...)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := &fakeSource{topics: map[string]int{"room:a": 3}}
			d := NewDashboard(src, NewDashboardAccess(tc.demo, tc.keys).Allowed)
			reply, err := d.Join(context.Background(), nil, json.RawMessage(tc.payload))
			if tc.wantReason == "" {
				snap, ok := reply.(Snapshot)
				if err != nil || !ok || snap.Connections != src.stats.Connections.Load() || snap.Members != 3 {
					t.Fatalf("Join = %#v, %v", reply, err)
				}
				return
			}
			var re *channels.ReplyError
			if !errors.As(err, &re) || re.Reason != tc.wantReason {
				t.Fatalf("Join error = %v, want reason %q", err, tc.wantReason)
			}
		})
	}
}

func TestDashboardHandleInIsReadOnly(t *testing.T) {
	d := NewDashboard(&fakeSource{}, func(string) bool { return true })
	_, err := d.HandleIn(context.Background(), nil, "message", channels.Payload{})
	var re *channels.ReplyError
	if !errors.As(err, &re) {
		t.Fatalf("HandleIn error = %v, want a refusal", err)
	}
}

func TestDashboardTick(t *testing.T) {
	src := &fakeSource{topics: map[string]int{"room:a": 2}}
	d := NewDashboard(src, func(string) bool { return true })
	t0 := time.Unix(1_800_000_000, 0)
	if d.Tick(context.Background(), t0) {
		t.Fatal("broadcast without a viewer")
	}
	src.mu.Lock()
	src.topics[DashboardTopic] = 1
	src.mu.Unlock()
	src.stats.Connections.Store(3)
	src.stats.MessagesIn.Store(10)
	if !d.Tick(context.Background(), t0) {
		t.Fatal("no broadcast with a viewer")
	}
	src.stats.MessagesIn.Store(30)
	src.stats.Deliveries.Store(8)
	d.Tick(context.Background(), t0.Add(2*time.Second))

	if len(src.sent) != 2 {
		t.Fatalf("%d broadcasts, want 2", len(src.sent))
	}
	var first, second Snapshot
	for i, dst := range []*Snapshot{&first, &second} {
		req := src.sent[i]
		if req.Topic != DashboardTopic || req.Event != "stats" {
			t.Fatalf("broadcast %d = %s/%s", i, req.Topic, req.Event)
		}
		if err := json.Unmarshal(req.Payload, dst); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"first rates are zero", first.Rates.MessagesIn, 0.0},
		{"messages in per second", second.Rates.MessagesIn, 10.0},
		{"deliveries per second", second.Rates.Deliveries, 4.0},
		{"totals", second.Totals.MessagesIn, uint64(30)},
		{"connections", second.Connections, int64(3)},
		{"channels", second.Channels, 2},
		{"members", second.Members, 3},
		{"busiest channel first", second.TopChannels[0], ChannelCount{Topic: "room:a", Members: 2}},
		{"transports sorted", second.Transports[0], TransportCount{Transport: "longpoll", Dialect: "phoenix-v2", Count: 1}},
		{"node", second.Node, "node-1"},
		{"timestamp", second.At, t0.Add(2 * time.Second).UnixMilli()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %#v, want %#v", tc.got, tc.want)
			}
		})
	}

	// The last viewer left: no broadcast, and the rates restart from zero next time.
	src.mu.Lock()
	delete(src.topics, DashboardTopic)
	src.mu.Unlock()
	if d.Tick(context.Background(), t0.Add(3*time.Second)) {
		t.Fatal("broadcast after the last viewer left")
	}
	if r := d.sampler.current(src).Rates; r != (Rates{}) {
		t.Fatalf("rates after reset = %+v", r)
	}
}

func TestDashboardRunStopsWithContext(t *testing.T) {
	d := NewDashboard(&fakeSource{}, func(string) bool { return true })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}

func TestTopChannelsAreBounded(t *testing.T) {
	topics := map[string]int{}
	for i := range 100 {
		topics[string(rune('a'+i%26))+time.Duration(i).String()] = i
	}
	snap := build(&fakeSource{}, topics, time.Now(), Counters{}, Rates{})
	if len(snap.TopChannels) != maxTopChannels || snap.TopChannels[0].Members != 99 || snap.Channels != 100 {
		t.Fatalf("top channels = %d (first %+v), channels %d", len(snap.TopChannels), snap.TopChannels[0], snap.Channels)
	}
}

func TestDashboardAccess(t *testing.T) {
	a := NewDashboardAccess(false, []string{"", "secret"})
	tests := []struct {
		name string
		key  string
		want bool
	}{{"valid", "secret", true}, {"prefix", "secre", false}, {"longer", "secret!", false}, {"empty", "", false}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := a.Allowed(tc.key); got != tc.want {
				t.Fatalf("Allowed(%q) = %v", tc.key, got)
			}
		})
	}
	a.Set(true, nil)
	if !a.Allowed("") {
		t.Fatal("demo mode must admit a viewer without a key")
	}
}
