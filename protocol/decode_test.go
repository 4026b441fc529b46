package protocol

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		ser    Serializer
		frame  string
		binary bool
		detail string // substring of the error text
	}{
		// V2 binary.
		{"binary/empty", V2JSON, "", true, "empty binary frame"},
		{"binary/header of 1 byte", V2JSON, "\x00", true, "binary header truncated"},
		{"binary/header of 4 bytes", V2JSON, "\x00\x01\x01\x01", true, "binary header truncated"},
		{"binary/lengths past the end", V2JSON, "\x00\x01\x01\x01\x0101t", true, "exceed the frame"},
		{"binary/max lengths on a short frame", V2JSON, "\x00\xff\xff\xff\xffabc", true, "exceed the frame"},
		{"binary/kind 1 from the client", V2JSON, "\x01\x03\x02\x03\x0210012topok\x01\x01", true, "kind must be 0"},
		{"binary/kind 2 from the client", V2JSON, "\x02\x03\ntopsome-event\x01\x01", true, "kind must be 0"},
		{"binary/unknown kind", V2JSON, "\x07\x00\x00\x00\x00", true, "kind must be 0"},
		{"binary/json text sent as binary", V2JSON, `["6","6","room:ok","phx_join",{}]`, true, "kind must be 0"},
		{"binary/invalid UTF-8 topic", V2JSON, "\x00\x00\x00\x01\x01\xffe", true, "not valid UTF-8"},
		{"binary/v1 has no binary", V1JSON, "\x00\x01\x01\x01\x0101te\x01", true, "vsn 2.0.0"},

		// V2 JSON.
		{"v2/binary bytes sent as text", V2JSON, "\x00\x01\x01\x01\x0101te\x01", false, "JSON array of 5"},
		{"v2/empty", V2JSON, "", false, "JSON array of 5"},
		{"v2/object", V2JSON, `{"topic":"t","event":"e","payload":{},"ref":"1"}`, false, "JSON array of 5"},
		{"v2/string", V2JSON, `"hello"`, false, "JSON array of 5"},
		{"v2/empty array", V2JSON, `[]`, false, "join_ref must be a string or null"},
		{"v2/4 elements", V2JSON, `["1","1","t","e"]`, false, "JSON array of 5"},
		{"v2/3 elements", V2JSON, `[null,"1","t"]`, false, "JSON array of 5"},
		{"v2/join_ref object", V2JSON, `[{},"1","t","e",{}]`, false, "join_ref must be a string or null"},
		{"v2/join_ref true", V2JSON, `[true,"1","t","e",{}]`, false, "join_ref must be a string or null"},
		{"v2/ref array", V2JSON, `["1",[1],"t","e",{}]`, false, "ref must be a string or null"},
		{"v2/ref bad number", V2JSON, `["1",01,"t","e",{}]`, false, "ref must be a string or null"},
		{"v2/topic null", V2JSON, `["1","1",null,"e",{}]`, false, "topic must be a string"},
		{"v2/topic number", V2JSON, `["1","1",5,"e",{}]`, false, "topic must be a string"},
		{"v2/event object", V2JSON, `["1","1","t",{},{}]`, false, "event must be a string"},
		{"v2/invalid payload", V2JSON, `["1","1","t","e",{"a":}]`, false, "payload is not valid JSON"},
		{"v2/unbalanced payload", V2JSON, `["1","1","t","e",{"a":1]]`, false, "payload is not valid JSON"},
		{"v2/payload truncated", V2JSON, `["1","1","t","e",{"a":1`, false, "unexpected end of frame"},
		{"v2/missing payload", V2JSON, `["1","1","t","e",]`, false, "payload is not valid JSON"},
		{"v2/unterminated array", V2JSON, `["1","1","t","e",{}`, false, "JSON array of 5"},
		{"v2/invalid extra element", V2JSON, `["1","1","t","e",{},nope]`, false, "invalid JSON value"},
		{"v2/trailing data", V2JSON, `["1","1","t","e",{}] x`, false, "unexpected data after"},
		{"v2/two arrays", V2JSON, `["1","1","t","e",{}]["1","1","t","e",{}]`, false, "unexpected data after"},
		{"v2/unterminated string", V2JSON, `["1","1","t`, false, "unterminated string"},
		{"v2/control char in topic", V2JSON, "[\"1\",\"1\",\"t\x01\",\"e\",{}]", false, "control character"},
		{"v2/bad escape", V2JSON, `["1","1","t\x","e",{}]`, false, "invalid escape"},
		{"v2/short unicode escape", V2JSON, `["1","1","t\u12","e",{}]`, false, `invalid \u escape`},
		{"v2/invalid UTF-8", V2JSON, "[\"1\",\"1\",\"t\xff\",\"e\",{}]", false, "not valid UTF-8"},
		{"v2/invalid UTF-8 in payload", V2JSON, "[\"1\",\"1\",\"t\",\"e\",\"\xc3\"]", false, "not valid UTF-8"},
		{"v2/byte order mark", V2JSON, "\ufeff[\"1\",\"1\",\"t\",\"e\",{}]", false, "JSON array of 5"},

		// V1 JSON.
		{"v1/array", V1JSON, `["1","1","t","e",{}]`, false, "expected a JSON object"},
		{"v1/empty object", V1JSON, `{}`, false, `missing key "topic"`},
		{"v1/missing event", V1JSON, `{"topic":"t","payload":{},"ref":"1"}`, false, `missing key "event"`},
		{"v1/missing payload", V1JSON, `{"topic":"t","event":"e","ref":"1"}`, false, `missing key "payload"`},
		{"v1/missing ref", V1JSON, `{"topic":"t","event":"e","payload":{}}`, false, `missing key "ref"`},
		{"v1/topic number", V1JSON, `{"topic":1,"event":"e","payload":{},"ref":"1"}`, false, "topic must be a string"},
		{"v1/join_ref object", V1JSON, `{"topic":"t","event":"e","payload":{},"ref":"1","join_ref":{}}`, false, "join_ref must be a string or null"},
		{"v1/invalid payload", V1JSON, `{"topic":"t","event":"e","payload":[1,],"ref":"1"}`, false, "payload is not valid JSON"},
		{"v1/invalid unknown value", V1JSON, `{"x":nul,"topic":"t","event":"e","payload":{},"ref":"1"}`, false, "invalid JSON value"},
		{"v1/key not a string", V1JSON, `{topic:"t"}`, false, "string object key"},
		{"v1/missing colon", V1JSON, `{"topic" "t"}`, false, "expected ':'"},
		{"v1/missing comma", V1JSON, `{"topic":"t" "event":"e"}`, false, "expected ',' or '}'"},
		{"v1/trailing comma", V1JSON, `{"topic":"t",}`, false, "string object key"},
		{"v1/trailing data", V1JSON, `{"topic":"t","event":"e","payload":{},"ref":"1"}]`, false, "unexpected data after"},
		{"v1/unterminated", V1JSON, `{"topic":"t"`, false, "expected ',' or '}'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.ser.Decode([]byte(tc.frame), tc.binary)
			if err == nil {
				t.Fatalf("Decode succeeded with %+v, want error containing %q", m, tc.detail)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tc.detail) {
				t.Errorf("error %q does not contain %q", err, tc.detail)
			}
		})
	}
}

func TestDecodeV1BinaryWrapsErrBinaryUnsupported(t *testing.T) {
	_, err := V1JSON.Decode([]byte("\x00\x00\x00\x01\x01te"), true)
	if !errors.Is(err, ErrBinaryUnsupported) || !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrBinaryUnsupported and ErrMalformed", err)
	}
}

// TestDecodeLenientCases covers inputs Phoenix accepts and the documented decisions.
func TestDecodeLenientCases(t *testing.T) {
	tests := []struct {
		name  string
		ser   Serializer
		frame string
		want  Message
	}{
		{"v2/extra trailing elements", V2JSON, `["1","2","t","e",{},"x",[1,{"a":"]"}]]`,
			Message{JoinRef: "1", Ref: "2", Topic: "t", Event: "e", Payload: json.RawMessage(`{}`)}},
		{"v2/numeric refs kept as text", V2JSON, `[12,-3.5e2,"t","e",{}]`,
			Message{JoinRef: "12", Ref: "-3.5e2", Topic: "t", Event: "e", Payload: json.RawMessage(`{}`)}},
		{"v2/empty string refs are null", V2JSON, `["","","t","e",{}]`,
			Message{Topic: "t", Event: "e", Payload: json.RawMessage(`{}`)}},
		{"v2/whitespace everywhere", V2JSON, " \r\n\t[ null , \"1\" ,\"t\" , \"e\" , { \"a\" : 1 } ] \n",
			Message{Ref: "1", Topic: "t", Event: "e", Payload: json.RawMessage(`{ "a" : 1 }`)}},
		{"v2/scalar payloads: string", V2JSON, `[null,null,"t","e","a]b"]`,
			Message{Topic: "t", Event: "e", Payload: json.RawMessage(`"a]b"`)}},
		{"v2/scalar payloads: number", V2JSON, `[null,null,"t","e",-1.5]`,
			Message{Topic: "t", Event: "e", Payload: json.RawMessage(`-1.5`)}},
		{"v2/scalar payloads: null", V2JSON, `[null,null,"t","e",null]`,
			Message{Topic: "t", Event: "e", Payload: json.RawMessage(`null`)}},
		{"v2/array payload with brackets in strings", V2JSON, `[null,null,"t","e",["]","\"]",{"}":"["}]]`,
			Message{Topic: "t", Event: "e", Payload: json.RawMessage(`["]","\"]",{"}":"["}]`)}},
		{"v2/escapes in strings", V2JSON, `["a\"b","\\\/","\b\f\n\r\t","\u00e9\u20AC",{}]`,
			Message{JoinRef: `a"b`, Ref: `\/`, Topic: "\b\f\n\r\t", Event: "é€", Payload: json.RawMessage(`{}`)}},
		{"v2/surrogate pair", V2JSON, `[null,null,"\ud83d\ude00","e",{}]`,
			Message{Topic: "😀", Event: "e", Payload: json.RawMessage(`{}`)}},
		{"v2/lone surrogates become U+FFFD", V2JSON, `[null,null,"\ud83dx\ude00","\ud83d\u0041",{}]`,
			Message{Topic: "\ufffdx\ufffd", Event: "\ufffdA", Payload: json.RawMessage(`{}`)}},
		{"v2/raw UTF-8", V2JSON, `[null,null,"salle:été","日本",{"k":"ü"}]`,
			Message{Topic: "salle:été", Event: "日本", Payload: json.RawMessage(`{"k":"ü"}`)}},
		{"v2/long strings", V2JSON, `[null,null,"` + strings.Repeat("t", 300) + `","e",{}]`,
			Message{Topic: strings.Repeat("t", 300), Event: "e", Payload: json.RawMessage(`{}`)}},
		{"v1/key order free, unknown keys ignored, last duplicate wins", V1JSON,
			`{"x":[1,{"y":null}],"ref":5,"payload":[1],"event":"a","topic":"t","event":"e","join_ref":null}`,
			Message{Ref: "5", Topic: "t", Event: "e", Payload: json.RawMessage(`[1]`)}},
		{"v1/escaped keys", V1JSON, `{"top\u0069c":"t","event":"e","payload":{},"ref":"1","join\u005fref":"2"}`,
			Message{JoinRef: "2", Ref: "1", Topic: "t", Event: "e", Payload: json.RawMessage(`{}`)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.ser.Decode([]byte(tc.frame), false)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Decode mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeBinaryEdgeCases(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		want  Message
	}{
		{"empty payload is still binary", "\x00\x01\x01\x01\x0112te",
			Message{JoinRef: "1", Ref: "2", Topic: "t", Event: "e", Binary: []byte{}}},
		{"null refs are length 0", "\x00\x00\x00\x01\x01te\xff",
			Message{Topic: "t", Event: "e", Binary: []byte{0xff}}},
		{"all fields empty", "\x00\x00\x00\x00\x00",
			Message{Binary: []byte{}}},
		{"payload that looks like JSON", "\x00\x00\x00\x01\x01te{}",
			Message{Topic: "t", Event: "e", Binary: []byte("{}")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := V2JSON.Decode([]byte(tc.frame), true)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Decode mismatch (-want +got):\n%s", diff)
			}
			if !got.IsBinary() || got.Payload != nil {
				t.Errorf("IsBinary() = %v, Payload = %q; want binary with nil Payload", got.IsBinary(), got.Payload)
			}
		})
	}
}

// TestDecodedPayloadCannotGrowIntoTheFrame: the payload aliases the frame, but its capacity is
// clipped so an append by the caller reallocates instead of overwriting trailing frame bytes.
func TestDecodedPayloadCannotGrowIntoTheFrame(t *testing.T) {
	tests := []struct {
		name   string
		ser    Serializer
		frame  string
		binary bool
	}{
		{"v2 text", V2JSON, `[null,null,"t","e",{"a":1},"tail"]`, false},
		{"v1 text", V1JSON, `{"payload":{"a":1},"topic":"t","event":"e","ref":null}`, false},
		{"v2 binary", V2JSON, "\x00\x00\x00\x01\x01te\x01\x02", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			frame := []byte(tc.frame)
			m, err := tc.ser.Decode(frame, tc.binary)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			payload := m.Payload
			if tc.binary {
				payload = m.Binary
			}
			if cap(payload) != len(payload) {
				t.Errorf("cap(payload) = %d, want len %d", cap(payload), len(payload))
			}
			before := string(frame)
			_ = append(payload, "XXXXXXXX"...)
			if string(frame) != before {
				t.Errorf("append to payload changed the frame: %q", frame)
			}
		})
	}
}

// TestDecodedStringsDoNotAliasTheFrame: the caller may reuse the frame once it is done with
// the payload; header strings must survive that.
func TestDecodedStringsDoNotAliasTheFrame(t *testing.T) {
	tests := []struct {
		name   string
		frame  string
		binary bool
	}{
		{"text", `["1","2","topic","event",{}]`, false},
		{"binary", "\x00\x01\x01\x05\x0512topicevent", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			frame := []byte(tc.frame)
			m, err := V2JSON.Decode(frame, tc.binary)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			for i := range frame {
				frame[i] = 'Z'
			}
			if m.JoinRef != "1" || m.Ref != "2" || m.Topic != "topic" || m.Event != "event" {
				t.Errorf("strings changed with the frame: %+v", m)
			}
		})
	}
}
