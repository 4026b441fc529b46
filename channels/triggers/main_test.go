package triggers

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newRunner builds a Runner closed at the end of the test.
func newRunner(t testing.TB, fns map[string]FunctionSpec) *Runner {
	t.Helper()
	r, err := New(fns, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// setWith is a permission set with the given triggers (event, function pairs).
func setWith(pairs ...string) *permissions.Set {
	s := &permissions.Set{Pattern: "room/*"}
	for i := 0; i+1 < len(pairs); i += 2 {
		s.Triggers = append(s.Triggers, permissions.TriggerSpec{Event: pairs[i], Function: pairs[i+1]})
	}
	return s
}

// message is a message TriggerInput from an authenticated user.
func message(set *permissions.Set, payload string) channels.TriggerInput {
	return channels.TriggerInput{
		Event: channels.TriggerMessage, Channel: "room/1", Set: set, MessageEvent: "shout",
		Client:  channels.Identity{ClientID: "c1", Authenticated: true, UserID: "u1"},
		Payload: json.RawMessage(payload),
	}
}

// fakeFn is a test function: it records the payload it saw and answers res.
type fakeFn struct {
	res  result
	seen chan string
}

func (f *fakeFn) call(_ context.Context, in *channels.TriggerInput) result {
	if f.seen != nil {
		f.seen <- string(in.Payload)
	}
	return f.res
}

type panicFn struct{}

func (panicFn) call(context.Context, *channels.TriggerInput) result { panic("boom") }

type atomicCounter struct{ atomic.Int64 }

func nopLogger() zerolog.Logger { return zerolog.Nop() }
