package triggers

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/phxserver/phxserver/channels"
)

// fakeClock is a settable time source.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newTestRateLimit(t *testing.T, limit int, per time.Duration, key string) (*rateLimit, *fakeClock) {
	t.Helper()
	rl, err := newRateLimit(FunctionSpec{Type: TypeRateLimit, Limit: limit, Per: per, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	rl.now = clock.now
	return rl, clock
}

func TestRateLimitBucket(t *testing.T) {
	rl, clock := newTestRateLimit(t, 5, time.Minute, KeyUser)
	in := message(nil, `{}`)
	for i := range 5 {
		if r := rl.call(context.Background(), &in); !r.allow {
			t.Fatalf("message %d refused: %s", i+1, r.reason)
		}
	}
	r := rl.call(context.Background(), &in)
	if r.allow || r.reason != "rate limit exceeded: 5 messages per 1m0s" {
		t.Fatalf("6th message: %+v", r)
	}
	clock.t = clock.t.Add(12 * time.Second) // one token back (5 per 60 s)
	if r := rl.call(context.Background(), &in); !r.allow {
		t.Fatalf("message after refill refused: %s", r.reason)
	}
	if r := rl.call(context.Background(), &in); r.allow {
		t.Fatal("second message after a one-token refill allowed")
	}
	clock.t = clock.t.Add(time.Hour) // refill caps at the burst
	allowed := 0
	for range 10 {
		if rl.call(context.Background(), &in).allow {
			allowed++
		}
	}
	if allowed != 5 {
		t.Fatalf("after a long pause %d allowed, want burst 5", allowed)
	}
}

func TestRateLimitKeys(t *testing.T) {
	alice1 := channels.Identity{ClientID: "c1", Authenticated: true, UserID: "alice"}
	alice2 := channels.Identity{ClientID: "c2", Authenticated: true, UserID: "alice"}
	anon1 := channels.Identity{ClientID: "c3"}
	anon2 := channels.Identity{ClientID: "c4"}
	tests := []struct {
		name        string
		key         string
		first, then channels.Identity
		firstCh     string
		thenCh      string
		shared      bool
	}{
		{"user: two connections of one user share", KeyUser, alice1, alice2, "room/1", "room/1", true},
		{"user: anonymous keyed by client", KeyUser, anon1, anon2, "room/1", "room/1", false},
		{"client: two connections are separate", KeyClient, alice1, alice2, "room/1", "room/1", false},
		{"channel: everyone in a channel shares", KeyChannel, alice1, anon1, "room/1", "room/1", true},
		{"channel: channels are separate", KeyChannel, alice1, alice1, "room/1", "room/2", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rl, _ := newTestRateLimit(t, 1, time.Minute, tc.key)
			a := message(nil, `{}`)
			a.Client, a.Channel = tc.first, tc.firstCh
			b := message(nil, `{}`)
			b.Client, b.Channel = tc.then, tc.thenCh
			if !rl.call(context.Background(), &a).allow {
				t.Fatal("first message refused")
			}
			if got := !rl.call(context.Background(), &b).allow; got != tc.shared {
				t.Fatalf("second refused = %v, want %v (shared bucket)", got, tc.shared)
			}
		})
	}
}

func TestRateLimitEvictsIdleBuckets(t *testing.T) {
	rl, clock := newTestRateLimit(t, 5, time.Minute, KeyClient)
	for i := range 100 {
		in := message(nil, `{}`)
		in.Client.ClientID = "c" + strconv.Itoa(i)
		rl.call(context.Background(), &in)
	}
	if rl.size() != 100 {
		t.Fatalf("buckets = %d, want 100", rl.size())
	}
	clock.t = clock.t.Add(2 * time.Minute)
	in := message(nil, `{}`)
	rl.call(context.Background(), &in)
	if rl.size() != 1 {
		t.Fatalf("buckets after an idle period = %d, want 1", rl.size())
	}
}

func TestRateLimitBoundedMemory(t *testing.T) {
	rl, _ := newTestRateLimit(t, 5, time.Hour, KeyClient)
	for i := range maxBuckets + 10 {
		in := message(nil, `{}`)
		in.Client.ClientID = strconv.Itoa(i)
		rl.call(context.Background(), &in)
	}
	if n := rl.size(); n > maxBuckets {
		t.Fatalf("buckets = %d, above the bound %d", n, maxBuckets)
	}
}
