package xano

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// referenceFrames are the client frames of xano-realtime.md §3, byte for byte.
var referenceFrames = map[string]string{
	"join":                 `{"action":"join","options":{"channel":"chatroom/1"},"payload":{"history":true,"presence":true}}`,
	"join defaults":        `{"action":"join","options":{"channel":"chatroom/1"},"payload":{"history":false,"presence":false}}`,
	"leave":                `{"action":"leave","options":{"channel":"chatroom/1"},"payload":null}`,
	"public message":       `{"action":"message","options":{"channel":"chatroom/1"},"payload":{"text":"hi"}}`,
	"authenticated":        `{"action":"message","options":{"authenticated":true,"channel":"chatroom/1"},"payload":{"text":"hi"}}`,
	"private":              `{"action":"message","options":{"channel":"chatroom/1","socketId":"s_91aa"},"payload":{"text":"psst"}}`,
	"weweb public":         `{"action":"message","options":{"authenticated":false,"socketId":null,"channel":"room1"},"payload":{"text":"hi"}}`,
	"history":              `{"action":"history","options":{"channel":"chatroom/1"},"payload":null}`,
	"presence history":     `{"action":"history","options":{"channel":"chatroom/1","socketId":"s_91aa"},"payload":null}`,
	"bare string payload":  `{"action":"message","options":{"channel":"chatroom/1"},"payload":"Hello World!"}`,
	"weweb empty socketId": `{"action":"message","options":{"authenticated":false,"socketId":"","channel":"room1"},"payload":1}`,
}

func TestDecodeReferenceFrames(t *testing.T) {
	tests := []struct {
		frame string
		want  Request
	}{
		{"join", Request{Action: ActionJoin, Channel: "chatroom/1", Payload: []byte(`{"history":true,"presence":true}`), WantHistory: true, WantPresence: true}},
		{"join defaults", Request{Action: ActionJoin, Channel: "chatroom/1", Payload: []byte(`{"history":false,"presence":false}`)}},
		{"leave", Request{Action: ActionLeave, Channel: "chatroom/1", Payload: []byte(`null`)}},
		{"public message", Request{Action: ActionMessage, Channel: "chatroom/1", Payload: []byte(`{"text":"hi"}`)}},
		{"authenticated", Request{Action: ActionMessage, Channel: "chatroom/1", Authenticated: true, Payload: []byte(`{"text":"hi"}`)}},
		{"private", Request{Action: ActionMessage, Channel: "chatroom/1", SocketID: "s_91aa", Payload: []byte(`{"text":"psst"}`)}},
		{"weweb public", Request{Action: ActionMessage, Channel: "room1", Payload: []byte(`{"text":"hi"}`)}},
		{"history", Request{Action: ActionHistory, Channel: "chatroom/1", Payload: []byte(`null`)}},
		{"presence history", Request{Action: ActionHistory, Channel: "chatroom/1", SocketID: "s_91aa", Payload: []byte(`null`)}},
		{"bare string payload", Request{Action: ActionMessage, Channel: "chatroom/1", Payload: []byte(`"Hello World!"`)}},
		{"weweb empty socketId", Request{Action: ActionMessage, Channel: "room1", Payload: []byte(`1`)}},
	}
	for _, tt := range tests {
		t.Run(tt.frame, func(t *testing.T) {
			got, err := Decode([]byte(referenceFrames[tt.frame]))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decode mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeTolerance(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		want  Request
	}{
		{"options as a string", `{"action":"message","options":"chatroom/1","payload":1}`, Request{Action: ActionMessage, Payload: []byte(`1`)}},
		{"options null", `{"action":"leave","options":null,"payload":null}`, Request{Action: ActionLeave, Payload: []byte(`null`)}},
		{"options array", `{"action":"leave","options":[{"channel":"x"}]}`, Request{Action: ActionLeave, Payload: []byte(`null`)}},
		{"options and payload absent", `{"action":"history"}`, Request{Action: ActionHistory, Payload: []byte(`null`)}},
		{"unknown action", `{"action":"subscribe","options":{"channel":"a"}}`, Request{Action: "subscribe", Channel: "a", Payload: []byte(`null`)}},
		{"channel not a string", `{"action":"join","options":{"channel":42},"payload":{}}`, Request{Action: ActionJoin, Payload: []byte(`{}`)}},
		{"authenticated as string", `{"action":"message","options":{"channel":"a","authenticated":"true"},"payload":0}`, Request{Action: ActionMessage, Channel: "a", Payload: []byte(`0`)}},
		{"socketId as number", `{"action":"message","options":{"channel":"a","socketId":7},"payload":0}`, Request{Action: ActionMessage, Channel: "a", Payload: []byte(`0`)}},
		{"join flags not bool", `{"action":"join","options":{"channel":"a"},"payload":{"history":1,"presence":"true"}}`, Request{Action: ActionJoin, Channel: "a", Payload: []byte(`{"history":1,"presence":"true"}`)}},
		{"join flags on non-join ignored", `{"action":"message","options":{"channel":"a"},"payload":{"history":true,"presence":true}}`, Request{Action: ActionMessage, Channel: "a", Payload: []byte(`{"history":true,"presence":true}`)}},
		{"join payload null", `{"action":"join","options":{"channel":"a"},"payload":null}`, Request{Action: ActionJoin, Channel: "a", Payload: []byte(`null`)}},
		{"whitespace everywhere", " {\n \"action\" : \"join\" ,\t\"options\" : { \"channel\" : \"a\" , \"authenticated\" : true } , \"payload\" : { \"presence\" : true } } \n", Request{Action: ActionJoin, Channel: "a", Authenticated: true, Payload: []byte(`{ "presence" : true }`), WantPresence: true}},
		{"escaped keys and values", `{"\u0061ction":"jo\u0069n","options":{"chan\u006eel":"caf\u00e9 \"1\""},"payload":null}`, Request{Action: ActionJoin, Channel: `café "1"`, Payload: []byte(`null`)}},
		{"duplicate keys last wins", `{"action":"leave","action":"join","options":{"channel":"a","channel":"b"},"payload":{"history":true,"history":false}}`, Request{Action: ActionJoin, Channel: "b", Payload: []byte(`{"history":true,"history":false}`)}},
		{"keys are case sensitive", `{"Action":"x","action":"leave","Options":{"channel":"a"}}`, Request{Action: ActionLeave, Payload: []byte(`null`)}},
		{"legacy command form keeps action", `{"command":"[Realtime] Join","action":"join","commandOptions":{}}`, Request{Action: ActionJoin, Payload: []byte(`null`)}},
		{"invalid utf-8 becomes U+FFFD", "{\"action\":\"message\",\"options\":{\"channel\":\"a\xffb\"},\"payload\":0}", Request{Action: ActionMessage, Channel: "a\uFFFDb", Payload: []byte(`0`)}},
		{"escaped NUL is a non-empty action", `{"action":"\u0000"}`, Request{Action: "\x00", Payload: []byte(`null`)}},
		{"nested braces in strings", `{"action":"message","options":{"channel":"}{"},"payload":{"a":"}]\"{["}}`, Request{Action: ActionMessage, Channel: "}{", Payload: []byte(`{"a":"}]\"{["}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.frame))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decode mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeMalformed(t *testing.T) {
	tests := []struct {
		name   string
		frame  string
		detail string
	}{
		{"empty", ``, "not valid JSON"},
		{"not JSON", `hello`, "not valid JSON"},
		{"truncated", `{"action":"join","options":{"channel":"a"}`, "not valid JSON"},
		{"trailing garbage", `{"action":"join"} x`, "not valid JSON"},
		{"two objects", `{"action":"join"}{"action":"join"}`, "not valid JSON"},
		{"array", `[{"action":"join"}]`, "not a JSON object"},
		{"string", `"join"`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"action missing", `{"options":{"channel":"a"},"payload":null}`, "missing action"},
		{"action number", `{"action":1,"options":{}}`, "action is not a string"},
		{"action null", `{"action":null}`, "action is not a string"},
		{"action object", `{"action":{"name":"join"}}`, "action is not a string"},
		{"action empty", `{"action":"","options":{}}`, "action is empty"},
		{"huge nesting", `{"action":"message","payload":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`, "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.frame))
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode error = %v, want ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tt.detail) {
				t.Errorf("error %q does not mention %q", err, tt.detail)
			}
			if diff := cmp.Diff(Request{}, got); diff != "" {
				t.Errorf("failed Decode returned a non-zero Request:\n%s", diff)
			}
		})
	}
}

func TestDecodePayloadDoesNotAliasInput(t *testing.T) {
	frame := []byte(`{"action":"message","options":{"channel":"a"},"payload":{"text":"hi"}}`)
	req, err := Decode(frame)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	for i := range frame {
		frame[i] = 'x'
	}
	if got := string(req.Payload); got != `{"text":"hi"}` {
		t.Errorf("payload changed with the input buffer: %s", got)
	}
}
