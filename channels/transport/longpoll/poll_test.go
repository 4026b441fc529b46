package longpoll

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phxserver/phxserver/channels"
)

const v2 = "vsn=2.0.0&" // the phoenix client's query, trailing "&" included

func TestCreateSession(t *testing.T) {
	tests := []struct {
		name       string
		query      string
		header     http.Header
		wantStatus int
		wantAuth   bool
	}{
		{name: "anonymous with trailing ampersand", query: "user_token=abc&vsn=2.0.0&", wantStatus: 410},
		{name: "auth token in the token param", query: "token=good&vsn=2.0.0&", wantStatus: 410, wantAuth: true},
		{name: "auth token in X-Phoenix-AuthToken", query: v2, header: http.Header{"X-Phoenix-AuthToken": {"good"}}, wantStatus: 410, wantAuth: true},
		{name: "header wins over param", query: "token=bad&" + v2, header: http.Header{"X-Phoenix-AuthToken": {"good"}}, wantStatus: 410, wantAuth: true},
		{name: "refused auth token", query: v2, header: http.Header{"X-Phoenix-AuthToken": {"bad"}}, wantStatus: 403},
		{name: "refused token param", query: "token=bad&" + v2, wantStatus: 403},
		{name: "unsupported vsn", query: "vsn=123.1.1&", wantStatus: 403},
		{name: "no vsn means V1", query: "", wantStatus: 410},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hd := newHarness(t, Config{Window: 50 * time.Millisecond})
			r := hd.do(http.MethodGet, tt.query, tt.header, "")
			if r.Status != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", r.Status, tt.wantStatus, r.raw)
			}
			assertCommonHeaders(t, r.header)
			if tt.wantStatus != 410 {
				if r.Token != nil || r.Messages != nil {
					t.Fatalf("refusal carries a token or messages: %s", r.raw)
				}
				if n := hd.node.Stats().Connections.Load(); n != 0 {
					t.Fatalf("refused session left %d connections", n)
				}
				return
			}
			if r.Token == nil || !strings.HasPrefix(*r.Token, tokenPrefix) || r.Messages == nil || len(r.Messages) != 0 {
				t.Fatalf("creation body = %s", r.raw)
			}
			var auth bool
			hd.node.EachSocket(func(s *channels.Socket) bool { auth = s.Identity().Authenticated; return true })
			if auth != tt.wantAuth || hd.h.Sessions() != 1 {
				t.Fatalf("authenticated = %v (want %v), sessions = %d", auth, tt.wantAuth, hd.h.Sessions())
			}
		})
	}
}

func assertCommonHeaders(t *testing.T, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Content-Type":                "application/json; charset=utf-8",
		"Cache-Control":               "no-store",
		"Access-Control-Allow-Origin": "*",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestPollAnswers(t *testing.T) {
	t.Run("204 with token after the window", func(t *testing.T) {
		hd := newHarness(t, Config{Window: 30 * time.Millisecond})
		c := hd.open(v2, nil)
		r := c.poll()
		if r.Status != 204 || r.Token == nil || *r.Token == "" || r.Messages == nil || len(r.Messages) != 0 {
			t.Fatalf("poll = %s", r.raw)
		}
		assertCommonHeaders(t, r.header)
	})
	t.Run("200 with the queued frames as strings", func(t *testing.T) {
		hd := newHarness(t, Config{Window: time.Second})
		c := hd.open(v2, nil)
		c.post(`["1","1","room:a","phx_join",{}]`)
		frames := c.collect(1)
		if str(frames[0][3]) != "phx_reply" || str(frames[0][1]) != "1" {
			t.Fatalf("first frame = %s", frames[0])
		}
	})
	t.Run("a held poll is answered when a frame is queued", func(t *testing.T) {
		hd := newHarness(t, Config{Window: 10 * time.Second})
		c := hd.open(v2, nil)
		c.join("room:wake")
		done := make(chan reply, 1)
		go func() { done <- c.hd.do(http.MethodGet, c.url(), nil, "") }()
		waitUntil(t, "the poll to be held", func() bool { return heldPolls(hd.h) == 1 })
		hd.node.Broadcast(context.Background(), channels.BroadcastRequest{Topic: "room:wake", Event: "news", Payload: json.RawMessage(`{"n":1}`)})
		r := <-done
		if r.Status != 200 || len(r.Messages) != 1 || !strings.Contains(r.texts(t)[0], `"news"`) {
			t.Fatalf("held poll = %s", r.raw)
		}
	})
	t.Run("a second poll answers the first with 204", func(t *testing.T) {
		hd := newHarness(t, Config{Window: 10 * time.Second})
		c := hd.open(v2, nil)
		first := make(chan reply, 1)
		go func() { first <- c.hd.do(http.MethodGet, c.url(), nil, "") }()
		waitUntil(t, "the first poll to be held", func() bool { return heldPolls(hd.h) == 1 })
		second := make(chan reply, 1)
		go func() { second <- c.hd.do(http.MethodGet, c.url(), nil, "") }()
		if r := <-first; r.Status != 204 || r.Token == nil {
			t.Fatalf("first poll = %s", r.raw)
		}
		sess := hd.h.lookup(c.token)
		sess.Close(channels.CloseGoingAway, "test") // releases the second poll
		if r := <-second; r.Status != 410 {
			t.Fatalf("second poll after Close = %s", r.raw)
		}
	})
	t.Run("session token in x-phoenix-longpoll-token", func(t *testing.T) {
		hd := newHarness(t, Config{Window: 20 * time.Millisecond})
		c := hd.open(v2, nil)
		r := hd.do(http.MethodGet, v2, http.Header{"X-Phoenix-Longpoll-Token": {c.token}}, "")
		if r.Status != 204 || r.Token == nil || *r.Token != c.token {
			t.Fatalf("poll with header token = %s", r.raw)
		}
	})
	t.Run("user token param before the session token", func(t *testing.T) {
		hd := newHarness(t, Config{Window: 20 * time.Millisecond})
		c := hd.open("token=good&"+v2, nil)
		if r := c.poll(); r.Status != 204 {
			t.Fatalf("poll = %s", r.raw)
		}
		if hd.h.Sessions() != 1 {
			t.Fatalf("sessions = %d, want 1", hd.h.Sessions())
		}
	})
}

// heldPolls counts sessions with a poll in flight.
func heldPolls(h *Handler) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, s := range h.sessions {
		s.mu.Lock()
		if s.waiter != nil {
			n++
		}
		s.mu.Unlock()
	}
	return n
}

func TestBadSessionTokens(t *testing.T) {
	hd := newHarness(t, Config{Window: 20 * time.Millisecond})
	other := newHarness(t, Config{Window: 20 * time.Millisecond})
	good := hd.open(v2, nil).token
	foreign := other.open(v2, nil).token
	tampered := good[:len(good)-2] + "xx"
	if strings.HasSuffix(good, "xx") {
		tampered = good[:len(good)-2] + "yy"
	}
	tests := []struct{ name, token string }{
		{"forged signature", tampered},
		{"other process", foreign},
		{"unknown session", hd.h.signer.sign(newSessionID())},
		{"prefix only", tokenPrefix + "garbage"},
		{"empty parts", tokenPrefix + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := v2 + "token=" + tt.token
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				r := hd.do(method, q, http.Header{"Content-Type": {ndjsonType}}, `["1","1","room:x","phx_join",{}]`)
				if r.Status != 410 {
					t.Fatalf("%s = %s, want 410", method, r.raw)
				}
				assertGoneToken(t, hd, method, r)
			}
		})
	}
	if hd.h.Sessions() != 1 {
		t.Fatalf("bad tokens created sessions: %d", hd.h.Sessions())
	}
}

func TestPreflightAndOrigin(t *testing.T) {
	hd := newHarness(t, Config{CheckOrigin: []string{"https://ok.example"}})
	t.Run("preflight", func(t *testing.T) {
		r := hd.do(http.MethodOptions, v2, http.Header{
			"Origin":                         {"https://ok.example"},
			"Access-Control-Request-Headers": {"x-phoenix-authtoken, content-type"},
		}, "")
		want := map[string]string{
			"Access-Control-Allow-Headers": "x-phoenix-authtoken, content-type",
			"Access-Control-Allow-Methods": "get, post, options",
			"Access-Control-Max-Age":       "3600",
			"Access-Control-Allow-Origin":  "*",
		}
		for k, v := range want {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
	})
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodOptions} {
		t.Run("refused origin "+method, func(t *testing.T) {
			r := hd.do(method, v2, http.Header{"Origin": {"https://evil.example"}}, "")
			if r.Status != 403 {
				t.Fatalf("status = %s", r.raw)
			}
		})
	}
	t.Run("other methods", func(t *testing.T) {
		r := hd.do(http.MethodPut, v2, nil, "")
		if r.Status != http.StatusMethodNotAllowed {
			t.Fatalf("PUT = %s", r.raw)
		}
	})
}

func TestCloseAndExpiry(t *testing.T) {
	t.Run("idle session expires and leaves presence", func(t *testing.T) {
		hd := newHarness(t, Config{Window: 20 * time.Millisecond, IdleTimeout: 60 * time.Millisecond})
		c := hd.open(v2, nil)
		c.post(`["1","1","room:idle","phx_join",{}]`)
		c.collectReply("1")
		waitUntil(t, "presence to list the member", func() bool { return hd.node.Tracker().Snapshot("room:idle").Len() == 1 })
		waitUntil(t, "the session to expire", func() bool {
			return hd.h.Sessions() == 0 && hd.node.Stats().Connections.Load() == 0
		})
		waitUntil(t, "presence to drop the member", func() bool { return hd.node.Tracker().Snapshot("room:idle").Len() == 0 })
		if r := c.poll(); r.Status != 410 {
			t.Fatalf("poll after expiry = %s", r.raw)
		} else {
			assertGoneToken(t, hd, http.MethodGet, r)
		}
		waitUntil(t, "the janitor to stop", func() bool {
			hd.h.mu.Lock()
			defer hd.h.mu.Unlock()
			return !hd.h.janitorOn
		})
	})
	t.Run("a polling session does not expire", func(t *testing.T) {
		hd := newHarness(t, Config{Window: 40 * time.Millisecond, IdleTimeout: 60 * time.Millisecond})
		c := hd.open(v2, nil)
		for range 5 {
			if r := c.poll(); r.Status != 204 {
				t.Fatalf("poll = %s", r.raw)
			}
		}
	})
	t.Run("Transport.Close answers the held poll with 410", func(t *testing.T) {
		hd := newHarness(t, Config{Window: 10 * time.Second})
		c := hd.open(v2, nil)
		done := make(chan reply, 1)
		go func() { done <- c.hd.do(http.MethodGet, c.url(), nil, "") }()
		waitUntil(t, "the poll to be held", func() bool { return heldPolls(hd.h) == 1 })
		drainCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hd.node.Drain(drainCtx, 10) // Disconnect(1012) on every socket, waits for Terminate
		if r := <-done; r.Status != 410 {
			t.Fatalf("held poll = %s", r.raw)
		} else {
			assertGoneToken(t, hd, http.MethodGet, r)
		}
		if n := hd.node.Stats().Connections.Load(); n != 0 {
			t.Fatalf("connections after drain = %d", n)
		}
		if r := hd.do(http.MethodPost, c.url(), http.Header{"Content-Type": {ndjsonType}}, `["1","1","phoenix","heartbeat",{}]`); r.Status != 410 {
			t.Fatalf("POST after close = %s", r.raw)
		}
		if r := hd.do(http.MethodGet, v2, nil, ""); r.Status != 500 {
			t.Fatalf("creation while draining = %s", r.raw)
		}
	})
	t.Run("Handler.Close ends sessions and refuses new ones", func(t *testing.T) {
		hd := newHarness(t, Config{Window: 10 * time.Second})
		c := hd.open(v2, nil)
		done := make(chan reply, 1)
		go func() { done <- c.hd.do(http.MethodGet, c.url(), nil, "") }()
		waitUntil(t, "the poll to be held", func() bool { return heldPolls(hd.h) == 1 })
		hd.h.Close()
		if r := <-done; r.Status != 410 {
			t.Fatalf("held poll = %s", r.raw)
		}
		if n := hd.node.Stats().Connections.Load(); n != 0 {
			t.Fatalf("connections = %d", n)
		}
		if r := hd.do(http.MethodGet, v2, nil, ""); r.Status != 500 {
			t.Fatalf("creation after Close = %s", r.raw)
		}
	})
}

// TestConcurrentPollAndPost posts batches while a poller collects: every reply arrives
// once and in order. Run with -race.
func TestConcurrentPollAndPost(t *testing.T) {
	hd := newHarness(t, Config{Window: time.Second})
	c := hd.open(v2, nil)
	c.join("room:order")
	const batches, perBatch = 20, 10
	query := c.url()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ref := 2
		for range batches {
			lines := make([]string, perBatch)
			for i := range lines {
				lines[i] = `["1","` + itoa(ref) + `","room:order","e",{}]`
				ref++
			}
			r := hd.postRaw(query, ndjsonType, strings.Join(lines, "\n"))
			if r.Status != 200 {
				t.Errorf("POST = %s", r.raw)
				return
			}
		}
	}()
	var refs []string
	for len(refs) < batches*perBatch {
		for _, f := range c.collect(1) {
			if str(f[3]) == "phx_reply" {
				refs = append(refs, str(f[1]))
			}
		}
	}
	wg.Wait()
	for i, ref := range refs {
		if ref != itoa(i+2) {
			t.Fatalf("reply %d has ref %s, want %d (refs %v)", i, ref, i+2, refs)
		}
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// assertGoneToken checks a 410: a GET carries a token (every GET response does, §7.14) that
// names no session; a POST answer carries none.
func assertGoneToken(t *testing.T, hd *harness, method string, r reply) {
	t.Helper()
	if method != http.MethodGet {
		if r.Token != nil {
			t.Fatalf("%s 410 carries a token: %s", method, r.raw)
		}
		return
	}
	if r.Token == nil || !isSessionToken(*r.Token) {
		t.Fatalf("GET 410 without a session-shaped token: %s", r.raw)
	}
	if hd.h.lookup(*r.Token) != nil {
		t.Fatalf("the 410's token names a live session: %s", r.raw)
	}
}
