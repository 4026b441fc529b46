package xano

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/presence"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// wireFrame is the decoded shape of a server → client Xano frame.
type wireFrame struct {
	Action  string          `json:"action"`
	Client  json.RawMessage `json:"client"`
	Options map[string]any  `json:"options"`
	Payload json.RawMessage `json:"payload"`
}

func decodeFrame(t *testing.T, b []byte) wireFrame {
	t.Helper()
	var f wireFrame
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("frame is not JSON: %v: %s", err, b)
	}
	return f
}

func entry(conn, extra string) presence.Entry {
	e := presence.Entry{Key: conn, ConnID: conn}
	if extra != "" {
		e.Extra = json.RawMessage(extra)
	}
	return e
}

func TestPresenceUpdates(t *testing.T) {
	const annJSON = `{"socketId":"ann","extras":{},"permissions":{"dbo_id":0,"row_id":0}}`
	// summary is one frame as "<presence action> <socketId> skip=<SkipClient>".
	type summary struct{ Action, SocketID, Skip string }
	tests := []struct {
		name string
		diff presence.Diff
		want []summary
	}{
		{name: "join is not sent to the joiner", diff: presence.Diff{Joins: []presence.Entry{entry("ann", annJSON)}},
			want: []summary{{"join", "ann", "ann"}}},
		{name: "leave goes to everyone", diff: presence.Diff{Leaves: []presence.Entry{entry("ann", annJSON)}},
			want: []summary{{"leave", "ann", ""}}},
		{name: "meta update of one connection is not announced",
			diff: presence.Diff{Joins: []presence.Entry{entry("ann", annJSON)}, Leaves: []presence.Entry{entry("ann", annJSON)}},
			want: []summary{}},
		{name: "joins before leaves, other connections kept",
			diff: presence.Diff{Joins: []presence.Entry{entry("bob", "")}, Leaves: []presence.Entry{entry("ann", annJSON)}},
			want: []summary{{"join", "bob", "bob"}, {"leave", "ann", ""}}},
		{name: "invalid extra falls back to the connection id",
			diff: presence.Diff{Joins: []presence.Entry{entry("cat", `{"broken"`)}},
			want: []summary{{"join", "cat", "cat"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := presenceUpdates("chat/1", &tt.diff)
			got := make([]summary, 0, len(out))
			for _, of := range out {
				f := decodeFrame(t, of.Data)
				if f.Action != "presence_update" || f.Options["channel"] != "chat/1" {
					t.Fatalf("unexpected frame %s", of.Data)
				}
				var p struct {
					Action   string `json:"action"`
					Presence struct {
						SocketID string `json:"socketId"`
					} `json:"presence"`
				}
				if err := json.Unmarshal(f.Payload, &p); err != nil {
					t.Fatalf("payload: %v", err)
				}
				got = append(got, summary{p.Action, p.Presence.SocketID, of.SkipClient})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("frames (-want +got):\n%s", diff)
			}
		})
	}
}

func clientEvent(sender, text string, audience permissions.Audience, target string) channels.StoredEvent {
	return channels.StoredEvent{Event: &channels.Event{
		Kind: channels.EventClient, Topic: "chat/1", Name: "message",
		Payload:  json.RawMessage(`{"text":"` + text + `"}`),
		Sender:   &channels.Sender{ClientID: sender, XanoJSON: []byte(`{"socketId":"` + sender + `","extras":{},"permissions":{"dbo_id":0,"row_id":0}}`)},
		Audience: audience, TargetClient: target,
	}}
}

func TestHistoryFrame(t *testing.T) {
	binary := clientEvent("ann", "bin", permissions.AudiencePublic, "")
	binary.Event.Payload, binary.Event.Binary = nil, []byte{1}
	serverEvent := channels.StoredEvent{Event: &channels.Event{Kind: channels.EventServer, Topic: "chat/1", Payload: json.RawMessage(`{}`)}}
	items := []channels.StoredEvent{
		clientEvent("ann", "one", permissions.AudiencePublic, ""),
		binary,
		serverEvent,
		clientEvent("bob", "two", permissions.AudienceAuthenticated, ""),
		clientEvent("ann", "three", permissions.AudiencePublic, ""),
	}
	tests := []struct {
		name       string
		fromSocket string
		want       []string
	}{
		{name: "channel history keeps order, skips binary and sender-less", want: []string{"one", "two", "three"}},
		{name: "presence client history keeps that sender only", fromSocket: "ann", want: []string{"one", "three"}},
		{name: "unknown sender gives an empty list", fromSocket: "nobody", want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := decodeFrame(t, historyFrame("chat/1", items, tt.fromSocket))
			if f.Action != "history" || f.Options["channel"] != "chat/1" {
				t.Fatalf("unexpected frame %+v", f)
			}
			var p struct {
				History []wireFrame `json:"history"`
			}
			if err := json.Unmarshal(f.Payload, &p); err != nil {
				t.Fatalf("payload: %v", err)
			}
			if p.History == nil {
				t.Fatalf("history must be an array, got %s", f.Payload)
			}
			got := make([]string, 0, len(p.History))
			for _, item := range p.History {
				var body struct {
					Text string `json:"text"`
				}
				if err := json.Unmarshal(item.Payload, &body); err != nil || item.Action != "message" {
					t.Fatalf("history item %+v: %v", item, err)
				}
				got = append(got, body.Text)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncodeEventNonMessageName(t *testing.T) {
	ev := clientEvent("ann", "hi", permissions.AudiencePublic, "")
	ev.Event.Name = "typing"
	out := Dialect.EncodeEvent(ev.Event)
	if len(out) != 1 {
		t.Fatalf("want one frame, got %d", len(out))
	}
	f := decodeFrame(t, out[0].Data)
	if f.Action != "message" || f.Options["event"] != "typing" || f.Options["channel"] != "chat/1" {
		t.Errorf("a Phoenix event other than message keeps its name in options.event: %s", out[0].Data)
	}
}
