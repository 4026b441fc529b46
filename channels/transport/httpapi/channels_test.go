package httpapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestListChannels(t *testing.T) {
	node := newTestNode(t)
	srv := newAPI(t, Options{Node: node})
	res := call(t, srv, "GET", "/api/channels", testKey, "")
	if res.status != 200 || res.raw != "{\"channels\":[]}\n" {
		t.Fatalf("empty node: %d %s", res.status, res.raw)
	}
	a, b, c := connect(t, node, ""), connect(t, node, "alice"), connect(t, node, "bob")
	a.join(t, "room:2")
	b.join(t, "room:2")
	c.join(t, "room:2")
	a.join(t, "chatroom/1")
	c.join(t, "notifications/c")
	res = call(t, srv, "GET", "/api/channels", testKey, "")
	want := `{"channels":[{"channel":"chatroom/1","members":1,"presence":1},{"channel":"notifications/c","members":1,"presence":1},{"channel":"room:2","members":3,"presence":3}]}` + "\n"
	if res.raw != want {
		t.Errorf("got  %s\nwant %s", res.raw, want)
	}
}

func TestPresence(t *testing.T) {
	node := newTestNode(t)
	srv := newAPI(t, Options{Node: node})
	anon, alice := connect(t, node, ""), connect(t, node, "alice")
	anon.join(t, "chatroom/1")
	alice.join(t, "chatroom/1")
	tests := []struct {
		name, path string
		wantKeys   []string
	}{
		{"escaped slash", "/api/channels/chatroom%2F1/presence", []string{"alice", anon.sock.ClientID()}},
		{"raw slash", "/api/channels/chatroom/1/presence", []string{"alice", anon.sock.ClientID()}},
		{"empty channel", "/api/channels/room:9/presence", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := call(t, srv, "GET", tt.path, testKey, "")
			if res.status != 200 {
				t.Fatalf("status %d: %s", res.status, res.raw)
			}
			if len(res.body) != len(tt.wantKeys) {
				t.Fatalf("keys: got %s, want %v", res.raw, tt.wantKeys)
			}
			for _, k := range tt.wantKeys {
				entry, _ := res.body[k].(map[string]any)
				metas, _ := entry["metas"].([]any)
				if len(metas) != 1 {
					t.Errorf("key %s: metas %v", k, entry)
					continue
				}
				if meta, _ := metas[0].(map[string]any); meta["phx_ref"] == nil || meta["client_id"] == nil {
					t.Errorf("key %s: meta lacks phx_ref/client_id: %v", k, meta)
				}
			}
		})
	}
	res := call(t, srv, "GET", "/api/channels/a%2F%2Fb/presence", testKey, "")
	if res.status != 400 || !strings.Contains(res.raw, "invalid channel name") {
		t.Errorf("invalid name: %d %s", res.status, res.raw)
	}
}

func TestHistory(t *testing.T) {
	node := newTestNode(t)
	srv := newAPI(t, Options{Node: node})
	anon, bob := connect(t, node, ""), connect(t, node, "bob")
	anon.join(t, "chatroom/1")
	bob.join(t, "chatroom/1")
	for i := range 12 {
		m := anon
		if i%2 == 1 {
			m = bob
		}
		m.push(t, "chatroom/1", "msg", fmt.Sprintf(`{"n":%d}`, i))
	}
	type item struct {
		Seq     uint64          `json:"seq"`
		At      string          `json:"at"`
		Event   string          `json:"event"`
		Payload json.RawMessage `json:"payload"`
		Sender  map[string]any  `json:"sender"`
		Aud     string          `json:"audience"`
	}
	get := func(t *testing.T, path string) []item {
		res := call(t, srv, "GET", path, testKey, "")
		if res.status != 200 {
			t.Fatalf("%s: %d %s", path, res.status, res.raw)
		}
		var body struct{ History []item }
		if err := json.Unmarshal([]byte(res.raw), &body); err != nil {
			t.Fatal(err)
		}
		return body.History
	}
	tests := []struct {
		name, path string
		wantFirst  int // payload n of the oldest item
		wantLen    int
	}{
		{"all kept (history 10)", "/api/channels/chatroom%2F1/history", 2, 10},
		{"limit", "/api/channels/chatroom%2F1/history?limit=3", 9, 3},
		{"limit 0 = all", "/api/channels/chatroom/1/history?limit=0", 2, 10},
		{"no history", "/api/channels/room:1/history", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := get(t, tt.path)
			if len(items) != tt.wantLen {
				t.Fatalf("len = %d, want %d", len(items), tt.wantLen)
			}
			for i, it := range items {
				n := tt.wantFirst + i
				if string(it.Payload) != fmt.Sprintf(`{"n":%d}`, n) || it.Event != "msg" || it.Aud != "public" || it.At == "" {
					t.Errorf("item %d = %+v", i, it)
				}
				if i > 0 && it.Seq != items[i-1].Seq+1 {
					t.Errorf("seq not increasing: %d after %d", it.Seq, items[i-1].Seq)
				}
				wantUser := n%2 == 1
				if auth, _ := it.Sender["authenticated"].(bool); auth != wantUser || (wantUser && it.Sender["user_id"] != "bob") {
					t.Errorf("item %d sender = %v", i, it.Sender)
				}
			}
		})
	}
	for _, bad := range []string{"-1", "x", "10001", "1.5"} {
		t.Run("bad limit "+bad, func(t *testing.T) {
			res := call(t, srv, "GET", "/api/channels/chatroom%2F1/history?limit="+bad, testKey, "")
			if res.status != 400 || !strings.Contains(res.raw, "limit") {
				t.Errorf("%d %s", res.status, res.raw)
			}
		})
	}
}
