package ws

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// tokenAuth accepts the token "good" as user 1.
type tokenAuth struct{}

func (tokenAuth) Authenticate(_ context.Context, token string) (channels.Identity, error) {
	switch token {
	case "":
		return channels.Identity{}, nil
	case "good":
		return channels.Identity{Authenticated: true, UserID: "1"}, nil
	}
	return channels.Identity{}, errors.New("invalid token")
}

func newServer(t *testing.T, cfg Config) (*httptest.Server, *channels.Node) {
	t.Helper()
	return newServerWithLimits(t, cfg, channels.Limits{})
}

// newServerWithLimits serves the Phoenix endpoint of a fresh node with room:* open to anyone.
func newServerWithLimits(t *testing.T, cfg Config, limits channels.Limits) (*httptest.Server, *channels.Node) {
	t.Helper()
	table, err := permissions.Compile([]permissions.SetSpec{
		{Pattern: "room:*", Active: true, Permissions: []string{"anonymous_clients", "client_public_messaging"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	node, err := channels.NewNode(channels.Options{Policy: table, Authenticator: tokenAuth{}, Logger: zerolog.Nop(), Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = node.Run(ctx); close(done) }()
	srv := httptest.NewServer(NewPhoenixHandler(node, cfg))
	t.Cleanup(func() {
		dctx, dcancel := context.WithTimeout(context.Background(), 2*time.Second)
		node.Drain(dctx, 100)
		dcancel()
		srv.Close()
		cancel()
		<-done
	})
	return srv, node
}

func wsURL(srv *httptest.Server, query string) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/?" + query
}

func TestUpgradeDecisions(t *testing.T) {
	bearer := "base64url.bearer.phx." + base64.RawStdEncoding.EncodeToString([]byte("good"))
	tests := []struct {
		name         string
		query        string
		protocols    []string
		origin       string
		wantStatus   int    // 0 = upgrade succeeds
		wantProtocol string // the subprotocol the server selected
	}{
		{"v2 anonymous", "vsn=2.0.0", nil, "", 0, ""},
		{"no vsn means V1", "", nil, "", 0, ""},
		{"unsupported vsn", "vsn=123.1.1", nil, "", http.StatusForbidden, ""},
		{"authToken answered with phoenix", "vsn=2.0.0", []string{"phoenix", bearer}, "", 0, "phoenix"},
		{"authToken in the URL alphabet", "vsn=2.0.0", []string{"phoenix", "base64url.bearer.phx." + base64.RawURLEncoding.EncodeToString([]byte("good"))}, "", 0, "phoenix"},
		{"invalid token refused", "vsn=2.0.0&token=bad", nil, "", http.StatusForbidden, ""},
		{"undecodable authToken refused", "vsn=2.0.0", []string{"phoenix", "base64url.bearer.phx.a"}, "", http.StatusForbidden, ""},
		{"empty authToken refused", "vsn=2.0.0", []string{"phoenix", "base64url.bearer.phx."}, "", http.StatusForbidden, ""},
		{"vsn 2.1.0 refused as Phoenix does", "vsn=2.1.0", nil, "", http.StatusForbidden, ""},
		{"params token, last value wins", "vsn=2.0.0&token=bad&token=good", nil, "", 0, ""},
		{"origin refused", "vsn=2.0.0", nil, "http://evil.example", http.StatusForbidden, ""},
		{"origin allowed", "vsn=2.0.0", nil, "http://app.example", 0, ""},
	}
	srv, _ := newServer(t, Config{CheckOrigin: []string{"http://app.example"}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := websocket.Dialer{Subprotocols: tt.protocols}
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			c, resp, err := d.Dial(wsURL(srv, tt.query), h)
			if tt.wantStatus != 0 {
				if err == nil || resp == nil || resp.StatusCode != tt.wantStatus {
					t.Fatalf("want HTTP %d, got err=%v resp=%v", tt.wantStatus, err, resp)
				}
				return
			}
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			defer c.Close()
			if got := c.Subprotocol(); got != tt.wantProtocol {
				t.Fatalf("subprotocol %q, want %q", got, tt.wantProtocol)
			}
		})
	}
}

func TestFramesOverTheWire(t *testing.T) {
	srv, _ := newServer(t, Config{MaxFrameBytes: 4096})
	c, _, err := websocket.DefaultDialer.Dial(wsURL(srv, "vsn=2.0.0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	exchange := func(send string) string {
		t.Helper()
		if err := c.WriteMessage(websocket.TextMessage, []byte(send)); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, data, err := c.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if got := exchange(`[null,"1","phoenix","heartbeat",{}]`); got != `[null,"1","phoenix","phx_reply",{"status":"ok","response":{}}]` {
		t.Fatalf("heartbeat reply %s", got)
	}
	if got := exchange(`["1","2","room:a",5,{}]`); !strings.Contains(got, `"status":"error"`) || !strings.HasPrefix(got, `["1","2","room:a","phx_reply"`) {
		t.Fatalf("malformed frame reply %s", got)
	}
	// The connection survives a malformed frame.
	if got := exchange(`[null,"3","phoenix","heartbeat",{}]`); !strings.Contains(got, `"3"`) {
		t.Fatalf("after malformed: %s", got)
	}
	// An oversized frame closes with 1009.
	if err := c.WriteMessage(websocket.TextMessage, []byte(`[null,"4","phoenix","heartbeat",{"x":"`+strings.Repeat("a", 5000)+`"}]`)); err != nil {
		t.Fatal(err)
	}
	_, _, err = c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("oversized frame: %v", err)
	}
}

func TestDrainClosesWith1012(t *testing.T) {
	srv, node := newServer(t, Config{})
	c, _, err := websocket.DefaultDialer.Dial(wsURL(srv, "vsn=2.0.0"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		node.Drain(ctx, 10)
	}()
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, _, err = c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != channels.CloseServiceRestart {
		t.Fatalf("drain close: %v", err)
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header string
		want   string
		ok     bool
	}{
		{"phoenix, base64url.bearer.phx.c2VjcmV0LXRva2Vu", "secret-token", true},
		{"phoenix, base64url.bearer.phx.c2VjcmV0LXRva2Vu==", "secret-token", true},
		{"phoenix", "", false},
		{"phoenix, base64url.bearer.phx.!!!", "", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Sec-WebSocket-Protocol", tt.header)
		got, ok := BearerToken(r)
		if got != tt.want || ok != tt.ok {
			t.Errorf("BearerToken(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}
