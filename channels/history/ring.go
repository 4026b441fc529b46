package history

// ring is one channel's bounded buffer. Until it first fills, items grows by append (so a
// quiet channel with N=1000 does not pin 1000 slots); once len(items) == capacity, new items
// overwrite the oldest at start. Invariant: start == 0 whenever len(items) < capacity.
type ring struct {
	name     string
	items    []Item
	start    int
	capacity int
	lastSeq  uint64

	// tick orders channels by last Append across shards; prev/next link the shard's
	// recency list (head = most recent). All guarded by the shard mutex.
	tick       uint64
	prev, next *ring
}

// push stores it as the newest item, after resizing when capacity changed.
func (r *ring) push(it Item, capacity int) {
	if capacity != r.capacity {
		r.resize(capacity)
	}
	if len(r.items) < r.capacity {
		r.items = append(r.items, it)
		return
	}
	r.items[r.start] = it
	r.start++
	if r.start == r.capacity {
		r.start = 0
	}
}

// resize keeps the newest min(len, capacity) items, in order, in a fresh slice so that the
// trimmed items can be garbage collected.
func (r *ring) resize(capacity int) {
	keep := min(len(r.items), capacity)
	items := make([]Item, 0, min(capacity, max(keep, initialSlots)))
	items = r.appendLast(items, keep)
	r.items, r.start, r.capacity = items, 0, capacity
}

// initialSlots is the first allocation for a new ring; append grows it from there.
const initialSlots = 8

// appendLast appends the newest n items to dst, oldest first.
func (r *ring) appendLast(dst []Item, n int) []Item {
	size := len(r.items)
	n = min(n, size)
	// Logical index i (0 = oldest) lives at (start+i) % size.
	first := r.start + size - n
	for i := range n {
		dst = append(dst, r.items[(first+i)%size])
	}
	return dst
}
