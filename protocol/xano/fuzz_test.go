package xano

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzDecode checks Decode against a slow reference built on encoding/json: both must agree
// on acceptance and on every decoded field, and Decode must never panic.
func FuzzDecode(f *testing.F) {
	for _, frame := range referenceFrames {
		f.Add([]byte(frame))
	}
	for _, frame := range []string{
		``, `[]`, `"x"`, `{}`, `{"action":1}`, `{"action":""}`, `{"action":"join","options":"s"}`,
		`{"\u0061ction":"join","options":{"channel":"caf\u00e9"},"payload":{"history":true}}`,
		`{"action":"join","action":"leave","options":{"socketId":"a","socketId":null}}`,
		`{"action":"message","payload":[[[[{"a":"}"}]]]]}`,
	} {
		f.Add([]byte(frame))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Decode(data)
		want, wantOK := referenceDecode(data)
		if !wantOK {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode(%q) = %+v, %v; reference rejects it", data, got, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Decode(%q) failed: %v; reference accepts it as %+v", data, err, want)
		}
		if got.Action != want.Action || got.Channel != want.Channel || got.Authenticated != want.Authenticated ||
			got.SocketID != want.SocketID || got.WantHistory != want.WantHistory || got.WantPresence != want.WantPresence ||
			!bytes.Equal(got.Payload, want.Payload) {
			t.Fatalf("Decode(%q)\n got %+v\nwant %+v", data, got, want)
		}
		if !json.Valid(got.Payload) {
			t.Fatalf("payload is not valid JSON: %q", got.Payload)
		}
	})
}

// referenceDecode is the obvious, slow implementation of Decode's contract.
func referenceDecode(data []byte) (Request, bool) {
	var top map[string]json.RawMessage
	if !json.Valid(data) || json.Unmarshal(data, &top) != nil || top == nil {
		return Request{}, false
	}
	var req Request
	if json.Unmarshal(top["action"], &req.Action) != nil || req.Action == "" || !bytes.HasPrefix(top["action"], []byte(`"`)) {
		return Request{}, false
	}
	var options map[string]json.RawMessage
	if json.Unmarshal(top["options"], &options) == nil {
		var s string
		if json.Unmarshal(options["channel"], &s) == nil && bytes.HasPrefix(options["channel"], []byte(`"`)) {
			req.Channel = s
		}
		s = ""
		if json.Unmarshal(options["socketId"], &s) == nil && bytes.HasPrefix(options["socketId"], []byte(`"`)) {
			req.SocketID = s
		}
		req.Authenticated = string(options["authenticated"]) == "true"
	}
	req.Payload = nullJSON
	if p, ok := top["payload"]; ok {
		req.Payload = p
	}
	if req.Action == ActionJoin {
		var flags map[string]json.RawMessage
		if json.Unmarshal(req.Payload, &flags) == nil {
			req.WantHistory = string(flags["history"]) == "true"
			req.WantPresence = string(flags["presence"]) == "true"
		}
	}
	return req, true
}

// FuzzEncodeMessage checks that EncodeMessage yields valid JSON that decodes back to its
// inputs for arbitrary strings and payloads.
func FuzzEncodeMessage(f *testing.F) {
	f.Add("chatroom/1", "s_8f2c", "name", "Jill", "", true, []byte(`{"text":"hi"}`))
	f.Add("ro\"om\u2028", "", "k\x00", "\xff", "target", false, []byte(`"Hello World!"`))
	f.Fuzz(func(t *testing.T, channel, socketID, extraKey, extraValue, target string, authenticated bool, payload []byte) {
		if !json.Valid(payload) {
			// Encoders copy payloads verbatim and require valid JSON; turn junk into a string.
			payload, _ = json.Marshal(string(payload))
		}
		from := Client{SocketID: socketID, Extras: map[string]any{extraKey: extraValue}, RowID: extraValue}
		frame := EncodeMessage(channel, from, authenticated, target, payload)
		if !json.Valid(frame) {
			t.Fatalf("EncodeMessage produced invalid JSON: %q", frame)
		}
		var decoded struct {
			Client struct {
				SocketID string         `json:"socketId"`
				Extras   map[string]any `json:"extras"`
			} `json:"client"`
		}
		if err := json.Unmarshal(frame, &decoded); err != nil {
			t.Fatalf("Unmarshal: %v", err)
		}
		if decoded.Client.SocketID != validUTF8(socketID) || decoded.Client.Extras[validUTF8(extraKey)] != validUTF8(extraValue) {
			t.Fatalf("client did not round-trip: %+v", decoded.Client)
		}
		req, err := Decode(frame)
		if err != nil {
			t.Fatalf("Decode(EncodeMessage(...)): %v", err)
		}
		if req.Channel != validUTF8(channel) || req.SocketID != validUTF8(target) || req.Authenticated != authenticated {
			t.Fatalf("options did not round-trip: %+v", req)
		}
		if !bytes.Equal(req.Payload, trimSpace(payload)) {
			t.Fatalf("payload = %q, want %q", req.Payload, payload)
		}
	})
}

// validUTF8 replaces each invalid byte with U+FFFD, as the encoder does.
func validUTF8(s string) string { return string([]rune(s)) }
