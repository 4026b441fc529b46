package httpapi

import (
	"slices"
	"strings"
	"testing"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/transport/xano"
)

func TestDisconnect(t *testing.T) {
	tests := []struct {
		name     string
		body     func(m map[string]*member) string
		want     float64
		closed   []string // members closed
		wantCode int
	}{
		{"by client id", func(m map[string]*member) string { return `{"client_id":"` + m["anon"].sock.ClientID() + `"}` }, 1, []string{"anon"}, channels.CloseGoingAway},
		{"by user id, every socket", func(map[string]*member) string { return `{"user_id":"alice"}` }, 2, []string{"alice", "alice2"}, channels.CloseGoingAway},
		{"no reconnect", func(map[string]*member) string { return `{"user_id":"bob","reconnect":false}` }, 1, []string{"bob"}, channels.ClosePolicy},
		{"explicit reconnect", func(map[string]*member) string { return `{"user_id":"bob","reconnect":true}` }, 1, []string{"bob"}, channels.CloseGoingAway},
		{"unknown user", func(map[string]*member) string { return `{"user_id":"nobody"}` }, 0, nil, 0},
		{"unknown client", func(map[string]*member) string { return `{"client_id":"nope"}` }, 0, nil, 0},
		{"anonymous client ids are not user ids", func(m map[string]*member) string { return `{"user_id":"` + m["anon"].sock.ClientID() + `"}` }, 0, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newTestNode(t)
			srv := newAPI(t, Options{Node: node})
			members := map[string]*member{}
			for _, tok := range []string{"anon", "alice", "alice2", "bob"} {
				token := tok
				if tok == "anon" {
					token = ""
				}
				members[tok] = connect(t, node, token)
			}
			res := call(t, srv, "POST", "/api/disconnect", testKey, tt.body(members))
			if res.status != 200 || res.body["disconnected"] != tt.want {
				t.Fatalf("got %d %s, want disconnected %v", res.status, res.raw, tt.want)
			}
			for name, m := range members {
				codes := m.tr.closeCodes()
				if slices.Contains(tt.closed, name) {
					if len(codes) != 1 || codes[0] != tt.wantCode {
						t.Errorf("%s closed with %v, want [%d]", name, codes, tt.wantCode)
					}
				} else if len(codes) != 0 {
					t.Errorf("%s closed with %v, want open", name, codes)
				}
			}
		})
	}
}

func TestDisconnectXanoCode(t *testing.T) {
	node := newTestNode(t)
	srv := newAPI(t, Options{Node: node})
	tr := &fakeTransport{}
	s, err := node.Connect(t.Context(), channels.ConnectRequest{Token: "alice", Dialect: xano.Dialect, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Terminate)
	res := call(t, srv, "POST", "/api/disconnect", testKey, `{"client_id":"`+s.ClientID()+`"}`)
	if res.status != 200 || res.body["disconnected"] != 1.0 {
		t.Fatalf("%d %s", res.status, res.raw)
	}
	if got := tr.closeCodes(); len(got) != 1 || got[0] != channels.CloseXanoReconnect {
		t.Errorf("close codes %v, want [4000]", got)
	}
}

func TestDisconnectValidation(t *testing.T) {
	srv := newAPI(t, Options{Node: newTestNode(t)})
	for _, body := range []string{`{}`, `{"client_id":"a","user_id":"b"}`, `{"reconnect":false}`, `{"user_id":"a","reconnect":"no"}`} {
		t.Run(body, func(t *testing.T) {
			res := call(t, srv, "POST", "/api/disconnect", testKey, body)
			if res.status != 400 || !strings.Contains(res.raw, "error") {
				t.Errorf("%d %s", res.status, res.raw)
			}
		})
	}
}
