package httpapi

import (
	"strings"
	"testing"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/transport/xano"
)

func TestBroadcastDelivery(t *testing.T) {
	node := newTestNode(t)
	srv := newAPI(t, Options{Node: node})
	anon := connect(t, node, "")
	alice := connect(t, node, "alice")
	bob := connect(t, node, "bob")
	for _, m := range []*member{anon, alice, bob} {
		m.join(t, "room:1")
	}
	xanoSock, err := node.Connect(t.Context(), channels.ConnectRequest{Dialect: xano.Dialect, Transport: &fakeTransport{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(xanoSock.Terminate)
	if _, err := xanoSock.Join(t.Context(), channels.JoinRequest{Topic: "room:1"}, nil); err != nil {
		t.Fatalf("xano join: %v", err)
	}
	xanoMember := &member{sock: xanoSock}
	all := []*member{anon, alice, bob, xanoMember}
	for _, m := range all {
		m.frames() // discard join traffic
	}

	tests := []struct {
		name string
		body string
		// want[i] is the frame member i must get ("" = nothing).
		want [4]string
	}{
		{"everyone", `{"channel":"room:1","event":"news","payload":{"x":1}}`, [4]string{
			`[null,null,"room:1","news",{"x":1}]`, `[null,null,"room:1","news",{"x":1}]`, `[null,null,"room:1","news",{"x":1}]`,
			`"action":"event"`}},
		{"default payload", `{"channel":"room:1","event":"ping"}`, [4]string{
			`[null,null,"room:1","ping",{}]`, `[null,null,"room:1","ping",{}]`, `[null,null,"room:1","ping",{}]`, `"payload":{"data":{}`}},
		{"non-object payload", `{"channel":"room:1","event":"n","payload":[1,"two"]}`, [4]string{
			`[null,null,"room:1","n",[1,"two"]]`, `[null,null,"room:1","n",[1,"two"]]`, `[null,null,"room:1","n",[1,"two"]]`, `"data":[1,"two"]`}},
		{"to user", `{"channel":"room:1","event":"dm","payload":{},"to":{"user_id":"alice"}}`, [4]string{
			"", `[null,null,"room:1","dm",{}]`, "", ""}},
		{"to client", `{"channel":"room:1","event":"dm","to":{"client_id":"` + bob.sock.ClientID() + `"}}`, [4]string{
			"", "", `[null,null,"room:1","dm",{}]`, ""}},
		{"to authenticated", `{"channel":"room:1","event":"auth","to":{"authenticated":true}}`, [4]string{
			"", `[null,null,"room:1","auth",{}]`, `[null,null,"room:1","auth",{}]`, ""}},
		// xano.dbo_id/row_id are Xano's auth_table/auth_id: only members authenticated against
		// that table (and row) receive the event (xano-realtime.md §6).
		{"xano auth filter", `{"channel":"room:1","event":"row","payload":{"id":7},"xano":{"dbo_id":12,"row_id":"r-9"}}`, [4]string{
			"", "", `[null,null,"room:1","row",{"id":7}]`, ""}},
		{"xano table filter", `{"channel":"room:1","event":"row","payload":{"id":7},"xano":{"dbo_id":12}}`, [4]string{
			"", "", `[null,null,"room:1","row",{"id":7}]`, ""}},
		{"xano ids of nobody", `{"channel":"room:1","event":"row","payload":{"id":7},"xano":{"dbo_id":99}}`, [4]string{
			"", "", "", ""}},
		{"xano zero ids mean none", `{"channel":"room:1","event":"row","payload":{"id":7},"xano":{"dbo_id":0,"row_id":0}}`, [4]string{
			`[null,null,"room:1","row",{"id":7}]`, `[null,null,"room:1","row",{"id":7}]`, `[null,null,"room:1","row",{"id":7}]`,
			`"dbo_id":0,"row_id":0`}},
		{"other channel", `{"channel":"room:2","event":"news"}`, [4]string{"", "", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := call(t, srv, "POST", "/api/broadcast", testKey, tt.body)
			if res.status != 202 || res.body["ok"] != true {
				t.Fatalf("status = %d body = %s", res.status, res.raw)
			}
			for i, m := range all {
				got := strings.Join(m.frames(), "\n")
				switch {
				case tt.want[i] == "" && got != "":
					t.Errorf("member %d got %s, want nothing", i, got)
				case !strings.Contains(got, tt.want[i]):
					t.Errorf("member %d got %q, want it to contain %q", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestBroadcastValidation(t *testing.T) {
	srv := newAPI(t, Options{Node: newTestNode(t)})
	tests := []struct {
		name, body, wantError string
	}{
		{"missing channel", `{"event":"e"}`, "channel"},
		{"invalid channel", `{"channel":"a//b","event":"e"}`, "invalid channel name"},
		{"control char channel", `{"channel":"a\u0001","event":"e"}`, "invalid channel name"},
		{"long channel", `{"channel":"` + strings.Repeat("c", 300) + `","event":"e"}`, "invalid channel name"},
		{"missing event", `{"channel":"room:1"}`, "event is required"},
		{"phx event", `{"channel":"room:1","event":"phx_reply"}`, "reserved"},
		{"phx prefix", `{"channel":"room:1","event":"phx_anything"}`, "reserved"},
		{"presence event", `{"channel":"room:1","event":"presence_diff"}`, "reserved"},
		{"long event", `{"channel":"room:1","event":"` + strings.Repeat("e", 256) + `"}`, "longer than"},
		{"two targets", `{"channel":"room:1","event":"e","to":{"user_id":"a","client_id":"b"}}`, "exactly one"},
		{"empty target", `{"channel":"room:1","event":"e","to":{}}`, "exactly one"},
		{"authenticated false", `{"channel":"room:1","event":"e","to":{"authenticated":false}}`, "exactly one"},
		{"xano id object", `{"channel":"room:1","event":"e","xano":{"dbo_id":{}}}`, "xano.dbo_id"},
		{"xano id bool", `{"channel":"room:1","event":"e","xano":{"row_id":true}}`, "xano.row_id"},
		{"bad payload", `{"channel":"room:1","event":"e","payload":{]}`, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := call(t, srv, "POST", "/api/broadcast", testKey, tt.body)
			if res.status != 400 {
				t.Fatalf("status = %d, want 400 (%s)", res.status, res.raw)
			}
			if got, _ := res.body["error"].(string); !strings.Contains(got, tt.wantError) {
				t.Errorf("error = %q, want it to contain %q", got, tt.wantError)
			}
		})
	}
}
