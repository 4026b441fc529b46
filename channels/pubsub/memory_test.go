package pubsub

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func newMemoryBrokers(t *testing.T, n int) []Broker {
	t.Helper()
	bus := NewBus()
	out := make([]Broker, n)
	for i := range out {
		out[i] = bus.Node(fmt.Sprintf("node-%d", i))
	}
	return out
}

func TestMemoryConformance(t *testing.T) {
	RunConformance(t, newMemoryBrokers)
}

func TestMemoryBus(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Node returns the same broker for the same id", func(t *testing.T) {
			bus := NewBus()
			if bus.Node("a") != bus.Node("a") {
				t.Fatal("two brokers for one id")
			}
			if bus.Node("a") == bus.Node("b") {
				t.Fatal("one broker for two ids")
			}
		}},
		{"overflow drops and counts instead of blocking", func(t *testing.T) {
			ctx := context.Background()
			bus := newBusWithInbox(4)
			pub, sub := bus.Node("pub"), bus.Node("sub")
			if err := sub.Subscribe(ctx, "c"); err != nil {
				t.Fatal(err)
			}
			for i := range 10 {
				if err := pub.Publish(ctx, Envelope{Channel: "c", Data: []byte{byte(i)}}); err != nil {
					t.Fatal(err)
				}
			}
			if got := sub.Dropped(); got != 6 {
				t.Fatalf("Dropped = %d, want 6", got)
			}
			rctx, cancel := context.WithCancel(ctx)
			var got []byte
			err := sub.Run(rctx, func(e Envelope) {
				got = append(got, e.Data...)
				if len(got) == 4 {
					cancel()
				}
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run = %v", err)
			}
			if string(got) != "\x00\x01\x02\x03" {
				t.Fatalf("delivered %x, want the first four", got)
			}
		}},
		{"second concurrent Run is rejected", func(t *testing.T) {
			node := NewBus().Node("a")
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- node.Run(ctx, func(Envelope) {}) }()
			for !node.running.Load() {
				runtime.Gosched()
			}
			if err := node.Run(ctx, func(Envelope) {}); !errors.Is(err, ErrAlreadyRunning) {
				t.Fatalf("second Run = %v, want ErrAlreadyRunning", err)
			}
			cancel()
			<-done
		}},
		{"receivers get their own copy of Data", func(t *testing.T) {
			ctx := context.Background()
			bus := NewBus()
			pub, sub := bus.Node("pub"), bus.Node("sub")
			_ = sub.Subscribe(ctx, "c")
			buf := []byte("abc")
			_ = pub.Publish(ctx, Envelope{Channel: "c", Data: buf})
			buf[0] = 'X'
			rctx, cancel := context.WithCancel(ctx)
			var got string
			_ = sub.Run(rctx, func(e Envelope) { got = string(e.Data); cancel() })
			if got != "abc" {
				t.Fatalf("got %q, want abc", got)
			}
		}},
		{"envelopes queued at cancel survive for the next Run", func(t *testing.T) {
			ctx := context.Background()
			bus := NewBus()
			pub, sub := bus.Node("pub"), bus.Node("sub")
			_ = sub.Subscribe(ctx, "c")
			for i := range 3 {
				_ = pub.Publish(ctx, Envelope{Channel: "c", Data: []byte{byte(i)}})
			}
			var got []byte
			for len(got) < 3 {
				rctx, cancel := context.WithCancel(ctx)
				_ = sub.Run(rctx, func(e Envelope) { got = append(got, e.Data...); cancel() })
			}
			if string(got) != "\x00\x01\x02" {
				t.Fatalf("got %x", got)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}

func BenchmarkMemoryPublish(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	bus := NewBus()
	pub := bus.Node("pub")
	done := make(chan struct{})
	for i := range 3 {
		n := bus.Node(fmt.Sprintf("sub-%d", i))
		_ = n.Subscribe(ctx, "c")
		go func() { _ = n.Run(ctx, func(Envelope) {}); done <- struct{}{} }()
	}
	data := make([]byte, 128)
	b.ReportAllocs()
	for b.Loop() {
		_ = pub.Publish(ctx, Envelope{Channel: "c", Data: data})
	}
	cancel()
	for range 3 {
		<-done
	}
}
