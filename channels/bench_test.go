package channels

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels/permissions"
	"github.com/phxserver/phxserver/protocol"
)

// Fan-out benchmarks: one topic, N members on fake transports, one message per iteration.
// They report the cost per delivery and prove that a broadcast is encoded once per dialect
// (encodes/op), not once per member. Run on one core:
//
//	go test -run '^$' -bench Fanout -benchmem -cpu 1 ./channels/

// countingDialect counts EncodeEvent calls of the dialect it wraps. The core's encode cache
// is keyed by Slot, which is delegated, so wrapping does not change the caching.
type countingDialect struct {
	Dialect
	encodes atomic.Int64
}

func (d *countingDialect) EncodeEvent(ev *Event) []OutFrame {
	d.encodes.Add(1)
	return d.Dialect.EncodeEvent(ev)
}

// sinkTransport stands in for a WebSocket writer: Wake drains the socket's queue at once and
// counts what a real writer would have written.
type sinkTransport struct {
	sock   atomic.Pointer[Socket]
	buf    []protocol.Frame
	frames atomic.Int64
	bytes  atomic.Int64
}

func (t *sinkTransport) Wake() {
	s := t.sock.Load()
	if s == nil {
		return
	}
	t.buf = s.Drain(t.buf)
	t.frames.Add(int64(len(t.buf)))
	for _, f := range t.buf {
		t.bytes.Add(int64(len(f.Data)))
	}
	clear(t.buf)
}

func (t *sinkTransport) Close(int, string) {}

// benchAuth admits everyone anonymously: fan-out does not depend on identity.
type benchAuth struct{}

func (benchAuth) Authenticate(context.Context, string) (Identity, error) { return Identity{}, nil }

// fanoutBench is one topic with its members.
type fanoutBench struct {
	node       *Node
	sockets    []*Socket
	transports []*sinkTransport
	publisher  *Channel
}

const benchTopic = "load:bench"

// newFanoutBench connects subs sockets, member i using dialects[i%len(dialects)], and joins
// them all to benchTopic (anonymous, public messaging, no presence).
func newFanoutBench(tb testing.TB, subs int, dialects ...Dialect) *fanoutBench {
	tb.Helper()
	table, err := permissions.Compile([]permissions.SetSpec{{
		Pattern: "load:*", Active: true, Permissions: []string{"anonymous_clients", "client_public_messaging"},
	}})
	if err != nil {
		tb.Fatal(err)
	}
	n, err := NewNode(Options{Policy: table, Authenticator: benchAuth{}, Logger: zerolog.Nop()})
	if err != nil {
		tb.Fatal(err)
	}
	fb := &fanoutBench{node: n}
	ctx := context.Background()
	for i := range subs {
		tr := &sinkTransport{}
		s, err := n.Connect(ctx, ConnectRequest{Dialect: dialects[i%len(dialects)], Transport: tr, TransportName: "bench"})
		if err != nil {
			tb.Fatal(err)
		}
		tr.sock.Store(s)
		ch, err := s.Join(ctx, JoinRequest{Topic: benchTopic, JoinRef: "1", WantPresence: true, Track: true}, nil)
		if err != nil {
			tb.Fatal(err)
		}
		if i == 0 {
			fb.publisher = ch
		}
		fb.sockets = append(fb.sockets, s)
		fb.transports = append(fb.transports, tr)
	}
	tb.Cleanup(fb.close)
	return fb
}

func (fb *fanoutBench) close() {
	for _, s := range fb.sockets {
		s.Terminate()
	}
}

// delivered sums the frames and bytes the sink transports received.
func (fb *fanoutBench) delivered() (frames, bytes int64) {
	for _, tr := range fb.transports {
		frames += tr.frames.Load()
		bytes += tr.bytes.Load()
	}
	return frames, bytes
}

// benchPayload is a typical small chat message.
var benchPayload = json.RawMessage(`{"body":"hello, world","n":42}`)

// publishFunc sends one message to the topic.
type publishFunc func(ctx context.Context, fb *fanoutBench) error

func publishBroadcast(ctx context.Context, fb *fanoutBench) error {
	fb.node.Broadcast(ctx, BroadcastRequest{Topic: benchTopic, Event: "news", Payload: benchPayload})
	return nil
}

func publishClientMessage(ctx context.Context, fb *fanoutBench) error {
	return fb.publisher.socket.Send(ctx, fb.publisher, SendRequest{Event: "msg", Payload: Payload{JSON: benchPayload}})
}

// runFanout publishes one message per iteration and reports per-delivery figures.
func runFanout(b *testing.B, subs int, publish publishFunc, dialects ...*countingDialect) {
	wrapped := make([]Dialect, len(dialects))
	for i, d := range dialects {
		wrapped[i] = d
	}
	fb := newFanoutBench(b, subs, wrapped...)
	ctx := context.Background()
	framesBefore, bytesBefore := fb.delivered()
	encodesBefore := totalEncodes(dialects)
	b.ReportAllocs()
	for b.Loop() {
		if err := publish(ctx, fb); err != nil {
			b.Fatal(err)
		}
	}
	frames, bytes := fb.delivered()
	frames -= framesBefore
	bytes -= bytesBefore
	if want := int64(b.N) * int64(subs); frames != want {
		b.Fatalf("delivered %d frames, want %d", frames, want)
	}
	encodes := totalEncodes(dialects) - encodesBefore
	if distinct := min(subs, len(dialects)); encodes != int64(b.N)*int64(distinct) {
		b.Fatalf("%d encodes for %d broadcasts: want one per dialect in use (%d)", encodes, b.N, distinct)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(frames), "ns/delivery")
	b.ReportMetric(float64(encodes)/float64(b.N), "encodes/op")
	b.ReportMetric(float64(bytes)/float64(frames), "B/delivery")
}

func totalEncodes(ds []*countingDialect) (n int64) {
	for _, d := range ds {
		n += d.encodes.Load()
	}
	return n
}

// BenchmarkFanout: subscribers × Phoenix serializers × publish path (server broadcast, client
// message with sender injection and permission check).
func BenchmarkFanout(b *testing.B) {
	dialectSets := []struct {
		name string
		mk   func() []*countingDialect
	}{
		{"V1", func() []*countingDialect { return []*countingDialect{{Dialect: PhoenixV1}} }},
		{"V2", func() []*countingDialect { return []*countingDialect{{Dialect: PhoenixV2}} }},
		{"V1+V2", func() []*countingDialect { return []*countingDialect{{Dialect: PhoenixV1}, {Dialect: PhoenixV2}} }},
	}
	paths := []struct {
		name    string
		publish publishFunc
	}{
		{"broadcast", publishBroadcast},
		{"client", publishClientMessage},
	}
	for _, subs := range []int{1, 1000, 10000} {
		for _, ds := range dialectSets {
			for _, p := range paths {
				b.Run(fmt.Sprintf("subs=%d/%s/%s", subs, ds.name, p.name), func(b *testing.B) {
					runFanout(b, subs, p.publish, ds.mk()...)
				})
			}
		}
	}
}

// TestFanoutHarness checks what the benchmark relies on: every member receives each message
// once and each dialect encodes it once.
func TestFanoutHarness(t *testing.T) {
	tests := []struct {
		name    string
		subs    int
		publish publishFunc
		nd      int
	}{
		{"broadcast one dialect", 50, publishBroadcast, 1},
		{"broadcast two dialects", 51, publishBroadcast, 2},
		{"client message two dialects", 51, publishClientMessage, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := []*countingDialect{{Dialect: PhoenixV2}, {Dialect: PhoenixV1}}[:tt.nd]
			wrapped := make([]Dialect, len(ds))
			for i, d := range ds {
				wrapped[i] = d
			}
			fb := newFanoutBench(t, tt.subs, wrapped...)
			for range 3 {
				if err := tt.publish(context.Background(), fb); err != nil {
					t.Fatal(err)
				}
			}
			if frames, _ := fb.delivered(); frames != int64(3*tt.subs) {
				t.Errorf("delivered %d frames, want %d", frames, 3*tt.subs)
			}
			if got := totalEncodes(ds); got != int64(3*tt.nd) {
				t.Errorf("%d encodes, want %d", got, 3*tt.nd)
			}
		})
	}
}
