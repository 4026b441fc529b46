package presence

import "sync"

// maxOutboxItems bounds the replication backlog when the broker is slower than local
// changes. Past it, ops are dropped and the next message skips a sequence number, so peers
// see a gap and resync from this node.
const maxOutboxItems = 1 << 20

type itemKind uint8

const (
	itemOp          itemKind = iota // one join or leave of a local entry
	itemHeartbeat                   // publish a heartbeat
	itemSyncRequest                 // ask a node (or all, to == "") for its full state
	itemSyncReply                   // send the full local state to a node
)

type outItem struct {
	kind itemKind
	op   wireOp
	to   string
}

// outbox queues replication messages in the order of the changes; the sender goroutine
// publishes them, so no tracker call ever waits for the broker.
type outbox struct {
	enabled bool          // false without a broker: everything is discarded
	signal  chan struct{} // capacity 1: items were queued

	mu      sync.Mutex // taken after shard.mu
	items   []outItem
	lost    bool            // ops were dropped since the last drain
	replies map[string]bool // sync replies already queued, by node
}

func (o *outbox) init(enabled bool) {
	o.enabled = enabled
	o.signal = make(chan struct{}, 1)
	o.replies = make(map[string]bool)
}

func (o *outbox) push(it outItem) {
	if !o.enabled {
		return
	}
	o.mu.Lock()
	switch {
	case it.kind == itemSyncReply && o.replies[it.to]:
		o.mu.Unlock()
		return
	case it.kind == itemOp && len(o.items) >= maxOutboxItems:
		o.lost = true
		o.mu.Unlock()
		return
	case it.kind == itemSyncReply:
		o.replies[it.to] = true
	}
	o.items = append(o.items, it)
	o.mu.Unlock()
	select {
	case o.signal <- struct{}{}:
	default:
	}
}

func (o *outbox) pushOp(op wireOp) { o.push(outItem{kind: itemOp, op: op}) }

// drain takes everything queued and whether ops were lost.
func (o *outbox) drain() ([]outItem, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	items, lost := o.items, o.lost
	o.items, o.lost = nil, false
	clear(o.replies)
	return items, lost
}
