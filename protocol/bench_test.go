package protocol

import (
	"encoding/json"
	"testing"
)

var (
	benchJoin = []byte(`["6","6","room:lobby","phx_join",{"token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl","user_id":42}]`)
	// benchPayload is a ~100-byte broadcast payload.
	benchPayload   = json.RawMessage(`{"id":1234567,"user":"alice","body":"hello everyone in the lobby, how are you today?","at":1760000000}`)
	benchBroadcast = Message{Topic: "room:lobby", Event: "new_msg", Payload: benchPayload}
)

func BenchmarkDecodeV2Join(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchJoin)))
	for b.Loop() {
		if _, err := V2JSON.Decode(benchJoin, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeV2Broadcast(b *testing.B) {
	benchmarkEncode(b, V2JSON, benchBroadcast)
}

func BenchmarkEncodeV1Broadcast(b *testing.B) {
	benchmarkEncode(b, V1JSON, benchBroadcast)
}

func BenchmarkEncodeBinaryBroadcast(b *testing.B) {
	m := benchBroadcast
	m.Payload, m.Binary = nil, []byte(benchPayload)
	benchmarkEncode(b, V2JSON, m)
}

func benchmarkEncode(b *testing.B, s Serializer, m Message) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.EncodeMessage(m); err != nil {
			b.Fatal(err)
		}
	}
}
