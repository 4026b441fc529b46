package xano

import (
	"encoding/json"
	"testing"
)

func BenchmarkDecode(b *testing.B) {
	frames := []struct{ name, frame string }{
		{"join", referenceFrames["join"]},
		{"public message", referenceFrames["public message"]},
		{"weweb public", referenceFrames["weweb public"]},
	}
	for _, fr := range frames {
		b.Run(fr.name, func(b *testing.B) {
			data := []byte(fr.frame)
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeMessage(b *testing.B) {
	payload := json.RawMessage(`{"text":"hello there, how is everyone doing today?","ts":1732800000000}`)
	clients := []struct {
		name string
		from Client
	}{
		{"anonymous", Client{SocketID: "3f1c2a9e-6b1d-4c2e-9a57-0d4b8e1f2a6c"}},
		{"with extras", Client{SocketID: "3f1c2a9e-6b1d-4c2e-9a57-0d4b8e1f2a6c", Extras: map[string]any{"name": "Jill", "role": "admin"}, DboID: int64(123), RowID: int64(7)}},
	}
	for _, c := range clients {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = EncodeMessage("chatroom/1", c.from, false, "", payload)
			}
		})
	}
}

func BenchmarkEncodePresenceFull(b *testing.B) {
	members := make([]Client, 50)
	for i := range members {
		members[i] = Client{SocketID: "3f1c2a9e-6b1d-4c2e-9a57-0d4b8e1f2a6c", DboID: int64(123), RowID: int64(i)}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = EncodePresenceFull("chatroom/1", members)
	}
}
