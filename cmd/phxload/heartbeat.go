package main

import (
	"context"
	"time"
)

// heartbeatEvery is the Phoenix JS client's default heartbeat interval.
const heartbeatEvery = 30 * time.Second

// heartbeats sends a Phoenix heartbeat on every open connection once per interval, spread
// evenly over it, from one goroutine, until ctx is done. The server closes connections that
// stay silent for 60 s. Replies are read (and ignored) by whoever reads each connection.
func heartbeats(ctx context.Context, conns []*phxConn) {
	open := make([]*phxConn, 0, len(conns))
	for _, c := range conns {
		if c != nil {
			open = append(open, c)
		}
	}
	if len(open) == 0 {
		return
	}
	gap := heartbeatEvery / time.Duration(len(open))
	t := time.NewTicker(max(gap, time.Millisecond))
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_ = open[i%len(open)].heartbeat()
	}
}

// discardReads reads and drops every frame of c until it closes (heartbeat replies of idle
// connections must be consumed so the server's writes never back up).
func discardReads(c *phxConn) {
	for {
		if _, _, err := c.ws.NextReader(); err != nil {
			return
		}
	}
}
