package main

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// histogram records latencies in microseconds with under 1% relative error: values below
// 128 µs have their own bucket, larger ones share a bucket with values that agree on their 7
// leading bits. It is lock-free, so many reader goroutines record into one.
type histogram struct {
	counts [64 * 128]atomic.Uint64
	total  atomic.Uint64
	max    atomic.Int64
}

func bucketOf(us int64) int {
	if us < 128 {
		return int(max(us, 0))
	}
	exp := bits.Len64(uint64(us)) - 7 // shift that keeps 7 significant bits
	return exp*128 + int(us>>exp)     // us>>exp is in [64,128)
}

// lowerBound is the smallest value of bucket b (what percentiles report).
func lowerBound(b int) int64 {
	if b < 128 {
		return int64(b)
	}
	exp := b / 128
	return int64(b%128) << exp
}

func (h *histogram) record(d time.Duration) {
	us := d.Microseconds()
	b := bucketOf(us)
	if b >= len(h.counts) {
		b = len(h.counts) - 1
	}
	h.counts[b].Add(1)
	h.total.Add(1)
	for {
		m := h.max.Load()
		if us <= m || h.max.CompareAndSwap(m, us) {
			break
		}
	}
}

// quantile returns the latency at q (0..1) over everything recorded.
func (h *histogram) quantile(q float64) time.Duration {
	total := h.total.Load()
	if total == 0 {
		return 0
	}
	rank := uint64(q*float64(total-1)) + 1
	var seen uint64
	for b := range h.counts {
		seen += h.counts[b].Load()
		if seen >= rank {
			return time.Duration(lowerBound(b)) * time.Microsecond
		}
	}
	return time.Duration(h.max.Load()) * time.Microsecond
}
