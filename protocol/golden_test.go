package protocol

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Golden frames from shared/reference/phoenix-protocol.md §2 ([OBSERVED] with phoenix@1.8.16),
// phoenix assets/test/serializer_test.js (JS) and test/phoenix/socket/v2_json_serializer_test.exs
// (EX).

// goldenClientFrames are client->server frames and what Decode must return.
var goldenClientFrames = []struct {
	name   string
	ser    Serializer
	frame  []byte
	binary bool
	want   Message
}{
	{
		name: "observed/binary push", ser: V2JSON, binary: true,
		frame: mustHex("00 01 02 07 05 36 3130 726f6f6d3a6f6b 62696e6576 0102"),
		want:  Message{JoinRef: "6", Ref: "10", Topic: "room:ok", Event: "binev", Binary: []byte{1, 2}},
	},
	{
		name: "js/binary encodes", ser: V2JSON, binary: true,
		frame: []byte("\x00\x01\x01\x01\x0101te\x01"),
		want:  Message{JoinRef: "0", Ref: "1", Topic: "t", Event: "e", Binary: []byte{1}},
	},
	{
		name: "js/binary encodes variable length segments", ser: V2JSON, binary: true,
		frame: []byte("\x00\x02\x01\x03\x02101topev\x01"),
		want:  Message{JoinRef: "10", Ref: "1", Topic: "top", Event: "ev", Binary: []byte{1}},
	},
	{
		name: "ex/@client_push", ser: V2JSON, binary: true,
		frame: append([]byte{0, 2, 3, 5, 5}, "12123topicevent\x65\x66\x67"...),
		want:  Message{JoinRef: "12", Ref: "123", Topic: "topic", Event: "event", Binary: []byte{101, 102, 103}},
	},
	{
		name: "observed/join", ser: V2JSON,
		frame: []byte(`["6","6","room:ok","phx_join",{"p":1}]`),
		want:  Message{JoinRef: "6", Ref: "6", Topic: "room:ok", Event: "phx_join", Payload: json.RawMessage(`{"p":1}`)},
	},
	{
		name: "observed/push", ser: V2JSON,
		frame: []byte(`["6","9","room:ok","echo",{"hello":"world"}]`),
		want:  Message{JoinRef: "6", Ref: "9", Topic: "room:ok", Event: "echo", Payload: json.RawMessage(`{"hello":"world"}`)},
	},
	{
		name: "observed/leave", ser: V2JSON,
		frame: []byte(`["6","17","room:ok","phx_leave",{}]`),
		want:  Message{JoinRef: "6", Ref: "17", Topic: "room:ok", Event: "phx_leave", Payload: json.RawMessage(`{}`)},
	},
	{
		name: "observed/heartbeat", ser: V2JSON,
		frame: []byte(`[null,"12","phoenix","heartbeat",{}]`),
		want:  Message{Ref: "12", Topic: "phoenix", Event: "heartbeat", Payload: json.RawMessage(`{}`)},
	},
	{
		name: "js/json decodes", ser: V2JSON,
		frame: []byte(`["0","1","t","e",{"foo":1}]`),
		want:  Message{JoinRef: "0", Ref: "1", Topic: "t", Event: "e", Payload: json.RawMessage(`{"foo":1}`)},
	},
	{
		name: "ex/@v2_msg_json", ser: V2JSON,
		frame: []byte(`[null,null,"t","e",{"m":1}]`),
		want:  Message{Topic: "t", Event: "e", Payload: json.RawMessage(`{"m":1}`)},
	},
	{
		name: "reference/v1 join", ser: V1JSON,
		frame: []byte(`{"topic":"room:1","event":"phx_join","payload":{},"ref":"1","join_ref":"1"}`),
		want:  Message{JoinRef: "1", Ref: "1", Topic: "room:1", Event: "phx_join", Payload: json.RawMessage(`{}`)},
	},
	{
		name: "reference/v1 null ref without join_ref", ser: V1JSON,
		frame: []byte(`{"topic":"phoenix","event":"heartbeat","payload":{},"ref":null}`),
		want:  Message{Topic: "phoenix", Event: "heartbeat", Payload: json.RawMessage(`{}`)},
	},
}

// goldenServerFrames are server->client frames and the value that must encode to them.
// Exactly one of msg and reply is set.
var goldenServerFrames = []struct {
	name   string
	ser    Serializer
	msg    *Message
	reply  *Reply
	want   []byte
	binary bool
}{
	{
		name: "observed/binary reply", ser: V2JSON, binary: true,
		reply: &Reply{JoinRef: "6", Ref: "10", Topic: "room:ok", Status: "ok", Binary: []byte{1, 2, 3, 4}},
		want:  mustHex("01 01 02 07 02 36 3130 726f6f6d3a6f6b 6f6b 01020304"),
	},
	{
		name: "observed/binary push", ser: V2JSON, binary: true,
		msg:  &Message{JoinRef: "6", Topic: "room:ok", Event: "binpush", Binary: []byte{0, 1, 2}},
		want: mustHex("00 01 07 07 36 726f6f6d3a6f6b 62696e70757368 000102"),
	},
	{
		name: "observed/binary broadcast", ser: V2JSON, binary: true,
		msg:  &Message{Topic: "room:ok", Event: "binbcast", Binary: []byte{9, 8}},
		want: mustHex("02 07 08 726f6f6d3a6f6b 62696e6263617374 0908"),
	},
	{
		name: "js/decodes push", ser: V2JSON, binary: true,
		msg:  &Message{JoinRef: "123", Topic: "top", Event: "some-event", Binary: []byte{1, 1}},
		want: []byte("\x00\x03\x03\n123topsome-event\x01\x01"),
	},
	{
		name: "js/decodes reply", ser: V2JSON, binary: true,
		reply: &Reply{JoinRef: "100", Ref: "12", Topic: "top", Status: "ok", Binary: []byte{1, 1}},
		want:  []byte("\x01\x03\x02\x03\x0210012topok\x01\x01"),
	},
	{
		name: "js/decodes broadcast", ser: V2JSON, binary: true,
		msg:  &Message{Topic: "top", Event: "some-event", Binary: []byte{1, 1}},
		want: []byte("\x02\x03\ntopsome-event\x01\x01"),
	},
	{
		name: "ex/general pushed message", ser: V2JSON, binary: true,
		msg:  &Message{JoinRef: "12", Topic: "topic", Event: "event", Binary: []byte{101, 102, 103}},
		want: append([]byte{0, 2, 5, 5}, "12topicevent\x65\x66\x67"...),
	},
	{
		name: "ex/@reply", ser: V2JSON, binary: true,
		reply: &Reply{JoinRef: "12", Ref: "123", Topic: "topic", Status: "ok", Binary: []byte{101, 102, 103}},
		want:  append([]byte{1, 2, 3, 5, 2}, "12123topicok\x65\x66\x67"...),
	},
	{
		name: "ex/@broadcast", ser: V2JSON, binary: true,
		msg:  &Message{Topic: "topic", Event: "event", Binary: []byte{101, 102, 103}},
		want: append([]byte{2, 5, 5}, "topicevent\x65\x66\x67"...),
	},
	{
		name: "reference/join reply", ser: V2JSON,
		reply: &Reply{JoinRef: "6", Ref: "6", Topic: "room:ok", Status: "ok", Response: json.RawMessage(`{"joined":true}`)},
		want:  []byte(`["6","6","room:ok","phx_reply",{"status":"ok","response":{"joined":true}}]`),
	},
	{
		name: "reference/channel push", ser: V2JSON,
		msg:  &Message{JoinRef: "6", Topic: "room:ok", Event: "welcome", Payload: json.RawMessage(`{"hello":"push"}`)},
		want: []byte(`["6",null,"room:ok","welcome",{"hello":"push"}]`),
	},
	{
		name: "reference/broadcast", ser: V2JSON,
		msg:  &Message{Topic: "room:ok", Event: "bcast", Payload: json.RawMessage(`{"hello":"broadcast"}`)},
		want: []byte(`[null,null,"room:ok","bcast",{"hello":"broadcast"}]`),
	},
	{
		name: "reference/heartbeat reply with nil response", ser: V2JSON,
		reply: &Reply{Ref: "12", Topic: "phoenix", Status: "ok"},
		want:  []byte(`[null,"12","phoenix","phx_reply",{"status":"ok","response":{}}]`),
	},
	{
		name: "reference/phx_close", ser: V2JSON,
		msg:  &Message{JoinRef: "6", Ref: "6", Topic: "room:ok", Event: "phx_close"},
		want: []byte(`["6","6","room:ok","phx_close",{}]`),
	},
	{
		name: "js/encodes general pushes", ser: V2JSON,
		msg:  &Message{JoinRef: "0", Ref: "1", Topic: "t", Event: "e", Payload: json.RawMessage(`{"foo":1}`)},
		want: []byte(`["0","1","t","e",{"foo":1}]`),
	},
	{
		name: "ex/@v2_fastlane_json", ser: V2JSON,
		msg:  &Message{Topic: "t", Event: "e", Payload: json.RawMessage(`{"m":1}`)},
		want: []byte(`[null,null,"t","e",{"m":1}]`),
	},
	{
		name: "reference/v1 reply", ser: V1JSON,
		reply: &Reply{JoinRef: "1", Ref: "1", Topic: "room:1", Status: "ok"},
		want:  []byte(`{"topic":"room:1","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":"1"}`),
	},
	{
		name: "reference/v1 push never sends join_ref", ser: V1JSON,
		msg:  &Message{JoinRef: "1", Topic: "room:1", Event: "x", Payload: json.RawMessage(`{"a":[1,2]}`)},
		want: []byte(`{"topic":"room:1","event":"x","payload":{"a":[1,2]},"ref":null}`),
	},
}

func TestDecodeGoldenFrames(t *testing.T) {
	for _, tc := range goldenClientFrames {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.ser.Decode(tc.frame, tc.binary)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Decode mismatch (-want +got):\n%s", diff)
			}
			if got.IsBinary() != tc.binary {
				t.Errorf("IsBinary() = %v, want %v", got.IsBinary(), tc.binary)
			}
		})
	}
}

func TestEncodeGoldenFrames(t *testing.T) {
	for _, tc := range goldenServerFrames {
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
			if frame.Binary != tc.binary {
				t.Errorf("Frame.Binary = %v, want %v", frame.Binary, tc.binary)
			}
			if !bytes.Equal(frame.Data, tc.want) {
				t.Errorf("encoded\n got %q\nwant %q", frame.Data, tc.want)
			}
		})
	}
}

// TestGoldenServerBinaryFramesAsTheClientSeesThem checks the JS client's view of the binary
// goldens, e.g. a reply decodes to event "phx_reply" with the status from the header.
func TestGoldenServerBinaryFramesAsTheClientSeesThem(t *testing.T) {
	for _, tc := range goldenServerFrames {
		if !tc.binary {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			got, err := clientBinaryDecode(tc.want)
			if err != nil {
				t.Fatalf("clientBinaryDecode: %v", err)
			}
			var want clientView
			if tc.msg != nil {
				// A server push has no ref field: the client always sees ref null.
				want = clientView{JoinRef: tc.msg.JoinRef, Topic: tc.msg.Topic, Event: tc.msg.Event, Payload: tc.msg.Binary}
			} else {
				r := tc.reply
				want = clientView{JoinRef: r.JoinRef, Ref: r.Ref, Topic: r.Topic, Event: "phx_reply", Status: r.Status, Payload: r.Binary}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("client view mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
