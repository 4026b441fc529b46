package history

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

func BenchmarkAppend(b *testing.B) {
	now := time.Now()
	b.Run("one channel", func(b *testing.B) {
		m := NewMemory(0)
		b.ReportAllocs()
		for b.Loop() {
			m.Append("room", 100, "payload", now)
		}
	})
	b.Run("parallel 1024 channels", func(b *testing.B) {
		m := NewMemory(0)
		chans := make([]string, 1024)
		for i := range chans {
			chans[i] = "room-" + strconv.Itoa(i)
		}
		var next atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := int(next.Add(1)) * 7919
			for pb.Next() {
				m.Append(chans[i%len(chans)], 100, "payload", now)
				i++
			}
		})
	})
	b.Run("bounded with eviction", func(b *testing.B) {
		m := NewMemory(256)
		chans := make([]string, 1024)
		for i := range chans {
			chans[i] = "room-" + strconv.Itoa(i)
		}
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			m.Append(chans[i%len(chans)], 25, "payload", now)
			i++
		}
	})
}

func BenchmarkLast(b *testing.B) {
	m := NewMemory(0)
	now := time.Now()
	for i := range 1000 {
		m.Append("room", 100, i, now)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Last("room", 50)
	}
}
