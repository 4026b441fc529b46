package presence

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// unsubscribeTimeout bounds the broker Unsubscribe when Run stops.
const unsubscribeTimeout = 2 * time.Second

// Run times the windows and calls onFlush, and with a broker replicates: it subscribes to
// ReplicationChannel, asks every node for its state, publishes local changes and heartbeats,
// and expires silent nodes. It returns ctx.Err() when ctx is done. The core runs it in its
// errgroup; only one Run may be active.
func (t *Tracker) Run(ctx context.Context) error {
	if !t.running.CompareAndSwap(false, true) {
		return ErrAlreadyRunning
	}
	defer t.running.Store(false)

	var heartbeat <-chan time.Time
	if t.broker != nil {
		if err := t.broker.Subscribe(ctx, ReplicationChannel); err != nil {
			return fmt.Errorf("presence: subscribe %s: %w", ReplicationChannel, err)
		}
		defer func() {
			uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unsubscribeTimeout)
			defer cancel()
			_ = t.broker.Unsubscribe(uctx, ReplicationChannel)
		}()
		sendCtx, stopSender := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); t.sendLoop(sendCtx) }()
		defer wg.Wait()
		defer stopSender()

		t.out.push(outItem{kind: itemSyncRequest}) // to every node: a late joiner learns the cluster
		ticker := time.NewTicker(t.cfg.HeartbeatInterval)
		defer ticker.Stop()
		heartbeat = ticker.C
	}

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		flushes, next := t.takeDue(time.Now())
		for i := range flushes {
			sortEntries(flushes[i].Diff.Joins)
			sortEntries(flushes[i].Diff.Leaves)
			t.onFlush(flushes[i])
		}
		if !next.IsZero() {
			timer.Reset(time.Until(next))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.wake:
		case <-timer.C:
		case <-heartbeat:
			t.out.push(outItem{kind: itemHeartbeat})
			t.expireSilentNodes()
		}
	}
}

// takeDue closes every window whose deadline passed and returns the flushes (unsorted) and
// the earliest deadline still open (zero when none).
func (t *Tracker) takeDue(now time.Time) ([]Flush, time.Time) {
	var flushes []Flush
	var next time.Time
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for name, ts := range sh.dirty {
			if ts.deadline.After(now) {
				if next.IsZero() || ts.deadline.Before(next) {
					next = ts.deadline
				}
				continue
			}
			delete(sh.dirty, name)
			f := ts.takeWindow()
			if len(ts.byRef) == 0 {
				delete(sh.topics, name)
			}
			if !f.Diff.Empty() || len(f.Waiting) > 0 {
				flushes = append(flushes, f)
			}
		}
		sh.mu.Unlock()
	}
	return flushes, next
}
