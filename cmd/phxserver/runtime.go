package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"time"
)

// Idle memory trimming. After a burst of connections the heap, the stack spans of exited
// goroutines and grown reader stacks stay mapped until enough allocation triggers a GC, and an
// idle server rarely allocates: RSS then reflects the burst, not the connections held. When no
// GC ran for quietPeriod, one forced GC shrinks the parked goroutines' stacks and returns free
// pages to the OS. A busy server collects on its own and is never trimmed; an idle one is
// trimmed once per quiet period after activity, at the cost of one GC (a few ms per 10 000
// connections).
const quietPeriod = 5 * time.Second

// trimWhenQuiet runs until ctx is done (a server runner).
func trimWhenQuiet(ctx context.Context) error {
	var ms runtime.MemStats
	lastGC, trimmedAt := uint32(0), uint32(0)
	tick := time.NewTicker(quietPeriod)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		runtime.ReadMemStats(&ms)
		quiet := ms.NumGC == lastGC
		lastGC = ms.NumGC
		if quiet && ms.NumGC != trimmedAt {
			debug.FreeOSMemory()
			runtime.ReadMemStats(&ms)
			lastGC, trimmedAt = ms.NumGC, ms.NumGC
		}
	}
}
