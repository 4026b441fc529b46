package channels

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/phxserver/phxserver/channels/permissions"
)

// countingSink drains its socket on every Wake (safe from any goroutine) and counts what a
// writer would send, by event kind.
type countingSink struct {
	mu     sync.Mutex
	sock   *Socket
	frames int
	bytes  int
	states int
}

func (t *countingSink) Wake() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sock == nil {
		return
	}
	for _, f := range t.sock.Drain(nil) {
		t.frames++
		t.bytes += len(f.Data)
		if isPresenceState(f.Data) {
			t.states++
		}
	}
}

func (t *countingSink) Close(int, string) {}

// isPresenceState reports whether a V2 frame is a presence_state push; the event name sits
// near the start of the frame, so only the head is searched.
func isPresenceState(frame []byte) bool {
	return bytes.Contains(frame[:min(len(frame), 128)], []byte(`"presence_state"`))
}

// BenchmarkPresenceJoinStorm joins 10 000 members to one presence channel as fast as the core
// takes them and waits until every member has its presence_state. It reports the time per
// join and the frames and bytes all members received: with merged windows each member gets
// one state plus about one diff per window, O(N) frames in total rather than O(N²).
//
//	go test -run '^$' -bench PresenceJoinStorm -benchtime 1x -cpu 1 ./channels/
func BenchmarkPresenceJoinStorm(b *testing.B) {
	const members = 10000
	for b.Loop() {
		table, err := permissions.Compile([]permissions.SetSpec{{
			Pattern: "room:*", Active: true, Permissions: []string{"anonymous_clients", "client_public_messaging", "presence"},
		}})
		if err != nil {
			b.Fatal(err)
		}
		n, err := NewNode(Options{Policy: table, Authenticator: benchAuth{}, Logger: zerolog.Nop(), PresenceWindow: 30 * time.Millisecond,
			Limits: Limits{QueueBytes: 64 << 20}})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = n.Run(ctx); close(done) }()
		sinks := make([]*countingSink, members)
		socks := make([]*Socket, members)
		start := time.Now()
		for i := range members {
			sinks[i] = &countingSink{}
			s, err := n.Connect(ctx, ConnectRequest{Dialect: PhoenixV2, Transport: sinks[i], TransportName: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			sinks[i].mu.Lock()
			sinks[i].sock = s
			sinks[i].mu.Unlock()
			socks[i] = s
			if _, err := s.Join(ctx, JoinRequest{Topic: "room:storm", JoinRef: "1", WantPresence: true, Track: true}, nil); err != nil {
				b.Fatal(err)
			}
		}
		joined := time.Since(start)
		for _, t := range sinks {
			for {
				t.mu.Lock()
				got := t.states
				t.mu.Unlock()
				if got > 0 {
					break
				}
				time.Sleep(time.Millisecond)
			}
		}
		settled := time.Since(start)
		time.Sleep(100 * time.Millisecond) // the last window's diffs
		var frames, bytes int
		for _, t := range sinks {
			t.mu.Lock()
			frames += t.frames
			bytes += t.bytes
			t.mu.Unlock()
		}
		b.ReportMetric(float64(joined.Nanoseconds())/members, "ns/join")
		b.ReportMetric(float64(settled.Milliseconds()), "ms-until-all-states")
		b.ReportMetric(float64(frames), "frames")
		b.ReportMetric(float64(frames)/members, "frames/member")
		b.ReportMetric(float64(bytes)/(1<<20), "MiB")
		for _, s := range socks {
			s.Terminate()
		}
		cancel()
		<-done
	}
}
