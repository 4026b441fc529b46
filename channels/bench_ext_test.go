package channels_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels"
	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/channels/transport/xano"
	"github.com/phxserver/phxserver/protocol"
)

// External-package benchmarks: they need packages that import channels (the Xano dialect, the
// auth verifier), which an in-package test cannot import without a cycle.

// encodeCounter counts EncodeEvent calls of the dialect it wraps (Slot is delegated, so the
// core's per-dialect encode cache is unchanged).
type encodeCounter struct {
	channels.Dialect
	encodes atomic.Int64
}

func (d *encodeCounter) EncodeEvent(ev *channels.Event) []channels.OutFrame {
	d.encodes.Add(1)
	return d.Dialect.EncodeEvent(ev)
}

// drainTransport plays the WebSocket writer: Wake drains the socket's queue at once and counts
// frames and bytes; with record set it also keeps them (tests only).
type drainTransport struct {
	sock   atomic.Pointer[channels.Socket]
	buf    []protocol.Frame
	frames atomic.Int64
	bytes  atomic.Int64
	record bool
	got    []string
}

func (t *drainTransport) Wake() {
	s := t.sock.Load()
	if s == nil {
		return
	}
	t.buf = s.Drain(t.buf)
	t.frames.Add(int64(len(t.buf)))
	for _, f := range t.buf {
		t.bytes.Add(int64(len(f.Data)))
		if t.record {
			t.got = append(t.got, string(f.Data))
		}
	}
	clear(t.buf)
}

func (t *drainTransport) Close(int, string) {}

// anonymousAuth admits everyone anonymously.
type anonymousAuth struct{}

func (anonymousAuth) Authenticate(context.Context, string) (channels.Identity, error) {
	return channels.Identity{}, nil
}

// mixedTopic members alternate between Phoenix V2 and Xano.
type mixedTopic struct {
	node       *channels.Node
	dialects   []*encodeCounter
	sockets    []*channels.Socket
	transports []*drainTransport
}

func newMixedTopic(tb testing.TB, subs int) *mixedTopic {
	tb.Helper()
	table, err := permissions.Compile([]permissions.SetSpec{{
		Pattern: "load:*", Active: true, Permissions: []string{"anonymous_clients", "client_public_messaging"},
	}})
	if err != nil {
		tb.Fatal(err)
	}
	n, err := channels.NewNode(channels.Options{Policy: table, Authenticator: anonymousAuth{}, Logger: zerolog.Nop()})
	if err != nil {
		tb.Fatal(err)
	}
	mt := &mixedTopic{node: n, dialects: []*encodeCounter{{Dialect: channels.PhoenixV2}, {Dialect: xano.Dialect}}}
	ctx := context.Background()
	for i := range subs {
		tr := &drainTransport{}
		s, err := n.Connect(ctx, channels.ConnectRequest{Dialect: mt.dialects[i%2], Transport: tr, TransportName: "bench"})
		if err != nil {
			tb.Fatal(err)
		}
		tr.sock.Store(s)
		if _, err := s.Join(ctx, channels.JoinRequest{Topic: "load:mixed", JoinRef: "1"}, nil); err != nil {
			tb.Fatal(err)
		}
		mt.sockets = append(mt.sockets, s)
		mt.transports = append(mt.transports, tr)
	}
	tb.Cleanup(func() {
		for _, s := range mt.sockets {
			s.Terminate()
		}
	})
	return mt
}

func (mt *mixedTopic) totals() (frames, bytes, encodes int64) {
	for _, tr := range mt.transports {
		frames += tr.frames.Load()
		bytes += tr.bytes.Load()
	}
	for _, d := range mt.dialects {
		encodes += d.encodes.Load()
	}
	return frames, bytes, encodes
}

var mixedPayload = json.RawMessage(`{"body":"hello, world","n":42}`)

func (mt *mixedTopic) publish(ctx context.Context) {
	mt.node.Broadcast(ctx, channels.BroadcastRequest{Topic: "load:mixed", Event: "news", Payload: mixedPayload})
}

// BenchmarkFanoutMixed fans a server broadcast out to a topic whose members are half Phoenix V2,
// half Xano: two encodes per broadcast whatever the member count.
func BenchmarkFanoutMixed(b *testing.B) {
	for _, subs := range []int{2, 1000, 10000} {
		b.Run(fmt.Sprintf("subs=%d/V2+Xano", subs), func(b *testing.B) {
			mt := newMixedTopic(b, subs)
			ctx := context.Background()
			f0, b0, e0 := mt.totals()
			b.ReportAllocs()
			for b.Loop() {
				mt.publish(ctx)
			}
			f1, b1, e1 := mt.totals()
			frames, bytes, encodes := f1-f0, b1-b0, e1-e0
			if frames != int64(b.N)*int64(subs) || encodes != int64(b.N)*2 {
				b.Fatalf("%d frames and %d encodes for %d broadcasts to %d members", frames, encodes, b.N, subs)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(frames), "ns/delivery")
			b.ReportMetric(float64(encodes)/float64(b.N), "encodes/op")
			b.ReportMetric(float64(bytes)/float64(frames), "B/delivery")
		})
	}
}

func TestMixedFanoutHarness(t *testing.T) {
	tests := []struct {
		name       string
		subs, msgs int
	}{
		{"one message", 10, 1},
		{"five messages", 11, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt := newMixedTopic(t, tt.subs)
			for range tt.msgs {
				mt.publish(context.Background())
			}
			frames, _, encodes := mt.totals()
			if frames != int64(tt.subs*tt.msgs) {
				t.Errorf("delivered %d frames, want %d", frames, tt.subs*tt.msgs)
			}
			if encodes != int64(2*tt.msgs) {
				t.Errorf("%d encodes, want %d (one per dialect per message)", encodes, 2*tt.msgs)
			}
		})
	}
}
