package triggers

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/phxserver/phxserver/channels"
)

func TestContentFilter(t *testing.T) {
	tests := []struct {
		name    string
		spec    FunctionSpec
		event   string
		payload json.RawMessage
		reason  string // "" = allowed
	}{
		{"clean text", FunctionSpec{Deny: []string{`https?://`}}, "message", json.RawMessage(`{"body":"hello"}`), ""},
		{"link in a value", FunctionSpec{Deny: []string{`https?://`}}, "message", json.RawMessage(`{"body":"see http://x"}`), "message blocked by content filter"},
		{"escaped link", FunctionSpec{Deny: []string{`https?://`}}, "message", json.RawMessage(`{"body":"https:\/\/x"}`), "message blocked by content filter"},
		{"link in a nested array", FunctionSpec{Deny: []string{`https?://`}}, "message", json.RawMessage(`{"a":[{"b":["http://x"]}]}`), "message blocked by content filter"},
		{"link in a key", FunctionSpec{Deny: []string{`https?://`}}, "message", json.RawMessage(`{"http://x":1}`), "message blocked by content filter"},
		{"not JSON is matched as text", FunctionSpec{Deny: []string{`bad`}}, "message", json.RawMessage(`bad{`), "message blocked by content filter"},
		{"too large", FunctionSpec{MaxBytes: 8}, "message", json.RawMessage(`{"body":"0123456789"}`), "message too large (max 8 bytes)"},
		{"at the size limit", FunctionSpec{MaxBytes: 12}, "message", json.RawMessage(`{"body":"x"}`), ""},
		{"required key present", FunctionSpec{RequiredKeys: []string{"body"}}, "message", json.RawMessage(`{"body":1}`), ""},
		{"required key missing", FunctionSpec{RequiredKeys: []string{"body"}}, "message", json.RawMessage(`{"text":1}`), `message must have the key "body"`},
		{"required key of a non-object", FunctionSpec{RequiredKeys: []string{"body"}}, "message", json.RawMessage(`["body"]`), `message must have the key "body"`},
		{"binary refused with content rules", FunctionSpec{Deny: []string{`x`}}, "message", nil, "binary messages are not allowed in this channel"},
		{"binary allowed with only a size limit", FunctionSpec{MaxBytes: 10}, "message", nil, ""},
		{"empty join payload", FunctionSpec{Deny: []string{`x`}}, "join", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.Type = TypeContentFilter
			f, err := newContentFilter(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			in := channels.TriggerInput{Event: tc.event, Channel: "room/1", Payload: tc.payload}
			r := f.call(context.Background(), &in)
			if r.allow != (tc.reason == "") || r.reason != tc.reason {
				t.Fatalf("result = %+v, want reason %q", r, tc.reason)
			}
		})
	}
}

func FuzzContentFilter(f *testing.F) {
	f.Add([]byte(`{"body":"http://x"}`))
	f.Add([]byte(`[[[[[[[]]]]]]]`))
	f.Add([]byte("\xff\xfe"))
	cf, err := newContentFilter(FunctionSpec{Type: TypeContentFilter, Deny: []string{`https?://`}, RequiredKeys: []string{"body"}, MaxBytes: 4096})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		in := channels.TriggerInput{Event: channels.TriggerMessage, Payload: payload}
		cf.call(context.Background(), &in) // must not panic
	})
}
