package protocol

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppendJSONString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `""`},
		{"plain", "room:lobby", `"room:lobby"`},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`},
		{"short escapes", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"other control characters", "\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"DEL and slash stay", "\x7f/", "\"\x7f/\""},
		{"html is not escaped", "<a>&", `"<a>&"`},
		{"multibyte stays", "été 日本 😀", `"été 日本 😀"`},
		{"line and paragraph separators", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb\xc3", `"a\ufffdb\ufffd"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := string(appendJSONString([]byte("x"), tc.in))
			if got != "x"+tc.want {
				t.Errorf("appendJSONString(%q) = %s, want %s", tc.in, got[1:], tc.want)
			}
			var back string
			if err := json.Unmarshal([]byte(got[1:]), &back); err != nil {
				t.Fatalf("output %s is not a JSON string: %v", got[1:], err)
			}
			if utf8.ValidString(tc.in) && back != tc.in {
				t.Errorf("encoding/json reads back %q, want %q", back, tc.in)
			}
		})
	}
}

// TestAppendJSONStringAllBytes checks every single byte and every rune boundary class against
// encoding/json's reading of the output.
func TestAppendJSONStringAllBytes(t *testing.T) {
	for b := 0; b < 256; b++ {
		in := string([]byte{'a', byte(b), 'z'})
		out := appendJSONString(nil, in)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("byte %#x: output %q is not a JSON string: %v", b, out, err)
		}
		want := in
		if !utf8.ValidString(in) {
			want = "a\ufffdz"
		}
		if back != want {
			t.Errorf("byte %#x: read back %q, want %q", b, back, want)
		}
	}
}

func TestEncodeBinaryFieldLimit(t *testing.T) {
	ok, long := strings.Repeat("x", MaxBinaryField), strings.Repeat("x", MaxBinaryField+1)
	payload := []byte{1}
	tests := []struct {
		name    string
		msg     *Message
		reply   *Reply
		wantErr bool
	}{
		{"push/255 everywhere", &Message{JoinRef: ok, Ref: long, Topic: ok, Event: ok, Binary: payload}, nil, false},
		{"push/join_ref 256", &Message{JoinRef: long, Topic: "t", Event: "e", Binary: payload}, nil, true},
		{"push/topic 256", &Message{JoinRef: "1", Topic: long, Event: "e", Binary: payload}, nil, true},
		{"push/event 256", &Message{JoinRef: "1", Topic: "t", Event: long, Binary: payload}, nil, true},
		{"broadcast/255 everywhere", &Message{Topic: ok, Event: ok, Binary: payload}, nil, false},
		{"broadcast/topic 256", &Message{Topic: long, Event: "e", Binary: payload}, nil, true},
		{"broadcast/event 256", &Message{Topic: "t", Event: long, Binary: payload}, nil, true},
		{"reply/255 everywhere", nil, &Reply{JoinRef: ok, Ref: ok, Topic: ok, Status: ok, Binary: payload}, false},
		{"reply/join_ref 256", nil, &Reply{JoinRef: long, Ref: "1", Topic: "t", Status: "ok", Binary: payload}, true},
		{"reply/ref 256", nil, &Reply{JoinRef: "1", Ref: long, Topic: "t", Status: "ok", Binary: payload}, true},
		{"reply/topic 256", nil, &Reply{JoinRef: "1", Ref: "1", Topic: long, Status: "ok", Binary: payload}, true},
		{"reply/status 256", nil, &Reply{JoinRef: "1", Ref: "1", Topic: "t", Status: long, Binary: payload}, true},
		{"json push is not limited", &Message{JoinRef: long, Topic: long, Event: long}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var frame Frame
			var err error
			if tc.msg != nil {
				frame, err = V2JSON.EncodeMessage(*tc.msg)
			} else {
				frame, err = V2JSON.EncodeReply(*tc.reply)
			}
			if tc.wantErr {
				if !errors.Is(err, ErrFieldTooLong) {
					t.Fatalf("err = %v, want ErrFieldTooLong", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if !frame.Binary {
				if _, err := V2JSON.Decode(frame.Data, false); err != nil {
					t.Fatalf("JSON frame does not decode: %v", err)
				}
				return
			}
			view, err := clientBinaryDecode(frame.Data)
			if err != nil {
				t.Fatalf("client cannot decode: %v", err)
			}
			if len(view.Topic) != MaxBinaryField {
				t.Errorf("topic is %d bytes, want %d", len(view.Topic), MaxBinaryField)
			}
		})
	}
}

func TestV1RefusesBinary(t *testing.T) {
	if _, err := V1JSON.EncodeMessage(Message{Topic: "t", Event: "e", Binary: []byte{}}); !errors.Is(err, ErrBinaryUnsupported) {
		t.Errorf("EncodeMessage err = %v, want ErrBinaryUnsupported", err)
	}
	if _, err := V1JSON.EncodeReply(Reply{Topic: "t", Status: "ok", Binary: []byte{1}}); !errors.Is(err, ErrBinaryUnsupported) {
		t.Errorf("EncodeReply err = %v, want ErrBinaryUnsupported", err)
	}
}

// TestEncodeJSONShapes checks details the goldens do not: nil versus empty payloads, escaping
// in every position, binary taking precedence over Payload.
func TestEncodeJSONShapes(t *testing.T) {
	tests := []struct {
		name  string
		ser   Serializer
		msg   *Message
		reply *Reply
		want  string
	}{
		{"v2/empty payload is {}", V2JSON, &Message{Topic: "t", Event: "e", Payload: json.RawMessage{}}, nil,
			`[null,null,"t","e",{}]`},
		{"v2/escapes in every string", V2JSON, &Message{JoinRef: `"`, Ref: "\n", Topic: `\`, Event: "\x00", Payload: json.RawMessage(`[]`)}, nil,
			`["\"","\n","\\","\u0000",[]]`},
		{"v2/reply status escaped", V2JSON, nil, &Reply{Topic: "t", Status: `o"k`, Response: json.RawMessage(`{"a":1}`)},
			`[null,null,"t","phx_reply",{"status":"o\"k","response":{"a":1}}]`},
		{"v1/phx_close carries ref", V1JSON, &Message{JoinRef: "3", Ref: "3", Topic: "t", Event: "phx_close"}, nil,
			`{"topic":"t","event":"phx_close","payload":{},"ref":"3"}`},
		{"v1/reply with null ref", V1JSON, nil, &Reply{Topic: "t", Status: "error", Response: json.RawMessage(`{"reason":"unmatched topic"}`)},
			`{"topic":"t","event":"phx_reply","payload":{"status":"error","response":{"reason":"unmatched topic"}},"ref":null}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var frame Frame
			var err error
			if tc.msg != nil {
				frame, err = tc.ser.EncodeMessage(*tc.msg)
			} else {
				frame, err = tc.ser.EncodeReply(*tc.reply)
			}
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if frame.Binary || string(frame.Data) != tc.want {
				t.Errorf("got %s (binary %v), want %s", frame.Data, frame.Binary, tc.want)
			}
			if !json.Valid(frame.Data) {
				t.Errorf("output is not valid JSON")
			}
		})
	}
}

func TestBinaryTakesPrecedenceOverPayload(t *testing.T) {
	frame, err := V2JSON.EncodeMessage(Message{Topic: "t", Event: "e", Payload: json.RawMessage(`{}`), Binary: []byte{7}})
	if err != nil {
		t.Fatal(err)
	}
	if !frame.Binary || string(frame.Data) != "\x02\x01\x01te\x07" {
		t.Errorf("got %q (binary %v), want a binary broadcast", frame.Data, frame.Binary)
	}
}
