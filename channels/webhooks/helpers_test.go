package webhooks

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/protocol"
)

const testSecret = "hook-secret"

// delivery is one request a collector received.
type delivery struct {
	body     Body
	raw      []byte
	sigError error
}

// collector is a webhook receiver: it answers statuses[i] to the i-th request (200 after the
// list), optionally sleeping first, and reports every request on got.
type collector struct {
	mu       sync.Mutex
	statuses []int
	sleeps   []time.Duration
	n        int
	got      chan delivery
}

func newCollector(t *testing.T, statuses ...int) (*collector, string) {
	t.Helper()
	c := &collector{statuses: statuses, got: make(chan delivery, 100)}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv.URL
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	i := c.n
	c.n++
	c.mu.Unlock()
	d := delivery{raw: raw, sigError: Verify([]byte(testSecret), r.Header.Get(SignatureHeader), raw, time.Now(), time.Minute)}
	_ = json.Unmarshal(raw, &d.body)
	c.got <- d
	if i < len(c.sleeps) && c.sleeps[i] > 0 {
		select {
		case <-time.After(c.sleeps[i]):
		case <-r.Context().Done():
			return
		}
	}
	status := http.StatusOK
	if i < len(c.statuses) {
		status = c.statuses[i]
	}
	w.WriteHeader(status)
}

// next waits for the next request (the test fails after a generous bound).
func (c *collector) next(t *testing.T) delivery {
	t.Helper()
	select {
	case d := <-c.got:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook request arrived")
		return delivery{}
	}
}

// startDispatcher runs d until the end of the test.
func startDispatcher(t *testing.T, opts Options) *Dispatcher {
	t.Helper()
	opts.Logger = zerolog.Nop()
	d, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = d.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return d
}

// waitCount polls a counter until it reaches want (synchronisation, not a timing assertion).
func waitCount(t *testing.T, what string, get func() int64, want int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for get() < want {
		if time.Now().After(deadline) {
			t.Fatalf("%s = %d, want %d", what, get(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := get(); got != want {
		t.Fatalf("%s = %d, want %d", what, got, want)
	}
}

// nopTransport discards frames.
type nopTransport struct{ sock *channels.Socket }

func (t *nopTransport) Wake() {
	if t.sock != nil {
		t.sock.Drain(nil)
	}
}
func (*nopTransport) Close(int, string) {}

// tokenAuth: an empty token is anonymous, any other token is that user.
type tokenAuth struct{}

func (tokenAuth) Authenticate(_ context.Context, token string) (channels.Identity, error) {
	if token == "" {
		return channels.Identity{}, nil
	}
	return channels.Identity{Authenticated: true, UserID: token, Role: "member", Shared: map[string]any{}}, nil
}

// newNode is a node with anonymous public chat on room/*.
func newNode(t *testing.T) *channels.Node {
	t.Helper()
	table, err := permissions.Compile([]permissions.SetSpec{{
		Pattern: "room/*", Active: true, Permissions: []string{"anonymous_clients", "client_public_messaging"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := channels.NewNode(channels.Options{Policy: table, Authenticator: tokenAuth{}, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func connect(t *testing.T, n *channels.Node, token string) *channels.Socket {
	t.Helper()
	tr := &nopTransport{}
	s, err := n.Connect(context.Background(), channels.ConnectRequest{Token: token, Dialect: channels.PhoenixDialect(protocol.V2JSON), Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	tr.sock = s
	t.Cleanup(s.Terminate)
	return s
}
