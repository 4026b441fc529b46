package channels

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/protocol"
)

// stubAuth accepts tokens "user:<id>" and "user:<id>:<role>"; anything else is invalid.
type stubAuth struct{}

func (stubAuth) Authenticate(_ context.Context, token string) (Identity, error) {
	if token == "" {
		return Identity{}, nil
	}
	parts := strings.Split(token, ":")
	if len(parts) < 2 || parts[0] != "user" {
		return Identity{}, errors.New("malformed token")
	}
	id := Identity{Authenticated: true, UserID: parts[1], Shared: map[string]any{"name": "n" + parts[1]}}
	if len(parts) > 2 {
		id.Role = parts[2]
	}
	return id, nil
}

// fakeTransport records what the core asks of a connection.
type fakeTransport struct {
	mu     sync.Mutex
	wakes  int
	closed []int
}

func (f *fakeTransport) Wake() { f.mu.Lock(); f.wakes++; f.mu.Unlock() }
func (f *fakeTransport) Close(code int, _ string) {
	f.mu.Lock()
	f.closed = append(f.closed, code)
	f.mu.Unlock()
}
func (f *fakeTransport) closeCodes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.closed...)
}

var testSets = []permissions.SetSpec{
	{Pattern: "room:*", Active: true, Permissions: []string{"anonymous_clients", "client_public_messaging", "presence"}, History: 10},
	{Pattern: "members:*", Active: true, Permissions: []string{"authenticated_only_public_messaging"}},
	{Pattern: "dm:*", Active: true, Permissions: []string{"anonymous_clients", "client_private_messaging"}},
	{Pattern: "auth:*", Active: true, Permissions: []string{"anonymous_clients", "client_authenticated_messaging"}},
}

type testNode struct {
	*Node
	t      *testing.T
	cancel context.CancelFunc
	done   chan struct{}
}

func newTestNode(t *testing.T, limits Limits, sets ...permissions.SetSpec) *testNode {
	t.Helper()
	if len(sets) == 0 {
		sets = testSets
	}
	table, err := permissions.Compile(sets)
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewNode(Options{Policy: table, Authenticator: stubAuth{}, Limits: limits, PresenceWindow: 5 * time.Millisecond, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tn := &testNode{Node: n, t: t, cancel: cancel, done: make(chan struct{})}
	go func() { _ = n.Run(ctx); close(tn.done) }()
	t.Cleanup(func() { cancel(); <-tn.done })
	return tn
}

// client is a test-side Phoenix V2 client over a fake transport.
type client struct {
	t    *testing.T
	sock *Socket
	tr   *fakeTransport
	got  [][]any // decoded frames received so far
	ref  int
}

func (tn *testNode) connect(token string) *client {
	tn.t.Helper()
	tr := &fakeTransport{}
	s, err := tn.Connect(context.Background(), ConnectRequest{Token: token, Dialect: PhoenixV2, Transport: tr, TransportName: "test"})
	if err != nil {
		tn.t.Fatalf("connect: %v", err)
	}
	tn.t.Cleanup(s.Terminate)
	return &client{t: tn.t, sock: s, tr: tr}
}

// send decodes a V2 text frame and hands it to the socket, as the transport does.
func (c *client) send(frame string) {
	c.t.Helper()
	m, err := protocol.V2JSON.Decode([]byte(frame), false)
	if err != nil {
		c.t.Fatalf("decode %s: %v", frame, err)
	}
	c.sock.HandlePhoenix(context.Background(), m)
}

// frames drains the socket's queue and returns every frame received so far.
func (c *client) frames() [][]any {
	c.t.Helper()
	for _, f := range c.sock.Drain(nil) {
		var v []any
		if f.Binary {
			v = []any{"binary", f.Data}
		} else if err := json.Unmarshal(f.Data, &v); err != nil {
			c.t.Fatalf("server sent invalid JSON %q: %v", f.Data, err)
		}
		c.got = append(c.got, v)
	}
	return c.got
}

// take returns the frames received since the last take.
func (c *client) take() [][]any {
	all := c.frames()
	c.got = nil
	return all
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// jsonOf encodes v compactly for comparisons.
func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// findEvent returns the frames with that event name.
func findEvent(frames [][]any, event string) [][]any {
	var out [][]any
	for _, f := range frames {
		if len(f) == 5 && f[3] == event {
			out = append(out, f)
		}
	}
	return out
}

func mustCompile(t *testing.T, sets ...permissions.SetSpec) *permissions.Table {
	t.Helper()
	table, err := permissions.Compile(sets)
	if err != nil {
		t.Fatal(err)
	}
	return table
}
