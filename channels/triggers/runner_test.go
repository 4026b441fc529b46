package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
)

func TestNewRejectsInvalidSpecs(t *testing.T) {
	tests := []struct {
		name string
		spec FunctionSpec
	}{
		{"unknown type", FunctionSpec{Type: "lua"}},
		{"rate limit without per", FunctionSpec{Type: TypeRateLimit, Limit: 5}},
		{"rate limit bad key", FunctionSpec{Type: TypeRateLimit, Limit: 5, Per: time.Minute, Key: "ip"}},
		{"claim match without claim", FunctionSpec{Type: TypeClaimMatch, Segment: "team_id"}},
		{"content filter bad regexp", FunctionSpec{Type: TypeContentFilter, Deny: []string{"("}}},
		{"audit log without path", FunctionSpec{Type: TypeAuditLog}},
		{"audit log unwritable", FunctionSpec{Type: TypeAuditLog, Path: "/nonexistent-dir/x/audit.jsonl"}},
		{"webhook bad url", FunctionSpec{Type: TypeWebhook, URL: "ftp://x"}},
		{"webhook bad on_error", FunctionSpec{Type: TypeWebhook, URL: "http://127.0.0.1:1/", OnError: "maybe"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(map[string]FunctionSpec{"f": tc.spec}, zerolog.Nop())
			if err == nil {
				_ = r.Close()
				t.Fatal("New succeeded")
			}
			if !errors.Is(err, ErrInvalidFunction) {
				t.Fatalf("error %v is not ErrInvalidFunction", err)
			}
		})
	}
}

func TestHas(t *testing.T) {
	r := newRunner(t, nil)
	tests := []struct {
		name  string
		set   *permissions.Set
		event string
		want  bool
	}{
		{"nil set", nil, channels.TriggerMessage, false},
		{"no triggers", setWith(), channels.TriggerMessage, false},
		{"same event", setWith("message", "f"), channels.TriggerMessage, true},
		{"other event", setWith("join", "f"), channels.TriggerMessage, false},
		{"star matches join", setWith("*", "f"), channels.TriggerJoin, true},
		{"star matches leave", setWith("*", "f"), channels.TriggerLeave, true},
		{"second trigger", setWith("join", "f", "leave", "g"), channels.TriggerLeave, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.Has(tc.set, tc.event); got != tc.want {
				t.Fatalf("Has = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("does not allocate", func(t *testing.T) {
		set := setWith("join", "f", "leave", "g", "message", "h")
		if n := testing.AllocsPerRun(100, func() { r.Has(set, channels.TriggerMessage) }); n != 0 {
			t.Fatalf("Has allocates %v times", n)
		}
	})
}

func TestRunPipeline(t *testing.T) {
	type step struct {
		event, fn string
		res       result
	}
	tests := []struct {
		name        string
		steps       []step
		event       string
		wantAllow   bool
		wantReason  string
		wantPayload string   // "" = not replaced
		wantSeen    []string // payloads seen, by the functions that ran, in order
	}{
		{
			name:      "no matching trigger allows",
			steps:     []step{{"join", "a", deny("no")}},
			event:     channels.TriggerMessage,
			wantAllow: true,
		},
		{
			name:       "first deny wins and stops the pipeline",
			steps:      []step{{"message", "a", allow}, {"message", "b", deny("b says no")}, {"message", "c", deny("c says no")}},
			event:      channels.TriggerMessage,
			wantReason: "b says no",
			wantSeen:   []string{`{"x":1}`, `{"x":1}`},
		},
		{
			name: "replaced payload is seen by the next trigger and delivered",
			steps: []step{
				{"message", "a", result{allow: true, payload: json.RawMessage(`{"x":2}`)}},
				{"message", "b", allow},
			},
			event:       channels.TriggerMessage,
			wantAllow:   true,
			wantPayload: `{"x":2}`,
			wantSeen:    []string{`{"x":1}`, `{"x":2}`},
		},
		{
			name:       "star runs for messages in order",
			steps:      []step{{"*", "a", allow}, {"join", "b", deny("join only")}, {"*", "c", deny("star")}},
			event:      channels.TriggerMessage,
			wantReason: "star",
			wantSeen:   []string{`{"x":1}`, `{"x":1}`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRunner(t, nil)
			seen := make(chan string, 10)
			var pairs []string
			for _, s := range tc.steps {
				r.fns[s.fn] = entry{fn: &fakeFn{res: s.res, seen: seen}, deadline: time.Second}
				pairs = append(pairs, s.event, s.fn)
			}
			v := r.Run(context.Background(), message(setWith(pairs...), `{"x":1}`))
			if v.Allow != tc.wantAllow || v.Reason != tc.wantReason || string(v.Payload) != tc.wantPayload {
				t.Fatalf("verdict = %+v (payload %s), want allow=%v reason=%q payload=%s", v, v.Payload, tc.wantAllow, tc.wantReason, tc.wantPayload)
			}
			close(seen)
			var got []string
			for p := range seen {
				got = append(got, p)
			}
			if len(got) != len(tc.wantSeen) {
				t.Fatalf("functions saw %q, want %q", got, tc.wantSeen)
			}
			for i := range got {
				if got[i] != tc.wantSeen[i] {
					t.Fatalf("functions saw %q, want %q", got, tc.wantSeen)
				}
			}
		})
	}
}

func TestRunFailsClosed(t *testing.T) {
	r := newRunner(t, nil)
	r.fns["boom"] = entry{fn: panicFn{}, deadline: time.Second}
	tests := []struct {
		name string
		fn   string
	}{
		{"unknown function", "missing"},
		{"panicking function", "boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := r.Run(context.Background(), message(setWith("message", tc.fn), `{}`))
			if v.Allow || v.Reason != unavailableReason {
				t.Fatalf("verdict = %+v, want refused with %q", v, unavailableReason)
			}
		})
	}
	if r.Stats().Panics.Load() != 1 {
		t.Fatalf("panics = %d, want 1", r.Stats().Panics.Load())
	}
}

// blockingFn blocks until release is closed, counting its calls.
type blockingFn struct {
	started chan struct{}
	release chan struct{}
}

func (b *blockingFn) call(context.Context, *channels.TriggerInput) result {
	b.started <- struct{}{}
	<-b.release
	return allow
}

func TestNotify(t *testing.T) {
	t.Run("runs leave triggers asynchronously", func(t *testing.T) {
		r := newRunner(t, nil)
		seen := make(chan string, 1)
		r.fns["f"] = entry{fn: &fakeFn{res: allow, seen: seen}, deadline: time.Second}
		in := message(setWith("leave", "f"), `"bye"`)
		in.Event = channels.TriggerLeave
		r.Notify(in)
		if got := <-seen; got != `"bye"` {
			t.Fatalf("leave trigger saw %q", got)
		}
	})
	t.Run("drops and counts when the queue is full", func(t *testing.T) {
		r := newRunner(t, nil)
		b := &blockingFn{started: make(chan struct{}, leaveWorkers), release: make(chan struct{})}
		r.fns["f"] = entry{fn: b, deadline: time.Second}
		in := message(setWith("leave", "f"), `{}`)
		in.Event = channels.TriggerLeave
		for range leaveWorkers {
			r.Notify(in)
		}
		for range leaveWorkers {
			<-b.started // every worker is now busy
		}
		const extra = 10
		for range leaveQueue + extra {
			r.Notify(in)
		}
		if got := r.Stats().LeaveDropped.Load(); got != extra {
			t.Fatalf("dropped = %d, want %d", got, extra)
		}
		close(b.release)
		go func() { // keep draining so that busy workers can finish
			for range b.started {
			}
		}()
		_ = r.Close()
		close(b.started)
	})
	t.Run("drops after close", func(t *testing.T) {
		r := newRunner(t, nil)
		_ = r.Close()
		r.Notify(message(setWith("leave", "f"), `{}`))
		if got := r.Stats().LeaveDropped.Load(); got != 1 {
			t.Fatalf("dropped = %d, want 1", got)
		}
	})
}

func BenchmarkHas(b *testing.B) {
	r := newRunner(b, nil)
	set := setWith("join", "a", "leave", "b", "message", "c")
	b.ReportAllocs()
	for b.Loop() {
		r.Has(set, channels.TriggerMessage)
	}
}

func BenchmarkRunRateLimit(b *testing.B) {
	r := newRunner(b, map[string]FunctionSpec{"rl": {Type: TypeRateLimit, Limit: 1 << 30, Per: time.Second}})
	in := message(setWith("message", "rl"), `{"body":"hi"}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r.Run(ctx, in)
	}
}
