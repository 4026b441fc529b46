package webhooks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/presence"
)

func TestDeliversChannelActivity(t *testing.T) {
	c, url := newCollector(t)
	d := startDispatcher(t, Options{Workers: 1, Endpoints: []Endpoint{{URL: url, Channels: []string{"room/*"}, Events: []string{"join", "message", "leave"}, Secret: testSecret}}})
	n := newNode(t)
	n.AddObserver(d)
	s := connect(t, n, "alice")
	ctx := context.Background()
	ch, err := s.Join(ctx, channels.JoinRequest{Topic: "room/1", JoinRef: "1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, ch, channels.SendRequest{Event: "shout", Payload: channels.Payload{JSON: json.RawMessage(`{"body":"hi"}`)}}); err != nil {
		t.Fatal(err)
	}
	s.Leave("room/1")

	tests := []struct {
		event, msgEvent, audience, payload string
	}{
		{"join", "", "", ""},
		{"message", "shout", "public", `{"body":"hi"}`},
		{"leave", "", "", ""},
	}
	ids := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.event, func(t *testing.T) {
			got := c.next(t)
			if got.sigError != nil {
				t.Fatalf("signature: %v", got.sigError)
			}
			b := got.body
			if _, err := uuid.Parse(b.ID); err != nil || ids[b.ID] {
				t.Fatalf("id %q is not a fresh uuid", b.ID)
			}
			ids[b.ID] = true
			if b.Event != tc.event || b.Channel != "room/1" || b.MessageEvent != tc.msgEvent || b.Audience != tc.audience || string(b.Payload) != tc.payload {
				t.Fatalf("body = %s", got.raw)
			}
			if b.Client == nil || !b.Client.Authenticated || b.Client.UserID != "alice" || b.Client.ClientID != s.ClientID() || b.Client.Role != "member" {
				t.Fatalf("client = %+v", b.Client)
			}
			if time.Since(b.Time) > time.Minute || b.Time.IsZero() {
				t.Fatalf("time = %v", b.Time)
			}
		})
	}
	waitCount(t, "delivered", d.Stats().Delivered.Load, 3)
}

func TestFiltersByChannelAndEvent(t *testing.T) {
	_, url := newCollector(t)
	tests := []struct {
		name       string
		ep         Endpoint
		wantQueued int64
	}{
		{"other channel", Endpoint{URL: url, Channels: []string{"notifications/*"}}, 0},
		{"only messages", Endpoint{URL: url, Channels: []string{"room/*"}, Events: []string{"message"}}, 1},
		{"only joins", Endpoint{URL: url, Channels: []string{"room/*"}, Events: []string{"join"}}, 1},
		{"all events", Endpoint{URL: url, Channels: []string{"room/{id}"}}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := New(Options{Endpoints: []Endpoint{tc.ep}, Logger: zerolog.Nop()}) // not running: counts only
			if err != nil {
				t.Fatal(err)
			}
			n := newNode(t)
			n.AddObserver(d)
			s := connect(t, n, "")
			ch, err := s.Join(context.Background(), channels.JoinRequest{Topic: "room/1", JoinRef: "1"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Send(context.Background(), ch, channels.SendRequest{Event: "e", Payload: channels.Payload{JSON: json.RawMessage(`{}`)}}); err != nil {
				t.Fatal(err)
			}
			s.Leave("room/1")
			if got := d.Stats().Queued.Load(); got != tc.wantQueued {
				t.Fatalf("queued = %d, want %d", got, tc.wantQueued)
			}
		})
	}
}

func TestOnPresenceBody(t *testing.T) {
	c, url := newCollector(t)
	d := startDispatcher(t, Options{Endpoints: []Endpoint{{URL: url, Channels: []string{"room/*"}, Events: []string{"presence"}, Secret: testSecret}}})
	d.OnPresence("room/1", &presence.Diff{
		Joins:  []presence.Entry{{Key: "alice", ConnID: "c1", Meta: presence.Meta{"name": "Alice"}}},
		Leaves: []presence.Entry{{Key: "bob", ConnID: "c2"}},
	})
	d.OnPresence("room/1", &presence.Diff{}) // empty: nothing
	got := c.next(t)
	b := got.body
	if got.sigError != nil || b.Event != "presence" || b.Client != nil || len(b.Joins) != 1 || len(b.Leaves) != 1 ||
		b.Joins[0].Key != "alice" || b.Joins[0].ClientID != "c1" || b.Joins[0].Meta["name"] != "Alice" || b.Leaves[0].Key != "bob" {
		t.Fatalf("body = %s (sig %v)", got.raw, got.sigError)
	}
	waitCount(t, "delivered", d.Stats().Delivered.Load, 1)
	if q := d.Stats().Queued.Load(); q != 1 {
		t.Fatalf("queued = %d, want 1", q)
	}
}

func presenceJoin(d *Dispatcher) {
	d.OnPresence("room/1", &presence.Diff{Joins: []presence.Entry{{Key: "k", ConnID: "c"}}})
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name          string
		statuses      []int
		wantRequests  int
		wantDelivered int64
		wantFailed    int64
	}{
		{"fails twice then succeeds", []int{503, 500}, 3, 1, 0},
		{"429 and 408 are retried", []int{429, 408}, 3, 1, 0},
		{"4xx is final", []int{400}, 1, 0, 1},
		{"redirect is final", []int{302}, 1, 0, 1},
		{"gives up after max attempts", []int{500, 500, 500, 500}, 4, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, url := newCollector(t, tc.statuses...)
			d := startDispatcher(t, Options{MaxAttempts: 4, BaseBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond,
				Endpoints: []Endpoint{{URL: url, Channels: []string{"*"}, Secret: testSecret}}})
			presenceJoin(d)
			var id string
			for i := range tc.wantRequests {
				got := c.next(t)
				if got.sigError != nil {
					t.Fatalf("request %d: signature %v", i, got.sigError)
				}
				if i > 0 && got.body.ID != id {
					t.Fatalf("retry has id %q, first had %q", got.body.ID, id)
				}
				id = got.body.ID
			}
			waitCount(t, "delivered+failed", func() int64 { return d.Stats().Delivered.Load() + d.Stats().Failed.Load() }, 1)
			if d.Stats().Delivered.Load() != tc.wantDelivered || d.Stats().Failed.Load() != tc.wantFailed {
				t.Fatalf("delivered=%d failed=%d", d.Stats().Delivered.Load(), d.Stats().Failed.Load())
			}
			if got := d.Stats().Retries.Load(); got != int64(tc.wantRequests-1) {
				t.Fatalf("retries = %d, want %d", got, tc.wantRequests-1)
			}
			select {
			case extra := <-c.got:
				t.Fatalf("unexpected extra request %s", extra.raw)
			default:
			}
		})
	}
}

func TestTimeoutIsRetried(t *testing.T) {
	c, url := newCollector(t)
	c.sleeps = []time.Duration{5 * time.Second}
	d := startDispatcher(t, Options{Timeout: 50 * time.Millisecond, BaseBackoff: time.Millisecond,
		Endpoints: []Endpoint{{URL: url, Channels: []string{"*"}}}})
	presenceJoin(d)
	c.next(t)
	c.next(t)
	waitCount(t, "delivered", d.Stats().Delivered.Load, 1)
	if d.Stats().Retries.Load() != 1 {
		t.Fatalf("retries = %d, want 1", d.Stats().Retries.Load())
	}
}

func TestReceiverDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // connection refused from now on
	d := startDispatcher(t, Options{MaxAttempts: 3, BaseBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
		Endpoints: []Endpoint{{URL: url, Channels: []string{"*"}}}})
	presenceJoin(d)
	presenceJoin(d)
	waitCount(t, "failed", d.Stats().Failed.Load, 2)
	if d.Stats().Retries.Load() != 4 || d.Stats().Delivered.Load() != 0 {
		t.Fatalf("retries=%d delivered=%d, want 4 and 0", d.Stats().Retries.Load(), d.Stats().Delivered.Load())
	}
}

func TestQueueOverflowDrops(t *testing.T) {
	_, url := newCollector(t)
	d, err := New(Options{QueueSize: 2, Logger: zerolog.Nop(), Endpoints: []Endpoint{
		{URL: url, Channels: []string{"*"}}, {URL: url + "/second", Channels: []string{"room/*"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		presenceJoin(d) // two endpoints each: 6 jobs for 2 slots
	}
	if q, dr := d.Stats().Queued.Load(), d.Stats().Dropped.Load(); q != 2 || dr != 4 {
		t.Fatalf("queued=%d dropped=%d, want 2 and 4", q, dr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Run(ctx); err != nil { // stopped at once: the queued events are abandoned
		t.Fatal(err)
	}
	if f := d.Stats().Failed.Load(); f != 2 {
		t.Fatalf("failed = %d, want 2 abandoned", f)
	}
}

func TestSetEndpoints(t *testing.T) {
	d, err := New(Options{Logger: zerolog.Nop(), Endpoints: []Endpoint{{URL: "http://127.0.0.1:1/", Channels: []string{"a/*"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetEndpoints([]Endpoint{{URL: "nope", Channels: []string{"*"}}}); err == nil {
		t.Fatal("bad endpoint accepted")
	}
	presenceJoin(d) // room/1: the old endpoint (a/*) stays in force and does not match
	if d.Stats().Queued.Load() != 0 {
		t.Fatal("a refused reload changed the endpoints")
	}
	if err := d.SetEndpoints([]Endpoint{{URL: "http://127.0.0.1:1/", Channels: []string{"room/*"}}}); err != nil {
		t.Fatal(err)
	}
	presenceJoin(d)
	if d.Stats().Queued.Load() != 1 {
		t.Fatal("new endpoints not in force")
	}
}

func TestBackoff(t *testing.T) {
	d, err := New(Options{BaseBackoff: 200 * time.Millisecond, MaxBackoff: 10 * time.Second, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		attempt int
		ceiling time.Duration
	}{
		{1, 200 * time.Millisecond}, {2, 400 * time.Millisecond}, {3, 800 * time.Millisecond},
		{7, 10 * time.Second}, {50, 10 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.ceiling.String(), func(t *testing.T) {
			for range 100 {
				if got := d.backoff(tc.attempt); got < tc.ceiling/2 || got > tc.ceiling {
					t.Fatalf("backoff(%d) = %v, want within [%v, %v]", tc.attempt, got, tc.ceiling/2, tc.ceiling)
				}
			}
		})
	}
}

func BenchmarkOnMessageNoMatch(b *testing.B) {
	d, err := New(Options{Logger: zerolog.Nop(), Endpoints: []Endpoint{{URL: "http://127.0.0.1:1/", Channels: []string{"notifications/*"}}}})
	if err != nil {
		b.Fatal(err)
	}
	ev := &channels.Event{Kind: channels.EventClient, Topic: "room/1", Name: "m", Payload: json.RawMessage(`{}`)}
	b.ReportAllocs()
	for b.Loop() {
		d.OnMessage(ev)
	}
}

func BenchmarkOnMessageMatch(b *testing.B) {
	d, err := New(Options{QueueSize: 1, Logger: zerolog.Nop(), Endpoints: []Endpoint{{URL: "http://127.0.0.1:1/", Channels: []string{"room/*"}}}})
	if err != nil {
		b.Fatal(err)
	}
	ev := &channels.Event{Kind: channels.EventClient, Topic: "room/1", Name: "m", Payload: json.RawMessage(`{}`),
		Sender: &channels.Sender{ClientID: "c"}}
	b.ReportAllocs()
	for b.Loop() {
		d.OnMessage(ev) // the queue is full after the first: measures match + drop
	}
}
