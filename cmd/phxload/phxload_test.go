package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestResolveTargetsLoopbackOnly(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		sources int
		ok      bool
	}{
		{"loopback", "ws://127.0.0.1:4000/socket/websocket", 1, true},
		{"other loopback address", "ws://127.0.0.9:4000/socket/websocket", 4, true},
		{"localhost", "ws://localhost:4000/socket/websocket", 1, true},
		{"remote address", "ws://10.0.0.1:4000/socket/websocket", 1, false},
		{"remote name", "ws://example.com/socket/websocket", 1, false},
		{"wss", "wss://127.0.0.1:4000/socket/websocket", 1, false},
		{"too many sources", "ws://127.0.0.1:4000/socket/websocket", 251, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := targetFlags{url: tt.url, sources: tt.sources}
			tg, err := tf.resolve()
			if tt.ok != (err == nil) {
				t.Fatalf("resolve(%q) error = %v, want ok=%v", tt.url, err, tt.ok)
			}
			if err != nil && !errors.Is(err, errUsage) {
				t.Errorf("error %v does not wrap errUsage", err)
			}
			if err == nil && (tg.url.Query().Get("vsn") != "2.0.0" || len(tg.sources) != tt.sources) {
				t.Errorf("target %v sources %v", tg.url, tg.sources)
			}
		})
	}
}

func TestHistogramQuantiles(t *testing.T) {
	tests := []struct {
		name   string
		values []time.Duration
		q      float64
		want   time.Duration
	}{
		{"single small", []time.Duration{50 * time.Microsecond}, 0.99, 50 * time.Microsecond},
		{"median of 1..100 ms", msRange(1, 100), 0.5, 50 * time.Millisecond},
		{"p99 of 1..100 ms", msRange(1, 100), 0.99, 99 * time.Millisecond},
		{"p90 of 1..1000 ms", msRange(1, 1000), 0.9, 900 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h histogram
			for _, v := range tt.values {
				h.record(v)
			}
			got := h.quantile(tt.q)
			if diff := got - tt.want; diff > tt.want/100 || -diff > tt.want/100 {
				t.Errorf("quantile(%v) = %v, want %v ±1%%", tt.q, got, tt.want)
			}
		})
	}
}

func msRange(from, to int) []time.Duration {
	var out []time.Duration
	for i := from; i <= to; i++ {
		out = append(out, time.Duration(i)*time.Millisecond)
	}
	return out
}

func TestRunRefusesBadUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no mode", nil},
		{"unknown mode", []string{"stampede"}},
		{"too many connections", []string{"idle", "-n", "50000"}},
		{"remote target", []string{"fanout", "-url", "ws://192.168.1.1/socket/websocket"}},
		{"endless run", []string{"fanout", "-duration", "2h"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			if code := run(tt.args, &out, &errOut); code != 2 {
				t.Errorf("run(%v) = %d, want 2 (stderr %q)", tt.args, code, errOut.String())
			}
		})
	}
}
