package xano

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	anon  = Client{SocketID: "s_8f2c"}
	jill  = Client{SocketID: "s_91aa", Extras: map[string]any{"name": "Jill"}, DboID: int64(123), RowID: int64(7)}
	plain = Client{SocketID: "s_91aa", DboID: int64(123), RowID: int64(7)}
)

// sameJSON reports a diff between two JSON texts after decoding, so key order and
// whitespace do not matter (the reference pretty-prints some frames).
func sameJSON(t *testing.T, want string, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("reference frame is not JSON: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("encoded frame is not JSON: %v\n%s", err, got)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("frame differs from the reference (-want +got):\n%s", diff)
	}
}

func TestEncodersGolden(t *testing.T) {
	history := []json.RawMessage{
		EncodeMessage("chatroom/1", anon, false, "", json.RawMessage(`{"text":"first"}`)),
		EncodeMessage("chatroom/1", plain, false, "", json.RawMessage(`{"text":"second"}`)),
	}
	tests := []struct {
		name string
		got  []byte
		// exact is our byte-exact output (fixed key order: action, client, options, payload).
		exact string
		// reference is the frame as printed in xano-realtime.md §4.3; "" when it has none.
		reference string
	}{
		{
			name:  "public message",
			got:   EncodeMessage("chatroom/1", anon, false, "", json.RawMessage(`{"text":"hi"}`)),
			exact: `{"action":"message","client":{"socketId":"s_8f2c","extras":{},"permissions":{"dbo_id":0,"row_id":0}},"options":{"channel":"chatroom/1","authenticated":false,"socketId":null},"payload":{"text":"hi"}}`,
			reference: `{"action":"message",
 "client":{"socketId":"s_8f2c","extras":{},"permissions":{"dbo_id":0,"row_id":0}},
 "options":{"channel":"chatroom/1","authenticated":false,"socketId":null},
 "payload":{"text":"hi"}}`,
		},
		{
			name:  "authenticated message",
			got:   EncodeMessage("chatroom/1", jill, true, "", json.RawMessage(`"Hello World!"`)),
			exact: `{"action":"message","client":{"socketId":"s_91aa","extras":{"name":"Jill"},"permissions":{"dbo_id":123,"row_id":7}},"options":{"channel":"chatroom/1","authenticated":true,"socketId":null},"payload":"Hello World!"}`,
		},
		{
			name:  "private message",
			got:   EncodeMessage("chatroom/1", anon, false, "s_91aa", json.RawMessage(`{"text":"psst"}`)),
			exact: `{"action":"message","client":{"socketId":"s_8f2c","extras":{},"permissions":{"dbo_id":0,"row_id":0}},"options":{"channel":"chatroom/1","authenticated":false,"socketId":"s_91aa"},"payload":{"text":"psst"}}`,
		},
		{
			name:  "message with nil payload",
			got:   EncodeMessage("a", anon, false, "", nil),
			exact: `{"action":"message","client":{"socketId":"s_8f2c","extras":{},"permissions":{"dbo_id":0,"row_id":0}},"options":{"channel":"a","authenticated":false,"socketId":null},"payload":null}`,
		},
		{
			name:  "message event",
			got:   EncodeMessageEvent("room:lobby", "typing", anon, false, "", json.RawMessage(`{"on":true}`)),
			exact: `{"action":"message","client":{"socketId":"s_8f2c","extras":{},"permissions":{"dbo_id":0,"row_id":0}},"options":{"channel":"room:lobby","authenticated":false,"socketId":null,"event":"typing"},"payload":{"on":true}}`,
		},
		{
			name:  "presence_full",
			got:   EncodePresenceFull("chatroom/1", []Client{anon, jill}),
			exact: `{"action":"presence_full","client":null,"options":{"channel":"chatroom/1"},"payload":{"presence":[{"socketId":"s_8f2c","extras":{},"permissions":{"dbo_id":0,"row_id":0}},{"socketId":"s_91aa","extras":{"name":"Jill"},"permissions":{"dbo_id":123,"row_id":7}}]}}`,
			reference: `{"action":"presence_full","client":null,"options":{"channel":"chatroom/1"},
 "payload":{"presence":[
   {"socketId":"s_8f2c","extras":{},"permissions":{"dbo_id":0,"row_id":0}},
   {"socketId":"s_91aa","extras":{"name":"Jill"},"permissions":{"dbo_id":123,"row_id":7}}]}}`,
		},
		{
			name:  "presence_full empty",
			got:   EncodePresenceFull("chatroom/1", nil),
			exact: `{"action":"presence_full","client":null,"options":{"channel":"chatroom/1"},"payload":{"presence":[]}}`,
		},
		{
			name:  "presence_update join",
			got:   EncodePresenceUpdate("chatroom/1", ActionJoin, plain),
			exact: `{"action":"presence_update","client":null,"options":{"channel":"chatroom/1"},"payload":{"action":"join","presence":{"socketId":"s_91aa","extras":{},"permissions":{"dbo_id":123,"row_id":7}}}}`,
			reference: `{"action":"presence_update","client":null,"options":{"channel":"chatroom/1"},
 "payload":{"action":"join","presence":{"socketId":"s_91aa","extras":{},"permissions":{"dbo_id":123,"row_id":7}}}}`,
		},
		{
			name:  "presence_update leave",
			got:   EncodePresenceUpdate("chatroom/1", ActionLeave, plain),
			exact: `{"action":"presence_update","client":null,"options":{"channel":"chatroom/1"},"payload":{"action":"leave","presence":{"socketId":"s_91aa","extras":{},"permissions":{"dbo_id":123,"row_id":7}}}}`,
			reference: `{"action":"presence_update","client":null,"options":{"channel":"chatroom/1"},
 "payload":{"action":"leave","presence":{"socketId":"s_91aa","extras":{},"permissions":{"dbo_id":123,"row_id":7}}}}`,
		},
		{
			name:  "history",
			got:   EncodeHistory("chatroom/1", history),
			exact: `{"action":"history","client":null,"options":{"channel":"chatroom/1"},"payload":{"history":[{"action":"message","client":{"socketId":"s_8f2c","extras":{},"permissions":{"dbo_id":0,"row_id":0}},"options":{"channel":"chatroom/1","authenticated":false,"socketId":null},"payload":{"text":"first"}},{"action":"message","client":{"socketId":"s_91aa","extras":{},"permissions":{"dbo_id":123,"row_id":7}},"options":{"channel":"chatroom/1","authenticated":false,"socketId":null},"payload":{"text":"second"}}]}}`,
			reference: `{"action":"history","client":null,"options":{"channel":"chatroom/1"},
 "payload":{"history":[
   {"action":"message","client":{"socketId":"s_8f2c","extras":{},"permissions":{"dbo_id":0,"row_id":0}},
    "options":{"channel":"chatroom/1","authenticated":false,"socketId":null},"payload":{"text":"first"}},
   {"action":"message","client":{"socketId":"s_91aa","extras":{},"permissions":{"dbo_id":123,"row_id":7}},
    "options":{"channel":"chatroom/1","authenticated":false,"socketId":null},"payload":{"text":"second"}}]}}`,
		},
		{
			name:  "history empty",
			got:   EncodeHistory("chatroom/1", nil),
			exact: `{"action":"history","client":null,"options":{"channel":"chatroom/1"},"payload":{"history":[]}}`,
		},
		{
			name:  "event",
			got:   EncodeEvent("orders", json.RawMessage(`{"order_id":55,"status":"shipped"}`), nil, nil),
			exact: `{"action":"event","client":null,"options":{"channel":"orders"},"payload":{"data":{"order_id":55,"status":"shipped"},"dbo_id":0,"row_id":0}}`,
			reference: `{"action":"event","client":null,"options":{"channel":"orders"},
 "payload":{"data":{"order_id":55,"status":"shipped"},"dbo_id":0,"row_id":0}}`,
		},
		{
			name:  "event for one user",
			got:   EncodeEvent("user:9", json.RawMessage(`{"type":"notification"}`), int64(12), "0b6c2f6e-1d1e-4a52-9a43-7f0e5f1c2d3b"),
			exact: `{"action":"event","client":null,"options":{"channel":"user:9"},"payload":{"data":{"type":"notification"},"dbo_id":12,"row_id":"0b6c2f6e-1d1e-4a52-9a43-7f0e5f1c2d3b"}}`,
		},
		{
			name:  "error",
			got:   EncodeError("chatroom/1", "Anonymous clients cannot join this channel."),
			exact: `{"action":"error","client":null,"options":{"channel":"chatroom/1"},"payload":{"message":"Anonymous clients cannot join this channel."}}`,
			reference: `{"action":"error","client":null,"options":{"channel":"chatroom/1"},
 "payload":{"message":"Anonymous clients cannot join this channel."}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if string(tt.got) != tt.exact {
				t.Errorf("frame mismatch\n got: %s\nwant: %s", tt.got, tt.exact)
			}
			if tt.reference != "" {
				sameJSON(t, tt.reference, tt.got)
			}
			if bytes.Contains(tt.got, []byte("connection_status")) {
				t.Errorf("frame mentions connection_status: %s", tt.got)
			}
		})
	}
}

func TestClientAppendJSON(t *testing.T) {
	tests := []struct {
		name   string
		client Client
		want   string
	}{
		{"anonymous", Client{SocketID: "s1"}, `{"socketId":"s1","extras":{},"permissions":{"dbo_id":0,"row_id":0}}`},
		{"empty extras map", Client{SocketID: "s1", Extras: map[string]any{}}, `{"socketId":"s1","extras":{},"permissions":{"dbo_id":0,"row_id":0}}`},
		{"sorted nested extras", Client{SocketID: "s1", Extras: map[string]any{
			"z": []any{1.5, "x", nil, true}, "a": map[string]any{"y": int64(-3), "b": false}, "m": json.Number("12"),
		}, DboID: float64(5), RowID: int64(9)},
			`{"socketId":"s1","extras":{"a":{"b":false,"y":-3},"m":12,"z":[1.5,"x",null,true]},"permissions":{"dbo_id":5,"row_id":9}}`},
		{"floats like JavaScript", Client{Extras: map[string]any{"big": 1e21, "small": 1e-7, "mid": 123456.789, "nan": math.NaN(), "inf": math.Inf(-1), "f32": float32(0.1)}},
			`{"socketId":"","extras":{"big":1e+21,"f32":0.1,"inf":null,"mid":123456.789,"nan":null,"small":1e-7},"permissions":{"dbo_id":0,"row_id":0}}`},
		{"string ids", Client{SocketID: "s", DboID: "users", RowID: "0b6c2f6e"}, `{"socketId":"s","extras":{},"permissions":{"dbo_id":"users","row_id":"0b6c2f6e"}}`},
		{"unsupported or non-finite ids are 0", Client{SocketID: "s", DboID: true, RowID: math.NaN()}, `{"socketId":"s","extras":{},"permissions":{"dbo_id":0,"row_id":0}}`},
		{"bad json.Number is a string", Client{SocketID: "s", RowID: json.Number("12abc")}, `{"socketId":"s","extras":{},"permissions":{"dbo_id":0,"row_id":"12abc"}}`},
		{"other extras types via encoding/json", Client{SocketID: "s", Extras: map[string]any{"roles": []string{"a", "b"}, "bad": func() {}, "raw": json.RawMessage(`{"k":1}`), "badraw": json.RawMessage(`{`)}},
			`{"socketId":"s","extras":{"bad":null,"badraw":null,"raw":{"k":1},"roles":["a","b"]},"permissions":{"dbo_id":0,"row_id":0}}`},
		{"escaped strings", Client{SocketID: "a\"b\\c\n\x01\u2028\xff", Extras: map[string]any{"k\t": "é<>&"}},
			`{"socketId":"a\"b\\c\n\u0001\u2028\ufffd","extras":{"k\t":"é<>&"},"permissions":{"dbo_id":0,"row_id":0}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.client.AppendJSON([]byte("prefix:"))
			if string(got) != "prefix:"+tt.want {
				t.Errorf("AppendJSON\n got: %s\nwant: prefix:%s", got, tt.want)
			}
			if !json.Valid(got[len("prefix:"):]) {
				t.Errorf("AppendJSON produced invalid JSON: %s", got)
			}
		})
	}
}

func TestClientSelfReferencingExtras(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	got := Client{SocketID: "s", Extras: cyclic}.AppendJSON(nil)
	if !json.Valid(got) {
		t.Fatalf("cyclic extras produced invalid JSON: %s", got)
	}
}

func TestAppendString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "chatroom/1", `"chatroom/1"`},
		{"empty", "", `""`},
		{"quotes and backslash", `a"b\c`, `"a\"b\\c"`},
		{"short escapes", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"other controls", "\x00\x1f\x7f", `"\u0000\u001f` + "\x7f" + `"`},
		{"multibyte kept", "日本語 ✓ 😀", `"日本語 ✓ 😀"`},
		{"line separators escaped", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"invalid utf-8 replaced per byte", "a\xc3\x28\xff", `"a\ufffd(\ufffd"`},
		{"truncated rune at end", "ok\xe6\x97", `"ok\ufffd\ufffd"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := appendString(nil, tt.in)
			if string(got) != tt.want {
				t.Errorf("appendString(%q) = %s, want %s", tt.in, got, tt.want)
			}
			var back string
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("output is not a JSON string: %v", err)
			}
			if want := string([]rune(tt.in)); back != want {
				t.Errorf("round trip = %q, want %q", back, want)
			}
		})
	}
}

func TestAppendPresenceFullAppends(t *testing.T) {
	dst := []byte("[")
	got := AppendPresenceFull(dst, "c", []Client{{SocketID: "a"}})
	want := `[{"action":"presence_full","client":null,"options":{"channel":"c"},"payload":{"presence":[{"socketId":"a","extras":{},"permissions":{"dbo_id":0,"row_id":0}}]}}`
	if string(got) != want {
		t.Errorf("AppendPresenceFull\n got: %s\nwant: %s", got, want)
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	tests := []struct {
		name          string
		channel       string
		authenticated bool
		socketID      string
		payload       string
	}{
		{"public", "chatroom/1", false, "", `{"text":"hi"}`},
		{"authenticated", "a/b/c", true, "", `"Hello World!"`},
		{"private", "ch", false, "sock-1", `[1,2,3]`},
		{"odd channel", "ro\"om\n\u2028", false, "", `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frame := EncodeMessage(tt.channel, jill, tt.authenticated, tt.socketID, json.RawMessage(tt.payload))
			req, err := Decode(frame)
			if err != nil {
				t.Fatalf("Decode(EncodeMessage(...)): %v", err)
			}
			want := Request{Action: ActionMessage, Channel: tt.channel, Authenticated: tt.authenticated, SocketID: tt.socketID, Payload: json.RawMessage(tt.payload)}
			if diff := cmp.Diff(want, req); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientRawIsReusedVerbatim(t *testing.T) {
	raw := jill.AppendJSON(nil)
	cached := Client{Raw: raw, SocketID: "ignored"}
	tests := []struct {
		name      string
		got, want []byte
	}{
		{"AppendJSON", cached.AppendJSON([]byte("x")), append([]byte("x"), raw...)},
		{"EncodeMessage", EncodeMessage("c", cached, false, "", json.RawMessage(`1`)), EncodeMessage("c", jill, false, "", json.RawMessage(`1`))},
		{"EncodePresenceFull", EncodePresenceFull("c", []Client{cached, anon}), EncodePresenceFull("c", []Client{jill, anon})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Equal(tt.got, tt.want) {
				t.Errorf("\n got: %s\nwant: %s", tt.got, tt.want)
			}
		})
	}
}
