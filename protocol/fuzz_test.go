package protocol

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// Fuzz targets, one per decoder. Seeds are the golden frames plus a few malformed ones.
// Run e.g.: go test -run=^$ -fuzz=FuzzDecodeV2JSON -fuzztime=20s ./protocol/

func addTextSeeds(f *testing.F) {
	for _, tc := range goldenClientFrames {
		if !tc.binary {
			f.Add(tc.frame)
		}
	}
	for _, tc := range goldenServerFrames {
		if !tc.binary {
			f.Add(tc.want)
		}
	}
	for _, s := range []string{
		`["1","2","t","e",{},"x"]`, `[12,-1.5,"t","e",null]`, `[null,null,"\ud83d\ude00","\u00e9",["]"]]`,
		`["1","1","t","e",{"a":1]]`, `["1","1","t"`, `{"topic":"t","event":"e","payload":{},"ref":null}`,
		`{"x":[1],"ref":5,"payload":[1],"event":"a","topic":"t","join_ref":"j"}`, "\x00\x01\x01\x01\x0101te\x01",
	} {
		f.Add([]byte(s))
	}
}

func FuzzDecodeV2JSON(f *testing.F) {
	addTextSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := V2JSON.Decode(data, false)
		if err != nil {
			return
		}
		if !json.Valid(m.Payload) || m.IsBinary() {
			t.Fatalf("Decode(%q) returned payload %q, binary %v", data, m.Payload, m.IsBinary())
		}
		frame, err := V2JSON.EncodeMessage(m)
		if err != nil {
			t.Fatalf("EncodeMessage(%+v): %v", m, err)
		}
		if !json.Valid(frame.Data) || !utf8.Valid(frame.Data) {
			t.Fatalf("EncodeMessage(%+v) wrote invalid JSON %q", m, frame.Data)
		}
		again, err := V2JSON.Decode(frame.Data, false)
		if err != nil {
			t.Fatalf("re-decode of %q: %v", frame.Data, err)
		}
		if diff := cmp.Diff(m, again); diff != "" {
			t.Fatalf("decode(encode(decode(%q))) differs (-first +second):\n%s", data, diff)
		}
	})
}

func FuzzDecodeV1JSON(f *testing.F) {
	addTextSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := V1JSON.Decode(data, false)
		if err != nil {
			return
		}
		if !json.Valid(m.Payload) {
			t.Fatalf("Decode(%q) returned invalid payload %q", data, m.Payload)
		}
		frame, err := V1JSON.EncodeMessage(m)
		if err != nil {
			t.Fatalf("EncodeMessage(%+v): %v", m, err)
		}
		if !json.Valid(frame.Data) || !utf8.Valid(frame.Data) {
			t.Fatalf("EncodeMessage(%+v) wrote invalid JSON %q", m, frame.Data)
		}
		again, err := V1JSON.Decode(frame.Data, false)
		if err != nil {
			t.Fatalf("re-decode of %q: %v", frame.Data, err)
		}
		m.JoinRef = "" // V1 never sends join_ref
		if diff := cmp.Diff(m, again); diff != "" {
			t.Fatalf("decode(encode(decode(%q))) differs (-first +second):\n%s", data, diff)
		}
	})
}

func FuzzDecodeV2Binary(f *testing.F) {
	for _, tc := range goldenClientFrames {
		if tc.binary {
			f.Add(tc.frame)
		}
	}
	for _, tc := range goldenServerFrames {
		f.Add(tc.want) // server frames and JSON must all be refused or decoded sanely
	}
	f.Add([]byte{})
	f.Add([]byte{0, 255, 255, 255, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := V2JSON.Decode(data, true)
		if err != nil {
			return
		}
		if !m.IsBinary() || m.Payload != nil {
			t.Fatalf("Decode(%q) = %+v, want a binary message", data, m)
		}
		// The client push layout is canonical: re-encoding must give the same bytes.
		if again := clientBinaryEncode(m); !bytes.Equal(again, data) {
			t.Fatalf("client re-encode of %+v = %q, want %q", m, again, data)
		}
		// Whatever the client sent must be forwardable as a server push or broadcast.
		frame, err := V2JSON.EncodeMessage(m)
		if err != nil {
			t.Fatalf("EncodeMessage(%+v): %v", m, err)
		}
		view, err := clientBinaryDecode(frame.Data)
		if err != nil {
			t.Fatalf("client decode of %q: %v", frame.Data, err)
		}
		if view.JoinRef != m.JoinRef || view.Topic != m.Topic || view.Event != m.Event || !bytes.Equal(view.Payload, m.Binary) {
			t.Fatalf("client sees %+v for %+v", view, m)
		}
	})
}
