package presence

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkJoinStorm10k tracks 10 000 connections into one topic within one window, then
// takes the flush and encodes the Phoenix diff and state, as the core would. It reports the
// cost per Track and the sizes of the resulting frames' payloads.
func BenchmarkJoinStorm10k(b *testing.B) {
	const n = 10000
	conns := make([]string, n)
	for i := range conns {
		conns[i] = "client-" + strconv.Itoa(i)
	}
	meta := Meta{"online_at": "1700000000"}
	var diffBytes, stateBytes int
	b.ReportAllocs()
	var trackTime time.Duration
	for b.Loop() {
		tr := New(Config{NodeID: "n1", Window: time.Hour}, nil, nil)
		start := time.Now()
		for _, c := range conns {
			if _, err := tr.Track("room:big", c, c, meta, nil); err != nil {
				b.Fatal(err)
			}
		}
		trackTime += time.Since(start)
		tr.RequestState("room:big", conns[0])
		fs := drain(tr)
		if len(fs) != 1 || len(fs[0].Diff.Joins) != n {
			b.Fatalf("%d flushes", len(fs))
		}
		diffBytes = len(fs[0].Diff.AppendPhoenixDiff(nil))
		stateBytes = len(fs[0].Snapshot.Encoded(0, func(s *Snapshot) []byte { return s.AppendPhoenixState(nil) }))
	}
	b.ReportMetric(float64(trackTime.Nanoseconds())/float64(b.N*n), "ns/track")
	b.ReportMetric(float64(diffBytes), "diff-bytes")
	b.ReportMetric(float64(stateBytes), "state-bytes")
}

// BenchmarkTrack measures one Track into a topic that keeps growing.
func BenchmarkTrack(b *testing.B) {
	tr := New(Config{NodeID: "n1", Window: time.Hour}, nil, nil)
	meta := Meta{"online_at": "1700000000"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := strconv.Itoa(i)
		i++
		if _, err := tr.Track("room:big", c, c, meta, nil); err != nil {
			b.Fatal(err)
		}
	}
}
