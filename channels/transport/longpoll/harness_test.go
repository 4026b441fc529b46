package longpoll

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/protocol"
)

// stubAuth accepts "" (anonymous) and "good" (user u1); anything else is refused.
type stubAuth struct{}

func (stubAuth) Authenticate(_ context.Context, token string) (channels.Identity, error) {
	switch token {
	case "":
		return channels.Identity{}, nil
	case "good":
		return channels.Identity{Authenticated: true, UserID: "u1", Shared: map[string]any{}}, nil
	}
	return channels.Identity{}, errors.New("invalid token")
}

// harness is a node, a Handler and an httptest server, all stopped at cleanup (goleak-clean).
type harness struct {
	t    *testing.T
	node *channels.Node
	h    *Handler
	srv  *httptest.Server
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	table, err := permissions.Compile([]permissions.SetSpec{
		{Pattern: "room:*", Active: true, Permissions: []string{"anonymous_clients", "client_public_messaging", "presence"}},
		{Pattern: "members:*", Active: true, Permissions: []string{"authenticated_only_public_messaging"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	node, err := channels.NewNode(channels.Options{Policy: table, Authenticator: stubAuth{}, Logger: zerolog.Nop(),
		PresenceWindow: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = node.Run(ctx) }()
	hd := &harness{t: t, node: node, h: NewHandler(node, cfg)}
	hd.srv = httptest.NewServer(hd.h)
	t.Cleanup(func() {
		hd.h.Close()
		hd.srv.Close()
		cancel()
		<-done
	})
	return hd
}

// reply is a decoded LongPoll body; Messages stay raw so tests can check they are strings.
type reply struct {
	Status   int               `json:"status"`
	Token    *string           `json:"token"`
	Messages []json.RawMessage `json:"messages"`
	header   http.Header
	raw      string
}

// texts returns the messages as strings, failing when one is not a JSON string.
func (r reply) texts(t *testing.T) []string {
	t.Helper()
	out := make([]string, 0, len(r.Messages))
	for _, m := range r.Messages {
		var s string
		if err := json.Unmarshal(m, &s); err != nil {
			t.Fatalf("message %s is not a JSON string", m)
		}
		out = append(out, s)
	}
	return out
}

// do sends one request to the endpoint; query is appended verbatim after "?".
func (hd *harness) do(method, query string, header http.Header, payload string) reply {
	hd.t.Helper()
	req, err := http.NewRequest(method, hd.srv.URL+"/socket/longpoll?"+query, strings.NewReader(payload))
	if err != nil {
		hd.t.Fatal(err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := hd.srv.Client().Do(req)
	if err != nil {
		hd.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	r := reply{header: resp.Header, raw: string(data)}
	if method != http.MethodOptions || len(data) > 0 {
		if err := json.Unmarshal(data, &r); err != nil {
			hd.t.Fatalf("%s %s: body %q is not JSON: %v", method, query, data, err)
		}
	}
	return r
}

// client is one LongPoll session driven like the phoenix client does.
type client struct {
	hd    *harness
	query string // user params, e.g. "vsn=2.0.0&"
	token string
}

// open creates a session (first GET) and checks the 410 answer.
func (hd *harness) open(query string, header http.Header) *client {
	hd.t.Helper()
	r := hd.do(http.MethodGet, query, header, "")
	if r.Status != 410 || r.Token == nil || *r.Token == "" || r.Messages == nil {
		hd.t.Fatalf("session creation answered %s", r.raw)
	}
	return &client{hd: hd, query: query, token: *r.Token}
}

func (c *client) url() string { return c.query + "&token=" + url.QueryEscape(c.token) }

// poll sends one GET with the session token.
func (c *client) poll() reply {
	c.hd.t.Helper()
	r := c.hd.do(http.MethodGet, c.url(), nil, "")
	if r.Token != nil {
		c.token = *r.Token
	}
	return r
}

// post sends lines as one ndjson batch and expects {"status":200}.
func (c *client) post(lines ...string) {
	c.hd.t.Helper()
	r := c.hd.do(http.MethodPost, c.url(), http.Header{"Content-Type": {ndjsonType}}, strings.Join(lines, "\n"))
	if r.Status != 200 {
		c.hd.t.Fatalf("POST answered %s", r.raw)
	}
}

// collect polls until n frames arrived (each decoded as a V2 array) or fails after 5 s.
func (c *client) collect(n int) [][]json.RawMessage {
	c.hd.t.Helper()
	var frames [][]json.RawMessage
	deadline := time.Now().Add(5 * time.Second)
	for len(frames) < n {
		if time.Now().After(deadline) {
			c.hd.t.Fatalf("got %d of %d frames", len(frames), n)
		}
		r := c.poll()
		if r.Status != 200 && r.Status != 204 {
			c.hd.t.Fatalf("poll answered %s", r.raw)
		}
		for _, text := range r.texts(c.hd.t) {
			frames = append(frames, decodeFrame(c.hd.t, text))
		}
	}
	return frames
}

// collectReply polls until the phx_reply with ref arrives and returns its payload.
func (c *client) collectReply(ref string) map[string]any {
	c.hd.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, f := range c.collect(1) {
			if str(f[1]) == ref && str(f[3]) == "phx_reply" {
				var p map[string]any
				_ = json.Unmarshal(f[4], &p)
				return p
			}
		}
	}
	c.hd.t.Fatalf("no reply to ref %s", ref)
	return nil
}

func decodeFrame(t *testing.T, text string) []json.RawMessage {
	t.Helper()
	var f []json.RawMessage
	if err := json.Unmarshal([]byte(text), &f); err != nil || len(f) != 5 {
		t.Fatalf("message %q is not a V2 frame", text)
	}
	return f
}

// str decodes a JSON string field ("" for null).
func str(raw json.RawMessage) string {
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// fakeTransport lets a test attach a second, non-HTTP member to the node.
type fakeTransport struct {
	mu     sync.Mutex
	closed bool
}

func (f *fakeTransport) Wake() {}
func (f *fakeTransport) Close(int, string) {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
}

// member connects a core socket with a fake transport and joins topic.
func (hd *harness) member(topic string) *channels.Socket {
	hd.t.Helper()
	sock, err := hd.node.Connect(context.Background(), channels.ConnectRequest{
		Dialect: channels.PhoenixV2, Transport: &fakeTransport{},
	})
	if err != nil {
		hd.t.Fatal(err)
	}
	hd.t.Cleanup(sock.Terminate)
	sock.HandlePhoenix(context.Background(), protocol.Message{JoinRef: "1", Ref: "1", Topic: topic, Event: "phx_join", Payload: json.RawMessage(`{}`)})
	return sock
}

// waitUntil polls cond for up to 5 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// join posts a phx_join (join ref and ref "1", no presence tracking) and polls until the
// join reply and presence_state arrived, so that nothing else is queued afterwards.
func (c *client) join(topic string) {
	c.hd.t.Helper()
	c.post(`["1","1","` + topic + `","phx_join",{"presence":false}]`)
	var replied, state bool
	deadline := time.Now().Add(5 * time.Second)
	for !replied || !state {
		if time.Now().After(deadline) {
			c.hd.t.Fatalf("join of %s: reply %v, presence_state %v", topic, replied, state)
		}
		for _, f := range c.collect(1) {
			replied = replied || (str(f[3]) == "phx_reply" && str(f[1]) == "1")
			state = state || str(f[3]) == "presence_state"
		}
	}
}

// postRaw sends a POST without asserting anything; safe off the test goroutine.
func (hd *harness) postRaw(query, contentType, payload string) reply {
	req, err := http.NewRequest(http.MethodPost, hd.srv.URL+"/socket/longpoll?"+query, strings.NewReader(payload))
	if err != nil {
		return reply{raw: err.Error()}
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := hd.srv.Client().Do(req)
	if err != nil {
		return reply{raw: err.Error()}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	r := reply{header: resp.Header, raw: string(data)}
	_ = json.Unmarshal(data, &r)
	return r
}
