package channels_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/auth"
	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/protocol"
)

// Join benchmarks: connect with an HS256 JWT verified by the real auth.Verifier, then a Phoenix
// phx_join through Socket.HandlePhoenix, then the socket's end (so the node stays at a steady
// size). Run on one core to read joins/s per core:
//
//	go test -run '^$' -bench Join -benchmem -cpu 1 ./channels/

const joinSecret = "bench-secret-0123456789abcdef-0123456789"

// joinSets: anonymous rooms with presence, authenticated-only rooms with presence, and
// anonymous topics without presence.
var joinSets = []permissions.SetSpec{
	{Pattern: "room:*", Active: true, Permissions: []string{"anonymous_clients", "client_public_messaging", "presence"}},
	{Pattern: "members:*", Active: true, Permissions: []string{"authenticated_only_public_messaging", "presence"}},
	{Pattern: "load:*", Active: true, Permissions: []string{"anonymous_clients", "client_public_messaging"}},
}

// joinTokenPool is larger than the verifier's cache (4096 entries, random eviction), so most
// joins pay a full signature check, as distinct users do.
const joinTokenPool = 1 << 16

type joinBench struct {
	node   *channels.Node
	cancel context.CancelFunc
	done   chan struct{}
}

func newJoinBench(tb testing.TB) *joinBench {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	verifier, err := auth.New(ctx, auth.Config{Algorithms: []string{"HS256"}, Secret: joinSecret}, zerolog.Nop())
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	table, err := permissions.Compile(joinSets)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	n, err := channels.NewNode(channels.Options{Policy: table, Authenticator: verifier, Logger: zerolog.Nop()})
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	jb := &joinBench{node: n, cancel: cancel, done: make(chan struct{})}
	go func() { _ = n.Run(ctx); close(jb.done) }()
	tb.Cleanup(func() { cancel(); <-jb.done })
	return jb
}

// signTokens mints count distinct tokens (sub, name, iat, exp), as an application would.
func signTokens(tb testing.TB, count int) []string {
	tb.Helper()
	now := time.Now()
	out := make([]string, count)
	for i := range out {
		claims := jwt.MapClaims{"sub": fmt.Sprint(i + 1), "name": fmt.Sprintf("user %d", i+1),
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(joinSecret))
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = s
	}
	return out
}

// joinOnce connects with token, joins topic, and returns the socket (still connected).
func (jb *joinBench) joinOnce(ctx context.Context, tr *drainTransport, token, topic string) (*channels.Socket, error) {
	s, err := jb.node.Connect(ctx, channels.ConnectRequest{Token: token, Dialect: channels.PhoenixV2, Transport: tr, TransportName: "bench"})
	if err != nil {
		return nil, err
	}
	tr.sock.Store(s)
	s.HandlePhoenix(ctx, protocol.Message{JoinRef: "1", Ref: "1", Topic: topic, Event: "phx_join", Payload: []byte(`{}`)})
	return s, nil
}

// BenchmarkJoin reports joins/s: connect (JWT) + phx_join (permissions, presence) + end.
func BenchmarkJoin(b *testing.B) {
	tokens := signTokens(b, joinTokenPool)
	cases := []struct {
		name   string
		topic  string
		tokens []string // nil = anonymous
	}{
		{"jwt/presence", "room:lobby", tokens},
		{"jwt/authenticated-only/presence", "members:lobby", tokens},
		{"jwt/no-presence", "load:lobby", tokens},
		{"jwt-cached/presence", "room:lobby", tokens[:1]},
		{"anonymous/presence", "room:lobby", nil},
		{"anonymous/no-presence", "load:lobby", nil},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			jb := newJoinBench(b)
			ctx := context.Background()
			joins0 := jb.node.Stats().Joins.Load()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				token := ""
				if tc.tokens != nil {
					token = tc.tokens[i%len(tc.tokens)]
				}
				i++
				s, err := jb.joinOnce(ctx, &drainTransport{}, token, tc.topic)
				if err != nil {
					b.Fatal(err)
				}
				s.Terminate()
			}
			if joined := jb.node.Stats().Joins.Load() - joins0; joined != uint64(b.N) {
				b.Fatalf("%d of %d joins succeeded", joined, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "joins/s")
		})
	}
}

// TestJoinHarness checks that the benchmark's joins do what they claim: JWT members are
// admitted where the rules say so and anonymous ones are refused from authenticated-only sets.
func TestJoinHarness(t *testing.T) {
	tokens := signTokens(t, 2)
	tests := []struct {
		name   string
		token  string
		topic  string
		status string
	}{
		{"jwt joins presence room", tokens[0], "room:a", `"status":"ok"`},
		{"jwt joins authenticated-only room", tokens[1], "members:a", `"status":"ok"`},
		{"anonymous refused from authenticated-only room", "", "members:a", `"status":"error"`},
		{"anonymous joins no-presence topic", "", "load:a", `"status":"ok"`},
	}
	jb := newJoinBench(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &drainTransport{record: true}
			s, err := jb.joinOnce(context.Background(), tr, tt.token, tt.topic)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Terminate()
			if len(tr.got) == 0 || !strings.Contains(tr.got[0], tt.status) {
				t.Errorf("join reply %q, want one containing %s", tr.got, tt.status)
			}
		})
	}
	t.Run("bad signature refused at connect", func(t *testing.T) {
		bad := tokens[0][:len(tokens[0])-2] + "xx"
		if s, err := jb.joinOnce(context.Background(), &drainTransport{}, bad, "room:a"); err == nil {
			s.Terminate()
			t.Error("a token with a bad signature connected")
		}
	})
}
