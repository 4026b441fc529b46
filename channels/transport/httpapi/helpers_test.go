package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/protocol"
)

const testKey = "test-api-key-0123456789"

// fakeAuth maps tokens to identities; any other non-empty token fails.
type fakeAuth map[string]channels.Identity

func (a fakeAuth) Authenticate(_ context.Context, token string) (channels.Identity, error) {
	if token == "" {
		return channels.Identity{}, nil
	}
	id, ok := a[token]
	if !ok {
		return channels.Identity{}, errors.New("token signature is invalid")
	}
	return id, nil
}

var testAuth = fakeAuth{
	"alice":     {Authenticated: true, UserID: "alice"},
	"alice2":    {Authenticated: true, UserID: "alice"},
	"bob":       {Authenticated: true, UserID: "bob", Role: "admin", XanoDboID: int64(12), XanoRowID: "r-9"},
	"scoped":    {Authenticated: true, UserID: "carol", AuthorizedChannels: []string{"room:1"}},
	"moderator": {Authenticated: true, UserID: "mod", Role: "moderator"},
}

// fakeTransport records the close of its socket.
type fakeTransport struct {
	mu     sync.Mutex
	closed []int
}

func (t *fakeTransport) Wake() {}

func (t *fakeTransport) Close(code int, _ string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = append(t.closed, code)
}

func (t *fakeTransport) closeCodes() []int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]int(nil), t.closed...)
}

// testSpecs are the seed's scenarios plus the conformance rooms.
var testSpecs = []permissions.SetSpec{
	{Pattern: "room:*", Active: true, Permissions: []string{"anonymous_clients", "client_public_messaging", "presence"}, History: 25, Origin: "test:1"},
	{Pattern: "public-chat", Active: true, Permissions: []string{"anonymous_clients", "client_public_messaging", "presence"}, Origin: "test:2", Description: "Scenario 1: anonymous chat"},
	{Pattern: "moderated-chat/*", Active: true, Permissions: []string{"anonymous_clients", "authenticated_only_public_messaging", "presence"}, Origin: "test:3"},
	{Pattern: "notifications/*", Active: true, Permissions: []string{"anonymous_clients", "presence"}, Origin: "test:4"},
	{Pattern: "team/*/workspace/*", Active: true, Permissions: []string{"authenticated_only_public_messaging", "authenticated_only_private_messaging", "presence"}, Origin: "test:5"},
	{Pattern: "support/session/*", Active: true, Permissions: []string{"authenticated_only_public_messaging", "authenticated_only_private_messaging"},
		Roles: map[string][]string{"moderator": {"authenticated_only_public_messaging", "client_authenticated_messaging"}}, Origin: "test:6"},
	{Pattern: "chatroom/*", Active: true, Permissions: []string{"anonymous_clients", "client_public_messaging", "presence"}, History: 10, Origin: "test:7"},
}

func newTestNode(t *testing.T) *channels.Node {
	t.Helper()
	table, err := permissions.Compile(testSpecs)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	node, err := channels.NewNode(channels.Options{Policy: table, Authenticator: testAuth, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	return node
}

// member is a connected Phoenix V2 socket with a fake transport.
type member struct {
	sock *channels.Socket
	tr   *fakeTransport
}

func connect(t *testing.T, node *channels.Node, token string) *member {
	t.Helper()
	tr := &fakeTransport{}
	s, err := node.Connect(t.Context(), channels.ConnectRequest{Token: token, Dialect: channels.PhoenixV2, Transport: tr})
	if err != nil {
		t.Fatalf("connect %q: %v", token, err)
	}
	t.Cleanup(s.Terminate)
	return &member{sock: s, tr: tr}
}

// join joins topic and checks the ok reply.
func (m *member) join(t *testing.T, topic string) {
	t.Helper()
	m.sock.HandlePhoenix(t.Context(), protocol.Message{JoinRef: "1", Ref: "1", Topic: topic, Event: "phx_join", Payload: json.RawMessage(`{}`)})
	for _, f := range m.frames() {
		if strings.Contains(f, `"phx_reply"`) && strings.Contains(f, `"status":"ok"`) {
			return
		}
	}
	t.Fatalf("join %s: no ok reply", topic)
}

// push sends a client message.
func (m *member) push(t *testing.T, topic, event, payload string) {
	t.Helper()
	m.sock.HandlePhoenix(t.Context(), protocol.Message{JoinRef: "1", Ref: "2", Topic: topic, Event: event, Payload: json.RawMessage(payload)})
}

// frames drains the socket's queued frames as text.
func (m *member) frames() []string {
	var out []string
	for _, f := range m.sock.Drain(nil) {
		out = append(out, string(f.Data))
	}
	return out
}

// newAPI serves a Handler over httptest.
func newAPI(t *testing.T, opts Options) *httptest.Server {
	t.Helper()
	if opts.Authenticator == nil {
		opts.Authenticator = testAuth
	}
	if opts.Keys == nil {
		opts.Keys = []string{"", testKey}
	}
	return serveAPI(t, opts)
}

// serveAPI serves New(opts) over httptest, without defaults.
func serveAPI(t *testing.T, opts Options) *httptest.Server {
	t.Helper()
	opts.Logger = zerolog.Nop()
	mux := http.NewServeMux()
	mux.Handle("/api/", New(opts))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// call sends one request; key "" sends no Authorization header.
func call(t *testing.T, srv *httptest.Server, method, path, key, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, rd)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %q", method, path, raw)
		}
	}
	return r
}
