package redispubsub

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"github.com/phxserver/phxserver/channels/pubsub"
)

var redisURL string

// TestMain starts a real redis-server for the package's tests. Without one the tests skip,
// except in CI (CI=true), where a missing redis-server is a failure.
func TestMain(m *testing.M) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "redis-server not found but CI is set")
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "redis-server not found: skipping Redis broker tests")
		os.Exit(0)
	}
	port := freePort()
	dir, _ := os.MkdirTemp("", "phx-redis")
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "start redis-server:", err)
		os.Exit(1)
	}
	redisURL = fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	ok := false
	for i := 0; i < 200 && !ok; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			_ = c.Close()
			ok = true
		} else {
			time.Sleep(25 * time.Millisecond)
		}
	}
	code := 1
	if ok {
		code = runWithLeakCheck(m)
	} else {
		fmt.Fprintln(os.Stderr, "redis-server did not start")
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func runWithLeakCheck(m *testing.M) int {
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			return 1
		}
	}
	return code
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func newBrokers(t *testing.T, n int) []pubsub.Broker {
	t.Helper()
	prefix := "test:" + uuid.NewString() + ":"
	out := make([]pubsub.Broker, n)
	for i := range out {
		b, err := New(context.Background(), Options{URL: redisURL, NodeID: fmt.Sprintf("node-%d", i), Prefix: prefix, Logger: zerolog.Nop()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		out[i] = b
	}
	return out
}

func TestConformance(t *testing.T) { pubsub.RunConformance(t, newBrokers) }

func TestWireRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		e    pubsub.Envelope
	}{
		{"empty data", pubsub.Envelope{Kind: 3}},
		{"binary data", pubsub.Envelope{Kind: 16, Data: []byte{0, 1, 2, 255}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := decode("c", string(encode("n1", tt.e)))
			if !ok || got.Kind != tt.e.Kind || got.Node != "n1" || string(got.Data) != string(tt.e.Data) || got.Channel != "c" {
				t.Fatalf("round trip: %+v %v", got, ok)
			}
		})
	}
	for _, bad := range []string{"", "\x02\x01\x00", "\x01\x01\x05ab"} {
		if _, ok := decode("c", bad); ok {
			t.Errorf("decode(%q) accepted", bad)
		}
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	if _, err := New(context.Background(), Options{URL: "not a url", NodeID: "n"}); err == nil {
		t.Error("bad URL accepted")
	}
	if _, err := New(context.Background(), Options{URL: redisURL}); err == nil {
		t.Error("empty node id accepted")
	}
	if _, err := New(context.Background(), Options{URL: "redis://127.0.0.1:1/0", NodeID: "n"}); err == nil {
		t.Error("unreachable Redis accepted")
	}
}
